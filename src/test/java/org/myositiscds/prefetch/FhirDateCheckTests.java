package org.myositiscds.prefetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.LenientErrorHandler;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;

/**
 * The date check walks HAPI's model of each class; it must find the same elements, in the same
 * order and with the same paths, as a walk of every element's {@code children()} (FHIR's own
 * description of an element, which the check used to walk): dates in choice elements, in
 * extensions of primitives and of composites, in repeating backbone elements, in contained
 * resources and in a Bundle's entries.
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
			    "code": {"text": "IgG"}, "effectiveDateTime": "2026-02-03T10:00:00+15:00", "issued": "2026-02-03T10:00:00",
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
			    "dispenseRequest": {"validityPeriod": {"start": "2026-01-01T00:00:00+15:00"}}}}]}
			""";

	@Test
	void findsWhatAWalkOfEveryElementsChildrenFinds() {
		// As the service parses: HAPI keeps what it cannot read as a date, for the check to name.
		Resource record = (Resource) FHIR.newJsonParser().setParserErrorHandler(new LenientErrorHandler(false))
			.parseResource(RECORD);
		List<String> expected = new ArrayList<>();
		walk(record, record.fhirType(), expected);
		assertThat(expected).as("the record's invalid dates").hasSizeGreaterThan(10);
		assertThat(paths(FhirDateCheck.problems(record))).containsExactlyElementsOf(expected);
		for (Bundle.BundleEntryComponent entry : ((Bundle) record).getEntry()) {
			List<String> ofEntry = new ArrayList<>();
			walk(entry.getResource(), entry.getResource().fhirType(), ofEntry);
			assertThat(paths(FhirDateCheck.problems(entry.getResource()))).containsExactlyElementsOf(ofEntry);
		}
	}

	private static List<String> paths(List<String> problems) {
		return problems.stream().map(problem -> problem.substring(0, problem.indexOf(": not a FHIR"))).toList();
	}

	/**
	 * The oracle: every element through {@code children()}; the record's invalid dates are known by
	 * construction (a date with a time, a zone of +15:00, an instant without a zone).
	 */
	private static void walk(Base element, String path, List<String> invalid) {
		if (element instanceof PrimitiveType<?> primitive && primitive.getValueAsString() != null) {
			String text = primitive.getValueAsString();
			if (element instanceof DateType && text.contains("T") || element instanceof DateTimeType && text.endsWith("+15:00")
					|| element instanceof InstantType && !text.endsWith("Z") && !text.contains("+")) {
				invalid.add(path);
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
				walk(value, path + "." + name + (property.isList() ? "[" + i + "]" : ""), invalid);
			}
		}
	}
}
