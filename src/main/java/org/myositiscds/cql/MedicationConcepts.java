package org.myositiscds.cql;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationAdministration;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Type;

/**
 * EHRs name a medication either by a CodeableConcept or by a reference to a Medication
 * (contained, or a resource of its own). The CQL sees one shape: a copy of each medication
 * resource whose reference resolves gets the Medication's code as its CodeableConcept.
 * Resources whose reference cannot be resolved are left as they are.
 */
final class MedicationConcepts {

	private MedicationConcepts() {
	}

	static List<Resource> inline(List<Resource> resources, List<Resource> medicationSources) {
		Map<String, Medication> medicationsById = new HashMap<>();
		for (Resource resource : medicationSources) {
			if (resource instanceof Medication medication && medication.hasIdElement()) {
				medicationsById.put(medication.getIdElement().getIdPart(), medication);
			}
		}
		return resources.stream().map(resource -> inline(resource, medicationsById)).toList();
	}

	private static Resource inline(Resource resource, Map<String, Medication> medicationsById) {
		if (resource instanceof MedicationRequest request && request.hasMedicationReference()) {
			CodeableConcept concept = resolve(request.getMedicationReference(), medicationsById);
			return concept == null ? resource : request.copy().setMedication(concept);
		}
		if (resource instanceof MedicationStatement statement && statement.hasMedicationReference()) {
			CodeableConcept concept = resolve(statement.getMedicationReference(), medicationsById);
			return concept == null ? resource : statement.copy().setMedication(concept);
		}
		if (resource instanceof MedicationAdministration administration
				&& administration.getMedication() instanceof Reference reference) {
			CodeableConcept concept = resolve(reference, medicationsById);
			return concept == null ? resource : administration.copy().setMedication(concept);
		}
		return resource;
	}

	private static CodeableConcept resolve(Type medication, Map<String, Medication> medicationsById) {
		Reference reference = (Reference) medication;
		if (reference.getResource() instanceof Medication contained && contained.hasCode()) {
			return contained.getCode();
		}
		if (!reference.hasReference()) {
			return null;
		}
		Medication referenced = medicationsById.get(reference.getReferenceElement().getIdPart());
		return referenced != null && referenced.hasCode() ? referenced.getCode() : null;
	}
}
