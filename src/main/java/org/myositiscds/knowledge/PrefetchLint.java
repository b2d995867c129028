package org.myositiscds.knowledge;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.cqframework.cql.cql2elm.CqlTranslator;
import org.myositiscds.cql.CompiledLibraries;
import org.myositiscds.cql.ValueSetTerminology;
import org.opencds.cqf.cql.engine.runtime.Code;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks a service definition's prefetch against what its CQL reads. The data requirements are
 * derived from the ELM: every definition reachable from "Cards", through included libraries,
 * gives the resource types it retrieves and the value sets it names. The prefetch must fetch every
 * type the CQL retrieves, fetch no type it never reads, and, where a query filters by code, list
 * every code of every value set the CQL reads in that code system. A prefetch that misses a code
 * would hide a result from the prefetch path that the fetch path would have seen.
 */
public final class PrefetchLint {

	/** Resolved by the service itself (medicationReference), so prefetching it is never wasted. */
	private static final Set<String> READ_BY_THE_SERVICE = Set.of("Medication");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private PrefetchLint() {
	}

	/**
	 * What a library's cards read: resource types (with a definition that retrieves each) and value
	 * sets; and the value sets it triggers on, those given to "Medication Requests In" with the
	 * "Triggering Orders" of the hook.
	 */
	record Reads(Map<String, String> retrievedTypes, Set<String> valueSets, Set<String> triggerValueSets) {
	}

	public static List<String> check(ServiceDefinition service, CompiledLibraries libraries,
			ValueSetTerminology terminology) {
		Reads reads = reads(libraries, service.library());
		List<String> problems = new ArrayList<>();
		Map<String, String> typeByKey = new LinkedHashMap<>();
		Set<String> fetchedTypes = new HashSet<>();
		service.prefetch().forEach((key, query) -> {
			String type = query.startsWith("Patient/") ? "Patient" : query.replaceFirst("[/?].*$", "");
			typeByKey.put(key, type);
			fetchedTypes.add(type);
			fetchedTypes.addAll(includedTypes(query));
		});
		reads.retrievedTypes().forEach((type, definition) -> {
			if (!fetchedTypes.contains(type)) {
				problems.add(service.id() + ": the CQL retrieves " + type + " (in \"" + definition
						+ "\") but no prefetch key fetches it");
			}
		});
		typeByKey.forEach((key, type) -> {
			if (!reads.retrievedTypes().containsKey(type) && !READ_BY_THE_SERVICE.contains(type)) {
				problems.add(service.id() + ": prefetch key '" + key + "' fetches " + type + ", which the CQL never reads");
			}
		});
		service.prefetch().forEach((key, query) -> problems.addAll(checkCodes(service.id(), key, query, reads, terminology)));
		return problems;
	}

	private static List<String> checkCodes(String serviceId, String key, String query, Reads reads,
			ValueSetTerminology terminology) {
		List<String> listed = parameter(query, "code");
		if (listed.isEmpty()) {
			return List.of();
		}
		Set<String> systems = new HashSet<>();
		listed.forEach(code -> systems.add(code.contains("|") ? code.substring(0, code.indexOf('|')) : ""));
		List<String> problems = new ArrayList<>();
		Set<String> read = new HashSet<>();
		for (String valueSet : reads.valueSets()) {
			for (Code code : terminology.listedConcepts(valueSet)) {
				if (systems.contains(code.getSystem())) {
					String token = code.getSystem() + "|" + code.getCode();
					read.add(token);
					if (!listed.contains(token)) {
						problems.add(serviceId + ": prefetch key '" + key + "' filters by code but leaves out " + token
								+ " of value set " + valueSet + ", which the CQL reads");
					}
				}
			}
		}
		for (String token : listed) {
			if (!read.contains(token)) {
				problems.add(serviceId + ": prefetch key '" + key + "' fetches code " + token
						+ ", which no value set the CQL reads contains");
			}
		}
		return problems;
	}

	private static List<String> parameter(String query, String name) {
		int questionMark = query.indexOf('?');
		if (questionMark < 0) {
			return List.of();
		}
		List<String> values = new ArrayList<>();
		for (String parameter : query.substring(questionMark + 1).split("&")) {
			if (parameter.startsWith(name + "=")) {
				values.addAll(Arrays.asList(parameter.substring(name.length() + 1).split(",")));
			}
		}
		return values;
	}

	private static Set<String> includedTypes(String query) {
		Set<String> types = new HashSet<>();
		for (String include : parameter(query, "_include")) {
			// _include=MedicationRequest:medication brings the referenced Medication
			if (include.endsWith(":medication")) {
				types.add("Medication");
			}
		}
		return types;
	}

	static Reads reads(CompiledLibraries libraries, String libraryName) {
		Map<String, JsonNode> elm = new HashMap<>();
		Map<String, String> retrieved = new LinkedHashMap<>();
		Set<String> valueSets = new LinkedHashSet<>();
		Set<String> triggerValueSets = new LinkedHashSet<>();
		Deque<String[]> toVisit = new ArrayDeque<>();
		Set<String> visited = new HashSet<>();
		toVisit.add(new String[] { libraryName, "Cards" });
		toVisit.add(new String[] { libraryName, "Patient" });
		while (!toVisit.isEmpty()) {
			String[] next = toVisit.pop();
			if (!visited.add(next[0] + "#" + next[1]) || next[0].equals("FHIRHelpers")) {
				continue;
			}
			JsonNode library = elm.computeIfAbsent(next[0],
					name -> JSON.readTree(CqlTranslator.convertToJson(libraries.library(name))).path("library"));
			for (JsonNode def : library.path("statements").path("def")) {
				if (def.path("name").asString("").equals(next[1])) {
					visit(def, next[0], next[1], library, retrieved, valueSets, triggerValueSets, toVisit);
				}
			}
		}
		return new Reads(retrieved, urls(libraries, valueSets), urls(libraries, triggerValueSets));
	}

	private static Set<String> urls(CompiledLibraries libraries, Set<String> ownersAndNames) {
		Set<String> urls = new LinkedHashSet<>();
		for (String ownerAndName : ownersAndNames) {
			String[] parts = ownerAndName.split("#", 2);
			String url = libraries.valueSetUrl(parts[0], parts[1]);
			if (url != null) {
				urls.add(url);
			}
		}
		return urls;
	}

	private static void visit(JsonNode node, String libraryName, String definition, JsonNode library,
			Map<String, String> retrieved, Set<String> valueSets, Set<String> triggerValueSets, Deque<String[]> toVisit) {
		if (node.isObject()) {
			String type = node.path("type").asString("");
			if (isTrigger(node)) {
				triggerValueSets.add(valueSetUrl(node.path("operand").get(1), libraryName, library));
			}
			switch (type) {
				case "Retrieve" -> retrieved.putIfAbsent(node.path("dataType").asString("").replaceAll(".*}", ""),
						libraryName + "." + definition);
				case "ExpressionRef", "FunctionRef" -> toVisit.add(new String[] {
						libraryOf(node, libraryName, library), node.path("name").asString("") });
				case "ValueSetRef" -> valueSets.add(valueSetUrl(node, libraryName, library));
				default -> {
				}
			}
			node.values().forEach(child -> visit(child, libraryName, definition, library, retrieved, valueSets,
					triggerValueSets, toVisit));
		}
		else if (node.isArray()) {
			node.values().forEach(child -> visit(child, libraryName, definition, library, retrieved, valueSets,
					triggerValueSets, toVisit));
		}
	}

	/** {@code "Medication Requests In"("Triggering Orders"..., <value set>)}, wherever each is defined. */
	private static boolean isTrigger(JsonNode node) {
		JsonNode operands = node.path("operand");
		return node.path("type").asString("").equals("FunctionRef")
				&& node.path("name").asString("").equals("Medication Requests In") && operands.size() == 2
				&& operands.get(0).path("name").asString("").equals("Triggering Orders")
				&& operands.get(1).path("type").asString("").equals("ValueSetRef");
	}

	private static String libraryOf(JsonNode ref, String current, JsonNode library) {
		String alias = ref.path("libraryName").asString(null);
		if (alias == null) {
			return current;
		}
		for (JsonNode include : library.path("includes").path("def")) {
			if (alias.equals(include.path("localIdentifier").asString(""))) {
				return include.path("path").asString(alias);
			}
		}
		return alias;
	}

	/** The library that declares the value set (an include alias names another) and its name. */
	private static String valueSetUrl(JsonNode ref, String current, JsonNode library) {
		return libraryOf(ref, current, library) + "#" + ref.path("name").asString("");
	}
}
