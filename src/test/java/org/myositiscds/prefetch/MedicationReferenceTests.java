package org.myositiscds.prefetch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.NEGATIVE;
import static org.myositiscds.PatientScenario.POSITIVE;
import static org.myositiscds.PatientScenario.RXNORM;
import static org.myositiscds.PatientScenario.SNOMED;
import static org.myositiscds.PatientScenario.daysAgo;
import static org.myositiscds.PatientScenario.dose;
import static org.myositiscds.PatientScenario.every;
import static org.myositiscds.PatientScenario.order;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Dosage;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Timing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.PatientScenario;
import org.myositiscds.TestJson;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * An order's medication, wherever it is (clinical rules, "An order's medication"), and DATA-1 when
 * it cannot be found; only the patient's own resources; invalid FHIR refused with 400. Through the
 * HTTP endpoint, with WireMock as the EHR's FHIR server.
 */
// A generous timeout: a first read on a loaded machine must not pass for a server error.
@CdsServiceTest(properties = { "myositis-cds.prefetch.timeout=10s", "myositis-cds.prefetch.circuit-breaker.window=1000", "myositis-cds.prefetch.circuit-breaker.minimum-calls=1000" })
class MedicationReferenceTests {

	static final String HBV = "hbv-screening-order-sign";

	static final String RTX = "rituximab-order-sign";

	static final String TAC = "tacrolimus-deescalation-order-sign";

	static final String TOKEN = "ehr-access-token-medref-41b2";

	static final String LOCAL_SYSTEM = "urn:oid:1.2.840.114350.1.13.0.1.7.2.698288";

	static final FhirContext FHIR = FhirContext.forR4Cached();

	@RegisterExtension
	static WireMockExtension ehr = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

	@Autowired
	CdsHooksClient client;

	String fhirServer() {
		return ehr.baseUrl() + "/fhir";
	}

	/** A Medication as Epic-like EHRs write it: a local code first, then RxNorm, and a text. */
	static Medication medication(String id, String rxnorm, String display) {
		Medication medication = new Medication();
		medication.setId(id);
		medication.setCode(new CodeableConcept().addCoding(new Coding(LOCAL_SYSTEM, "EPIC-" + rxnorm, display.toUpperCase()))
			.addCoding(new Coding(RXNORM, rxnorm, display)).setText(display));
		return medication;
	}

	static final Medication RITUXIMAB = medication("rtx-med", "1657867", "50 ML rituximab 10 MG/ML Injection");

	/** The rituximab draft as an EHR sends it: the medication by reference. */
	static MedicationRequest rituximabByReference(String id, String reference) {
		MedicationRequest draft = rituximabOrder(id);
		draft.setMedication(new Reference(reference));
		return draft;
	}

	static String json(org.hl7.fhir.r4.model.Resource resource) {
		return FHIR.newJsonParser().encodeResourceToString(resource);
	}

	void serve(Medication medication) {
		ehr.stubFor(get(urlPathEqualTo("/fhir/Medication/" + medication.getIdElement().getIdPart()))
			.willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/fhir+json")
				.withBody(json(medication))));
	}

	int medicationReads() {
		return ehr.findAll(getRequestedFor(urlPathMatching("/fhir/Medication/.*"))).size();
	}

	/* ---------- Where the Medication is ---------- */

	static PatientScenario unscreenedWithDermatomyositis(String id) {
		return patient(id).dermatomyositis();
	}

	/** How a call carries the rituximab draft, and how many Medication reads it needs. */
	record Shape(String name, int expectedReads, Function<MedicationReferenceTests, Function<String, String>> request) {

		@Override
		public String toString() {
			return name;
		}
	}

	static Stream<Shape> shapes() {
		return Stream.of(
				new Shape("on the FHIR server only, fetch mode", 1, test -> service -> {
					PatientScenario scenario = unscreenedWithDermatomyositis("ref-fetch")
						.draft(rituximabByReference("rtx-1", "Medication/rtx-med"));
					scenario.serveOn(ehr::stubFor, service, "/fhir");
					return scenario.withoutPrefetch(service, "order-sign", test.fhirServer(), TOKEN);
				}),
				new Shape("on the FHIR server only, prefetch mode", 1, test -> service -> {
					PatientScenario scenario = unscreenedWithDermatomyositis("ref-prefetch")
						.draft(rituximabByReference("rtx-1", "Medication/rtx-med"));
					return PatientScenario.withFhirServer(scenario.orderSign(service), test.fhirServer(), TOKEN);
				}),
				new Shape("absolute reference to the FHIR server", 1, test -> service -> {
					PatientScenario scenario = unscreenedWithDermatomyositis("ref-absolute")
						.draft(rituximabByReference("rtx-1", test.fhirServer() + "/Medication/rtx-med"));
					return PatientScenario.withFhirServer(scenario.orderSign(service), test.fhirServer(), TOKEN);
				}),
				new Shape("contained", 0, test -> service -> {
					MedicationRequest draft = rituximabByReference("rtx-1", "#med");
					draft.addContained(RITUXIMAB.copy().setId("med"));
					PatientScenario scenario = unscreenedWithDermatomyositis("ref-contained").draft(draft);
					return PatientScenario.withFhirServer(scenario.orderSign(service), test.fhirServer(), TOKEN);
				}),
				new Shape("an entry of draftOrders", 0, test -> service -> {
					PatientScenario scenario = unscreenedWithDermatomyositis("ref-drafts")
						.draft(rituximabByReference("rtx-1", "Medication/rtx-med"));
					ObjectNode request = (ObjectNode) TestJson.read(
							PatientScenario.withFhirServer(scenario.orderSign(service), test.fhirServer(), TOKEN));
					((ArrayNode) request.path("context").path("draftOrders").path("entry")).addObject()
						.set("resource", TestJson.read(json(RITUXIMAB)));
					return request.toString();
				}),
				new Shape("in the prefetch through _include", 0, test -> service -> {
					PatientScenario scenario = unscreenedWithDermatomyositis("ref-include")
						.draft(rituximabByReference("rtx-1", "Medication/rtx-med"));
					Map<String, JsonNode> prefetch = new LinkedHashMap<>(scenario.prefetch(service));
					String key = service.equals(HBV) ? "medications" : "medicationRequests";
					included((ObjectNode) prefetch.get(key), RITUXIMAB);
					return PatientScenario.withFhirServer(scenario.withPrefetch(service, "order-sign", prefetch),
							test.fhirServer(), TOKEN);
				}));
	}

	/** Adds a Medication to a searchset as a server answers _include: search mode include. */
	static void included(ObjectNode searchset, Medication medication) {
		ObjectNode entry = ((ArrayNode) searchset.withArray("entry")).addObject();
		entry.put("fullUrl", "http://ehr.example.org/fhir/Medication/" + medication.getIdElement().getIdPart());
		entry.set("resource", TestJson.read(json(medication)));
		entry.putObject("search").put("mode", "include");
	}

	@ParameterizedTest
	@MethodSource("shapes")
	void aReferencedRituximabGivesTheCardsOfTheSameOrderWrittenAsAConcept(Shape shape) {
		serve(RITUXIMAB);
		PatientScenario byConcept = unscreenedWithDermatomyositis("ref-concept").draft(rituximabOrder("rtx-1"));
		for (String service : List.of(HBV, RTX)) {
			int readsBefore = medicationReads();
			CdsHooksClient.Answer expected = client.call(service, byConcept.orderSign(service));
			CdsHooksClient.Answer answer = client.call(service, shape.request().apply(this).apply(service));
			assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
			assertThat(answer.rules()).as(service).isEqualTo(expected.rules());
			for (String rule : expected.rules()) {
				assertThat(answer.card(rule).path("detail")).as(rule).isEqualTo(expected.card(rule).path("detail"));
			}
			assertThat(medicationReads() - readsBefore).as("Medication reads").isEqualTo(shape.expectedReads());
		}
		assertThat(client.call(HBV, byConcept.orderSign(HBV)).rules()).containsExactly("HBV-1");
		assertThat(client.call(RTX, byConcept.orderSign(RTX)).rules()).contains("RTX-4").doesNotContain("DATA-1");
	}

	/* ---------- The record's medications by reference ---------- */

	static final Medication TACROLIMUS = medication("tac-med", "313190", "tacrolimus 0.5 MG Oral Capsule");

	/** An active tacrolimus order of 2.5 mg twice a day (5 mg/day), its medication by reference. */
	static MedicationRequest activeTacrolimusByReference(String patientId) {
		MedicationRequest active = order("tac-active", "313190", "tacrolimus 0.5 MG Oral Capsule");
		active.setMedication(new Reference("Medication/tac-med").setDisplay("tacrolimus 0.5 mg capsule"));
		active.setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE);
		active.setAuthoredOnElement(daysAgo(90));
		active.setSubject(new Reference("Patient/" + patientId));
		active.addDosageInstruction(every(dose(2.5, "mg"), 2, 1, "d"));
		return active;
	}

	@Test
	void anActiveTacrolimusOrderByReferenceGetsTac1AndTheUpdateKeepsTheReference() {
		serve(TACROLIMUS);
		PatientScenario scenario = patient("ref-tac").dermatomyositis();
		scenario.record(activeTacrolimusByReference(scenario.id())).draft(rituximabOrder("rtx-1"));

		CdsHooksClient.Answer fetched = client.call(TAC, withServedRecord(scenario));
		CdsHooksClient.Answer prefetched = client.call(TAC,
				PatientScenario.withFhirServer(scenario.orderSign(TAC), fhirServer(), TOKEN));
		Map<String, JsonNode> prefetch = new LinkedHashMap<>(scenario.prefetch(TAC));
		included((ObjectNode) prefetch.get("medicationRequests"), TACROLIMUS);
		int readsBefore = medicationReads();
		CdsHooksClient.Answer withInclude = client.call(TAC, scenario.withPrefetch(TAC, "order-sign", prefetch));
		assertThat(medicationReads()).isEqualTo(readsBefore);

		for (CdsHooksClient.Answer answer : List.of(fetched, prefetched, withInclude)) {
			assertThat(answer.rules()).as(answer.body().toString()).contains("TAC-1").doesNotContain("DATA-1");
			JsonNode update = answer.card("TAC-1").path("suggestions").get(0).path("actions").get(0);
			assertThat(update.path("type").asText()).isEqualTo("update");
			// The order as the EHR has it, not the copy the CQL read.
			assertThat(update.path("resource").path("medicationReference").path("reference").asText())
				.isEqualTo("Medication/tac-med");
			assertThat(update.path("resource").has("medicationCodeableConcept")).isFalse();
		}
		assertThat(fetched.card("TAC-1").path("detail")).isEqualTo(prefetched.card("TAC-1").path("detail"));
		assertThat(withInclude.card("TAC-1").path("detail")).isEqualTo(prefetched.card("TAC-1").path("detail"));
	}

	private String withServedRecord(PatientScenario scenario) {
		scenario.serveOn(ehr::stubFor, TAC, "/fhir");
		return scenario.withoutPrefetch(TAC, "order-sign", fhirServer(), TOKEN);
	}

	@Test
	void fiveHundredOrdersOfThreeMedicationsReadEachMedicationOnce() {
		Medication entecavir = medication("m-entecavir", "485434", "entecavir 0.5 MG Oral Tablet");
		Medication tacrolimus = medication("m-tacrolimus", "198377", "tacrolimus 1 MG Oral Capsule");
		Medication prednisone = medication("m-prednisone", "312617", "prednisone 5 MG Oral Tablet");
		List.of(entecavir, tacrolimus, prednisone).forEach(this::serve);
		PatientScenario scenario = patient("ref-many").draft(rituximabOrder("rtx-1"))
			.lab("5196-1", "HBsAg", 700, POSITIVE);
		List<Medication> medications = List.of(entecavir, tacrolimus, prednisone);
		for (int i = 0; i < 500; i++) {
			MedicationRequest active = order("active-" + i, "0", "placeholder");
			active.setMedication(new Reference("Medication/" + medications.get(i % 3).getIdElement().getIdPart()));
			active.setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE);
			active.setAuthoredOnElement(daysAgo(10 + i % 50));
			active.setSubject(new Reference("Patient/" + scenario.id()));
			scenario.record(active);
		}
		CdsHooksClient.Answer answer = client.call(HBV,
				PatientScenario.withFhirServer(scenario.orderSign(HBV), fhirServer(), TOKEN));
		assertThat(answer.rules()).as(answer.body().toString()).containsExactly("HBV-4");
		for (Medication medication : medications) {
			ehr.verify(1, getRequestedFor(urlPathEqualTo("/fhir/Medication/" + medication.getIdElement().getIdPart())));
		}
	}

	/* ---------- DATA-1 ---------- */

	static PatientScenario unresolvable(String id, String reference) {
		return patient(id).dermatomyositis().lab("5196-1", "HBsAg", 30, NEGATIVE)
			.lab("16933-4", "anti-HBc", 30, NEGATIVE)
			.draft(rituximabByReference("rtx-1", reference));
	}

	@Test
	void aMedicationTheServerDoesNotHaveGivesOneData1PerServiceNamingTheReference() {
		PatientScenario scenario = unresolvable("ref-missing", "Medication/gone-1");
		scenario.draft(rituximabByReference("rtx-2", "Medication/gone-2"));
		for (String service : List.of(HBV, RTX, TAC)) {
			CdsHooksClient.Answer answer = client.call(service,
					PatientScenario.withFhirServer(scenario.orderSign(service), fhirServer(), TOKEN));
			assertThat(answer.rules()).as(service).containsOnlyOnce("DATA-1");
			JsonNode card = answer.card("DATA-1");
			assertThat(card.path("indicator").asText()).isEqualTo("warning");
			assertThat(card.path("summary").asText()).isEqualTo("Could not identify the medication of an order");
			assertThat(card.path("detail").asText())
				.contains("MedicationRequest/rtx-1 names Medication/gone-1: not found")
				.contains("MedicationRequest/rtx-2 names Medication/gone-2: not found")
				.contains("could not run")
				.contains(Map.of(HBV, "hepatitis B screening", RTX, "rituximab checks", TAC, "tacrolimus de-escalation checks")
					.get(service));
		}
		// Once per call, with the call's token.
		ehr.verify(3, getRequestedFor(urlPathEqualTo("/fhir/Medication/gone-1")).withHeader("Authorization",
				equalTo("Bearer " + TOKEN)));
	}

	@Test
	void aServerErrorIsNamedAsSuchAndNotAsNotFound() {
		ehr.stubFor(get(urlPathEqualTo("/fhir/Medication/broken")).willReturn(aResponse().withStatus(500).withBody("oops")));
		PatientScenario scenario = unresolvable("ref-error", "Medication/broken");
		CdsHooksClient.Answer answer = client.call(HBV,
				PatientScenario.withFhirServer(scenario.orderSign(HBV), fhirServer(), TOKEN));
		assertThat(answer.rules()).containsExactly("DATA-1");
		assertThat(answer.card("DATA-1").path("detail").asText())
			.contains("Medication/broken: FHIR server error: the Medication could not be read")
			.doesNotContain("not found");
	}

	@Test
	void withoutAFhirServerTheCardSaysSo() {
		PatientScenario scenario = unresolvable("ref-no-server", "Medication/elsewhere");
		CdsHooksClient.Answer answer = client.call(HBV, scenario.orderSign(HBV));
		assertThat(answer.rules()).containsExactly("DATA-1");
		assertThat(answer.card("DATA-1").path("detail").asText()).contains("names no FHIR server");
	}

	@Test
	void aMedicationWithoutACodeIsNotIdentifiedByItsText() {
		Medication textOnly = new Medication();
		textOnly.setId("text-only");
		textOnly.setCode(new CodeableConcept().setText("rituximab 500 mg/50 mL"));
		serve(textOnly);
		PatientScenario scenario = unresolvable("ref-text", "Medication/text-only");
		CdsHooksClient.Answer answer = client.call(HBV,
				PatientScenario.withFhirServer(scenario.orderSign(HBV), fhirServer(), TOKEN));
		assertThat(answer.rules()).containsExactly("DATA-1");
		assertThat(answer.card("DATA-1").path("detail").asText()).contains("has no code");
	}

	@Test
	void onlyASelectedOrderGivesData1AndTheRituximabServiceNeedsAMyositisDiagnosis() {
		PatientScenario scenario = unresolvable("ref-select", "Medication/gone-3");
		scenario.draft(rituximabOrder("rtx-selected"));
		String selectResolved = scenario.orderSelect("hbv-screening-order-select", "rtx-selected");
		assertThat(client.call("hbv-screening-order-select", selectResolved).rules()).doesNotContain("DATA-1");
		String selectUnresolved = scenario.orderSelect("hbv-screening-order-select", "rtx-1");
		assertThat(client.call("hbv-screening-order-select", selectUnresolved).rules()).contains("DATA-1");

		PatientScenario noMyositis = patient("ref-no-dm").draft(rituximabByReference("rtx-1", "Medication/gone-4"));
		assertThat(client.call(RTX, noMyositis.orderSign(RTX)).rules()).isEmpty();
		assertThat(client.call(HBV, noMyositis.orderSign(HBV)).rules()).contains("DATA-1");
	}

	/* ---------- Dosage read defensively ---------- */

	static Dosage displayOnlyTiming(Dosage dosage, String display) {
		return dosage.setTiming(new Timing().setCode(new CodeableConcept(new Coding()
			.setSystem("http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation").setDisplay(display))));
	}

	static PatientScenario onRituximabWithTacrolimusDraft(String id, double mgPerDose, String timingDisplay) {
		MedicationRequest draft = order("tac-draft", "313190", "tacrolimus 0.5 MG Oral Capsule");
		draft.addDosageInstruction(displayOnlyTiming(dose(mgPerDose, "mg"), timingDisplay));
		return patient(id).dermatomyositis()
			.medicationAdministration("1657867", "50 ML rituximab 10 MG/ML Injection", 60, 1000)
			.draft(draft);
	}

	@Test
	void aTimingCodingWithADisplayButNoCodeIsReadByItsDisplay() {
		// 1 mg BID: 2 mg/day, in range. Unread, the timing would give TAC-2.
		CdsHooksClient.Answer inRange = client.call(TAC, onRituximabWithTacrolimusDraft("ref-bid-2", 1, "BID").orderSign(TAC));
		assertThat(inRange.status()).as(inRange.body().toString()).isEqualTo(200);
		assertThat(inRange.rules()).doesNotContain("TAC-1", "TAC-2");

		// 2.5 mg BID: 5 mg/day. Not through the client's contract check: the update suggestion keeps
		// the EHR's own display-only Coding, which the base validator's terminology check refuses.
		CdsHooksClient.Answer above = client.post("/cds-services/" + TAC,
				onRituximabWithTacrolimusDraft("ref-bid-5", 2.5, "BID").orderSign(TAC));
		assertThat(above.status()).as(above.body().toString()).isEqualTo(200);
		assertThat(above.rules()).contains("TAC-1").doesNotContain("TAC-2");
		assertThat(above.card("TAC-1").path("detail").asText()).contains("5 mg/day");
	}

	@Test
	void aTimingDisplayThatIsNoAbbreviationGivesTac2NotAFault() {
		CdsHooksClient.Answer answer = client.call(TAC,
				onRituximabWithTacrolimusDraft("ref-timing-words", 1, "twice a day, with food").orderSign(TAC));
		assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
		assertThat(answer.rules()).contains("TAC-2").doesNotContain("TAC-1");
		assertThat(answer.card("TAC-2").path("detail").asText()).contains("twice a day, with food");
	}

	/* ---------- Only the patient's own resources; invalid FHIR ---------- */

	@Test
	void aConditionOfAnotherPatientOrOfNobodyIsIgnored() {
		PatientScenario scenario = patient("ref-subject").draft(rituximabOrder("rtx-1"));
		for (String subject : new String[] { "Patient/someone-else", null }) {
			Condition hepatitis = new Condition();
			hepatitis.setId("hbv-" + subject);
			hepatitis.setClinicalStatus(new CodeableConcept(new Coding(
					"http://terminology.hl7.org/CodeSystem/condition-clinical", "active", null)));
			hepatitis.setCode(new CodeableConcept(new Coding(SNOMED, "61977001", "Chronic type B viral hepatitis")));
			if (subject != null) {
				hepatitis.setSubject(new Reference(subject));
			}
			scenario.record(hepatitis);
		}
		CdsHooksClient.Answer answer = client.call(HBV, scenario.orderSign(HBV));
		assertThat(answer.rules()).containsExactly("HBV-1");

		scenario.serveOn(ehr::stubFor, HBV, "/fhir");
		assertThat(client.call(HBV, scenario.withoutPrefetch(HBV, "order-sign", fhirServer(), TOKEN)).rules())
			.containsExactly("HBV-1");
	}

	@Test
	void aBirthDateWithATimeIs400NamingTheElement() {
		PatientScenario scenario = patient("ref-birthdate").dermatomyositis().draft(rituximabOrder("rtx-1"));
		Map<String, JsonNode> prefetch = new LinkedHashMap<>(scenario.prefetch(RTX));
		((ObjectNode) prefetch.get("patient")).put("birthDate", "1970-01-01T10:00:00Z");
		CdsHooksClient.Answer answer = client.call(RTX, scenario.withPrefetch(RTX, "order-sign", prefetch));
		assertThat(answer.status()).isEqualTo(400);
		assertThat(answer.body().path("details").toString())
			.contains("prefetch.patient: Patient.birthDate: not a FHIR date")
			.doesNotContain("1970-01-01T10")
			.doesNotContain("ca.uhn")
			.doesNotContain("Exception");
	}

	@Test
	void aBirthDateWithATimeFromTheFhirServerIs412NamingTheKey() {
		PatientScenario scenario = patient("ref-fetched-birthdate").draft(rituximabOrder("rtx-1"));
		scenario.serveOn(ehr::stubFor, HBV, "/fhir");
		ObjectNode patient = (ObjectNode) TestJson.read(scenario.answer("Patient/{{context.patientId}}"));
		patient.put("birthDate", "1970-01-01T10:00:00Z");
		ehr.stubFor(get(urlPathEqualTo("/fhir/Patient/" + scenario.id()))
			.willReturn(aResponse().withStatus(200).withBody(patient.toString())));
		CdsHooksClient.Answer answer = client.call(HBV, scenario.withoutPrefetch(HBV, "order-sign", fhirServer(), TOKEN));
		assertThat(answer.status()).isEqualTo(412);
		// The caller learns the key and a coarse cause; the element is named in the log (issue 15: a 412
		// must not tell a caller what a server answered).
		assertThat(answer.body().path("missingPrefetch").path("patient").asText())
			.isEqualTo("could not be read from the FHIR server");
	}

	@Test
	void aDraftOrderWithAMalformedDateIs400NamingTheEntry() {
		PatientScenario scenario = patient("ref-authored").dermatomyositis().draft(rituximabOrder("rtx-1"));
		ObjectNode request = (ObjectNode) TestJson.read(scenario.orderSign(HBV));
		((ObjectNode) request.path("context").path("draftOrders").path("entry").get(0).path("resource"))
			.put("authoredOn", "2026-12-01T10:00");
		CdsHooksClient.Answer answer = client.call(HBV, request.toString());
		assertThat(answer.status()).isEqualTo(400);
		assertThat(answer.body().path("details").toString())
			.contains("context.draftOrders: Bundle.entry[0].resource.authoredOn: not a valid FHIR R4 resource")
			.doesNotContain("2026-12-01T10:00");
	}
}
