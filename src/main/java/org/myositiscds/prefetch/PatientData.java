package org.myositiscds.prefetch;

import java.util.List;

import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;

/** What the prefetch gave about one patient: the Patient and every other resource found. */
public record PatientData(Patient patient, List<Resource> resources) {

	public PatientData {
		resources = List.copyOf(resources);
	}
}
