package org.myositiscds.prefetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.LenientErrorHandler;
import com.fasterxml.jackson.databind.JsonNode;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.myositiscds.TestJson;

/**
 * The date check walks HAPI's model of each class; it must find the same elements, in the same
 * order and with the same paths, as a walk of every element's {@code children()} (FHIR's own
 * description of an element, which the check used to walk): dates in choice elements, in
 * extensions of primitives and of composites, in repeating backbone elements, in contained
 * resources and in a Bundle's entries; and in the places a walk that skipped date-free children
 * would miss: an extension on a Coding in a CodeableConcept, on a primitive string or code, a
 * nested extension, a modifierExtension, an Identifier's period, a contained resource's coded
 * element in a Bundle entry.
 */
class FhirDateCheckTests {

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	/** Dates HAPI reads but FHIR does not allow: a date with a time, a zone past +14:00, an instant without a zone. */
	private static final String RECORD = """
			{"resourceType": "Bundle", "type": "searchset", "meta": {"lastUpdated": "2026-01-02T10:00:00"},
			 "entry": [
			  {"resource": {"resourceType": "Patient", "id": "p1", "birthDate": "1970-01-01T10:00:00Z",
			    "_birthDate": {"extension": [{"url": "http://example.org/a", "valueString": "x"},
			      {"url": "http://example.org/b", "valueDate": "1970-01-01T10:00:00Z"}]},
			    "deceasedDateTime": "2026-02-03T10:00:00+15:00",
			    "extension": [{"url": "http://example.org/c", "valuePeriod": {"start": "2025-02-03T10:00:00+15:00"}}],
			    "name": [{"family": "A", "period": {"end": "2025-01-01T10:00:00+15:00"}}, {"family": "B", "period": {"start": "2025"}}]}},
			  {"resource": {"resourceType": "Observation", "id": "o1", "status": "final",
			    "code": {"text": "IgG", "coding": [{"system": "http://loinc.org", "code": "2465-3",
			      "extension": [{"url": "http://example.org/d", "valueDateTime": "2026-02-03T10:00:00+15:00"}]}]},
			    "_status": {"extension": [{"url": "http://example.org/e", "valueDateTime": "2026-02-03T10:00:00+15:00"}]},
			    "identifier": [{"value": "1", "_value": {"extension": [{"url": "http://example.org/f", "valueInstant": "2026-02-03T10:00:00"}]}},
			      {"value": "2", "period": {"start": "2026-02-03T10:00:00+15:00"}}],
			    "modifierExtension": [{"url": "http://example.org/g", "valueDate": "2026-02-03T10:00:00"}],
			    "interpretation": [{"text": "high", "extension": [{"url": "http://example.org/h",
			      "extension": [{"url": "inner", "valueDateTime": "2026-02-03T10:00:00+15:00"}]}]}],
			    "effectiveDateTime": "2026-02-03T10:00:00+15:00", "issued": "2026-02-03T10:00:00",
			    "valuePeriod": {"start": "2026-02", "end": "2026-02-03T10:00:00+15:00"},
			    "component": [{"code": {"text": "a"}, "valueDateTime": "2026-02-03T10:00:00+15:00"},
			      {"code": {"text": "b"}, "valueDateTime": "2026-02-03"}]}},
			  {"resource": {"resourceType": "MedicationRequest", "id": "m1", "status": "active", "intent": "order",
			    "subject": {"reference": "Patient/p1"}, "medicationReference": {"reference": "#med"},
			    "authoredOn": "2026-02-03T10:00:00", "text": {"status": "generated",
			      "div": "<div xmlns=\\"http://www.w3.org/1999/xhtml\\">1970-01-01T10:00:00+15:00</div>"},
			    "contained": [{"resourceType": "Medication", "id": "med", "batch": {"expirationDate": "2026-05-01T10:00:00+15:00"}}],
			    "dosageInstruction": [{"timing": {"event": ["2026-02-03", "2026-02-03T10:00:00+15:00", "2026"],
			      "repeat": {"boundsPeriod": {"start": "2026-02-03T10:00:00Z"}}}}],
			    "dispenseRequest": {"validityPeriod": {"start": "2026-01-01T00:00:00+15:00"}}}},
			  {"resource": {"resourceType": "MedicationStatement", "id": "s1", "status": "active",
			    "subject": {"reference": "Patient/p1"}, "medicationReference": {"reference": "#med2"},
			    "contained": [{"resourceType": "Medication", "id": "med2", "code": {"coding": [{"code": "1",
			      "_code": {"extension": [{"url": "http://example.org/i", "valueDateTime": "2026-02-03T10:00:00+15:00"}]}}]},
			      "ingredient": [{"itemCodeableConcept": {"text": "x"}, "modifierExtension": [{"url": "http://example.org/j",
			        "valuePeriod": {"end": "2026-02-03T10:00:00+15:00"}}]}]}]}}]}
			""";

	@Test
	void findsWhatAWalkOfEveryElementsChildrenFinds() {
		// As the service parses: HAPI keeps what it cannot read as a date, for the check to name.
		Resource record = (Resource) FHIR.newJsonParser().setParserErrorHandler(new LenientErrorHandler(false))
			.parseResource(RECORD);
		List<String> expected = new ArrayList<>();
		walk(record, record.fhirType(), expected, FhirDateCheckTests::invalidByConstruction);
		assertThat(expected).as("the record's invalid dates").hasSizeGreaterThan(18);
		assertThat(paths(FhirDateCheck.problems(record))).containsExactlyElementsOf(expected);
		for (Bundle.BundleEntryComponent entry : ((Bundle) record).getEntry()) {
			List<String> ofEntry = new ArrayList<>();
			walk(entry.getResource(), entry.getResource().fhirType(), ofEntry, FhirDateCheckTests::invalidByConstruction);
			assertThat(paths(FhirDateCheck.problems(entry.getResource()))).containsExactlyElementsOf(ofEntry);
		}
	}

	private static List<String> paths(List<String> problems) {
		return problems.stream().map(problem -> problem.substring(0, problem.indexOf(": not a FHIR")) + ": invalid").toList();
	}

	/**
	 * Every resource of the hook examples and the Synthea patients, with every date, dateTime and
	 * instant made invalid (a time with a zone of +15:00) and as they are: the check finds what a
	 * walk of every element's {@code children()} finds, with the same messages.
	 */
	@Test
	void findsWhatAFullWalkFindsInEveryFixture() throws IOException {
		List<Path> files = new ArrayList<>();
		try (Stream<Path> examples = Files.list(Path.of("hooks/examples"));
				Stream<Path> synthea = Files.list(Path.of("src/test/resources/synthea"))) {
			Stream.concat(examples, synthea).filter(file -> file.toString().endsWith(".json")).sorted().forEach(files::add);
		}
		IParser parser = FHIR.newJsonParser().setParserErrorHandler(new LenientErrorHandler(false));
		int resources = 0;
		int invalid = 0;
		for (Path file : files) {
			for (JsonNode json : resources(TestJson.read(Files.readString(file)))) {
				String text = json.toString();
				for (String variant : List.of(text, ANY_DATE.matcher(text).replaceAll("\"$1T10:00:00+15:00\""))) {
					Resource resource = (Resource) parser.parseResource(variant);
					List<Resource> all = new ArrayList<>(List.of(resource));
					if (resource instanceof Bundle bundle) {
						bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(r -> r != null).forEach(all::add);
					}
					for (Resource each : all) {
						List<String> expected = new ArrayList<>();
						walk(each, each.fhirType(), expected, FhirDateCheck::problem);
						assertThat(FhirDateCheck.problems(each)).as(file + " " + each.getIdPart()).containsExactlyElementsOf(expected);
						resources++;
						invalid += expected.size();
					}
				}
			}
		}
		assertThat(files).hasSizeGreaterThanOrEqualTo(16);
		assertThat(resources).isGreaterThan(1000);
		assertThat(invalid).as("the dates made invalid").isGreaterThan(5000);
	}

	/** A date, a dateTime or an instant as JSON text: a string starting YYYY-MM-DD and nothing else. */
	private static final Pattern ANY_DATE = Pattern.compile("\"([0-9]{4}-[0-9]{2}-[0-9]{2})(T[0-9:.]+(Z|[+-][0-9]{2}:[0-9]{2})?)?\"");

	/** The resources of a hook request (its prefetch and draft orders) or the resource itself. */
	private static List<JsonNode> resources(JsonNode json) {
		if (json.has("resourceType")) {
			return List.of(json);
		}
		List<JsonNode> resources = new ArrayList<>();
		json.path("prefetch").forEach(resources::add);
		resources.add(json.path("context").path("draftOrders"));
		return resources.stream().filter(node -> node.has("resourceType")).toList();
	}

	/**
	 * The shortcut for the common shapes accepts only what the type's pattern accepts, and accepts
	 * the shapes EHRs send: every one-character change, deletion and insertion of those shapes.
	 */
	@Test
	void theShortcutAcceptsOnlyWhatThePatternsAccept() {
		List<String> common = List.of("2026-02-03", "2026-12-31T23:59:60Z", "1999-01-01T00:00:00.123+14:00",
				"0001-10-19T10:00:00-13:59", "2026-02-03T10:00:00", "2026-02-03T10:00:00.5");
		for (String text : common) {
			assertThat(FhirDateCheck.plainlyValid(text, true, false)).as(text).isTrue();
		}
		assertThat(FhirDateCheck.plainlyValid("2026-02-03", false, false)).isTrue();
		assertThat(FhirDateCheck.plainlyValid("2026-02-03T10:00:00Z", true, true)).isTrue();
		String alphabet = "0123456789-+:.TZ ";
		int tried = 0;
		for (String text : common) {
			List<String> variants = new ArrayList<>(List.of(text, text.replace('2', '0'), "0000" + text.substring(4)));
			for (int i = 0; i <= text.length(); i++) {
				if (i < text.length()) {
					variants.add(text.substring(0, i) + text.substring(i + 1));
				}
				for (char c : alphabet.toCharArray()) {
					variants.add(text.substring(0, i) + c + text.substring(i));
					if (i < text.length()) {
						variants.add(text.substring(0, i) + c + text.substring(i + 1));
					}
				}
			}
			for (String variant : variants) {
				assertThat(!FhirDateCheck.plainlyValid(variant, false, false) || FhirDateCheck.DATE.matcher(variant).matches()).as(variant).isTrue();
				assertThat(!FhirDateCheck.plainlyValid(variant, true, false) || FhirDateCheck.DATE_TIME.matcher(variant).matches()).as(variant).isTrue();
				assertThat(!FhirDateCheck.plainlyValid(variant, true, true) || FhirDateCheck.INSTANT.matcher(variant).matches()).as(variant).isTrue();
				tried++;
			}
		}
		assertThat(tried).isGreaterThan(2000);
	}

	/** The record's invalid dates are known by construction: a date with a time, a zone of +15:00, an instant without a zone. */
	private static String invalidByConstruction(PrimitiveType<?> primitive) {
		String text = primitive.getValueAsString();
		return primitive instanceof DateType && text.contains("T") || primitive instanceof DateTimeType && text.endsWith("+15:00")
				|| primitive instanceof InstantType && !text.endsWith("Z") && !text.contains("+") ? "invalid" : null;
	}

	/** The oracle: every element through {@code children()}, each primitive with the problem {@code problem} finds. */
	private static void walk(Base element, String path, List<String> invalid, Function<PrimitiveType<?>, String> problem) {
		if (element instanceof PrimitiveType<?> primitive && primitive.getValueAsString() != null) {
			String found = problem.apply(primitive);
			if (found != null) {
				invalid.add(path + ": " + found);
			}
		}
		for (Property property : element.children()) {
			List<Base> values = property.getValues();
			for (int i = 0; i < values.size(); i++) {
				Base value = values.get(i);
				if (value == null) {
					continue;
				}
				String name = property.getName();
				if (name.endsWith("[x]")) {
					name = name.replace("[x]", Character.toUpperCase(value.fhirType().charAt(0)) + value.fhirType().substring(1));
				}
				walk(value, path + "." + name + (property.isList() ? "[" + i + "]" : ""), invalid, problem);
			}
		}
	}
}
