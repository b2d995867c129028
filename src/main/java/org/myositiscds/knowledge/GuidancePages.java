package org.myositiscds.knowledge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * What a card's source link shows: for each rule, read from the CQL itself, its title (the rule
 * code's display), the rule in plain words (the comment that opens its section), the CQL of the
 * section, and the library's thresholds in force (its parameters and their defaults). The CQL is
 * the single source: what the page says is what the service does.
 */
public final class GuidancePages {

	private static final Pattern RULE_CODE = Pattern
		.compile("^code \"([A-Z]+-\\d+)\": '[^']+' from \"Myositis CDS Rules\" display '([^']*)'", Pattern.MULTILINE);

	private static final Pattern RULE_ID = Pattern.compile("\\b([A-Z]{2,4}-\\d{1,2})\\b");

	/** A rule's section opens with a comment whose first line starts with its id: "HBV-1 screening missing". */
	private static final Pattern RULE_SECTION = Pattern.compile("[A-Z]{2,4}-\\d{1,2}[ ,]");

	private static final Pattern PARAMETER = Pattern.compile("^parameter \"([^\"]+)\" (\\S+)(?: default (.+))?$",
			Pattern.MULTILINE);

	private static final Pattern LIBRARY = Pattern.compile("^library (\\w+)", Pattern.MULTILINE);

	/** One rule's page content. */
	public record Guidance(String ruleId, String title, String library, String plainWords, String cql,
			List<String> thresholds) {
	}

	private final Map<String, Guidance> byRule;

	GuidancePages(Map<String, Guidance> byRule) {
		this.byRule = byRule;
	}

	public static GuidancePages fromLocation(String cqlLocation) {
		Map<String, Guidance> pages = new TreeMap<>(GuidancePages::compareRuleIds);
		try {
			for (Resource file : new PathMatchingResourcePatternResolver().getResources(cqlLocation + "*.cql")) {
				read(file.getContentAsString(StandardCharsets.UTF_8), pages);
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot read CQL from " + cqlLocation, e);
		}
		return new GuidancePages(pages);
	}

	static void read(String cql, Map<String, Guidance> pages) {
		Matcher library = LIBRARY.matcher(cql);
		String libraryName = library.find() ? library.group(1) : "?";
		Map<String, String> titles = ruleTitles(cql);
		List<String> thresholds = new ArrayList<>();
		Matcher parameter = PARAMETER.matcher(cql);
		while (parameter.find()) {
			if (parameter.group(3) != null) {
				thresholds.add(parameter.group(1) + " = " + parameter.group(3).trim());
			}
		}
		for (String section : sections(cql)) {
			String comment = section.substring(0, section.indexOf("*/") + 2);
			String firstLine = comment.lines().skip(1).findFirst().orElse("").replaceFirst("^\\s*\\*\\s*", "");
			if (!RULE_SECTION.matcher(firstLine).lookingAt()) {
				continue;
			}
			Matcher ids = RULE_ID.matcher(firstLine);
			while (ids.find()) {
				String ruleId = ids.group(1);
				if (titles.containsKey(ruleId)) {
					pages.put(ruleId, new Guidance(ruleId, titles.get(ruleId), libraryName, plainWords(comment),
							section.substring(comment.length()).strip(), thresholds));
				}
			}
		}
	}

	/** The title of each rule a library declares: its code's display in "Myositis CDS Rules", by rule id. */
	static Map<String, String> ruleTitles(String cql) {
		Map<String, String> titles = new LinkedHashMap<>();
		Matcher code = RULE_CODE.matcher(cql);
		while (code.find()) {
			titles.put(code.group(1), code.group(2));
		}
		return titles;
	}

	/** The library split at each top-level comment block; each part starts with its comment. */
	private static List<String> sections(String cql) {
		List<String> sections = new ArrayList<>();
		int start = cql.indexOf("\n/*");
		while (start >= 0) {
			int next = cql.indexOf("\n/*", start + 3);
			sections.add(cql.substring(start + 1, next < 0 ? cql.length() : next + 1));
			start = next;
		}
		return sections;
	}

	private static String plainWords(String comment) {
		StringBuilder text = new StringBuilder();
		comment.lines()
			.map(line -> line.replaceFirst("^\\s*/?\\*+/?", "").replaceFirst("\\*/$", "").stripTrailing())
			.forEach(line -> text.append(line.startsWith(" ") ? line.substring(1) : line).append('\n'));
		return text.toString().strip();
	}

	private static int compareRuleIds(String a, String b) {
		String[] x = a.split("-");
		String[] y = b.split("-");
		int prefix = x[0].compareTo(y[0]);
		return prefix != 0 ? prefix : Integer.compare(Integer.parseInt(x[1]), Integer.parseInt(y[1]));
	}

	public Optional<Guidance> find(String ruleId) {
		return Optional.ofNullable(byRule.get(ruleId));
	}

	public Collection<Guidance> all() {
		return byRule.values();
	}

	/**
	 * The override memory line of a rule's page, in words (docs/feedback.md): how long the services'
	 * definitions remember an override of the rule's card, the reasons named by their display in the CQL.
	 */
	public static String overrideMemory(Knowledge knowledge, String ruleId) {
		OverrideMemory memory = knowledge.services().overrideMemory();
		Map<String, String> displays = new TreeMap<>();
		var libraries = knowledge.evaluator().libraries();
		for (String name : libraries.names()) {
			var library = libraries.library(name);
			if (library.getCodes() == null || library.getCodeSystems() == null) {
				continue;
			}
			Map<String, String> systems = new TreeMap<>();
			library.getCodeSystems().getDef().forEach(system -> systems.put(system.getName(), system.getId()));
			library.getCodes().getDef().stream()
				.filter(code -> code.getCodeSystem() != null && code.getDisplay() != null
						&& systems.getOrDefault(code.getCodeSystem().getName(), "").equals(memory.reasonSystem()))
				.forEach(code -> displays.putIfAbsent(code.getId(), code.getDisplay()));
		}
		return memory.describe(ruleId, displays);
	}
}
