package org.myositiscds.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.ICD10CM;
import static org.myositiscds.PatientScenario.RXNORM;
import static org.myositiscds.PatientScenario.SNOMED;
import static org.myositiscds.PatientScenario.UCUM;
import static org.myositiscds.PatientScenario.daysAgo;
import static org.myositiscds.PatientScenario.order;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;

import java.math.BigDecimal;
import java.util.function.Consumer;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Dosage;
import org.hl7.fhir.r4.model.MedicationAdministration;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Range;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.SimpleQuantity;
import org.hl7.fhir.r4.model.Timing;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.PatientScenario;
import org.springframework.beans.factory.annotation.Autowired;

/** TAC-1 to TAC-5 (clinical-rules.md, service 2), through the HTTP endpoint with full prefetch. */
@CdsServiceTest
class TacrolimusDeescalationRulesTests {

	static final String SIGN = "tacrolimus-deescalation-order-sign";

	static final String SELECT = "tacrolimus-deescalation-order-select";

	static final String GTS = "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation";

	static final FhirContext FHIR = FhirContext.forR4Cached();

	@Autowired
	CdsHooksClient client;

	// Products (terminology.md section 1b)
	static final String CAP_0_5 = "313190";

	static final String CAP_1 = "198377";

	static final String CAP_5 = "198378";

	static final String ER_TAB_1 = "1664461";

	static final String ER_TAB_4 = "1664434";

	static final String INGREDIENT = "42316";

	/* ---------- Dosage shapes, as EHRs send them ---------- */

	static Dosage dosage(String text) {
		return new Dosage().setText(text).setRoute(new CodeableConcept().setText("oral"));
	}

	static Dosage mg(Dosage dosage, double value) {
		return dose(dosage, value, "mg", "mg");
	}

	static Dosage dose(Dosage dosage, double value, String unit, String ucumCode) {
		SimpleQuantity quantity = new SimpleQuantity();
		quantity.setValue(BigDecimal.valueOf(value)).setUnit(unit);
		if (ucumCode != null) {
			quantity.setSystem(UCUM).setCode(ucumCode);
		}
		dosage.addDoseAndRate().setDose(quantity);
		return dosage;
	}

	static Dosage timesPer(Dosage dosage, int frequency, double period, Timing.UnitsOfTime unit) {
		Timing timing = dosage.hasTiming() ? dosage.getTiming() : new Timing();
		timing.getRepeat().setFrequency(frequency).setPeriod(BigDecimal.valueOf(period)).setPeriodUnit(unit);
		return dosage.setTiming(timing);
	}

	static Dosage timingCode(Dosage dosage, String code) {
		return dosage.setTiming(new Timing().setCode(new CodeableConcept(new Coding(GTS, code, code))));
	}

	static Dosage twiceDaily(Dosage dosage) {
		return timesPer(dosage, 2, 1, Timing.UnitsOfTime.D);
	}

	static Dosage onceDaily(Dosage dosage) {
		return timesPer(dosage, 1, 1, Timing.UnitsOfTime.D);
	}

	static MedicationRequest tacrolimus(String id, String rxnorm, String display, Dosage... dosages) {
		MedicationRequest request = order(id, rxnorm, display);
		for (Dosage dosage : dosages) {
			request.addDosageInstruction(dosage);
		}
		return request;
	}

	/** 0.5 mg capsules, 2.5 mg twice a day: 5 mg/day. */
	static MedicationRequest fiveMgPerDay(String id) {
		return tacrolimus(id, CAP_0_5, "tacrolimus 0.5 MG Oral Capsule", twiceDaily(mg(dosage("2.5 mg twice daily"), 2.5)));
	}

	/** 1 mg capsules, 1 mg twice a day: 2 mg/day, in range. */
	static MedicationRequest twoMgPerDay(String id) {
		return tacrolimus(id, CAP_1, "tacrolimus 1 MG Oral Capsule", twiceDaily(mg(dosage("1 mg twice daily"), 1)));
	}

	/* ---------- Patient data ---------- */

	static PatientScenario rituximabGiven(PatientScenario scenario, int days) {
		MedicationAdministration administration = new MedicationAdministration();
		administration.setId("rtx-admin-" + days);
		administration.setStatus(MedicationAdministration.MedicationAdministrationStatus.COMPLETED);
		administration.setMedication(new CodeableConcept(new Coding(RXNORM, "1657867", "50 ML rituximab 10 MG/ML Injection")));
		administration.setSubject(new Reference("Patient/" + scenario.id()));
		administration.setEffective(daysAgo(days));
		return scenario.record(administration);
	}

	static Consumer<Observation> quantity(double value, String unit) {
		return o -> o.setValue(new Quantity().setValue(BigDecimal.valueOf(value)).setUnit(unit).setSystem(UCUM).setCode(unit));
	}

	static PatientScenario trough(PatientScenario scenario, int days, double ngPerMl) {
		return scenario.lab("33929-1", "Tacrolimus [Mass/volume] in Blood --trough", days, quantity(ngPerMl, "ng/mL"));
	}

	static PatientScenario egfr(PatientScenario scenario, int days, double value) {
		return scenario.lab("98979-8", "Glomerular filtration rate/1.73 sq M.predicted (CKD-EPI 2021)", days,
				quantity(value, "mL/min/{1.73_m2}"));
	}

	/** Rituximab given 60 days ago, eGFR 92 and a trough of 5.5 ng/mL last week: only the dose can raise a card. */
	static PatientScenario onRituximab(String id) {
		PatientScenario scenario = rituximabGiven(patient(id).dermatomyositis(), 60);
		egfr(scenario, 20, 92);
		return trough(scenario, 7, 5.5);
	}

	CdsHooksClient.Answer sign(PatientScenario scenario) {
		CdsHooksClient.Answer answer = client.call(SIGN, scenario.orderSign(SIGN));
		assertThat(answer.status()).isEqualTo(200);
		return answer;
	}

	static String detail(CdsHooksClient.Answer answer, String rule) {
		return answer.card(rule).path("detail").asText();
	}

	/** The resource of the first action of the first suggestion, parsed as FHIR R4 by HAPI. */
	static MedicationRequest suggestedOrder(JsonNode card) {
		JsonNode resource = card.path("suggestions").get(0).path("actions").get(0).path("resource");
		return FHIR.newJsonParser().parseResource(MedicationRequest.class, resource.toString());
	}

	/** Recomputes the daily dose of a suggested order: dose (mg) x frequency / period in days, summed. */
	static double dailyMg(MedicationRequest order) {
		double total = 0;
		for (Dosage dosage : order.getDosageInstruction()) {
			Dosage.DosageDoseAndRateComponent entry = dosage.getDoseAndRateFirstRep();
			Quantity dose = entry.hasDoseRange() ? entry.getDoseRange().getHigh() : entry.getDoseQuantity();
			assertThat(dose.getUnit()).isEqualTo("mg");
			Timing.TimingRepeatComponent repeat = dosage.getTiming().getRepeat();
			double days = switch (repeat.getPeriodUnit()) {
				case H -> repeat.getPeriod().doubleValue() / 24;
				case D -> repeat.getPeriod().doubleValue();
				default -> throw new AssertionError("unexpected period unit");
			};
			total += dose.getValue().doubleValue() * repeat.getFrequency() / days;
		}
		return total;
	}

	@Test
	void inRangeDoseWithRecentTroughAndNormalKidneysGetsNoCard() {
		assertThat(sign(onRituximab("tac-quiet").draft(twoMgPerDay("tac-1"))).rules()).isEmpty();
	}

	@Test
	void theExampleRequestsGetTheCardsTheReadmePromises() throws java.io.IOException {
		for (String service : new String[] { SELECT, SIGN }) {
			CdsHooksClient.Answer answer = client.call(service,
					java.nio.file.Files.readString(java.nio.file.Path.of("hooks/examples/" + service + ".json")));
			assertThat(answer.rules()).as(service).containsExactly("TAC-1", "TAC-3", "TAC-4");
			assertThat(dailyMg(suggestedOrder(answer.card("TAC-1")))).as(service).isEqualTo(3.0);
		}
	}

	@Nested
	class Tac1DoseAboveRange {

		@Test
		void firesAt5MgADayAndSuggestsTheSameCapsulesAt3MgADay() {
			CdsHooksClient.Answer answer = sign(onRituximab("tac1-5mg").draft(fiveMgPerDay("tac-1")));
			assertThat(answer.rules()).containsExactly("TAC-1");
			JsonNode card = answer.card("TAC-1");
			assertThat(card.path("indicator").asText()).isEqualTo("warning");
			assertThat(card.path("summary").asText()).isEqualTo("Reduce tacrolimus from 5 mg/day to 2-3 mg/day with rituximab");
			assertThat(card.path("detail").asText()).contains("Computed daily dose: **5 mg/day** (2.5 mg x 2 a day = 5 mg/day)")
				.contains("5.5 ng/mL on").contains("2-3 mg/day targeting a trough of about 6 ng/mL");
			assertThat(card.path("source").path("label").asText()).contains("Combination Therapy Strategy")
				.contains("Common Pitfalls").contains("tacrolimus de-escalation service");
			assertThat(card.path("selectionBehavior").asText()).isEqualTo("at-most-one");
			JsonNode action = card.path("suggestions").get(0).path("actions").get(0);
			assertThat(action.path("type").asText()).isEqualTo("update");
			MedicationRequest updated = suggestedOrder(card);
			assertThat(updated.getIdPart()).isEqualTo("tac-1");
			assertThat(updated.getStatus()).isEqualTo(MedicationRequest.MedicationRequestStatus.DRAFT);
			assertThat(updated.getMedicationCodeableConcept().getCodingFirstRep().getCode()).isEqualTo(CAP_0_5);
			assertThat(updated.getDosageInstructionFirstRep().getDoseAndRateFirstRep().getDoseQuantity().getValue())
				.isEqualByComparingTo("1.5");
			assertThat(updated.getDosageInstructionFirstRep().getTiming().getRepeat().getFrequency()).isEqualTo(2);
			assertThat(updated.getDosageInstructionFirstRep().getText()).contains("3 x 0.5 mg capsules").contains("3 mg/day");
			assertThat(updated.getDosageInstructionFirstRep().getRoute().getText()).isEqualTo("oral");
			assertThat(dailyMg(updated)).isBetween(2.0, 3.0).isEqualTo(3.0);
			assertThat(updated.getSubject().getReference()).isEqualTo("Patient/tac1-5mg");
			assertThat(card.path("detail").asText()).contains("Dosing is trough-guided").doesNotContain("Envarsus");
		}

		@Test
		void keepsTheOrderedStrengthWhenItCanMakeADoseInRange() {
			MedicationRequest draft = tacrolimus("tac-1", CAP_1, "tacrolimus 1 MG Oral Capsule",
					twiceDaily(mg(dosage("2 mg twice daily"), 2)));
			JsonNode card = sign(onRituximab("tac1-1mg").draft(draft)).card("TAC-1");
			MedicationRequest updated = suggestedOrder(card);
			assertThat(updated.getMedicationCodeableConcept().getCodingFirstRep().getCode()).isEqualTo(CAP_1);
			assertThat(updated.getDosageInstructionFirstRep().getDoseAndRateFirstRep().getDoseQuantity().getValue())
				.isEqualByComparingTo("1");
			assertThat(dailyMg(updated)).isEqualTo(2.0);
		}

		@Test
		void changesTheStrengthWhenTheOrderedCapsuleCannotAndDropsTheDispenseQuantity() {
			MedicationRequest draft = tacrolimus("tac-1", CAP_5, "tacrolimus 5 MG Oral Capsule",
					twiceDaily(mg(dosage("5 mg twice daily"), 5)));
			draft.getDispenseRequest().setQuantity(new Quantity().setValue(60).setUnit("capsule"));
			draft.getDispenseRequest().setNumberOfRepeatsAllowed(2);
			CdsHooksClient.Answer answer = sign(onRituximab("tac1-5mgcap").draft(draft));
			assertThat(answer.card("TAC-1").path("summary").asText()).contains("from 10 mg/day");
			MedicationRequest updated = suggestedOrder(answer.card("TAC-1"));
			assertThat(updated.getMedicationCodeableConcept().getCodingFirstRep().getCode()).isEqualTo(CAP_0_5);
			assertThat(updated.getDispenseRequest().hasQuantity()).isFalse();
			assertThat(updated.getDispenseRequest().getNumberOfRepeatsAllowed()).isEqualTo(2);
			assertThat(dailyMg(updated)).isEqualTo(3.0);
			assertThat(detail(answer, "TAC-1")).contains("the ordered strength cannot make a dose in range");
		}

		@Test
		void aContainedMedicationIsReplacedByTheNewStrengthWithoutLeavingItBehind() {
			MedicationRequest draft = tacrolimus("tac-contained", CAP_5, "tacrolimus 5 MG Oral Capsule",
					twiceDaily(mg(dosage("5 mg twice daily"), 5)));
			org.hl7.fhir.r4.model.Medication capsule = new org.hl7.fhir.r4.model.Medication();
			capsule.setId("med1");
			capsule.setCode(new CodeableConcept(new Coding(RXNORM, CAP_5, "tacrolimus 5 MG Oral Capsule")));
			draft.addContained(capsule);
			draft.setMedication(new Reference("#med1"));
			CdsHooksClient.Answer answer = sign(onRituximab("tac1-contained").draft(draft));
			MedicationRequest updated = suggestedOrder(answer.card("TAC-1"));
			assertThat(updated.hasMedicationReference()).isFalse();
			assertThat(updated.getContained()).isEmpty();
			assertThat(updated.getMedicationCodeableConcept().getCodingFirstRep().getCode()).isEqualTo(CAP_0_5);
			assertThat(dailyMg(updated)).isEqualTo(3.0);
		}

		@Test
		void extendedReleaseOnceDailyBecomes3MgOnceDailyOf1MgTablets() {
			MedicationRequest draft = tacrolimus("tac-er", ER_TAB_4, "24 HR tacrolimus 4 MG Extended Release Oral Tablet",
					onceDaily(mg(dosage("4 mg once daily in the morning"), 4)));
			CdsHooksClient.Answer answer = sign(onRituximab("tac1-er").draft(draft));
			assertThat(detail(answer, "TAC-1")).contains("**4 mg/day** (4 mg x 1 a day = 4 mg/day)")
				.contains("Tacrolimus order being placed: 24 HR tacrolimus 4 MG Extended Release Oral Tablet (extended release)")
				.contains("extended-release tacrolimus (Envarsus XR, Astagraf XL) is not mg-for-mg equivalent")
				.contains("Dosing is trough-guided");
			MedicationRequest updated = suggestedOrder(answer.card("TAC-1"));
			assertThat(updated.getMedicationCodeableConcept().getCodingFirstRep().getCode()).isEqualTo(ER_TAB_1);
			assertThat(updated.getDosageInstructionFirstRep().getTiming().getRepeat().getFrequency()).isEqualTo(1);
			assertThat(dailyMg(updated)).isEqualTo(3.0);
		}

		@Test
		void splitDosesInTwoInstructionsAreSummedAndBothReduced() {
			MedicationRequest draft = tacrolimus("tac-split", INGREDIENT, "tacrolimus",
					onceDaily(mg(dosage("2 mg in the morning"), 2)), onceDaily(mg(dosage("1.5 mg in the evening"), 1.5)));
			CdsHooksClient.Answer answer = sign(onRituximab("tac1-split").draft(draft));
			assertThat(detail(answer, "TAC-1")).contains("(2 mg x 1 a day + 1.5 mg x 1 a day = 3.5 mg/day)");
			MedicationRequest updated = suggestedOrder(answer.card("TAC-1"));
			assertThat(updated.getDosageInstruction()).hasSize(2);
			assertThat(updated.getDosageInstruction()).allSatisfy(d ->
				assertThat(d.getDoseAndRateFirstRep().getDoseQuantity().getValue()).isEqualByComparingTo("1.5"));
			assertThat(updated.getMedicationCodeableConcept().getCodingFirstRep().getCode()).isEqualTo(INGREDIENT);
			assertThat(dailyMg(updated)).isEqualTo(3.0);
		}

		@Test
		void aDoseRangeBecomesTheNewSingleDose() {
			Dosage range = dosage("1-2 mg twice daily");
			range.addDoseAndRate().setDose(new Range()
				.setLow(new SimpleQuantity().setValue(1).setUnit("mg").setSystem(UCUM).setCode("mg"))
				.setHigh(new SimpleQuantity().setValue(2).setUnit("mg").setSystem(UCUM).setCode("mg")));
			CdsHooksClient.Answer answer = sign(onRituximab("tac1-range")
				.draft(tacrolimus("tac-range", CAP_0_5, "tacrolimus 0.5 MG Oral Capsule", twiceDaily(range))));
			assertThat(detail(answer, "TAC-1")).contains("2 mg x 2 a day (high end of the dose range) = 4 mg/day");
			MedicationRequest updated = suggestedOrder(answer.card("TAC-1"));
			Dosage.DosageDoseAndRateComponent entry = updated.getDosageInstructionFirstRep().getDoseAndRateFirstRep();
			assertThat(entry.hasDoseRange()).as("the range is replaced").isFalse();
			assertThat(entry.getDoseQuantity().getValue()).isEqualByComparingTo("1.5");
			assertThat(dailyMg(updated)).isEqualTo(3.0);
		}

		@Test
		void aHighTroughGoesOnTac1sCard() {
			PatientScenario scenario = rituximabGiven(patient("tac1-trough").dermatomyositis(), 30);
			egfr(scenario, 20, 92);
			trough(scenario, 3, 9.4);
			CdsHooksClient.Answer answer = sign(scenario.draft(fiveMgPerDay("tac-1")));
			assertThat(answer.rules()).containsExactly("TAC-1");
			assertThat(detail(answer, "TAC-1")).contains("the latest trough is above 8 ng/mL")
				.contains("9.4 ng/mL on");
		}

		@Test
		void staysSilentAtExactly3MgADay() {
			MedicationRequest draft = tacrolimus("tac-3", CAP_0_5, "tacrolimus 0.5 MG Oral Capsule",
					twiceDaily(mg(dosage("1.5 mg twice daily"), 1.5)));
			assertThat(sign(onRituximab("tac1-3mg").draft(draft)).rules()).isEmpty();
		}

		@Test
		void caseBUpdatesTheActiveOrderByItsId() {
			MedicationRequest active = fiveMgPerDay("tac-active");
			active.setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE);
			active.setAuthoredOnElement(daysAgo(90));
			active.setSubject(new Reference("Patient/tac1-caseb"));
			PatientScenario scenario = patient("tac1-caseb").dermatomyositis().record(active).draft(rituximabOrder("rtx-1"));
			egfr(scenario, 20, 92);
			trough(scenario, 7, 5.5);
			CdsHooksClient.Answer answer = sign(scenario);
			assertThat(answer.rules()).containsExactly("TAC-1");
			assertThat(detail(answer, "TAC-1")).contains("Rituximab order being placed").contains("Active tacrolimus order");
			MedicationRequest updated = suggestedOrder(answer.card("TAC-1"));
			assertThat(updated.getIdPart()).isEqualTo("tac-active");
			assertThat(updated.getStatus()).isEqualTo(MedicationRequest.MedicationRequestStatus.ACTIVE);
			assertThat(dailyMg(updated)).isEqualTo(3.0);
		}
	}

	@Nested
	class DoseParsing {

		String computed(MedicationRequest draft, String rule) {
			return detail(sign(onRituximab("parse-" + draft.getIdPart()).draft(draft)), rule);
		}

		@Test
		void oneDosePer12Hours() {
			assertThat(computed(tacrolimus("q12", CAP_1, "tacrolimus 1 MG Oral Capsule",
					timesPer(mg(dosage("2 mg every 12 hours"), 2), 1, 12, Timing.UnitsOfTime.H)), "TAC-1"))
				.contains("**4 mg/day** (2 mg x 2 a day");
		}

		@Test
		void timingCodeBidWithoutRepeat() {
			assertThat(computed(tacrolimus("bid", CAP_0_5, "tacrolimus 0.5 MG Oral Capsule",
					timingCode(mg(dosage("2.5 mg BID"), 2.5), "BID")), "TAC-1")).contains("**5 mg/day**");
		}

		@Test
		void timingCodeQ12hIsReadAsEvery12Hours() {
			// Q12H is not a v3-GTSAbbreviation code (the validator rejects it in that system): EHRs send it as text.
			Dosage dosage = mg(dosage("2 mg Q12H"), 2);
			dosage.setTiming(new Timing().setCode(new CodeableConcept().setText("Q12H")));
			assertThat(computed(tacrolimus("q12h", CAP_0_5, "tacrolimus 0.5 MG Oral Capsule", dosage), "TAC-1"))
				.contains("**4 mg/day**");
		}

		@Test
		void twoIdenticalInstructionsAreTwoDoses() {
			Dosage morning = mg(dosage("1.5 mg"), 1.5);
			morning.setTiming(new Timing().setRepeat(new Timing.TimingRepeatComponent().addWhen(Timing.EventTiming.MORN)));
			Dosage evening = mg(dosage("1.5 mg"), 1.5);
			evening.setTiming(new Timing().setRepeat(new Timing.TimingRepeatComponent().addWhen(Timing.EventTiming.EVE)));
			CdsHooksClient.Answer answer = sign(onRituximab("parse-twin")
				.draft(tacrolimus("twin", CAP_0_5, "tacrolimus 0.5 MG Oral Capsule", morning, evening)));
			// 3 mg/day: in range, no card; the same doses at 2 mg each would be 4 mg/day.
			assertThat(answer.rules()).isEmpty();
			Dosage morning2 = mg(dosage("2 mg"), 2);
			morning2.setTiming(new Timing().setRepeat(new Timing.TimingRepeatComponent().addWhen(Timing.EventTiming.MORN)));
			Dosage evening2 = mg(dosage("2 mg"), 2);
			evening2.setTiming(new Timing().setRepeat(new Timing.TimingRepeatComponent().addWhen(Timing.EventTiming.EVE)));
			CdsHooksClient.Answer twins = sign(onRituximab("parse-twin2")
				.draft(tacrolimus("twin2", CAP_0_5, "tacrolimus 0.5 MG Oral Capsule", morning2, evening2)));
			assertThat(detail(twins, "TAC-1")).contains("**4 mg/day** (2 mg x 1 a day + 2 mg x 1 a day = 4 mg/day)");
			MedicationRequest updated = suggestedOrder(twins.card("TAC-1"));
			assertThat(updated.getDosageInstruction()).hasSize(2).allSatisfy(d ->
				assertThat(d.getDoseAndRateFirstRep().getDoseQuantity().getValue()).isEqualByComparingTo("1.5"));
			assertThat(updated.getDosageInstruction().get(1).getTiming().getRepeat().getWhen().get(0).getValue())
				.isEqualTo(Timing.EventTiming.EVE);
		}

		@Test
		void gramsAreConvertedToMilligrams() {
			assertThat(computed(tacrolimus("grams", CAP_0_5, "tacrolimus 0.5 MG Oral Capsule",
					twiceDaily(dose(dosage("0.0025 g twice daily"), 0.0025, "g", "g"))), "TAC-1")).contains("**5 mg/day**");
		}

		@Test
		void microgramsAreConvertedToMilligrams() {
			// 1500 micrograms twice a day: 3 mg/day, in range; TAC-3 shows the dose (no recent trough here).
			MedicationRequest draft = tacrolimus("mcg", CAP_0_5, "tacrolimus 0.5 MG Oral Capsule",
					twiceDaily(dose(dosage("1500 mcg twice daily"), 1500, "mcg", "ug")));
			PatientScenario scenario = rituximabGiven(patient("parse-mcg").dermatomyositis(), 60);
			egfr(scenario, 20, 92);
			CdsHooksClient.Answer answer = sign(scenario.draft(draft));
			assertThat(answer.rules()).containsExactly("TAC-3");
			assertThat(detail(answer, "TAC-3")).contains("**3 mg/day** (1.5 mg x 2 a day");
		}

		@Test
		void splitHalfAndOneMilligramDosesInTwoInstructions() {
			Dosage morning = mg(dosage("1 mg in the morning"), 1);
			morning.setTiming(new Timing().setRepeat(new Timing.TimingRepeatComponent()
				.addWhen(Timing.EventTiming.MORN)));
			Dosage evening = mg(dosage("0.5 mg in the evening"), 0.5);
			evening.setTiming(new Timing().setRepeat(new Timing.TimingRepeatComponent()
				.addWhen(Timing.EventTiming.EVE)));
			PatientScenario scenario = rituximabGiven(patient("parse-split").dermatomyositis(), 60);
			egfr(scenario, 20, 92);
			CdsHooksClient.Answer answer = sign(scenario.draft(
					tacrolimus("split", CAP_0_5, "tacrolimus 0.5 MG Oral Capsule", morning, evening)));
			assertThat(answer.rules()).containsExactly("TAC-3");
			assertThat(detail(answer, "TAC-3")).contains("**1.5 mg/day** (1 mg x 1 a day + 0.5 mg x 1 a day");
		}

		@Test
		void timesOfDayWithoutAFrequencyCountAsDosesADay() {
			Dosage dosage = mg(dosage("2 mg at 08:00 and 20:00"), 2);
			dosage.setTiming(new Timing().setRepeat(new Timing.TimingRepeatComponent()
				.addTimeOfDay("08:00:00").addTimeOfDay("20:00:00")));
			assertThat(computed(tacrolimus("tod", CAP_1, "tacrolimus 1 MG Oral Capsule", dosage), "TAC-1"))
				.contains("**4 mg/day**");
		}

		@Test
		void asNeededIsNotedOnTheCard() {
			Dosage dosage = twiceDaily(mg(dosage("2 mg twice daily as needed"), 2));
			dosage.setAsNeeded(new BooleanType(true));
			assertThat(computed(tacrolimus("prn", CAP_1, "tacrolimus 1 MG Oral Capsule", dosage), "TAC-1"))
				.contains("**4 mg/day**").contains("(as needed)").contains("Part of the dose is as needed");
		}

		@Test
		void aCalculatedMgDoseBesideAnOrderedMgPerKgDoseIsUsedWithoutASuggestion() {
			Dosage dosage = twiceDaily(dose(dosage("0.05 mg/kg twice daily"), 0.05, "mg/kg", "mg/kg"));
			mg(dosage, 3);
			CdsHooksClient.Answer answer = sign(onRituximab("parse-calc")
				.draft(tacrolimus("calc", CAP_1, "tacrolimus 1 MG Oral Capsule", dosage)));
			assertThat(detail(answer, "TAC-1")).contains("**6 mg/day**")
				.contains("the mass dose is not the first dose entry of each dosage instruction");
			assertThat(answer.card("TAC-1").path("suggestions").isMissingNode()
					|| answer.card("TAC-1").path("suggestions").isEmpty()).isTrue();
		}

		@Test
		void mgPerKgAloneIsNotComputable() {
			assertThat(computed(tacrolimus("mgkg", CAP_1, "tacrolimus 1 MG Oral Capsule",
					twiceDaily(dose(dosage("0.05 mg/kg twice daily"), 0.05, "mg/kg", "mg/kg"))), "TAC-2"))
				.contains("per body weight or area (mg/kg)");
		}

		@Test
		void missingTimingIsNotComputable() {
			assertThat(computed(tacrolimus("notiming", CAP_1, "tacrolimus 1 MG Oral Capsule",
					mg(dosage("2 mg"), 2)), "TAC-2")).contains("'2 mg': no timing");
		}

		@Test
		void capsulesOfASingleStrengthProductAreConvertedToMg() {
			assertThat(computed(tacrolimus("caps", CAP_1, "tacrolimus 1 MG Oral Capsule",
					twiceDaily(dose(dosage("2 capsules twice daily"), 2, "capsule", null))), "TAC-1"))
				.contains("**4 mg/day** (2 mg (2 x 1 mg, capsule) x 2 a day = 4 mg/day)");
		}

		@Test
		void theSandboxShapeOnePillOfA1MgCapsuleIsOneMilligram() {
			// The CDS Hooks Sandbox sends "1 {pill}" of "tacrolimus 1 MG Oral Capsule": 1 mg twice daily is in range.
			assertThat(sign(onRituximab("parse-pill-1").draft(tacrolimus("pill1", CAP_1, "tacrolimus 1 MG Oral Capsule",
					twiceDaily(dose(dosage("1 pill twice daily"), 1, "{pill}", "{pill}"))))).rules()).isEmpty();
			CdsHooksClient.Answer answer = sign(onRituximab("parse-pill-3").draft(tacrolimus("pill3", CAP_1,
					"tacrolimus 1 MG Oral Capsule", twiceDaily(dose(dosage("3 pills twice daily"), 3, "{pill}", "{pill}")))));
			assertThat(answer.rules()).containsExactly("TAC-1");
			assertThat(detail(answer, "TAC-1")).contains("**6 mg/day** (3 mg (3 x 1 mg, {pill}) x 2 a day = 6 mg/day)");
			MedicationRequest updated = suggestedOrder(answer.card("TAC-1"));
			assertThat(updated.getMedicationCodeableConcept().getCodingFirstRep().getCode()).isEqualTo(CAP_1);
			assertThat(updated.getDosageInstructionFirstRep().getDoseAndRateFirstRep().getDoseQuantity().getUnit()).isEqualTo("mg");
			assertThat(dailyMg(updated)).isEqualTo(2.0);
		}

		@Test
		void tabletsOfAnExtendedReleaseProductCountByItsStrength() {
			assertThat(computed(tacrolimus("er-tabs", ER_TAB_4, "24 HR tacrolimus 4 MG Extended Release Oral Tablet",
					onceDaily(dose(dosage("1 tablet daily"), 1, "{tbl}", "{tbl}"))), "TAC-1"))
				.contains("**4 mg/day** (4 mg (1 x 4 mg, {tbl}) x 1 a day = 4 mg/day)");
		}

		@Test
		void aCountOfAnIngredientWithoutAStrengthIsNotComputable() {
			assertThat(computed(tacrolimus("ing-caps", INGREDIENT, "tacrolimus",
					twiceDaily(dose(dosage("2 capsules twice daily"), 2, "capsule", null))), "TAC-2"))
				.contains("the dose is a count of capsule, and the strength per unit is not known");
		}

		@Test
		void millilitresAreNeitherAMassNorACount() {
			assertThat(computed(tacrolimus("ml", "198379", "1 ML tacrolimus 5 MG/ML Injection",
					twiceDaily(dose(dosage("1 mL twice daily"), 1, "mL", "mL"))), "TAC-2"))
				.contains("the dose is in ml, not a mass (mg, g or microgram) or a count of tablets or capsules");
		}

		@Test
		void freeTextOnlyHasNoDoseQuantity() {
			assertThat(computed(tacrolimus("text", CAP_1, "tacrolimus 1 MG Oral Capsule",
					dosage("take 2 mg twice daily")), "TAC-2")).contains("no dose quantity");
		}

		@Test
		void anUnknownLocalTimingCodeIsNamed() {
			Dosage dosage = mg(dosage("2 mg with meals"), 2);
			dosage.setTiming(new Timing().setCode(new CodeableConcept(
					new Coding("urn:oid:1.2.840.114350.1.13.0.1.7.10.798276.10130", "200023", "WITH MEALS")).setText("WITH MEALS")));
			assertThat(computed(tacrolimus("local", CAP_1, "tacrolimus 1 MG Oral Capsule", dosage), "TAC-2"))
				.contains("unknown timing code WITH MEALS");
		}

		@Test
		void sequentialInstructionsAreRefused() {
			Dosage first = twiceDaily(mg(dosage("3 mg twice daily for a week"), 3)).setSequence(1);
			Dosage then = twiceDaily(mg(dosage("then 1 mg twice daily"), 1)).setSequence(2);
			assertThat(computed(tacrolimus("taper", CAP_1, "tacrolimus 1 MG Oral Capsule", first, then), "TAC-2"))
				.contains("follow each other (sequence 1, 2)");
		}

		@Test
		void noDosageInstructionAtAll() {
			assertThat(computed(tacrolimus("nodosage", CAP_1, "tacrolimus 1 MG Oral Capsule"), "TAC-2"))
				.contains("the order has no dosage instruction");
		}
	}

	@Nested
	class Tac2DoseNotComputable {

		@Test
		void firesAsAWarningAskingToVerifyTheDose() {
			CdsHooksClient.Answer answer = sign(onRituximab("tac2").draft(tacrolimus("tac-1", CAP_1,
					"tacrolimus 1 MG Oral Capsule", mg(dosage("2 mg"), 2))));
			assertThat(answer.rules()).containsExactly("TAC-2");
			JsonNode card = answer.card("TAC-2");
			assertThat(card.path("indicator").asText()).isEqualTo("warning");
			assertThat(card.path("summary").asText()).startsWith("Verify the tacrolimus daily dose is 2-3 mg/day");
			assertThat(card.path("detail").asText()).contains("**Why:** tacrolimus 1 MG Oral Capsule: '2 mg': no timing");
		}

		@Test
		void staysSilentWhenTheDoseIsComputed() {
			assertThat(sign(onRituximab("tac2-ok").draft(twoMgPerDay("tac-1"))).rules()).doesNotContain("TAC-2");
		}
	}

	@Nested
	class Tac3Trough {

		@Test
		void withoutARecentLevelSuggestsOrderingATrough() {
			PatientScenario scenario = rituximabGiven(patient("tac3-none").dermatomyositis(), 60);
			egfr(scenario, 20, 92);
			trough(scenario, 31, 5.0);
			CdsHooksClient.Answer answer = sign(scenario.draft(twoMgPerDay("tac-1")));
			assertThat(answer.rules()).containsExactly("TAC-3");
			JsonNode card = answer.card("TAC-3");
			assertThat(card.path("indicator").asText()).isEqualTo("info");
			assertThat(card.path("summary").asText()).isEqualTo("Order a tacrolimus trough level: none in the last 30 days");
			assertThat(card.path("detail").asText()).contains("Latest tacrolimus level: 5 ng/mL on " + daysAgo(31).asStringValue());
			JsonNode order = card.path("suggestions").get(0).path("actions").get(0).path("resource");
			assertThat(order.path("resourceType").asText()).isEqualTo("ServiceRequest");
			assertThat(order.path("code").path("coding").get(0).path("code").asText()).isEqualTo("33929-1");
			assertThat(order.path("subject").path("reference").asText()).isEqualTo("Patient/tac3-none");
		}

		@Test
		void aHighTroughWithTheDoseInRangeIsItsOwnWarning() {
			PatientScenario scenario = rituximabGiven(patient("tac3-high").dermatomyositis(), 60);
			egfr(scenario, 20, 92);
			trough(scenario, 4, 8.6);
			CdsHooksClient.Answer answer = sign(scenario.draft(twoMgPerDay("tac-1")));
			assertThat(answer.rules()).containsExactly("TAC-3");
			assertThat(answer.card("TAC-3").path("indicator").asText()).isEqualTo("warning");
			assertThat(answer.card("TAC-3").path("summary").asText()).isEqualTo(
					"Tacrolimus trough 8.6 ng/mL is above 8: reduce tacrolimus toward about 6 ng/mL");
			assertThat(answer.card("TAC-3").path("suggestions").isMissingNode()).isTrue();
		}

		@Test
		void staysSilentWithATroughOf8MeasuredExactly30DaysAgo() {
			PatientScenario scenario = rituximabGiven(patient("tac3-ok").dermatomyositis(), 60);
			egfr(scenario, 20, 92);
			trough(scenario, 30, 8.0);
			assertThat(sign(scenario.draft(twoMgPerDay("tac-1"))).rules()).isEmpty();
		}
	}

	@Nested
	class Tac4RenalImpairment {

		CdsHooksClient.Answer answer(PatientScenario scenario) {
			trough(rituximabGiven(scenario.dermatomyositis(), 60), 7, 5.5);
			return sign(scenario.draft(twoMgPerDay("tac-1")));
		}

		@Test
		void firesForAnEgfrBelow60() {
			PatientScenario scenario = patient("tac4-egfr");
			egfr(scenario, 10, 45);
			CdsHooksClient.Answer answer = answer(scenario);
			assertThat(answer.rules()).containsExactly("TAC-4");
			assertThat(answer.card("TAC-4").path("indicator").asText()).isEqualTo("warning");
			assertThat(detail(answer, "TAC-4")).contains("Latest eGFR: 45 mL/min/{1.73_m2} on").contains("below 60");
			assertThat(answer.card("TAC-4").path("source").path("label").asText()).contains("Special Populations");
		}

		@Test
		void firesForChronicKidneyDiseaseOnRecord() {
			PatientScenario scenario = patient("tac4-ckd").condition(ICD10CM, "N18.31", "Chronic kidney disease, stage 3a", "active");
			egfr(scenario, 10, 75);
			assertThat(detail(answer(scenario), "TAC-4")).contains("Condition on record: Chronic kidney disease, stage 3a");
		}

		@Test
		void firesForACreatinineAboveItsReferenceRange() {
			PatientScenario scenario = patient("tac4-creat").lab("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", 5,
					quantity(1.6, "mg/dL").andThen(o -> o.addReferenceRange()
						.setHigh(new SimpleQuantity().setValue(1.1).setUnit("mg/dL").setSystem(UCUM).setCode("mg/dL"))));
			assertThat(detail(answer(scenario), "TAC-4")).contains("above the reference range (high 1.1)");
		}

		@Test
		void staysSilentWithAnEgfrOf60AndACreatinineInRange() {
			PatientScenario scenario = patient("tac4-ok").lab("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", 5,
					quantity(1.0, "mg/dL").andThen(o -> o.addReferenceRange()
						.setHigh(new SimpleQuantity().setValue(1.1).setUnit("mg/dL").setSystem(UCUM).setCode("mg/dL"))));
			egfr(scenario, 10, 60);
			assertThat(answer(scenario).rules()).isEmpty();
		}

		@Test
		void noRenalResultGivesNoCardOfItsOwnAndTheOtherCardsSaySo() {
			assertThat(answer(patient("tac4-none")).rules()).isEmpty();
			PatientScenario high = trough(rituximabGiven(patient("tac4-none-high").dermatomyositis(), 60), 7, 5.5);
			CdsHooksClient.Answer answer = sign(high.draft(fiveMgPerDay("tac-1")));
			assertThat(answer.rules()).containsExactly("TAC-1");
			assertThat(detail(answer, "TAC-1")).contains("- Renal function: no eGFR or creatinine on record");
		}
	}

	@Nested
	class Tac5Infection {

		static MedicationRequest activeOrder(PatientScenario scenario, String id, String rxnorm, String display, int days,
				Dosage... dosages) {
			MedicationRequest request = order(id, rxnorm, display);
			request.setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE);
			request.setAuthoredOnElement(daysAgo(days));
			request.setSubject(new Reference("Patient/" + scenario.id()));
			for (Dosage dosage : dosages) {
				request.addDosageInstruction(dosage);
			}
			return request;
		}

		@Test
		void anActivePneumoniaIsCriticalAndSuggestsRemovingTheDraft() {
			PatientScenario scenario = onRituximab("tac5-pneumonia").draft(twoMgPerDay("tac-1"));
			scenario.condition(SNOMED, "233604007", "Pneumonia (disorder)", "active", 5);
			CdsHooksClient.Answer answer = sign(scenario);
			assertThat(answer.rules()).containsExactly("TAC-5");
			JsonNode card = answer.card("TAC-5");
			assertThat(card.path("indicator").asText()).isEqualTo("critical");
			assertThat(card.path("summary").asText())
				.isEqualTo("Active serious infection: do not start tacrolimus now; hold it until the infection is treated");
			assertThat(card.path("overrideReasons")).hasSize(3);
			assertThat(card.path("detail").asText()).contains("Infection: Pneumonia (disorder) (active; onset "
					+ daysAgo(5).asStringValue() + ")");
			JsonNode action = card.path("suggestions").get(0).path("actions").get(0);
			assertThat(action.path("type").asText()).isEqualTo("delete");
			assertThat(action.path("resourceId").asText()).isEqualTo("MedicationRequest/tac-1");
			assertThat(card.path("selectionBehavior").asText()).isEqualTo("at-most-one");
		}

		@Test
		void aPneumoniaThatStarted31DaysAgoDoesNotCount() {
			PatientScenario scenario = onRituximab("tac5-old").draft(twoMgPerDay("tac-1"));
			scenario.condition(SNOMED, "233604007", "Pneumonia (disorder)", "active", 31);
			assertThat(sign(scenario).rules()).isEmpty();
		}

		@Test
		void anAntibioticAuthoredThisWeekCountsAndCaseBHasNoDeleteSuggestion() {
			PatientScenario scenario = patient("tac5-abx").dermatomyositis().draft(rituximabOrder("rtx-1"));
			MedicationRequest tac = fiveMgPerDay("tac-active");
			tac.setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE);
			tac.setSubject(new Reference("Patient/tac5-abx"));
			scenario.record(tac);
			scenario.record(activeOrder(scenario, "cro-1", "2193", "ceftriaxone", 3));
			egfr(scenario, 20, 92);
			trough(scenario, 7, 5.5);
			CdsHooksClient.Answer answer = sign(scenario);
			assertThat(answer.rules()).containsExactlyInAnyOrder("TAC-1", "TAC-5");
			assertThat(detail(answer, "TAC-5")).contains("Antibiotic: ceftriaxone (active, authored " + daysAgo(3).asStringValue());
			assertThat(answer.card("TAC-5").path("indicator").asText()).isEqualTo("warning");
			assertThat(answer.card("TAC-5").path("summary").asText()).isEqualTo(
					"Recent antibiotic order: if it treats a serious infection, hold tacrolimus while it is treated");
			assertThat(detail(answer, "TAC-5")).contains("The only evidence of an active serious infection is an antibiotic order");
			assertThat(answer.card("TAC-5").path("suggestions").isMissingNode()).isTrue();
		}

		@Test
		void prophylacticTrimethoprimSulfamethoxazoleIsNotAnAntibioticCourse() {
			PatientScenario scenario = onRituximab("tac5-pjp").draft(twoMgPerDay("tac-1"));
			scenario.record(activeOrder(scenario, "tmp-1", "198335", "sulfamethoxazole 800 MG / trimethoprim 160 MG Oral Tablet", 2,
					onceDaily(dose(dosage("1 tablet daily"), 1, "tablet", "{tablet}"))));
			assertThat(sign(scenario).rules()).isEmpty();
		}

		@Test
		void treatmentDoseTrimethoprimSulfamethoxazoleIsAnAntibioticCourse() {
			PatientScenario scenario = onRituximab("tac5-tmp").draft(twoMgPerDay("tac-1"));
			scenario.record(activeOrder(scenario, "tmp-1", "198335", "sulfamethoxazole 800 MG / trimethoprim 160 MG Oral Tablet", 2,
					twiceDaily(dose(dosage("2 tablets twice daily"), 2, "tablet", "{tablet}"))));
			CdsHooksClient.Answer answer = sign(scenario);
			assertThat(answer.rules()).containsExactly("TAC-5");
			assertThat(answer.card("TAC-5").path("indicator").asText()).isEqualTo("warning");
			assertThat(detail(answer, "TAC-5")).contains("640 mg trimethoprim a day (a treatment dose");
		}

		@Test
		void anAntibioticAuthored15DaysAgoDoesNotCount() {
			PatientScenario scenario = onRituximab("tac5-abx-old").draft(twoMgPerDay("tac-1"));
			scenario.record(activeOrder(scenario, "cro-1", "2193", "ceftriaxone", 15));
			assertThat(sign(scenario).rules()).isEmpty();
		}
	}

	@Nested
	class Trigger {

		@Test
		void orderSelectCaseAFiresWhenTheTacrolimusDraftIsSelectedBesideAnUnselectedRituximabDraft() {
			PatientScenario scenario = patient("trig-select-a").dermatomyositis()
				.draft(fiveMgPerDay("tac-1")).draft(rituximabOrder("rtx-1"));
			egfr(scenario, 20, 92);
			trough(scenario, 7, 5.5);
			assertThat(client.call(SELECT, scenario.orderSelect(SELECT, "tac-1")).rules()).containsExactly("TAC-1");
			// Rituximab selected, the tacrolimus draft not selected and no active tacrolimus order: nothing.
			assertThat(client.call(SELECT, scenario.orderSelect(SELECT, "rtx-1")).rules()).isEmpty();
		}

		@Test
		void orderSelectCaseBFiresOnlyWhenTheRituximabDraftIsSelected() {
			PatientScenario scenario = patient("trig-select-b").dermatomyositis()
				.draft(rituximabOrder("rtx-1")).draft(order("pred-1", "312615", "prednisone 20 MG Oral Tablet"));
			MedicationRequest active = fiveMgPerDay("tac-active");
			active.setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE);
			active.setSubject(new Reference("Patient/trig-select-b"));
			scenario.record(active);
			egfr(scenario, 20, 92);
			trough(scenario, 7, 5.5);
			CdsHooksClient.Answer selected = client.call(SELECT, scenario.orderSelect(SELECT, "rtx-1"));
			assertThat(selected.rules()).containsExactly("TAC-1");
			assertThat(suggestedOrder(selected.card("TAC-1")).getIdPart()).isEqualTo("tac-active");
			assertThat(client.call(SELECT, scenario.orderSelect(SELECT, "pred-1")).rules()).isEmpty();
		}

		@Test
		void rituximabExposureFromAMedicationStatementCounts() {
			PatientScenario scenario = patient("trig-statement").dermatomyositis();
			MedicationStatement statement = new MedicationStatement();
			statement.setId("rtx-statement");
			statement.setStatus(MedicationStatement.MedicationStatementStatus.COMPLETED);
			statement.setMedication(new CodeableConcept(new Coding(RXNORM, "2105834", "50 ML rituximab-abbs 10 MG/ML Injection")));
			statement.setSubject(new Reference("Patient/trig-statement"));
			statement.setEffective(daysAgo(200));
			scenario.record(statement);
			egfr(scenario, 20, 92);
			trough(scenario, 7, 5.5);
			CdsHooksClient.Answer answer = sign(scenario.draft(fiveMgPerDay("tac-1")));
			assertThat(answer.rules()).containsExactly("TAC-1");
			assertThat(detail(answer, "TAC-1")).contains("- Rituximab: 50 ML rituximab-abbs 10 MG/ML Injection, medication statement (completed) on "
					+ daysAgo(200).asStringValue());
		}

		@Test
		void rituximabGivenMoreThan365DaysAgoDoesNotCount() {
			PatientScenario scenario = rituximabGiven(patient("trig-old").dermatomyositis(), 366);
			egfr(scenario, 20, 92);
			assertThat(sign(scenario.draft(fiveMgPerDay("tac-1"))).rules()).isEmpty();
			PatientScenario within = rituximabGiven(patient("trig-365").dermatomyositis(), 365);
			egfr(within, 20, 92);
			trough(within, 7, 5.5);
			assertThat(sign(within.draft(fiveMgPerDay("tac-1"))).rules()).containsExactly("TAC-1");
		}

		@Test
		void topicalTacrolimusNeverCounts() {
			PatientScenario ointment = onRituximab("trig-topical").draft(tacrolimus("protopic", "314266",
					"tacrolimus 0.001 MG/MG Topical Ointment", twiceDaily(mg(dosage("apply twice daily"), 5))));
			assertThat(sign(ointment).rules()).isEmpty();
			Dosage topicalRoute = twiceDaily(mg(dosage("apply to the rash twice daily"), 5));
			topicalRoute.setRoute(new CodeableConcept().setText("Topical"));
			PatientScenario byIngredient = onRituximab("trig-topical-route")
				.draft(tacrolimus("tac-oint", INGREDIENT, "tacrolimus", topicalRoute));
			assertThat(sign(byIngredient).rules()).isEmpty();
		}

		@Test
		void staysSilentWithoutRituximab() {
			PatientScenario scenario = patient("trig-none").dermatomyositis();
			egfr(scenario, 20, 92);
			assertThat(sign(scenario.draft(fiveMgPerDay("tac-1"))).rules()).isEmpty();
		}

		@Test
		void rituximabWithoutActiveTacrolimusIsSilent() {
			PatientScenario scenario = patient("trig-rtx-only").dermatomyositis().draft(rituximabOrder("rtx-1"));
			assertThat(sign(scenario).rules()).isEmpty();
		}
	}
}
