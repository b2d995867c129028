package org.myositiscds.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.ICD10CM;
import static org.myositiscds.PatientScenario.NEGATIVE;
import static org.myositiscds.PatientScenario.POSITIVE;
import static org.myositiscds.PatientScenario.SNOMED;
import static org.myositiscds.PatientScenario.coded;
import static org.myositiscds.PatientScenario.interpretation;
import static org.myositiscds.PatientScenario.order;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;
import static org.myositiscds.PatientScenario.status;
import static org.myositiscds.PatientScenario.text;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.PatientScenario;
import org.springframework.beans.factory.annotation.Autowired;

/** HBV-1 to HBV-6 (clinical-rules.md, service 3), through the HTTP endpoint with full prefetch. */
@CdsServiceTest
class HbvScreeningRulesTests {

	static final String SIGN = "hbv-screening-order-sign";

	static final String SELECT = "hbv-screening-order-select";

	@Autowired
	CdsHooksClient client;

	static PatientScenario hbsag(PatientScenario scenario, int days, java.util.function.Consumer<Observation> result) {
		return scenario.lab("5196-1", "Hepatitis B virus surface Ag [Presence] in Serum or Plasma by Immunoassay", days, result);
	}

	static PatientScenario antiHbc(PatientScenario scenario, int days, java.util.function.Consumer<Observation> result) {
		return scenario.lab("16933-4", "Hepatitis B virus core Ab [Presence] in Serum", days, result);
	}

	static PatientScenario antiHbs(PatientScenario scenario, int days, java.util.function.Consumer<Observation> result) {
		return scenario.lab("10900-9", "Hepatitis B virus surface Ab [Presence] in Serum by Immunoassay", days, result);
	}

	/** Rituximab ordered; HBsAg and anti-HBc negative 60 days ago; anti-HBs positive: fully screened and immune. */
	static PatientScenario screenedAndImmune(String id) {
		PatientScenario scenario = patient(id).dermatomyositis().draft(rituximabOrder("rtx-1"));
		hbsag(scenario, 60, NEGATIVE);
		antiHbc(scenario, 60, NEGATIVE);
		return antiHbs(scenario, 60, POSITIVE);
	}

	List<String> rules(PatientScenario scenario) {
		CdsHooksClient.Answer answer = client.call(SIGN, scenario.orderSign(SIGN));
		assertThat(answer.status()).isEqualTo(200);
		return answer.rules();
	}

	@Test
	void fullyScreenedAndImmunePatientGetsNoCard() {
		assertThat(rules(screenedAndImmune("hbv-immune"))).isEmpty();
	}

	@Nested
	class Hbv1ScreeningMissing {

		@Test
		void firesWithNoTestsOnRecordAndSuggestsAllThree() {
			PatientScenario scenario = patient("hbv1-none").dermatomyositis().draft(rituximabOrder("rtx-1"));
			CdsHooksClient.Answer answer = client.call(SIGN, scenario.orderSign(SIGN));
			assertThat(answer.rules()).containsExactly("HBV-1");
			JsonNode card = answer.card("HBV-1");
			assertThat(card.path("indicator").asText()).isEqualTo("critical");
			assertThat(codes(card.path("overrideReasons"))).containsExactly("outside-record", "results-pending", "patient-declined");
			assertThat(card.path("selectionBehavior").asText()).isEqualTo("any");
			assertThat(card.path("suggestions")).hasSize(3).allSatisfy(suggestion -> {
				assertThat(suggestion.path("isRecommended").asBoolean()).isTrue();
				assertThat(suggestion.path("actions")).hasSize(1);
			});
			assertThat(card.path("suggestions").get(1).path("label").asText()).isEqualTo("Order total anti-HBc");
			assertThat(loincCodesOrdered(card)).containsExactly("5196-1", "16933-4", "10900-9");
			JsonNode order = card.path("suggestions").get(0).path("actions").get(0).path("resource");
			assertThat(order.path("resourceType").asText()).isEqualTo("ServiceRequest");
			assertThat(order.path("status").asText()).isEqualTo("draft");
			assertThat(order.path("intent").asText()).isEqualTo("order");
			assertThat(order.path("subject").path("reference").asText()).isEqualTo("Patient/hbv1-none");
		}

		@Test
		void firesForAStaleNegativeAndOrdersOnlyThatTest() {
			PatientScenario scenario = screenedAndImmune("hbv1-stale");
			hbsag(scenario, 400, NEGATIVE);
			PatientScenario stale = patient("hbv1-stale2").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(stale, 366, NEGATIVE);
			antiHbc(stale, 30, NEGATIVE);
			antiHbs(stale, 30, POSITIVE);
			CdsHooksClient.Answer answer = client.call(SIGN, stale.orderSign(SIGN));
			assertThat(answer.rules()).containsExactly("HBV-1");
			assertThat(loincCodesOrdered(answer.card("HBV-1"))).containsExactly("5196-1");
			assertThat(answer.card("HBV-1").path("detail").asText()).contains("not current");
		}

		@Test
		void aNegativeExactlyAtTheLookbackStillCounts() {
			PatientScenario scenario = patient("hbv1-365").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(scenario, 365, NEGATIVE);
			antiHbc(scenario, 365, NEGATIVE);
			antiHbs(scenario, 365, POSITIVE);
			assertThat(rules(scenario)).isEmpty();
		}

		@Test
		void anIndeterminateResultDoesNotClearScreening() {
			PatientScenario scenario = patient("hbv1-ind").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(scenario, 20, coded("82334004", "Indeterminate"));
			antiHbc(scenario, 20, NEGATIVE);
			antiHbs(scenario, 20, POSITIVE);
			assertThat(rules(scenario)).containsExactlyInAnyOrder("HBV-1", "HBV-6");
		}

		@Test
		void preliminaryResultsDoNotCount() {
			PatientScenario scenario = patient("hbv1-prelim").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(scenario, 10, NEGATIVE.andThen(status(Observation.ObservationStatus.PRELIMINARY)));
			antiHbc(scenario, 10, NEGATIVE);
			antiHbs(scenario, 10, POSITIVE);
			assertThat(rules(scenario)).containsExactly("HBV-1");
		}

		@Test
		void staysSilentWhenHbsagIsPositiveBecauseHbv2Applies() {
			PatientScenario scenario = patient("hbv1-pos").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(scenario, 30, POSITIVE);
			assertThat(rules(scenario)).doesNotContain("HBV-1").contains("HBV-2");
		}
	}

	@Nested
	class Hbv2HbsagPositive {

		@Test
		void firesForAnOldPositiveAndOffersOneAntiviralAtMost() {
			PatientScenario scenario = patient("hbv2-old").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(scenario, 5 * 365, POSITIVE);
			antiHbc(scenario, 5 * 365, POSITIVE);
			CdsHooksClient.Answer answer = client.call(SIGN, scenario.orderSign(SIGN));
			assertThat(answer.rules()).containsExactly("HBV-2");
			JsonNode card = answer.card("HBV-2");
			assertThat(card.path("indicator").asText()).isEqualTo("critical");
			assertThat(card.path("selectionBehavior").asText()).isEqualTo("at-most-one");
			assertThat(card.path("suggestions")).hasSize(3);
			List<String> antivirals = new ArrayList<>();
			for (JsonNode suggestion : card.path("suggestions")) {
				JsonNode actions = suggestion.path("actions");
				assertThat(actions).hasSize(2);
				antivirals.add(actions.get(0).path("resource").path("medicationCodeableConcept").path("coding").get(0).path("code").asText());
				assertThat(actions.get(1).path("resource").path("code").path("coding").get(0).path("code").asText())
					.isEqualTo("42595-9");
			}
			assertThat(antivirals).containsExactly("485434", "349251", "1858261");
		}

		@Test
		void firesForChronicHepatitisBOnRecordWithoutAnyLab() {
			PatientScenario scenario = patient("hbv2-cond").dermatomyositis().draft(rituximabOrder("rtx-1"))
				.condition(ICD10CM, "B18.1", "Chronic viral hepatitis B without delta-agent", "active");
			assertThat(rules(scenario)).containsExactly("HBV-2");
		}

		@Test
		void aNewerNegativeReadsAsClearedHbsag() {
			PatientScenario scenario = patient("hbv2-cleared").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(scenario, 900, POSITIVE);
			hbsag(scenario, 40, NEGATIVE);
			antiHbc(scenario, 40, POSITIVE);
			assertThat(rules(scenario)).doesNotContain("HBV-2").contains("HBV-3");
		}

		@Test
		void staysSilentWhenProphylaxisIsAlreadyActive() {
			PatientScenario scenario = patient("hbv2-proph").dermatomyositis().draft(rituximabOrder("rtx-1"))
				.activeMedication("485434", "entecavir 0.5 MG Oral Tablet", 20);
			hbsag(scenario, 100, POSITIVE);
			assertThat(rules(scenario)).doesNotContain("HBV-2").contains("HBV-4");
		}
	}

	@Nested
	class Hbv3ResolvedInfection {

		@Test
		void firesForNegativeHbsagWithPositiveAntiHbc() {
			PatientScenario scenario = patient("hbv3").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(scenario, 30, NEGATIVE);
			antiHbc(scenario, 30, POSITIVE);
			antiHbs(scenario, 30, POSITIVE);
			CdsHooksClient.Answer answer = client.call(SIGN, scenario.orderSign(SIGN));
			assertThat(answer.rules()).containsExactly("HBV-3");
			assertThat(answer.card("HBV-3").path("suggestions")).hasSize(3);
			assertThat(answer.card("HBV-3").path("detail").asText()).contains("Total anti-HBc: positive on");
		}

		@Test
		void staysSilentWhenAntiHbcIsNegative() {
			assertThat(rules(screenedAndImmune("hbv3-neg"))).doesNotContain("HBV-3");
		}

		@Test
		void staysSilentOnTenofovir() {
			PatientScenario scenario = patient("hbv3-tdf").dermatomyositis().draft(rituximabOrder("rtx-1"))
				.activeMedication("349251", "tenofovir disoproxil fumarate 300 MG Oral Tablet", 30);
			hbsag(scenario, 30, NEGATIVE);
			antiHbc(scenario, 30, POSITIVE);
			assertThat(rules(scenario)).doesNotContain("HBV-3").contains("HBV-4");
		}
	}

	@Nested
	class Hbv4OnProphylaxis {

		@Test
		void firesAsInfoNamingTheAntiviral() {
			PatientScenario scenario = patient("hbv4").dermatomyositis().draft(rituximabOrder("rtx-1"))
				.activeMedication("1858261", "tenofovir alafenamide 25 MG Oral Tablet", 30);
			hbsag(scenario, 30, POSITIVE);
			CdsHooksClient.Answer answer = client.call(SIGN, scenario.orderSign(SIGN));
			assertThat(answer.rules()).containsExactly("HBV-4");
			assertThat(answer.card("HBV-4").path("indicator").asText()).isEqualTo("info");
			assertThat(answer.card("HBV-4").path("summary").asText()).doesNotContain("tenofovir");
			assertThat(answer.card("HBV-4").path("detail").asText()).contains("continue tenofovir alafenamide 25 MG Oral Tablet");
		}

		@Test
		void anAntiviralSignedTogetherWithRituximabCounts() {
			PatientScenario scenario = patient("hbv4-draft").dermatomyositis().draft(rituximabOrder("rtx-1"))
				.draft(order("etv-1", "485434", "entecavir 0.5 MG Oral Tablet"));
			hbsag(scenario, 30, NEGATIVE);
			antiHbc(scenario, 30, POSITIVE);
			assertThat(rules(scenario)).containsExactly("HBV-4");
		}

		@Test
		void staysSilentWhenMarkersAreNegative() {
			PatientScenario scenario = screenedAndImmune("hbv4-neg")
				.activeMedication("485434", "entecavir 0.5 MG Oral Tablet", 30);
			assertThat(rules(scenario)).isEmpty();
		}
	}

	@Nested
	class Hbv5AntiHbs {

		@Test
		void firesWhenAntiHbsIsNegative() {
			PatientScenario scenario = patient("hbv5").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(scenario, 30, NEGATIVE);
			antiHbc(scenario, 30, NEGATIVE);
			antiHbs(scenario, 30, NEGATIVE);
			CdsHooksClient.Answer answer = client.call(SIGN, scenario.orderSign(SIGN));
			assertThat(answer.rules()).containsExactly("HBV-5");
			assertThat(answer.card("HBV-5").path("indicator").asText()).isEqualTo("info");
		}

		@Test
		void firesWhenAntiHbsIsMissing() {
			PatientScenario scenario = patient("hbv5-missing").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(scenario, 30, NEGATIVE);
			antiHbc(scenario, 30, NEGATIVE);
			assertThat(rules(scenario)).containsExactly("HBV-5");
		}

		@Test
		void staysSilentWhenAntiHbsIsPositive() {
			assertThat(rules(screenedAndImmune("hbv5-immune"))).doesNotContain("HBV-5");
		}
	}

	@Nested
	class Hbv6Indeterminate {

		@Test
		void firesWhenTheLatestAntiHbcIsIndeterminate() {
			PatientScenario scenario = patient("hbv6").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(scenario, 30, NEGATIVE);
			antiHbc(scenario, 200, NEGATIVE);
			antiHbc(scenario, 10, text("Equivocal, please repeat"));
			antiHbs(scenario, 30, POSITIVE);
			CdsHooksClient.Answer answer = client.call(SIGN, scenario.orderSign(SIGN));
			// the newer equivocal result leaves anti-HBc without a current result: HBV-1 asks for it again
			assertThat(answer.rules()).containsExactlyInAnyOrder("HBV-1", "HBV-6");
			assertThat(loincCodesOrdered(answer.card("HBV-1"))).containsExactly("16933-4");
			assertThat(answer.card("HBV-6").path("indicator").asText()).isEqualTo("warning");
			assertThat(answer.card("HBV-6").path("summary").asText()).containsIgnoringCase("repeat");
		}

		@Test
		void staysSilentWhenARepeatTestWasNegative() {
			PatientScenario scenario = screenedAndImmune("hbv6-repeated");
			antiHbc(scenario, 90, text("Equivocal"));
			assertThat(rules(scenario)).isEmpty();
		}
	}

	@Nested
	class QualitativeResults {

		@Test
		void readsResultTextAndInterpretationCodesAsEhrsSendThem() {
			PatientScenario scenario = patient("qual-text").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(scenario, 30, text("Non-reactive"));
			antiHbc(scenario, 30, interpretation("NEG"));
			antiHbs(scenario, 30, text("Reactive"));
			assertThat(rules(scenario)).isEmpty();
		}

		@Test
		void aReactiveTextIsPositive() {
			PatientScenario scenario = patient("qual-reactive").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(scenario, 30, text("REACTIVE"));
			assertThat(rules(scenario)).contains("HBV-2");
		}

		@Test
		void aResultWithNoValueIsNotAResult() {
			PatientScenario scenario = screenedAndImmune("qual-novalue");
			hbsag(scenario, 5, result -> { });
			assertThat(rules(scenario)).containsExactlyInAnyOrder("HBV-1", "HBV-6");
		}
	}

	@Nested
	class Trigger {

		@Test
		void firesForABiosimilarAndForOtherAntiCd20Antibodies() {
			for (MedicationRequest antiCd20 : List.of(order("ruxience", "2273520", "50 ML rituximab-pvvr 10 MG/ML Injection"),
					order("gazyva", "1442693", "obinutuzumab 1000 MG in 40 ML Injection"),
					order("ocrevus", "1876380", "10 ML ocrelizumab 30 MG/ML Injection"))) {
				PatientScenario scenario = patient("trigger-" + antiCd20.getIdPart()).draft(antiCd20);
				assertThat(rules(scenario)).as(antiCd20.getIdPart()).containsExactly("HBV-1");
			}
		}

		@Test
		void firesInEveryPatientWhateverTheDiagnosis() {
			PatientScenario scenario = patient("trigger-nodm").draft(rituximabOrder("rtx-1"));
			assertThat(rules(scenario)).containsExactly("HBV-1");
		}

		@Test
		void firesWhenTheMedicationIsAContainedMedication() {
			MedicationRequest request = rituximabOrder("rtx-contained");
			Medication medication = new Medication();
			medication.setId("med1");
			medication.setCode(new org.hl7.fhir.r4.model.CodeableConcept(new org.hl7.fhir.r4.model.Coding(
					PatientScenario.RXNORM, "2105834", "50 ML rituximab-abbs 10 MG/ML Injection")));
			request.addContained(medication);
			request.setMedication(new Reference("#med1"));
			assertThat(rules(patient("trigger-contained").draft(request))).containsExactly("HBV-1");
		}

		@Test
		void staysSilentWithoutAnAntiCd20Order() {
			PatientScenario scenario = patient("trigger-none").dermatomyositis()
				.draft(order("pred-1", "312615", "prednisone 20 MG Oral Tablet"));
			assertThat(rules(scenario)).isEmpty();
		}

		@Test
		void orderSelectFiresOnlyWhenTheAntiCd20OrderIsSelected() {
			PatientScenario scenario = patient("trigger-select").dermatomyositis()
				.draft(rituximabOrder("rtx-1"))
				.draft(order("pred-1", "312615", "prednisone 20 MG Oral Tablet"));
			assertThat(client.call(SELECT, scenario.orderSelect(SELECT, "rtx-1")).rules()).containsExactly("HBV-1");
			assertThat(client.call(SELECT, scenario.orderSelect(SELECT, "pred-1")).rules()).isEmpty();
		}

		@Test
		void aConditionOfAnotherPatientInTheDataIsNeverRead() {
			PatientScenario scenario = screenedAndImmune("trigger-other");
			org.hl7.fhir.r4.model.Condition other = new org.hl7.fhir.r4.model.Condition();
			other.setId("other-hbv");
			other.setClinicalStatus(new org.hl7.fhir.r4.model.CodeableConcept(new org.hl7.fhir.r4.model.Coding(
					"http://terminology.hl7.org/CodeSystem/condition-clinical", "active", null)));
			other.setCode(new org.hl7.fhir.r4.model.CodeableConcept(new org.hl7.fhir.r4.model.Coding(
					SNOMED, "235871004", "Hepatitis B carrier (finding)")));
			other.setSubject(new Reference("Patient/someone-else"));
			assertThat(rules(scenario.record(other))).isEmpty();
		}
	}

	/** Results as labs send them (clinical-rules "Qualitative lab result"): codes, text, interpretation, titre. */
	@Nested
	class ResultsAsLabsSendThem {

		@ParameterizedTest(name = "\"{0}\"")
		@ValueSource(strings = { "NON REACTIVE", "Non Reactive", "Nonreactive", "NON-REACTIVE", "Not reactive",
				"None detected", "Undetected", "NEG", "non_reactive", "Negative  (screen)" })
		void negativeTextsReadNegative(String value) {
			PatientScenario scenario = patient("text-neg").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(scenario, 30, text(value));
			antiHbc(scenario, 30, text(value));
			antiHbs(scenario, 30, POSITIVE);
			assertThat(rules(scenario)).as(value).isEmpty();
		}

		@Test
		void hbsagAndAntiHbcNonReactiveGiveNoHbv2() {
			PatientScenario scenario = patient("text-nonreactive").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(scenario, 30, text("NON REACTIVE"));
			antiHbc(scenario, 30, text("NON REACTIVE"));
			CdsHooksClient.Answer answer = client.call(SIGN, scenario.orderSign(SIGN));
			assertThat(answer.rules()).containsExactly("HBV-5");
			assertThat(answer.card("HBV-5").path("detail").asText()).contains("HBsAg: negative on");
		}

		@Test
		void detectedIsPositiveAsCodeAndAsText() {
			PatientScenario coded = patient("detected-coded").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(coded, 30, NEGATIVE);
			antiHbc(coded, 30, NEGATIVE);
			antiHbs(coded, 30, coded("260373001", "Detected"));
			assertThat(rules(coded)).isEmpty();
			PatientScenario notDetected = patient("notdetected-coded").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(notDetected, 30, NEGATIVE);
			antiHbc(notDetected, 30, NEGATIVE);
			antiHbs(notDetected, 30, coded("260415000", "Not detected"));
			assertThat(rules(notDetected)).containsExactly("HBV-5");
			PatientScenario text = patient("detected-text").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(text, 30, text("Detected"));
			assertThat(rules(text)).containsExactly("HBV-2");
		}

		@Test
		void aLocalCodeIsReadByItsDisplay() {
			PatientScenario scenario = patient("local-code").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(scenario, 30, o -> o.setValue(new org.hl7.fhir.r4.model.CodeableConcept(
					new org.hl7.fhir.r4.model.Coding("urn:oid:1.2.3.4", "NR", "NON-REACTIVE"))));
			antiHbc(scenario, 30, NEGATIVE);
			antiHbs(scenario, 30, POSITIVE);
			assertThat(rules(scenario)).isEmpty();
		}

		@ParameterizedTest(name = "\"{0}\"")
		@ValueSource(strings = { "Reactive; confirmatory test negative", "Not positive", "Equivocal", "See comment" })
		void textSayingBothOrNeitherIsNotAResult(String value) {
			PatientScenario scenario = patient("text-both").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(scenario, 30, text(value));
			antiHbc(scenario, 30, NEGATIVE);
			antiHbs(scenario, 30, POSITIVE);
			assertThat(rules(scenario)).as(value).containsExactlyInAnyOrder("HBV-1", "HBV-6");
		}

		@Test
		void interpretationDecidesWhenTheTextSaysNeither() {
			PatientScenario scenario = patient("interp").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(scenario, 30, text("See comment").andThen(interpretation("NEG")));
			antiHbc(scenario, 30, NEGATIVE);
			antiHbs(scenario, 30, POSITIVE);
			assertThat(rules(scenario)).isEmpty();
		}

		@Test
		void aNewerIndeterminateHbsagAfterANegativeGivesHbv1AndHbv6() {
			PatientScenario scenario = screenedAndImmune("newer-ind");
			hbsag(scenario, 3, coded("82334004", "Indeterminate"));
			CdsHooksClient.Answer answer = client.call(SIGN, scenario.orderSign(SIGN));
			assertThat(answer.rules()).containsExactlyInAnyOrder("HBV-1", "HBV-6");
			assertThat(loincCodesOrdered(answer.card("HBV-1"))).containsExactly("5196-1");
		}

		@Test
		void onTheSameDayAResultWithATimeIsLaterThanOneWithTheDateOnly() {
			String day = java.time.LocalDate.now().minusDays(10).toString();
			PatientScenario positiveLater = patient("same-day-pos").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(positiveLater, 10, NEGATIVE);
			hbsag(positiveLater, 10, POSITIVE.andThen(o -> o.setEffective(new org.hl7.fhir.r4.model.DateTimeType(day + "T09:30:00Z"))));
			antiHbc(positiveLater, 10, NEGATIVE);
			assertThat(rules(positiveLater)).contains("HBV-2");
			PatientScenario negativeLater = patient("same-day-neg").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(negativeLater, 10, POSITIVE);
			hbsag(negativeLater, 10, NEGATIVE.andThen(o -> o.setEffective(new org.hl7.fhir.r4.model.DateTimeType(day + "T09:30:00Z"))));
			antiHbc(negativeLater, 10, NEGATIVE);
			antiHbs(negativeLater, 10, POSITIVE);
			assertThat(rules(negativeLater)).isEmpty();
		}

		@Test
		void anEffectiveInstantOrOnlyAnIssuedTimeDatesTheResult() {
			PatientScenario instant = patient("instant").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(instant, 300, POSITIVE);
			hbsag(instant, 5, NEGATIVE.andThen(o -> o.setEffective(new org.hl7.fhir.r4.model.InstantType(
					java.util.Date.from(java.time.Instant.now().minus(java.time.Duration.ofDays(5)))))));
			antiHbc(instant, 5, NEGATIVE);
			antiHbs(instant, 5, POSITIVE);
			assertThat(rules(instant)).isEmpty();
			PatientScenario issued = patient("issued-only").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(issued, 300, POSITIVE);
			hbsag(issued, 5, NEGATIVE.andThen(o -> o.setEffective(null)));
			antiHbc(issued, 5, NEGATIVE);
			antiHbs(issued, 5, POSITIVE);
			assertThat(rules(issued)).isEmpty();
		}

		@Test
		void aCorrectedNegativeWithAnEffectivePeriodClearsAnOlderPositive() {
			PatientScenario scenario = patient("corrected").dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(scenario, 500, POSITIVE);
			hbsag(scenario, 20, NEGATIVE.andThen(status(Observation.ObservationStatus.CORRECTED)).andThen(o -> o.setEffective(
					new org.hl7.fhir.r4.model.Period().setStartElement(PatientScenario.daysAgo(20)))));
			antiHbc(scenario, 20, NEGATIVE);
			antiHbs(scenario, 20, POSITIVE);
			assertThat(rules(scenario)).isEmpty();
		}
	}

	/** HBV-5: a quantitative anti-HBs of at least 10 mIU/mL is immune, whatever its age. */
	@Nested
	class AntiHbsTitre {

		List<String> withAntiHbs(String id, int days, java.util.function.Consumer<Observation> result) {
			PatientScenario scenario = patient(id).dermatomyositis().draft(rituximabOrder("rtx-1"));
			hbsag(scenario, 30, NEGATIVE);
			antiHbc(scenario, 30, NEGATIVE);
			antiHbs(scenario, days, result);
			return rules(scenario);
		}

		@Test
		void tenOrMoreIsImmuneEvenYearsOld() {
			assertThat(withAntiHbs("titre-12", 3 * 365, PatientScenario.quantity(12, "m[IU]/mL"))).isEmpty();
			assertThat(withAntiHbs("titre-10", 30, PatientScenario.quantity(10, "m[IU]/mL"))).isEmpty();
			assertThat(withAntiHbs("titre-text", 30, text(">1000 mIU/mL"))).isEmpty();
		}

		@Test
		void belowTenIsNotImmune() {
			assertThat(withAntiHbs("titre-9", 30, PatientScenario.quantity(9.9, "m[IU]/mL"))).containsExactly("HBV-5");
			assertThat(withAntiHbs("titre-lt", 30, text("<10 mIU/mL"))).containsExactly("HBV-5");
		}

		@Test
		void aTitreWithoutAUnitIsNotAResult() {
			assertThat(withAntiHbs("titre-nounit", 30, o -> o.setValue(new org.hl7.fhir.r4.model.Quantity(50))))
				.containsExactly("HBV-5");
		}
	}

	/** HBV-2 and HBV-3: fixed summaries, names in the detail, suggestions aware of renal impairment. */
	@Nested
	class ProphylaxisCards {

		static final String HYCELA = "13.4 ML hyaluronidase, human recombinant 2000 UNT/ML / rituximab 120 MG/ML Injection [Rituxan Hycela]";

		@Test
		void aVeryLongDrugNameStillGivesTheCriticalCard() {
			PatientScenario scenario = patient("hbv2-hycela").dermatomyositis().draft(order("rtx-sc", "1927894", HYCELA));
			hbsag(scenario, 30, POSITIVE);
			CdsHooksClient.Answer answer = client.call(SIGN, scenario.orderSign(SIGN));
			assertThat(answer.rules()).containsExactly("HBV-2");
			JsonNode card = answer.card("HBV-2");
			assertThat(card.path("summary").asText()).isEqualTo("HBsAg positive: start antiviral prophylaxis before anti-CD20 therapy")
				.hasSizeLessThan(140);
			assertThat(card.path("detail").asText()).contains(HYCELA);
			assertThat(codes(card.path("overrideReasons"))).containsExactly("hepatology-managing", "antiviral-elsewhere");
		}

		static List<String> antivirals(JsonNode card) {
			List<String> codes = new ArrayList<>();
			card.path("suggestions").forEach(suggestion -> codes.add(suggestion.path("actions").get(0).path("resource")
				.path("medicationCodeableConcept").path("coding").get(0).path("code").asText()));
			return codes;
		}

		@Test
		void withChronicKidneyDiseaseNoTenofovirDisoproxilAndEntecavirByCreatinineClearance() {
			PatientScenario scenario = patient("hbv2-ckd").dermatomyositis().draft(rituximabOrder("rtx-1"))
				.condition(ICD10CM, "N18.30", "Chronic kidney disease, stage 3 unspecified", "active");
			hbsag(scenario, 30, POSITIVE);
			JsonNode card = client.call(SIGN, scenario.orderSign(SIGN)).card("HBV-2");
			assertThat(antivirals(card)).containsExactly("1858261", "485434");
			JsonNode entecavir = card.path("suggestions").get(1);
			assertThat(entecavir.path("label").asText()).contains("creatinine clearance");
			JsonNode dosage = entecavir.path("actions").get(0).path("resource").path("dosageInstruction").get(0);
			assertThat(dosage.path("text").asText()).contains("creatinine clearance");
			assertThat(dosage.has("timing")).as("no once-daily timing for a renally adjusted interval").isFalse();
			assertThat(card.path("detail").asText()).contains("Renal impairment", "Chronic kidney disease, stage 3 unspecified");
		}

		@Test
		void hbv3WithALowEgfrGetsTheRenalSuggestions() {
			PatientScenario scenario = patient("hbv3-egfr").dermatomyositis().draft(rituximabOrder("rtx-1"))
				.lab("98979-8", "eGFR (CKD-EPI 2021)", 10, PatientScenario.quantity(45, "mL/min/{1.73_m2}"));
			hbsag(scenario, 30, NEGATIVE);
			antiHbc(scenario, 30, POSITIVE);
			antiHbs(scenario, 30, POSITIVE);
			CdsHooksClient.Answer answer = client.call(SIGN, scenario.orderSign(SIGN));
			assertThat(answer.rules()).containsExactly("HBV-3");
			assertThat(antivirals(answer.card("HBV-3"))).containsExactly("1858261", "485434");
		}

		@Test
		void withNormalKidneysOrCkdStage2AllThreeAntiviralsAreOffered() {
			PatientScenario normal = patient("hbv2-egfr-ok").dermatomyositis().draft(rituximabOrder("rtx-1"))
				.lab("98979-8", "eGFR (CKD-EPI 2021)", 10, PatientScenario.quantity(60, "mL/min/{1.73_m2}"));
			hbsag(normal, 30, POSITIVE);
			assertThat(antivirals(client.call(SIGN, normal.orderSign(SIGN)).card("HBV-2")))
				.containsExactly("485434", "349251", "1858261");
			PatientScenario stage2 = patient("hbv2-ckd2").dermatomyositis().draft(rituximabOrder("rtx-1"))
				.condition(ICD10CM, "N18.2", "Chronic kidney disease, stage 2 (mild)", "active");
			hbsag(stage2, 30, POSITIVE);
			assertThat(antivirals(client.call(SIGN, stage2.orderSign(SIGN)).card("HBV-2")))
				.containsExactly("485434", "349251", "1858261");
		}
	}

	/** Counted Conditions: a rule-out or unconfirmed diagnosis never counts; one without verificationStatus does. */
	@Nested
	class CountedConditions {

		@ParameterizedTest(name = "{0}")
		@ValueSource(strings = { "differential", "provisional", "unconfirmed", "refuted", "entered-in-error" })
		void aChronicHepatitisBThatIsNotConfirmedIsNotHbsagPositive(String verification) {
			PatientScenario scenario = patient("chb-" + verification).dermatomyositis().draft(rituximabOrder("rtx-1"))
				.record(Conditions.condition("chb", "Patient/chb-" + verification, ICD10CM, "B18.1",
						"Chronic viral hepatitis B without delta-agent", "active", verification));
			assertThat(rules(scenario)).as(verification).containsExactly("HBV-1");
		}

		@Test
		void aChronicHepatitisBWithoutVerificationStatusCounts() {
			PatientScenario scenario = patient("chb-none").dermatomyositis().draft(rituximabOrder("rtx-1"))
				.record(Conditions.condition("chb", "Patient/chb-none", ICD10CM, "B18.1",
						"Chronic viral hepatitis B without delta-agent", "active", null));
			assertThat(rules(scenario)).containsExactly("HBV-2");
		}
	}

	/** The LOINC codes of the ServiceRequests a card's suggestions create, in order. */
	static List<String> loincCodesOrdered(JsonNode card) {
		List<String> codes = new ArrayList<>();
		card.path("suggestions").forEach(suggestion -> suggestion.path("actions").forEach(action -> {
			if (action.path("resource").path("resourceType").asText().equals("ServiceRequest")) {
				codes.add(action.path("resource").path("code").path("coding").get(0).path("code").asText());
			}
		}));
		return codes;
	}

	static List<String> codes(JsonNode codings) {
		List<String> codes = new ArrayList<>();
		codings.forEach(coding -> codes.add(coding.path("code").asText()));
		return codes;
	}
}
