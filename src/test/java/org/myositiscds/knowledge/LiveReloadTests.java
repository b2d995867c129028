package org.myositiscds.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * An informaticist edits the CQL of a watched folder; the running service picks the change up
 * without a rebuild, and a change that does not translate is reported while the last good
 * knowledge keeps serving.
 */
@CdsServiceTest(properties = "myositis-cds.knowledge.warm-up=false")
class LiveReloadTests {

	static final String SIGN = "hbv-screening-order-sign";

	static Path folder;

	@DynamicPropertySource
	static void watchedFolder(DynamicPropertyRegistry registry) throws IOException {
		folder = Files.createTempDirectory("knowledge");
		for (String part : new String[] { "cql", "fhir-resources/valueset", "hooks" }) {
			copy(Path.of(part), folder.resolve(part));
		}
		registry.add("myositis-cds.knowledge.watch", () -> folder.toString());
	}

	@Autowired
	CdsHooksClient client;

	String summaryOfHbv1() {
		CdsHooksClient.Answer answer = client.call(SIGN, patient("reload").draft(rituximabOrder("rtx-1")).orderSign(SIGN));
		return answer.card("HBV-1").path("summary").asText();
	}

	JsonNode status() {
		return client.exchange("GET", "/admin/knowledge", null, Map.of()).body();
	}

	@Test
	void aCqlChangeIsServedWithoutARebuildAndABrokenChangeKeepsTheLastGoodVersion() throws Exception {
		assertThat(status().path("origin").asText()).isEqualTo(folder.toString());
		assertThat(summaryOfHbv1()).startsWith("Order hepatitis B screening before");

		Path cql = folder.resolve("cql/HBVScreening.cql");
		String original = Files.readString(cql);
		Files.writeString(cql, original.replace("'Order hepatitis B screening before anti-CD20 therapy: reactivation can be fatal'",
				"'Screen for hepatitis B before anti-CD20 therapy'"));
		await(() -> summaryOfHbv1().startsWith("Screen for hepatitis B before"));
		assertThat(status().path("lastReload").path("succeeded").asBoolean()).isTrue();

		Files.writeString(cql, original.replace("define \"Is HBV Screening Missing\":", "define \"Is HBV Screening Missing\" ::"));
		await(() -> !status().path("lastReload").path("succeeded").asBoolean(true));
		assertThat(status().path("lastReload").path("errors").toString()).contains("HBVScreening.cql:");
		assertThat(summaryOfHbv1()).as("the last good version still serves").startsWith("Screen for hepatitis B before");

		Files.writeString(cql, original);
		await(() -> summaryOfHbv1().startsWith("Order hepatitis B screening before"));
	}

	@Test
	void aServiceDefinitionThatDriftsFromItsCqlTriggersIsRefused() throws Exception {
		Path hooks = folder.resolve("hooks/hbv-screening-order-sign.json");
		String original = Files.readString(hooks);
		Files.writeString(hooks, original.replace("ValueSet/anti-cd20-agents\"]", "ValueSet/rituximab-iv\"]"));
		await(() -> !status().path("lastReload").path("succeeded").asBoolean(true));
		assertThat(status().path("lastReload").path("errors").toString())
			.contains("hbv-screening-order-sign: the CQL triggers on value set "
					+ "https://fhir.myositis-cds.org/ValueSet/anti-cd20-agents, which triggerValueSets leaves out");
		assertThat(summaryOfHbv1()).as("the last good version still serves").startsWith("Order hepatitis B screening before");

		String refusedAt = status().path("lastReload").path("at").asText();
		Files.writeString(hooks, original);
		// A reload after the refused one, so that the other test starts from knowledge that loads.
		await(() -> !status().path("lastReload").path("at").asText().equals(refusedAt)
				&& status().path("lastReload").path("succeeded").asBoolean(false));
	}

	static void await(BooleanSupplier condition) throws InterruptedException {
		Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
		while (!condition.getAsBoolean()) {
			if (Instant.now().isAfter(deadline)) {
				throw new AssertionError("The change was not picked up within 30 s");
			}
			Thread.sleep(200);
		}
	}

	static void copy(Path from, Path to) throws IOException {
		try (Stream<Path> files = Files.walk(from)) {
			for (Path file : files.toList()) {
				Path target = to.resolve(from.relativize(file).toString());
				if (Files.isDirectory(file)) {
					Files.createDirectories(target);
				}
				else {
					Files.copy(file, target);
				}
			}
		}
	}
}
