package org.myositiscds.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Command-line options written {@code --name=value}; a bare {@code --name} means true. */
final class Options {

	private final Map<String, String> values = new LinkedHashMap<>();

	Options(List<String> args) {
		for (String arg : args) {
			if (!arg.startsWith("--")) {
				throw new IllegalArgumentException("Options are written --name=value, not " + arg);
			}
			int equals = arg.indexOf('=');
			values.put(equals < 0 ? arg.substring(2) : arg.substring(2, equals), equals < 0 ? "true" : arg.substring(equals + 1));
		}
	}

	String text(String name, String defaultValue) {
		return values.getOrDefault(name, defaultValue);
	}

	int number(String name, int defaultValue) {
		return values.containsKey(name) ? Integer.parseInt(values.get(name)) : defaultValue;
	}

	long longNumber(String name, long defaultValue) {
		return values.containsKey(name) ? Long.parseLong(values.get(name)) : defaultValue;
	}

	boolean flag(String name) {
		return Boolean.parseBoolean(values.getOrDefault(name, "false"));
	}
}
