package org.myositiscds.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.feedback.OverrideFeedback.SIGN;
import static org.myositiscds.feedback.OverrideFeedback.newPatientId;
import static org.myositiscds.feedback.OverrideFeedback.reason;
import static org.myositiscds.feedback.OverrideFeedback.unscreened;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.MyositisCdsApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The override memory lives in the feedback database, not in an instance: it survives a restart on
 * the same H2 file, and two instances sharing one PostgreSQL share it (an override posted to one is
 * remembered by the other). Each instance is a whole Spring application on a port of its own.
 */
class OverrideMemoryAcrossInstancesTests {

	/** Replicas sharing a database share the patient hash key (docs/feedback.md). */
	static final String SHARED_KEY = "override-memory-replicas-shared-key-0123456789";

	/**
	 * As command-line arguments, which win over application.properties (its fixed ports). The warm-up
	 * is left out: it only makes the first calls faster.
	 */
	static ConfigurableApplicationContext start(String... properties) {
		List<String> arguments = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1",
				"--management.server.port=0", "--management.server.address=127.0.0.1",
				"--myositis-cds.knowledge.warm-up=false"));
		for (String property : properties) {
			arguments.add("--" + property);
		}
		return new SpringApplicationBuilder(MyositisCdsApplication.class).profiles("test").run(arguments.toArray(String[]::new));
	}

	static OverrideFeedback service(ConfigurableApplicationContext instance) {
		int port = ((WebServerApplicationContext) instance).getWebServer().getPort();
		return new OverrideFeedback(new CdsHooksClient(port), instance.getBean(JdbcClient.class));
	}

	@Test
	void anOverrideIsStillRememberedAfterARestartOnTheSameDatabaseFile(@TempDir Path dataDir) {
		String patientId = newPatientId();
		String data = "myositis-cds.feedback.data-dir=" + dataDir;
		try (ConfigurableApplicationContext before = start(data)) {
			OverrideFeedback service = service(before);
			CdsHooksClient.Answer shown = service.sign(unscreened(patientId));
			service.override(SIGN, shown.card("HBV-1"), reason("outside-record", "Result in an outside record"));
			assertThat(service.sign(unscreened(patientId)).rules()).doesNotContain("HBV-1");
		}
		try (ConfigurableApplicationContext after = start(data)) {
			OverrideFeedback service = service(after);
			assertThat(service.sign(unscreened(patientId)).rules()).as("after the restart").doesNotContain("HBV-1");
			assertThat(service.sign(unscreened(newPatientId())).rules()).as("another patient").contains("HBV-1");
		}
	}

	@Test
	void twoInstancesSharingPostgresqlShareTheMemory(@TempDir Path dataA, @TempDir Path dataB) throws Exception {
		try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
			String[] database = { "spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
					"spring.datasource.username=postgres", "spring.datasource.password=postgres",
					"myositis-cds.feedback.patient-hash-key=" + SHARED_KEY };
			try (ConfigurableApplicationContext a = start(with(database, "myositis-cds.feedback.data-dir=" + dataA));
					ConfigurableApplicationContext b = start(with(database, "myositis-cds.feedback.data-dir=" + dataB))) {
				OverrideFeedback instanceA = service(a);
				OverrideFeedback instanceB = service(b);
				String patientId = newPatientId();
				assertThat(instanceB.sign(unscreened(patientId)).rules()).as("B, before the override").contains("HBV-1");

				CdsHooksClient.Answer shownByA = instanceA.sign(unscreened(patientId));
				instanceA.override(SIGN, shownByA.card("HBV-1"), reason("results-pending", "Results pending"));

				assertThat(instanceB.sign(unscreened(patientId)).rules()).as("B, after the override on A")
					.doesNotContain("HBV-1");
				assertThat(instanceB.sign(unscreened(newPatientId())).rules()).as("B, another patient").contains("HBV-1");
				assertThat(instanceA.suppressed("HBV-1", 1)).as("B's suppressed card, seen from A").isEqualTo(1);
			}
		}
	}

	private static String[] with(String[] properties, String more) {
		List<String> all = new ArrayList<>(List.of(properties));
		all.add(more);
		return all.toArray(String[]::new);
	}
}
