package org.myositiscds.prefetch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.PatientScenario;
import org.springframework.beans.factory.annotation.Autowired;

@CdsServiceTest(properties = { "myositis-cds.prefetch.circuit-breaker-failures=3",
		"myositis-cds.prefetch.circuit-breaker-open-for=1h" })
class CircuitBreakerTests {

	static final String SIGN = "hbv-screening-order-sign";

	@RegisterExtension
	static WireMockExtension failingEhr = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

	@Autowired
	CdsHooksClient client;

	@Test
	void aFailingFhirServerIsNoLongerCalledOnceTheBreakerOpens() {
		failingEhr.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(503)));
		PatientScenario scenario = patient("breaker").draft(rituximabOrder("rtx-1"));
		String request = scenario.withoutPrefetch(SIGN, "order-sign", failingEhr.baseUrl() + "/fhir", "breaker-access-token-51e0");
		assertThat(client.call(SIGN, request).status()).isEqualTo(412);
		int callsWhileClosed = failingEhr.getAllServeEvents().size();
		assertThat(callsWhileClosed).isEqualTo(4);

		CdsHooksClient.Answer whileOpen = client.call(SIGN, request);
		assertThat(whileOpen.status()).isEqualTo(412);
		assertThat(whileOpen.body().path("missingPrefetch").path("hbvLabs").asText()).contains("failed repeatedly");
		assertThat(failingEhr.getAllServeEvents()).hasSize(callsWhileClosed);
	}

	@Test
	void afterTheOpenTimeOneTrialQueryDecidesWhetherToCloseAgain() {
		AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
		Clock clock = new Clock() {
			@Override
			public Instant instant() {
				return now.get();
			}

			@Override
			public java.time.ZoneId getZone() {
				return ZoneOffset.UTC;
			}

			@Override
			public Clock withZone(java.time.ZoneId zone) {
				return this;
			}
		};
		CircuitBreaker breaker = new CircuitBreaker(2, Duration.ofSeconds(30), clock);
		URI server = URI.create("https://ehr.example.org/fhir");
		URI other = URI.create("https://other-ehr.example.org/fhir");
		breaker.failed(server);
		assertThat(breaker.allows(server)).isTrue();
		breaker.failed(server);
		assertThat(breaker.allows(server)).isFalse();
		assertThat(breaker.allows(other)).as("another EHR is not affected").isTrue();

		now.set(now.get().plusSeconds(31));
		assertThat(breaker.allows(server)).as("one trial").isTrue();
		assertThat(breaker.allows(server)).as("only one trial at a time").isFalse();
		breaker.failed(server);
		assertThat(breaker.allows(server)).as("failed trial opens again").isFalse();

		now.set(now.get().plusSeconds(31));
		assertThat(breaker.allows(server)).isTrue();
		breaker.succeeded(server);
		assertThat(breaker.allows(server)).isTrue();
		assertThat(breaker.allows(server)).isTrue();
	}
}
