package org.myositiscds.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.springframework.beans.factory.annotation.Autowired;

/** Health probes for the orchestrator and Prometheus metrics per service and per rule. */
@CdsServiceTest
class OperationsTests {

	@Autowired
	CdsHooksClient client;

	@Test
	void livenessAndReadinessAreUpOnceTheKnowledgeIsLoaded() {
		assertThat(client.exchange("GET", "/actuator/health/liveness", null, Map.of()).body().path("status").asText())
			.isEqualTo("UP");
		assertThat(client.exchange("GET", "/actuator/health/readiness", null, Map.of()).body().path("status").asText())
			.isEqualTo("UP");
	}

	@Test
	void prometheusShowsLatencyPerServiceAndCardsPerRule() {
		client.call("hbv-screening-order-sign",
				patient("metrics").draft(rituximabOrder("rtx-1")).orderSign("hbv-screening-order-sign"));
		String metrics = client.exchange("GET", "/actuator/prometheus", null, Map.of()).body().asText();
		assertThat(metrics)
			.contains("cds_service_calls_seconds_bucket{")
			.containsPattern("cds_service_calls_seconds_count\\{[^}]*service=\"hbv-screening-order-sign\"")
			.containsPattern("cds_cards_total\\{[^}]*rule=\"HBV-1\"")
			.contains("jvm_memory_used_bytes");
	}
}
