package org.myositiscds.cql;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.opencds.cqf.cql.engine.model.ModelResolver;
import org.opencds.cqf.cql.engine.retrieve.RetrieveProvider;
import org.opencds.cqf.cql.engine.runtime.Code;
import org.myositiscds.cql.ValueSetTerminology.LookupCode;
import org.opencds.cqf.cql.engine.runtime.Interval;

/**
 * Answers the CQL's retrieves from the resources of one request. Filters by the patient context
 * (a resource that names another patient is never seen) and by code or value set.
 * Date filters are not applied here: the guideline libraries filter dates in their queries.
 * <p>
 * The cost of a call must grow with the record, not with its square (docs/performance.md, "Linear
 * cost"). The engine runs a retrieve again each time a function that holds it is called, so each
 * distinct retrieve is answered once per call and its answer reused; a resource's codes and
 * patient are read once, whatever the number of retrieves that test them; value-set membership is
 * a hash lookup ({@link ValueSetTerminology}). A resource sent twice (the same type, id and
 * content, e.g. in two prefetch keys or two pages) is one record: the engine's distinct and union
 * compare every pair, and the libraries rely on each record being there once to skip them.
 */
final class PatientDataRetrieveProvider implements RetrieveProvider {

	private final Map<String, List<Resource>> resourcesByType;

	private final ModelResolver modelResolver;

	private final ValueSetTerminology terminology;

	private final Map<RetrieveKey, List<Object>> answers = new HashMap<>();

	/** By path, then by resource: what the path gives, read once. */
	private final Map<String, Map<Resource, Object>> pathValues = new HashMap<>();

	private final Map<String, Map<Resource, List<LookupCode>>> codesByPath = new HashMap<>();

	private final Map<List<Object>, CodeIndex> codeIndexes = new HashMap<>();

	/**
	 * By context path and patient, then by resource: whether it belongs to the context, decided once.
	 * The libraries retrieve Observations by value set, one retrieve per test, and reading each
	 * resource's subject reference again for each of them (HAPI parses it at every read) cost more
	 * than the value-set lookups.
	 */
	private final Map<List<Object>, Map<Resource, Boolean>> inContext = new HashMap<>();

	private record RetrieveKey(String context, String contextPath, Object contextValue, String dataType,
			String codePath, List<String> codes, String valueSet) {
	}

	PatientDataRetrieveProvider(Collection<Resource> resources, ModelResolver modelResolver,
			ValueSetTerminology terminology) {
		this.resourcesByType = byTypeOnce(resources);
		this.modelResolver = modelResolver;
		this.terminology = terminology;
	}

	/**
	 * The resources by type, each one once: an exact copy of one already there (same id and
	 * content) is left out. Copies are told apart by their JSON, a hash lookup, so that many
	 * versions of one id cost no more than as many resources. Resources without an id are all kept.
	 */
	private static Map<String, List<Resource>> byTypeOnce(Collection<Resource> resources) {
		Map<String, List<Resource>> byType = new HashMap<>();
		Map<String, Resource> firstById = new HashMap<>();
		Map<String, Set<String>> contentsById = new HashMap<>();
		for (Resource resource : resources) {
			String id = resource.getIdElement().getIdPart();
			if (id != null) {
				String key = resource.fhirType() + "/" + id;
				Resource first = firstById.putIfAbsent(key, resource);
				if (first != null) {
					Set<String> contents = contentsById.computeIfAbsent(key, k -> new HashSet<>(Set.of(json(first))));
					if (!contents.add(json(resource))) {
						continue;
					}
				}
			}
			byType.computeIfAbsent(resource.fhirType(), type -> new ArrayList<>()).add(resource);
		}
		return byType;
	}

	private static String json(Resource resource) {
		return FhirContext.forR4Cached().newJsonParser().encodeResourceToString(resource);
	}

	@Override
	public Iterable<Object> retrieve(String context, String contextPath, Object contextValue, String dataType,
			String templateId, String codePath, Iterable<Code> codes, String valueSet, String datePath,
			String dateLowPath, String dateHighPath, Interval dateRange) {
		RetrieveKey key = new RetrieveKey(context, contextPath, contextValue, dataType, codePath, keysOf(codes),
				valueSet);
		return answers.computeIfAbsent(key, k -> {
			if (codePath != null && valueSet != null) {
				return inValueSet(codeIndexes.computeIfAbsent(Arrays.asList(context, contextPath, contextValue, dataType,
						codePath), c -> codeIndex(context, contextPath, contextValue, dataType, codePath)), valueSet);
			}
			List<Object> found = new ArrayList<>();
			Map<Resource, Boolean> decided = decided(context, contextPath, contextValue);
			for (Resource resource : resourcesByType.getOrDefault(dataType, List.of())) {
				if (decided.computeIfAbsent(resource,
						r -> belongsToContext(r, dataType, context, contextPath, contextValue))
						&& hasCode(resource, codePath, codes)) {
					found.add(resource);
				}
			}
			return Collections.unmodifiableList(found);
		});
	}

	private Map<Resource, Boolean> decided(String context, String contextPath, Object contextValue) {
		return inContext.computeIfAbsent(Arrays.asList(context, contextPath, contextValue), c -> new IdentityHashMap<>());
	}

	/**
	 * The resources of a type in the context, grouped by their codes at a path, each group with
	 * the resources' places in the type's list. The libraries retrieve one type (Observation) by
	 * many value sets; a long history has hundreds of results but a few dozen distinct codings, so
	 * each retrieve looks up each group's codes once instead of each resource's.
	 */
	private record CodeIndex(List<Resource> resources, Map<List<LookupCode>, List<Integer>> placesByCodes) {
	}

	private CodeIndex codeIndex(String context, String contextPath, Object contextValue, String dataType,
			String codePath) {
		List<Resource> resources = resourcesByType.getOrDefault(dataType, List.of());
		Map<Resource, Boolean> decided = decided(context, contextPath, contextValue);
		Map<List<LookupCode>, List<Integer>> placesByCodes = new HashMap<>();
		for (int place = 0; place < resources.size(); place++) {
			Resource resource = resources.get(place);
			if (decided.computeIfAbsent(resource, r -> belongsToContext(r, dataType, context, contextPath, contextValue))) {
				placesByCodes.computeIfAbsent(codesAt(resource, codePath), c -> new ArrayList<>()).add(place);
			}
		}
		return new CodeIndex(resources, placesByCodes);
	}

	/** The resources with a code in the value set, in the order they came. */
	private List<Object> inValueSet(CodeIndex index, String valueSet) {
		List<Integer> places = new ArrayList<>();
		index.placesByCodes().forEach((codes, group) -> {
			if (terminology.containsAny(valueSet, codes)) {
				places.addAll(group);
			}
		});
		Collections.sort(places);
		List<Object> found = new ArrayList<>(places.size());
		places.forEach(place -> found.add(index.resources().get(place)));
		return Collections.unmodifiableList(found);
	}

	private static List<String> keysOf(Iterable<Code> codes) {
		if (codes == null) {
			return null;
		}
		List<String> keys = new ArrayList<>();
		codes.forEach(code -> keys.add(code.getSystem() + "|" + code.getCode()));
		return keys;
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
		Object subject = pathValue(resource, contextPath);
		if (subject instanceof Reference reference && reference.hasReference()) {
			return contextValue.equals(reference.getReferenceElement().getIdPart());
		}
		return subject == null;
	}

	private Object pathValue(Resource resource, String path) {
		Map<Resource, Object> values = pathValues.computeIfAbsent(path, p -> new IdentityHashMap<>());
		if (!values.containsKey(resource)) {
			values.put(resource, modelResolver.resolvePath(resource, path));
		}
		return values.get(resource);
	}

	private boolean hasCode(Resource resource, String codePath, Iterable<Code> codes) {
		if (codePath == null || codes == null) {
			return true;
		}
		List<LookupCode> resourceCodes = codesAt(resource, codePath);
		for (Code wanted : codes) {
			for (LookupCode code : resourceCodes) {
				if (Objects.equals(wanted.getCode(), code.code()) && Objects.equals(wanted.getSystem(), code.system())) {
					return true;
				}
			}
		}
		return false;
	}

	private List<LookupCode> codesAt(Resource resource, String codePath) {
		return codesByPath.computeIfAbsent(codePath, p -> new IdentityHashMap<>())
			.computeIfAbsent(resource, r -> codesOf(pathValue(r, codePath)));
	}

	private static List<LookupCode> codesOf(Object value) {
		List<LookupCode> codes = new ArrayList<>();
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

	private static LookupCode code(Coding coding) {
		return LookupCode.of(new Code().withSystem(coding.getSystem()).withCode(coding.getCode()));
	}
}
