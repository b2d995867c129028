package org.myositiscds.cql;

import java.util.List;
import java.util.Map;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationAdministration;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Type;
import org.myositiscds.prefetch.MedicationReferences;

/**
 * EHRs name a medication either by a CodeableConcept or by a reference to a Medication. The CQL
 * sees one shape: a copy of each medication record whose reference resolves (contained first, then
 * the index of the call's Medications) gets the Medication's code as its CodeableConcept. A copy
 * whose reference does not resolve to a coded Medication carries the {@link #NOT_IDENTIFIED}
 * extension instead, naming the reference and why, so that the CQL can say so (DATA-1) rather
 * than read the record as "not this drug". The resources as the EHR sent them stay untouched:
 * suggestions that update an order start from those.
 */
final class MedicationConcepts {

	/** Read by MyositisCommon: sub-extensions {@code reference} and {@code reason}, both strings. */
	static final String NOT_IDENTIFIED = "https://fhir.myositis-cds.org/StructureDefinition/medication-not-identified";

	private MedicationConcepts() {
	}

	/**
	 * @param medications the call's Medications by key ({@link MedicationReferences#index})
	 * @param unread why a Medication could not be had, by key; a key in neither map was not in the request
	 */
	static List<Resource> inline(List<Resource> resources, Map<String, Medication> medications,
			Map<String, String> unread) {
		return resources.stream().map(resource -> inline(resource, medications, unread)).toList();
	}

	private static Resource inline(Resource resource, Map<String, Medication> medications, Map<String, String> unread) {
		Reference reference = MedicationReferences.referenceOf(resource);
		if (reference == null) {
			return resource;
		}
		String key = MedicationReferences.key(reference);
		Medication medication = reference.getResource() instanceof Medication contained ? contained
				: key == null ? null : medications.get(key);
		DomainResource copy = (DomainResource) resource.copy();
		if (medication != null && isCoded(medication.getCode())) {
			setMedication(copy, medication.getCode());
			return copy;
		}
		String reason = medication != null ? "the Medication has no code (text alone does not identify a drug)"
				: key == null ? "the reference names no Medication"
				: unread.getOrDefault(key, "not in the request");
		Extension notIdentified = new Extension(NOT_IDENTIFIED);
		notIdentified.addExtension("reference", new StringType(describe(reference)));
		notIdentified.addExtension("reason", new StringType(reason));
		copy.addExtension(notIdentified);
		return copy;
	}

	private static boolean isCoded(CodeableConcept concept) {
		return concept.getCoding().stream().anyMatch(coding -> coding.hasSystem() && coding.hasCode());
	}

	private static String describe(Reference reference) {
		String target = reference.hasReference() ? reference.getReference() : "a reference without a target";
		return reference.hasDisplay() ? target + " (" + reference.getDisplay() + ")" : target;
	}

	/** Sets the medication (a concept or a reference) of a MedicationRequest, -Statement or -Administration. */
	static void setMedication(DomainResource record, Type medication) {
		if (record instanceof MedicationRequest request) {
			request.setMedication(medication);
		}
		else if (record instanceof MedicationStatement statement) {
			statement.setMedication(medication);
		}
		else {
			((MedicationAdministration) record).setMedication(medication);
		}
	}
}
