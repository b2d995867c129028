package org.myositiscds.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.myositiscds.cql.CompiledLibraries;
import org.myositiscds.cql.RetrieveScope;
import org.myositiscds.cql.ValueSetTerminology;
import org.myositiscds.knowledge.ServiceDefinition;
import tools.jackson.databind.json.JsonMapper;

/**
 * The prefetch entries no retrieve of the service can return are left out before HAPI parses
 * them: here RituximabDM's, which retrieves Observations only by value set (creatine kinase and
 * tacrolimus troughs in none of them) and medication records unfiltered. Whatever might be read
 * is parsed and checked as before.
 */
class UnreadPrefetchTests {

	private static final ServiceDefinition SIGN = new ServiceDefinition("order-sign", "t", "d", "svc", Map.of(), null,
			"RituximabDM", List.of());

	private static final RetrieveScope RITUXIMAB = RetrieveScope.of(CompiledLibraries.fromLocation("classpath:elm/"),
			"RituximabDM", ValueSetTerminology.fromLocation(FhirContext.forR4Cached(), "classpath:fhir-resources/valueset/"));

	private final CdsRequestParser parser = new CdsRequestParser(FhirContext.forR4Cached(), JsonMapper.builder().build());

	private static final String KINASE = """
			{"resource": {"resourceType": "Observation", "id": "ck", "status": "final", "subject": {"reference": "Patient/pat-1"},
			  "code": {"coding": [{"system": "http://loinc.org", "code": "2157-6", "display": "Creatine kinase"}]},
			  "effectiveDateTime": "2026-01-05T09:30:00-05:00", "valueQuantity": {"value": 180, "unit": "U/L"}}}""";

	private static final String IGG_LOCAL_CODE_FIRST = """
			{"resource": {"resourceType": "Observation", "id": "igg", "status": "final", "subject": {"reference": "Patient/pat-1"},
			  "code": {"coding": [{"system": "http://ehr.example.org/labs", "code": "IGG"},
			    {"system": "http://loinc.org", "code": "2465-3"}]},
			  "effectiveDateTime": "2026-01-05", "valueQuantity": {"value": 850, "unit": "mg/dL"}}}""";

	private static String request(String... entries) {
		return OrderSignBodies.withPrefetch("\"observations\": {\"resourceType\": \"Bundle\", \"type\": \"searchset\", \"entry\": ["
				+ String.join(",\n", entries) + "]}");
	}

	private List<String> read(RetrieveScope scope, String... entries) {
		CdsRequest request = parser.parse(request(entries).getBytes(StandardCharsets.UTF_8), SIGN, scope, r -> true);
		return ((Bundle) request.prefetch().get("observations")).getEntry().stream()
			.map(entry -> entry.hasResource() ? entry.getResource().getIdPart() : "-")
			.toList();
	}

	private List<String> problems(String... entries) {
		try {
			parser.parse(request(entries).getBytes(StandardCharsets.UTF_8), SIGN, RITUXIMAB, r -> true);
		}
		catch (CdsHooksException e) {
			return e.details();
		}
		throw new AssertionError("accepted");
	}

	@Test
	void aResultNoRetrieveAsksForIsLeftOutAndOneWithALocalCodeFirstIsRead() {
		String textOnly = """
				{"resource": {"resourceType": "Observation", "id": "text-only", "status": "final", "code": {"text": "IgG"}}}""";
		assertThat(read(RITUXIMAB, KINASE, IGG_LOCAL_CODE_FIRST, textOnly)).containsExactly("-", "igg", "-");
		assertThat(read(RetrieveScope.EVERYTHING, KINASE, IGG_LOCAL_CODE_FIRST, textOnly))
			.as("a service whose scope is unknown reads everything").containsExactly("ck", "igg", "text-only");
	}

	@Test
	void aTypeRetrievedWithoutTerminologyIsAlwaysRead() {
		String methotrexate = """
				{"resource": {"resourceType": "MedicationStatement", "id": "mtx", "status": "active",
				  "subject": {"reference": "Patient/pat-1"},
				  "medicationCodeableConcept": {"coding": [{"system": "http://loinc.org", "code": "2157-6"}]}}}""";
		String medication = """
				{"resource": {"resourceType": "Medication", "id": "med", "code": {"coding": [{"system": "http://loinc.org", "code": "2157-6"}]}}}""";
		assertThat(read(RITUXIMAB, methotrexate, medication)).containsExactly("mtx", "med");
	}

	@Test
	void codesHapiMightReadOtherwiseThanWrittenKeepTheResource() {
		String blank = KINASE.replace("\"id\": \"ck\"", "\"id\": \"blank\"").replace("\"2157-6\"", "\"2465-3 \"");
		String repeated = KINASE.replace("\"id\": \"ck\"", "\"id\": \"repeated\"")
			.replace("\"code\": {\"coding\"", "\"code\": {\"text\": \"IgG\"}, \"code\": {\"coding\"");
		String single = KINASE.replace("\"id\": \"ck\"", "\"id\": \"single\"")
			.replace("[{\"system\": \"http://loinc.org\", \"code\": \"2157-6\", \"display\": \"Creatine kinase\"}]",
					"{\"system\": \"http://loinc.org\", \"code\": \"2157-6\"}");
		assertThat(read(RITUXIMAB, blank, repeated, single)).containsExactly("blank", "repeated", "single");
	}

	/**
	 * An entry left out is not checked: a malformed result of a test no rule reads does not refuse the
	 * call. A malformed result that may be read is refused as before, named by its place as sent.
	 */
	@Test
	void aMalformedResultNoRetrieveAsksForIsNotCheckedAndTheOthersKeepTheirPlaces() {
		String badKinase = KINASE.replace("2026-01-05T09:30:00-05:00", "2026-01-05 09:30")
			.replace("\"status\": \"final\"", "\"status\": 7");
		assertThat(read(RITUXIMAB, badKinase, IGG_LOCAL_CODE_FIRST)).containsExactly("-", "igg");
		String badIgg = IGG_LOCAL_CODE_FIRST.replace("\"effectiveDateTime\": \"2026-01-05\"", """
				"effectiveDateTime": "2026-01-05", "_effectiveDateTime": {"extension":
				  [{"url": "http://example.org/a", "valueDate": "2026-01-05T10:00:00Z"}]}""");
		assertThat(problems(badKinase, badIgg)).containsExactly("prefetch.observations: Bundle.entry[1].resource"
				+ ".effectiveDateTime.extension[0].valueDate: not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD, without a time of day)");
		String unreadableIgg = IGG_LOCAL_CODE_FIRST.replace("\"status\": \"final\"", "\"status\": 7");
		assertThat(problems(KINASE, KINASE, unreadableIgg)).singleElement().asString()
			.startsWith("prefetch.observations: Bundle.entry[2].resource").endsWith("not a valid FHIR R4 resource");
	}

	@Test
	void aResourceOutsideABundleIsRead() {
		String body = request().replace("{\"resourceType\": \"Bundle\", \"type\": \"searchset\", \"entry\": []}",
				KINASE.substring(KINASE.indexOf("{\"resourceType\""), KINASE.length() - 1));
		Resource observation = parser.parse(body.getBytes(StandardCharsets.UTF_8), SIGN, RITUXIMAB, r -> true)
			.prefetch().get("observations");
		assertThat(observation.getIdPart()).isEqualTo("ck");
	}
}
