package org.myositiscds.rules;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Reference;
import org.myositiscds.PatientScenario;

/** Conditions with any verification status, as EHRs record rule-out and working diagnoses. */
final class Conditions {

	private Conditions() {
	}

	/**
	 * @param verificationStatus a condition-ver-status code (differential, provisional, ...), or
	 * null for a Condition that has no verificationStatus
	 */
	static Condition condition(String id, String subject, String system, String code, String display,
			String clinicalStatus, String verificationStatus) {
		Condition condition = new Condition();
		condition.setId(id);
		// FHIR forbids a clinicalStatus on an entered-in-error Condition (con-5)
		if (!"entered-in-error".equals(verificationStatus)) {
			condition.setClinicalStatus(new CodeableConcept(new Coding(
					"http://terminology.hl7.org/CodeSystem/condition-clinical", clinicalStatus, null)));
		}
		if (verificationStatus != null) {
			condition.setVerificationStatus(new CodeableConcept(new Coding(
					"http://terminology.hl7.org/CodeSystem/condition-ver-status", verificationStatus, null)));
		}
		condition.addCategory(new CodeableConcept(new Coding(
				"http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis", "Encounter Diagnosis")));
		condition.setCode(new CodeableConcept(new Coding(system, code, display)).setText(display));
		condition.setSubject(new Reference(subject));
		condition.setOnset(PatientScenario.daysAgo(5));
		return condition;
	}
}
