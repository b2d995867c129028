package org.myositiscds.impact;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.xml.parsers.DocumentBuilderFactory;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.myositiscds.realworld.SyntheaFixture;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The impact command on the committed Synthea fixtures (docs/real-world-data.md), written as a
 * Bulk Data export: one NDJSON file per resource type, each fixture's draft orders as draft
 * MedicationRequests of its record. Its per-rule counts are those that {@code expected-cards.yaml}
 * gives, and docs/impact.md shows exactly its tables.
 */
class ImpactCommandTests {

	private static final Path EXPECTED = SyntheaFixture.FOLDER.resolve("expected-cards.yaml");

	private static final Path DOC = Path.of("docs/impact.md");

	private static final Path MARKDOWN = Path.of("target/impact-fixtures.md");

	private static final Path HTML = Path.of("target/impact-fixtures.html");

	@TempDir
	static Path temp;

	private static Run fixtures;

	record Run(int exitCode, String out, String err, Path html) {
	}

	@BeforeAll
	static void runOnTheFixtures() throws IOException {
		Path export = temp.resolve("fixtures");
		writeExport(export);
		fixtures = run("--population", export.toString(), "--html", HTML.toString(), "--threads", "2");
		assertThat(fixtures.exitCode()).as(fixtures.err()).isZero();
		// What docs/impact.md quotes, to copy from when the fixtures or their expectations change.
		Files.writeString(MARKDOWN, fixtures.out());
	}

	@Test
	void perRuleCountsAreThoseOfTheExpectedCards() {
		Map<String, long[]> expected = expectedCounts();
		Map<String, String[]> rows = ruleRows(fixtures.out());
		int fixtureCount = SyntheaFixture.all(LocalDate.now()).size();
		rows.forEach((rule, cells) -> {
			long[] counts = expected.getOrDefault(rule, new long[2]);
			assertThat(Long.parseLong(cells[2])).as("patients fired for %s", rule).isEqualTo(counts[0]);
			assertThat(Long.parseLong(cells[4])).as("calls fired for %s", rule).isEqualTo(counts[1]);
		});
		assertThat(rows.keySet()).as("every rule the fixtures expect has a row").containsAll(expected.keySet());
		assertThat(rows.keySet()).as("every rule of the services has a row, fired or not")
			.contains("HBV-1", "HBV-6", "RTX-1", "RTX-13", "TAC-1", "TAC-5", "DATA-1");
		assertThat(fixtures.out()).contains(fixtureCount + " patients;");
		assertThat(fixtures.out()).doesNotContain("## Calls that failed");
	}

	@Test
	void docsShowTheTablesOfTheFixtures() throws IOException {
		ImpactReportTables tables = ImpactReportTables.of(fixtures.out());
		String doc = Files.readString(DOC);
		assertThat(doc).as("docs/impact.md shows the rule table the fixtures give now").contains(tables.rules());
		assertThat(doc).as("docs/impact.md shows the cards-per-call table the fixtures give now").contains(tables.services());
	}

	@Test
	void theHtmlPageIsWellFormedSelfContainedAndHasOneBarPerRule() throws Exception {
		String html = Files.readString(fixtures.html());
		// Nothing loaded from elsewhere: no script, stylesheet, image or font by URL (the SVG namespace is a name, not a load).
		assertThat(html).doesNotContain("<script", "<link", "<img", " src=", "href=", "url(", "@import").contains("</svg>");
		// Well-formed: an XML parser reads it (the doctype aside), so every element is closed and every & escaped.
		DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
		factory.setNamespaceAware(false);
		Document page = factory.newDocumentBuilder()
			.parse(new java.io.ByteArrayInputStream(html.replace("<!DOCTYPE html>", "").getBytes(StandardCharsets.UTF_8)));
		NodeList groups = page.getElementsByTagName("g");
		List<String> bars = new ArrayList<>();
		for (int i = 0; i < groups.getLength(); i++) {
			Element group = (Element) groups.item(i);
			if (group.getAttribute("class").equals("rule")) {
				bars.add(group.getAttribute("data-rule"));
			}
		}
		assertThat(bars).as("one bar per rule of the table").containsExactlyInAnyOrderElementsOf(ruleRows(fixtures.out()).keySet());
		NodeList svgs = page.getElementsByTagName("svg");
		int histograms = 0;
		for (int i = 0; i < svgs.getLength(); i++) {
			histograms += ((Element) svgs.item(i)).getAttribute("class").equals("cards-per-call") ? 1 : 0;
		}
		assertThat(histograms).as("one cards-per-call chart per order-sign service").isEqualTo(3);
	}

	@Test
	void aMissingFolderIsAClearErrorNotAStackTrace() {
		Run run = run("--population", temp.resolve("no-such-export").toString(), "--html", temp.resolve("x.html").toString());
		assertThat(run.exitCode()).isEqualTo(1);
		assertThat(run.err()).contains("No population folder").contains("no-such-export").doesNotContain("Exception", "\tat ");
		assertThat(run.out()).isEmpty();
	}

	@Test
	void aMalformedLineIsNamedByFileAndLine() throws IOException {
		Path export = temp.resolve("malformed");
		Files.createDirectories(export);
		Files.writeString(export.resolve("Patient.ndjson"), "{\"resourceType\":\"Patient\",\"id\":\"p1\"}\n");
		Files.writeString(export.resolve("Condition.ndjson"), "{\"resourceType\":\"Condition\",\"id\":\"c1\","
				+ "\"subject\":{\"reference\":\"Patient/p1\"}}\n{\"resourceType\":\"Condition\",\"id\":\"c2\",\n");
		Run run = run("--population", export.toString(), "--html", temp.resolve("malformed.html").toString(), "--knowledge",
				"jar");
		assertThat(run.exitCode()).isEqualTo(1);
		assertThat(run.err()).contains("Condition.ndjson line 2").contains("NDJSON").doesNotContain("\tat ");
		assertThat(run.out()).isEmpty();
	}

	@Test
	void resourcesAddedToEveryRecordReachTheRules() throws IOException {
		Path export = temp.resolve("no-diagnosis");
		Files.createDirectories(export);
		Files.writeString(export.resolve("Patient.ndjson"),
				"{\"resourceType\":\"Patient\",\"id\":\"p1\",\"gender\":\"female\",\"birthDate\":\"1970-03-01\"}\n"
						+ "{\"resourceType\":\"Patient\",\"id\":\"p2\",\"gender\":\"male\",\"birthDate\":\"1980-03-01\"}\n");
		// The jar's knowledge (here the build's classes), which needs no translation: the fixture run tests the project's.
		Run run = run("--population", export.toString(), "--html", temp.resolve("additions.html").toString(),
				"--add-to-record", "fhir-resources/impact/dermatomyositis.json", "--knowledge", "jar");
		assertThat(run.exitCode()).as(run.err()).isZero();
		Map<String, String[]> rows = ruleRows(run.out());
		// Without the dermatomyositis the additions bring, the rituximab rules say nothing.
		assertThat(rows.get("RTX-10")[2]).as("RTX-10 (a new course) fires for both patients").isEqualTo("2");
		assertThat(rows.get("HBV-1")[2]).as("HBV-1 (no screening) fires for both patients").isEqualTo("2");
		assertThat(run.out()).contains("2 patients;").contains("dermatomyositis.json added to every record");
	}

	@Test
	void aBadOptionIsAUsageError() {
		Run run = run("--population");
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).startsWith("usage: impact");
	}

	/** The tables of the command's Markdown that hold counts only (no timings): what docs/impact.md quotes. */
	record ImpactReportTables(String rules, String services) {

		static ImpactReportTables of(String markdown) {
			return new ImpactReportTables(section(markdown, "## Rules"), section(markdown, "## Cards per call"));
		}

		private static String section(String markdown, String heading) {
			int start = markdown.indexOf(heading + "\n\n") + heading.length() + 2;
			int end = markdown.indexOf("\n\n", start);
			return markdown.substring(start, end + 1);
		}
	}

	private static Map<String, String[]> ruleRows(String markdown) {
		Map<String, String[]> rows = new LinkedHashMap<>();
		for (String line : ImpactReportTables.of(markdown).rules().split("\n")) {
			String[] cells = line.substring(1, line.length() - 1).split("\\|");
			for (int i = 0; i < cells.length; i++) {
				cells[i] = cells[i].strip();
			}
			if (!cells[0].equals("rule") && !cells[0].startsWith("---")) {
				rows.put(cells[0], cells);
			}
		}
		return rows;
	}

	/**
	 * Per rule, from expected-cards.yaml: the patients it fires for, and the calls (one per patient
	 * and service; DATA-1 may come from several services of one patient).
	 */
	@SuppressWarnings("unchecked")
	private static Map<String, long[]> expectedCounts() {
		Map<String, Object> expected;
		try {
			expected = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(EXPECTED));
		}
		catch (IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
		Map<String, long[]> counts = new TreeMap<>();
		expected.forEach((fixture, services) -> {
			Map<String, Boolean> firedForPatient = new TreeMap<>();
			((Map<String, Object>) services).forEach((service, rules) -> {
				if (rules instanceof Map<?, ?> byRule) {
					byRule.keySet().forEach(rule -> {
						counts.computeIfAbsent((String) rule, key -> new long[2])[1]++;
						firedForPatient.put((String) rule, true);
					});
				}
			});
			firedForPatient.keySet().forEach(rule -> counts.get(rule)[0]++);
		});
		return counts;
	}

	/** Every fixture's resources, draft orders included, one file per resource type. */
	private static void writeExport(Path folder) throws IOException {
		Files.createDirectories(folder);
		Map<String, List<String>> lines = new TreeMap<>();
		for (SyntheaFixture fixture : SyntheaFixture.all(LocalDate.now())) {
			for (ObjectNode resource : fixture.record().everything()) {
				lines.computeIfAbsent(resource.path("resourceType").asText(), type -> new ArrayList<>()).add(resource.toString());
			}
		}
		for (Map.Entry<String, List<String>> type : lines.entrySet()) {
			Files.write(folder.resolve(type.getKey() + ".ndjson"), type.getValue());
		}
	}

	private static Run run(String... options) {
		String[] args = new String[options.length + 1];
		args[0] = ImpactCommand.NAME;
		System.arraycopy(options, 0, args, 1, options.length);
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		int code = ImpactCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8));
		Path html = options.length > 3 && options[2].equals("--html") ? Path.of(options[3]) : null;
		return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), html);
	}
}
