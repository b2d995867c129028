package org.myositiscds.rules;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.ICD10CM;
import static org.myositiscds.PatientScenario.RXNORM;
import static org.myositiscds.PatientScenario.SNOMED;
import static org.myositiscds.PatientScenario.daysAgo;
import static org.myositiscds.PatientScenario.dose;
import static org.myositiscds.PatientScenario.every;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.rules.RituximabRulesTests.daily;
import static org.myositiscds.rules.RituximabRulesTests.dermatomyositisOnPrednisoneAndMethotrexate;
import static org.myositiscds.rules.RituximabRulesTests.refractoryAdult;
import static org.myositiscds.rules.RituximabRulesTests.screened;
import static org.myositiscds.rules.RituximabRulesTests.standardCourse;

import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Dosage;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.PatientScenario;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The shared active-serious-infection definition (clinical-rules.md "Shared definitions") as RTX-9
 * and TAC-5 read it, trimethoprim-sulfamethoxazole prophylaxis by dose, and RTX-8's infection
 * episodes, through the HTTP endpoints (prefetch, and fetch from a WireMock EHR).
 */
@CdsServiceTest
class ActiveSeriousInfectionRulesTests {

	static final String RTX_SIGN = "rituximab-order-sign";

	static final String TAC_SIGN = "tacrolimus-deescalation-order-sign";

	static final String TOKEN = "ehr-access-token-infection-7e1d";

	static final String CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical";

	static final String VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status";

	static final String CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category";

	static final String LOCAL_DRUGS = "urn:oid:1.2.840.114350.1.13.0.1.7.2.698288";

	static final String PNEUMONIA = "233604007";

	@RegisterExtension
	static WireMockExtension ehr = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

	@Autowired
	CdsHooksClient client;

	CdsHooksClient.Answer sign(String service, PatientScenario scenario) {
		CdsHooksClient.Answer answer = client.call(service, scenario.orderSign(service));
		assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
		return answer;
	}

	CdsHooksClient.Answer fetched(String service, PatientScenario scenario) {
		scenario.serveOn(ehr::stubFor, service, "/fhir");
		CdsHooksClient.Answer answer = client.call(service,
				scenario.withoutPrefetch(service, "order-sign", ehr.baseUrl() + "/fhir", TOKEN));
		assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
		return answer;
	}

	/** A Condition as EHRs send it: category, clinical and verification status, onset or only a recorded date. */
	static Condition condition(PatientScenario scenario, String id, String system, String code, String display,
			String clinicalStatus, String category, Integer onsetDaysAgo, Integer recordedDaysAgo) {
		Condition condition = new Condition();
		condition.setId(id);
		condition.setClinicalStatus(new CodeableConcept(new Coding(CLINICAL, clinicalStatus, null)));
		condition.setVerificationStatus(new CodeableConcept(new Coding(VERIFICATION, "confirmed", null)));
		condition.addCategory(new CodeableConcept(new Coding(CATEGORY, category, null)));
		condition.setCode(new CodeableConcept(new Coding(system, code, display)).setText(display));
		condition.setSubject(new Reference("Patient/" + scenario.id()));
		if (onsetDaysAgo != null) {
			condition.setOnset(daysAgo(onsetDaysAgo));
		}
		if (recordedDaysAgo != null) {
			condition.setRecordedDateElement(daysAgo(recordedDaysAgo));
		}
		scenario.record(condition);
		return condition;
	}

	/** Bactrim DS as a local formulary entry first, the RxNorm ingredient second: the strength is in its name. */
	static MedicationRequest bactrimDs(PatientScenario scenario, String id, int days, Dosage dosage) {
		MedicationRequest request = new MedicationRequest();
		request.setId(id);
		request.setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE);
		request.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
		request.setMedication(new CodeableConcept()
			.addCoding(new Coding(LOCAL_DRUGS, "40822", "BACTRIM DS 800-160 MG TABLET"))
			.addCoding(new Coding(RXNORM, "10831", "sulfamethoxazole / trimethoprim"))
			.setText("Bactrim DS 800-160 mg tablet"));
		request.setSubject(new Reference("Patient/" + scenario.id()));
		request.setAuthoredOnElement(daysAgo(days));
		request.addDosageInstruction(dosage);
		scenario.record(request);
		return request;
	}

	static Dosage tablets(int count, int timesADay) {
		return every(dose(count, "{tbl}"), timesADay, 1, "d").setText(count + " tablet(s) " + timesADay + " time(s) a day");
	}

	/** Dermatomyositis, rituximab ordered, tacrolimus 1 mg twice daily active (both services apply). */
	static PatientScenario onTacrolimus(String id) {
		return onTacrolimus(id, 1);
	}

	/** As {@link #onTacrolimus(String)}, with tacrolimus {@code mgPerDose} mg twice daily. */
	static PatientScenario onTacrolimus(String id, double mgPerDose) {
		PatientScenario scenario = screened(dermatomyositisOnPrednisoneAndMethotrexate(id));
		MedicationRequest tacrolimus = PatientScenario.order("tac-" + id, "198377", "tacrolimus 1 MG Oral Capsule");
		tacrolimus.setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE);
		tacrolimus.setAuthoredOnElement(daysAgo(120));
		tacrolimus.setSubject(new Reference("Patient/" + id));
		tacrolimus.addDosageInstruction(every(dose(mgPerDose, "mg"), 2, 1, "d"));
		scenario.record(tacrolimus);
		scenario.lab("33929-1", "Tacrolimus [Mass/volume] in Blood --trough", 7, PatientScenario.quantity(5.8, "ng/mL"));
		return scenario.draft(standardCourse());
	}

	static String detail(CdsHooksClient.Answer answer, String rule) {
		return answer.card(rule).path("detail").asText();
	}

	@Nested
	class OneDefinitionForRtx9AndTac5 {

		@Test
		void anInfectionConditionMakesBothCritical() {
			PatientScenario scenario = onTacrolimus("inf-condition");
			condition(scenario, "pna", SNOMED, PNEUMONIA, "Pneumonia (disorder)", "active", "encounter-diagnosis", 5, 4);
			for (CdsHooksClient.Answer answer : List.of(sign(RTX_SIGN, scenario), sign(TAC_SIGN, scenario))) {
				String rule = answer.rules().contains("RTX-9") ? "RTX-9" : "TAC-5";
				assertThat(answer.card(rule).path("indicator").asText()).as(rule).isEqualTo("critical");
				assertThat(detail(answer, rule)).as(rule)
					.contains("Infection: Pneumonia (disorder) (active; onset " + daysAgo(5).asStringValue() + ")");
				assertThat(answer.card(rule).path("overrideReasons")).as(rule).hasSize(3);
			}
			assertThat(sign(RTX_SIGN, scenario).card("RTX-9").path("summary").asText())
				.isEqualTo("Active serious infection: do not start rituximab now");
		}

		@Test
		void anAntibioticOrderAloneMakesBothAWarningThatSaysSo() {
			PatientScenario scenario = onTacrolimus("inf-abx").activeMedication("82122", "levofloxacin", 3, daily(750));
			for (String service : List.of(RTX_SIGN, TAC_SIGN)) {
				CdsHooksClient.Answer answer = sign(service, scenario);
				String rule = service.equals(RTX_SIGN) ? "RTX-9" : "TAC-5";
				assertThat(answer.rules()).as(service).contains(rule);
				assertThat(answer.card(rule).path("indicator").asText()).as(rule).isEqualTo("warning");
				assertThat(detail(answer, rule)).as(rule)
					.contains("The only evidence of an active serious infection is an antibiotic order")
					.contains("Antibiotic: levofloxacin (active, authored " + daysAgo(3).asStringValue() + ")");
			}
		}

		@Test
		void theWindowsAreThirtyDaysForTheConditionAndFourteenForTheAntibiotic() {
			PatientScenario day30 = onTacrolimus("inf-30");
			condition(day30, "pna", SNOMED, PNEUMONIA, "Pneumonia (disorder)", "active", "problem-list-item", 30, null);
			assertThat(sign(RTX_SIGN, day30).rules()).contains("RTX-9");
			assertThat(sign(TAC_SIGN, day30).rules()).contains("TAC-5");
			PatientScenario day31 = onTacrolimus("inf-31");
			condition(day31, "pna", SNOMED, PNEUMONIA, "Pneumonia (disorder)", "active", "problem-list-item", 31, null);
			assertThat(sign(RTX_SIGN, day31).rules()).doesNotContain("RTX-9");
			assertThat(sign(TAC_SIGN, day31).rules()).doesNotContain("TAC-5");
			PatientScenario abx14 = onTacrolimus("inf-abx14").activeMedication("82122", "levofloxacin", 14, daily(750));
			assertThat(sign(RTX_SIGN, abx14).rules()).contains("RTX-9");
			assertThat(sign(TAC_SIGN, abx14).rules()).contains("TAC-5");
			PatientScenario abx15 = onTacrolimus("inf-abx15").activeMedication("82122", "levofloxacin", 15, daily(750));
			assertThat(sign(RTX_SIGN, abx15).rules()).doesNotContain("RTX-9");
			assertThat(sign(TAC_SIGN, abx15).rules()).doesNotContain("TAC-5");
		}

		@Test
		void withoutAnOnsetTheRecordedDateDatesTheInfectionAndIsNamed() {
			PatientScenario recent = onTacrolimus("inf-recorded");
			condition(recent, "sepsis", ICD10CM, "A41.9", "Sepsis, unspecified organism", "active", "encounter-diagnosis", null, 2);
			CdsHooksClient.Answer answer = sign(RTX_SIGN, recent);
			assertThat(answer.card("RTX-9").path("indicator").asText()).isEqualTo("critical");
			assertThat(detail(answer, "RTX-9"))
				.contains("Sepsis, unspecified organism (active; recorded " + daysAgo(2).asStringValue() + ", no onset)");
			PatientScenario old = onTacrolimus("inf-recorded-old");
			condition(old, "sepsis", ICD10CM, "A41.9", "Sepsis, unspecified organism", "active", "encounter-diagnosis", null, 31);
			assertThat(sign(RTX_SIGN, old).rules()).doesNotContain("RTX-9");
		}

		@Test
		void aResolvedPneumoniaOfLastWeekIsNotAnActiveInfection() {
			PatientScenario scenario = onTacrolimus("inf-resolved");
			condition(scenario, "pna", SNOMED, PNEUMONIA, "Pneumonia (disorder)", "resolved", "problem-list-item", 6, null);
			assertThat(sign(RTX_SIGN, scenario).rules()).doesNotContain("RTX-9");
			assertThat(sign(TAC_SIGN, scenario).rules()).doesNotContain("TAC-5");
		}

		@Test
		void criticalAndWarningAreTheSameWhenTheServiceFetchesTheRecord() {
			PatientScenario critical = onTacrolimus("inf-fetch-crit");
			condition(critical, "pna", SNOMED, PNEUMONIA, "Pneumonia (disorder)", "active", "encounter-diagnosis", 5, null);
			PatientScenario warning = onTacrolimus("inf-fetch-warn").activeMedication("82122", "levofloxacin", 3, daily(750));
			for (PatientScenario scenario : List.of(critical, warning)) {
				String expected = scenario == critical ? "critical" : "warning";
				CdsHooksClient.Answer rtx = fetched(RTX_SIGN, scenario);
				assertThat(rtx.card("RTX-9").path("indicator").asText()).isEqualTo(expected);
				assertThat(rtx.card("RTX-9").path("detail")).isEqualTo(sign(RTX_SIGN, scenario).card("RTX-9").path("detail"));
				CdsHooksClient.Answer tac = fetched(TAC_SIGN, scenario);
				assertThat(tac.card("TAC-5").path("indicator").asText()).isEqualTo(expected);
				assertThat(tac.card("TAC-5").path("detail")).isEqualTo(sign(TAC_SIGN, scenario).card("TAC-5").path("detail"));
			}
		}
	}

	@Nested
	class Rtx9Wording {

		static final Pattern STOP_GLUCOCORTICOIDS = Pattern.compile(
				"(stop|hold|discontinue|withdraw)[a-z ,]*(glucocorticoid|steroid(?!-sparing)|prednison)", Pattern.CASE_INSENSITIVE);

		@Test
		void neverTellsToStopGlucocorticoidsAndWarnsAgainstStoppingThemAbruptly() {
			PatientScenario scenario = onTacrolimus("rtx9-words");
			condition(scenario, "pna", SNOMED, PNEUMONIA, "Pneumonia (disorder)", "active", "encounter-diagnosis", 5, null);
			JsonNode card = sign(RTX_SIGN, scenario).card("RTX-9");
			String detail = card.path("detail").asText();
			assertThat(detail).contains("do not start rituximab during an active serious infection")
				.contains("hold the steroid-sparing agents (e.g. tacrolimus, methotrexate, mycophenolate)")
				.contains("**Do not stop glucocorticoids abruptly**").contains("adrenal insufficiency")
				.contains("stress-dose cover").contains("Glucocorticoid: prednisone 20 MG Oral Tablet")
				.contains("Immunosuppressant: methotrexate 2.5 MG Oral Tablet");
			String withoutTheWarning = detail.replace("Do not stop glucocorticoids abruptly", "");
			assertThat(STOP_GLUCOCORTICOIDS.matcher(withoutTheWarning).find()).as(withoutTheWarning).isFalse();
			assertThat(STOP_GLUCOCORTICOIDS.matcher(card.path("summary").asText()).find()).isFalse();
			assertThat(card.path("summary").asText()).doesNotContain("immunosuppressants");
		}
	}

	@Nested
	class TrimethoprimSulfamethoxazoleByDose {

		@Test
		void bactrimDsOneTabletDailyIsProphylaxisAndTwoTabletsTwiceDailyIsTreatment() {
			PatientScenario prophylaxis = onTacrolimus("tmp-ds-1");
			bactrimDs(prophylaxis, "bactrim-1", 3, tablets(1, 1));
			assertThat(sign(RTX_SIGN, prophylaxis).rules()).doesNotContain("RTX-9", "RTX-7");
			assertThat(sign(TAC_SIGN, prophylaxis).rules()).doesNotContain("TAC-5");

			PatientScenario treatment = onTacrolimus("tmp-ds-4");
			bactrimDs(treatment, "bactrim-4", 3, tablets(2, 2));
			CdsHooksClient.Answer rtx = sign(RTX_SIGN, treatment);
			assertThat(rtx.card("RTX-9").path("indicator").asText()).isEqualTo("warning");
			assertThat(detail(rtx, "RTX-9")).contains("Antibiotic: Bactrim DS 800-160 mg tablet (active, authored "
					+ daysAgo(3).asStringValue() + "), 640 mg trimethoprim a day (a treatment dose");
			CdsHooksClient.Answer tac = sign(TAC_SIGN, treatment);
			assertThat(tac.card("TAC-5").path("indicator").asText()).isEqualTo("warning");
			assertThat(tac.card("TAC-5").path("summary").asText())
				.isEqualTo("Recent antibiotic order: if it treats a serious infection, hold tacrolimus while it is treated");
		}

		@Test
		void theBoundaryIsOneDoubleStrengthTabletOf160MgADayWhateverTheUnit() {
			// 2 single-strength tablets a day = 160 mg trimethoprim: prophylaxis; 3 = 240 mg: treatment.
			PatientScenario twoSs = onTacrolimus("tmp-ss-2")
				.activeMedication("198334", "sulfamethoxazole 400 MG / trimethoprim 80 MG Oral Tablet", 3, tablets(2, 1));
			assertThat(sign(RTX_SIGN, twoSs).rules()).doesNotContain("RTX-9");
			PatientScenario threeSs = onTacrolimus("tmp-ss-3")
				.activeMedication("198334", "sulfamethoxazole 400 MG / trimethoprim 80 MG Oral Tablet", 3, tablets(1, 3));
			assertThat(sign(RTX_SIGN, threeSs).rules()).contains("RTX-9");
			// A dose in mg is the trimethoprim component: 160 mg once daily is prophylaxis, 160 mg twice daily is not.
			PatientScenario mgDaily = onTacrolimus("tmp-mg-1")
				.activeMedication("10831", "sulfamethoxazole / trimethoprim", 3, every(dose(160, "mg"), 1, 1, "d"));
			assertThat(sign(TAC_SIGN, mgDaily).rules()).doesNotContain("TAC-5");
			PatientScenario mgTwice = onTacrolimus("tmp-mg-2")
				.activeMedication("10831", "sulfamethoxazole / trimethoprim", 3, every(dose(160, "mg"), 2, 1, "d"));
			assertThat(sign(TAC_SIGN, mgTwice).rules()).contains("TAC-5");
			// The suspension by mL: 20 mL (160 mg) a day is prophylaxis, 20 mL twice a day is treatment.
			PatientScenario suspension = onTacrolimus("tmp-ml-2")
				.activeMedication("313134", "sulfamethoxazole 40 MG/ML / trimethoprim 8 MG/ML Oral Suspension", 3,
						every(dose(20, "mL"), 2, 1, "d"));
			assertThat(sign(RTX_SIGN, suspension).rules()).contains("RTX-9");
		}

		@Test
		void aFormularyNameWithTheStrengthPairCountsByItsTrimethoprim() {
			// "800-160 MG" under a local code and the RxNorm ingredient: 160 mg trimethoprim per tablet.
			PatientScenario scenario = onTacrolimus("tmp-pair");
			MedicationRequest request = bactrimDs(scenario, "smx-tmp-1", 3, tablets(1, 2));
			request.setMedication(new CodeableConcept()
				.addCoding(new Coding(LOCAL_DRUGS, "12345", "SULFAMETHOXAZOLE-TRIMETHOPRIM 800-160 MG PO TABS"))
				.addCoding(new Coding(RXNORM, "10831", "sulfamethoxazole / trimethoprim")));
			assertThat(detail(sign(RTX_SIGN, scenario), "RTX-9")).contains("320 mg trimethoprim a day");
			PatientScenario daily = onTacrolimus("tmp-pair-1");
			bactrimDs(daily, "smx-tmp-1", 3, tablets(1, 1)).setMedication(new CodeableConcept()
				.addCoding(new Coding(LOCAL_DRUGS, "12345", "SULFAMETHOXAZOLE-TRIMETHOPRIM 800-160 MG PO TABS"))
				.addCoding(new Coding(RXNORM, "10831", "sulfamethoxazole / trimethoprim")));
			assertThat(sign(RTX_SIGN, daily).rules()).doesNotContain("RTX-9");
		}

		@Test
		void aDoseThatCannotBeComputedCountsAsProphylaxisAndIsNamed() {
			PatientScenario unread = onTacrolimus("tmp-unread");
			unread.activeMedication("10831", "sulfamethoxazole / trimethoprim", 3,
					new Dosage().setText("1 tablet by mouth as directed"));
			assertThat(sign(RTX_SIGN, unread).rules()).doesNotContain("RTX-9");
			// With a pneumonia, the card names the unread order as not counted.
			condition(unread, "pna", SNOMED, PNEUMONIA, "Pneumonia (disorder)", "active", "encounter-diagnosis", 5, null);
			assertThat(detail(sign(RTX_SIGN, unread), "RTX-9")).contains(
					"Not counted: sulfamethoxazole / trimethoprim (active, authored " + daysAgo(3).asStringValue()
							+ "), daily dose could not be computed")
				.contains("read as Pneumocystis prophylaxis");
		}
	}

	@Nested
	class Rtx8InfectionEpisodes {

		PatientScenario adult(String id) {
			return refractoryAdult(id).draft(standardCourse());
		}

		/** The adult with resolved pneumonias (encounter diagnoses) with these onsets. */
		PatientScenario withPneumonias(String id, int... onsetDaysAgo) {
			PatientScenario scenario = adult(id);
			for (int days : onsetDaysAgo) {
				condition(scenario, "pna-" + days, SNOMED, PNEUMONIA, "Pneumonia (disorder)", "resolved", "encounter-diagnosis", days, null);
			}
			return scenario;
		}

		@Test
		void onePneumoniaRecordedTwiceFiveDaysApartIsOneEpisode() {
			PatientScenario scenario = adult("rtx8-twice");
			condition(scenario, "pna-pl", SNOMED, PNEUMONIA, "Pneumonia (disorder)", "resolved", "problem-list-item", 100, null);
			condition(scenario, "pna-enc", ICD10CM, "J18.9", "Pneumonia, unspecified organism", "resolved", "encounter-diagnosis", 95, null);
			assertThat(sign(RTX_SIGN, scenario).rules()).doesNotContain("RTX-8");
		}

		@Test
		void twoResolvedPneumoniasThirtyDaysApartAreTwoEpisodesAndTwentyNineAreOne() {
			CdsHooksClient.Answer answer = sign(RTX_SIGN, withPneumonias("rtx8-30", 130, 100));
			assertThat(answer.rules()).contains("RTX-8").doesNotContain("RTX-9");
			assertThat(detail(answer, "RTX-8")).contains("Recurrent infections: 2 distinct serious-infection episodes in the last 365 days")
				.contains("Pneumonia (disorder) (resolved; onset " + daysAgo(130).asStringValue() + ")");
			assertThat(sign(RTX_SIGN, withPneumonias("rtx8-29", 129, 100)).rules()).doesNotContain("RTX-8");
			// Days 0, 20 and 40: the third is 40 days after the start of the first episode, so two episodes.
			assertThat(sign(RTX_SIGN, withPneumonias("rtx8-chain", 140, 120, 100)).rules()).contains("RTX-8");
		}

		@Test
		void anEpisodeMoreThanTwelveMonthsAgoDoesNotCount() {
			PatientScenario within = adult("rtx8-365");
			condition(within, "pna-1", SNOMED, PNEUMONIA, "Pneumonia (disorder)", "resolved", "problem-list-item", 365, null);
			condition(within, "cell-1", SNOMED, "128045006", "Cellulitis (disorder)", "resolved", "problem-list-item", 60, null);
			assertThat(sign(RTX_SIGN, within).rules()).contains("RTX-8");
			PatientScenario before = adult("rtx8-366");
			condition(before, "pna-1", SNOMED, PNEUMONIA, "Pneumonia (disorder)", "resolved", "problem-list-item", 366, null);
			condition(before, "cell-1", SNOMED, "128045006", "Cellulitis (disorder)", "resolved", "problem-list-item", 60, null);
			assertThat(sign(RTX_SIGN, before).rules()).doesNotContain("RTX-8");
		}

		@Test
		void aRefutedInfectionIsNoEpisode() {
			PatientScenario scenario = withPneumonias("rtx8-refuted", 200);
			Condition refuted = condition(scenario, "pna-2", SNOMED, PNEUMONIA, "Pneumonia (disorder)", "resolved",
					"encounter-diagnosis", 100, null);
			refuted.setVerificationStatus(new CodeableConcept(new Coding(VERIFICATION, "refuted", null)));
			assertThat(sign(RTX_SIGN, scenario).rules()).doesNotContain("RTX-8");
		}

		@Test
		void aRecurrentInfectionConditionCountsByItself() {
			PatientScenario scenario = adult("rtx8-recurrent");
			condition(scenario, "rpna", SNOMED, "699014000", "Recurrent pneumonia (disorder)", "inactive", "problem-list-item", 900, null);
			assertThat(detail(sign(RTX_SIGN, scenario), "RTX-8"))
				.contains("Recurrent infections: Recurrent pneumonia (disorder) (inactive; onset " + daysAgo(900).asStringValue() + ")");
		}
	}

	@Nested
	class TacrolimusServiceGates {

		/** A transplant status on record, tacrolimus 2 mg twice daily (4 mg/day, above 3), rituximab ordered. */
		Condition transplantStatus(PatientScenario scenario, String system, String code, String display) {
			return condition(scenario, "tx", system, code, display, "active", "problem-list-item", 2000, null);
		}

		PatientScenario transplantRecipient(String id, String system, String code, String display) {
			PatientScenario scenario = onTacrolimus(id, 2);
			transplantStatus(scenario, system, code, display);
			return scenario;
		}

		@Test
		void aKidneyTransplantRecipientOnTacrolimusOrderedRituximabGetsNoTacCard() {
			PatientScenario icd = transplantRecipient("gate-z940", ICD10CM, "Z94.0", "Kidney transplant status");
			condition(icd, "pna", SNOMED, PNEUMONIA, "Pneumonia (disorder)", "active", "encounter-diagnosis", 5, null);
			assertThat(sign(TAC_SIGN, icd).rules()).isEmpty();
			assertThat(fetched(TAC_SIGN, icd).rules()).isEmpty();
			PatientScenario snomed = transplantRecipient("gate-737295003", SNOMED, "737295003", "Transplanted kidney present (finding)");
			assertThat(sign(TAC_SIGN, snomed).rules()).isEmpty();
			PatientScenario stemCells = transplantRecipient("gate-z9484", ICD10CM, "Z94.84", "Stem cells transplant status");
			assertThat(sign(TAC_SIGN, stemCells).rules()).isEmpty();
		}

		@Test
		void theSamePatientWithoutTransplantStatusGetsTac1AndTac5() {
			PatientScenario scenario = onTacrolimus("gate-no-tx", 2);
			condition(scenario, "pna", SNOMED, PNEUMONIA, "Pneumonia (disorder)", "active", "encounter-diagnosis", 5, null);
			assertThat(sign(TAC_SIGN, scenario).rules()).containsExactlyInAnyOrder("TAC-1", "TAC-5");
		}

		@Test
		void aRefutedTransplantStatusDoesNotSilenceTheService() {
			PatientScenario scenario = onTacrolimus("gate-refuted", 2);
			transplantStatus(scenario, ICD10CM, "Z94.0", "Kidney transplant status")
				.setVerificationStatus(new CodeableConcept(new Coding(VERIFICATION, "refuted", null)));
			assertThat(sign(TAC_SIGN, scenario).rules()).contains("TAC-1");
		}

		@Test
		void withoutAMyositisDiagnosisTheServiceIsSilent() {
			PatientScenario scenario = patient("gate-no-myositis");
			MedicationRequest tacrolimus = PatientScenario.order("tac-nm", "198377", "tacrolimus 1 MG Oral Capsule");
			tacrolimus.setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE);
			tacrolimus.setSubject(new Reference("Patient/gate-no-myositis"));
			tacrolimus.addDosageInstruction(every(dose(3, "mg"), 2, 1, "d"));
			scenario.record(tacrolimus).draft(standardCourse());
			condition(scenario, "ra", SNOMED, "69896004", "Rheumatoid arthritis (disorder)", "active", "problem-list-item", 900, null);
			assertThat(sign(TAC_SIGN, scenario).rules()).isEmpty();
			condition(scenario, "dm", SNOMED, "396230008", "Dermatomyositis (disorder)", "active", "problem-list-item", 900, null);
			assertThat(sign(TAC_SIGN, scenario).rules()).contains("TAC-1");
		}
	}
}
