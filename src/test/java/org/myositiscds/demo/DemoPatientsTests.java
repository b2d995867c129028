package org.myositiscds.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.DemoPatients;
import org.myositiscds.PatientScenario;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The demo patients of fhir-resources/examples/ get, from each order-sign service, exactly the
 * cards that docs/demo.md's table says; and together they make every rule of clinical-rules.md
 * fire for some patient and stay silent for another.
 */
@CdsServiceTest
class DemoPatientsTests {

	static final Path TABLE = Path.of("docs/demo.md");

	/** The rule ids of clinical-rules.md (checked against the file when the shared folder is beside the work tree). */
	static final Set<String> RULE_IDS = new TreeSet<>(List.of("HBV-1", "HBV-2", "HBV-3", "HBV-4", "HBV-5", "HBV-6",
			"RTX-1", "RTX-2", "RTX-3", "RTX-4", "RTX-5", "RTX-6", "RTX-7", "RTX-8", "RTX-9", "RTX-10", "RTX-11", "RTX-12", "RTX-13",
			"TAC-1", "TAC-2", "TAC-3", "TAC-4", "TAC-5"));

	static final Path CLINICAL_RULES = Path.of("../shared/reference/clinical-rules.md");

	static final Map<String, String> COLUMNS = Map.of(
			"hbv-screening-order-sign", "HBV cards",
			"rituximab-order-sign", "RTX cards",
			"tacrolimus-deescalation-order-sign", "TAC cards");

	@Autowired
	CdsHooksClient client;

	@ParameterizedTest(name = "{0} / {1}")
	@MethodSource("patientsAndServices")
	void eachPatientGetsTheCardsTheTableSays(String patientId, String serviceId) {
		PatientScenario scenario = DemoPatients.scenario(patientId, LocalDate.now());
		CdsHooksClient.Answer answer = client.call(serviceId, scenario.orderSign(serviceId));
		assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
		assertThat(new TreeSet<>(answer.rules())).as(patientId + " / " + serviceId)
			.isEqualTo(new TreeSet<>(expected().get(patientId).get(serviceId)));
		assertThat(answer.rules()).doesNotHaveDuplicates();
	}

	static Stream<Arguments> patientsAndServices() {
		return DemoPatients.ids().stream()
			.flatMap(patientId -> COLUMNS.keySet().stream().sorted().map(serviceId -> Arguments.of(patientId, serviceId)));
	}

	@Test
	void theTableListsEveryDemoPatientAndNoOther() {
		assertThat(expected().keySet()).containsExactlyInAnyOrderElementsOf(DemoPatients.ids());
		assertThat(DemoPatients.ids()).hasSizeGreaterThanOrEqualTo(12);
	}

	@Test
	void everyRuleFiresForSomePatientAndStaysSilentForAnother() throws IOException {
		if (Files.exists(CLINICAL_RULES)) {
			Set<String> inRequirement = new TreeSet<>();
			Matcher matcher = Pattern.compile("^\\| ((?:HBV|RTX|TAC)-\\d+) ", Pattern.MULTILINE)
				.matcher(Files.readString(CLINICAL_RULES));
			while (matcher.find()) {
				inRequirement.add(matcher.group(1));
			}
			assertThat(inRequirement).isEqualTo(RULE_IDS);
		}
		Set<String> ruleIds = RULE_IDS;
		Map<String, Set<String>> firing = new LinkedHashMap<>();
		expected().forEach((patientId, byService) -> {
			Set<String> all = new TreeSet<>();
			byService.values().forEach(all::addAll);
			firing.put(patientId, all);
		});
		for (String rule : ruleIds) {
			assertThat(firing.values().stream().filter(rules -> rules.contains(rule)).count())
				.as(rule + " fires for some demo patient").isPositive();
			assertThat(firing.values().stream().filter(rules -> !rules.contains(rule)).count())
				.as(rule + " stays silent for some demo patient").isPositive();
		}
	}

	/** docs/demo.md's table: patient id to service id to the rule ids of its cards. */
	static Map<String, Map<String, List<String>>> expected() {
		List<String> lines;
		try {
			lines = Files.readAllLines(TABLE);
		}
		catch (IOException e) {
			throw new IllegalStateException(e);
		}
		Map<String, Map<String, List<String>>> table = new LinkedHashMap<>();
		List<String> header = null;
		for (String line : lines) {
			if (!line.startsWith("|")) {
				header = line.isBlank() ? header : null;
				continue;
			}
			List<String> cells = cells(line);
			if (header == null) {
				if (cells.contains("patient id")) {
					header = cells;
				}
				continue;
			}
			if (cells.get(0).startsWith("---")) {
				continue;
			}
			String patientId = cells.get(header.indexOf("patient id")).replace("`", "");
			Map<String, List<String>> byService = new LinkedHashMap<>();
			List<String> currentHeader = header;
			COLUMNS.forEach((serviceId, column) -> {
				String cell = cells.get(currentHeader.indexOf(column));
				byService.put(serviceId, ruleIds(cell));
			});
			table.put(patientId, byService);
		}
		assertThat(table).as("the table of " + TABLE).isNotEmpty();
		return table;
	}

	static List<String> cells(String line) {
		String inner = line.trim();
		inner = inner.substring(1, inner.endsWith("|") ? inner.length() - 1 : inner.length());
		return Arrays.stream(inner.split("\\|", -1)).map(String::trim).toList();
	}

	/** "RTX-6, RTX-10" or "none". */
	static List<String> ruleIds(String cell) {
		List<String> ids = new ArrayList<>();
		Matcher matcher = Pattern.compile("(?:HBV|RTX|TAC)-\\d+").matcher(cell);
		while (matcher.find()) {
			ids.add(matcher.group());
		}
		return ids;
	}
}
