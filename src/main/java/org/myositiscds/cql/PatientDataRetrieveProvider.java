package org.myositiscds.cql;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.opencds.cqf.cql.engine.model.ModelResolver;
import org.opencds.cqf.cql.engine.retrieve.RetrieveProvider;
import org.opencds.cqf.cql.engine.runtime.Code;
import org.opencds.cqf.cql.engine.runtime.Interval;

/**
 * Answers the CQL's retrieves from the resources of one request. Filters by the patient context
 * (a resource that names another patient is never seen) and by code or value set.
 * Date filters are not applied here: the guideline libraries filter dates in their queries.
 */
final class PatientDataRetrieveProvider implements RetrieveProvider {

	private final Map<String, List<Resource>> resourcesByType;

	private final ModelResolver modelResolver;

	private final ValueSetTerminology terminology;

	PatientDataRetrieveProvider(Collection<Resource> resources, ModelResolver modelResolver,
			ValueSetTerminology terminology) {
		this.resourcesByType = resources.stream().collect(Collectors.groupingBy(r -> r.fhirType()));
		this.modelResolver = modelResolver;
		this.terminology = terminology;
	}

	@Override
	public Iterable<Object> retrieve(String context, String contextPath, Object contextValue, String dataType,
			String templateId, String codePath, Iterable<Code> codes, String valueSet, String datePath,
			String dateLowPath, String dateHighPath, Interval dateRange) {
		List<Object> found = new ArrayList<>();
		for (Resource resource : resourcesByType.getOrDefault(dataType, List.of())) {
			if (belongsToContext(resource, dataType, context, contextPath, contextValue)
					&& hasCode(resource, codePath, codes, valueSet)) {
				found.add(resource);
			}
		}
		return found;
	}

	private boolean belongsToContext(Resource resource, String dataType, String context, String contextPath,
			Object contextValue) {
		if (contextValue == null || !"Patient".equals(context)) {
			return true;
		}
		if ("Patient".equals(dataType)) {
			return contextValue.equals(resource.getIdElement().getIdPart());
		}
		if (contextPath == null) {
			return true;
		}
		Object subject = modelResolver.resolvePath(resource, contextPath);
		if (subject instanceof Reference reference && reference.hasReference()) {
			return contextValue.equals(reference.getReferenceElement().getIdPart());
		}
		return subject == null;
	}

	private boolean hasCode(Resource resource, String codePath, Iterable<Code> codes, String valueSet) {
		if (codePath == null || (codes == null && valueSet == null)) {
			return true;
		}
		List<Code> resourceCodes = codesOf(modelResolver.resolvePath(resource, codePath));
		if (valueSet != null) {
			return terminology.containsAny(valueSet, resourceCodes);
		}
		for (Code wanted : codes) {
			for (Code code : resourceCodes) {
				if (wanted.getCode().equals(code.getCode()) && wanted.getSystem().equals(code.getSystem())) {
					return true;
				}
			}
		}
		return false;
	}

	private static List<Code> codesOf(Object value) {
		List<Code> codes = new ArrayList<>();
		if (value instanceof CodeableConcept concept) {
			concept.getCoding().forEach(coding -> codes.add(code(coding)));
		}
		else if (value instanceof Coding coding) {
			codes.add(code(coding));
		}
		else if (value instanceof Iterable<?> values) {
			values.forEach(v -> codes.addAll(codesOf(v)));
		}
		return codes;
	}

	private static Code code(Coding coding) {
		return new Code().withSystem(coding.getSystem()).withCode(coding.getCode());
	}
}
