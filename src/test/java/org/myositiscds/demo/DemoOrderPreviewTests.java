package org.myositiscds.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.TestJson.read;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.DemoPatients;
import org.myositiscds.PatientScenario;
import org.myositiscds.TestJson;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The demo profile's patient-view service demo-order-preview: each demo patient gets exactly the
 * cards the three order-sign services give for the patient's demo draft orders, as the CDS Hooks
 * Sandbox's Patient View shows them.
 */
@CdsServiceTest(properties = "myositis-cds.demo.fhir-server=true")
class DemoOrderPreviewTests {

	static final String PREVIEW = "demo-order-preview";

	static final List<String> ORDER_SIGN_SERVICES = List.of("hbv-screening-order-sign", "rituximab-order-sign",
			"tacrolimus-deescalation-order-sign");

	@Autowired
	CdsHooksClient client;

	static List<String> patients() {
		return DemoPatients.ids();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("patients")
	void eachDemoPatientGetsTheCardsOfTheOrderSignServicesForItsDraftOrders(String patientId) {
		PatientScenario scenario = DemoPatients.scenario(patientId, LocalDate.now());
		List<JsonNode> direct = new ArrayList<>();
		for (String service : ORDER_SIGN_SERVICES) {
			CdsHooksClient.Answer answer = client.call(service, scenario.orderSign(service));
			assertThat(answer.status()).as(service).isEqualTo(200);
			answer.body().path("cards").forEach(direct::add);
		}

		CdsHooksClient.Answer withPrefetch = client.call(PREVIEW, patientView(patientId, prefetch(scenario)));
		CdsHooksClient.Answer fromTheDemoServer = client.call(PREVIEW, patientView(patientId, null));

		assertThat(withPrefetch.status()).as(withPrefetch.body().toString()).isEqualTo(200);
		assertThat(cardsWithoutUuids(withPrefetch.body())).isEqualTo(direct.stream().map(TestJson::withoutUuids).toList());
		assertThat(fromTheDemoServer.status()).as(fromTheDemoServer.body().toString()).isEqualTo(200);
		assertThat(fromTheDemoServer.rules()).isEqualTo(withPrefetch.rules());
		Set<String> inTheTable = new TreeSet<>();
		DemoPatientsTests.expected().get(patientId).values().forEach(inTheTable::addAll);
		assertThat(new TreeSet<>(withPrefetch.rules())).as("docs/demo.md's table").isEqualTo(inTheTable);
	}

	@Test
	void discoveryListsThePreviewForPatientViewWithThePrefetchOfTheOrderSignServices() {
		JsonNode preview = previewInDiscovery();
		assertThat(preview.path("hook").asText()).isEqualTo("patient-view");
		assertThat(preview.path("title").asText()).startsWith("Demo:");
		Set<String> queries = new HashSet<>();
		preview.path("prefetch").forEach(query -> queries.add(query.asText()));
		Set<String> ofTheServices = new HashSet<>();
		for (JsonNode service : client.discovery().body().path("services")) {
			if (ORDER_SIGN_SERVICES.contains(service.path("id").asText())) {
				service.path("prefetch").forEach(query -> ofTheServices.add(query.asText()));
			}
		}
		assertThat(queries).isEqualTo(ofTheServices);
		assertThat(queries).allSatisfy(query -> assertThat(query.replace("{{context.patientId}}", "")).doesNotContain("{{"));
		assertThat(preview.path("prefetch").path("patient").asText()).isEqualTo("Patient/{{context.patientId}}");
	}

	@Test
	void aPatientWithoutDemoDraftOrdersGetsNoCards() {
		CdsHooksClient.Answer answer = client.call(PREVIEW, patientView("not-a-demo-patient", null));
		assertThat(answer.status()).isEqualTo(200);
		assertThat(answer.body()).isEqualTo(read("{\"cards\": []}"));
	}

	@Test
	void aMalformedCallIsRefusedAsForAnyOtherService() {
		ObjectNode withoutUser = (ObjectNode) read(patientView("demo-refractory-adult", null));
		((ObjectNode) withoutUser.path("context")).remove("userId");
		CdsHooksClient.Answer noUser = client.call(PREVIEW, withoutUser.toString());
		assertThat(noUser.status()).isEqualTo(400);
		assertThat(noUser.body().path("details").toString()).contains("context.userId: required");

		ObjectNode orderSign = (ObjectNode) read(patientView("demo-refractory-adult", null));
		orderSign.put("hook", "order-sign");
		CdsHooksClient.Answer wrongHook = client.call(PREVIEW, orderSign.toString());
		assertThat(wrongHook.status()).isEqualTo(400);
		assertThat(wrongHook.body().path("details").toString()).contains("this service answers 'patient-view'");

		CdsHooksClient.Answer badToken = client.exchange("POST", "/cds-services/" + PREVIEW,
				patientView("demo-refractory-adult", null),
				Map.of("Content-Type", "application/json", "Authorization", "Bearer not.a.jwt"));
		assertThat(badToken.status()).isEqualTo(401);
	}

	@Test
	void dataThatCannotBeHadIsNamedByThePreviewsOwnPrefetchKey() {
		String qualified = "rituximab-order-sign.medicationRequests";
		PatientScenario scenario = DemoPatients.scenario("demo-refractory-adult", LocalDate.now());
		Map<String, JsonNode> allButOne = prefetch(scenario);
		assertThat(allButOne).containsKey(qualified);
		allButOne.remove(qualified);
		ObjectNode request = (ObjectNode) read(patientView("demo-refractory-adult", allButOne));
		request.put("fhirServer", "http://127.0.0.1:1/fhir");

		CdsHooksClient.Answer answer = client.call(PREVIEW, request.toString());

		assertThat(answer.status()).isEqualTo(412);
		assertThat(answer.body().path("missingPrefetch").has(qualified)).as(answer.body().toString()).isTrue();
	}

	@Test
	void feedbackOnThePreviewsCardsIsTaken() {
		CdsHooksClient.Answer answer = client.call(PREVIEW, patientView("demo-hbsag-positive", null));
		String card = answer.card("HBV-2").path("uuid").asText();
		CdsHooksClient.Answer feedback = client.post("/cds-services/" + PREVIEW + "/feedback",
				"{\"feedback\": [{\"card\": \"" + card + "\", \"outcome\": \"overridden\", \"outcomeTimestamp\": \""
						+ java.time.Instant.now() + "\"}]}");
		assertThat(feedback.status()).as(feedback.body().toString()).isEqualTo(200);
		assertThat(feedback.body().path("stored").asInt()).isEqualTo(1);
	}

	JsonNode previewInDiscovery() {
		for (JsonNode service : client.discovery().body().path("services")) {
			if (service.path("id").asText().equals(PREVIEW)) {
				return service;
			}
		}
		throw new AssertionError("demo-order-preview is not in discovery");
	}

	/** The preview's prefetch as the Sandbox fills it: each of its templates answered from the patient's record. */
	Map<String, JsonNode> prefetch(PatientScenario scenario) {
		Map<String, JsonNode> prefetch = new LinkedHashMap<>();
		previewInDiscovery().path("prefetch").properties()
			.forEach(entry -> prefetch.put(entry.getKey(), read(scenario.answer(entry.getValue().asText()))));
		return prefetch;
	}

	static String patientView(String patientId, Map<String, JsonNode> prefetch) {
		ObjectNode request = TestJson.MAPPER.createObjectNode()
			.put("hook", "patient-view")
			.put("hookInstance", UUID.randomUUID().toString());
		request.putObject("context").put("userId", "Practitioner/COREPRACTITIONER1").put("patientId", patientId);
		if (prefetch != null) {
			ObjectNode prefetchNode = request.putObject("prefetch");
			prefetch.forEach(prefetchNode::set);
		}
		return request.toString();
	}

	static List<JsonNode> cardsWithoutUuids(JsonNode body) {
		List<JsonNode> cards = new ArrayList<>();
		body.path("cards").forEach(card -> cards.add(TestJson.withoutUuids(card)));
		return cards;
	}
}
