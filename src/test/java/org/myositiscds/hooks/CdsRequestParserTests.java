package org.myositiscds.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.myositiscds.knowledge.ServiceDefinition;
import tools.jackson.databind.json.JsonMapper;

/**
 * The request parser reads the body in one pass and has HAPI parse the FHIR resources from the
 * body's own bytes: what HAPI gets must be what the EHR sent, and every malformed body must still be
 * refused as before.
 */
class CdsRequestParserTests {

	private static final ServiceDefinition SIGN = new ServiceDefinition("order-sign", "t", "d", "svc", Map.of(), null,
			"Lib", List.of());

	private final CdsRequestParser parser = new CdsRequestParser(FhirContext.forR4Cached(), JsonMapper.builder().build());

	private static String request(String prefetch) {
		return """
				{"hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "hook": "order-sign",
				 "context": {"userId": "Practitioner/p1", "patientId": "pat-1",
				   "draftOrders": {"resourceType": "Bundle", "type": "collection", "entry": [
				     {"resource": {"resourceType": "MedicationRequest", "id": "rx-1", "status": "draft",
				       "intent": "order", "subject": {"reference": "Patient/pat-1"},
				       "dosageInstruction": [{"doseAndRate": [{"doseQuantity": {"value": 1000.0, "unit": "mg"}}]}]}}]}},
				 "prefetch": %s}""".formatted(prefetch);
	}

	private CdsRequest parse(String body) {
		return parser.parse(body.getBytes(StandardCharsets.UTF_8), SIGN);
	}

	@Test
	void decimalsReachHapiWithThePrecisionTheyWereSentWith() {
		CdsRequest request = parse(request("""
				{"labs": {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource":
				  {"resourceType": "Observation", "id": "igg", "status": "final", "code": {"text": "IgG"},
				   "valueQuantity": {"value": 5.50, "unit": "g/L"}}}]},
				 "patient": {"resourceType": "Patient", "id": "pat-1", "birthDate": "1968-04-12"},
				 "nothing": null}"""));
		Observation igg = (Observation) ((Bundle) request.prefetch().get("labs")).getEntryFirstRep().getResource();
		assertThat(igg.getValueQuantity().getValueElement().getValueAsString()).isEqualTo("5.50");
		MedicationRequest draft = (MedicationRequest) request.draftOrders().get(0);
		assertThat(draft.getDosageInstructionFirstRep().getDoseAndRateFirstRep().getDoseQuantity().getValueElement()
			.getValueAsString()).isEqualTo("1000.0");
		assertThat(((Patient) request.prefetch().get("patient")).getBirthDateElement().getValueAsString())
			.isEqualTo("1968-04-12");
		assertThat(request.prefetch()).containsKeys("labs", "patient", "nothing").containsEntry("nothing", null);
	}

	@Test
	void aRepeatedFieldKeepsItsLastValueAsATreeDoes() {
		String body = request("""
				{"patient": {"resourceType": "Patient", "id": "first"}}""").replaceFirst("\"prefetch\"",
				"\"prefetch\": {\"patient\": null}, \"prefetch\"");
		assertThat(((Patient) parse(body).prefetch().get("patient")).getIdPart()).isEqualTo("first");
		String wrongThenRight = request("{}").replace("\"draftOrders\"", "\"draftOrders\": 1, \"draftOrders\"");
		assertThat(parse(wrongThenRight).draftOrders()).hasSize(1);
	}

	@Test
	void malformedResourcesAndBodiesAreRefusedWithWhatIsWrong() {
		assertThat(problems(request("{\"patient\": {\"id\": \"no-type\"}, \"labs\": [1]}")))
			.containsExactly("prefetch.patient: must be a FHIR resource or null", "prefetch.labs: must be a FHIR resource or null");
		assertThat(problems(request("""
				{"labs": {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource":
				  {"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "effectiveDateTime": "2024-01-01"}},
				  {"resource": {"resourceType": "Observation", "status": 7}}]}}""")))
			.singleElement().asString().startsWith("prefetch.labs: Bundle.entry[1].resource").endsWith("not a valid FHIR R4 resource");
		assertThat(problems(request("{\"patient\": {\"resourceType\": \"Patient\", \"birthDate\": \"1970-01-01T10:00:00Z\"}}")))
			.containsExactly("prefetch.patient: Patient.birthDate: not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD, without a time of day)");
		// A date in an extension of a primitive element is checked too, and named by its whole path.
		assertThat(problems(request("""
				{"patient": {"resourceType": "Patient", "birthDate": "1970-01-01", "_birthDate": {"extension":
				  [{"url": "http://example.org/a", "valueString": "x"}, {"url": "http://example.org/b", "valueDate": "1970-01-01T10:00:00Z"}]}}}""")))
			.containsExactly("prefetch.patient: Patient.birthDate.extension[1].valueDate: not a FHIR date "
					+ "(YYYY, YYYY-MM or YYYY-MM-DD, without a time of day)");
		assertThat(problems(request("[]"))).containsExactly("prefetch: must be an object");
		assertThat(problems(request("{}").replace("\"draftOrders\": {\"resourceType\": \"Bundle\"",
				"\"draftOrders\": {\"resourceType\": \"Patient\""))).contains(
						"context.draftOrders: must be a FHIR Bundle (resourceType Bundle)");
		assertThat(problems("[1, 2]")).containsExactly("body: must be a JSON object");
		assertThat(error(request("{}") + " {}")).isEqualTo("invalid_json");
		assertThat(error(request("{}").substring(0, 200))).isEqualTo("invalid_json");
	}

	@Test
	void aBodyInAnotherEncodingThanUtf8IsRefused() {
		byte[] utf16 = request("{}").getBytes(StandardCharsets.UTF_16BE);
		assertThatThrownBy(() -> parser.parse(utf16, SIGN)).isInstanceOfSatisfying(CdsHooksException.class,
				e -> assertThat(e.details()).containsExactly("body: must be JSON in UTF-8"));
	}

	private List<String> problems(String body) {
		try {
			parse(body);
		}
		catch (CdsHooksException e) {
			return e.details();
		}
		throw new AssertionError("accepted: " + body);
	}

	private String error(String body) {
		try {
			parse(body);
		}
		catch (CdsHooksException e) {
			return e.error();
		}
		throw new AssertionError("accepted: " + body);
	}
}
