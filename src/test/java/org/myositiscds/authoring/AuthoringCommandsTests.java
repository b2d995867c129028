package org.myositiscds.authoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.myositiscds.TestJson;

/** The informaticist's commands, run as the jar runs them: exit code, standard output, standard error. */
class AuthoringCommandsTests {

	record Run(int exitCode, String out, String err) {
	}

	static Run run(String... args) {
		var out = new ByteArrayOutputStream();
		var err = new ByteArrayOutputStream();
		int exitCode = AuthoringCommands.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8));
		return new Run(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
	}

	@Test
	void evaluateShowsADemoPatientsValuesAndCards() throws IOException {
		Run run = run("evaluate", "--library", "TacrolimusDeescalation",
				"--data", "fhir-resources/examples/demo-tacrolimus-5mg.json",
				"--draft-orders", "fhir-resources/examples/demo-tacrolimus-5mg.draft-orders.json",
				"--expression", "TAC-1 Applies", "--expression", "TAC-5 Applies");
		assertThat(run.exitCode()).as(run.err()).isZero();
		JsonNode report = TestJson.MAPPER.readTree(run.out());
		assertThat(report.path("expressions").path("TAC-1 Applies").asBoolean()).isTrue();
		assertThat(report.path("expressions").path("TAC-5 Applies").isBoolean()).isTrue();
		assertThat(report.path("expressions").path("TAC-5 Applies").asBoolean()).isFalse();
		assertThat(report.path("cards").findValuesAsText("myositis-cds.rule")).contains("TAC-1").doesNotContain("TAC-5");
	}

	@Test
	void evaluateWithProfileWritesTheFlameGraphAndListsTheSlowestDefinitions(@TempDir Path folder) throws IOException {
		Path svg = folder.resolve("profile.svg");
		Run run = run("evaluate", "--library", "HBVScreening",
				"--data", "fhir-resources/examples/demo-hbsag-positive.json",
				"--draft-orders", "fhir-resources/examples/demo-hbsag-positive.draft-orders.json",
				"--expression", "HBV-2 Applies", "--profile", svg.toString());
		assertThat(run.exitCode()).as(run.err()).isZero();
		assertThat(Files.readString(svg)).startsWith("<svg").contains("HBV-2 Applies").contains("Final Results()");
		// Which definitions are the 25 slowest depends on the machine's timing; their form does not.
		JsonNode profile = TestJson.MAPPER.readTree(run.out()).path("profile");
		assertThat(profile.size()).isEqualTo(25);
		for (int row = 0; row < profile.size(); row++) {
			JsonNode definition = profile.get(row);
			assertThat(definition.path("definition").asText()).isNotBlank();
			assertThat(definition.path("calls").asLong()).isPositive();
			assertThat(definition.path("selfMs").asDouble()).isLessThanOrEqualTo(definition.path("totalMs").asDouble());
			if (row > 0) {
				assertThat(definition.path("selfMs").asDouble()).isLessThanOrEqualTo(profile.get(row - 1).path("selfMs").asDouble());
			}
		}
	}

	@Test
	void dataThatIsNotFhirIsNamedWithoutAStackTrace(@TempDir Path folder) throws IOException {
		Path broken = Files.writeString(folder.resolve("patient.json"),
				"{\"resourceType\": \"Bundle\", \"type\": \"collection\", \"entry\": [{\"resource\": {\"resourceType\": \"Patient\", \"birthDate\": \"yesterday\"}}]}");
		Run run = run("evaluate", "--library", "HBVScreening", "--data", broken.toString());
		assertThat(run.exitCode()).isEqualTo(1);
		assertThat(run.err()).contains("patient.json: not FHIR JSON").contains("yesterday").doesNotContain("\tat ");
	}

	@Test
	void translateNamesTheLineAndColumnOfAnErrorAndFails(@TempDir Path folder) throws IOException {
		Files.writeString(folder.resolve("Broken.cql"), """
				library Broken version '1.0.0'
				using FHIR version '4.0.1'
				context Patient
				define "Oops": "No Such Definition"
				""");
		Run run = run("translate", "--cql", folder.toString());
		assertThat(run.exitCode()).isEqualTo(1);
		assertThat(run.err()).contains("Broken.cql:4:").contains("error");
		// Errors last, where the eye lands, then the count: warnings never bury them.
		List<String> lines = run.err().lines().filter(line -> !line.isBlank()).toList();
		assertThat(lines.get(lines.size() - 1)).matches("CQL translation: [1-9]\\d* errors?, \\d+ warnings?");
		assertThat(lines.get(lines.size() - 2)).contains(": error: ");
	}
}
