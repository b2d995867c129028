package org.myositiscds.authoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.FileSystemUtils;

/**
 * test --watch on a copy of the knowledge: an edit re-runs the cases of the library edited (and of
 * the libraries that include it) and no others; a CQL error is reported, errors last with a count,
 * and the watcher goes on.
 */
class WatchModeTests {

	private static final List<String> HBV_CASES = List.of("hbv-1-fires-no-screening-on-record.yaml",
			"hbv-5-silent-anti-hbs-detected.yaml");

	private static final List<String> TAC_CASES = List.of("tac-1-silent-2-mg-a-day.yaml");

	@Test
	void anEditReRunsTheAffectedCasesOnlyAndAnErrorIsReportedWhileWatchingGoesOn(@TempDir Path project)
			throws Exception {
		copyKnowledge(project);
		var out = new ByteArrayOutputStream();
		var printer = new PrintStream(out, true, StandardCharsets.UTF_8);
		Thread watching = new Thread(() -> AuthoringCommands.run(
				new String[] { "test", "--watch", "--project", project.toString() }, printer, printer), "watch-under-test");
		watching.start();
		try {
			awaitLines(out, "Watching", 1);
			assertThat(text(out)).contains("3 passed, 0 failed").doesNotContain("warning:");

			// A library no other includes: its cases run again, the others do not.
			int before = count(out, " passed, ");
			append(project.resolve("cql/HBVScreening.cql"), "\n// an edit\n");
			String cycle = awaitLines(out, " passed, ", before + 1);
			assertThat(cycle).contains("changed: cql/HBVScreening.cql").contains("2 passed, 0 failed")
				.contains("PASS cql/tests/HBVScreening/" + HBV_CASES.get(0)).doesNotContain("TacrolimusDeescalation/");

			// A case file: that case alone.
			before = count(out, " passed, ");
			append(project.resolve("cql/tests/TacrolimusDeescalation/" + TAC_CASES.get(0)), "\n# an edit\n");
			cycle = awaitLines(out, " passed, ", before + 1);
			assertThat(cycle).contains("1 passed, 0 failed").contains("PASS cql/tests/TacrolimusDeescalation/")
				.doesNotContain("HBVScreening/");

			// A service definition: no case runs; the services of the libraries worked on are linted.
			Path service = project.resolve("hooks/hbv-screening-order-sign.json");
			int printed = text(out).length();
			Files.writeString(service, Files.readString(service).replace(
					"\"triggerValueSets\": [\"https://fhir.myositis-cds.org/ValueSet/anti-cd20-agents\"]",
					"\"triggerValueSets\": []"));
			awaitLines(out, " services checked, ", 1);
			assertThat(text(out).substring(printed)).contains("changed: hooks/hbv-screening-order-sign.json")
				.contains("anti-cd20-agents, which triggerValueSets leaves out")
				.contains("hooks: 4 services checked, 1 problem").doesNotContain("PASS ");

			// The shared library: every library including it is translated again, every case runs.
			before = count(out, " passed, ");
			append(project.resolve("cql/MyositisCommon.cql"), "\n// an edit\n");
			cycle = awaitLines(out, " passed, ", before + 1);
			assertThat(cycle).contains("3 passed, 0 failed");

			// An error: located, last, counted; the cases of that library are not run; watching goes on.
			before = count(out, " passed, ");
			append(project.resolve("cql/HBVScreening.cql"), "\ndefine \"Broken\": 1 +\n");
			cycle = awaitLines(out, " passed, ", before + 1);
			List<String> lines = cycle.lines().filter(line -> !line.isBlank()).toList();
			assertThat(cycle).contains("HBVScreening.cql:").contains(": error: ")
				.contains("NOT RUN 2 cases of HBVScreening").contains("0 passed, 0 failed, 2 not run");
			int count = lines.indexOf(lines.stream().filter(l -> l.startsWith("CQL translation: ")).findFirst().orElseThrow());
			assertThat(lines.get(count)).matches("CQL translation: [1-9]\\d* errors?, 0 warnings");
			assertThat(lines.get(count - 1)).contains(": error: ");

			before = count(out, " passed, ");
			String fixed = Files.readString(project.resolve("cql/HBVScreening.cql")).replace("define \"Broken\": 1 +", "");
			Files.writeString(project.resolve("cql/HBVScreening.cql"), fixed);
			cycle = awaitLines(out, " passed, ", before + 1);
			assertThat(cycle).contains("2 passed, 0 failed");
		}
		finally {
			watching.interrupt();
			watching.join(10_000);
		}
		assertThat(watching.isAlive()).isFalse();
	}

	/** The CQL, value sets, service definitions and demo patients, with a few cases of two libraries. */
	private static void copyKnowledge(Path project) throws IOException {
		Files.createDirectories(project.resolve("cql"));
		try (Stream<Path> files = Files.list(Path.of("cql"))) {
			for (Path file : files.filter(f -> f.toString().endsWith(".cql")).toList()) {
				Files.copy(file, project.resolve("cql").resolve(file.getFileName()));
			}
		}
		FileSystemUtils.copyRecursively(Path.of("fhir-resources"), project.resolve("fhir-resources"));
		FileSystemUtils.copyRecursively(Path.of("hooks"), project.resolve("hooks"));
		copyCases(project, "HBVScreening", HBV_CASES);
		copyCases(project, "TacrolimusDeescalation", TAC_CASES);
	}

	private static void copyCases(Path project, String library, List<String> cases) throws IOException {
		Path folder = Files.createDirectories(project.resolve("cql/tests").resolve(library));
		for (String name : cases) {
			Files.copy(Path.of("cql/tests", library, name), folder.resolve(name));
		}
	}

	private static void append(Path file, String text) throws IOException {
		Files.writeString(file, text, StandardOpenOption.APPEND);
	}

	private static String text(ByteArrayOutputStream out) {
		return out.toString(StandardCharsets.UTF_8);
	}

	private static int count(ByteArrayOutputStream out, String marker) {
		return (int) text(out).lines().filter(line -> line.contains(marker)).count();
	}

	/** Waits until the output has this many lines with the marker; returns the output since the previous one. */
	private static String awaitLines(ByteArrayOutputStream out, String marker, int lines) throws InterruptedException {
		Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
		while (count(out, marker) < lines) {
			assertThat(Instant.now()).as("waiting for line %d with '%s' in:%n%s", lines, marker, text(out)).isBefore(deadline);
			Thread.sleep(50);
		}
		String all = text(out);
		int previous = lines < 2 ? -1 : nthIndex(all, marker, lines - 1);
		return all.substring(previous < 0 ? 0 : all.indexOf('\n', previous) + 1);
	}

	private static int nthIndex(String text, String marker, int n) {
		int at = -1;
		for (int i = 0; i < n; i++) {
			at = text.indexOf(marker, at + 1);
		}
		return at;
	}
}
