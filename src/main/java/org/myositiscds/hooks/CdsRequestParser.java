package org.myositiscds.hooks;

import org.myositiscds.knowledge.ServiceDefinition;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.LenientErrorHandler;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Medication;
import org.myositiscds.cql.RetrieveScope;
import org.myositiscds.cql.ValueSetTerminology.LookupCode;
import org.myositiscds.prefetch.FhirDateCheck;
import org.hl7.fhir.r4.model.Resource;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and checks a call's body against CDS Hooks 2.0 and the order-select, order-sign or
 * patient-view context. Every problem found is reported at once, naming the field; nothing of the
 * request's values is echoed back except the offending field names.
 * <p>
 * The body is read in one streaming pass: the small fields become a JSON tree, while the FHIR
 * resources in it (the draft orders, each prefetch value) are only located, and HAPI parses each from
 * the body's own bytes. No tree of the whole record is built and written back to text for HAPI (a
 * third of the parsing's garbage), and decimals reach HAPI as they were sent: a tree would have read
 * {@code 5.50} as a double and handed HAPI {@code 5.5}, losing the precision FHIR keeps.
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

	/** Below this, a prefetch is parsed on the calling thread alone: handing pieces over costs more than it saves. */
	private static final long SPARE_CORES_FROM_BYTES = 256 * 1024;

	/** The least bytes of a Bundle in each part it is split in. */
	private static final int PART_BYTES = 128 * 1024;

	/** The most parts of one Bundle, whatever the cores: each part repeats the Bundle's own elements. */
	private static final int MAX_PARTS = 8;

	private final FhirContext fhirContext;

	private final JsonMapper jsonMapper;

	private final SpareCores spareCores;

	public CdsRequestParser(FhirContext fhirContext, JsonMapper jsonMapper) {
		this(fhirContext, jsonMapper, SpareCores.NONE);
	}

	/** @param spareCores threads that may parse parts of a long prefetch beside the calling thread */
	public CdsRequestParser(FhirContext fhirContext, JsonMapper jsonMapper, SpareCores spareCores) {
		this.fhirContext = fhirContext;
		this.jsonMapper = jsonMapper;
		this.spareCores = spareCores;
	}

	public CdsRequest parse(byte[] body, ServiceDefinition service) {
		return parse(body, service, RetrieveScope.EVERYTHING, request -> true);
	}

	/**
	 * Parses the call, and its prefetch only if {@code needsPrefetch} says the call will read it: parsing a long
	 * record is most of the cost of a call whose draft orders trigger nothing (docs/performance.md). An invalid
	 * call still gets every problem, the prefetch's included. The entries of a prefetch Bundle whose resource
	 * {@code scope} says no retrieve of the service can return are left out unparsed.
	 */
	public CdsRequest parse(byte[] body, ServiceDefinition service, RetrieveScope scope,
			Predicate<CdsRequest> needsPrefetch) {
		Body read = read(body, scope);
		JsonNode root = read.root;
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
		List<Resource> draftOrders = "patient-view".equals(service.hook()) ? List.of()
				: draftOrders(read, context, problems);
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
		Map<String, Resource> prefetch = prefetch(read, problems);
		if (!problems.isEmpty()) {
			throw CdsHooksException.invalidRequest(problems);
		}
		return new CdsRequest(hook, hookInstance, fhirServer, accessToken, userId, patientId, encounterId,
				draftOrders, selections, prefetch, contextFields);
	}

	/** A JSON object inside the body, by its bytes, with its top-level {@code resourceType} ("" if not a string). */
	private record Embedded(int start, int end, String resourceType) {

		int length() {
			return end - start;
		}
	}

	/**
	 * An element of a prefetch Bundle's entry array, by its bytes. For an entry holding one plainly
	 * written resource, its type (null otherwise); when the scope filters that type, the codings of its
	 * {@code code} (null otherwise, or when they are not plainly written): whether any retrieve can return
	 * it is asked only when the prefetch is read.
	 */
	private record Entry(int start, int end, String type, List<LookupCode> codes) {
	}

	/** A resource's type and, when the scope filters the type and they are plainly written, the codings of its {@code code}. */
	private record ResourceCodes(String type, List<LookupCode> codes) {
	}

	/**
	 * The body after one pass: every field as a tree, except the FHIR resources, which are only located:
	 * {@code context.draftOrders} when it is an object, and each prefetch value that is an object.
	 */
	private static final class Body {

		private final byte[] bytes;

		private final RetrieveScope scope;

		private ObjectNode root;

		private Embedded draftOrders;

		/** Each prefetch key's value: an {@link Embedded} object, or the tree of anything else; null when prefetch is not an object. */
		private Map<String, Object> prefetch;

		Body(byte[] bytes, RetrieveScope scope) {
			this.bytes = bytes;
			this.scope = scope;
		}
	}

	private Body read(byte[] body, RetrieveScope scope) {
		if (body == null || body.length == 0) {
			throw CdsHooksException.invalidRequest(List.of("body: required, a JSON object"));
		}
		if (!utf8(body)) {
			throw CdsHooksException.invalidRequest(List.of("body: must be JSON in UTF-8"));
		}
		Body read = new Body(body, scope);
		try (JsonParser parser = jsonMapper.createParser(body)) {
			JsonToken first = parser.nextToken();
			if (first == JsonToken.START_OBJECT) {
				read.root = object(parser, read, "");
			}
			else if (first != null) {
				parser.skipChildren();
			}
			if (parser.nextToken() != null && jsonMapper.isEnabled(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)) {
				throw MismatchedInputException.from(parser, JsonNode.class, "Trailing token after the body's value");
			}
		}
		catch (JacksonException e) {
			throw CdsHooksException.invalidJson(e);
		}
		if (read.root == null) {
			throw CdsHooksException.invalidRequest(List.of("body: must be a JSON object"));
		}
		return read;
	}

	/** JSON in UTF-16 or UTF-32 starts with a zero byte or a byte order mark within its first bytes; UTF-8 never does. */
	private static boolean utf8(byte[] body) {
		for (int i = 0; i < Math.min(4, body.length); i++) {
			if (body[i] == 0) {
				return false;
			}
		}
		return body.length < 2 || !((body[0] == (byte) 0xFE && body[1] == (byte) 0xFF)
				|| (body[0] == (byte) 0xFF && body[1] == (byte) 0xFE));
	}

	/**
	 * The object the parser is at, as a tree; at the root its {@code prefetch} values and in its
	 * {@code context} the {@code draftOrders}, when they are objects, are located instead. A repeated
	 * name keeps its last value, as a tree does.
	 */
	private ObjectNode object(JsonParser parser, Body read, String path) {
		ObjectNode node = jsonMapper.createObjectNode();
		for (String name = parser.nextName(); name != null; name = parser.nextName()) {
			JsonToken value = parser.nextToken();
			if (path.isEmpty() && name.equals("context") && value == JsonToken.START_OBJECT) {
				read.draftOrders = null;
				node.set(name, object(parser, read, "context"));
			}
			else if (path.equals("context") && name.equals("draftOrders") && value == JsonToken.START_OBJECT) {
				read.draftOrders = embedded(parser);
				node.remove(name);
			}
			else if (path.isEmpty() && name.equals("prefetch") && value == JsonToken.START_OBJECT) {
				read.prefetch = new LinkedHashMap<>();
				for (String key = parser.nextName(); key != null; key = parser.nextName()) {
					read.prefetch.put(key,
							parser.nextToken() == JsonToken.START_OBJECT ? embedded(parser) : tree(parser));
				}
				node.remove(name);
			}
			else {
				if (path.equals("context") && name.equals("draftOrders")) {
					read.draftOrders = null;
				}
				if (path.isEmpty() && name.equals("prefetch")) {
					read.prefetch = null;
				}
				node.set(name, tree(parser));
			}
		}
		return node;
	}

	private static JsonNode tree(JsonParser parser) {
		JsonNode tree = parser.readValueAsTree();
		return tree == null ? NullNode.getInstance() : tree;
	}

	/** Where the object the parser is at lies in the body, and its resourceType; the parser is left at its end. */
	private static Embedded embedded(JsonParser parser) {
		int start = offset(parser);
		String resourceType = null;
		for (String name = parser.nextName(); name != null; name = parser.nextName()) {
			JsonToken value = parser.nextToken();
			if (name.equals("resourceType")) {
				resourceType = value == JsonToken.VALUE_STRING ? parser.getString() : "";
			}
			parser.skipChildren();
		}
		return new Embedded(start, offset(parser) + 1, resourceType);
	}

	/**
	 * The elements of a prefetch Bundle's entry array, read from its bytes again only when the prefetch
	 * is read: the first pass skips each value whole, so that a call whose draft orders trigger nothing
	 * does not read its record's entries (docs/performance.md, "Parsing a long record on a spare core").
	 * Empty unless the value is a Bundle with one entry array: entries are known by their place in the
	 * array HAPI reads, and a repeated name leaves that uncertain.
	 */
	private List<Entry> entries(byte[] body, Embedded value, RetrieveScope scope) {
		if (!"Bundle".equals(value.resourceType())) {
			return List.of();
		}
		List<Entry> entries = new ArrayList<>();
		int entryArrays = 0;
		try (JsonParser parser = jsonMapper.createParser(body, value.start(), value.length())) {
			parser.nextToken();
			// Offsets in the body, whatever the parser counts from.
			int shift = value.start() - offset(parser);
			for (String name = parser.nextName(); name != null; name = parser.nextName()) {
				JsonToken token = parser.nextToken();
				if (name.equals("entry")) {
					entryArrays++;
					if (token == JsonToken.START_ARRAY) {
						entries(parser, scope, shift, entries);
						continue;
					}
				}
				parser.skipChildren();
			}
		}
		return entryArrays == 1 ? entries : List.of();
	}

	private static int offset(JsonParser parser) {
		return (int) parser.currentTokenLocation().getByteOffset();
	}

	/** Adds each element of the array the parser is at, at its offset in the body; the parser is left at its end. */
	private static void entries(JsonParser parser, RetrieveScope scope, int shift, List<Entry> entries) {
		for (JsonToken entry = parser.nextToken(); entry != JsonToken.END_ARRAY; entry = parser.nextToken()) {
			int start = offset(parser) + shift;
			if (entry != JsonToken.START_OBJECT) {
				parser.skipChildren();
				entries.add(new Entry(start, offset(parser) + shift + 1, null, null));
				continue;
			}
			int resources = 0;
			ResourceCodes resource = null;
			for (String name = parser.nextName(); name != null; name = parser.nextName()) {
				JsonToken value = parser.nextToken();
				if (name.equals("resource")) {
					resources++;
					resource = value == JsonToken.START_OBJECT ? coded(parser, scope) : null;
				}
				parser.skipChildren();
			}
			boolean plain = resources == 1 && resource != null;
			entries.add(new Entry(start, offset(parser) + shift + 1, plain ? resource.type() : null, plain ? resource.codes() : null));
		}
	}

	/**
	 * The type of the resource the parser is at (left at its end), and its {@code code.coding} when the
	 * scope filters its type; null when anything HAPI might read otherwise than as written (a repeated
	 * name, a value of another JSON type, blanks around a code) would make the type or the codes uncertain.
	 */
	private static ResourceCodes coded(JsonParser parser, RetrieveScope scope) {
		String type = null;
		int types = 0;
		int concepts = 0;
		List<LookupCode> codes = new ArrayList<>();
		boolean plain = true;
		for (String name = parser.nextName(); name != null; name = parser.nextName()) {
			JsonToken value = parser.nextToken();
			if (name.equals("resourceType")) {
				types++;
				type = value == JsonToken.VALUE_STRING ? parser.getString() : null;
			}
			else if (name.equals("code")) {
				concepts++;
				plain &= value == JsonToken.START_OBJECT && codings(parser, codes);
			}
			parser.skipChildren();
		}
		if (types != 1 || type == null) {
			return null;
		}
		return new ResourceCodes(type, plain && concepts <= 1 && scope.filters(type) ? codes : null);
	}

	/** Adds the codings of the CodeableConcept the parser is at; false when one is not plainly written. */
	private static boolean codings(JsonParser parser, List<LookupCode> codes) {
		int lists = 0;
		boolean plain = true;
		for (String name = parser.nextName(); name != null; name = parser.nextName()) {
			JsonToken value = parser.nextToken();
			if (name.equals("coding")) {
				lists++;
				if (value != JsonToken.START_ARRAY) {
					plain = false;
				}
				else {
					for (JsonToken coding = parser.nextToken(); coding != JsonToken.END_ARRAY; coding = parser.nextToken()) {
						plain &= coding == JsonToken.START_OBJECT && coding(parser, codes);
						parser.skipChildren();
					}
				}
			}
			parser.skipChildren();
		}
		return plain && lists <= 1;
	}

	/** Adds the Coding the parser is at (left at its end); false when its system or code is not plainly written. */
	private static boolean coding(JsonParser parser, List<LookupCode> codes) {
		String system = null;
		String code = null;
		int systems = 0;
		int values = 0;
		boolean plain = true;
		for (String name = parser.nextName(); name != null; name = parser.nextName()) {
			JsonToken value = parser.nextToken();
			if (name.equals("system") || name.equals("code")) {
				String text = value == JsonToken.VALUE_STRING ? parser.getString() : null;
				plain &= text != null && !text.isEmpty() && text.strip().equals(text);
				if (name.equals("system")) {
					systems++;
					system = text;
				}
				else {
					values++;
					code = text;
				}
			}
			parser.skipChildren();
		}
		codes.add(LookupCode.of(system, code));
		return plain && systems <= 1 && values <= 1;
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

	private List<Resource> draftOrders(Body read, JsonNode context, List<String> problems) {
		Embedded draftOrders = read.draftOrders;
		if (draftOrders == null) {
			JsonNode value = context.get("draftOrders");
			problems.add(value == null || value.isNull() ? "context.draftOrders: required, a FHIR Bundle"
					: "context.draftOrders: must be a FHIR Bundle (resourceType Bundle)");
			return List.of();
		}
		if (!"Bundle".equals(draftOrders.resourceType())) {
			problems.add("context.draftOrders: must be a FHIR Bundle (resourceType Bundle)");
			return List.of();
		}
		Resource parsed = parseFhir(read.bytes, draftOrders.start(), draftOrders.end(), "context.draftOrders", problems);
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

	private Map<String, Resource> prefetch(Body read, List<String> problems) {
		Map<String, Resource> resources = new LinkedHashMap<>();
		if (read.prefetch == null) {
			JsonNode prefetch = read.root.get("prefetch");
			if (prefetch != null && !prefetch.isNull()) {
				problems.add("prefetch: must be an object");
			}
			return resources;
		}
		long bytes = read.prefetch.values().stream()
			.mapToLong(value -> value instanceof Embedded resource ? resource.length() : 0)
			.sum();
		SpareCores cores = bytes >= SPARE_CORES_FROM_BYTES ? spareCores : SpareCores.NONE;
		Map<String, PrefetchValue> values = new LinkedHashMap<>();
		List<Piece> pieces = new ArrayList<>();
		read.prefetch.forEach((key, value) -> {
			if (value instanceof Embedded resource && resource.resourceType() != null) {
				PrefetchValue prefetchValue = new PrefetchValue(read, resource, cores.threads());
				values.put(key, prefetchValue);
				pieces.addAll(prefetchValue.pieces);
			}
		});
		// The largest pieces first, so that the threads end about together.
		List<Piece> largestFirst = pieces.stream().sorted(Comparator.comparingInt(Piece::length).reversed()).toList();
		Map<Piece, Object> parsed = new IdentityHashMap<>();
		List<Object> results = cores.run(largestFirst.stream().<Supplier<Object>>map(piece -> piece::parse).toList());
		for (int i = 0; i < largestFirst.size(); i++) {
			parsed.put(largestFirst.get(i), results.get(i));
		}
		read.prefetch.forEach((key, value) -> {
			PrefetchValue prefetchValue = values.get(key);
			if (prefetchValue != null) {
				Resource resource = prefetchValue.resource(prefetchValue.pieces.stream().map(parsed::get).toList(),
						"prefetch." + key, problems);
				if (resource != null) {
					resources.put(key, resource);
				}
			}
			else if (value instanceof JsonNode node && node.isNull()) {
				resources.put(key, null);
			}
			else {
				problems.add("prefetch." + key + ": must be a FHIR resource or null");
			}
		});
		return resources;
	}

	/**
	 * A prefetch value and the pieces it is parsed in: the value whole, with the entries no retrieve
	 * can return written as empty entries; or, for a long Bundle when other threads can help, its
	 * entries in consecutive parts, each part parsed as a Bundle of its own and the parts' entries
	 * joined in their order (docs/performance.md, "Parsing a long record on a spare core"). A Bundle is
	 * split only when nothing in it can be a Medication: HAPI links a reference to the resource of
	 * another entry of the same Bundle, and only a Medication's link is read (by the order that names
	 * it), so such links must not be cut between parts. If a part fails, the value is parsed whole again,
	 * so that a problem is reported exactly as it would be without parts.
	 */
	private final class PrefetchValue {

		private final Body read;

		private final Embedded value;

		private final List<Entry> entries;

		private final boolean[] unread;

		private final List<Piece> pieces = new ArrayList<>();

		PrefetchValue(Body read, Embedded value, int threads) {
			this.read = read;
			this.value = value;
			this.entries = entries(read.bytes, value, read.scope);
			this.unread = new boolean[entries.size()];
			for (int i = 0; i < entries.size(); i++) {
				Entry entry = entries.get(i);
				unread[i] = entry.codes() != null && read.scope.neverRetrieved(entry.type(), entry.codes());
			}
			// Two parts a thread, so that the other values' pieces even out the threads' work; parts
			// parsed one after the other on one thread would only cost their copying.
			int parts = threads > 1 && splittable()
					? Math.min(Math.min(2 * threads, MAX_PARTS), value.length() / PART_BYTES) : 1;
			if (parts <= 1) {
				pieces.add(whole());
				return;
			}
			long perPart = value.length() / parts;
			int from = 0;
			for (int part = 1; part <= parts; part++) {
				int to = from;
				long size = 0;
				while (to < entries.size() && (part == parts || size < perPart)) {
					size += entries.get(to).end() - entries.get(to).start();
					to++;
				}
				pieces.add(new Piece(part(from, to)));
				from = to;
			}
		}

		private boolean splittable() {
			return !entries.isEmpty()
					&& entries.stream().allMatch(entry -> entry.type() != null && !entry.type().equals("Medication"));
		}

		/** The whole value, with the unread entries written as empty entries where they were; as sent when there are none. */
		private Piece whole() {
			for (boolean left : unread) {
				if (left) {
					return new Piece(part(0, entries.size()));
				}
			}
			return new Piece(read.bytes, value.start(), value.end());
		}

		/**
		 * A Bundle of the entries from {@code from} (inclusive) to {@code to}, the unread ones written as
		 * empty entries: what precedes the first entry and follows the last, and those between.
		 */
		private byte[] part(int from, int to) {
			int head = entries.get(0).start();
			int tail = entries.get(entries.size() - 1).end();
			ByteArrayOutputStream readable = new ByteArrayOutputStream(value.length() / 2);
			readable.write(read.bytes, value.start(), head - value.start());
			for (int i = from; i < to; i++) {
				if (i > from) {
					readable.write(',');
				}
				Entry entry = entries.get(i);
				if (unread[i]) {
					readable.write('{');
					readable.write('}');
				}
				else {
					readable.write(read.bytes, entry.start(), entry.end() - entry.start());
				}
			}
			readable.write(read.bytes, tail, value.end() - tail);
			return readable.toByteArray();
		}

		/** The resource from its pieces' results (each a resource or the exception its parsing threw), its dates checked. */
		Resource resource(List<Object> results, String field, List<String> problems) {
			if (results.size() == 1 && results.get(0) instanceof Parsed parsed) {
				return reported(parsed.resource(), parsed.invalidDates(), field, problems);
			}
			List<Parsed> parts = new ArrayList<>();
			List<Bundle.BundleEntryComponent> joinedEntries = new ArrayList<>(unread.length);
			for (Object result : results) {
				if (result instanceof Parsed part && part.resource() instanceof Bundle bundle) {
					parts.add(part);
					joinedEntries.addAll(bundle.getEntry());
				}
			}
			if (parts.size() != results.size() || joinedEntries.size() != unread.length) {
				Piece whole = whole();
				return parseFhir(whole.bytes, whole.start, whole.end, field, problems);
			}
			// The parts' dates are joined while each part still holds its own entries.
			List<String> invalidDates = joinedInvalidDates(parts);
			Bundle joined = (Bundle) parts.get(0).resource();
			joined.setEntry(joinedEntries);
			return reported(joined, invalidDates, field, problems);
		}
	}

	/** A resource HAPI read, and the elements whose dates do not have their type's format. */
	private record Parsed(Resource resource, List<String> invalidDates) {
	}

	private static final String ENTRY = "Bundle.entry[";

	/**
	 * The invalid dates of a Bundle read in parts as the check of the whole Bundle lists them: the
	 * Bundle's own elements once (each part has them), each part's entries at their places in the
	 * whole, and the signature, the one element of a Bundle that follows its entries, last.
	 */
	private static List<String> joinedInvalidDates(List<Parsed> parts) {
		List<String> own = new ArrayList<>();
		List<String> entries = new ArrayList<>();
		List<String> signature = new ArrayList<>();
		int offset = 0;
		for (Parsed part : parts) {
			for (String problem : part.invalidDates()) {
				if (problem.startsWith(ENTRY)) {
					int close = problem.indexOf(']');
					int index = Integer.parseInt(problem.substring(ENTRY.length(), close));
					entries.add(ENTRY + (index + offset) + problem.substring(close));
				}
				else if (part == parts.get(0)) {
					(problem.startsWith("Bundle.signature") ? signature : own).add(problem);
				}
			}
			offset += ((Bundle) part.resource()).getEntry().size();
		}
		own.addAll(entries);
		own.addAll(signature);
		return own;
	}

	/**
	 * Bytes of FHIR JSON to parse; parsing gives the resource with its dates checked, or the exception
	 * HAPI threw (the client's mistake).
	 */
	private final class Piece {

		private final byte[] bytes;

		private final int start;

		private final int end;

		Piece(byte[] bytes, int start, int end) {
			this.bytes = bytes;
			this.start = start;
			this.end = end;
		}

		Piece(byte[] bytes) {
			this(bytes, 0, bytes.length);
		}

		int length() {
			return end - start;
		}

		Object parse() {
			try {
				Resource resource = parseResource(bytes, start, end);
				return new Parsed(resource, FhirDateCheck.problems(resource));
			}
			catch (RuntimeException e) {
				return e;
			}
		}
	}

	private Resource parseFhir(byte[] body, int start, int end, String field, List<String> problems) {
		try {
			return checkedDates(parseResource(body, start, end), field, problems);
		}
		catch (RuntimeException e) {
			// HAPI signals malformed input with DataFormatException, and some shapes (an entry whose
			// resource is a number) with other runtime exceptions: all of them are the client's mistake.
			JsonNode tree = jsonMapper.readTree(body, start, end - start);
			problems.add(field + ": " + invalidPart(tree, e) + "not a valid FHIR R4 resource");
			return null;
		}
	}

	private Resource parseResource(byte[] body, int start, int end) {
		IParser parser = fhirContext.newJsonParser().setParserErrorHandler(new LenientErrorHandler(false));
		return (Resource) parser.parseResource(new InputStreamReader(new ByteArrayInputStream(body, start, end - start),
				StandardCharsets.UTF_8));
	}

	private static Resource checkedDates(Resource resource, String field, List<String> problems) {
		return reported(resource, FhirDateCheck.problems(resource), field, problems);
	}

	/** The resource, or null when some of its dates do not have their type's format (each then a problem). */
	private static Resource reported(Resource resource, List<String> invalidDates, String field, List<String> problems) {
		// A long record with one systematic mistake must not make the answer long.
		invalidDates.stream().limit(MAX_PROBLEMS_PER_FIELD).forEach(problem -> problems.add(field + ": " + problem));
		if (invalidDates.size() > MAX_PROBLEMS_PER_FIELD) {
			problems.add(field + ": and " + (invalidDates.size() - MAX_PROBLEMS_PER_FIELD) + " more invalid dates");
		}
		return invalidDates.isEmpty() ? resource : null;
	}

	/**
	 * Where HAPI found the resource invalid, as far as it says: the Bundle entry (parsed alone to
	 * find it) and the element's name, taken from the message, whose value is never echoed.
	 */
	private String invalidPart(JsonNode json, RuntimeException failure) {
		JsonNode entries = json.path("entry");
		for (int i = 0; i < entries.size(); i++) {
			JsonNode resource = entries.get(i).path("resource");
			if (resource.isMissingNode()) {
				// An entry without a resource (one left unread among them) is no resource to blame.
				continue;
			}
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
