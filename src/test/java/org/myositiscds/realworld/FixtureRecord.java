package org.myositiscds.realworld;

import java.util.ArrayList;
import java.util.List;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.myositiscds.PatientScenario;

/**
 * A patient's data as an EHR holds it, in FHIR JSON: the Patient; the record its FHIR API finds by
 * search (a Medication here comes back only through {@code _include}); the draft orders; the
 * Medications sent beside the draft orders in the draftOrders Bundle; and the Medications the
 * FHIR API serves only when read by id.
 */
public record FixtureRecord(ObjectNode patient, List<ObjectNode> records, List<ObjectNode> draftOrders,
		List<ObjectNode> draftSupport, List<ObjectNode> serverOnly) {

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	/** A deep copy, for a shape to change. */
	public FixtureRecord copy() {
		return new FixtureRecord(patient.deepCopy(), copies(records), copies(draftOrders), copies(draftSupport),
				copies(serverOnly));
	}

	/** Every resource of the record and of the draft orders, Patient first. */
	public List<ObjectNode> everything() {
		List<ObjectNode> all = new ArrayList<>();
		all.add(patient);
		all.addAll(records);
		all.addAll(draftOrders);
		all.addAll(draftSupport);
		all.addAll(serverOnly);
		return all;
	}

	/** The record as the scenario that writes CDS Hooks requests and answers FHIR searches. */
	public PatientScenario scenario() {
		List<Resource> drafts = new ArrayList<>(parse(draftOrders));
		drafts.addAll(parse(draftSupport));
		return PatientScenario.of((Patient) parse(patient), parse(records), drafts);
	}

	/** Every Medication the EHR's FHIR API serves by id: those of the record, of the draft orders and the server's own. */
	public List<ObjectNode> medicationsOnServer() {
		List<ObjectNode> medications = new ArrayList<>();
		for (List<ObjectNode> resources : List.of(records, draftSupport, serverOnly)) {
			resources.stream().filter(r -> r.path("resourceType").asText().equals("Medication")).forEach(medications::add);
		}
		return medications;
	}

	private static List<Resource> parse(List<ObjectNode> resources) {
		return resources.stream().map(FixtureRecord::parse).toList();
	}

	private static Resource parse(ObjectNode resource) {
		return (Resource) FHIR.newJsonParser().parseResource(resource.toString());
	}

	private static List<ObjectNode> copies(List<ObjectNode> resources) {
		return new ArrayList<>(resources.stream().map(ObjectNode::deepCopy).toList());
	}
}
