package org.myositiscds.bench;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Dosage;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationAdministration;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.SimpleQuantity;
import org.hl7.fhir.r4.model.Timing;

import static org.myositiscds.bench.Codes.CVX;
import static org.myositiscds.bench.Codes.ICD10CM;
import static org.myositiscds.bench.Codes.LOINC;
import static org.myositiscds.bench.Codes.RXNORM;
import static org.myositiscds.bench.Codes.SNOMED;
import static org.myositiscds.bench.Codes.UCUM;
import static org.myositiscds.bench.Codes.coding;
import static org.myositiscds.bench.Codes.concept;

/**
 * Synthetic patients with the history a rheumatology clinic's EHR export holds for a patient with
 * myositis who is now ordered rituximab: about 40 Observations over the years (the pre-rituximab
 * screening labs, immunoglobulins, CD19, renal and liver function, vital signs, HBV serology,
 * CK, tacrolimus troughs), about 15 medication records (a prednisone taper, methotrexate or
 * mycophenolate refills, IVIG, earlier rituximab, prophylaxis) and about 10 Conditions, shaped
 * like US Core resources. The same seed, index and day always give the same patient; dates are
 * relative to the day, so the rules see the same history whenever the benchmark runs.
 * Names and identifiers are made up; every clinical code comes from {@link Codes}.
 */
final class PatientGenerator {

	/** One patient's record, and the draft orders of the rituximab order being signed. */
	record PatientRecord(Patient patient, List<Resource> resources, List<MedicationRequest> draftOrders) {

		String id() {
			return patient.getIdElement().getIdPart();
		}
	}

	private static final String EHR = "urn:oid:2.16.840.1.113883.19.5";

	/** A reference range with only a lower limit (eGFR). */
	private static final double NO_UPPER_LIMIT = Double.POSITIVE_INFINITY;

	private static final String[] FAMILY_NAMES = { "Alvarez", "Brennan", "Chen", "Dubois", "Eriksen", "Fischer",
			"Garcia", "Haddad", "Ivanova", "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Patel" };

	private static final String[] GIVEN_NAMES_FEMALE = { "Ada", "Beatriz", "Clara", "Dina", "Elif", "Farah", "Grace",
			"Hana" };

	private static final String[] GIVEN_NAMES_MALE = { "Amir", "Bruno", "Carlos", "David", "Emil", "Felix", "Goran",
			"Hugo" };

	private final long seed;

	private final LocalDate today;

	PatientGenerator(long seed, LocalDate today) {
		this.seed = seed;
		this.today = today;
	}

	PatientRecord patient(int index) {
		return new Builder(index, new SplittableRandom(seed * 1_000_003L + index)).build();
	}

	/**
	 * The patient of {@code index} with about {@code size} resources in its record: below the
	 * usual record, its first resources (the Patient and the Conditions first); above it, the usual
	 * record and a long history before it ({@link Builder#history}).
	 */
	PatientRecord patient(int index, int size) {
		PatientRecord usual = patient(index);
		if (size <= usual.resources().size()) {
			return new PatientRecord(usual.patient(), List.copyOf(usual.resources().subList(0, Math.max(1, size))),
					usual.draftOrders());
		}
		return new Builder(index, new SplittableRandom(seed * 1_000_003L + index)).build(size);
	}

	/** The same record with a draft order of a drug that none of the services triggers on (lisinopril). */
	static PatientRecord withUntriggeredDraft(PatientRecord record) {
		MedicationRequest draft = record.draftOrders().get(0).copy();
		draft.setId(record.id() + "-lisinopril-draft");
		draft.setMedication(concept(coding(RXNORM, "314076", "Lisinopril 10 MG Oral Tablet")));
		draft.getDosageInstruction().clear();
		draft.addDosageInstruction().setText("10 mg by mouth once daily").getTiming().getRepeat().setFrequency(1).setPeriod(1)
			.setPeriodUnit(Timing.UnitsOfTime.D);
		return new PatientRecord(record.patient(), record.resources(), List.of(draft));
	}

	List<PatientRecord> patients(int count) {
		List<PatientRecord> patients = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			patients.add(patient(i));
		}
		return patients;
	}

	/** Builds one patient; holds the per-patient choices the resources share. */
	private final class Builder {

		private final SplittableRandom random;

		private final String id;

		private final List<Resource> resources = new ArrayList<>();

		private final boolean female;

		private final int ageYears;

		private final boolean child;

		private final int diseaseDays;

		/** The days (before today) of clinic visits with blood tests, the latest first. */
		private final List<Integer> visitDays = new ArrayList<>();

		private final boolean onTacrolimus;

		private final boolean hbvCoreAntibody;

		private final boolean hbsAntigen;

		private final Integer previousRituximabDays;

		private int sequence;

		Builder(int index, SplittableRandom random) {
			this.random = random;
			this.id = "bench-%04d".formatted(index);
			this.female = random.nextInt(100) < 70;
			this.child = random.nextInt(100) < 15;
			this.ageYears = child ? 6 + random.nextInt(12) : 25 + random.nextInt(55);
			this.diseaseDays = child ? 200 + random.nextInt(900) : 300 + random.nextInt(2500);
			int latestVisit = random.nextInt(100) < 85 ? 1 + random.nextInt(20) : 35 + random.nextInt(60);
			for (int day = latestVisit; day < diseaseDays && visitDays.size() < 6; day += 45 + random.nextInt(150)) {
				visitDays.add(day);
			}
			this.onTacrolimus = random.nextInt(100) < 25;
			int hbv = random.nextInt(100);
			this.hbsAntigen = hbv < 3;
			this.hbvCoreAntibody = hbv < 10;
			this.previousRituximabDays = random.nextInt(100) < 40 ? 120 + random.nextInt(300) : null;
		}

		PatientRecord build() {
			return build(0);
		}

		PatientRecord build(int size) {
			Patient patient = patient();
			conditions();
			observations();
			medications();
			List<MedicationRequest> drafts = draftOrders();
			history(size);
			return new PatientRecord(patient, List.copyOf(resources), drafts);
		}

		/**
		 * Years of follow-up before the usual record, until the record holds {@code size}
		 * resources: at each visit (monthly when {@code size} allows it, closer together in the
		 * largest records, as during admissions) a lab panel, HBsAg once a year, and two refills
		 * ordered by {@code medicationReference}, each with a Medication of its own as some EHRs
		 * export them. About 60 % labs, 40 % medication orders and their Medications.
		 */
		private void history(int size) {
			int perVisit = 11 + (onTacrolimus ? 1 : 0);
			int visits = Math.max(1, (size - resources.size()) / perVisit);
			int start = diseaseDays + 30;
			int interval = Math.max(1, Math.min(30, 20 * 365 / visits));
			for (int visit = 0; resources.size() < size; visit++) {
				int day = start + visit * interval;
				labSeriesOn(day, "6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", 4.0, 11.0, 4.2, 10.0);
				labSeriesOn(day, "1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 7, 56, 12, 50);
				labSeriesOn(day, "1920-8", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 10, 40, 14, 38);
				labSeriesOn(day, "2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.6, 1.2, 0.7, 1.1);
				labSeriesOn(day, "98979-8", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI 2021)",
						"mL/min/{1.73_m2}", 60, NO_UPPER_LIMIT, 65, 110);
				labSeriesOn(day, "2157-6", "Creatine kinase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 26, 192, 60, 2400);
				labSeriesOn(day, "2465-3", "IgG [Mass/volume] in Serum or Plasma", "mg/dL", 700, 1600, 750, 1500);
				if (onTacrolimus) {
					labSeriesOn(day, "33929-1", "Tacrolimus [Mass/volume] in Blood --trough", "ng/mL", 5, 15, 4, 12);
				}
				if (visit % 12 == 0) {
					qualitative("5196-1", "Hepatitis B virus surface Ag [Presence] in Serum or Plasma by Immunoassay", day,
							!hbsAntigen);
				}
				Coding methotrexate = coding(RXNORM, "105585", "methotrexate 2.5 MG Oral Tablet");
				order(methotrexate, day, day - interval, "20 mg by mouth once weekly", weekly(20, "mg"), medication(methotrexate));
				Coding prednisone = coding(RXNORM, "312617", "prednisone 5 MG Oral Tablet");
				order(prednisone, day, day - interval, "5 mg by mouth once daily", daily(5, "mg"), medication(prednisone));
			}
		}

		private void labSeriesOn(int daysAgo, String loinc, String display, String unit, double low, double high,
				double min, double max) {
			Observation observation = lab(loinc, display, daysAgo);
			observation.setValue(quantity(min + random.nextDouble() * (max - min), unit));
			Observation.ObservationReferenceRangeComponent range = observation.addReferenceRange();
			range.setLow(simple(low, unit));
			if (high != NO_UPPER_LIMIT) {
				range.setHigh(simple(high, unit));
			}
		}

		private String nextId(String kind) {
			return id + "-" + kind + "-" + (++sequence);
		}

		private Reference subject() {
			return new Reference("Patient/" + id);
		}

		/** A time of day in a US clinic, as EHRs export it, {@code daysAgo} days before today. */
		private DateTimeType at(int daysAgo) {
			LocalDate day = today.minusDays(daysAgo);
			return new DateTimeType("%sT%02d:%02d:00-05:00".formatted(day, 7 + random.nextInt(10), random.nextInt(60)));
		}

		private DateTimeType date(int daysAgo) {
			return new DateTimeType(today.minusDays(daysAgo).toString());
		}

		private boolean chance(int percent) {
			return random.nextInt(100) < percent;
		}

		private Patient patient() {
			Patient patient = new Patient();
			patient.setId(id);
			patient.getMeta().addProfile("http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient");
			Identifier mrn = patient.addIdentifier().setUse(Identifier.IdentifierUse.USUAL).setSystem(EHR)
				.setValue("MRN-" + id.toUpperCase());
			mrn.getType().setText("Medical Record Number").addCoding()
				.setSystem("http://terminology.hl7.org/CodeSystem/v2-0203").setCode("MR").setDisplay("Medical Record Number");
			patient.setActive(true);
			String[] given = female ? GIVEN_NAMES_FEMALE : GIVEN_NAMES_MALE;
			patient.addName().setUse(HumanName.NameUse.OFFICIAL)
				.setFamily(FAMILY_NAMES[random.nextInt(FAMILY_NAMES.length)])
				.addGiven(given[random.nextInt(given.length)]);
			patient.addTelecom().setSystem(org.hl7.fhir.r4.model.ContactPoint.ContactPointSystem.PHONE)
				.setValue("555-01%02d".formatted(random.nextInt(100)))
				.setUse(org.hl7.fhir.r4.model.ContactPoint.ContactPointUse.HOME);
			patient.setGender(female ? Enumerations.AdministrativeGender.FEMALE : Enumerations.AdministrativeGender.MALE);
			patient.setBirthDateElement(new DateType(today.minusYears(ageYears).minusDays(random.nextInt(365)).toString()));
			patient.addAddress().addLine(100 + random.nextInt(900) + " Main Street").setCity("Springfield")
				.setState("IL").setPostalCode("627%02d".formatted(random.nextInt(100)));
			resources.add(patient);
			return patient;
		}

		// ---- Conditions ----

		private void conditions() {
			if (chance(95)) {
				if (child) {
					condition(true, diseaseDays, coding(SNOMED, "1212005", "Childhood type dermatomyositis"),
							coding(ICD10CM, "M33.02", "Juvenile dermatomyositis with myopathy"));
				}
				else if (chance(75)) {
					condition(true, diseaseDays, coding(SNOMED, "396230008", "Dermatomyositis (disorder)"),
							coding(ICD10CM, "M33.12", "Other dermatomyositis with myopathy"));
				}
				else if (chance(50)) {
					condition(true, diseaseDays, coding(SNOMED, "445187004", "Antisynthetase syndrome"));
				}
				else {
					condition(true, diseaseDays, coding(SNOMED, "31384009", "Polymyositis (disorder)"),
							coding(ICD10CM, "M33.22", "Polymyositis with myopathy"));
				}
			}
			if (chance(30)) {
				condition(true, diseaseDays - 30, coding(SNOMED, "233703007", "Interstitial lung disease (disorder)"),
						coding(ICD10CM, "J84.9", "Interstitial pulmonary disease, unspecified"));
			}
			if (!child && chance(20)) {
				condition(true, 400 + random.nextInt(3000), coding(SNOMED, "44054006", "Diabetes mellitus type 2 (disorder)"),
						coding(ICD10CM, "E11.9", "Type 2 diabetes mellitus without complications"));
			}
			if (!child && chance(15)) {
				condition(true, 300 + random.nextInt(2000), coding(SNOMED, "709044004", "Chronic kidney disease (disorder)"),
						coding(ICD10CM, "N18.31", "Chronic kidney disease, stage 3a"));
			}
			if (chance(10)) {
				condition(true, 100 + random.nextInt(600), coding(SNOMED, "119250001", "Hypogammaglobulinemia"),
						coding(ICD10CM, "D80.1", "Nonfamilial hypogammaglobulinemia"));
			}
			if (hbsAntigen) {
				condition(true, 1000 + random.nextInt(3000), coding(SNOMED, "61977001", "Chronic type B viral hepatitis (disorder)"),
						coding(ICD10CM, "B18.1", "Chronic viral hepatitis B without delta-agent"));
			}
			if (chance(4)) {
				condition(true, 500 + random.nextInt(2000), coding(ICD10CM, "Z22.7", "Latent tuberculosis"));
			}
			if (chance(3)) {
				condition(true, diseaseDays - 10, coding(SNOMED, "50920009", "Myocarditis"),
						coding(ICD10CM, "I41", "Myocarditis in diseases classified elsewhere"));
			}
			// Infections while immunosuppressed: most resolved long ago, a few recent, rarely one active now.
			List<Coding[]> infections = List.of(
					new Coding[] { coding(SNOMED, "233604007", "Pneumonia (disorder)"),
							coding(ICD10CM, "J18.9", "Pneumonia, unspecified organism") },
					new Coding[] { coding(SNOMED, "4740000", "Herpes zoster (disorder)"),
							coding(ICD10CM, "B02.9", "Zoster without complications") },
					new Coding[] { coding(SNOMED, "128045006", "Cellulitis (disorder)"),
							coding(ICD10CM, "L03.90", "Cellulitis, unspecified") },
					new Coding[] { coding(SNOMED, "36689008", "Acute pyelonephritis (disorder)"),
							coding(ICD10CM, "N10", "Acute pyelonephritis") },
					new Coding[] { coding(SNOMED, "53084003", "Bacterial pneumonia (disorder)"),
							coding(ICD10CM, "J15.9", "Unspecified bacterial pneumonia") },
					new Coding[] { coding(SNOMED, "197927001", "Recurrent urinary tract infection (disorder)") },
					new Coding[] { coding(SNOMED, "28944009", "Cytomegalovirus infection"),
							coding(ICD10CM, "B25.9", "Cytomegaloviral disease, unspecified") });
			int infectionCount = 6 + random.nextInt(4);
			for (int i = 0; i < infectionCount; i++) {
				Coding[] infection = infections.get(random.nextInt(infections.size()));
				int onset = chance(15) ? 60 + random.nextInt(300) : 400 + random.nextInt(2500);
				Condition resolved = condition(false, onset, infection);
				resolved.setAbatement(date(onset - 14));
			}
			if (chance(5)) {
				condition(true, 2 + random.nextInt(10), coding(SNOMED, "233604007", "Pneumonia (disorder)"),
						coding(ICD10CM, "J18.9", "Pneumonia, unspecified organism"));
			}
		}

		private Condition condition(boolean active, int onsetDaysAgo, Coding... codings) {
			Condition condition = new Condition();
			condition.setId(nextId("cond"));
			condition.getMeta().addProfile("http://hl7.org/fhir/us/core/StructureDefinition/us-core-condition-problems-health-concerns");
			condition.setClinicalStatus(new CodeableConcept(new Coding(
					"http://terminology.hl7.org/CodeSystem/condition-clinical", active ? "active" : "resolved", null)));
			condition.setVerificationStatus(new CodeableConcept(new Coding(
					"http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", null)));
			condition.addCategory(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/condition-category",
					active ? "problem-list-item" : "encounter-diagnosis", active ? "Problem List Item" : "Encounter Diagnosis")));
			condition.setCode(concept(codings));
			condition.setSubject(subject());
			int onset = Math.max(1, onsetDaysAgo);
			condition.setOnset(date(onset));
			condition.setRecordedDateElement(date(Math.max(0, onset - random.nextInt(14))));
			resources.add(condition);
			return condition;
		}

		// ---- Observations ----

		private void observations() {
			int heightCm = child ? 110 + (ageYears - 6) * 6 + random.nextInt(10) : (female ? 155 : 168) + random.nextInt(20);
			double weightKg = child ? 18 + (ageYears - 6) * 4.0 + random.nextInt(8) : (female ? 55 : 68) + random.nextInt(40);
			int latest = visitDays.get(0);
			for (int i = 0; i < Math.min(4, visitDays.size()); i++) {
				vitalSign("29463-7", "Body weight", visitDays.get(i), weightKg + random.nextInt(5) - 2, "kg");
			}
			vitalSign("8302-2", "Body height", latest, heightCm, "cm");
			vitalSign("8302-2", "Body height", visitDays.get(visitDays.size() - 1), heightCm - (child ? 4 : 0), "cm");

			boolean afterRituximab = previousRituximabDays != null;
			boolean lowIgG = chance(12);
			labSeries("2465-3", "IgG [Mass/volume] in Serum or Plasma", 4, "mg/dL", 700, 1600, lowIgG ? 450 : 750, lowIgG ? 690 : 1500);
			labSeries("2472-9", "IgM [Mass/volume] in Serum or Plasma", 2, "mg/dL", 40, 230, 45, 220);
			labSeries("2458-8", "IgA [Mass/volume] in Serum or Plasma", 2, "mg/dL", 70, 400, 80, 380);
			labSeries("8116-6", "CD19 cells [#/volume] in Blood", 3, "/uL", 100, 500, afterRituximab ? 0 : 110,
					afterRituximab ? 20 : 480);
			labSeries("6690-2", "Leukocytes [#/volume] in Blood by Automated count", 5, "10*3/uL", 4.0, 11.0, 3.5, 10.5);
			labSeries("1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma", 4, "U/L", 7, 56, 12, 70);
			labSeries("1920-8", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma", 4, "U/L", 10, 40, 14, 60);
			boolean renalImpairment = chance(15);
			labSeries("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", 4, "mg/dL", 0.6, 1.2,
					renalImpairment ? 1.4 : 0.6, renalImpairment ? 2.2 : 1.1);
			labSeries("98979-8", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI 2021)",
					4, "mL/min/{1.73_m2}", 60, NO_UPPER_LIMIT, renalImpairment ? 30 : 65, renalImpairment ? 58 : 115);
			labSeries("2157-6", "Creatine kinase [Enzymatic activity/volume] in Serum or Plasma", 3, "U/L", 26, 192, 60, 2400);

			int screening = latest + random.nextInt(chance(85) ? 200 : 500);
			qualitative("16128-1", "Hepatitis C virus Ab [Presence] in Serum", screening, chance(98));
			qualitative("71773-6", "Mycobacterium tuberculosis stimulated gamma interferon [Interpretation] in Blood Qualitative",
					screening, chance(96));
			if (female && ageYears >= 12 && ageYears <= 55) {
				qualitative("2118-8", "Choriogonadotropin (pregnancy test) [Presence] in Serum or Plasma",
						random.nextInt(10), true);
			}
			if (chance(92)) {
				int hbvScreening = screening + random.nextInt(400);
				qualitative("5196-1", "Hepatitis B virus surface Ag [Presence] in Serum or Plasma by Immunoassay",
						hbvScreening, !hbsAntigen);
				qualitative("16933-4", "Hepatitis B virus core Ab [Presence] in Serum", hbvScreening, !hbvCoreAntibody);
				Observation antiHbs = lab("16935-9", "Hepatitis B virus surface Ab [Units/volume] in Serum", hbvScreening);
				antiHbs.setValue(quantity(chance(60) ? 10 + random.nextInt(900) : random.nextInt(10), "m[IU]/mL"));
				antiHbs.addReferenceRange().setLow(simple(10, "m[IU]/mL"));
			}
			if (onTacrolimus) {
				labSeries("33929-1", "Tacrolimus [Mass/volume] in Blood --trough", 2, "ng/mL", 5, 15, 4, 12);
			}
		}

		/** A final lab result on each of the latest {@code count} visits, within [min, max]. */
		private void labSeries(String loinc, String display, int count, String unit, double low, double high,
				double min, double max) {
			for (int i = 0; i < Math.min(count, visitDays.size()); i++) {
				labSeriesOn(visitDays.get(i), loinc, display, unit, low, high, min, max);
			}
		}

		private void qualitative(String loinc, String display, int daysAgo, boolean negative) {
			lab(loinc, display, daysAgo).setValue(negative
					? concept(coding(SNOMED, "260385009", "Negative")) : concept(coding(SNOMED, "10828004", "Positive")));
		}

		private Observation lab(String loinc, String display, int daysAgo) {
			return observation("laboratory", "Laboratory",
					"http://hl7.org/fhir/us/core/StructureDefinition/us-core-observation-lab", loinc, display, daysAgo);
		}

		private void vitalSign(String loinc, String display, int daysAgo, double value, String unit) {
			observation("vital-signs", "Vital Signs", "http://hl7.org/fhir/StructureDefinition/vitalsigns", loinc, display,
					daysAgo)
				.setValue(quantity(value, unit));
		}

		private Observation observation(String category, String categoryDisplay, String profile, String loinc,
				String display, int daysAgo) {
			Observation observation = new Observation();
			observation.setId(nextId("obs"));
			observation.getMeta().addProfile(profile);
			observation.setStatus(Observation.ObservationStatus.FINAL);
			observation.addCategory(new CodeableConcept(new Coding(
					"http://terminology.hl7.org/CodeSystem/observation-category", category, categoryDisplay)));
			observation.setCode(concept(coding(LOINC, loinc, display)));
			observation.setSubject(subject());
			DateTimeType effective = at(daysAgo);
			observation.setEffective(effective);
			observation.setIssuedElement(new org.hl7.fhir.r4.model.InstantType(effective.getValueAsString()));
			resources.add(observation);
			return observation;
		}

		private Quantity quantity(double value, String unit) {
			return new Quantity().setValue(rounded(value)).setUnit(unit).setSystem(UCUM).setCode(unit);
		}

		private SimpleQuantity simple(double value, String unit) {
			SimpleQuantity quantity = new SimpleQuantity();
			quantity.setValue(rounded(value)).setUnit(unit).setSystem(UCUM).setCode(unit);
			return quantity;
		}

		/** One decimal, as lab systems report; whole numbers without a fraction (55, not 55.0). */
		private static BigDecimal rounded(double value) {
			BigDecimal decimal = BigDecimal.valueOf(Math.max(0, value)).setScale(1, RoundingMode.HALF_UP).stripTrailingZeros();
			return decimal.scale() < 0 ? decimal.setScale(0) : decimal;
		}

		// ---- Medications ----

		private void medications() {
			// A prednisone taper since the diagnosis: each step an order of its own, the last one active.
			int[] taperMg = { 60, 40, 30, 20, 15, 10 };
			int steps = 5 + random.nextInt(3);
			int stepDays = Math.max(20, diseaseDays / (steps + 1));
			for (int step = 0; step < steps; step++) {
				int start = diseaseDays - step * stepDays;
				boolean last = step == steps - 1;
				int mg = taperMg[Math.min(step, taperMg.length - 1)];
				Coding prednisone = mg % 20 == 0 ? coding(RXNORM, "312615", "prednisone 20 MG Oral Tablet")
						: coding(RXNORM, "312617", "prednisone 5 MG Oral Tablet");
				order(prednisone, start, last ? null : start - stepDays, mg + " mg by mouth once daily",
						daily(mg, "mg"), null);
			}
			boolean methotrexate = chance(65);
			if (methotrexate) {
				int start = diseaseDays - 20;
				boolean switched = chance(40);
				int refills = 3 + random.nextInt(2);
				Medication tablet = chance(30) ? medication(coding(RXNORM, "105585", "methotrexate 2.5 MG Oral Tablet")) : null;
				for (int refill = 0; refill < refills; refill++) {
					int from = start - refill * 90;
					boolean current = refill == refills - 1 && !switched;
					order(coding(RXNORM, "105585", "methotrexate 2.5 MG Oral Tablet"), from, current ? null : from - 90,
							"20 mg by mouth once weekly", weekly(20, "mg"), tablet);
				}
				if (switched) {
					mycophenolate(start - refills * 90);
				}
			}
			else if (chance(60)) {
				mycophenolate(diseaseDays - 30);
			}
			if (chance(40)) {
				// Pulse methylprednisolone at the diagnosis, on three days in a row.
				for (int day = 0; day < 3; day++) {
					administration(coding(RXNORM, "1743726", "methylprednisolone 1000 MG Injection"), diseaseDays - day,
							1000, "mg");
				}
			}
			if (chance(30)) {
				for (int month = 0; month < 3; month++) {
					administration(coding(CVX, "87", "immune globulin, intravenous"), 20 + month * 28, 2, "g/kg");
				}
			}
			if (onTacrolimus) {
				order(coding(RXNORM, "198377", "tacrolimus 1 MG Oral Capsule"), Math.min(diseaseDays, 200), null,
						"2 mg by mouth twice daily", twiceDaily(2, "mg"), null);
			}
			if (chance(30)) {
				MedicationStatement statement = new MedicationStatement();
				statement.setId(nextId("medstmt"));
				statement.setStatus(MedicationStatement.MedicationStatementStatus.ACTIVE);
				statement.setMedication(concept(coding(RXNORM, "979092", "hydroxychloroquine sulfate 200 MG Oral Tablet")));
				statement.setSubject(subject());
				statement.setEffective(new Period().setStartElement(date(diseaseDays - 15)));
				statement.setDateAssertedElement(date(visitDays.get(0)));
				resources.add(statement);
			}
			if (chance(40)) {
				order(coding(RXNORM, "198335", "sulfamethoxazole 800 MG / trimethoprim 160 MG Oral Tablet"),
						Math.min(diseaseDays, 300), null, "1 tablet by mouth three times weekly", weekly(1, "{tbl}"), null);
			}
			if (hbsAntigen || (hbvCoreAntibody && chance(60))) {
				order(coding(RXNORM, "485434", "entecavir 0.5 MG Oral Tablet"), 200, null, "0.5 mg by mouth once daily",
						daily(0.5, "mg"), null);
			}
			if (previousRituximabDays != null) {
				Coding rituximab = coding(RXNORM, "1657867", "50 ML rituximab 10 MG/ML Injection");
				administration(rituximab, previousRituximabDays, 1000, "mg");
				administration(rituximab, previousRituximabDays - 14, 1000, "mg");
			}
			if (chance(8)) {
				order(coding(RXNORM, "311296", "levofloxacin 750 MG Oral Tablet"), 5, null, "750 mg by mouth once daily",
						daily(750, "mg"), null);
			}
		}

		private void mycophenolate(int startDaysAgo) {
			for (int refill = 0; refill < 3; refill++) {
				int from = startDaysAgo - refill * 90;
				order(coding(RXNORM, "200060", "mycophenolate mofetil 500 MG Oral Tablet"), Math.max(1, from),
						refill == 2 ? null : from - 90, "1000 mg by mouth twice daily", twiceDaily(1000, "mg"), null);
			}
		}

		/** A Medication resource that an order refers to, as some EHRs export medications. */
		private Medication medication(Coding code) {
			Medication medication = new Medication();
			medication.setId(nextId("med"));
			medication.setCode(concept(code));
			resources.add(medication);
			return medication;
		}

		/**
		 * An outpatient order written {@code startDaysAgo}: active without an end, completed with a
		 * validity period ending {@code endDaysAgo}.
		 */
		private void order(Coding code, int startDaysAgo, Integer endDaysAgo, String text, Dosage dosage,
				Medication medication) {
			MedicationRequest request = new MedicationRequest();
			request.setId(nextId("medrx"));
			request.getMeta().addProfile("http://hl7.org/fhir/us/core/StructureDefinition/us-core-medicationrequest");
			request.setStatus(endDaysAgo == null ? MedicationRequest.MedicationRequestStatus.ACTIVE
					: MedicationRequest.MedicationRequestStatus.COMPLETED);
			request.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
			request.addCategory(new CodeableConcept(new Coding(
					"http://terminology.hl7.org/CodeSystem/medicationrequest-category", "outpatient", "Outpatient")));
			if (medication != null) {
				request.setMedication(new Reference("Medication/" + medication.getIdElement().getIdPart()));
			}
			else {
				request.setMedication(concept(code));
			}
			request.setSubject(subject());
			request.setAuthoredOnElement(date(Math.max(0, startDaysAgo)));
			request.setRequester(new Reference("Practitioner/bench-rheumatologist"));
			request.addDosageInstruction(dosage.setText(text));
			Period validity = request.getDispenseRequest().getValidityPeriod();
			validity.setStartElement(date(Math.max(0, startDaysAgo)));
			if (endDaysAgo != null) {
				validity.setEndElement(date(Math.max(0, endDaysAgo)));
			}
			resources.add(request);
		}

		private void administration(Coding code, int daysAgo, double dose, String unit) {
			MedicationAdministration administration = new MedicationAdministration();
			administration.setId(nextId("medadmin"));
			administration.setStatus(MedicationAdministration.MedicationAdministrationStatus.COMPLETED);
			administration.setMedication(concept(code));
			administration.setSubject(subject());
			administration.setEffective(at(daysAgo));
			administration.getDosage().setDose(simple(dose, unit)).setRoute(new CodeableConcept().setText("intravenous"));
			resources.add(administration);
		}

		private Dosage daily(double dose, String unit) {
			return dosage(dose, unit, 1, 1, Timing.UnitsOfTime.D);
		}

		private Dosage twiceDaily(double dose, String unit) {
			return dosage(dose, unit, 2, 1, Timing.UnitsOfTime.D);
		}

		private Dosage weekly(double dose, String unit) {
			return dosage(dose, unit, 1, 1, Timing.UnitsOfTime.WK);
		}

		private Dosage dosage(double dose, String unit, int frequency, int period, Timing.UnitsOfTime periodUnit) {
			Dosage dosage = new Dosage();
			dosage.getTiming().getRepeat().setFrequency(frequency).setPeriod(period).setPeriodUnit(periodUnit);
			dosage.addDoseAndRate().setDose(simple(dose, unit));
			return dosage;
		}

		// ---- The order being signed ----

		/**
		 * Rituximab IV as the rheumatologist orders it: for an adult mostly 1000 mg on day 0 and
		 * day 14 (sometimes another dose, or one maintenance infusion after an earlier course), for a
		 * child 575 mg/m2 of the current body surface area; half the time with methylprednisolone as
		 * premedication.
		 */
		private List<MedicationRequest> draftOrders() {
			List<MedicationRequest> drafts = new ArrayList<>();
			Coding rituximab = switch (random.nextInt(4)) {
				case 0 -> coding(RXNORM, "2105834", "50 ML rituximab-abbs 10 MG/ML Injection");
				case 1 -> coding(RXNORM, "2273520", "50 ML rituximab-pvvr 10 MG/ML Injection");
				default -> coding(RXNORM, "1657867", "50 ML rituximab 10 MG/ML Injection");
			};
			double doseMg;
			if (child) {
				double heightCm = 110 + (ageYears - 6) * 6;
				double weightKg = 18 + (ageYears - 6) * 4.0;
				double bodySurfaceArea = Math.sqrt(heightCm * weightKg / 3600);
				doseMg = Math.min(1000, Math.round(575 * bodySurfaceArea / 10) * 10);
			}
			else {
				doseMg = chance(90) ? 1000 : 750;
			}
			boolean maintenance = previousRituximabDays != null && chance(50);
			Dosage dosage = new Dosage();
			Timing.TimingRepeatComponent repeat = dosage.getTiming().getRepeat();
			if (maintenance) {
				repeat.setCount(1);
				dosage.setText(rounded(doseMg).toPlainString() + " mg IV once");
			}
			else {
				repeat.setCount(2).setPeriod(14).setPeriodUnit(Timing.UnitsOfTime.D);
				dosage.setText(rounded(doseMg).toPlainString() + " mg IV on day 0 and day 14");
			}
			dosage.addDoseAndRate().setDose(simple(doseMg, "mg"));
			dosage.setRoute(new CodeableConcept().setText("intravenous"));
			drafts.add(draft(id + "-rtx-draft", rituximab, dosage));
			if (chance(50)) {
				Dosage premedication = new Dosage().setText("100 mg IV 30 minutes before each rituximab infusion");
				premedication.addDoseAndRate().setDose(simple(100, "mg"));
				premedication.setRoute(new CodeableConcept().setText("intravenous"));
				drafts.add(draft(id + "-mp-draft", coding(RXNORM, "1743704", "methylprednisolone 125 MG Injection"),
						premedication));
			}
			return drafts;
		}

		private MedicationRequest draft(String draftId, Coding code, Dosage dosage) {
			MedicationRequest draft = new MedicationRequest();
			draft.setId(draftId);
			draft.setStatus(MedicationRequest.MedicationRequestStatus.DRAFT);
			draft.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
			draft.setMedication(concept(code));
			draft.setSubject(subject());
			draft.setAuthoredOnElement(date(0));
			draft.setRequester(new Reference("Practitioner/bench-rheumatologist"));
			draft.addDosageInstruction(dosage);
			return draft;
		}
	}
}
