package org.myositiscds.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.hooks.CardLog;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.bean.override.mockito.MockReset;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/**
 * The start-up's call through the service's own port: made before readiness, in production
 * (no call passes without a JWT), recorded and measured nowhere, and no way in afterwards.
 */
@CdsServiceTest(properties = { "myositis-cds.security.allow-unauthenticated=false",
		"myositis-cds.security.unauthenticated-fhir-servers=" })
@Import(HttpWarmUpTests.ReadinessWatch.class)
class HttpWarmUpTests {

	static final String SIGN = "rituximab-order-sign";

	/** What the warm-up had done when the service said it was ready. */
	@TestConfiguration(proxyBeanMethods = false)
	static class ReadinessWatch {

		static volatile Integer rehearsalsWhenReady;

		static volatile Boolean closedWhenReady;

		@Bean
		ApplicationListener<AvailabilityChangeEvent<ReadinessState>> readinessWatch(
				FilterRegistrationBean<WarmUpCall> warmUpCallFilter) {
			return event -> {
				if (event.getState() == ReadinessState.ACCEPTING_TRAFFIC && rehearsalsWhenReady == null) {
					rehearsalsWhenReady = warmUpCallFilter.getFilter().admitted();
					closedWhenReady = warmUpCallFilter.getFilter().isClosed();
				}
			};
		}
	}

	/** Not reset between the tests: what the start-up did is what the tests check. */
	@MockitoBean(reset = MockReset.NONE)
	CardLog cardLog;

	@Autowired
	CdsHooksClient client;

	@Autowired
	FilterRegistrationBean<WarmUpCall> warmUpCallFilter;

	@Autowired
	WarmUp warmUp;

	@LocalManagementPort
	int managementPort;

	@Test
	void anExampleWentThroughThePortBeforeTheServiceSaidItWasReadyWithoutAJwt() {
		assertThat(warmUp.examples()).containsKey(SIGN).hasSize(6);
		assertThat(ReadinessWatch.rehearsalsWhenReady).isEqualTo(1);
		assertThat(ReadinessWatch.closedWhenReady).isTrue();
	}

	@Test
	void theWarmUpCallsAreRecordedAndMeasuredNowhere() {
		verifyNoInteractions(cardLog);
		String metrics = new CdsHooksClient(managementPort).exchange("GET", "/actuator/prometheus", null, Map.of())
			.body().asText();
		assertThat(metrics).contains("jvm_memory_used_bytes")
			.doesNotContain("/cds-services/{id}")
			.doesNotContain("cds_service_calls_seconds_count");
	}

	@Test
	void afterTheStartNoCallPassesWithoutAJwtWhateverItSends() {
		String body = patient("warm-up-header").draft(rituximabOrder("rtx-1")).orderSign(SIGN);
		assertThat(warmUpCallFilter.getFilter().secret()).isNull();

		CdsHooksClient.Answer answer = client.exchange("POST", "/cds-services/" + SIGN, body,
				Map.of("Content-Type", "application/json", WarmUpCall.HEADER, "guessed-secret"));

		assertThat(answer.status()).isEqualTo(401);
		verifyNoInteractions(cardLog);
	}
}
