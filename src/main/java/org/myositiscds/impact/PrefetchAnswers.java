package org.myositiscds.impact;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.myositiscds.prefetch.PrefetchTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The prefetch a conforming EHR sends for a service, answered from one patient's exported record:
 * each template of the discovery document rendered with the patient's id, then a read
 * ({@code Patient/{id}}) or a search, answered as a FHIR server would ({@code searchset} Bundle,
 * {@code _include}d Medications in {@code include} mode). The search parameters the services use
 * are supported (patient, subject, code, status, _include of a medication); a template with any
 * other is refused before the run, not answered wrongly.
 */
final class PrefetchAnswers {

	static final Set<String> SUPPORTED = Set.of("patient", "subject", "code", "status", "_include");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private PrefetchAnswers() {
	}

	/** The resource type a template reads, or searches for; fails on a parameter this class cannot answer. */
	static String typeOf(PrefetchTemplate template) {
		String query = template.query();
		int question = query.indexOf('?');
		for (String name : parameters(query).keySet()) {
			if (!SUPPORTED.contains(name)) {
				throw new IllegalArgumentException("Prefetch key '" + template.key() + "' searches by '" + name
						+ "', which the impact command cannot answer from an export (it answers " + SUPPORTED + ")");
			}
		}
		String path = question < 0 ? query : query.substring(0, question);
		return path.contains("/") ? path.substring(0, path.indexOf('/')) : path;
	}

	/** Whether any template includes the Medications its orders reference. */
	static boolean includesMedications(List<PrefetchTemplate> templates) {
		return templates.stream().anyMatch(t -> parameters(t.query()).getOrDefault("_include", "").endsWith(":medication"));
	}

	/** Each key's answer for the patient, as the prefetch object of a CDS Hooks request. */
	static ObjectNode prefetch(List<PrefetchTemplate> templates, BulkDataPopulation.PatientRecord record,
			Map<String, String> contextFields) {
		ObjectNode prefetch = JSON.createObjectNode();
		for (PrefetchTemplate template : templates) {
			String query = template.render(contextFields).orElseThrow(() -> new IllegalArgumentException(
					"Prefetch key '" + template.key() + "' has a token the impact command's context does not give"));
			prefetch.set(template.key(), answer(query, record));
		}
		return prefetch;
	}

	private static JsonNode answer(String query, BulkDataPopulation.PatientRecord record) {
		int question = query.indexOf('?');
		if (question < 0) {
			// A read: the services read only the patient; anything else is not in the export's record.
			return query.equals("Patient/" + record.patientId()) ? record.patient() : null;
		}
		String type = query.substring(0, question);
		Map<String, String> parameters = parameters(query);
		ObjectNode bundle = JSON.createObjectNode().put("resourceType", "Bundle").put("type", "searchset");
		ArrayNode entries = bundle.putArray("entry");
		Set<String> medications = new HashSet<>();
		for (ObjectNode resource : record.byType().getOrDefault(type, List.of())) {
			if (matches(resource, parameters)) {
				entries.addObject().put("fullUrl", type + "/" + resource.path("id").asString()).set("resource", resource);
				entries.get(entries.size() - 1).withObject("search").put("mode", "match");
				medications.add(resource.path("medicationReference").path("reference").asString(""));
			}
		}
		bundle.put("total", entries.size());
		if (parameters.getOrDefault("_include", "").endsWith(":medication")) {
			for (String reference : medications) {
				ObjectNode medication = reference.startsWith("Medication/")
						? record.medications().get(reference.substring("Medication/".length())) : null;
				if (medication != null) {
					entries.addObject().put("fullUrl", reference).set("resource", medication);
					entries.get(entries.size() - 1).withObject("search").put("mode", "include");
				}
			}
		}
		return bundle;
	}

	/** The record is the patient's already: only status and code remain to filter on. */
	private static boolean matches(ObjectNode resource, Map<String, String> parameters) {
		String status = parameters.get("status");
		if (status != null && !Arrays.asList(status.split(",")).contains(resource.path("status").asString(""))) {
			return false;
		}
		String codes = parameters.get("code");
		if (codes == null) {
			return true;
		}
		List<String> wanted = Arrays.asList(codes.split(","));
		for (JsonNode coding : resource.path("code").path("coding")) {
			String code = coding.path("code").asString("");
			if (wanted.contains(coding.path("system").asString("") + "|" + code) || wanted.contains(code)) {
				return true;
			}
		}
		return false;
	}

	private static Map<String, String> parameters(String query) {
		Map<String, String> parameters = new LinkedHashMap<>();
		int question = query.indexOf('?');
		if (question < 0) {
			return parameters;
		}
		for (String parameter : query.substring(question + 1).split("&")) {
			String[] nameValue = parameter.split("=", 2);
			parameters.put(nameValue[0], nameValue.length > 1 ? nameValue[1] : "");
		}
		return parameters;
	}
}
