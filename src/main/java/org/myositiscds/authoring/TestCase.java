package org.myositiscds.authoring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.myositiscds.prefetch.PatientData;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import tools.jackson.databind.json.JsonMapper;

/**
 * One test case of a guideline library, as an informaticist writes it in
 * {@code cql/tests/<Library>/<case>.yaml}: a description, the patient and their resources in FHIR
 * R4 (dates relative to today, such as {@code -30d}, {@code -52y} or {@code today}), the draft
 * orders, and what is expected: values of named expressions and the rule ids of the cards. The
 * patient may instead be a Bundle file ({@code record:}, and {@code draftOrdersFile:}), such as a
 * demo patient of fhir-resources/examples/.
 * See docs/authoring.md for the format.
 */
public record TestCase(Path file, String library, String description, String hook, LocalDate today,
		PatientData data, List<Resource> draftOrders, List<String> selections, Map<String, Object> expectedValues,
		List<String> expectedCards) {

	private static final Pattern RELATIVE_DATE = Pattern.compile("^(today|([+-]\\d+)([dwmy]))$");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** Reads a case; the library is the name of the folder it is in. */
	public static TestCase read(Path file, LocalDate today) {
		Map<String, Object> yaml;
		try {
			yaml = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		if (yaml == null) {
			throw new IllegalArgumentException(file + ": empty test case");
		}
		FhirContext fhir = FhirContext.forR4Cached();
		Patient patient;
		List<Resource> resources;
		List<Resource> drafts;
		if (yaml.containsKey("record")) {
			// The patient of a Bundle file (such as a demo patient), so that the data lives in one place.
			List<Resource> record = bundleEntries(fhir, projectFile(file, (String) yaml.get("record")), today);
			patient = record.stream().filter(Patient.class::isInstance).map(Patient.class::cast).findFirst()
				.orElseThrow(() -> new IllegalArgumentException(file + ": the record has no Patient"));
			// resources: adds to the record, so that a boundary case is the demo patient plus one result.
			resources = new ArrayList<>(record.stream().filter(r -> !(r instanceof Patient)).toList());
			resources.addAll(resources(fhir, yaml.get("resources"), today, file));
			drafts = yaml.containsKey("draftOrdersFile")
					? bundleEntries(fhir, projectFile(file, (String) yaml.get("draftOrdersFile")), today)
					: resources(fhir, yaml.get("draftOrders"), today, file);
		}
		else {
			patient = (Patient) fhirResource(fhir, required(yaml, "patient", file), today, file);
			resources = resources(fhir, yaml.get("resources"), today, file);
			drafts = resources(fhir, yaml.get("draftOrders"), today, file);
		}
		@SuppressWarnings("unchecked")
		Map<String, Object> expect = (Map<String, Object>) required(yaml, "expect", file);
		@SuppressWarnings("unchecked")
		Map<String, Object> values = (Map<String, Object>) expect.getOrDefault("expressions", Map.of());
		@SuppressWarnings("unchecked")
		List<String> cards = (List<String>) expect.get("cards");
		@SuppressWarnings("unchecked")
		List<String> selections = (List<String>) yaml.getOrDefault("selections", List.of());
		String hook = (String) yaml.getOrDefault("hook", "order-sign");
		return new TestCase(file, file.getParent().getFileName().toString(), (String) yaml.get("description"), hook,
				today, new PatientData(patient, resources), drafts, selections, new LinkedHashMap<>(values),
				cards == null ? null : List.copyOf(cards));
	}

	/** A path written in a case file, relative to the project folder (the parent of cql/). */
	private static Path projectFile(Path caseFile, String path) {
		Path cqlTests = caseFile.toAbsolutePath().getParent().getParent();
		return cqlTests.getParent().getParent().resolve(path);
	}

	private static List<Resource> bundleEntries(FhirContext fhir, Path bundleFile, LocalDate today) {
		try {
			var bundle = (org.hl7.fhir.r4.model.Bundle) fhirResource(fhir,
					JSON.readValue(Files.readString(bundleFile), Map.class), today, bundleFile);
			return bundle.getEntry().stream().map(org.hl7.fhir.r4.model.Bundle.BundleEntryComponent::getResource).toList();
		}
		catch (IOException e) {
			throw new UncheckedIOException(bundleFile + ": cannot be read", e);
		}
	}

	private static Object required(Map<String, Object> yaml, String field, Path file) {
		Object value = yaml.get(field);
		if (value == null) {
			throw new IllegalArgumentException(file + ": '" + field + "' is required");
		}
		return value;
	}

	private static List<Resource> resources(FhirContext fhir, Object list, LocalDate today, Path file) {
		List<Resource> resources = new ArrayList<>();
		if (list instanceof List<?> items) {
			for (Object item : items) {
				resources.add(fhirResource(fhir, item, today, file));
			}
		}
		return resources;
	}

	/**
	 * A FHIR resource written as JSON (or YAML) values, its relative dates resolved against today:
	 * test cases, the demo patients and the files given to evaluate are all written this way.
	 * @param source what to name when it is not FHIR, e.g. the file
	 */
	public static Resource fhirResource(FhirContext fhir, Object json, LocalDate today, Object source) {
		try {
			return (Resource) fhir.newJsonParser().parseResource(JSON.writeValueAsString(withRelativeDates(json, today)));
		}
		catch (RuntimeException e) {
			throw new IllegalArgumentException(source + ": not FHIR JSON: " + e.getMessage(), e);
		}
	}

	/** Replaces every text such as {@code -30d}, {@code +2w}, {@code -6m}, {@code -52y} or {@code today} by a date. */
	public static Object withRelativeDates(Object value, LocalDate today) {
		if (value instanceof String text) {
			Matcher matcher = RELATIVE_DATE.matcher(text.trim());
			if (!matcher.matches()) {
				return value;
			}
			if (matcher.group(1).equals("today")) {
				return today.toString();
			}
			long amount = Long.parseLong(matcher.group(2));
			return switch (matcher.group(3)) {
				case "d" -> today.plusDays(amount).toString();
				case "w" -> today.plusWeeks(amount).toString();
				case "m" -> today.plusMonths(amount).toString();
				default -> today.plusYears(amount).toString();
			};
		}
		if (value instanceof Map<?, ?> map) {
			Map<Object, Object> converted = new LinkedHashMap<>();
			map.forEach((key, item) -> converted.put(key, withRelativeDates(item, today)));
			return converted;
		}
		if (value instanceof List<?> list) {
			return list.stream().map(item -> withRelativeDates(item, today)).toList();
		}
		return value;
	}
}
