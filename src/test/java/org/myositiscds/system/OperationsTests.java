package org.myositiscds.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;

/**
 * Health probes for the orchestrator and Prometheus metrics per service and per rule, on the
 * management port only; the feedback database readable by the service's user only.
 */
@CdsServiceTest
class OperationsTests {

	@Autowired
	CdsHooksClient client;

	@LocalManagementPort
	int managementPort;

	CdsHooksClient management() {
		return new CdsHooksClient(managementPort);
	}

	@Test
	void livenessAndReadinessAreUpOnceTheKnowledgeIsLoaded() {
		assertThat(management().exchange("GET", "/actuator/health/liveness", null, Map.of()).body().path("status").asText())
			.isEqualTo("UP");
		assertThat(management().exchange("GET", "/actuator/health/readiness", null, Map.of()).body().path("status").asText())
			.isEqualTo("UP");
	}

	@Test
	void prometheusShowsLatencyPerServiceAndCardsPerRule() {
		client.call("hbv-screening-order-sign",
				patient("metrics").draft(rituximabOrder("rtx-1")).orderSign("hbv-screening-order-sign"));
		String metrics = management().exchange("GET", "/actuator/prometheus", null, Map.of()).body().asText();
		assertThat(metrics)
			.contains("cds_service_calls_seconds_bucket{")
			.containsPattern("cds_service_calls_seconds_count\\{[^}]*service=\"hbv-screening-order-sign\"")
			.containsPattern("cds_cards_total\\{[^}]*rule=\"HBV-1\"")
			.contains("jvm_memory_used_bytes");
	}

	@Test
	void theActuatorIsNotOnThePortEhrsCall() {
		assertThat(managementPort).isNotEqualTo(0);
		for (String path : List.of("/actuator", "/actuator/prometheus", "/actuator/health", "/actuator/env")) {
			CdsHooksClient.Answer answer = client.get(path);
			assertThat(answer.status()).as(path).isEqualTo(404);
			assertThat(answer.body().toString()).doesNotContain("jvm_").doesNotContain("UP");
		}
	}

	@Test
	void theFeedbackDatabaseIsReadableByTheServicesUserOnly() throws IOException {
		Path dataDir = Path.of("target/test-data");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).isEqualTo("rwx------");
		try (Stream<Path> files = Files.list(dataDir)) {
			List<Path> regular = files.filter(Files::isRegularFile).toList();
			assertThat(regular).anyMatch(file -> file.getFileName().toString().startsWith("feedback"));
			for (Path file : regular) {
				assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as(file.toString())
					.isEqualTo("rw-------");
			}
		}
	}
}
