package org.myositiscds.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.order;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;
import static org.myositiscds.TestJson.read;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsHooksContract;
import org.myositiscds.CdsServiceTest;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A corpus of malformed and hostile calls, and a fuzzer: every one gets a 4xx with a JSON error,
 * none a 5xx or a stack trace, and the service keeps serving.
 */
// What each input gets is tested, not the deadline: on a busy machine reading 200,000 bad entries can take longer than
// the default 4 s. The same properties as ConcurrencyTests, so that both share one service.
@CdsServiceTest(properties = "myositis-cds.calls.deadline=60s")
class HostileRequestsTests {

	static final String SIGN = "hbv-screening-order-sign";

	static final String SELECT = "hbv-screening-order-select";

	static final JsonNodeFactory NODES = JsonNodeFactory.instance;

	static final String HUGE = "x".repeat(1_000_000);

	@Autowired
	CdsHooksClient client;

	record Hostile(String name, String service, String body) {

		@Override
		public String toString() {
			return name;
		}
	}

	static String validSign() {
		return patient("hostile").dermatomyositis().draft(rituximabOrder("rtx-1")).orderSign(SIGN);
	}

	static String validSelect() {
		return patient("hostile").draft(rituximabOrder("rtx-1"))
			.draft(order("pred-1", "312615", "prednisone 20 MG Oral Tablet")).orderSelect(SELECT, "rtx-1");
	}

	static JsonNode deeplyNested(int depth) {
		JsonNode node = NODES.textNode("bottom");
		for (int i = 0; i < depth; i++) {
			ArrayNode array = NODES.arrayNode();
			array.add(node);
			node = array;
		}
		return node;
	}

	static List<JsonNode> wrongValuesForAText() {
		return List.of(NODES.nullNode(), NODES.numberNode(123), NODES.booleanNode(true), NODES.arrayNode(),
				NODES.objectNode(), NODES.textNode(""), NODES.textNode("   "), NODES.textNode(HUGE),
				NODES.textNode("\u0000\u0001"), NODES.textNode("1; DROP TABLE patients"),
				NODES.textNode("../../etc/passwd"), NODES.textNode("{{context.patientId}}"), deeplyNested(50));
	}

	static Hostile mutate(String name, String service, String valid, Consumer<ObjectNode> mutation) {
		ObjectNode request = (ObjectNode) read(valid);
		mutation.accept(request);
		return new Hostile(name, service, request.toString());
	}

	static ObjectNode context(ObjectNode request) {
		return (ObjectNode) request.get("context");
	}

	static Stream<Hostile> corpus() {
		List<Hostile> corpus = new ArrayList<>();
		for (String[] call : new String[][] { { SIGN, validSign() }, { SELECT, validSelect() } }) {
			String service = call[0];
			String valid = call[1];
			for (String field : List.of("hook", "hookInstance")) {
				corpus.add(mutate(service + ": no " + field, service, valid, r -> r.remove(field)));
				for (JsonNode value : wrongValuesForAText()) {
					corpus.add(mutate(service + ": " + field + " = " + describe(value), service, valid, r -> r.set(field, value)));
				}
			}
			for (String field : List.of("userId", "patientId")) {
				corpus.add(mutate(service + ": no context." + field, service, valid, r -> context(r).remove(field)));
				for (JsonNode value : wrongValuesForAText()) {
					corpus.add(mutate(service + ": context." + field + " = " + describe(value), service, valid,
							r -> context(r).set(field, value)));
				}
			}
			for (JsonNode value : List.of(NODES.nullNode(), NODES.numberNode(1), NODES.textNode("x"), NODES.arrayNode(),
					NODES.booleanNode(false))) {
				corpus.add(mutate(service + ": context = " + describe(value), service, valid, r -> r.set("context", value)));
			}
			corpus.add(mutate(service + ": no context", service, valid, r -> r.remove("context")));
			for (JsonNode value : List.of(NODES.nullNode(), NODES.numberNode(1), NODES.textNode("Bundle"), NODES.arrayNode(),
					NODES.objectNode(), read("{\"resourceType\":\"Patient\",\"id\":\"p\"}"),
					read("{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"p\"}}]}"),
					read("{\"resourceType\":\"Bundle\",\"entry\":[{\"fullUrl\":\"urn:uuid:x\"}]}"),
					read("{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"NoSuchThing\"}}]}"),
					read("{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":123}]}"),
					read("{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"MedicationRequest\",\"status\":[1,2]}}]}"),
					read("{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"Observation\",\"id\":\"o\",\"status\":\"final\",\"code\":{}}}]}"),
					deeplyNested(100))) {
				corpus.add(mutate(service + ": context.draftOrders = " + describe(value), service, valid,
						r -> context(r).set("draftOrders", value)));
			}
			corpus.add(mutate(service + ": no context.draftOrders", service, valid, r -> context(r).remove("draftOrders")));
			for (JsonNode value : List.of(NODES.numberNode(1), NODES.arrayNode(), NODES.objectNode(), NODES.textNode(""),
					NODES.textNode("ftp://ehr.example.org/fhir"), NODES.textNode("not a url"), NODES.textNode("http://"),
					NODES.textNode("https://" + HUGE))) {
				corpus.add(mutate(service + ": fhirServer = " + describe(value), service, valid, r -> {
					r.set("fhirServer", value);
					r.remove("prefetch");
				}));
			}
			for (String authorization : List.of("123", "\"token\"", "[]", "{}",
					"{\"token_type\":\"Bearer\",\"expires_in\":300,\"scope\":\"s\",\"subject\":\"c\"}",
					"{\"access_token\":\"t\",\"token_type\":\"MAC\",\"expires_in\":300,\"scope\":\"s\",\"subject\":\"c\"}",
					"{\"access_token\":\"t\",\"token_type\":\"Bearer\",\"expires_in\":\"300\",\"scope\":\"s\",\"subject\":\"c\"}",
					"{\"access_token\":\"t\",\"token_type\":\"Bearer\",\"expires_in\":300,\"subject\":\"c\"}",
					"{\"access_token\":\"t\",\"token_type\":\"Bearer\",\"expires_in\":300,\"scope\":\"s\"}")) {
				corpus.add(mutate(service + ": fhirAuthorization = " + authorization, service, valid, r -> {
					r.put("fhirServer", "https://ehr.example.org/fhir");
					r.set("fhirAuthorization", read(authorization));
				}));
			}
			corpus.add(mutate(service + ": fhirAuthorization without fhirServer", service, valid, r -> r.set("fhirAuthorization",
					read("{\"access_token\":\"t\",\"token_type\":\"Bearer\",\"expires_in\":300,\"scope\":\"s\",\"subject\":\"c\"}"))));
			for (String prefetch : List.of("123", "\"x\"", "[]", "{\"patient\":123}", "{\"patient\":\"Patient/1\"}",
					"{\"patient\":{}}", "{\"patient\":{\"resourceType\":\"Nope\"}}", "{\"hbvLabs\":[]}", "{}")) {
				corpus.add(mutate(service + ": prefetch = " + prefetch, service, valid, r -> r.set("prefetch", read(prefetch))));
			}
			corpus.add(new Hostile(service + ": every field null", service, nullEverywhere(valid)));
		}
		corpus.add(mutate("select: no selections", SELECT, validSelect(), r -> context(r).remove("selections")));
		for (JsonNode value : List.of(NODES.nullNode(), NODES.arrayNode(), read("[123]"), read("[\"x\"]"),
				NODES.textNode("MedicationRequest/rtx-1"), read("[null]"), read("[{}]"), read("[\"MedicationRequest/pred-2\"]"))) {
			corpus.add(mutate("select: selections = " + describe(value), SELECT, validSelect(),
					r -> context(r).set("selections", value)));
		}
		String valid = validSign();
		for (String body : List.of("", "null", "[]", "123", "\"string\"", "{", "}", "{}", "{\"hook\":}", "\u0000",
				"{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}")) {
			corpus.add(new Hostile("body: " + abbreviate(body), SIGN, body));
		}
		for (int cut = 1; cut <= 12; cut++) {
			corpus.add(new Hostile("body truncated at " + cut + "/13", SIGN, valid.substring(0, valid.length() * cut / 13)));
		}
		corpus.add(new Hostile("unknown service", "no-such-service", valid));
		corpus.add(new Hostile("unknown service, huge id", "x".repeat(5000), valid));
		corpus.add(new Hostile("unknown service with dots", "..%2F..%2Fetc", valid));
		corpus.add(new Hostile("sign request sent to the select service", SELECT, valid));
		corpus.add(new Hostile("select request sent to the sign service", SIGN, validSelect()));
		return corpus.stream();
	}

	static String nullEverywhere(String valid) {
		ObjectNode request = (ObjectNode) read(valid);
		List<String> fields = new ArrayList<>();
		request.fieldNames().forEachRemaining(fields::add);
		fields.forEach(request::putNull);
		return request.toString();
	}

	static String describe(JsonNode value) {
		return abbreviate(value.toString());
	}

	static String abbreviate(String text) {
		return text.length() > 40 ? text.substring(0, 40) + "... (" + text.length() + " chars)" : text;
	}

	@Test
	void theCorpusHasAtLeast150Calls() {
		assertThat(corpus().count()).isGreaterThanOrEqualTo(150);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("corpus")
	void eachHostileCallGetsA4xxWithAJsonError(Hostile hostile) {
		CdsHooksClient.Answer answer = client.post("/cds-services/" + hostile.service(), hostile.body());
		assertThat(answer.status()).as(hostile.name()).isBetween(400, 499);
		assertThat(answer.body().path("error").asText()).as(hostile.name()).isNotEmpty();
		assertThat(answer.body().toString()).doesNotContain("Exception").doesNotContain("at org.").doesNotContain("at java.");
	}

	@Test
	void aFiftyMegabyteBodyIs413() {
		String body = "{\"hook\":\"order-sign\",\"padding\":\"" + "x".repeat(50 * 1024 * 1024) + "\"}";
		CdsHooksClient.Answer answer = client.post("/cds-services/" + SIGN, body);
		assertThat(answer.status()).isEqualTo(413);
		assertThat(answer.body().path("error").asText()).isEqualTo("payload_too_large");
	}

	@Test
	void aChunkedBodyOverTheLimitIs413Too() {
		byte[] body = ("{\"padding\":\"" + "x".repeat(6 * 1024 * 1024) + "\"}").getBytes();
		var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(client.url("/cds-services/" + SIGN)))
			.header("Content-Type", "application/json")
			.POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
			.build();
		try {
			var response = java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).isEqualTo(413);
		}
		catch (java.io.IOException e) {
			// The server may close the connection while the client still sends: refused all the same.
			assertThat(e).isNotNull();
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	@Test
	void fuzzedCallsNeverGetA5xxAndTheServiceKeepsServing() {
		String valid = validSign();
		for (long seed = 1; seed <= 300; seed++) {
			Random random = new Random(seed);
			String fuzzed = fuzz(valid, random);
			CdsHooksClient.Answer answer = client.post("/cds-services/" + SIGN, fuzzed);
			assertThat(answer.status()).as("seed " + seed).isLessThan(500);
			if (answer.status() == 200) {
				CdsHooksContract.assertValidResponse(answer.body().toString());
			}
			else {
				assertThat(answer.body().path("error").asText()).as("seed " + seed).isNotEmpty();
			}
		}
		assertThat(client.call(SIGN, valid).rules()).containsExactly("HBV-1");
	}

	/** A few random edits of the text: byte changes, cuts, structural characters, duplicated spans. */
	static String fuzz(String json, Random random) {
		StringBuilder text = new StringBuilder(json);
		int edits = 1 + random.nextInt(4);
		String structural = "{}[]\",:0-.e\\ntfu";
		for (int i = 0; i < edits && text.length() > 2; i++) {
			int at = random.nextInt(text.length());
			switch (random.nextInt(5)) {
				case 0 -> text.setCharAt(at, structural.charAt(random.nextInt(structural.length())));
				case 1 -> text.deleteCharAt(at);
				case 2 -> text.insert(at, structural.charAt(random.nextInt(structural.length())));
				case 3 -> {
					int end = Math.min(text.length(), at + 1 + random.nextInt(200));
					text.insert(at, text.substring(at, end));
				}
				default -> text.setCharAt(at, (char) random.nextInt(0x3000));
			}
		}
		return text.toString();
	}

	static Stream<String> notJson() {
		return Stream.of("text/plain", "application/xml", "text/plain; charset=utf-8", "application/x-www-form-urlencoded",
				"application/json; charset=ISO-8859-1", "application/*", "multipart/form-data; boundary=x", "json", "");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("notJson")
	void aBodyNotTypedAsJsonGets415OnServicesAndFeedback(String contentType) {
		Map<String, String> headers = contentType.isEmpty() ? Map.of() : Map.of("Content-Type", contentType);
		for (String path : List.of("/cds-services/" + SIGN, "/cds-services/" + SIGN + "/feedback")) {
			CdsHooksClient.Answer answer = client.exchange("POST", path,
					path.endsWith("feedback") ? "{\"feedback\":[]}" : validSign(), headers);
			assertThat(answer.status()).as(path).isEqualTo(415);
			assertThat(answer.body().path("error").asText()).isEqualTo("unsupported_media_type");
			assertThat(answer.body().path("accepted").toString()).contains("application/json").contains("+json");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("jsonTypes")
	void jsonAndPlusJsonTypesAreAccepted(String contentType) {
		CdsHooksClient.Answer answer = client.exchange("POST", "/cds-services/" + SIGN, validSign(),
				Map.of("Content-Type", contentType));
		assertThat(answer.status()).isEqualTo(200);
	}

	static Stream<String> jsonTypes() {
		return Stream.of("application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8",
				"application/fhir+json", "application/cds-hooks+json; charset=utf-8");
	}

	@Test
	void anAcceptThatExcludesJsonGets406() {
		for (String accept : List.of("text/html", "application/xml", "application/json;q=0", "image/*")) {
			CdsHooksClient.Answer answer = client.exchange("POST", "/cds-services/" + SIGN, validSign(),
					Map.of("Content-Type", "application/json", "Accept", accept));
			assertThat(answer.status()).as(accept).isEqualTo(406);
			assertThat(answer.body().path("error").asText()).isEqualTo("not_acceptable");
			assertThat(client.exchange("GET", "/cds-services", null, Map.of("Accept", accept)).status()).isEqualTo(406);
		}
		for (String accept : List.of("*/*", "application/*", "application/json", "text/html, */*;q=0.8")) {
			assertThat(client.exchange("POST", "/cds-services/" + SIGN, validSign(),
					Map.of("Content-Type", "application/json", "Accept", accept)).status()).as(accept).isEqualTo(200);
		}
	}

	@Test
	void manyProblemsGiveASmallAnswerListingTheFirstTwentyAndTheirCount() {
		ObjectNode request = (ObjectNode) read(validSign());
		ArrayNode entries = NODES.arrayNode();
		for (int i = 0; i < 200_000; i++) {
			entries.add(NODES.objectNode());
		}
		((ObjectNode) context(request).get("draftOrders")).set("entry", entries);
		CdsHooksClient.Answer answer = client.post("/cds-services/" + SIGN, request.toString());
		assertThat(answer.status()).isEqualTo(400);
		assertThat(answer.body().path("details")).hasSize(20);
		assertThat(answer.body().path("problemCount").asInt()).isGreaterThanOrEqualTo(200_000);
		assertThat(answer.body().toString().length()).isLessThan(5_000);
	}

	@Test
	void errorsNeitherEchoTheRequestNorNameLibraryClasses() {
		for (String body : List.of("{\"hook\": hxreflect-7731}", "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}",
				"{\"n\":" + "9".repeat(2000) + "}", "[\"hxreflect-7731\"")) {
			CdsHooksClient.Answer answer = client.post("/cds-services/" + SIGN, body);
			assertThat(answer.status()).isEqualTo(400);
			assertThat(answer.body().toString()).doesNotContain("hxreflect").doesNotContain("Constraints")
				.doesNotContain("jackson").doesNotContain("Unrecognized").doesNotContain("9999");
			assertThat(answer.body().path("details").get(0).asText()).startsWith("body: ");
		}
		CdsHooksClient.Answer unknown = client.post("/cds-services/hxreflect-service", validSign());
		assertThat(unknown.status()).isEqualTo(404);
		assertThat(unknown.body().toString()).doesNotContain("hxreflect");
	}

	@Test
	void errorAndEveryUnknownPathGetTheServicesOwnJson404() {
		for (String path : List.of("/error", "/no/such/path", "/cds-services/" + SIGN + "/nothing/here", "/WEB-INF/web.xml",
				"/actuator/../error")) {
			CdsHooksClient.Answer answer = client.get(path);
			assertThat(answer.status()).as(path).isEqualTo(404);
			assertThat(answer.body().path("error").asText()).as(path).isIn("not_found", "unknown_service");
			assertThat(answer.body().toString()).doesNotContain("999").doesNotContain("None");
		}
		CdsHooksClient.Answer post = client.exchange("POST", "/error", "{}", Map.of("Content-Type", "application/json"));
		assertThat(post.status()).isEqualTo(404);
		assertThat(post.body().path("error").asText()).isEqualTo("not_found");
	}

	@Test
	void theServiceKeepsServingAfterTheCorpus() {
		corpus().limit(60).forEach(hostile -> client.post("/cds-services/" + hostile.service(), hostile.body()));
		assertThat(client.call(SIGN, validSign()).status()).isEqualTo(200);
		assertThat(client.discovery().status()).isEqualTo(200);
		assertThat(Map.of()).isEmpty();
	}
}
