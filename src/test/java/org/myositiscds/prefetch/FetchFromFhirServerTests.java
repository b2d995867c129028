package org.myositiscds.prefetch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.NEGATIVE;
import static org.myositiscds.PatientScenario.POSITIVE;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.PatientScenario;
import org.myositiscds.TestJson;

import static org.myositiscds.TestJson.read;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The fetch path: prefetch keys that are missing are read from the EHR's FHIR server (WireMock
 * standing in for it) with the call's access token, in parallel and within the timeout; when data
 * cannot be had the answer is 412 naming the keys.
 */
// The circuit breaker is tested on its own: here many failures in a row are the point of the tests.
@CdsServiceTest(properties = { "myositis-cds.prefetch.timeout=2500ms",
		"myositis-cds.prefetch.circuit-breaker.window=1000", "myositis-cds.prefetch.circuit-breaker.minimum-calls=1000" })
class FetchFromFhirServerTests {

	static final String SIGN = "hbv-screening-order-sign";

	static final String TOKEN = "ehr-access-token-7f3a9c";

	@RegisterExtension
	static WireMockExtension ehr = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

	@Autowired
	CdsHooksClient client;

	String fhirServer() {
		return ehr.baseUrl() + "/fhir";
	}

	static Stream<PatientScenario> scenarios() {
		PatientScenario unscreened = patient("fetch-unscreened").dermatomyositis().draft(rituximabOrder("rtx-1"));
		PatientScenario resolved = patient("fetch-resolved").dermatomyositis().draft(rituximabOrder("rtx-1"))
			.lab("5196-1", "HBsAg", 30, NEGATIVE).lab("16933-4", "anti-HBc", 30, POSITIVE);
		PatientScenario onProphylaxis = patient("fetch-prophylaxis").draft(rituximabOrder("rtx-1"))
			.lab("5196-1", "HBsAg", 700, POSITIVE)
			.activeMedication("485434", "entecavir 0.5 MG Oral Tablet", 15);
		PatientScenario immune = patient("fetch-immune").draft(rituximabOrder("rtx-1"))
			.lab("5196-1", "HBsAg", 30, NEGATIVE).lab("16933-4", "anti-HBc", 30, NEGATIVE)
			.lab("10900-9", "anti-HBs", 30, POSITIVE);
		return Stream.of(unscreened, resolved, onProphylaxis, immune);
	}

	@ParameterizedTest
	@MethodSource("scenarios")
	void fetchingGivesTheSameCardsAsPrefetch(PatientScenario scenario) {
		scenario.serveOn(ehr::stubFor, SIGN, "/fhir");
		CdsHooksClient.Answer withPrefetch = client.call(SIGN, scenario.orderSign(SIGN));
		CdsHooksClient.Answer fetched = client.call(SIGN, scenario.withoutPrefetch(SIGN, "order-sign", fhirServer(), TOKEN));
		assertThat(fetched.status()).isEqualTo(200);
		assertThat(fetched.rules()).isEqualTo(withPrefetch.rules());
		for (int i = 0; i < withPrefetch.rules().size(); i++) {
			JsonNode expected = withPrefetch.body().path("cards").get(i);
			JsonNode actual = fetched.body().path("cards").get(i);
			assertThat(actual.path("summary")).isEqualTo(expected.path("summary"));
			assertThat(actual.path("detail")).isEqualTo(expected.path("detail"));
			assertThat(actual.path("suggestions").size()).isEqualTo(expected.path("suggestions").size());
		}
	}

	@Test
	void everyQueryCarriesTheAccessTokenAsBearer() {
		PatientScenario scenario = patient("fetch-token").draft(rituximabOrder("rtx-1"));
		scenario.serveOn(ehr::stubFor, SIGN, "/fhir");
		assertThat(client.call(SIGN, scenario.withoutPrefetch(SIGN, "order-sign", fhirServer(), TOKEN)).status())
			.isEqualTo(200);
		ehr.verify(4, getRequestedFor(anyUrl()).withHeader("Authorization", equalTo("Bearer " + TOKEN)));
		ehr.verify(getRequestedFor(urlPathEqualTo("/fhir/Patient/fetch-token")));
		ehr.verify(getRequestedFor(urlPathEqualTo("/fhir/Observation"))
			.withQueryParam("patient", equalTo("fetch-token"))
			.withQueryParam("code", equalTo(hbvLabCodes())));
	}

	@Test
	void onlyMissingKeysAreFetchedAndAnOperationOutcomeCountsAsMissing() {
		PatientScenario scenario = patient("fetch-partial").draft(rituximabOrder("rtx-1"))
			.lab("5196-1", "HBsAg", 30, POSITIVE);
		scenario.serveOn(ehr::stubFor, SIGN, "/fhir");
		Map<String, JsonNode> prefetch = new LinkedHashMap<>(scenario.prefetch(SIGN));
		prefetch.remove("conditions");
		prefetch.put("medications", operationOutcome());
		String request = PatientScenario.withFhirServer(scenario.withPrefetch(SIGN, "order-sign", prefetch), fhirServer(), TOKEN);
		CdsHooksClient.Answer answer = client.call(SIGN, request);
		assertThat(answer.rules()).containsExactly("HBV-2");
		ehr.verify(1, getRequestedFor(urlPathEqualTo("/fhir/Condition")));
		ehr.verify(1, getRequestedFor(urlPathEqualTo("/fhir/MedicationRequest")));
		ehr.verify(0, getRequestedFor(urlPathEqualTo("/fhir/Observation")));
		ehr.verify(0, getRequestedFor(urlPathEqualTo("/fhir/Patient/fetch-partial")));
	}

	@Test
	void aNullPrefetchMeansNoDataAndIsNotFetched() {
		PatientScenario scenario = patient("fetch-null").draft(rituximabOrder("rtx-1"));
		Map<String, JsonNode> prefetch = new LinkedHashMap<>(scenario.prefetch(SIGN));
		prefetch.put("hbvLabs", TestJson.MAPPER.nullNode());
		String request = PatientScenario.withFhirServer(scenario.withPrefetch(SIGN, "order-sign", prefetch), fhirServer(), TOKEN);
		assertThat(client.call(SIGN, request).rules()).containsExactly("HBV-1");
		ehr.verify(0, getRequestedFor(anyUrl()));
	}

	@Test
	void keysAreFetchedInParallel() {
		PatientScenario scenario = patient("fetch-parallel").draft(rituximabOrder("rtx-1"));
		scenario.serveOn(ehr::stubFor, SIGN, "/fhir");
		// Four queries of 1 s each within a 2.5 s timeout per key: one after the other, the later
		// ones would time out and the call would get 412.
		ehr.setGlobalFixedDelay(1000);
		CdsHooksClient.Answer answer = client.call(SIGN, scenario.withoutPrefetch(SIGN, "order-sign", fhirServer(), TOKEN));
		ehr.setGlobalFixedDelay(0);
		assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
		ehr.verify(4, getRequestedFor(anyUrl()));
	}

	@Test
	void aSlowServerGets412NamingTheKey() {
		PatientScenario scenario = patient("fetch-slow").draft(rituximabOrder("rtx-1"));
		scenario.serveOn(ehr::stubFor, SIGN, "/fhir");
		ehr.stubFor(get(urlPathEqualTo("/fhir/Condition")).willReturn(aResponse().withFixedDelay(5000).withStatus(200)));
		CdsHooksClient.Answer answer = client.call(SIGN, scenario.withoutPrefetch(SIGN, "order-sign", fhirServer(), TOKEN));
		assertPreconditionFailed(answer, "conditions");
		assertThat(answer.body().path("missingPrefetch").path("conditions").asText()).isEqualTo(PrefetchResolver.NOT_READ);
	}

	static Stream<Object[]> serverFailures() {
		return Stream.of(
				new Object[] { aResponse().withStatus(500).withBody("oops"), "HTTP 500" },
				new Object[] { aResponse().withStatus(401), "HTTP 401" },
				new Object[] { aResponse().withStatus(404).withBody("{\"resourceType\":\"OperationOutcome\"}"), "HTTP 404" },
				new Object[] { aResponse().withStatus(200).withHeader("Content-Type", "text/html")
					.withBody("<html><body>Login</body></html>"), "not a FHIR JSON resource" },
				new Object[] { aResponse().withStatus(200).withBody("{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"Nonsense\"}}]}"),
						"not a FHIR JSON resource" },
				new Object[] { aResponse().withStatus(200).withBody("{\"resourceType\":\"OperationOutcome\",\"issue\":[]}"),
						"OperationOutcome" });
	}

	@ParameterizedTest
	@MethodSource("serverFailures")
	void aFailingServerGets412NamingTheKey(com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder failure,
			String reason) {
		PatientScenario scenario = patient("fetch-fail").draft(rituximabOrder("rtx-1"));
		scenario.serveOn(ehr::stubFor, SIGN, "/fhir");
		ehr.stubFor(get(urlPathEqualTo("/fhir/Observation")).willReturn(failure));
		CdsHooksClient.Answer answer = client.call(SIGN, scenario.withoutPrefetch(SIGN, "order-sign", fhirServer(), TOKEN));
		assertPreconditionFailed(answer, "hbvLabs");
		// What the server answered goes to the log; the caller learns only that the key could not be read.
		assertThat(answer.body().path("missingPrefetch").path("hbvLabs").asText()).isEqualTo(PrefetchResolver.NOT_READ);
		assertThat(answer.body().toString()).doesNotContain(reason);
	}

	@Test
	void noPrefetchAndNoFhirServerGets412NamingEveryKey() {
		PatientScenario scenario = patient("fetch-none").draft(rituximabOrder("rtx-1"));
		CdsHooksClient.Answer answer = client.call(SIGN, scenario.withPrefetch(SIGN, "order-sign", Map.of()));
		assertPreconditionFailed(answer, "patient", "hbvLabs", "conditions", "medications");
	}

	@Test
	void searchResultsAreReadPageByPageAndANextLinkLoopIsRefused() {
		PatientScenario scenario = patient("fetch-pages").draft(rituximabOrder("rtx-1"));
		scenario.serveOn(ehr::stubFor, SIGN, "/fhir");
		String firstPage = bundle(List.of(), fhirServer() + "/page2");
		String secondPage = bundle(List.of(observation(scenario.id(), "5196-1", POSITIVE_CODE)), null);
		ehr.stubFor(get(urlPathEqualTo("/fhir/Observation")).willReturn(aResponse().withStatus(200).withBody(firstPage)));
		ehr.stubFor(get(urlPathEqualTo("/fhir/page2")).willReturn(aResponse().withStatus(200).withBody(secondPage)));
		CdsHooksClient.Answer answer = client.call(SIGN, scenario.withoutPrefetch(SIGN, "order-sign", fhirServer(), TOKEN));
		assertThat(answer.rules()).containsExactly("HBV-2");

		ehr.stubFor(get(urlPathEqualTo("/fhir/page2")).willReturn(aResponse().withStatus(200)
			.withBody(bundle(List.of(), fhirServer() + "/page2"))));
		assertPreconditionFailed(client.call(SIGN, scenario.withoutPrefetch(SIGN, "order-sign", fhirServer(), TOKEN)),
				"hbvLabs");
	}

	@Test
	void aNextLinkToAnotherServerIsNotFollowedWithTheToken() {
		PatientScenario scenario = patient("fetch-elsewhere").draft(rituximabOrder("rtx-1"));
		scenario.serveOn(ehr::stubFor, SIGN, "/fhir");
		ehr.stubFor(get(urlPathEqualTo("/fhir/Observation")).willReturn(aResponse().withStatus(200)
			.withBody(bundle(List.of(), "http://attacker.example.org/steal"))));
		CdsHooksClient.Answer answer = client.call(SIGN, scenario.withoutPrefetch(SIGN, "order-sign", fhirServer(), TOKEN));
		assertPreconditionFailed(answer, "hbvLabs");
		assertThat(answer.body().path("missingPrefetch").path("hbvLabs").asText()).isEqualTo(PrefetchResolver.NOT_READ);
	}

	@Test
	void aPaginatedPrefetchIsCompletedFromTheFhirServer() {
		PatientScenario scenario = patient("fetch-prefetch-pages").draft(rituximabOrder("rtx-1"));
		Map<String, JsonNode> prefetch = new LinkedHashMap<>(scenario.prefetch(SIGN));
		prefetch.put("hbvLabs", read(bundle(List.of(), fhirServer() + "/labs-page2")));
		ehr.stubFor(get(urlPathEqualTo("/fhir/labs-page2")).willReturn(aResponse().withStatus(200)
			.withBody(bundle(List.of(observation(scenario.id(), "5196-1", POSITIVE_CODE)), null))));
		String request = PatientScenario.withFhirServer(scenario.withPrefetch(SIGN, "order-sign", prefetch), fhirServer(), TOKEN);
		assertThat(client.call(SIGN, request).rules()).containsExactly("HBV-2");
	}

	private void assertPreconditionFailed(CdsHooksClient.Answer answer, String... keys) {
		assertThat(answer.status()).isEqualTo(412);
		assertThat(answer.body().path("error").asText()).isEqualTo("prefetch_unavailable");
		assertThat(answer.body().path("missingPrefetch").properties().stream().map(Map.Entry::getKey))
			.containsExactlyInAnyOrder(keys);
		assertThat(answer.body().toString()).doesNotContain(TOKEN);
	}

	static final String POSITIVE_CODE = "10828004";

	private static String observation(String patientId, String loinc, String snomedValue) {
		return "{\"resourceType\":\"Observation\",\"id\":\"paged-" + loinc + "\",\"status\":\"final\","
				+ "\"subject\":{\"reference\":\"Patient/" + patientId + "\"},"
				+ "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"" + loinc + "\"}]},"
				+ "\"effectiveDateTime\":\"" + PatientScenario.daysAgo(20).getValueAsString() + "\","
				+ "\"valueCodeableConcept\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"" + snomedValue + "\"}]}}";
	}

	private static String bundle(List<String> resources, String next) {
		StringBuilder json = new StringBuilder("{\"resourceType\":\"Bundle\",\"type\":\"searchset\"");
		if (next != null) {
			json.append(",\"link\":[{\"relation\":\"next\",\"url\":\"").append(next).append("\"}]");
		}
		json.append(",\"entry\":[");
		json.append(String.join(",", resources.stream().map(r -> "{\"resource\":" + r + "}").toList()));
		return json.append("]}").toString();
	}

	private static JsonNode operationOutcome() {
		return read("{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"timeout\"}]}");
	}


	/** The code filter of the HBV service's lab template, as discovery publishes it. */
	static String hbvLabCodes() {
		String template;
		try {
			template = TestJson.read(Files.readString(Path.of("hooks/hbv-screening-order-sign.json")))
				.path("prefetch").path("hbvLabs").asText();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return template.substring(template.indexOf("code=") + "code=".length()).split("&")[0];
	}
}
