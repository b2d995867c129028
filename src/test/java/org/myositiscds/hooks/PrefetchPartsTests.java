package org.myositiscds.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.myositiscds.cql.CompiledLibraries;
import org.myositiscds.cql.RetrieveScope;
import org.myositiscds.cql.ValueSetTerminology;
import org.myositiscds.knowledge.ServiceDefinition;
import tools.jackson.databind.json.JsonMapper;

/**
 * A long prefetch Bundle parsed in parts on spare cores reads exactly as the same Bundle parsed
 * whole: the same resources in the same places, the same problems for bad input, and a Bundle
 * holding Medications stays whole so that each order keeps its link to the Medication it names.
 */
class PrefetchPartsTests {

	private static final ServiceDefinition SIGN = new ServiceDefinition("order-sign", "t", "d", "svc", Map.of(), null,
			"RituximabDM", List.of());

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	private static final RetrieveScope RITUXIMAB = RetrieveScope.of(CompiledLibraries.fromLocation("classpath:elm/"),
			"RituximabDM", ValueSetTerminology.fromLocation(FHIR, "classpath:fhir-resources/valueset/"));

	private static final SpareCores CORES = new SpareCores(3, () -> 1);

	private final CdsRequestParser inParts = new CdsRequestParser(FHIR, JsonMapper.builder().build(), CORES);

	private final CdsRequestParser whole = new CdsRequestParser(FHIR, JsonMapper.builder().build(), SpareCores.NONE);

	@AfterAll
	static void stopHelpers() {
		CORES.close();
	}

	/** Monthly results as EHRs send them: local codes first, text values, dates without times, extensions, panels. */
	private static String result(int i) {
		String[][] tests = { { "http://loinc.org", "2465-3", "IgG" }, { "http://loinc.org", "2157-6", "Creatine kinase" },
				{ "http://loinc.org", "1742-6", "ALT" }, { "http://loinc.org", "5195-3", "HBsAg" },
				{ "http://ehr.example.org/labs", "CBC", "CBC panel" } };
		String[] test = tests[i % tests.length];
		String coding = i % 3 == 0
				? "{\"system\": \"http://ehr.example.org/labs\", \"code\": \"L" + i + "\"}, {\"system\": \"" + test[0]
						+ "\", \"code\": \"" + test[1] + "\"}"
				: "{\"system\": \"" + test[0] + "\", \"code\": \"" + test[1] + "\", \"display\": \"" + test[2] + "\"}";
		String value = i % 4 == 0 ? "\"valueString\": \"NON REACTIVE\""
				: "\"valueQuantity\": {\"value\": " + (100 + i) + ".50, \"unit\": \"U/L\", \"system\": \"http://unitsofmeasure.org\", \"code\": \"U/L\"}";
		String effective = i % 5 == 0 ? "\"effectiveDateTime\": \"2024-%02d-%02d\"".formatted(1 + i % 12, 1 + i % 28)
				: "\"effectiveDateTime\": \"2024-%02d-%02dT09:30:00-05:00\", \"_effectiveDateTime\": {\"extension\": [{\"url\": \"http://example.org/recorded\", \"valueDateTime\": \"2024-%02d-%02d\"}]}"
					.formatted(1 + i % 12, 1 + i % 28, 1 + i % 12, 1 + i % 28);
		String members = i % 7 == 0 ? ", \"hasMember\": [{\"reference\": \"Observation/obs-" + (i + 1) + "\"}]" : "";
		return """
				{"fullUrl": "https://ehr.example.org/fhir/Observation/obs-%d", "resource": {"resourceType": "Observation",
				  "id": "obs-%d", "meta": {"lastUpdated": "2024-06-01T10:00:00Z"}, "status": "%s",
				  "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}],
				  "code": {"coding": [%s], "text": "%s"}, "subject": {"reference": "Patient/pat-1"}, %s, %s%s,
				  "referenceRange": [{"low": {"value": 10, "unit": "U/L"}, "high": {"value": 40, "unit": "U/L"}}]},
				 "search": {"mode": "match"}}""".formatted(i, i, i % 9 == 0 ? "preliminary" : "final", coding, test[2],
				effective, value, members);
	}

	private static String request(String prefetch) {
		return OrderSignBodies.withPrefetch(prefetch);
	}

	private static String results(List<String> entries) {
		return "\"observations\": {\"resourceType\": \"Bundle\", \"id\": \"b1\", \"type\": \"searchset\", \"total\": "
				+ entries.size() + ", \"link\": [{\"relation\": \"self\", \"url\": \"https://ehr.example.org/fhir/Observation?patient=pat-1\"}],"
				+ " \"entry\": [\n" + String.join(",\n", entries) + "]}";
	}

	private static List<String> longHistory() {
		List<String> entries = new ArrayList<>();
		for (int i = 0; i < 1200; i++) {
			entries.add(result(i));
		}
		return entries;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static String json(Resource resource) {
		return FHIR.newJsonParser().encodeResourceToString(resource);
	}

	private List<String> problems(CdsRequestParser parser, String body) {
		try {
			parser.parse(bytes(body), SIGN, RITUXIMAB, r -> true);
		}
		catch (CdsHooksException e) {
			return e.details();
		}
		throw new AssertionError("accepted");
	}

	@Test
	void aLongHistoryReadsTheSameInPartsAsWhole() {
		String body = request(results(longHistory()));
		assertThat(body.length()).as("long enough to be split").isGreaterThan(4 * 128 * 1024);
		long helpedBefore = CORES.piecesHelped();
		Bundle parts = (Bundle) inParts.parse(bytes(body), SIGN, RITUXIMAB, r -> true).prefetch().get("observations");
		assertThat(CORES.piecesHelped()).as("helpers parsed parts").isGreaterThan(helpedBefore);
		Bundle one = (Bundle) whole.parse(bytes(body), SIGN, RITUXIMAB, r -> true).prefetch().get("observations");
		assertThat(parts.getEntry()).hasSize(1200);
		assertThat(json(parts)).isEqualTo(json(one));
		// Kinase results (every fifth) are read by no retrieve: left out in both, at their places.
		assertThat(parts.getEntry().get(1).hasResource()).isFalse();
		assertThat(parts.getEntry().get(1195).getResource().getIdPart()).isEqualTo("obs-1195");
	}

	@Test
	void badInputInALaterPartGetsTheProblemsItGetsWhole() {
		List<String> invalidDate = longHistory();
		invalidDate.set(1102, invalidDate.get(1102).replace("\"valueDateTime\": \"2024-11-11\"", "\"valueDate\": \"2024-11-11T10:00:00Z\""));
		List<String> datesProblems = problems(inParts, request(results(invalidDate)));
		assertThat(datesProblems).containsExactly("prefetch.observations: Bundle.entry[1102].resource.effectiveDateTime"
				+ ".extension[0].valueDate: not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD, without a time of day)");
		assertThat(datesProblems).isEqualTo(problems(whole, request(results(invalidDate))));

		String bundleDates = results(invalidDate).replace("\"total\": ", """
				"timestamp": "2024-06-01T10:00:00Z", "_timestamp": {"extension": [{"url": "http://example.org/a", "valueDate": "2024-06-01T10:00:00Z"}]},
				"signature": {"type": [{"system": "urn:iso-astm:E1762-95:2013", "code": "1.2.840.10065.1.12.1.1"}],
				  "when": "2024-06-01T10:00:00Z", "_when": {"extension": [{"url": "http://example.org/a", "valueDate": "2024-06-01T10:00:00Z"}]},
				  "who": {"reference": "Practitioner/p1"}}, "total": """);
		List<String> bundleProblems = problems(inParts, request(bundleDates));
		assertThat(bundleProblems).as("the Bundle's own elements once, in the order of the whole Bundle's check").containsExactly(
				"prefetch.observations: Bundle.timestamp.extension[0].valueDate: not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD, without a time of day)",
				datesProblems.get(0),
				"prefetch.observations: Bundle.signature.when.extension[0].valueDate: not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD, without a time of day)");
		assertThat(bundleProblems).isEqualTo(problems(whole, request(bundleDates)));

		List<String> unreadable = longHistory();
		unreadable.set(1100, unreadable.get(1100).replace("\"status\": \"final\"", "\"status\": 7"));
		List<String> unreadableProblems = problems(inParts, request(results(unreadable)));
		assertThat(unreadableProblems).singleElement().asString()
			.startsWith("prefetch.observations: Bundle.entry[1100].resource").endsWith("not a valid FHIR R4 resource");
		assertThat(unreadableProblems).isEqualTo(problems(whole, request(results(unreadable))));
	}

	/** HAPI links an order's medicationReference to the Medication entry of the same Bundle; a split would cut it. */
	@Test
	void aBundleWithMedicationsStaysWholeSoEveryOrderKeepsItsMedication() {
		List<String> entries = new ArrayList<>();
		for (int i = 0; i < 900; i++) {
			entries.add("""
					{"fullUrl": "https://ehr.example.org/fhir/MedicationRequest/rx-%d", "resource": {"resourceType": "MedicationRequest",
					  "id": "rx-%d", "status": "completed", "intent": "order", "subject": {"reference": "Patient/pat-1"},
					  "medicationReference": {"reference": "Medication/med-%d"}, "authoredOn": "2024-01-%02d",
					  "dosageInstruction": [{"text": "10 mg by mouth once daily"}]}, "search": {"mode": "match"}}"""
				.formatted(i, i, i % 2, 1 + i % 28));
		}
		entries.add("""
				{"fullUrl": "https://ehr.example.org/fhir/Medication/med-0", "resource": {"resourceType": "Medication", "id": "med-0",
				  "code": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "105585", "display": "methotrexate 2.5 MG Oral Tablet"}]}},
				 "search": {"mode": "include"}}""");
		entries.add("""
				{"fullUrl": "https://ehr.example.org/fhir/Medication/med-1", "resource": {"resourceType": "Medication", "id": "med-1",
				  "code": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "312617", "display": "prednisone 5 MG Oral Tablet"}]}},
				 "search": {"mode": "include"}}""");
		String body = request("\"medicationRequests\": {\"resourceType\": \"Bundle\", \"type\": \"searchset\", \"entry\": [\n"
				+ String.join(",\n", entries) + "]}");
		assertThat(body.length()).as("long enough to be split").isGreaterThan(2 * 128 * 1024);
		Bundle bundle = (Bundle) inParts.parse(bytes(body), SIGN, RITUXIMAB, r -> true).prefetch().get("medicationRequests");
		MedicationRequest first = (MedicationRequest) bundle.getEntry().get(0).getResource();
		assertThat(first.getMedicationReference().getResource()).isInstanceOf(Medication.class)
			.isSameAs(bundle.getEntry().get(900).getResource());
		assertThat(json(bundle)).isEqualTo(json(whole.parse(bytes(body), SIGN, RITUXIMAB, r -> true).prefetch().get("medicationRequests")));
	}
}
