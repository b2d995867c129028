package org.myositiscds.authoring;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.myositiscds.cards.CqlValueJson;
import org.myositiscds.cql.CqlTranslation;
import org.myositiscds.prefetch.PatientData;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The informaticist's commands, run from the project folder with the packaged jar:
 * <pre>
 * java -jar target/myositis-cds.jar translate [--cql cql]
 * java -jar target/myositis-cds.jar evaluate --library HBVScreening --data patient.json
 *     [--expression "..."]... [--draft-orders orders.json] [--hook order-sign] [--today 2026-01-31]
 * java -jar target/myositis-cds.jar test --library HBVScreening
 * </pre>
 * They read the working folders (cql/, fhir-resources/), so an edit shows at once, without a build.
 */
public final class AuthoringCommands {

	public static final Set<String> COMMANDS = Set.of("translate", "evaluate", "test");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** The slowest definitions listed in evaluate's report; the flame graph has them all. */
	private static final int PROFILE_ROWS = 25;

	private AuthoringCommands() {
	}

	/** Runs a command; returns the process exit code (0 success, 1 failure, 2 usage). */
	public static int run(String[] args, PrintStream out, PrintStream err) {
		// The output is JSON or a report for people: library chatter would spoil both.
		((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
			.setLevel(ch.qos.logback.classic.Level.WARN);
		Map<String, List<String>> options = options(args);
		Path root = Path.of(first(options, "project", "."));
		try {
			return switch (args[0]) {
				case "translate" -> translate(Path.of(first(options, "cql", root.resolve("cql").toString())), out, err);
				case "evaluate" -> evaluate(root, options, out);
				case "test" -> test(root, options, out, err);
				default -> usage(err);
			};
		}
		catch (IllegalArgumentException | IOException e) {
			err.println(e.getMessage());
			return e instanceof IllegalArgumentException && e.getMessage() != null && e.getMessage().startsWith("usage") ? 2 : 1;
		}
	}

	private static int translate(Path cql, PrintStream out, PrintStream err) {
		CqlTranslation.Result result = CqlTranslation.translateFolder(cql);
		result.report().forEach(err::println);
		if (result.hasErrors()) {
			return 1;
		}
		out.println("Translated " + result.elmJsonByLibrary().keySet());
		return 0;
	}

	private static int evaluate(Path root, Map<String, List<String>> options, PrintStream out) throws IOException {
		String library = required(options, "library");
		WorkingKnowledge knowledge = WorkingKnowledge.fromProject(root);
		LocalDate today = LocalDate.parse(first(options, "today", LocalDate.now().toString()));
		Path dataFile = Path.of(required(options, "data"));
		PatientData data;
		List<Resource> drafts;
		List<String> selections;
		String hook = first(options, "hook", "order-sign");
		if (dataFile.toString().endsWith(".yaml") || dataFile.toString().endsWith(".yml")) {
			TestCase testCase = TestCase.read(dataFile, today);
			data = testCase.data();
			drafts = testCase.draftOrders();
			selections = testCase.selections();
			hook = first(options, "hook", testCase.hook());
		}
		else {
			data = patientData(bundle(dataFile, today));
			drafts = options.containsKey("draft-orders")
					? entries(bundle(Path.of(first(options, "draft-orders", null)), today)) : List.of();
			selections = options.getOrDefault("selection", List.of());
		}
		List<String> expressions = options.getOrDefault("expression", knowledge.expressionNames(library));
		String profile = first(options, "profile", null);
		WorkingKnowledge.Outcome outcome = knowledge.evaluate(library, expressions, data, hook, drafts, selections,
				today.atStartOfDay(ZoneId.systemDefault()).plusHours(12), profile != null);
		CqlValueJson cqlJson = new CqlValueJson(FhirContext.forR4Cached(), JSON);
		ObjectNode report = JSON.createObjectNode();
		ObjectNode values = report.putObject("expressions");
		expressions.forEach(name -> values.set(name, cqlJson.toJson(outcome.values().get(name))));
		report.set("cards", JSON.valueToTree(outcome.cards()));
		if (profile != null) {
			outcome.profile().render(Path.of(profile));
			report.set("profile", JSON.valueToTree(DefinitionTimes.of(outcome.profile()).stream().limit(PROFILE_ROWS).toList()));
		}
		out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
		return 0;
	}

	private static int test(Path root, Map<String, List<String>> options, PrintStream out, PrintStream err)
			throws IOException {
		WorkingKnowledge knowledge = WorkingKnowledge.fromProject(root);
		TestCaseRunner runner = new TestCaseRunner(knowledge);
		Path tests = root.resolve("cql/tests");
		List<Path> folders = options.containsKey("library") ? List.of(tests.resolve(first(options, "library", null)))
				: folders(tests);
		int passed = 0;
		int failed = 0;
		for (Path folder : folders) {
			for (Path file : caseFiles(folder)) {
				TestCase testCase = TestCase.read(file, LocalDate.now());
				List<TestCaseRunner.Mismatch> mismatches = runner.run(testCase);
				if (mismatches.isEmpty()) {
					passed++;
					out.println("PASS " + root.relativize(file));
				}
				else {
					failed++;
					err.println("FAIL " + root.relativize(file) + " (" + testCase.description() + ")");
					mismatches.forEach(m -> err.println("     " + m));
				}
			}
		}
		out.println(passed + " passed, " + failed + " failed");
		return failed == 0 ? 0 : 1;
	}

	static List<Path> folders(Path tests) throws IOException {
		if (!Files.isDirectory(tests)) {
			return List.of();
		}
		try (Stream<Path> folders = Files.list(tests)) {
			return folders.filter(Files::isDirectory).sorted().toList();
		}
	}

	static List<Path> caseFiles(Path folder) throws IOException {
		if (!Files.isDirectory(folder)) {
			throw new IllegalArgumentException("No test cases folder " + folder);
		}
		try (Stream<Path> files = Files.list(folder)) {
			return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
		}
	}

	/** A Bundle file; relative dates ({@code -30d}, as in the demo patients and test cases) are resolved against today. */
	private static Bundle bundle(Path file, LocalDate today) throws IOException {
		Object json;
		try {
			json = JSON.readValue(Files.readString(file), Object.class);
		}
		catch (tools.jackson.core.JacksonException e) {
			throw new IllegalArgumentException(file + ": not FHIR JSON: " + e.getMessage());
		}
		Resource resource = TestCase.fhirResource(FhirContext.forR4Cached(), json, today, file);
		if (!(resource instanceof Bundle bundle)) {
			throw new IllegalArgumentException(file + ": expected a FHIR Bundle");
		}
		return bundle;
	}

	private static List<Resource> entries(Bundle bundle) {
		return bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).toList();
	}

	private static PatientData patientData(Bundle bundle) {
		List<Resource> resources = new ArrayList<>(entries(bundle));
		Patient patient = resources.stream().filter(Patient.class::isInstance).map(Patient.class::cast).findFirst()
			.orElseThrow(() -> new IllegalArgumentException("The data Bundle has no Patient"));
		resources.remove(patient);
		return new PatientData(patient, resources);
	}

	private static Map<String, List<String>> options(String[] args) {
		Map<String, List<String>> options = new LinkedHashMap<>();
		for (int i = 1; i < args.length; i++) {
			if (!args[i].startsWith("--") || i + 1 >= args.length) {
				throw new IllegalArgumentException("usage: options are --name value; got " + args[i]);
			}
			options.computeIfAbsent(args[i].substring(2), key -> new ArrayList<>()).add(args[++i]);
		}
		return options;
	}

	private static String first(Map<String, List<String>> options, String name, String fallback) {
		List<String> values = options.get(name);
		return values == null || values.isEmpty() ? fallback : values.get(0);
	}

	private static String required(Map<String, List<String>> options, String name) {
		String value = first(options, name, null);
		if (value == null) {
			throw new IllegalArgumentException("usage: --" + name + " is required (see docs/authoring.md)");
		}
		return value;
	}

	private static int usage(PrintStream err) {
		err.println("usage: translate | evaluate --library L --data file | test [--library L] (see docs/authoring.md)");
		return 2;
	}
}
