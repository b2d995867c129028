package org.myositiscds.cql;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import ca.uhn.fhir.context.FhirContext;
import org.opencds.cqf.cql.engine.fhir.model.R4FhirModelResolver;

/**
 * The engine's R4 model resolver with each property path split once per process. The engine's
 * {@code resolvePath} compiles a regular expression to split the path at every property read, a
 * tenth of a call's evaluation (docs/performance.md, "CPU per call (engine)"); the paths are the
 * few the ELM names, so their parts are kept. Each part is then read as the engine reads it:
 * {@code name} or {@code name[i]} (the i-th of a repeating element, one digit, as the engine
 * allows).
 */
final class SplitPathModelResolver extends R4FhirModelResolver {

	private record Step(String name, int index) {
	}

	private final Map<String, Step[]> steps = new ConcurrentHashMap<>();

	SplitPathModelResolver(FhirContext fhirContext) {
		super(fhirContext);
	}

	@Override
	public Object resolvePath(Object target, String path) {
		Object value = target;
		for (Step step : steps.computeIfAbsent(path, SplitPathModelResolver::split)) {
			value = resolveProperty(value, step.name());
			if (step.index() >= 0) {
				value = ((List<?>) value).get(step.index());
			}
		}
		return value;
	}

	private static Step[] split(String path) {
		String[] parts = path.split("\\.");
		Step[] split = new Step[parts.length];
		for (int i = 0; i < parts.length; i++) {
			String part = parts[i];
			int bracket = part.indexOf('[');
			split[i] = bracket < 0 ? new Step(part, -1)
					: new Step(part.replaceAll("\\[\\d]", ""), Character.getNumericValue(part.charAt(bracket + 1)));
		}
		return split;
	}
}
