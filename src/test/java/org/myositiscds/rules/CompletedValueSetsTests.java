package org.myositiscds.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.ICD10CM;
import static org.myositiscds.PatientScenario.NEGATIVE;
import static org.myositiscds.PatientScenario.SNOMED;
import static org.myositiscds.PatientScenario.dose;
import static org.myositiscds.PatientScenario.every;
import static org.myositiscds.PatientScenario.order;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.quantity;
import static org.myositiscds.PatientScenario.referenceRange;
import static org.myositiscds.PatientScenario.times;

import java.util.List;

import org.hl7.fhir.r4.model.Dosage;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.junit.jupiter.api.Test;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.PatientScenario;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Codes that EHRs send and the value sets used to miss (issue 12 item 4), through the rituximab and
 * tacrolimus services: a whole ICD-10-CM category (cellulitis of the leg), CKD stage 3a and an MDRD
 * eGFR, branded and intermediate RxNorm concepts (Medrol, methotrexate auto-injector, Bactrim DS, generic
 * atovaquone, rituximab dose form). Each scenario has its twin on the other side of the rule.
 */
@CdsServiceTest
class CompletedValueSetsTests {

	static final String SIGN = "rituximab-order-sign";

	static final String TACROLIMUS_SIGN = "tacrolimus-deescalation-order-sign";

	static final String MDRD = "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum or Plasma by Creatinine-based formula (MDRD)";

	static final String MEDROL_16 = "207138";

	static final String METHOTREXATE_AUTO_INJECTOR = "1441418";

	static final String BACTRIM_DS = "849580";

	static final String ATOVAQUONE_SUSPENSION = "308429";

	@Autowired
	CdsHooksClient client;

	List<String> rules(PatientScenario scenario) {
		CdsHooksClient.Answer answer = client.call(SIGN, scenario.orderSign(SIGN));
		assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
		return answer.rules();
	}

	List<String> tacrolimusRules(PatientScenario scenario) {
		CdsHooksClient.Answer answer = client.call(TACROLIMUS_SIGN, scenario.orderSign(TACROLIMUS_SIGN));
		assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
		return answer.rules();
	}

	/**
	 * A woman with dermatomyositis given rituximab 60 days ago, tacrolimus trough 5.5 ng/mL last week,
	 * ordering tacrolimus 1 mg twice a day: only renal impairment can raise a card.
	 */
	static PatientScenario orderingTacrolimusAfterRituximab(String id) {
		return patient(id).bornYearsAgo(50, 10).dermatomyositis()
			.medicationAdministration("1657867", "50 ML rituximab 10 MG/ML Injection", 60, 1000)
			.lab("33929-1", "Tacrolimus [Mass/volume] in Blood --trough", 7, quantity(5.5, "ng/mL"))
			.draft(order("tac-1", "198377", "tacrolimus 1 MG Oral Capsule").addDosageInstruction(every(dose(1, "mg"), 2, 1, "d")));
	}

	static Dosage daily(double amount, String unit) {
		return every(dose(amount, unit), 1, 1, "d");
	}

	/** Rituximab 1000 mg day 0 and day 14, coded as {@code rxnorm}. */
	static MedicationRequest rituximab(String rxnorm, String display) {
		return order("rtx-1", rxnorm, display).addDosageInstruction(times(dose(1000, "mg"), 2, 14, "d"));
	}

	/**
	 * A 58-year-old woman with dermatomyositis on Medrol 16 mg daily and methotrexate 20 mg weekly
	 * by auto-injector (Otrexup), both for {@code days} days, Bactrim DS once daily, with the
	 * RTX-4 screening current and normal.
	 */
	static PatientScenario onBrandedAgents(String id, int days) {
		PatientScenario scenario = patient(id).bornYearsAgo(58, 30).dermatomyositis()
			.activeMedication(MEDROL_16, "methylprednisolone 16 MG Oral Tablet [Medrol]", days, daily(16, "mg"))
			.activeMedication(METHOTREXATE_AUTO_INJECTOR, "0.4 ML methotrexate 50 MG/ML Auto-Injector [Otrexup]", days,
					every(dose(20, "mg"), 1, 1, "wk"))
			.activeMedication(BACTRIM_DS, "sulfamethoxazole 800 MG / trimethoprim 160 MG Oral Tablet [Bactrim]", days,
					daily(1, "{tbl}"));
		return screened(scenario).height(165, "cm", 10).weight(68, "kg", 10);
	}

	static PatientScenario screened(PatientScenario scenario) {
		return scenario.lab("16128-1", "Hepatitis C virus Ab [Presence] in Serum", 20, NEGATIVE)
			.lab("71773-6", "Mycobacterium tuberculosis stimulated gamma interferon [Interpretation] in Blood Qualitative", 20, NEGATIVE)
			.lab("2465-3", "IgG [Mass/volume] in Serum or Plasma", 20, quantity(1050, "mg/dL").andThen(referenceRange(700, 1600, "mg/dL")))
			.lab("2472-9", "IgM [Mass/volume] in Serum or Plasma", 20, quantity(95, "mg/dL").andThen(referenceRange(40, 230, "mg/dL")))
			.lab("2458-8", "IgA [Mass/volume] in Serum or Plasma", 20, quantity(210, "mg/dL").andThen(referenceRange(70, 400, "mg/dL")))
			.lab("6690-2", "Leukocytes [#/volume] in Blood by Automated count", 10, quantity(7.2, "10*3/uL").andThen(referenceRange(4, 11, "10*3/uL")))
			.lab("1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma", 10, quantity(32, "U/L").andThen(referenceRange(7, 56, "U/L")))
			.lab("38483-4", "Creatinine [Mass/volume] in Blood", 10, quantity(0.8, "mg/dL").andThen(referenceRange(0.6, 1.1, "mg/dL")));
	}

	@Test
	void twelveWeeksOfMedrolAndAMethotrexateAutoInjectorAreAFailedConventionalCourse() {
		List<String> twelveWeeks = rules(onBrandedAgents("vs-medrol-84", 84).draft(rituximab("1657867", "50 ML rituximab 10 MG/ML Injection")));
		assertThat(twelveWeeks).doesNotContain("RTX-1", "RTX-4").contains("RTX-6");
		List<String> shorter = rules(onBrandedAgents("vs-medrol-83", 83).draft(rituximab("1657867", "50 ML rituximab 10 MG/ML Injection")));
		assertThat(shorter).contains("RTX-1");
	}

	@Test
	void bactrimDsOnceDailyIsProphylaxisAndGenericAtovaquoneToo() {
		List<String> onBactrim = rules(onBrandedAgents("vs-bactrim", 120).draft(rituximab("1657867", "50 ML rituximab 10 MG/ML Injection")));
		assertThat(onBactrim).doesNotContain("RTX-7", "RTX-9");
		PatientScenario onAtovaquone = screened(patient("vs-atovaquone").bornYearsAgo(58, 30).dermatomyositis()
			.activeMedication(MEDROL_16, "methylprednisolone 16 MG Oral Tablet [Medrol]", 120, daily(16, "mg"))
			.activeMedication(METHOTREXATE_AUTO_INJECTOR, "0.4 ML methotrexate 50 MG/ML Auto-Injector [Otrexup]", 120,
					every(dose(20, "mg"), 1, 1, "wk"))
			.activeMedication(ATOVAQUONE_SUSPENSION, "atovaquone 150 MG/ML Oral Suspension", 120, daily(1500, "mg")));
		assertThat(rules(onAtovaquone.draft(rituximab("1657867", "50 ML rituximab 10 MG/ML Injection")))).doesNotContain("RTX-7");
		PatientScenario noProphylaxis = screened(patient("vs-no-pjp").bornYearsAgo(58, 30).dermatomyositis()
			.activeMedication(MEDROL_16, "methylprednisolone 16 MG Oral Tablet [Medrol]", 120, daily(16, "mg"))
			.activeMedication(METHOTREXATE_AUTO_INJECTOR, "0.4 ML methotrexate 50 MG/ML Auto-Injector [Otrexup]", 120,
					every(dose(20, "mg"), 1, 1, "wk")));
		assertThat(rules(noProphylaxis.draft(rituximab("1657867", "50 ML rituximab 10 MG/ML Injection")))).contains("RTX-7");
	}

	@Test
	void cellulitisOfTheLegCodedInIcd10CmIsAnActiveSeriousInfection() {
		assertThat(rules(onBrandedAgents("vs-cellulitis", 120)
			.condition(ICD10CM, "L03.116", "Cellulitis of left lower limb", "active", 5)
			.draft(rituximab("1657867", "50 ML rituximab 10 MG/ML Injection")))).contains("RTX-9");
		assertThat(rules(onBrandedAgents("vs-cellulitis-dotless", 120)
			.condition(ICD10CM, "L03116", "Cellulitis of left lower limb", "active", 5)
			.draft(rituximab("1657867", "50 ML rituximab 10 MG/ML Injection")))).contains("RTX-9");
		assertThat(rules(onBrandedAgents("vs-sepsis-pseudomonas", 120)
			.condition(ICD10CM, "A41.52", "Sepsis due to Pseudomonas", "active", 3)
			.draft(rituximab("1657867", "50 ML rituximab 10 MG/ML Injection")))).contains("RTX-9");
		assertThat(rules(onBrandedAgents("vs-cellulitis-old", 120)
			.condition(ICD10CM, "L03.116", "Cellulitis of left lower limb", "active", 60)
			.draft(rituximab("1657867", "50 ML rituximab 10 MG/ML Injection")))).doesNotContain("RTX-9");
	}

	@Test
	void chronicKidneyDiseaseStage3aAndAnMdrdEgfrOf45AreRenalImpairmentButStage2IsNot() {
		assertThat(rules(onBrandedAgents("vs-ckd-3a", 120)
			.condition(ICD10CM, "N18.31", "Chronic kidney disease, stage 3a", "active")
			.draft(rituximab("1657867", "50 ML rituximab 10 MG/ML Injection")))).contains("RTX-8");
		assertThat(rules(onBrandedAgents("vs-ckd-3-snomed", 120)
			.condition(SNOMED, "433144002", "Chronic kidney disease stage 3 (disorder)", "active")
			.draft(rituximab("1657867", "50 ML rituximab 10 MG/ML Injection")))).contains("RTX-8");
		assertThat(rules(onBrandedAgents("vs-ckd-2", 120)
			.condition(ICD10CM, "N18.2", "Chronic kidney disease, stage 2 (mild)", "active")
			.draft(rituximab("1657867", "50 ML rituximab 10 MG/ML Injection")))).doesNotContain("RTX-8");
		assertThat(rules(onBrandedAgents("vs-mdrd-45", 120)
			.lab("33914-3", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum or Plasma by Creatinine-based formula (MDRD)",
					5, quantity(45, "mL/min/{1.73_m2}"))
			.draft(rituximab("1657867", "50 ML rituximab 10 MG/ML Injection")))).contains("RTX-8");
		assertThat(rules(onBrandedAgents("vs-mdrd-75", 120)
			.lab("33914-3", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum or Plasma by Creatinine-based formula (MDRD)",
					5, quantity(75, "mL/min/{1.73_m2}"))
			.draft(rituximab("1657867", "50 ML rituximab 10 MG/ML Injection")))).doesNotContain("RTX-8");
	}

	@Test
	void aRituximabOrderCodedAtTheDoseFormLevelOrAsABiosimilarBrandIsARituximabOrder() {
		assertThat(rules(onBrandedAgents("vs-rtx-scdf", 120).draft(rituximab("1657861", "rituximab Injection"))))
			.contains("RTX-6", "RTX-10");
		assertThat(rules(onBrandedAgents("vs-rtx-truxima", 120).draft(rituximab("2105829", "rituximab Injection [Truxima]"))))
			.contains("RTX-6", "RTX-10");
		assertThat(rules(onBrandedAgents("vs-not-rtx", 120).draft(order("other-1", "1927888",
				"hyaluronidase / rituximab Injection [Rituxan Hycela]")))).isEmpty();
	}

	@Test
	void theTacrolimusServiceReadsMdrdEgfrBloodCreatinineAndSnomedCkdStage3() {
		assertThat(tacrolimusRules(orderingTacrolimusAfterRituximab("vs-tac-mdrd-45")
			.lab("33914-3", MDRD, 5, quantity(45, "mL/min/{1.73_m2}")))).contains("TAC-4");
		assertThat(tacrolimusRules(orderingTacrolimusAfterRituximab("vs-tac-ckd3")
			.condition(SNOMED, "433144002", "Chronic kidney disease stage 3 (disorder)", "active")
			.lab("33914-3", MDRD, 5, quantity(75, "mL/min/{1.73_m2}")))).contains("TAC-4");
		assertThat(tacrolimusRules(orderingTacrolimusAfterRituximab("vs-tac-ckd2")
			.condition(ICD10CM, "N18.2", "Chronic kidney disease, stage 2 (mild)", "active")
			.lab("33914-3", MDRD, 5, quantity(75, "mL/min/{1.73_m2}"))
			.lab("38483-4", "Creatinine [Mass/volume] in Blood", 5, quantity(0.9, "mg/dL").andThen(referenceRange(0.6, 1.1, "mg/dL")))))
			.doesNotContain("TAC-4");
	}
}
