package org.myositiscds.prefetch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.TestJson.read;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.TestJson;
import org.myositiscds.PatientScenario;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * For every service, its example request answered from the prefetch and answered by fetching the
 * same data from the EHR's FHIR server (WireMock, one stub per prefetch template) gives the same cards.
 */
@CdsServiceTest(properties = { "myositis-cds.prefetch.circuit-breaker.window=1000",
		"myositis-cds.prefetch.circuit-breaker.minimum-calls=1000" })
class FetchPathParityTests {

	@RegisterExtension
	static WireMockExtension ehr = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

	@Autowired
	CdsHooksClient client;

	static Stream<Path> examples() throws IOException {
		return Files.list(Path.of("hooks/examples")).filter(f -> f.toString().endsWith(".json")).sorted();
	}

	@ParameterizedTest
	@MethodSource("examples")
	void theFetchPathGivesTheSameCardsAsThePrefetch(Path example) throws IOException {
		String serviceId = example.getFileName().toString().replace(".json", "");
		ObjectNode request = (ObjectNode) read(Files.readString(example));
		JsonNode definition = read(Files.readString(Path.of("hooks/" + serviceId + ".json")));
		String patientId = request.path("context").path("patientId").asText();
		definition.path("prefetch").fields().forEachRemaining(template -> {
			String query = template.getValue().asText().replace("{{context.patientId}}", patientId);
			ehr.stubFor(stub(query).willReturn(aResponse().withStatus(200)
				.withHeader("Content-Type", "application/fhir+json")
				.withBody(request.path("prefetch").path(template.getKey()).toString())));
		});
		CdsHooksClient.Answer withPrefetch = client.call(serviceId, request.toString());
		request.remove("prefetch");
		CdsHooksClient.Answer fetched = client.call(serviceId,
				PatientScenario.withFhirServer(request.toString(), ehr.baseUrl() + "/fhir", "parity-access-token-77d2"));

		assertThat(fetched.status()).as(serviceId).isEqualTo(200);
		assertThat(withPrefetch.rules()).as(serviceId).isNotEmpty();
		assertThat(fetched.rules()).as(serviceId).isEqualTo(withPrefetch.rules());
		for (String rule : withPrefetch.rules()) {
			assertThat(TestJson.withoutUuids(fetched.card(rule))).as(serviceId + " " + rule).isEqualTo(TestJson.withoutUuids(withPrefetch.card(rule)));
		}
	}

	private static MappingBuilder stub(String query) {
		int questionMark = query.indexOf('?');
		MappingBuilder stub = get(urlPathEqualTo("/fhir/" + (questionMark < 0 ? query : query.substring(0, questionMark))));
		if (questionMark >= 0) {
			for (String parameter : query.substring(questionMark + 1).split("&")) {
				String[] nameValue = parameter.split("=", 2);
				stub = stub.withQueryParam(nameValue[0], equalTo(nameValue.length > 1 ? nameValue[1] : ""));
			}
		}
		return stub;
	}

}
