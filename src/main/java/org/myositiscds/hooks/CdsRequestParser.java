package org.myositiscds.hooks;

import org.myositiscds.knowledge.ServiceDefinition;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.LenientErrorHandler;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Medication;
import org.myositiscds.prefetch.FhirDateCheck;
import org.hl7.fhir.r4.model.Resource;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads and checks a call's body against CDS Hooks 2.0 and the order-select, order-sign or
 * patient-view context. Every problem found is reported at once, naming the field; nothing of the
 * request's values is echoed back except the offending field names.
 */
public final class CdsRequestParser {

	private static final Pattern UUID = Pattern
		.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

	private static final Pattern USER_REFERENCE = Pattern
		.compile("(Practitioner|PractitionerRole|Patient|RelatedPerson)/[A-Za-z0-9\\-.]{1,64}");

	private static final Pattern FHIR_ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

	/** The request resources order-select and order-sign carry in draftOrders (FHIR R4). */
	private static final Set<String> ORDER_TYPES = Set.of("MedicationRequest", "ServiceRequest", "NutritionOrder",
			"VisionPrescription", "DeviceRequest", "CommunicationRequest");

	private static final int MAX_PROBLEMS_PER_FIELD = 10;

	/** How HAPI names the element of an invalid value in its message. */
	private static final Pattern INVALID_ELEMENT = Pattern.compile("\\[element=\"([A-Za-z0-9\\[\\]]{1,64})\"\\]");

	private final FhirContext fhirContext;

	private final JsonMapper jsonMapper;

	public CdsRequestParser(FhirContext fhirContext, JsonMapper jsonMapper) {
		this.fhirContext = fhirContext;
		this.jsonMapper = jsonMapper;
	}

	public CdsRequest parse(byte[] body, ServiceDefinition service) {
		return parse(body, service, request -> true);
	}

	/**
	 * Parses the call, and its prefetch only if {@code needsPrefetch} says the call will read it: parsing a long
	 * record is most of the cost of a call whose draft orders trigger nothing (docs/performance.md). An invalid
	 * call still gets every problem, the prefetch's included.
	 */
	public CdsRequest parse(byte[] body, ServiceDefinition service, Predicate<CdsRequest> needsPrefetch) {
		JsonNode root = readJson(body);
		List<String> problems = new ArrayList<>();

		String hook = text(root, "hook", true, problems);
		if (hook != null && !hook.equals(service.hook())) {
			problems.add("hook: this service answers '" + service.hook() + "', not the hook named in the request");
		}
		String hookInstance = text(root, "hookInstance", true, problems);
		if (hookInstance != null && !UUID.matcher(hookInstance).matches()) {
			problems.add("hookInstance: must be a UUID");
		}
		URI fhirServer = fhirServer(root, problems);
		String accessToken = accessToken(root, fhirServer, problems);

		JsonNode context = root.get("context");
		if (context == null || !context.isObject()) {
			problems.add("context: required, an object");
			throw CdsHooksException.invalidRequest(problems);
		}
		String userId = text(context, "userId", true, problems, "context.");
		if (userId != null && !USER_REFERENCE.matcher(userId).matches()) {
			problems.add("context.userId: must be a reference such as Practitioner/123 or PractitionerRole/456");
		}
		String patientId = text(context, "patientId", true, problems, "context.");
		if (patientId != null && !FHIR_ID.matcher(patientId).matches()) {
			problems.add("context.patientId: must be a FHIR id (letters, digits, '-', '.'; at most 64)");
		}
		String encounterId = text(context, "encounterId", false, problems, "context.");
		// patient-view (the demo's order preview) has neither draftOrders nor selections.
		List<Resource> draftOrders = "patient-view".equals(service.hook()) ? List.of() : draftOrders(context, problems);
		List<String> selections = "order-select".equals(service.hook())
				? selections(context, draftOrders, problems) : List.of();
		Map<String, String> contextFields = new HashMap<>();
		context.properties().forEach(field -> {
			if (field.getValue().isString()) {
				contextFields.put(field.getKey(), field.getValue().stringValue());
			}
		});
		if (problems.isEmpty()) {
			CdsRequest withoutPrefetch = new CdsRequest(hook, hookInstance, fhirServer, accessToken, userId, patientId,
					encounterId, draftOrders, selections, Map.of(), contextFields);
			if (!needsPrefetch.test(withoutPrefetch)) {
				return withoutPrefetch;
			}
		}
		Map<String, Resource> prefetch = prefetch(root, problems);
		if (!problems.isEmpty()) {
			throw CdsHooksException.invalidRequest(problems);
		}
		return new CdsRequest(hook, hookInstance, fhirServer, accessToken, userId, patientId, encounterId,
				draftOrders, selections, prefetch, contextFields);
	}

	private JsonNode readJson(byte[] body) {
		if (body == null || body.length == 0) {
			throw CdsHooksException.invalidRequest(List.of("body: required, a JSON object"));
		}
		try {
			JsonNode root = jsonMapper.readTree(body);
			if (root == null || !root.isObject()) {
				throw CdsHooksException.invalidRequest(List.of("body: must be a JSON object"));
			}
			return root;
		}
		catch (JacksonException e) {
			throw CdsHooksException.invalidJson(e);
		}
	}

	private static String text(JsonNode parent, String field, boolean required, List<String> problems) {
		return text(parent, field, required, problems, "");
	}

	private static String text(JsonNode parent, String field, boolean required, List<String> problems, String prefix) {
		JsonNode value = parent.get(field);
		if (value == null || value.isNull()) {
			if (required) {
				problems.add(prefix + field + ": required");
			}
			return null;
		}
		if (!value.isString() || value.stringValue().isBlank()) {
			problems.add(prefix + field + ": must be a non-empty string");
			return null;
		}
		return value.stringValue();
	}

	private static URI fhirServer(JsonNode root, List<String> problems) {
		String text = text(root, "fhirServer", false, problems);
		if (text == null) {
			return null;
		}
		try {
			URI uri = new URI(text);
			if (!uri.isAbsolute() || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))
					|| uri.getHost() == null) {
				problems.add("fhirServer: must be an absolute https (or http) URL");
				return null;
			}
			return uri;
		}
		catch (java.net.URISyntaxException e) {
			problems.add("fhirServer: not a valid URL");
			return null;
		}
	}

	private static String accessToken(JsonNode root, URI fhirServer, List<String> problems) {
		JsonNode authorization = root.get("fhirAuthorization");
		if (authorization == null || authorization.isNull()) {
			return null;
		}
		if (!authorization.isObject()) {
			problems.add("fhirAuthorization: must be an object");
			return null;
		}
		if (root.get("fhirServer") == null) {
			problems.add("fhirServer: required when fhirAuthorization is present");
		}
		String token = text(authorization, "access_token", true, problems, "fhirAuthorization.");
		String tokenType = text(authorization, "token_type", true, problems, "fhirAuthorization.");
		if (tokenType != null && !tokenType.equalsIgnoreCase("Bearer")) {
			problems.add("fhirAuthorization.token_type: must be Bearer");
		}
		JsonNode expiresIn = authorization.get("expires_in");
		if (expiresIn == null || !expiresIn.isIntegralNumber()) {
			problems.add("fhirAuthorization.expires_in: required, an integer");
		}
		text(authorization, "scope", true, problems, "fhirAuthorization.");
		text(authorization, "subject", true, problems, "fhirAuthorization.");
		return token;
	}

	private List<Resource> draftOrders(JsonNode context, List<String> problems) {
		JsonNode draftOrders = context.get("draftOrders");
		if (draftOrders == null || draftOrders.isNull()) {
			problems.add("context.draftOrders: required, a FHIR Bundle");
			return List.of();
		}
		if (!draftOrders.isObject() || !"Bundle".equals(draftOrders.path("resourceType").asString(""))) {
			problems.add("context.draftOrders: must be a FHIR Bundle (resourceType Bundle)");
			return List.of();
		}
		Resource parsed = parseFhir(draftOrders, "context.draftOrders", problems);
		if (!(parsed instanceof Bundle bundle)) {
			return List.of();
		}
		List<Resource> orders = new ArrayList<>();
		for (int i = 0; i < bundle.getEntry().size(); i++) {
			Resource resource = bundle.getEntry().get(i).getResource();
			if (resource == null) {
				problems.add("context.draftOrders.entry[" + i + "]: has no resource");
			}
			else if (!ORDER_TYPES.contains(resource.fhirType()) && !(resource instanceof Medication)) {
				problems.add("context.draftOrders.entry[" + i + "]: a " + resource.fhirType()
						+ " is not an order; expected one of " + new java.util.TreeSet<>(ORDER_TYPES)
						+ ", or a Medication an order references");
			}
			else {
				// A Medication an order references is supporting data: the rules look for it here.
				orders.add(resource);
			}
		}
		return orders;
	}

	private static List<String> selections(JsonNode context, List<Resource> draftOrders, List<String> problems) {
		JsonNode selections = context.get("selections");
		if (selections == null || !selections.isArray() || selections.isEmpty()) {
			problems.add("context.selections: required for order-select, a non-empty array of references into draftOrders");
			return List.of();
		}
		Set<String> draftReferences = new HashSet<>();
		draftOrders.stream()
			.filter(order -> ORDER_TYPES.contains(order.fhirType()))
			.forEach(order -> draftReferences.add(order.fhirType() + "/" + order.getIdElement().getIdPart()));
		List<String> references = new ArrayList<>();
		for (int i = 0; i < selections.size(); i++) {
			JsonNode selection = selections.get(i);
			if (!selection.isString()) {
				problems.add("context.selections[" + i + "]: must be a string such as MedicationRequest/123");
			}
			else if (!draftReferences.contains(selection.stringValue())) {
				problems.add("context.selections[" + i + "]: names no resource of context.draftOrders");
			}
			else {
				references.add(selection.stringValue());
			}
		}
		return references;
	}

	private Map<String, Resource> prefetch(JsonNode root, List<String> problems) {
		JsonNode prefetch = root.get("prefetch");
		Map<String, Resource> resources = new LinkedHashMap<>();
		if (prefetch == null || prefetch.isNull()) {
			return resources;
		}
		if (!prefetch.isObject()) {
			problems.add("prefetch: must be an object");
			return resources;
		}
		prefetch.properties().forEach(entry -> {
			JsonNode value = entry.getValue();
			if (value.isNull()) {
				resources.put(entry.getKey(), null);
			}
			else if (!value.isObject() || !value.has("resourceType")) {
				problems.add("prefetch." + entry.getKey() + ": must be a FHIR resource or null");
			}
			else {
				Resource resource = parseFhir(value, "prefetch." + entry.getKey(), problems);
				if (resource != null) {
					resources.put(entry.getKey(), resource);
				}
			}
		});
		return resources;
	}

	private Resource parseFhir(JsonNode json, String field, List<String> problems) {
		try {
			IParser parser = fhirContext.newJsonParser().setParserErrorHandler(new LenientErrorHandler(false));
			Resource resource = (Resource) parser.parseResource(jsonMapper.writeValueAsString(json));
			List<String> invalidDates = FhirDateCheck.problems(resource);
			// A long record with one systematic mistake must not make the answer long.
			invalidDates.stream().limit(MAX_PROBLEMS_PER_FIELD).forEach(problem -> problems.add(field + ": " + problem));
			if (invalidDates.size() > MAX_PROBLEMS_PER_FIELD) {
				problems.add(field + ": and " + (invalidDates.size() - MAX_PROBLEMS_PER_FIELD) + " more invalid dates");
			}
			return invalidDates.isEmpty() ? resource : null;
		}
		catch (RuntimeException e) {
			// HAPI signals malformed input with DataFormatException, and some shapes (an entry whose
			// resource is a number) with other runtime exceptions: all of them are the client's mistake.
			problems.add(field + ": " + invalidPart(json, e) + "not a valid FHIR R4 resource");
			return null;
		}
	}

	/**
	 * Where HAPI found the resource invalid, as far as it says: the Bundle entry (parsed alone to
	 * find it) and the element's name, taken from the message, whose value is never echoed.
	 */
	private String invalidPart(JsonNode json, RuntimeException failure) {
		JsonNode entries = json.path("entry");
		for (int i = 0; i < entries.size(); i++) {
			JsonNode resource = entries.get(i).path("resource");
			try {
				fhirContext.newJsonParser().setParserErrorHandler(new LenientErrorHandler(false))
					.parseResource(jsonMapper.writeValueAsString(resource));
			}
			catch (RuntimeException entryFailure) {
				return "Bundle.entry[" + i + "].resource" + element(entryFailure) + ": ";
			}
		}
		String element = element(failure);
		return element.isEmpty() ? "" : json.path("resourceType").asString("") + element + ": ";
	}

	private static String element(RuntimeException failure) {
		Matcher element = INVALID_ELEMENT.matcher(String.valueOf(failure.getMessage()));
		return element.find() ? "." + element.group(1) : "";
	}
}
