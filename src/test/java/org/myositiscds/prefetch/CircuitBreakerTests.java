package org.myositiscds.prefetch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.PatientScenario;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The per-origin breaker (Resilience4j) counts hook calls, not prefetch keys, and opens on a
 * failure rate once the window holds the minimum number of calls. Each test has its own EHR, so
 * its own origin and breaker.
 */
@CdsServiceTest(properties = { "myositis-cds.prefetch.circuit-breaker.window=10",
		"myositis-cds.prefetch.circuit-breaker.minimum-calls=5", "myositis-cds.prefetch.circuit-breaker.open-for=1h" })
class CircuitBreakerTests {

	static final String SIGN = "hbv-screening-order-sign";

	static final String RITUXIMAB = "rituximab-order-sign";

	@RegisterExtension
	static WireMockExtension failingEhr = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

	@RegisterExtension
	static WireMockExtension slowOnceEhr = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

	@Autowired
	CdsHooksClient client;

	@Autowired
	MeterRegistry meters;

	@Test
	void oneSlowFirstAnswerDoesNotStopTheNextCallsForAnyPatient() {
		PatientScenario first = patient("slow-first").draft(rituximabOrder("rtx-1"));
		first.serveOn(slowOnceEhr::stubFor, RITUXIMAB, "/fhir");
		// Every one of the six keys of the first call outlasts the 3 s timeout.
		slowOnceEhr.setGlobalFixedDelay(3500);
		CdsHooksClient.Answer slow = client.call(RITUXIMAB,
				first.withoutPrefetch(RITUXIMAB, "order-sign", slowOnceEhr.baseUrl() + "/fhir", "slow-access-token-3b7e"));
		assertThat(slow.status()).isEqualTo(412);
		slowOnceEhr.setGlobalFixedDelay(0);
		for (int i = 0; i < 8; i++) {
			PatientScenario next = patient("after-slow-" + i).draft(rituximabOrder("rtx-1"));
			next.serveOn(slowOnceEhr::stubFor, RITUXIMAB, "/fhir");
			CdsHooksClient.Answer answer = client.call(RITUXIMAB,
					next.withoutPrefetch(RITUXIMAB, "order-sign", slowOnceEhr.baseUrl() + "/fhir", "next-access-token-3b7e"));
			assertThat(answer.status()).as("call " + i + ": " + answer.body()).isEqualTo(200);
		}
	}

	@Test
	void aFailingFhirServerIsLeftAloneOnceHalfTheMinimumCallsFailedAndTheStateIsInTheMetrics() {
		failingEhr.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(503)));
		PatientScenario scenario = patient("breaker").draft(rituximabOrder("rtx-1"));
		String request = scenario.withoutPrefetch(SIGN, "order-sign", failingEhr.baseUrl() + "/fhir", "breaker-access-token-51e0");
		for (int call = 1; call <= 5; call++) {
			CdsHooksClient.Answer answer = client.call(SIGN, request);
			assertThat(answer.status()).isEqualTo(412);
			assertThat(answer.body().path("missingPrefetch").path("hbvLabs").asText()).isEqualTo(PrefetchResolver.NOT_READ);
		}
		int queriesWhileClosed = failingEhr.getAllServeEvents().size();
		assertThat(queriesWhileClosed).as("four keys in each of five calls").isEqualTo(20);

		CdsHooksClient.Answer whileOpen = client.call(SIGN, request);
		assertThat(whileOpen.status()).isEqualTo(412);
		assertThat(whileOpen.body().path("missingPrefetch").path("hbvLabs").asText())
			.isEqualTo(PrefetchResolver.BREAKER_OPEN);
		assertThat(failingEhr.getAllServeEvents()).hasSize(queriesWhileClosed);

		String origin = "http://localhost:" + failingEhr.getPort();
		assertThat(meters.get("resilience4j.circuitbreaker.state").tag("name", origin).tag("state", "open").gauge().value())
			.isEqualTo(1.0);
		assertThat(meters.get("resilience4j.circuitbreaker.calls").tag("name", origin).tag("kind", "failed").timer().count())
			.isEqualTo(5);
	}
}
