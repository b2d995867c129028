package org.myositiscds.rules;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.NEGATIVE;
import static org.myositiscds.PatientScenario.POSITIVE;
import static org.myositiscds.PatientScenario.SNOMED;
import static org.myositiscds.PatientScenario.UCUM;
import static org.myositiscds.PatientScenario.coded;
import static org.myositiscds.PatientScenario.count;
import static org.myositiscds.PatientScenario.dose;
import static org.myositiscds.PatientScenario.doseRange;
import static org.myositiscds.PatientScenario.every;
import static org.myositiscds.PatientScenario.order;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.quantity;
import static org.myositiscds.PatientScenario.referenceRange;
import static org.myositiscds.PatientScenario.rituximabOrder;
import static org.myositiscds.PatientScenario.status;
import static org.myositiscds.PatientScenario.times;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Dosage;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.MedicationRequest.MedicationRequestStatus;
import org.hl7.fhir.r4.model.MedicationStatement.MedicationStatementStatus;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.junit.jupiter.api.Nested;
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
 * RTX-1 to RTX-12 (clinical-rules.md, service 1), through the HTTP endpoint with full prefetch,
 * and through the fetch path (WireMock as the EHR's FHIR server) for a set of scenarios.
 *
 * Most patients start from {@link #refractoryAdult}: a 58-year-old woman with dermatomyositis on
 * prednisone and methotrexate for 6 months, on Pneumocystis prophylaxis, with complete screening.
 * Ordering rituximab 1000 mg day 0 and day 14, she gets only the info cards RTX-6 and RTX-10; each
 * test changes one thing and looks at the rule it concerns.
 */
@CdsServiceTest
class RituximabRulesTests {

	static final String SIGN = "rituximab-order-sign";

	static final String SELECT = "rituximab-order-select";

	static final String HBV_SIGN = "hbv-screening-order-sign";

	static final String TOKEN = "ehr-access-token-rtx-51c2";

	static final FhirContext FHIR = FhirContext.forR4Cached();

	// RxNorm codes of terminology.md (the value sets of fhir-resources/valueset/).
	static final String PREDNISONE = "312615";

	static final String METHOTREXATE = "105585";

	static final String MYCOPHENOLATE = "200060";

	static final String TMP_SMX_SS = "198334";

	static final String CYCLOPHOSPHAMIDE = "1734919";

	@RegisterExtension
	static WireMockExtension ehr = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

	@Autowired
	CdsHooksClient client;

	// ----------------------------------------------------------------------------------------
	// Patients
	// ----------------------------------------------------------------------------------------

	/** Rituximab 1000 mg IV, two infusions 14 days apart: the adult protocol. */
	static MedicationRequest rituximab(String id, Dosage dosage) {
		return rituximabOrder(id).addDosageInstruction(dosage);
	}

	static MedicationRequest standardCourse() {
		return rituximab("rtx-1", times(dose(1000, "mg"), 2, 14, "d"));
	}

	static Dosage daily(double mg) {
		return every(dose(mg, "mg"), 1, 1, "d");
	}

	/**
	 * The pre-rituximab screening of RTX-4, all current and normal: HCV antibody and IGRA negative,
	 * IgG/IgM/IgA within range 20 days ago; leukocytes, ALT, creatinine and eGFR 10 days ago.
	 */
	static PatientScenario screened(PatientScenario scenario, String... withoutLoinc) {
		Set<String> without = Set.of(withoutLoinc);
		Screening screening = (loinc, display, days, result) -> {
			if (!without.contains(loinc)) {
				scenario.lab(loinc, display, days, result);
			}
		};
		screening.lab("16128-1", "Hepatitis C virus Ab [Presence] in Serum", 20, NEGATIVE);
		screening.lab("71773-6", "Mycobacterium tuberculosis stimulated gamma interferon [Interpretation] in Blood Qualitative", 20, NEGATIVE);
		screening.lab("2465-3", "IgG [Mass/volume] in Serum or Plasma", 20, quantity(1050, "mg/dL").andThen(referenceRange(700, 1600, "mg/dL")));
		screening.lab("2472-9", "IgM [Mass/volume] in Serum or Plasma", 20, quantity(95, "mg/dL").andThen(referenceRange(40, 230, "mg/dL")));
		screening.lab("2458-8", "IgA [Mass/volume] in Serum or Plasma", 20, quantity(210, "mg/dL").andThen(referenceRange(70, 400, "mg/dL")));
		screening.lab("6690-2", "Leukocytes [#/volume] in Blood by Automated count", 10, quantity(7.2, "10*3/uL").andThen(referenceRange(4, 11, "10*3/uL")));
		screening.lab("1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma", 10, quantity(32, "U/L").andThen(referenceRange(7, 56, "U/L")));
		screening.lab("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", 10, quantity(0.8, "mg/dL").andThen(referenceRange(0.6, 1.1, "mg/dL")));
		screening.lab("98979-8", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI 2021)",
				10, quantity(92, "mL/min/{1.73_m2}"));
		return scenario;
	}

	interface Screening {
		void lab(String loinc, String display, int days, Consumer<Observation> result);
	}

	static PatientScenario pregnancyTest(PatientScenario scenario, int days) {
		return scenario.lab("2118-8", "Choriogonadotropin (pregnancy test) [Presence] in Serum or Plasma", days, NEGATIVE);
	}

	/** Prednisone 20 mg daily for 180 days and methotrexate 20 mg weekly for 175 days, both active. */
	static PatientScenario onPrednisoneAndMethotrexate(PatientScenario scenario) {
		return scenario
			.activeMedication(PREDNISONE, "prednisone 20 MG Oral Tablet", 180, daily(20))
			.activeMedication(METHOTREXATE, "methotrexate 2.5 MG Oral Tablet", 175, every(dose(20, "mg"), 1, 1, "wk"));
	}

	static PatientScenario onPneumocystisProphylaxis(PatientScenario scenario) {
		return scenario.activeMedication(TMP_SMX_SS, "sulfamethoxazole 400 MG / trimethoprim 80 MG Oral Tablet", 170,
				every(dose(1, "{tbl}"), 1, 1, "d"));
	}

	/** The refractory adult, without any draft order yet. */
	static PatientScenario refractoryAdult(String id) {
		PatientScenario scenario = patient(id).bornYearsAgo(58, 30).dermatomyositis();
		onPneumocystisProphylaxis(onPrednisoneAndMethotrexate(scenario));
		return screened(scenario).height(165, "cm", 10).weight(68, "kg", 10);
	}

	/** The same patient, without prophylaxis, screening or measurements, for rules that need them missing. */
	static PatientScenario dermatomyositisOnPrednisoneAndMethotrexate(String id) {
		return onPrednisoneAndMethotrexate(patient(id).bornYearsAgo(58, 30).dermatomyositis());
	}

	/** A boy with juvenile dermatomyositis, screened, on prednisone, methotrexate and prophylaxis; no height or weight. */
	static PatientScenario child(String id, int years, int extraDays) {
		PatientScenario scenario = patient(id).male().bornYearsAgo(years, extraDays)
			.condition(SNOMED, "1212005", "Childhood type dermatomyositis", "active");
		return screened(onPneumocystisProphylaxis(onPrednisoneAndMethotrexate(scenario)));
	}

	/** A 10-year-old boy 140 cm and 35 kg (Mosteller BSA 1.17 m2: 575 mg/m2 = 670 mg), ordering {@code mg} twice. */
	static PatientScenario childOrdering(String id, double mg) {
		return child(id, 10, 30).height(140, "cm", 5).weight(35, "kg", 5)
			.draft(rituximab("rtx-1", times(dose(mg, "mg"), 2, 14, "d")));
	}

	/**
	 * Seed 001: antisynthetase overlap, in remission off glucocorticoids on mycophenolate 1000 mg
	 * twice daily, rituximab-pvvr (Ruxience) 1000 mg every 6 months for years (the last 184 days
	 * ago); now a single 1000 mg maintenance infusion.
	 */
	static PatientScenario seed001(String id, Dosage maintenance) {
		PatientScenario scenario = patient(id).bornYearsAgo(52, 100)
			.condition(SNOMED, "396230008", "Dermatomyositis (disorder)", "active", 2200)
			.condition(SNOMED, "445187004", "Antisynthetase syndrome", "active", 2200)
			.medicationOrder(PREDNISONE, "prednisone 20 MG Oral Tablet", MedicationRequestStatus.COMPLETED, 2000, 1500)
			.activeMedication(MYCOPHENOLATE, "mycophenolate mofetil 500 MG Oral Tablet", 1900, every(dose(1000, "mg"), 2, 1, "d"));
		for (int days : new int[] { 1650, 1460, 1280, 1100, 920, 735, 550, 368, 184 }) {
			scenario.medicationAdministration("2273520", "50 ML rituximab-pvvr 10 MG/ML Injection", days, 1000);
		}
		return pregnancyTest(screened(scenario), 2)
			.draft(rituximabOrder("ruxience-1").setMedication(new CodeableConcept(new Coding(PatientScenario.RXNORM, "2273521",
					"50 ML rituximab-pvvr 10 MG/ML Injection [Ruxience]")).setText("Ruxience 1000 mg IV"))
				.addDosageInstruction(maintenance));
	}

	/**
	 * Seed 004: dermatomyositis active on IVIG, rituximab (last given {@code rituximabDaysAgo}),
	 * tocilizumab, prednisone, hydroxychloroquine and mycophenolate.
	 */
	static PatientScenario seed004(String id, int rituximabDaysAgo) {
		PatientScenario scenario = patient(id).bornYearsAgo(44, 10).dermatomyositis()
			.medicationStatement("http://hl7.org/fhir/sid/cvx", "87", "immune globulin, intravenous",
					MedicationStatementStatus.ACTIVE, 180, null)
			.medicationAdministration("1657867", "50 ML rituximab 10 MG/ML Injection", rituximabDaysAgo, 1000)
			.activeMedication("612865", "tocilizumab", 180, dose(8, "mg/kg"))
			.activeMedication(PREDNISONE, "prednisone 20 MG Oral Tablet", 180, daily(20))
			.activeMedication("979092", "hydroxychloroquine sulfate 200 MG Oral Tablet", 180, every(dose(200, "mg"), 2, 1, "d"))
			.activeMedication(MYCOPHENOLATE, "mycophenolate mofetil 500 MG Oral Tablet", 180, every(dose(1500, "mg"), 2, 1, "d"));
		return pregnancyTest(screened(scenario), 2);
	}

	static MedicationRequest cyclophosphamide(String id) {
		return order(id, CYCLOPHOSPHAMIDE, "cyclophosphamide 1000 MG Injection")
			.addDosageInstruction(every(dose(750, "mg/m2"), 1, 1, "mo"));
	}

	// ----------------------------------------------------------------------------------------
	// Calls
	// ----------------------------------------------------------------------------------------

	CdsHooksClient.Answer sign(PatientScenario scenario) {
		CdsHooksClient.Answer answer = client.call(SIGN, scenario.orderSign(SIGN));
		assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
		return answer;
	}

	List<String> rules(PatientScenario scenario) {
		return sign(scenario).rules();
	}

	static String text(JsonNode card, String field) {
		return card.path(field).asText();
	}

	static List<JsonNode> actions(JsonNode card) {
		List<JsonNode> actions = new ArrayList<>();
		card.path("suggestions").forEach(suggestion -> suggestion.path("actions").forEach(actions::add));
		return actions;
	}

	/** The only action of the card's only suggestion: an update of the draft order. */
	static JsonNode updatedOrder(JsonNode card) {
		assertThat(card.path("suggestions")).hasSize(1);
		JsonNode suggestion = card.path("suggestions").get(0);
		assertThat(suggestion.path("isRecommended").asBoolean()).isTrue();
		assertThat(suggestion.path("actions")).hasSize(1);
		JsonNode action = suggestion.path("actions").get(0);
		assertThat(action.path("type").asText()).isEqualTo("update");
		return action.path("resource");
	}

	/**
	 * The suggested resource, parsed with HAPI, is the draft with only the first dose changed: a
	 * doseQuantity of {@code mg} mg (plain JSON number, no doseRange) and a free text saying so,
	 * everything else as sent.
	 */
	static void assertIsTheDraftWithOnlyTheDose(MedicationRequest draft, JsonNode suggested, int mg) {
		JsonNode doseQuantity = suggested.path("dosageInstruction").get(0).path("doseAndRate").get(0).path("doseQuantity");
		assertThat(doseQuantity.path("value").toString()).as("written as a plain number").isEqualTo(Integer.toString(mg));
		MedicationRequest parsed = FHIR.newJsonParser().parseResource(MedicationRequest.class, suggested.toString());
		assertThat(parsed.getDosageInstructionFirstRep().getDoseAndRate()).hasSize(1);
		var doseAndRate = parsed.getDosageInstructionFirstRep().getDoseAndRateFirstRep();
		assertThat(doseAndRate.hasDoseRange()).as("doseRange removed").isFalse();
		Quantity dose = doseAndRate.getDoseQuantity();
		assertThat(dose.getValue()).isEqualByComparingTo(BigDecimal.valueOf(mg));
		assertThat(dose.getCode()).isEqualTo("mg");
		assertThat(dose.getSystem()).isEqualTo(UCUM);
		assertThat(parsed.getDosageInstructionFirstRep().getText()).as("the free text says the new dose")
			.isEqualTo(mg + " mg per infusion");
		ObjectNode expected = (ObjectNode) TestJson.read(FHIR.newJsonParser().encodeResourceToString(draft));
		ObjectNode actual = (ObjectNode) TestJson.read(FHIR.newJsonParser().encodeResourceToString(parsed));
		((ObjectNode) expected.path("dosageInstruction").get(0)).remove(List.of("doseAndRate", "text"));
		((ObjectNode) actual.path("dosageInstruction").get(0)).remove(List.of("doseAndRate", "text"));
		assertThat(actual).as("the rest of the suggested order is the draft").isEqualTo(expected);
	}

	static List<String> loincCodes(JsonNode card) {
		List<String> codes = new ArrayList<>();
		for (JsonNode action : actions(card)) {
			JsonNode order = action.path("resource");
			assertThat(action.path("type").asText()).isEqualTo("create");
			assertThat(order.path("resourceType").asText()).isEqualTo("ServiceRequest");
			assertThat(order.path("status").asText()).isEqualTo("draft");
			assertThat(order.path("intent").asText()).isEqualTo("order");
			assertThat(order.path("code").path("coding").get(0).path("system").asText()).isEqualTo(PatientScenario.LOINC);
			codes.add(order.path("code").path("coding").get(0).path("code").asText());
		}
		return codes;
	}

	// ----------------------------------------------------------------------------------------
	// Whole patients
	// ----------------------------------------------------------------------------------------

	@Nested
	class Patients {

		@Test
		void aRefractoryAdultWithCompleteScreeningGetsOnlyTheInfoCards() {
			CdsHooksClient.Answer answer = sign(refractoryAdult("rtx-refractory").draft(standardCourse()));
			assertThat(answer.rules()).containsExactly("RTX-6", "RTX-10");
			assertThat(text(answer.card("RTX-6"), "indicator")).isEqualTo("info");
			assertThat(text(answer.card("RTX-10"), "indicator")).isEqualTo("info");
		}

		@Test
		void seed001MaintenanceEverySixMonthsWithPriorExposureGetsNoDoseWarning() {
			CdsHooksClient.Answer answer = sign(seed001("rtx-seed001", count(dose(1000, "mg"), 1)));
			assertThat(answer.rules()).containsExactly("RTX-6");
			assertThat(text(answer.card("RTX-6"), "detail")).contains("mycophenolate");
		}

		@Test
		void seed001MaintenanceWrittenAsOnceEverySixMonthsIsAcceptedToo() {
			assertThat(rules(seed001("rtx-seed001-period", every(dose(1000, "mg"), 1, 6, "mo")))).containsExactly("RTX-6");
		}

		@Test
		void seed004OrderingCyclophosphamideGetsOnlyTheDelayedEffectInfo() {
			CdsHooksClient.Answer answer = sign(seed004("rtx-seed004", 170).draft(cyclophosphamide("cyc-1")));
			assertThat(answer.rules()).containsExactly("RTX-5");
			JsonNode card = answer.card("RTX-5");
			assertThat(text(card, "indicator")).isEqualTo("info");
			assertThat(text(card, "summary")).contains("24 weeks ago");
			assertThat(text(card, "detail")).contains("170 days");
		}

		@Test
		void seed004OrderingCyclophosphamideAfterTwentySixWeeksGetsNothing() {
			assertThat(rules(seed004("rtx-seed004-late", 200).draft(cyclophosphamide("cyc-1")))).isEmpty();
		}

		@Test
		void seed004OrderingRituximabGetsTimingCombinationAndProphylaxis() {
			CdsHooksClient.Answer answer = sign(seed004("rtx-seed004-rtx", 160).draft(standardCourse()));
			assertThat(answer.rules()).containsExactly("RTX-5", "RTX-6", "RTX-7");
			// at 170 days (24 weeks) the course is past RTX-5's window: retreatment is no longer early
			assertThat(rules(seed004("rtx-seed004-rtx-170", 170).draft(standardCourse()))).containsExactly("RTX-6", "RTX-7");
			assertThat(text(answer.card("RTX-5"), "indicator")).isEqualTo("warning");
			assertThat(text(answer.card("RTX-6"), "detail"))
				.contains("immune globulin", "tocilizumab", "prednisone", "mycophenolate");
		}
	}

	@Nested
	class Trigger {

		@Test
		void staysSilentWithoutAMyositisDiagnosisWhileTheHbvServiceStillAnswers() {
			PatientScenario scenario = onPrednisoneAndMethotrexate(patient("rtx-no-myositis").bornYearsAgo(58, 30)
				.condition(SNOMED, "69896004", "Rheumatoid arthritis", "active"))
				.draft(standardCourse());
			assertThat(rules(scenario)).isEmpty();
			CdsHooksClient.Answer hbv = client.call(HBV_SIGN, scenario.orderSign(HBV_SIGN));
			assertThat(hbv.rules()).containsExactly("HBV-1");
		}

		@Test
		void staysSilentWhenTheMyositisIsResolved() {
			PatientScenario scenario = onPrednisoneAndMethotrexate(patient("rtx-resolved").bornYearsAgo(58, 30)
				.condition(SNOMED, "396230008", "Dermatomyositis (disorder)", "resolved"))
				.draft(standardCourse());
			assertThat(rules(scenario)).isEmpty();
		}

		@Test
		void firesForABiosimilarAndForPolymyositisCodedInIcd10() {
			PatientScenario scenario = dermatomyositisOnPrednisoneAndMethotrexate("rtx-biosimilar")
				.draft(order("truxima", "2105834", "50 ML rituximab-abbs 10 MG/ML Injection")
					.addDosageInstruction(times(dose(1000, "mg"), 2, 14, "d")));
			assertThat(rules(scenario)).contains("RTX-4", "RTX-10");
			PatientScenario polymyositis = onPrednisoneAndMethotrexate(patient("rtx-pm").bornYearsAgo(58, 30)
				.condition(PatientScenario.ICD10CM, "M33.22", "Polymyositis with myopathy", "active"))
				.draft(standardCourse());
			assertThat(rules(polymyositis)).contains("RTX-10");
		}

		@Test
		void orderSelectFiresOnlyWhenTheRituximabOrderIsSelected() {
			PatientScenario scenario = refractoryAdult("rtx-select").draft(standardCourse())
				.draft(order("premedication", "1743704", "methylprednisolone 125 MG Injection").addDosageInstruction(dose(100, "mg")));
			CdsHooksClient.Answer selected = client.call(SELECT, scenario.orderSelect(SELECT, "rtx-1"));
			assertThat(selected.rules()).isEqualTo(rules(scenario)).containsExactly("RTX-6", "RTX-10");
			assertThat(text(selected.card("RTX-6"), "detail")).as("the draft premedication is data")
				.contains("methylprednisolone 125 MG Injection: draft order in this request");
			assertThat(client.call(SELECT, scenario.orderSelect(SELECT, "premedication")).rules()).isEmpty();
		}

		@Test
		void staysSilentForOtherDrafts() {
			PatientScenario scenario = refractoryAdult("rtx-other-draft")
				.draft(order("pred-2", PREDNISONE, "prednisone 20 MG Oral Tablet").addDosageInstruction(daily(20)));
			assertThat(rules(scenario)).isEmpty();
		}
	}

	// ----------------------------------------------------------------------------------------
	// Rules
	// ----------------------------------------------------------------------------------------

	@Nested
	class Rtx1RefractoryStatus {

		/** Prednisone and methotrexate statements overlapping for exactly {@code days} days, 300 days ago. */
		PatientScenario overlapping(String id, int days) {
			return screened(patient(id).bornYearsAgo(58, 30).dermatomyositis())
				.medicationStatement(PREDNISONE, "prednisone 20 MG Oral Tablet", MedicationStatementStatus.COMPLETED, 300, 290 - days)
				.medicationStatement(METHOTREXATE, "methotrexate 2.5 MG Oral Tablet", MedicationStatementStatus.COMPLETED, 290, 250 - days)
				.draft(standardCourse());
		}

		@Test
		void firesWith83DaysOfOverlapAndSaysWhatWasFound() {
			CdsHooksClient.Answer answer = sign(overlapping("rtx1-83", 83));
			assertThat(answer.rules()).contains("RTX-1");
			JsonNode card = answer.card("RTX-1");
			assertThat(text(card, "indicator")).isEqualTo("warning");
			assertThat(text(card, "detail")).contains("83 days", "prednisone 20 MG Oral Tablet: completed statement",
					"methotrexate 2.5 MG Oral Tablet: completed statement");
			List<String> reasons = new ArrayList<>();
			card.path("overrideReasons").forEach(reason -> reasons.add(reason.path("code").asText()));
			assertThat(reasons).containsExactly("severe-organ-involvement", "refractory-documented-elsewhere");
		}

		@Test
		void staysSilentWith84DaysOfOverlap() {
			assertThat(rules(overlapping("rtx1-84", 84))).doesNotContain("RTX-1").contains("RTX-10");
		}

		@Test
		void activeOrdersBothStarted84DaysAgoCountAnd83DoNot() {
			PatientScenario since84 = screened(patient("rtx1-active-84").bornYearsAgo(58, 30).dermatomyositis())
				.activeMedication(PREDNISONE, "prednisone 20 MG Oral Tablet", 84, daily(20))
				.activeMedication(METHOTREXATE, "methotrexate 2.5 MG Oral Tablet", 84, every(dose(20, "mg"), 1, 1, "wk"))
				.draft(standardCourse());
			assertThat(rules(since84)).doesNotContain("RTX-1");
			PatientScenario since83 = screened(patient("rtx1-active-83").bornYearsAgo(58, 30).dermatomyositis())
				.activeMedication(PREDNISONE, "prednisone 20 MG Oral Tablet", 120, daily(20))
				.activeMedication(METHOTREXATE, "methotrexate 2.5 MG Oral Tablet", 83, every(dose(20, "mg"), 1, 1, "wk"))
				.draft(standardCourse());
			CdsHooksClient.Answer answer = sign(since83);
			assertThat(answer.rules()).contains("RTX-1");
			assertThat(text(answer.card("RTX-1"), "detail")).contains("83 days, " + LocalDate.now().minusDays(83) + " to " + LocalDate.now());
		}

		@Test
		void firesOnPrednisoneAloneSayingNoConventionalAgentWasFound() {
			PatientScenario scenario = screened(patient("rtx1-pred").bornYearsAgo(58, 30).dermatomyositis())
				.activeMedication(PREDNISONE, "prednisone 20 MG Oral Tablet", 200, daily(20))
				.draft(standardCourse());
			JsonNode card = sign(scenario).card("RTX-1");
			assertThat(text(card, "detail")).contains("Conventional agents (methotrexate, azathioprine, mycophenolate): none found");
		}

		@Test
		void firesWithNoMedicationHistoryAtAll() {
			PatientScenario scenario = screened(patient("rtx1-none").bornYearsAgo(58, 30).dermatomyositis()).draft(standardCourse());
			assertThat(rules(scenario)).containsExactly("RTX-1", "RTX-10");
		}

		@Test
		void refillsJoinIntoOneSpan() {
			PatientScenario scenario = screened(patient("rtx1-refills").bornYearsAgo(58, 30).dermatomyositis())
				.medicationOrder(PREDNISONE, "prednisone 20 MG Oral Tablet", MedicationRequestStatus.COMPLETED, 300, 250)
				.medicationOrder(PREDNISONE, "prednisone 20 MG Oral Tablet", MedicationRequestStatus.COMPLETED, 249, 200)
				.medicationOrder(METHOTREXATE, "methotrexate 2.5 MG Oral Tablet", MedicationRequestStatus.STOPPED, 290, 190)
				.draft(standardCourse());
			assertThat(rules(scenario)).doesNotContain("RTX-1");
		}

		@Test
		void completedOrdersWithoutAnEndAreSingleDays() {
			PatientScenario scenario = screened(patient("rtx1-noend").bornYearsAgo(58, 30).dermatomyositis())
				.medicationOrder(PREDNISONE, "prednisone 20 MG Oral Tablet", MedicationRequestStatus.COMPLETED, 300, null)
				.medicationOrder(METHOTREXATE, "methotrexate 2.5 MG Oral Tablet", MedicationRequestStatus.COMPLETED, 300, null)
				.draft(standardCourse());
			assertThat(rules(scenario)).contains("RTX-1");
		}

		@Test
		void readsAdministrationsAsTheDayGiven() {
			PatientScenario scenario = screened(patient("rtx1-admin").bornYearsAgo(58, 30).dermatomyositis())
				.medicationAdministration("1743720", "methylprednisolone 500 MG Injection", 200, 500)
				.medicationStatement("68149", "mycophenolate mofetil", MedicationStatementStatus.ACTIVE, 250, null)
				.draft(standardCourse());
			CdsHooksClient.Answer answer = sign(scenario);
			assertThat(answer.rules()).contains("RTX-1");
			assertThat(text(answer.card("RTX-1"), "detail")).contains("methylprednisolone 500 MG Injection: completed administration on");
		}

		@Test
		void staysSilentWithRituximabExposure() {
			PatientScenario scenario = screened(patient("rtx1-exposed").bornYearsAgo(58, 30).dermatomyositis())
				.medicationAdministration("1657867", "50 ML rituximab 10 MG/ML Injection", 300, 1000)
				.draft(standardCourse());
			assertThat(rules(scenario)).doesNotContain("RTX-1", "RTX-10");
		}

		@Test
		void entryErrorsAndCancelledOrdersAreNotHistory() {
			PatientScenario scenario = screened(patient("rtx1-errors").bornYearsAgo(58, 30).dermatomyositis())
				.medicationStatement(PREDNISONE, "prednisone 20 MG Oral Tablet", MedicationStatementStatus.ENTEREDINERROR, 200, null)
				.medicationStatement(METHOTREXATE, "methotrexate 2.5 MG Oral Tablet", MedicationStatementStatus.ENTEREDINERROR, 200, null)
				.draft(standardCourse());
			assertThat(rules(scenario)).containsExactly("RTX-1", "RTX-10");
		}
	}

	@Nested
	class Rtx2AdultDose {

		PatientScenario ordering(String id, Dosage dosage) {
			return refractoryAdult(id).draft(rituximab("rtx-1", dosage));
		}

		PatientScenario ordering(String id, MedicationRequest draft) {
			return refractoryAdult(id).draft(draft);
		}

		@Test
		void staysSilentFor1050MgWithinFivePercent() {
			assertThat(rules(ordering("rtx2-1050", times(dose(1050, "mg"), 2, 14, "d")))).doesNotContain("RTX-2");
		}

		@Test
		void firesFor1100MgAndSuggestsTheDraftAt1000Mg() {
			MedicationRequest draft = rituximab("rtx-1", times(dose(1100, "mg"), 2, 14, "d"));
			draft.getDosageInstructionFirstRep().setText("rituximab 1100 mg IV day 0 and day 14")
				.setRoute(new org.hl7.fhir.r4.model.CodeableConcept().setText("intravenous"));
			CdsHooksClient.Answer answer = sign(refractoryAdult("rtx2-1100").draft(draft));
			assertThat(answer.rules()).containsExactly("RTX-2", "RTX-6", "RTX-10");
			JsonNode card = answer.card("RTX-2");
			assertThat(text(card, "indicator")).isEqualTo("warning");
			assertThat(text(card, "detail")).contains("1100 mg", "more than 5 % from 1000 mg");
			assertIsTheDraftWithOnlyTheDose(draft, updatedOrder(card), 1000);
		}

		@Test
		void aDoseRangeIsJudgedByItsHighAndReplacedByA1000MgDose() {
			MedicationRequest draft = rituximab("rtx-1", times(doseRange(500, 1200, "mg"), 2, 14, "d"));
			CdsHooksClient.Answer answer = sign(refractoryAdult("rtx2-range").draft(draft));
			assertThat(answer.rules()).contains("RTX-2");
			assertThat(text(answer.card("RTX-2"), "detail")).contains("1200 mg (high end of the dose range)");
			assertIsTheDraftWithOnlyTheDose(draft, updatedOrder(answer.card("RTX-2")), 1000);
		}

		@Test
		void aDoseRangeUpTo1000MgIsAccepted() {
			assertThat(rules(ordering("rtx2-range-ok", times(doseRange(500, 1000, "mg"), 2, 14, "d")))).doesNotContain("RTX-2");
		}

		@Test
		void oneGramIsReadAs1000Mg() {
			assertThat(rules(ordering("rtx2-1g", times(dose(1, "g"), 2, 14, "d")))).doesNotContain("RTX-2");
		}

		@Test
		void firesForTheLymphomaDosePerSquareMetre() {
			MedicationRequest draft = rituximab("rtx-1", times(dose(375, "mg/m2"), 4, 1, "wk"));
			CdsHooksClient.Answer answer = sign(ordering("rtx2-375", draft));
			assertThat(answer.rules()).contains("RTX-2");
			// 375 mg/m2 x BSA sqrt(165 x 68 / 3600) = 1.77 m2 = 663.75 mg, and 4 weekly infusions
			assertThat(text(answer.card("RTX-2"), "detail")).contains("= 664 mg", "Schedule is not two infusions 14 days apart");
			assertIsTheDraftWithOnlyTheDose(draft, updatedOrder(answer.card("RTX-2")), 1000);
		}

		@Test
		void firesWhenTheDoseCannotBeRead() {
			CdsHooksClient.Answer answer = sign(ordering("rtx2-ml", times(dose(100, "mL"), 2, 14, "d")));
			assertThat(text(answer.card("RTX-2"), "detail")).contains("The dose cannot be read in mg");
		}

		@Test
		void staysSilentFor1000MgWithNoSchedule() {
			assertThat(rules(ordering("rtx2-nosched", dose(1000, "mg")))).doesNotContain("RTX-2");
		}

		@Test
		void staysSilentForTwoInfusionsTwoWeeksApartInWeeks() {
			assertThat(rules(ordering("rtx2-2wk", times(dose(1000, "mg"), 2, 2, "wk")))).doesNotContain("RTX-2");
		}

		@Test
		void firesForASingleInfusionStartingANewCourseWithoutChangingTheDose() {
			CdsHooksClient.Answer answer = sign(ordering("rtx2-single", count(dose(1000, "mg"), 1)));
			JsonNode card = answer.card("RTX-2");
			assertThat(text(card, "summary")).contains("schedule");
			assertThat(text(card, "detail")).contains("Schedule is not two infusions 14 days apart");
			assertThat(card.path("suggestions")).as("the dose is right: nothing to update").isEmpty();
		}

		@Test
		void firesForAnInfusionEveryTwoWeeksWithoutEnd() {
			assertThat(rules(ordering("rtx2-every2wk", every(dose(1000, "mg"), 1, 2, "wk")))).contains("RTX-2");
		}

		@Test
		void maintenanceEverySixMonthsNeedsPriorExposure() {
			assertThat(rules(ordering("rtx2-maint-new", every(dose(1000, "mg"), 1, 6, "mo")))).contains("RTX-2");
			PatientScenario treated = refractoryAdult("rtx2-maint").medicationAdministration("1657867",
					"50 ML rituximab 10 MG/ML Injection", 190, 1000)
				.draft(rituximab("rtx-1", every(dose(1000, "mg"), 1, 6, "mo")));
			assertThat(rules(treated)).doesNotContain("RTX-2");
		}

		@Test
		void an18YearOldIsDosedAsAnAdult() {
			PatientScenario scenario = screened(onPneumocystisProphylaxis(onPrednisoneAndMethotrexate(
					patient("rtx2-18").male().bornYearsAgo(18, 0).dermatomyositis())))
				.draft(rituximab("rtx-1", times(dose(1100, "mg"), 2, 14, "d")));
			assertThat(rules(scenario)).contains("RTX-2").doesNotContain("RTX-3");
		}

		@Test
		void withoutABirthDateTheProtocolCannotBeChosen() {
			PatientScenario scenario = refractoryAdult("rtx2-nobirth").withoutBirthDate().draft(standardCourse());
			CdsHooksClient.Answer answer = sign(scenario);
			assertThat(answer.rules()).contains("RTX-2").doesNotContain("RTX-3");
			assertThat(text(answer.card("RTX-2"), "summary")).contains("birth date");
			assertThat(answer.card("RTX-2").path("suggestions")).isEmpty();
		}
	}

	@Nested
	class Rtx3JuvenileDose {

		@Test
		void staysSilentForThe575MgPerSquareMetreDose() {
			assertThat(rules(childOrdering("rtx3-670", 670))).doesNotContain("RTX-2", "RTX-3");
		}

		@Test
		void firesForTheAdultDoseAndSuggests670Mg() {
			MedicationRequest draft = rituximab("rtx-1", times(dose(1000, "mg"), 2, 14, "d"));
			CdsHooksClient.Answer answer = sign(child("rtx3-1000", 10, 30).height(140, "cm", 5).weight(35, "kg", 5).draft(draft));
			assertThat(answer.rules()).contains("RTX-3").doesNotContain("RTX-2");
			JsonNode card = answer.card("RTX-3");
			assertThat(text(card, "indicator")).isEqualTo("warning");
			assertThat(text(card, "summary")).contains("670 mg", "1.17 m2");
			assertThat(text(card, "detail")).contains("sqrt(140 cm x 35 kg / 3600) = 1.17 m2", "575 mg/m2",
					"x 1.17 m2 = 672.75 mg", "670 mg per infusion");
			assertIsTheDraftWithOnlyTheDose(draft, updatedOrder(card), 670);
		}

		@Test
		void aDosePerSquareMetreIsReadWithTheBodySurfaceArea() {
			// 575 mg/m2 x 1.17 m2 = 672.75 mg: the protocol; 750 mg/m2 x 1.17 m2 = 877.5 mg: 31 % above 670 mg
			PatientScenario perSquareMetre = child("rtx3-m2", 10, 30).height(140, "cm", 5).weight(35, "kg", 5)
				.draft(rituximab("rtx-1", times(dose(575, "mg/m2"), 2, 14, "d")));
			assertThat(rules(perSquareMetre)).doesNotContain("RTX-3");
			PatientScenario tooMuch = child("rtx3-m2-750", 10, 30).height(140, "cm", 5).weight(35, "kg", 5)
				.draft(rituximab("rtx-1", times(dose(750, "mg/m2"), 2, 14, "d")));
			JsonNode card = sign(tooMuch).card("RTX-3");
			assertThat(text(card, "detail")).contains("750 mg/m2 = 878 mg per infusion");
			assertThat(updatedOrder(card).path("dosageInstruction").get(0).path("doseAndRate").get(0)
				.path("doseQuantity").path("code").asText()).isEqualTo("mg");
		}

		@Test
		void within10PercentIsAcceptedAndBeyondIsNot() {
			assertThat(rules(childOrdering("rtx3-730", 730))).doesNotContain("RTX-3");
			assertThat(rules(childOrdering("rtx3-740", 740))).contains("RTX-3");
		}

		@Test
		void a17YearOldIsDosedByBodySurfaceArea() {
			PatientScenario right = child("rtx3-17", 18, -1).height(140, "cm", 5).weight(35, "kg", 5)
				.draft(rituximab("rtx-1", times(dose(670, "mg"), 2, 14, "d")));
			assertThat(rules(right)).doesNotContain("RTX-2", "RTX-3");
			PatientScenario adultDose = child("rtx3-17-1000", 18, -1).height(140, "cm", 5).weight(35, "kg", 5)
				.draft(standardCourse());
			assertThat(rules(adultDose)).contains("RTX-3").doesNotContain("RTX-2");
		}

		@Test
		void aBodySurfaceAreaOfExactly1Point5IsDosedAt575MgPerSquareMetre() {
			// 150 cm x 54 kg: sqrt(8100 / 3600) = 1.5 m2; 575 x 1.5 = 862.5, rounded to 860 mg
			PatientScenario adultDose = child("rtx3-bsa15", 14, 0).height(150, "cm", 3).weight(54, "kg", 3).draft(standardCourse());
			JsonNode card = sign(adultDose).card("RTX-3");
			assertThat(text(card, "detail")).contains("sqrt(150 cm x 54 kg / 3600) = 1.50 m2", "575 mg/m2 (BSA up to 1.5 m2)", "862.5 mg");
			assertThat(updatedOrder(card).path("dosageInstruction").get(0).path("doseAndRate").get(0)
				.path("doseQuantity").path("value").asInt()).isEqualTo(860);
			PatientScenario right = child("rtx3-bsa15-860", 14, 0).height(150, "cm", 3).weight(54, "kg", 3)
				.draft(rituximab("rtx-1", times(dose(860, "mg"), 2, 14, "d")));
			assertThat(rules(right)).doesNotContain("RTX-3");
		}

		@Test
		void aboveOnePointFiveIs750MgPerSquareMetreCappedAt1000() {
			// 170 cm x 60 kg: 1.68 m2; 750 x 1.68 = 1262 mg, capped at 1000 mg
			PatientScenario capped = child("rtx3-cap", 15, 0).height(170, "cm", 3).weight(60, "kg", 3).draft(standardCourse());
			assertThat(rules(capped)).doesNotContain("RTX-3");
			PatientScenario low = child("rtx3-cap-750", 15, 0).height(170, "cm", 3).weight(60, "kg", 3)
				.draft(rituximab("rtx-1", times(dose(750, "mg"), 2, 14, "d")));
			JsonNode card = sign(low).card("RTX-3");
			assertThat(text(card, "detail")).contains("750 mg/m2 (BSA above 1.5 m2", "capped at 1000 mg");
			assertThat(updatedOrder(card).path("dosageInstruction").get(0).path("doseAndRate").get(0)
				.path("doseQuantity").path("value").toString()).isEqualTo("1000");
		}

		@Test
		void readsWeightInPoundsAndHeightInInches() {
			// 77.162 lb = 35.0 kg; 55.118 in = 140.0 cm: the same child as above
			PatientScenario pounds = child("rtx3-lb", 10, 30).height(140, "cm", 5).weight(77.162, "[lb_av]", 5).draft(standardCourse());
			JsonNode card = sign(pounds).card("RTX-3");
			assertThat(text(card, "detail")).contains("77.162 [lb_av] (35 kg)", "670 mg per infusion");
			PatientScenario imperial = child("rtx3-imperial", 10, 30).height(55.118, "[in_i]", 5).weight(77.162, "[lb_av]", 5)
				.draft(rituximab("rtx-1", times(dose(670, "mg"), 2, 14, "d")));
			assertThat(rules(imperial)).doesNotContain("RTX-3");
		}

		@Test
		void asksForAStaleWeightWithoutSuggestingADose() {
			PatientScenario stale = child("rtx3-stale", 10, 30).height(140, "cm", 5).weight(35, "kg", 31).draft(standardCourse());
			JsonNode card = sign(stale).card("RTX-3");
			assertThat(text(card, "summary")).contains("height and weight");
			assertThat(text(card, "detail")).contains("older than 30 days");
			assertThat(card.path("suggestions")).isEmpty();
			PatientScenario current = child("rtx3-30d", 10, 30).height(140, "cm", 5).weight(35, "kg", 30)
				.draft(rituximab("rtx-1", times(dose(670, "mg"), 2, 14, "d")));
			assertThat(rules(current)).doesNotContain("RTX-3");
		}

		@Test
		void asksForAMissingHeight() {
			PatientScenario scenario = child("rtx3-noheight", 10, 30).weight(35, "kg", 5).draft(standardCourse());
			JsonNode card = sign(scenario).card("RTX-3");
			assertThat(text(card, "detail")).contains("Height: none on record");
			assertThat(card.path("suggestions")).isEmpty();
		}
	}

	@Nested
	class Rtx4Screening {

		@Test
		void firesWithNothingOnRecordAndOrdersEveryTestByLoinc() {
			PatientScenario scenario = onPneumocystisProphylaxis(dermatomyositisOnPrednisoneAndMethotrexate("rtx4-none"))
				.draft(standardCourse());
			CdsHooksClient.Answer answer = sign(scenario);
			assertThat(answer.rules()).containsExactly("RTX-4", "RTX-6", "RTX-10");
			JsonNode card = answer.card("RTX-4");
			assertThat(text(card, "indicator")).isEqualTo("warning");
			assertThat(card.path("suggestions")).hasSize(1);
			assertThat(text(card.path("suggestions").get(0), "label")).isEqualTo("Order missing pre-rituximab tests");
			// terminology.md section 3: HCV Ab, IGRA panel, IgG, IgM, IgA, CBC, ALT, creatinine
			assertThat(loincCodes(card)).containsExactly("16128-1", "71775-1", "2465-3", "2472-9", "2458-8", "58410-2",
					"1742-6", "2160-0");
			actions(card).forEach(action -> assertThat(action.path("resource").path("subject").path("reference").asText())
				.isEqualTo("Patient/rtx4-none"));
		}

		@Test
		void aNegative366DaysOldIsStaleAndOnlyThatTestIsOrdered() {
			PatientScenario stale = screenedExcept("rtx4-hcv-366", "16128-1")
				.lab("16128-1", "Hepatitis C virus Ab [Presence] in Serum", 366, NEGATIVE);
			CdsHooksClient.Answer answer = sign(stale);
			assertThat(loincCodes(answer.card("RTX-4"))).containsExactly("16128-1");
			assertThat(text(answer.card("RTX-4"), "detail")).contains("older than 365 days");
			assertThat(text(answer.card("RTX-4"), "summary")).isEqualTo("Order missing pre-rituximab tests: HCV antibody");
		}

		@Test
		void anOldResultBesideACurrentOneDoesNotMatter() {
			PatientScenario scenario = refractoryAdult("rtx4-hcv-both")
				.lab("16128-1", "Hepatitis C virus Ab [Presence] in Serum", 800, NEGATIVE)
				.draft(standardCourse());
			assertThat(rules(scenario)).doesNotContain("RTX-4");
		}

		@Test
		void aNegativeExactlyAtTheLookbackStillCounts() {
			PatientScenario scenario = screenedExcept("rtx4-hcv-365", "16128-1")
				.lab("16128-1", "Hepatitis C virus Ab [Presence] in Serum", 365, NEGATIVE);
			assertThat(rules(scenario)).doesNotContain("RTX-4");
		}

		@Test
		void anIndeterminateHcvAntibodyIsNotAResult() {
			PatientScenario scenario = screenedExcept("rtx4-hcv-ind", "16128-1")
				.lab("16128-1", "Hepatitis C virus Ab [Presence] in Serum", 5, coded("82334004", "Indeterminate"));
			assertThat(loincCodes(sign(scenario).card("RTX-4"))).containsExactly("16128-1");
		}

		@Test
		void aPositiveTbScreenFiresWhateverItsAgeWithNothingToOrder() {
			PatientScenario scenario = screenedExcept("rtx4-igra-pos", "71773-6")
				.lab("71773-6", "Mycobacterium tuberculosis stimulated gamma interferon [Interpretation] in Blood Qualitative", 400, POSITIVE);
			JsonNode card = sign(scenario).card("RTX-4");
			assertThat(text(card, "summary")).startsWith("Positive TB screen");
			assertThat(card.path("suggestions")).isEmpty();
		}

		@Test
		void aPositiveAndAMissingTestShareOneCard() {
			PatientScenario scenario = screenedExcept("rtx4-pos-missing", "16128-1", "6690-2")
				.lab("16128-1", "Hepatitis C virus Ab [Presence] in Serum", 900, POSITIVE);
			CdsHooksClient.Answer answer = sign(scenario);
			assertThat(answer.rules()).containsOnlyOnce("RTX-4");
			JsonNode card = answer.card("RTX-4");
			assertThat(text(card, "summary")).isEqualTo("Positive HCV antibody: address before rituximab; Order missing pre-rituximab tests: CBC");
			assertThat(loincCodes(card)).containsExactly("58410-2");
		}

		@Test
		void aRenalFunctionIsCreatinineOrEgfr() {
			assertThat(rules(screenedExcept("rtx4-egfr-only", "2160-0"))).doesNotContain("RTX-4");
		}

		@Test
		void aCbcOf31DaysIsStaleAnd30IsCurrent() {
			assertThat(loincCodes(sign(screenedExcept("rtx4-cbc-31", "6690-2")
				.lab("6690-2", "Leukocytes [#/volume] in Blood by Automated count", 31, quantity(7.2, "10*3/uL"))).card("RTX-4")))
				.containsExactly("58410-2");
			assertThat(rules(screenedExcept("rtx4-cbc-30", "6690-2")
				.lab("6690-2", "Leukocytes [#/volume] in Blood by Automated count", 30, quantity(7.2, "10*3/uL"))))
				.doesNotContain("RTX-4");
		}

		@Test
		void aPreliminaryResultDoesNotCount() {
			// renal function is creatinine or eGFR: without the eGFR, a preliminary creatinine leaves it missing
			PatientScenario scenario = screenedExcept("rtx4-prelim", "2160-0", "98979-8")
				.lab("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", 3,
						quantity(0.8, "mg/dL").andThen(status(Observation.ObservationStatus.PRELIMINARY)));
			assertThat(loincCodes(sign(scenario).card("RTX-4"))).containsExactly("2160-0");
		}

		@Test
		void aTuberculinSkinTestWithoutInterpretationIsNotAResult() {
			PatientScenario scenario = screenedExcept("rtx4-tst", "71773-6")
				.lab("1648-5", "Tuberculosis reaction wheal [Diameter] --3 days post 5 TU ID", 20, quantity(12, "mm"));
			assertThat(loincCodes(sign(scenario).card("RTX-4"))).containsExactly("71775-1");
		}

		@Test
		void aWomanOf30NeedsAPregnancyTestWithinSevenDays() {
			PatientScenario without = screened(onPneumocystisProphylaxis(onPrednisoneAndMethotrexate(
					patient("rtx4-f30").bornYearsAgo(30, 10).dermatomyositis()))).draft(standardCourse());
			assertThat(loincCodes(sign(without).card("RTX-4"))).containsExactly("2118-8");
			PatientScenario eightDays = pregnancyTest(screened(onPneumocystisProphylaxis(onPrednisoneAndMethotrexate(
					patient("rtx4-f30-8d").bornYearsAgo(30, 10).dermatomyositis()))), 8).draft(standardCourse());
			assertThat(loincCodes(sign(eightDays).card("RTX-4"))).containsExactly("2118-8");
			PatientScenario tested = pregnancyTest(screened(onPneumocystisProphylaxis(onPrednisoneAndMethotrexate(
					patient("rtx4-f30-test").bornYearsAgo(30, 10).dermatomyositis()))), 7).draft(standardCourse());
			assertThat(rules(tested)).doesNotContain("RTX-4");
		}

		@Test
		void noPregnancyTestForAManOrAWomanOf56ButOneWhenGenderIsNotRecorded() {
			PatientScenario man = screened(onPneumocystisProphylaxis(onPrednisoneAndMethotrexate(
					patient("rtx4-m30").male().bornYearsAgo(30, 10).dermatomyositis()))).draft(standardCourse());
			assertThat(rules(man)).doesNotContain("RTX-4");
			PatientScenario woman56 = screened(onPneumocystisProphylaxis(onPrednisoneAndMethotrexate(
					patient("rtx4-f56").bornYearsAgo(56, 10).dermatomyositis()))).draft(standardCourse());
			assertThat(rules(woman56)).doesNotContain("RTX-4");
			PatientScenario unknown = screened(onPneumocystisProphylaxis(onPrednisoneAndMethotrexate(
					patient("rtx4-nogender").withoutGender().bornYearsAgo(30, 10).dermatomyositis()))).draft(standardCourse());
			assertThat(loincCodes(sign(unknown).card("RTX-4"))).containsExactly("2118-8");
		}

		/** The refractory adult ordering the standard course, with the screening minus one test (by LOINC code). */
		PatientScenario screenedExcept(String id, String... loinc) {
			return screened(onPneumocystisProphylaxis(dermatomyositisOnPrednisoneAndMethotrexate(id)), loinc).draft(standardCourse());
		}
	}

	@Nested
	class Rtx5DelayedEffect {

		PatientScenario cd19(PatientScenario scenario) {
			return scenario.lab("8117-4", "CD19 cells/100 cells in Blood", 20, quantity(11, "%"));
		}

		PatientScenario givenDaysAgo(String id, int... days) {
			PatientScenario scenario = refractoryAdult(id);
			for (int day : days) {
				scenario.medicationAdministration("1657867", "50 ML rituximab 10 MG/ML Injection", day, 1000);
			}
			return scenario;
		}

		@Test
		void firesForACourse22WeeksAgo() {
			CdsHooksClient.Answer answer = sign(givenDaysAgo("rtx5-22wk", 160).draft(standardCourse()));
			assertThat(answer.rules()).contains("RTX-5");
			JsonNode card = answer.card("RTX-5");
			assertThat(text(card, "indicator")).isEqualTo("warning");
			assertThat(text(card, "summary")).contains("22 weeks ago");
			assertThat(text(card, "detail")).contains("160 days", "26 weeks", "not part of that course");
		}

		@Test
		void firesAt167DaysAndStaysSilentAt168() {
			assertThat(rules(givenDaysAgo("rtx5-167", 167).draft(standardCourse()))).contains("RTX-5");
			assertThat(rules(givenDaysAgo("rtx5-168", 168).draft(standardCourse()))).doesNotContain("RTX-5");
		}

		@Test
		void theDay14SecondInfusionIsPartOfTheCourseAndRepeatsNoOncePerCourseCard() {
			PatientScenario scenario = cd19(givenDaysAgo("rtx5-day14", 14)).draft(rituximab("rtx-2", count(dose(1000, "mg"), 1)));
			assertThat(rules(scenario)).isEmpty();
		}

		@Test
		void day21IsStillPartOfTheCourseAndDay22IsEarlyRetreatment() {
			assertThat(rules(givenDaysAgo("rtx5-day21", 21).draft(rituximab("rtx-2", count(dose(1000, "mg"), 1)))))
				.doesNotContain("RTX-5", "RTX-6");
			CdsHooksClient.Answer day22 = sign(givenDaysAgo("rtx5-day22", 22).draft(standardCourse()));
			assertThat(day22.rules()).contains("RTX-5", "RTX-6").doesNotContain("RTX-1", "RTX-10");
		}

		@Test
		void anOrderWritten10DaysBeforeItsInfusionDoesNotShiftTheCourse() {
			PatientScenario dated = givenDaysAgo("rtx5-order-10d", 14)
				.medicationOrder("1657867", "50 ML rituximab 10 MG/ML Injection", MedicationRequestStatus.COMPLETED, 24, null)
				.draft(rituximab("rtx-2", count(dose(1000, "mg"), 1)));
			assertThat(rules(dated)).isEmpty();
			// without the administration, the order's own date is all there is: the course started 24 days ago
			PatientScenario orderOnly = refractoryAdult("rtx5-order-only")
				.medicationOrder("1657867", "50 ML rituximab 10 MG/ML Injection", MedicationRequestStatus.COMPLETED, 24, null)
				.draft(rituximab("rtx-2", count(dose(1000, "mg"), 1)));
			assertThat(rules(orderOnly)).contains("RTX-5");
		}

		@Test
		void maintenanceFromWeek24GetsNoRtx5ButEarlierItDoes() {
			assertThat(rules(givenDaysAgo("rtx5-maint-167", 200, 167).draft(rituximab("rtx-2", count(dose(1000, "mg"), 1)))))
				.contains("RTX-5");
			assertThat(rules(givenDaysAgo("rtx5-maint-168", 350, 168).draft(rituximab("rtx-2", count(dose(1000, "mg"), 1)))))
				.doesNotContain("RTX-5", "RTX-2");
		}

		@Test
		void aCourseIsDatedFromItsFirstInfusion() {
			CdsHooksClient.Answer answer = sign(givenDaysAgo("rtx5-course", 60, 46).draft(standardCourse()));
			assertThat(text(answer.card("RTX-5"), "detail")).contains("started " + LocalDate.now().minusDays(60) + " (60 days");
		}

		@Test
		void aCyclophosphamideOrderAfterRecentRituximabGetsInfo() {
			PatientScenario scenario = givenDaysAgo("rtx5-cyc", 100).draft(cyclophosphamide("cyc-1"));
			CdsHooksClient.Answer answer = sign(scenario);
			assertThat(answer.rules()).containsExactly("RTX-5");
			assertThat(text(answer.card("RTX-5"), "indicator")).isEqualTo("info");
			CdsHooksClient.Answer selected = client.call(SELECT, scenario.orderSelect(SELECT, "cyc-1"));
			assertThat(selected.rules()).containsExactly("RTX-5");
		}

		@Test
		void aCyclophosphamideOrderGetsInfoUpTo26WeeksAfterTheCourse() {
			assertThat(rules(givenDaysAgo("rtx5-cyc-182", 182).draft(cyclophosphamide("cyc-1")))).containsExactly("RTX-5");
			assertThat(rules(givenDaysAgo("rtx5-cyc-183", 183).draft(cyclophosphamide("cyc-1")))).isEmpty();
		}

		@Test
		void aCyclophosphamideOrderWithoutRecentRituximabGetsNothing() {
			assertThat(rules(givenDaysAgo("rtx5-cyc-old", 300).draft(cyclophosphamide("cyc-1")))).isEmpty();
			assertThat(rules(refractoryAdult("rtx5-cyc-never").draft(cyclophosphamide("cyc-1")))).isEmpty();
		}

		@Test
		void rituximabAndCyclophosphamideTogetherGetOneWarning() {
			CdsHooksClient.Answer answer = sign(givenDaysAgo("rtx5-both", 100).draft(standardCourse()).draft(cyclophosphamide("cyc-1")));
			assertThat(answer.rules()).containsOnlyOnce("RTX-5");
			assertThat(text(answer.card("RTX-5"), "indicator")).isEqualTo("warning");
		}
	}

	@Nested
	class Rtx6Combination {

		@Test
		void namesTheActiveAgents() {
			JsonNode card = sign(refractoryAdult("rtx6").draft(standardCourse())).card("RTX-6");
			assertThat(text(card, "detail")).contains("prednisone 20 MG Oral Tablet: active order since " + LocalDate.now().minusDays(180),
					"methotrexate 2.5 MG Oral Tablet: active order since " + LocalDate.now().minusDays(175));
			assertThat(text(card, "detail")).doesNotContain("tacrolimus");
		}

		@Test
		void pointsToTheTacrolimusServiceWhenTacrolimusIsAmongThem() {
			PatientScenario scenario = refractoryAdult("rtx6-tac")
				.activeMedication("198377", "tacrolimus 1 MG Oral Capsule", 90, every(dose(2, "mg"), 2, 1, "d"))
				.draft(standardCourse());
			assertThat(text(sign(scenario).card("RTX-6"), "detail")).contains("tacrolimus 1 MG Oral Capsule", "tacrolimus-deescalation-order-sign");
		}

		@Test
		void topicalTacrolimusIsNotImmunosuppressionByCodeOrByRoute() {
			MedicationRequest byRoute = order("tac-oint", "42316", "tacrolimus").addDosageInstruction(
					new Dosage().setText("apply thinly twice daily").setRoute(new CodeableConcept(
							new Coding(SNOMED, "6064005", "Topical route")).setText("topical")));
			byRoute.setStatus(MedicationRequestStatus.ACTIVE);
			PatientScenario scenario = screened(patient("rtx6-topical").bornYearsAgo(58, 30).dermatomyositis())
				.activeMedication("314266", "tacrolimus 0.001 MG/MG Topical Ointment", 60)
				.record(byRoute)
				.draft(standardCourse());
			assertThat(rules(scenario)).doesNotContain("RTX-6", "RTX-7");
		}

		@Test
		void subcutaneousMethotrexateIsNotTopical() {
			Dosage weekly = every(dose(20, "mg"), 1, 1, "wk")
				.setRoute(new CodeableConcept(new Coding(SNOMED, "34206005", "Subcutaneous route")).setText("subcutaneous"));
			PatientScenario scenario = screened(patient("rtx6-sc").bornYearsAgo(58, 30).dermatomyositis())
				.activeMedication(METHOTREXATE, "methotrexate 25 MG/ML Injectable Solution", 120, weekly)
				.draft(standardCourse());
			assertThat(text(sign(scenario).card("RTX-6"), "detail")).contains("methotrexate");
		}

		@Test
		void isOncePerCourse() {
			PatientScenario scenario = refractoryAdult("rtx6-day14")
				.medicationAdministration("1657867", "50 ML rituximab 10 MG/ML Injection", 14, 1000)
				.draft(rituximab("rtx-2", count(dose(1000, "mg"), 1)));
			assertThat(rules(scenario)).doesNotContain("RTX-6");
		}

		@Test
		void staysSilentWhenEverythingWasStopped() {
			PatientScenario scenario = screened(patient("rtx6-stopped").bornYearsAgo(58, 30).dermatomyositis())
				.medicationOrder(PREDNISONE, "prednisone 20 MG Oral Tablet", MedicationRequestStatus.COMPLETED, 400, 200)
				.medicationOrder(METHOTREXATE, "methotrexate 2.5 MG Oral Tablet", MedicationRequestStatus.STOPPED, 390, 200)
				.draft(standardCourse());
			assertThat(rules(scenario)).containsExactly("RTX-10");
		}
	}

	@Nested
	class Rtx7PneumocystisProphylaxis {

		org.hl7.fhir.r4.model.AllergyIntolerance sulfonamideAllergy(String patientId, String verification) {
			org.hl7.fhir.r4.model.AllergyIntolerance allergy = new org.hl7.fhir.r4.model.AllergyIntolerance();
			allergy.setId("allergy-" + patientId);
			allergy.setClinicalStatus(new CodeableConcept(new Coding(
					"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", null)));
			allergy.setVerificationStatus(new CodeableConcept(new Coding(
					"http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", verification, null)));
			allergy.setCode(new CodeableConcept(new Coding(SNOMED, "387406002", "Sulfonamide (substance)"))
				.setText("sulfonamide antibacterial"));
			allergy.setPatient(new org.hl7.fhir.r4.model.Reference("Patient/" + patientId));
			return allergy;
		}

		@Test
		void firesForPrednisoneAndMethotrexateWithoutProphylaxisAndSuggestsTrimethoprimSulfamethoxazole() {
			PatientScenario scenario = screened(dermatomyositisOnPrednisoneAndMethotrexate("rtx7")).draft(standardCourse());
			CdsHooksClient.Answer answer = sign(scenario);
			assertThat(answer.rules()).containsExactly("RTX-6", "RTX-7", "RTX-10");
			JsonNode card = answer.card("RTX-7");
			assertThat(text(card, "indicator")).isEqualTo("warning");
			assertThat(text(card, "selectionBehavior")).isEqualTo("at-most-one");
			assertThat(actions(card)).hasSize(1);
			JsonNode action = actions(card).get(0);
			assertThat(action.path("type").asText()).isEqualTo("create");
			JsonNode order = action.path("resource");
			assertThat(order.path("resourceType").asText()).isEqualTo("MedicationRequest");
			assertThat(order.path("status").asText()).isEqualTo("draft");
			assertThat(order.path("intent").asText()).isEqualTo("order");
			assertThat(order.path("subject").path("reference").asText()).isEqualTo("Patient/rtx7");
			JsonNode coding = order.path("medicationCodeableConcept").path("coding").get(0);
			assertThat(coding.path("system").asText()).isEqualTo(PatientScenario.RXNORM);
			assertThat(coding.path("code").asText()).isEqualTo(TMP_SMX_SS);
			JsonNode repeat = order.path("dosageInstruction").get(0).path("timing").path("repeat");
			assertThat(repeat.path("frequency").asInt()).isEqualTo(1);
			assertThat(repeat.path("period").asInt()).isEqualTo(1);
			assertThat(repeat.path("periodUnit").asText()).isEqualTo("d");
		}

		@Test
		void theSuggestedOrderHasAStructuredDoseReadAsProphylaxis() {
			CdsHooksClient.Answer answer = sign(screened(dermatomyositisOnPrednisoneAndMethotrexate("rtx7-dose")).draft(standardCourse()));
			JsonNode card = answer.card("RTX-7");
			assertThat(text(card, "summary")).startsWith("Consider Pneumocystis prophylaxis");
			JsonNode dosage = actions(card).get(0).path("resource").path("dosageInstruction").get(0);
			JsonNode doseQuantity = dosage.path("doseAndRate").get(0).path("doseQuantity");
			assertThat(doseQuantity.path("value").asInt()).isEqualTo(1);
			assertThat(doseQuantity.path("code").asText()).isEqualTo("{tbl}");
			assertThat(doseQuantity.path("system").asText()).isEqualTo(UCUM);
			assertThat(dosage.path("route").path("coding").get(0).path("code").asText()).isEqualTo("26643006");
			// the order it creates, once active, is prophylaxis: no RTX-7, and not an antibiotic course (RTX-9)
			MedicationRequest created = FHIR.newJsonParser().parseResource(MedicationRequest.class,
					actions(card).get(0).path("resource").toString());
			created.setId("tmp-created");
			created.setStatus(MedicationRequestStatus.ACTIVE);
			created.setAuthoredOnElement(PatientScenario.daysAgo(1));
			created.setSubject(new org.hl7.fhir.r4.model.Reference("Patient/rtx7-created"));
			PatientScenario onIt = screened(dermatomyositisOnPrednisoneAndMethotrexate("rtx7-created")).record(created)
				.draft(standardCourse());
			assertThat(rules(onIt)).doesNotContain("RTX-7", "RTX-9");
		}

		@Test
		void withASulfonamideAllergySuggestsAtovaquoneAndNamesTheAllergy() {
			PatientScenario allergic = screened(dermatomyositisOnPrednisoneAndMethotrexate("rtx7-sulfa"))
				.record(sulfonamideAllergy("rtx7-sulfa", "confirmed"))
				.draft(standardCourse());
			JsonNode card = sign(allergic).card("RTX-7");
			assertThat(text(card, "detail")).contains("Allergy: sulfonamide antibacterial", "atovaquone 1500 mg once daily");
			JsonNode order = actions(card).get(0).path("resource");
			assertThat(order.path("medicationCodeableConcept").path("coding").get(0).path("code").asText()).isEqualTo("211947");
			JsonNode doseQuantity = order.path("dosageInstruction").get(0).path("doseAndRate").get(0).path("doseQuantity");
			assertThat(doseQuantity.path("value").asInt()).isEqualTo(1500);
			assertThat(doseQuantity.path("code").asText()).isEqualTo("mg");
			PatientScenario refuted = screened(dermatomyositisOnPrednisoneAndMethotrexate("rtx7-sulfa-refuted"))
				.record(sulfonamideAllergy("rtx7-sulfa-refuted", "refuted"))
				.draft(standardCourse());
			JsonNode tmpSmx = actions(sign(refuted).card("RTX-7")).get(0).path("resource");
			assertThat(tmpSmx.path("medicationCodeableConcept").path("coding").get(0).path("code").asText()).isEqualTo(TMP_SMX_SS);
		}

		@Test
		void forAChildSaysToDoseByWeightWithoutAProduct() {
			PatientScenario child = screened(onPrednisoneAndMethotrexate(patient("rtx7-child").male().bornYearsAgo(10, 30)
				.condition(SNOMED, "1212005", "Childhood type dermatomyositis", "active")))
				.height(140, "cm", 5).weight(35, "kg", 5)
				.draft(rituximab("rtx-1", times(dose(670, "mg"), 2, 14, "d")));
			JsonNode card = sign(child).card("RTX-7");
			assertThat(text(card, "detail")).contains("dosed by weight");
			assertThat(card.path("suggestions")).isEmpty();
		}

		@Test
		void ivigIsListedByRtx6ButDoesNotMakeTripleImmunosuppression() {
			PatientScenario scenario = screened(patient("rtx7-ivig").bornYearsAgo(58, 30).dermatomyositis())
				.activeMedication(PREDNISONE, "prednisone 20 MG Oral Tablet", 200, daily(20))
				.medicationStatement("http://hl7.org/fhir/sid/cvx", "87", "immune globulin, intravenous",
						MedicationStatementStatus.ACTIVE, 90, null)
				.draft(standardCourse());
			CdsHooksClient.Answer answer = sign(scenario);
			assertThat(answer.rules()).contains("RTX-6").doesNotContain("RTX-7");
			assertThat(text(answer.card("RTX-6"), "detail")).contains("immune globulin, intravenous");
		}

		@Test
		void firesForPrednisoneWithTocilizumab() {
			PatientScenario scenario = screened(patient("rtx7-toci").bornYearsAgo(58, 30).dermatomyositis())
				.activeMedication(PREDNISONE, "prednisone 20 MG Oral Tablet", 200, daily(20))
				.activeMedication("612865", "tocilizumab", 60, dose(8, "mg/kg"))
				.draft(standardCourse());
			assertThat(rules(scenario)).contains("RTX-7");
		}

		@Test
		void staysSilentWithoutAGlucocorticoid() {
			PatientScenario scenario = screened(patient("rtx7-mtx").bornYearsAgo(58, 30).dermatomyositis())
				.activeMedication(METHOTREXATE, "methotrexate 2.5 MG Oral Tablet", 175, every(dose(20, "mg"), 1, 1, "wk"))
				.draft(standardCourse());
			assertThat(rules(scenario)).doesNotContain("RTX-7").contains("RTX-6");
		}

		@Test
		void staysSilentWithProphylaxisDraftedInTheSameRequestOrOnDapsone() {
			PatientScenario drafted = screened(dermatomyositisOnPrednisoneAndMethotrexate("rtx7-drafted")).draft(standardCourse())
				.draft(order("tmp-1", TMP_SMX_SS, "sulfamethoxazole 400 MG / trimethoprim 80 MG Oral Tablet")
					.addDosageInstruction(every(dose(1, "{tbl}"), 1, 1, "d")));
			assertThat(rules(drafted)).doesNotContain("RTX-7");
			PatientScenario dapsone = screened(dermatomyositisOnPrednisoneAndMethotrexate("rtx7-dapsone"))
				.medicationStatement("3108", "dapsone", MedicationStatementStatus.ACTIVE, 30, null)
				.draft(standardCourse());
			assertThat(rules(dapsone)).doesNotContain("RTX-7");
		}
	}

	@Nested
	class Rtx8SpecialPopulations {

		PatientScenario aged(String id, int years, int extraDays) {
			return screened(onPneumocystisProphylaxis(onPrednisoneAndMethotrexate(
					patient(id).bornYearsAgo(years, extraDays).dermatomyositis()))).draft(standardCourse());
		}

		@Test
		void firesAt65AndNotAt64() {
			CdsHooksClient.Answer answer = sign(aged("rtx8-65", 65, 0));
			assertThat(answer.rules()).contains("RTX-8");
			assertThat(text(answer.card("RTX-8"), "detail")).contains("Age 65 years");
			assertThat(text(answer.card("RTX-8"), "indicator")).isEqualTo("warning");
			assertThat(rules(aged("rtx8-64", 65, -1))).doesNotContain("RTX-8");
		}

		@Test
		void firesForDiabetes() {
			PatientScenario scenario = refractoryAdult("rtx8-dm")
				.condition(SNOMED, "44054006", "Diabetes mellitus type 2 (disorder)", "active", 2000).draft(standardCourse());
			assertThat(text(sign(scenario).card("RTX-8"), "detail")).contains("Diabetes: Diabetes mellitus type 2");
		}

		@Test
		void firesForAnEgfrBelow60WithTheTacrolimusAdvice() {
			PatientScenario scenario = refractoryAdult("rtx8-egfr")
				.lab("98979-8", "eGFR (CKD-EPI 2021)", 3, quantity(55, "mL/min/{1.73_m2}")).draft(standardCourse());
			String detail = text(sign(scenario).card("RTX-8"), "detail");
			assertThat(detail).contains("eGFR 55 mL/min/{1.73_m2}", "avoid concomitant tacrolimus");
		}

		@Test
		void firesForChronicKidneyDiseaseCodedInIcd10() {
			PatientScenario scenario = refractoryAdult("rtx8-ckd")
				.condition(PatientScenario.ICD10CM, "N18.31", "Chronic kidney disease, stage 3a", "active", 700).draft(standardCourse());
			assertThat(text(sign(scenario).card("RTX-8"), "detail"))
				.contains("Chronic kidney disease: Chronic kidney disease, stage 3a", "avoid concomitant tacrolimus");
		}
	}

	// RTX-8's infection episodes and RTX-9: ActiveSeriousInfectionRulesTests.

	@Nested
	class Rtx10MonitoringPlan {

		@Test
		void firesForAFirstCourseWithThePlan() {
			JsonNode card = sign(refractoryAdult("rtx10").draft(standardCourse())).card("RTX-10");
			assertThat(text(card, "detail")).contains("Complete blood count every 2-4 weeks", "Pulmonary function tests every 6 months",
					"PML").doesNotContain("Interstitial lung disease on record");
		}

		@Test
		void addsTheIldWarningWhenIldIsOnRecord() {
			PatientScenario scenario = refractoryAdult("rtx10-ild")
				.condition(SNOMED, "233703007", "Interstitial lung disease (disorder)", "active", 300).draft(standardCourse());
			assertThat(text(sign(scenario).card("RTX-10"), "detail")).contains("Interstitial lung disease on record", "15 % fatality");
		}

		@Test
		void staysSilentWithExposureInTheLastYear() {
			PatientScenario order = refractoryAdult("rtx10-order")
				.medicationOrder("1657867", "50 ML rituximab 10 MG/ML Injection", MedicationRequestStatus.COMPLETED, 300, null)
				.draft(standardCourse());
			assertThat(rules(order)).doesNotContain("RTX-10");
			PatientScenario statement = refractoryAdult("rtx10-365")
				.medicationStatement("121191", "rituximab", MedicationStatementStatus.COMPLETED, 365, 365)
				.draft(standardCourse());
			assertThat(rules(statement)).doesNotContain("RTX-10");
		}

		@Test
		void exposure366DaysAgoIsANewCourse() {
			PatientScenario scenario = refractoryAdult("rtx10-366")
				.medicationAdministration("1657867", "50 ML rituximab 10 MG/ML Injection", 366, 1000).draft(standardCourse());
			assertThat(rules(scenario)).contains("RTX-10");
		}
	}

	@Nested
	class Rtx11Hypogammaglobulinemia {

		PatientScenario withIgg(String id, Consumer<Observation> result) {
			return refractoryAdult(id).lab("2465-3", "IgG [Mass/volume] in Serum or Plasma", 5, result).draft(standardCourse());
		}

		@Test
		void firesBelowTheReferenceRange() {
			JsonNode card = sign(withIgg("rtx11-600", quantity(600, "mg/dL").andThen(referenceRange(700, 1600, "mg/dL")))).card("RTX-11");
			assertThat(text(card, "indicator")).isEqualTo("warning");
			assertThat(text(card, "detail")).contains("IgG: 600 mg/dL", "reference range low 700 mg/dL", "**low**");
		}

		@Test
		void staysSilentWithinTheReferenceRange() {
			assertThat(rules(refractoryAdult("rtx11-normal").draft(standardCourse()))).doesNotContain("RTX-11");
		}

		@Test
		void withoutARangeComparesWith700MgPerDlInAnyUnit() {
			assertThat(rules(withIgg("rtx11-gl", quantity(6.5, "g/L")))).contains("RTX-11");
			assertThat(rules(withIgg("rtx11-750", quantity(750, "mg/dL")))).doesNotContain("RTX-11");
		}

		@Test
		void aRangeWithoutUnitIsInTheValuesUnit() {
			Consumer<Observation> unitlessRange = o -> o.addReferenceRange()
				.setLow((org.hl7.fhir.r4.model.SimpleQuantity) new org.hl7.fhir.r4.model.SimpleQuantity().setValue(7));
			JsonNode card = sign(withIgg("rtx11-unitless", quantity(6.5, "g/L").andThen(unitlessRange))).card("RTX-11");
			assertThat(text(card, "detail")).contains("IgG: 6.5 g/L", "reference range low 7)", "**low**");
			assertThat(rules(withIgg("rtx11-unitless-ok", quantity(7.5, "g/L").andThen(unitlessRange)))).doesNotContain("RTX-11");
		}

		@Test
		void anIggThatCannotBeComparedFiresSayingSo() {
			JsonNode card = sign(withIgg("rtx11-mmol", quantity(9, "mmol/L"))).card("RTX-11");
			assertThat(text(card, "summary")).startsWith("Check the IgG result");
			assertThat(text(card, "detail")).contains("IgG: 9 mmol/L", "cannot be compared");
		}

		@Test
		void firesForAHypogammaglobulinemiaCondition() {
			PatientScenario scenario = refractoryAdult("rtx11-cond")
				.condition(SNOMED, "119250001", "Hypogammaglobulinemia", "active", 100).draft(standardCourse());
			assertThat(text(sign(scenario).card("RTX-11"), "detail")).contains("Condition: Hypogammaglobulinemia");
		}
	}

	@Nested
	class Rtx12BCellsAndRetreatment {

		PatientScenario cd19(PatientScenario scenario) {
			return scenario.lab("8117-4", "CD19 cells/100 cells in Blood", 20, quantity(1, "%"));
		}

		PatientScenario treated(String id) {
			return refractoryAdult(id).medicationAdministration("1657867", "50 ML rituximab 10 MG/ML Injection", 250, 1000);
		}

		@Test
		void firesForRetreatmentWithACd19Count() {
			CdsHooksClient.Answer answer = sign(cd19(treated("rtx12")).draft(standardCourse()));
			assertThat(answer.rules()).containsExactly("RTX-6", "RTX-12");
			JsonNode card = answer.card("RTX-12");
			assertThat(text(card, "indicator")).isEqualTo("info");
			assertThat(text(card, "detail")).contains("Latest CD19: 1 %", "clinical relapse");
		}

		@Test
		void staysSilentOnTheDay14InfusionOfTheCourse() {
			PatientScenario scenario = cd19(refractoryAdult("rtx12-day14")
				.medicationAdministration("1657867", "50 ML rituximab 10 MG/ML Injection", 14, 1000))
				.draft(rituximab("rtx-2", count(dose(1000, "mg"), 1)));
			assertThat(rules(scenario)).doesNotContain("RTX-12");
		}

		@Test
		void staysSilentWithoutACd19Count() {
			assertThat(rules(treated("rtx12-nocd19").draft(standardCourse()))).doesNotContain("RTX-12");
		}

		@Test
		void staysSilentWithoutPriorRituximab() {
			assertThat(rules(cd19(refractoryAdult("rtx12-new")).draft(standardCourse()))).doesNotContain("RTX-12");
		}
	}

	@Nested
	class Rtx13Pregnancy {

		static final String URINE_HCG = "2106-3";

		static final String SERUM_HCG_QUANTITATIVE = "19080-1";

		/** A woman of 30 on the refractory regimen, screened (pregnancy test aside), ordering the standard course. */
		PatientScenario woman(String id) {
			return screened(onPneumocystisProphylaxis(onPrednisoneAndMethotrexate(
					patient(id).bornYearsAgo(30, 10).dermatomyositis()))).draft(standardCourse());
		}

		PatientScenario urineHcg(PatientScenario scenario, int days, Consumer<Observation> result) {
			return scenario.lab(URINE_HCG, "Choriogonadotropin (pregnancy test) [Presence] in Urine", days, result);
		}

		@Test
		void aPositiveTestFiresCriticalWithTheTestAndTheOverrideReasons() {
			CdsHooksClient.Answer answer = sign(urineHcg(woman("rtx13-pos"), 10, POSITIVE));
			assertThat(answer.rules()).containsExactly("RTX-4", "RTX-6", "RTX-10", "RTX-13");
			JsonNode card = answer.card("RTX-13");
			assertThat(text(card, "indicator")).isEqualTo("critical");
			assertThat(text(card, "summary")).isEqualTo("Pregnancy: avoid rituximab unless the benefit clearly outweighs the risk");
			assertThat(text(card, "detail")).contains("Positive on " + LocalDate.now().minusDays(10), "**positive**",
					"crosses the placenta", "12 months after the last dose", "obstetrics");
			List<String> reasons = new ArrayList<>();
			card.path("overrideReasons").forEach(reason -> reasons.add(reason.path("display").asText()));
			assertThat(reasons).containsExactly("Benefit outweighs risk after discussion", "Patient is not pregnant (result superseded)");
			assertThat(text(answer.card("RTX-4"), "detail")).as("a test 10 days old is not RTX-4's current one")
				.contains("Pregnancy test");
		}

		@Test
		void aPositiveTextResultOf30DaysFiresAnd31DoesNot() {
			assertThat(rules(urineHcg(woman("rtx13-30"), 30, PatientScenario.text("POSITIVE")))).contains("RTX-13");
			assertThat(rules(urineHcg(woman("rtx13-31"), 31, PatientScenario.text("POSITIVE")))).doesNotContain("RTX-13");
		}

		@Test
		void aLaterNegativeSupersedesThePositiveButOneOfTheSameDayDoesNot() {
			PatientScenario superseded = urineHcg(urineHcg(woman("rtx13-superseded"), 12, POSITIVE), 3, NEGATIVE);
			assertThat(rules(superseded)).doesNotContain("RTX-13", "RTX-4");
			PatientScenario sameDay = urineHcg(urineHcg(woman("rtx13-same-day"), 3, POSITIVE), 3, NEGATIVE);
			assertThat(rules(sameDay)).contains("RTX-13");
			PatientScenario positiveAgain = urineHcg(urineHcg(urineHcg(woman("rtx13-again"), 20, POSITIVE), 12, NEGATIVE), 3, POSITIVE);
			assertThat(rules(positiveAgain)).contains("RTX-13");
		}

		@Test
		void aQuantitativeHcgIsReadByItsRangeOrBy25IuPerLitre() {
			assertThat(rules(woman("rtx13-q25").lab(SERUM_HCG_QUANTITATIVE, "Choriogonadotropin [Units/volume] in Serum or Plasma", 2,
					quantity(25, "m[IU]/mL")))).contains("RTX-13");
			assertThat(rules(woman("rtx13-q24").lab(SERUM_HCG_QUANTITATIVE, "Choriogonadotropin [Units/volume] in Serum or Plasma", 2,
					quantity(24, "m[IU]/mL")))).doesNotContain("RTX-13", "RTX-4");
			assertThat(rules(woman("rtx13-range").lab(SERUM_HCG_QUANTITATIVE, "Choriogonadotropin [Units/volume] in Serum or Plasma", 2,
					quantity(8, "m[IU]/mL").andThen(referenceRange(0, 5, "m[IU]/mL"))))).contains("RTX-13");
			assertThat(rules(woman("rtx13-in-range").lab(SERUM_HCG_QUANTITATIVE, "Choriogonadotropin [Units/volume] in Serum or Plasma", 2,
					quantity(4, "m[IU]/mL").andThen(referenceRange(0, 5, "m[IU]/mL"))))).doesNotContain("RTX-13");
		}

		@Test
		void anIndeterminateTestIsNotAResult() {
			assertThat(rules(urineHcg(woman("rtx13-ind"), 2, coded("82334004", "Indeterminate")))).doesNotContain("RTX-13");
		}

		@Test
		void aPregnancyConditionFiresEvenAfterANegativeTestAndAResolvedOneDoesNot() {
			PatientScenario active = pregnancyTest(woman("rtx13-cond"), 2).condition(SNOMED, "77386006", "Pregnancy (finding)", "active", 60);
			JsonNode card = sign(active).card("RTX-13");
			assertThat(text(card, "detail")).contains("Condition: Pregnancy (finding) (onset " + LocalDate.now().minusDays(60) + ")");
			PatientScenario resolved = pregnancyTest(woman("rtx13-resolved"), 2)
				.condition(SNOMED, "77386006", "Pregnancy (finding)", "resolved", 400);
			assertThat(rules(resolved)).doesNotContain("RTX-13");
		}

		@Test
		void aManWithAPositiveHcgGetsNothingButAPatientWithoutGenderDoes() {
			PatientScenario man = screened(onPneumocystisProphylaxis(onPrednisoneAndMethotrexate(
					patient("rtx13-man").male().bornYearsAgo(30, 10).dermatomyositis()))).draft(standardCourse());
			assertThat(rules(urineHcg(man, 5, POSITIVE))).doesNotContain("RTX-13");
			PatientScenario unknown = screened(onPneumocystisProphylaxis(onPrednisoneAndMethotrexate(
					patient("rtx13-nogender").withoutGender().bornYearsAgo(30, 10).dermatomyositis()))).draft(standardCourse());
			assertThat(rules(urineHcg(unknown, 5, POSITIVE))).contains("RTX-13");
		}

		@Test
		void staysSilentWithoutAMyositisDiagnosis() {
			PatientScenario scenario = urineHcg(screened(patient("rtx13-no-myositis").bornYearsAgo(30, 10)
				.condition(SNOMED, "69896004", "Rheumatoid arthritis", "active")), 5, POSITIVE).draft(standardCourse());
			assertThat(rules(scenario)).isEmpty();
		}
	}

	// ----------------------------------------------------------------------------------------
	// The example requests and the fetch path
	// ----------------------------------------------------------------------------------------

	@Nested
	class ExampleRequests {

		@Test
		void theExamplesGetTheDocumentedCards() throws IOException {
			for (String serviceId : List.of(SIGN, SELECT)) {
				CdsHooksClient.Answer answer = client.call(serviceId, Files.readString(Path.of("hooks/examples/" + serviceId + ".json")));
				assertThat(answer.rules()).as(serviceId).containsExactly("RTX-4", "RTX-6", "RTX-10");
				assertThat(loincCodes(answer.card("RTX-4"))).as(serviceId).hasSize(8);
			}
		}

		@Test
		void theExamplesGiveTheSameCardsWhateverTheDay() throws IOException {
			// Calling later is the same as sending every date of the record earlier (the birth date
			// aside): up to 3 years later, no card changes. The examples do not expire.
			for (String serviceId : List.of(SIGN, SELECT)) {
				String example = Files.readString(Path.of("hooks/examples/" + serviceId + ".json"));
				CdsHooksClient.Answer today = client.call(serviceId, example);
				for (int days : new int[] { 31, 200, 400, 1000 }) {
					CdsHooksClient.Answer shifted = client.call(serviceId, shiftDates(example, days));
					assertThat(shifted.rules()).as(serviceId + " " + days).isEqualTo(today.rules());
					for (String rule : today.rules()) {
						assertThat(text(shifted.card(rule), "summary")).as(serviceId + " " + rule).isEqualTo(text(today.card(rule), "summary"));
					}
				}
			}
		}

		/** Every date of the request but the birth date moved {@code days} earlier. */
		String shiftDates(String json, int days) {
			Matcher dates = Pattern.compile("(\"(\\w+)\"\\s*:\\s*\")(\\d{4}-\\d{2}-\\d{2})").matcher(json);
			StringBuilder shifted = new StringBuilder();
			while (dates.find()) {
				LocalDate date = LocalDate.parse(dates.group(3));
				LocalDate moved = dates.group(2).equals("birthDate") ? date : date.minus(days, ChronoUnit.DAYS);
				dates.appendReplacement(shifted, Matcher.quoteReplacement(dates.group(1) + moved));
			}
			return dates.appendTail(shifted).toString();
		}
	}

	/**
	 * The day-14 infusion: rituximab ordered 24 days ago (10 days before its first infusion), the first
	 * infusion given 14 days ago, a CD19 count before it; the second infusion ordered now at {@code mg}.
	 */
	static PatientScenario day14Infusion(String id, double mg) {
		return refractoryAdult(id)
			.medicationOrder("1657867", "50 ML rituximab 10 MG/ML Injection", MedicationRequestStatus.COMPLETED, 24, null)
			.medicationAdministration("1657867", "50 ML rituximab 10 MG/ML Injection", 14, 1000)
			.lab("8117-4", "CD19 cells/100 cells in Blood", 20, quantity(11, "%"))
			.draft(rituximab("rtx-2", count(dose(mg, "mg"), 1)));
	}

	@Test
	void theDay14InfusionThroughTheFetchPathGetsOnlyTheDoseCard() {
		PatientScenario scenario = day14Infusion("fetch-rtx-day14-only", 1100);
		scenario.serveOn(ehr::stubFor, SIGN, "/fhir");
		CdsHooksClient.Answer fetched = client.call(SIGN, scenario.withoutPrefetch(SIGN, "order-sign", ehr.baseUrl() + "/fhir", TOKEN));
		assertThat(fetched.status()).as(fetched.body().toString()).isEqualTo(200);
		assertThat(fetched.rules()).containsExactly("RTX-2");
		assertThat(rules(day14Infusion("rtx-day14-1000", 1000))).isEmpty();
	}

	@Test
	void aPregnancyThroughTheFetchPathIsCritical() {
		PatientScenario scenario = pregnantWoman("fetch-rtx-pregnant-only");
		scenario.serveOn(ehr::stubFor, SIGN, "/fhir");
		CdsHooksClient.Answer fetched = client.call(SIGN, scenario.withoutPrefetch(SIGN, "order-sign", ehr.baseUrl() + "/fhir", TOKEN));
		assertThat(fetched.status()).as(fetched.body().toString()).isEqualTo(200);
		assertThat(fetched.rules()).contains("RTX-13");
		assertThat(text(fetched.card("RTX-13"), "indicator")).isEqualTo("critical");
	}

	/** A woman of 30 on the refractory regimen, screened, with a serum hCG of 1250 mIU/mL 4 days ago. */
	static PatientScenario pregnantWoman(String id) {
		return screened(onPneumocystisProphylaxis(onPrednisoneAndMethotrexate(patient(id).bornYearsAgo(30, 10)
			.dermatomyositis())))
			.lab("19080-1", "Choriogonadotropin [Units/volume] in Serum or Plasma", 4,
					quantity(1250, "m[IU]/mL").andThen(referenceRange(0, 5, "m[IU]/mL")))
			.draft(standardCourse());
	}

	static Stream<PatientScenario> fetchScenarios() {
		return Stream.of(
				refractoryAdult("fetch-rtx-refractory").draft(standardCourse()),
				onPneumocystisProphylaxis(dermatomyositisOnPrednisoneAndMethotrexate("fetch-rtx-unscreened")).draft(standardCourse()),
				child("fetch-rtx-child", 10, 30).height(140, "cm", 5).weight(77.162, "[lb_av]", 5).draft(standardCourse()),
				seed001("fetch-rtx-seed001", count(dose(1000, "mg"), 1)),
				seed004("fetch-rtx-seed004", 170).draft(cyclophosphamide("cyc-1")),
				pregnantWoman("fetch-rtx-pregnancy"),
				day14Infusion("fetch-rtx-day14", 1100),
				screened(patient("fetch-rtx-overlap").bornYearsAgo(67, 30).dermatomyositis())
					.medicationStatement(PREDNISONE, "prednisone 20 MG Oral Tablet", MedicationStatementStatus.COMPLETED, 300, 207)
					.medicationStatement(METHOTREXATE, "methotrexate 2.5 MG Oral Tablet", MedicationStatementStatus.COMPLETED, 290, 167)
					.medicationAdministration("1657867", "50 ML rituximab 10 MG/ML Injection", 100, 1000)
					.lab("8117-4", "CD19 cells/100 cells in Blood", 20, quantity(1, "%"))
					.draft(rituximab("rtx-1", times(doseRange(500, 1200, "mg"), 2, 14, "d"))));
	}

	@ParameterizedTest
	@MethodSource("fetchScenarios")
	void fetchingGivesTheSameCardsAsPrefetch(PatientScenario scenario) {
		scenario.serveOn(ehr::stubFor, SIGN, "/fhir");
		CdsHooksClient.Answer withPrefetch = sign(scenario);
		CdsHooksClient.Answer fetched = client.call(SIGN, scenario.withoutPrefetch(SIGN, "order-sign", ehr.baseUrl() + "/fhir", TOKEN));
		assertThat(fetched.status()).as(fetched.body().toString()).isEqualTo(200);
		assertThat(withPrefetch.rules()).isNotEmpty();
		assertThat(fetched.rules()).isEqualTo(withPrefetch.rules());
		for (int i = 0; i < withPrefetch.rules().size(); i++) {
			JsonNode expected = withPrefetch.body().path("cards").get(i);
			JsonNode actual = fetched.body().path("cards").get(i);
			for (String field : List.of("indicator", "summary", "detail", "selectionBehavior", "overrideReasons")) {
				assertThat(actual.path(field)).as(field).isEqualTo(expected.path(field));
			}
			List<JsonNode> expectedResources = actions(expected).stream().map(action -> action.path("resource")).toList();
			assertThat(actions(actual).stream().map(action -> action.path("resource")).toList()).isEqualTo(expectedResources);
		}
	}
}
