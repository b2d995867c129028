package org.myositiscds.authoring;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.myositiscds.cards.CqlValueJson;
import org.myositiscds.cql.CqlTranslation;
import org.myositiscds.knowledge.PrefetchLint;
import org.myositiscds.knowledge.ServiceCatalog;
import org.myositiscds.knowledge.ServiceDefinition;
import org.myositiscds.knowledge.TriggerLint;
import org.myositiscds.prefetch.PatientData;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The informaticist's commands, run from the project folder with the packaged jar:
 * <pre>
 * java -jar target/myositis-cds.jar translate [--cql cql]
 * java -jar target/myositis-cds.jar evaluate --library HBVScreening --data patient.json
 *     [--expression "..."]... [--draft-orders orders.json] [--hook order-sign] [--today 2026-01-31]
 * java -jar target/myositis-cds.jar test --library HBVScreening [--watch]
 * </pre>
 * They read the working folders (cql/, fhir-resources/), so an edit shows at once, without a build.
 * With {@code --watch}, test and evaluate keep the engine warm and run again on every save
 * (docs/authoring.md, "The authoring loop"); {@code bin/authoring} starts them for a short run.
 */
public final class AuthoringCommands {

	public static final Set<String> COMMANDS = Set.of("translate", "evaluate", "test");

	/** Options without a value. */
	private static final Set<String> FLAGS = Set.of("--watch");

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
				case "evaluate" -> evaluate(root, options, out, err);
				case "test" -> test(root, options, out, err);
				default -> usage(err);
			};
		}
		catch (IllegalArgumentException | IOException | InterruptedException e) {
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

	private static int evaluate(Path root, Map<String, List<String>> options, PrintStream out, PrintStream err)
			throws IOException, InterruptedException {
		String library = required(options, "library");
		required(options, "data");
		WarmProject project = new WarmProject(root, List.of(library));
		boolean ok = evaluateOnce(project, library, options, out, err);
		if (!options.containsKey("watch")) {
			return ok ? 0 : 1;
		}
		Set<Path> inputs = new TreeSet<>();
		for (String file : List.of("data", "draft-orders")) {
			if (options.containsKey(file)) {
				inputs.add(Path.of(first(options, file, null)).toAbsolutePath().normalize());
			}
		}
		try (ProjectWatcher watcher = new ProjectWatcher(root)) {
			err.println(WATCHING);
			while (true) {
				Set<Path> changed = watcher.next();
				long start = System.nanoTime();
				Set<String> affected = changed(project, changed);
				boolean dataChanged = changed.stream().anyMatch(p -> inputs.contains(root.resolve(p).toAbsolutePath().normalize()))
						|| changed.stream().anyMatch(p -> isValueSet(p));
				if (affected.isEmpty() && !dataChanged) {
					continue;
				}
				err.println(header(changed));
				if (!affected.isEmpty()) {
					project.translation().report().forEach(err::println);
				}
				evaluateOnce(project, library, options, out, err);
				err.println("evaluated in %.1f s".formatted((System.nanoTime() - start) / 1e9));
			}
		}
		catch (InterruptedException e) {
			return 0;
		}
	}

	/** Evaluates once and prints the report; a problem is printed, not thrown, so that watching goes on. */
	private static boolean evaluateOnce(WarmProject project, String library, Map<String, List<String>> options,
			PrintStream out, PrintStream err) {
		if (!project.ready(library)) {
			project.translation().report().forEach(err::println);
			err.println("not evaluated: " + (project.problem() != null ? project.problem() : library + " does not translate"));
			return false;
		}
		try {
			out.println(evaluation(project.knowledge(), library, options));
			return true;
		}
		catch (RuntimeException | IOException e) {
			err.println("error: " + e.getMessage());
			return false;
		}
	}

	private static String evaluation(WorkingKnowledge knowledge, String library, Map<String, List<String>> options)
			throws IOException {
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
		return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report);
	}

	private static int test(Path root, Map<String, List<String>> options, PrintStream out, PrintStream err)
			throws IOException {
		Path tests = root.resolve("cql/tests");
		List<String> libraries = options.containsKey("library") ? List.of(first(options, "library", null))
				: folders(tests).stream().map(folder -> folder.getFileName().toString()).toList();
		for (String library : libraries) {
			caseFiles(tests.resolve(library));
		}
		long start = System.nanoTime();
		WarmProject project = new WarmProject(root, libraries);
		boolean ok = runCases(project, true, casesOf(project, libraries), out, err, start);
		if (!options.containsKey("watch")) {
			return ok ? 0 : 1;
		}
		try (ProjectWatcher watcher = new ProjectWatcher(root)) {
			err.println(WATCHING);
			while (true) {
				Set<Path> changed = watcher.next();
				start = System.nanoTime();
				Set<String> affected = changed(project, changed);
				Set<Path> cases = new TreeSet<>(casesOf(project, isAnyValueSet(changed) ? project.wanted() : affected));
				for (Path file : changed) {
					Path path = root.resolve(file);
					if (isCase(file) && project.wanted().contains(file.getName(2).toString()) && Files.isRegularFile(path)) {
						cases.add(path);
					}
					else if (file.startsWith("fhir-resources") && !isValueSet(file)) {
						cases.addAll(casesNaming(project, file));
					}
				}
				boolean services = changed.stream().anyMatch(file -> file.startsWith("hooks"));
				if (cases.isEmpty() && affected.isEmpty() && !services) {
					continue;
				}
				err.println(header(changed));
				if (!cases.isEmpty() || !affected.isEmpty()) {
					runCases(project, !affected.isEmpty(), List.copyOf(cases), out, err, start);
				}
				if (services) {
					lintServices(project, out, err);
				}
			}
		}
		catch (InterruptedException e) {
			return 0;
		}
	}

	/**
	 * The service definitions (hooks/) of the libraries worked on, checked against their CQL as the
	 * build and live reload check them: does each prefetch what its CQL reads, and name the value
	 * sets it triggers on? Problems first, then the count.
	 */
	private static void lintServices(WarmProject project, PrintStream out, PrintStream err) {
		if (project.knowledge() == null) {
			return;
		}
		List<String> problems = new ArrayList<>();
		int checked = 0;
		try {
			// A library not worked on is not compiled, and its services are not linted: a period
			// naming one of its parameters is given 0 days here rather than refusing every service.
			var libraries = project.knowledge().libraries();
			var catalog = ServiceCatalog.fromLocation(project.root().resolve("hooks").toUri().toString(), JSON,
					project.libraryNames(), (library, parameter) -> project.ready(library)
							? libraries.integerParameterDefault(library, parameter) : OptionalInt.of(0));
			for (ServiceDefinition service : catalog.services()) {
				if (project.ready(service.library())) {
					checked++;
					var valueSets = project.knowledge().terminology();
					problems.addAll(PrefetchLint.check(service, libraries, valueSets));
					problems.addAll(TriggerLint.check(service, libraries, valueSets));
				}
			}
		}
		catch (RuntimeException e) {
			problems.add(String.valueOf(e.getMessage()));
		}
		problems.forEach(problem -> err.println("hooks: " + problem));
		out.println("hooks: %d service%s checked, %d problem%s".formatted(checked, checked == 1 ? "" : "s",
				problems.size(), problems.size() == 1 ? "" : "s"));
	}

	private static final String WATCHING = "Watching " + String.join("/, ", ProjectWatcher.FOLDERS)
			+ "/ (cql/tests/ included); Ctrl-C to stop";

	private static String header(Set<Path> changed) {
		return "\n[" + java.time.LocalTime.now().withNano(0) + "] changed: "
				+ String.join(", ", changed.stream().map(Path::toString).toList());
	}

	/** Re-translates the libraries whose source changed and reads value sets again; returns the wanted libraries affected. */
	private static Set<String> changed(WarmProject project, Set<Path> changed) {
		List<String> libraries = changed.stream()
			.filter(file -> file.getNameCount() == 2 && file.startsWith("cql") && file.toString().endsWith(".cql"))
			.map(file -> file.getFileName().toString().replaceFirst("\\.cql$", ""))
			.toList();
		Set<String> affected = new TreeSet<>(libraries.isEmpty() ? Set.of() : project.librariesChanged(libraries));
		if (isAnyValueSet(changed)) {
			affected.addAll(project.valueSetsChanged());
		}
		return affected;
	}

	private static boolean isValueSet(Path file) {
		return file.startsWith(Path.of("fhir-resources", "valueset"));
	}

	private static boolean isAnyValueSet(Set<Path> changed) {
		return changed.stream().anyMatch(AuthoringCommands::isValueSet);
	}

	private static boolean isCase(Path file) {
		String name = file.getFileName().toString();
		return file.getNameCount() == 4 && file.startsWith(Path.of("cql", "tests"))
				&& (name.endsWith(".yaml") || name.endsWith(".yml"));
	}

	private static List<Path> casesOf(WarmProject project, Collection<String> libraries) throws IOException {
		List<Path> cases = new ArrayList<>();
		for (String library : libraries) {
			Path folder = project.root().resolve("cql/tests").resolve(library);
			if (Files.isDirectory(folder)) {
				cases.addAll(caseFiles(folder));
			}
		}
		return cases;
	}

	/** The cases that read a data file (a demo patient as {@code record:}), by its path from the project folder. */
	private static List<Path> casesNaming(WarmProject project, Path file) {
		String name = file.toString().replace('\\', '/');
		try {
			List<Path> cases = new ArrayList<>();
			for (Path each : casesOf(project, project.wanted())) {
				if (Files.readString(each).contains(name)) {
					cases.add(each);
				}
			}
			return cases;
		}
		catch (IOException e) {
			return List.of();
		}
	}

	/**
	 * Runs the cases and prints what people read: the translator's report (when the CQL was just
	 * translated), every case passed, then every case failed with what it missed, then the cases
	 * not run, and last the count.
	 */
	private static boolean runCases(WarmProject project, boolean translated, List<Path> cases, PrintStream out,
			PrintStream err, long start) {
		if (translated) {
			project.translation().report().forEach(err::println);
		}
		List<String> passed = new ArrayList<>();
		List<String> failed = new ArrayList<>();
		Map<String, List<Path>> notRun = new TreeMap<>();
		TestCaseRunner runner = project.knowledge() == null ? null : new TestCaseRunner(project.knowledge());
		for (Path file : cases) {
			String library = file.getParent().getFileName().toString();
			Path shown = project.root().relativize(file);
			if (!project.ready(library)) {
				notRun.computeIfAbsent(library, key -> new ArrayList<>()).add(file);
				continue;
			}
			try {
				TestCase testCase = TestCase.read(file, LocalDate.now());
				List<TestCaseRunner.Mismatch> mismatches = runner.run(testCase);
				if (mismatches.isEmpty()) {
					passed.add("PASS " + shown);
				}
				else {
					failed.add("FAIL " + shown + " (" + testCase.description() + ")");
					mismatches.forEach(m -> failed.add("     " + m));
				}
			}
			catch (RuntimeException e) {
				failed.add("FAIL " + shown + ": " + e.getMessage());
			}
		}
		passed.forEach(out::println);
		failed.forEach(err::println);
		notRun.forEach((library, files) -> err.println("NOT RUN " + files.size() + " case" + (files.size() == 1 ? "" : "s")
				+ " of " + library + ": " + (project.problem() != null ? project.problem() : library + " does not translate")));
		long failures = failed.stream().filter(line -> line.startsWith("FAIL")).count();
		int skipped = notRun.values().stream().mapToInt(List::size).sum();
		out.println("%d passed, %d failed%s in %.1f s".formatted(passed.size(), failures,
				skipped == 0 ? "" : ", " + skipped + " not run", (System.nanoTime() - start) / 1e9));
		return failures == 0 && skipped == 0;
	}

	public static List<Path> folders(Path tests) throws IOException {
		if (!Files.isDirectory(tests)) {
			return List.of();
		}
		try (Stream<Path> folders = Files.list(tests)) {
			return folders.filter(Files::isDirectory).sorted().toList();
		}
	}

	public static List<Path> caseFiles(Path folder) throws IOException {
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
			if (FLAGS.contains(args[i])) {
				options.put(args[i].substring(2), List.of());
				continue;
			}
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
		err.println("usage: translate | evaluate --library L --data file [--watch] | test [--library L] [--watch]"
				+ " (see docs/authoring.md)");
		return 2;
	}
}
