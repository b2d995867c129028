package org.myositiscds.hooks;

import java.util.List;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Resource;
import org.myositiscds.cql.ValueSetTerminology;
import org.myositiscds.cql.ValueSetTerminology.LookupCode;
import org.myositiscds.knowledge.ServiceDefinition;
import org.opencds.cqf.cql.engine.runtime.Code;

/**
 * Whether a call can give any card, decided from its draft orders alone, before anything is
 * fetched or evaluated. Most orders an EHR signs are for drugs none of the services care about;
 * for those the answer is no cards, and in fetch mode the EHR's FHIR server is not asked anything.
 * <p>
 * A call may trigger when one of its triggering drafts (order-select: the selected ones;
 * order-sign: all) is a MedicationRequest whose medication has a coding in one of the service's
 * {@code triggerValueSets} (the value sets its CQL triggers on, proved by the trigger lint), or
 * whose medication cannot be known here: a reference to a Medication that is not contained, or a
 * contained one without a code, may resolve to a trigger on the full path, or must give DATA-1.
 */
final class DraftTriggers {

	private DraftTriggers() {
	}

	static boolean mayTrigger(ServiceDefinition service, CdsRequest request, ValueSetTerminology terminology) {
		return request.draftOrders().stream()
			.filter(draft -> !"order-select".equals(request.hook())
					|| request.selections().contains(draft.fhirType() + "/" + draft.getIdElement().getIdPart()))
			.anyMatch(draft -> mayTrigger(draft, service.triggerValueSets(), terminology));
	}

	private static boolean mayTrigger(Resource draft, List<String> valueSets, ValueSetTerminology terminology) {
		if (!(draft instanceof MedicationRequest order)) {
			return false;
		}
		if (order.hasMedicationCodeableConcept()) {
			return inAny(order.getMedicationCodeableConcept(), valueSets, terminology);
		}
		if (!order.hasMedicationReference()) {
			return false;
		}
		// HAPI links a '#id' reference to its contained resource when it parses the order.
		if (order.getMedicationReference().getResource() instanceof Medication contained
				&& contained.getCode().getCoding().stream().anyMatch(coding -> coding.hasSystem() && coding.hasCode())) {
			return inAny(contained.getCode(), valueSets, terminology);
		}
		return true;
	}

	private static boolean inAny(CodeableConcept concept, List<String> valueSets, ValueSetTerminology terminology) {
		List<LookupCode> codes = concept.getCoding().stream()
			.map(coding -> LookupCode.of(new Code().withSystem(coding.getSystem()).withCode(coding.getCode())))
			.toList();
		return valueSets.stream().anyMatch(valueSet -> terminology.containsAny(valueSet, codes));
	}
}
