package org.myositiscds.realworld;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsHooksContract;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.PatientScenario;
import org.myositiscds.TestJson;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Every committed Synthea patient (docs/real-world-data.md), in every vendor shape, through every
 * order-sign service over HTTP, with the prefetch an EHR builds from the discovery templates and,
 * for the shapes that change what a FHIR server answers, again fetching everything from the EHR's
 * FHIR server (WireMock), gives exactly the cards of
 * {@code expected-cards.yaml}: rule ids decided from the clinical rules, each with its reason.
 * Every outcome is also written to {@code target/synthea-fixtures.md} as the run goes.
 */
// A generous fetch timeout: on a busy machine the first fetches of a run are slow, and these tests
// are about the cards, not about timeouts (FetchFromFhirServerTests tests those).
@CdsServiceTest(properties = { "myositis-cds.prefetch.circuit-breaker.window=1000", "myositis-cds.prefetch.circuit-breaker.minimum-calls=1000", "myositis-cds.prefetch.timeout=30s" })
class SyntheaFixturesTests {

	private static final Path EXPECTED = SyntheaFixture.FOLDER.resolve("expected-cards.yaml");

	private static final Path REPORT = Path.of("target/synthea-fixtures.md");

	private static final LocalDate TODAY = LocalDate.now();

	private static final List<String> OUTCOMES = Collections.synchronizedList(new ArrayList<>());

	@RegisterExtension
	static WireMockExtension ehr = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

	private static Shaped current;

	@Autowired
	CdsHooksClient client;

	/** How the EHR gives the service the record. */
	enum Mode {
		/** The prefetch built from the discovery templates, and a fhirServer for what is not in it (a Medication). */
		PREFETCH,
		/** No prefetch: the service fetches every template from the fhirServer. */
		FETCH
	}

	@Test
	void everyFixtureHasAReasonedExpectationForEveryOrderSignService() {
		Map<String, Map<String, List<String>>> expected = expectedRules();
		assertThat(expected.keySet()).as("fixtures in " + EXPECTED)
			.containsExactlyInAnyOrderElementsOf(SyntheaFixture.all(TODAY).stream().map(SyntheaFixture::name).toList());
		expected.forEach((fixture, services) -> assertThat(services.keySet()).as(fixture)
			.containsExactlyInAnyOrderElementsOf(orderSignServices()));
		assertThat(SyntheaFixture.all(TODAY)).hasSizeGreaterThanOrEqualTo(8);
	}

	@TestFactory
	Stream<DynamicTest> everyFixtureInEveryShapeGivesItsExpectedCards() {
		Map<String, Map<String, List<String>>> expected = expectedRules();
		List<DynamicTest> tests = new ArrayList<>();
		for (SyntheaFixture fixture : SyntheaFixture.all(TODAY)) {
			for (VendorShape shape : VendorShape.values()) {
				for (String service : orderSignServices()) {
					for (Mode mode : shape.changesWhatIsFetched() ? Mode.values() : new Mode[] { Mode.PREFETCH }) {
						List<String> wanted = expected.getOrDefault(fixture.name(), Map.of()).getOrDefault(service, List.of());
						tests.add(DynamicTest.dynamicTest(fixture.name() + " " + shape + " " + service + " " + mode,
								() -> checkReporting(fixture, shape, service, mode, wanted)));
					}
				}
			}
		}
		return tests.stream();
	}

	/** A call that could not be made or read is an outcome too (the report would otherwise hide it). */
	private void checkReporting(SyntheaFixture fixture, VendorShape shape, String service, Mode mode, List<String> expected) {
		int reported = OUTCOMES.size();
		try {
			check(fixture, shape, service, mode, expected);
		}
		catch (RuntimeException e) {
			if (OUTCOMES.size() == reported) {
				OUTCOMES.add(String.join(" | ", fixture.name(), service, shape.toString(), mode.toString(),
						String.join(", ", expected), e.getClass().getSimpleName() + ": " + e.getMessage(), "ERROR"));
				writeReport();
			}
			throw e;
		}
	}

	private void check(SyntheaFixture fixture, VendorShape shape, String service, Mode mode, List<String> expected) {
		Shaped shaped = shaped(fixture, shape);
		ehr.resetAll();
		for (ObjectNode medication : shaped.record().medicationsOnServer()) {
			ehr.stubFor(get(urlPathEqualTo("/fhir/Medication/" + medication.path("id").asText())).willReturn(aResponse()
				.withStatus(200).withHeader("Content-Type", "application/fhir+json").withBody(medication.toString())));
		}
		PatientScenario scenario = shaped.scenario();
		String fhirServer = ehr.baseUrl() + "/fhir";
		String request;
		if (mode == Mode.PREFETCH) {
			request = PatientScenario.withFhirServer(scenario.orderSign(service), fhirServer, "synthea-access-token-5c1e");
		}
		else {
			scenario.serveOn(ehr::stubFor, service, "/fhir");
			request = scenario.withoutPrefetch(service, "order-sign", fhirServer, "synthea-access-token-5c1e");
		}
		CdsHooksClient.Answer answer = client.post("/cds-services/" + service, request);
		List<String> got = answer.status() == 200 ? answer.rules().stream().sorted().toList()
				: List.of("HTTP " + answer.status());
		List<String> wanted = expected.stream().sorted().toList();
		String contractProblem = contractProblem(shape, answer);
		OUTCOMES.add(String.join(" | ", fixture.name(), service, shape.toString(), mode.toString(),
				String.join(", ", wanted), String.join(", ", got),
				wanted.equals(got) && contractProblem == null ? "ok" : contractProblem == null ? "MISMATCH" : "CARD CONTRACT"));
		writeReport();
		String where = String.format("patient %s (%s), service %s, shape %s, %s", fixture.name(), fixture.description(),
				service, shape, mode);
		assertThat(got).as("%s: expected %s, got %s; answer %s", where, wanted, got,
				answer.status() == 200 ? "" : answer.body()).isEqualTo(wanted);
		assertThat(contractProblem).as("%s: the cards break the CDS Hooks contract", where).isNull();
	}

	/**
	 * What breaks the card contract (schema, valid FHIR suggestions), checked once per fixture, service
	 * and mode: the HAPI validator is the slowest part of a call, and a shape changes the record, not the cards.
	 */
	private static String contractProblem(VendorShape shape, CdsHooksClient.Answer answer) {
		if (shape != VendorShape.AS_GENERATED || answer.status() != 200) {
			return null;
		}
		try {
			CdsHooksContract.assertValidResponse(answer.body().toString());
			return null;
		}
		catch (AssertionError e) {
			return e.getMessage();
		}
	}

	/** A fixture in a shape, and the scenario that answers for it. */
	private record Shaped(String key, FixtureRecord record, PatientScenario scenario) {
	}

	/** Shaped and parsed once for the six calls of a fixture in a shape, which run in a row. */
	private static synchronized Shaped shaped(SyntheaFixture fixture, VendorShape shape) {
		String key = fixture.name() + " " + shape;
		if (current == null || !current.key().equals(key)) {
			FixtureRecord record = shape.apply(fixture.record());
			current = new Shaped(key, record, record.scenario());
		}
		return current;
	}

	/** Rewritten after every call, so that a long run shows how far it got. */
	private static void writeReport() {
		List<String> lines = new ArrayList<>();
		lines.add("| fixture | service | shape | mode | expected | got | |");
		lines.add("| --- | --- | --- | --- | --- | --- | --- |");
		synchronized (OUTCOMES) {
			OUTCOMES.forEach(outcome -> lines.add("| " + outcome + " |"));
		}
		try {
			Files.createDirectories(REPORT.getParent());
			Files.write(REPORT, lines);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** Fixture, then service, then the rule ids it must give (the reasons are for the reader). */
	static Map<String, Map<String, List<String>>> expectedRules() {
		Map<String, Map<String, List<String>>> rules = new TreeMap<>();
		SyntheaFixture.readYaml(EXPECTED).forEach((fixture, services) -> {
			Map<String, List<String>> byService = new TreeMap<>();
			((Map<?, ?>) services).forEach((service, cards) -> {
				// A service expected to stay silent is given the reason as text; one that fires, rule id -> reason.
				if (cards instanceof Map<?, ?> reasons) {
					reasons.forEach((rule, reason) -> assertThat(String.valueOf(reason))
						.as("%s %s %s: the clinical reason", fixture, service, rule).isNotBlank());
					byService.put((String) service, reasons.keySet().stream().map(String::valueOf).toList());
				}
				else {
					assertThat(String.valueOf(cards)).as("%s %s: why it stays silent", fixture, service).startsWith("silent:");
					byService.put((String) service, List.of());
				}
			});
			rules.put(fixture, byService);
		});
		return rules;
	}

	/** The order-sign services of hooks/, so that a new one needs its expectations. */
	static List<String> orderSignServices() {
		try (Stream<Path> files = Files.list(Path.of("hooks"))) {
			return files.filter(file -> file.toString().endsWith(".json"))
				.filter(file -> TestJson.read(readString(file)).path("hook").asText().equals("order-sign"))
				.map(file -> file.getFileName().toString().replace(".json", ""))
				.sorted()
				.toList();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static String readString(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
