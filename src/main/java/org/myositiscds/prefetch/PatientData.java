package org.myositiscds.prefetch;

import java.util.List;
import java.util.Map;

import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;

/**
 * What the prefetch gave about one patient: the Patient and every other resource found.
 * @param unreadMedications why a Medication named by reference could not be had, by its key
 * ({@link MedicationReferences#key}); empty when none was looked for on the FHIR server
 */
public record PatientData(Patient patient, List<Resource> resources, Map<String, String> unreadMedications) {

	public PatientData {
		resources = List.copyOf(resources);
		unreadMedications = Map.copyOf(unreadMedications);
	}

	public PatientData(Patient patient, List<Resource> resources) {
		this(patient, resources, Map.of());
	}
}
