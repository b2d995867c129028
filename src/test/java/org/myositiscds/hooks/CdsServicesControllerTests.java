package org.myositiscds.hooks;


import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;

import static org.myositiscds.TestJson.read;
import org.springframework.beans.factory.annotation.Autowired;

/** Discovery, the example requests of hooks/examples, and the answers to malformed calls. */
@CdsServiceTest
class CdsServicesControllerTests {

	static final String SIGN = "hbv-screening-order-sign";

	static final String SELECT = "hbv-screening-order-select";

	@Autowired
	CdsHooksClient client;

	@Test
	void discoveryListsEveryServiceDefinitionOfHooksWithoutInternals() throws IOException {
		CdsHooksClient.Answer answer = client.discovery();
		assertThat(answer.status()).isEqualTo(200);
		List<String> ids = new ArrayList<>();
		answer.body().path("services").forEach(service -> {
			ids.add(service.path("id").asText());
			assertThat(service.has("library")).as("discovery shows no CQL library name").isFalse();
		});
		List<String> definitions;
		try (Stream<Path> files = Files.list(Path.of("hooks"))) {
			definitions = files.filter(f -> f.toString().endsWith(".json"))
				.map(f -> f.getFileName().toString().replace(".json", ""))
				.toList();
		}
		assertThat(ids).containsExactlyInAnyOrderElementsOf(definitions);
		JsonNode sign = find(answer.body(), SIGN);
		assertThat(sign.path("hook").asText()).isEqualTo("order-sign");
		assertThat(sign.path("prefetch").path("patient").asText()).isEqualTo("Patient/{{context.patientId}}");
	}

	@Test
	void theExampleRequestsGetTheCardsTheReadmePromises() throws IOException {
		CdsHooksClient.Answer sign = client.call(SIGN, Files.readString(Path.of("hooks/examples/" + SIGN + ".json")));
		assertThat(sign.rules()).containsExactly("HBV-3");
		CdsHooksClient.Answer select = client.call(SELECT, Files.readString(Path.of("hooks/examples/" + SELECT + ".json")));
		assertThat(select.rules()).containsExactly("HBV-1");
	}

	@Test
	void everyExampleRequestIsAnsweredWithCards() throws IOException {
		try (Stream<Path> files = Files.list(Path.of("hooks/examples"))) {
			for (Path example : files.toList()) {
				String serviceId = example.getFileName().toString().replace(".json", "");
				CdsHooksClient.Answer answer = client.call(serviceId, Files.readString(example));
				assertThat(answer.status()).as(serviceId).isEqualTo(200);
				assertThat(answer.rules()).as(serviceId).isNotEmpty();
			}
		}
	}

	@Test
	void cardsCarryTheRuleIdTopicAndAUuid() {
		CdsHooksClient.Answer answer = client.call(SIGN,
				patient("cards-fields").draft(rituximabOrder("rtx-1")).orderSign(SIGN));
		JsonNode card = answer.card("HBV-1");
		assertThat(card.path("uuid").asText()).hasSize(36);
		assertThat(card.path("source").path("topic").path("code").asText()).isEqualTo("HBV-1");
		assertThat(card.path("source").path("topic").path("system").asText())
			.isEqualTo("https://fhir.myositis-cds.org/CodeSystem/rules");
		assertThat(card.path("source").path("label").asText()).contains("Myositis CDS");
		assertThat(card.path("overrideReasons").get(0).path("display").asText()).isNotBlank();
	}

	@Test
	void anUnknownServiceIs404WithAJsonBody() {
		CdsHooksClient.Answer answer = client.post("/cds-services/no-such-service", "{}");
		assertThat(answer.status()).isEqualTo(404);
		assertThat(answer.body().path("error").asText()).isEqualTo("unknown_service");
	}

	/** The demo profile's patient-view preview (docs/demo.md) exists only with the demo FHIR server. */
	@Test
	void withoutTheDemoProfileTheOrderPreviewIsNeitherListedNorAnswered() {
		assertThat(client.discovery().body().path("services").findValuesAsText("id")).doesNotContain("demo-order-preview");
		assertThat(client.discovery().body().path("services").findValuesAsText("hook")).doesNotContain("patient-view");
		String patientView = """
				{"hook": "patient-view", "hookInstance": "5f1a3c3e-4b5e-4c59-9a68-0f1f6b3d2a11",
				 "context": {"userId": "Practitioner/demo", "patientId": "demo-refractory-adult"}}""";
		assertThat(client.post("/cds-services/demo-order-preview", patientView).status()).isEqualTo(404);
		assertThat(client.post("/cds-services/demo-order-preview/feedback", "{\"feedback\": []}").status()).isEqualTo(404);
	}

	@Test
	void anUnknownPathAndAWrongMethodAreJsonErrorsToo() {
		assertThat(client.post("/nothing-here", "{}").status()).isEqualTo(404);
		CdsHooksClient.Answer wrongMethod = client.post("/cds-services", "{}");
		assertThat(wrongMethod.status()).isEqualTo(405);
		assertThat(wrongMethod.body().path("error").asText()).isEqualTo("method_not_allowed");
	}

	static Stream<Arguments> malformedCalls() {
		String valid = patient("bad-input").draft(rituximabOrder("rtx-1")).orderSign(SIGN);
		return Stream.of(
				Arguments.of("truncated JSON", valid.substring(0, valid.length() / 2), "invalid_json"),
				Arguments.of("not JSON at all", "hello", "invalid_json"),
				Arguments.of("empty body", "", "invalid_request"),
				Arguments.of("a JSON array", "[]", "invalid_request"),
				Arguments.of("no hook", without(valid, "hook"), "hook: required"),
				Arguments.of("wrong hook", with(valid, "hook", "patient-view"), "hook: this service answers"),
				Arguments.of("no hookInstance", without(valid, "hookInstance"), "hookInstance: required"),
				Arguments.of("hookInstance not a UUID", with(valid, "hookInstance", "12345"), "hookInstance: must be a UUID"),
				Arguments.of("no context", without(valid, "context"), "context: required"),
				Arguments.of("no patientId", withoutInContext(valid, "patientId"), "context.patientId: required"),
				Arguments.of("no userId", withoutInContext(valid, "userId"), "context.userId: required"),
				Arguments.of("userId not a reference", withInContext(valid, "userId", "dr-house"), "context.userId"),
				Arguments.of("no draftOrders", withoutInContext(valid, "draftOrders"), "context.draftOrders: required"),
				Arguments.of("draftOrders not a Bundle", withInContext(valid, "draftOrders",
						read("{\"resourceType\":\"MedicationRequest\",\"status\":\"draft\"}")), "must be a FHIR Bundle"),
				Arguments.of("draftOrders a string", withInContext(valid, "draftOrders", "Bundle"), "must be a FHIR Bundle"),
				Arguments.of("draftOrders invalid FHIR", withInContext(valid, "draftOrders",
						read("{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"NoSuchType\"}}]}")),
						"not a valid FHIR R4 resource"),
				Arguments.of("fhirAuthorization without fhirServer", with(valid, "fhirAuthorization",
						read("{\"access_token\":\"t\",\"token_type\":\"Bearer\",\"expires_in\":300,\"scope\":\"s\",\"subject\":\"c\"}")),
						"fhirServer: required when fhirAuthorization"),
				Arguments.of("fhirServer not a URL", with(valid, "fhirServer", "not a url"), "fhirServer"),
				Arguments.of("a prefetch that is not FHIR", with(valid, "prefetch", read("{\"patient\":{\"name\":\"x\"}}")),
						"prefetch.patient"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("malformedCalls")
	void aMalformedCallIs400SayingWhatIsWrong(String name, String body, String expected) {
		CdsHooksClient.Answer answer = client.post("/cds-services/" + SIGN, body);
		assertThat(answer.status()).isEqualTo(400);
		assertThat(answer.body().toString()).contains(expected);
		assertThat(answer.body().toString()).doesNotContain("Exception").doesNotContain("at org.");
	}

	@Test
	void orderSelectNeedsSelectionsThatNameDraftOrders() {
		String valid = patient("bad-select").draft(rituximabOrder("rtx-1")).orderSelect(SELECT, "rtx-1");
		CdsHooksClient.Answer missing = client.post("/cds-services/" + SELECT, withoutInContext(valid, "selections"));
		assertThat(missing.status()).isEqualTo(400);
		assertThat(missing.body().toString()).contains("context.selections: required for order-select");
		ObjectNode dangling = (ObjectNode) read(valid);
		((ObjectNode) dangling.get("context")).putArray("selections").add("MedicationRequest/not-a-draft");
		CdsHooksClient.Answer answer = client.post("/cds-services/" + SELECT, dangling.toString());
		assertThat(answer.status()).isEqualTo(400);
		assertThat(answer.body().toString()).contains("names no resource of context.draftOrders");
	}

	@Test
	void aPatientMissingFromTheFetchedDataIs412() {
		String request = patient("bad-patient").draft(rituximabOrder("rtx-1")).orderSign(SIGN);
		ObjectNode json = (ObjectNode) read(request);
		((ObjectNode) json.get("prefetch")).putNull("patient");
		CdsHooksClient.Answer answer = client.post("/cds-services/" + SIGN, json.toString());
		assertThat(answer.status()).isEqualTo(412);
		assertThat(answer.body().path("missingPrefetch").has("patient")).isTrue();
	}

	@Test
	void theServiceKeepsServingAfterBadInput() {
		malformedCalls().forEach(call -> client.post("/cds-services/" + SIGN, (String) call.get()[1]));
		assertThat(client.call(SIGN, patient("after-bad").draft(rituximabOrder("rtx-1")).orderSign(SIGN)).rules())
			.containsExactly("HBV-1");
	}

	private static JsonNode find(JsonNode discovery, String id) {
		for (JsonNode service : discovery.path("services")) {
			if (service.path("id").asText().equals(id)) {
				return service;
			}
		}
		throw new AssertionError("No service " + id);
	}

	private static String without(String json, String field) {
		ObjectNode node = (ObjectNode) read(json);
		node.remove(field);
		return node.toString();
	}

	private static String with(String json, String field, Object value) {
		ObjectNode node = (ObjectNode) read(json);
		if (value instanceof JsonNode jsonValue) {
			node.set(field, jsonValue);
		}
		else {
			node.put(field, (String) value);
		}
		return node.toString();
	}

	private static String withoutInContext(String json, String field) {
		ObjectNode node = (ObjectNode) read(json);
		((ObjectNode) node.get("context")).remove(field);
		return node.toString();
	}

	private static String withInContext(String json, String field, Object value) {
		ObjectNode node = (ObjectNode) read(json);
		ObjectNode context = (ObjectNode) node.get("context");
		if (value instanceof JsonNode jsonValue) {
			context.set(field, jsonValue);
		}
		else {
			context.put(field, (String) value);
		}
		return node.toString();
	}

}
