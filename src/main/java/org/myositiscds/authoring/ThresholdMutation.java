package org.myositiscds.authoring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.elm.r1.Date;
import org.hl7.elm.r1.DateTime;
import org.hl7.elm.r1.ExpressionDef;
import org.hl7.elm.r1.FunctionDef;
import org.hl7.elm.r1.IncludeDef;
import org.hl7.elm.r1.Library;
import org.hl7.elm.r1.Literal;
import org.hl7.elm.r1.ParameterDef;
import org.hl7.elm.r1.Quantity;
import org.hl7.elm.r1.Time;
import org.myositiscds.cql.CompiledLibraries;
import org.myositiscds.cql.CqlEvaluator;
import org.myositiscds.cql.CqlTranslation;
import org.myositiscds.cql.ValueSetTerminology;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Threshold mutation: are the test cases of cql/tests/ precise enough to notice a threshold moved by
 * one step? Every number a library writes (a parameter's default, a constant in a definition or a
 * function) is a threshold unless {@code cql/tests/thresholds.yaml} says why it is not. Each is
 * moved one step down and one step up, the step being the smallest unit it is written in (1 for
 * whole numbers, whether written {@code 30} or {@code 60.0}; 0.1 for {@code 1.5}; 0.01 for
 * {@code 0.75}), and the cases of its library and of the libraries that include it are run: the
 * mutant is killed when a case's cards are no longer those it expects. A surviving mutant is a
 * threshold no case pins.
 * <p>
 * The number is changed in the translated library (the ELM literal the translator made of it,
 * located by its CQL line), which is what translating the edited text gives, without translating
 * again: the CQL is translated once and each mutant costs only its cases.
 */
public final class ThresholdMutation {

	/** Where the list of numbers that are not thresholds lives, from the project folder. */
	public static final String NOT_THRESHOLDS_FILE = "cql/tests/thresholds.yaml";

	private static final Set<String> NUMERIC_TYPES = Set.of("Integer", "Long", "Decimal");

	private static final Map<Class<?>, List<Method>> CHILDREN = new ConcurrentHashMap<>();

	private static final Comparator<int[]> BY_POSITION = Comparator.<int[]>comparingInt(p -> p[0]).thenComparingInt(p -> p[1]);

	/** A number in the CQL: where it is, as written, and the step it is moved by. */
	public record Threshold(String library, String context, String name, int line, String written, BigDecimal step) {

		public String where() {
			return library + ".cql:" + line;
		}

		public String label() {
			return context.equals("define") ? "\"" + name + "\"" : context + " \"" + name + "\"";
		}
	}

	/** One mutant: the threshold's new value, the case that noticed it (null when none did) and what differed. */
	public record Result(String value, String killedBy, String difference) {

		public boolean killed() {
			return killedBy != null;
		}
	}

	public record Row(Threshold threshold, Result down, Result up) {
	}

	/** A number left alone, and why (the entry of thresholds.yaml). */
	public record Skipped(Threshold number, String reason) {
	}

	public record Report(List<Row> rows, List<Skipped> skipped, List<String> staleEntries, int threads,
			Duration took) {

		public int mutants() {
			return rows.size() * 2;
		}

		public int killed() {
			return (int) rows.stream().flatMap(r -> java.util.stream.Stream.of(r.down(), r.up())).filter(Result::killed).count();
		}

		public List<String> survivors() {
			List<String> survivors = new ArrayList<>();
			for (Row row : rows) {
				for (Result result : List.of(row.down(), row.up())) {
					if (!result.killed()) {
						survivors.add(row.threshold().where() + " " + row.threshold().label() + " "
								+ row.threshold().written() + " -> " + result.value());
					}
				}
			}
			return survivors;
		}

		public double score() {
			return rows.isEmpty() ? 100.0 : 100.0 * killed() / mutants();
		}

		/** The report for people: a summary line, then one row per threshold, survivors marked. */
		public String text() {
			StringBuilder text = new StringBuilder();
			text.append(summary()).append("\n\n");
			text.append("| threshold | at | value | step | one step down | killed by | one step up | killed by |\n");
			text.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
			for (Row row : rows) {
				Threshold t = row.threshold();
				text.append("| %s | %s | %s | %s | %s | %s | %s | %s |\n".formatted(t.label(), t.where(), t.written(),
						t.step().toPlainString(), row.down().value(), verdict(row.down()), row.up().value(), verdict(row.up())));
			}
			text.append("\nNot thresholds (").append(NOT_THRESHOLDS_FILE).append("): ").append(skipped.size())
				.append(" numbers left alone\n\n| number | at | in | reason |\n| --- | --- | --- | --- |\n");
			for (Skipped skip : skipped) {
				text.append("| %s | %s | %s | %s |\n".formatted(skip.number().written(), skip.number().where(),
						skip.number().label(), skip.reason()));
			}
			staleEntries.forEach(entry -> text.append("\nSTALE entry of ").append(NOT_THRESHOLDS_FILE)
				.append(", it matches no number: ").append(entry).append('\n'));
			return text.toString();
		}

		public String summary() {
			return "Threshold mutation: %d thresholds, %d mutants, %d killed, %d survived: mutation score %.1f %% (%.1f s on %d threads)"
				.formatted(rows.size(), mutants(), killed(), mutants() - killed(), score(), took.toMillis() / 1000.0,
						threads);
		}

		private static String verdict(Result result) {
			if (!result.killed()) {
				return "**SURVIVED**";
			}
			String how = result.difference().startsWith("cards") ? "cards"
					: result.difference().startsWith("error") ? result.difference() : result.difference().split(":")[0];
			return result.killedBy() + " (" + how.replace("|", "/") + ")";
		}
	}

	/** An entry of thresholds.yaml: numbers of a definition or function that are not thresholds, or their step. */
	private record Entry(String library, Pattern in, String inText, List<BigDecimal> values, String where,
			BigDecimal step, String reason) {

		boolean matches(Threshold number, String sourceLine) {
			return library.equals(number.library()) && in.matcher(number.name()).matches()
					&& (values == null || values.stream().anyMatch(v -> v.compareTo(new BigDecimal(number.written())) == 0))
					&& (where == null || sourceLine.contains(where));
		}

		@Override
		public String toString() {
			return library + " \"" + inText + "\"" + (values == null ? "" : " " + values)
					+ (where == null ? "" : " where " + where);
		}
	}

	/** One copy of the knowledge, its numbers and its cases, used by one thread at a time. */
	private record Copy(TestCaseRunner runner, List<Object> numbers, Map<String, List<TestCase>> casesByLibrary) {
	}

	private ThresholdMutation() {
	}

	/** Runs the step on the project folder (the parent of cql/). */
	public static Report run(Path root) {
		return run(root, true, t -> true);
	}

	/**
	 * The step; without {@code mutate}, only the thresholds it would move (every mutant reported as
	 * surviving), in seconds, for the author checking what counts as a threshold.
	 */
	public static Report run(Path root, boolean mutate, java.util.function.Predicate<Threshold> only) {
		long start = System.nanoTime();
		CqlTranslation.Result translation = CqlTranslation.translateFolder(root.resolve("cql"));
		if (translation.hasErrors()) {
			throw new IllegalArgumentException("The CQL does not translate:\n" + String.join("\n", translation.report()));
		}
		List<String> ownLibraries = cqlLibraries(root.resolve("cql"));
		FhirContext fhir = FhirContext.forR4Cached();
		ValueSetTerminology terminology = ValueSetTerminology.fromLocation(fhir,
				root.resolve("fhir-resources/valueset").toUri().toString());
		int threads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
		LinkedBlockingQueue<Copy> copies = new LinkedBlockingQueue<>();
		List<Threshold> numbers = null;
		Map<String, Set<String>> dependants = null;
		for (int i = 0; i < (mutate ? threads : 1); i++) {
			CompiledLibraries libraries = CompiledLibraries.fromElm(translation.elmJsonByLibrary().values());
			List<Object> elmNumbers = new ArrayList<>();
			List<Threshold> found = new ArrayList<>();
			for (String library : ownLibraries) {
				collect(library, libraries.library(library), elmNumbers, found);
			}
			numbers = found;
			dependants = dependants(libraries, ownLibraries);
			copies.add(new Copy(new TestCaseRunner(WorkingKnowledge.over(new CqlEvaluator(libraries, terminology, fhir))),
					elmNumbers, cases(root, ownLibraries)));
		}

		List<Entry> notThresholds = entries(root.resolve(NOT_THRESHOLDS_FILE), "notThresholds");
		List<Entry> steps = entries(root.resolve(NOT_THRESHOLDS_FILE), "steps");
		Map<String, List<String>> sources = new HashMap<>();
		for (String library : ownLibraries) {
			try {
				sources.put(library, Files.readAllLines(root.resolve("cql").resolve(library + ".cql")));
			}
			catch (IOException e) {
				throw new UncheckedIOException(e);
			}
		}
		List<Skipped> skipped = new ArrayList<>();
		Set<Entry> used = Collections.newSetFromMap(new IdentityHashMap<>());
		List<Integer> mutated = new ArrayList<>();
		for (int i = 0; i < numbers.size(); i++) {
			Threshold number = numbers.get(i);
			Entry entry = number.context().equals("parameter") ? null
					: notThresholds.stream().filter(n -> n.matches(number, sources.get(number.library()).get(number.line() - 1)))
						.findFirst().orElse(null);
			if (entry == null && !only.test(number)) {
				continue;
			}
			if (entry == null) {
				mutated.add(i);
				Entry step = steps.stream()
					.filter(n -> n.matches(number, sources.get(number.library()).get(number.line() - 1))).findFirst().orElse(null);
				if (step != null) {
					used.add(step);
					numbers.set(i, new Threshold(number.library(), number.context(), number.name(), number.line(),
							number.written(), step.step()));
				}
			}
			else {
				used.add(entry);
				skipped.add(new Skipped(number, entry.reason()));
			}
		}
		List<Threshold> found = numbers;
		mutated.sort(Comparator.comparing((Integer i) -> found.get(i).library()).thenComparingInt(i -> found.get(i).line()));
		List<String> stale = java.util.stream.Stream.concat(notThresholds.stream(), steps.stream())
			.filter(n -> !used.contains(n)).map(Entry::toString).toList();

		if (!mutate) {
			List<Row> rows = mutated.stream().map(numbers::get).map(t -> new Row(t,
					new Result(new BigDecimal(t.written()).subtract(t.step()).toPlainString(), null, null),
					new Result(new BigDecimal(t.written()).add(t.step()).toPlainString(), null, null))).toList();
			return new Report(rows, skipped, stale, 0, Duration.ofNanos(System.nanoTime() - start));
		}
		// Only cases that pass as the CQL stands can notice a change; CqlTestCasesTests reports the others.
		Copy first = copies.peek();
		Map<String, Long> caseNanos = new ConcurrentHashMap<>();
		Set<String> passing = ConcurrentHashMap.newKeySet();
		first.casesByLibrary().values().stream().flatMap(List::stream).forEach(testCase -> {
			long t0 = System.nanoTime();
			if (outcome(first.runner(), testCase) == null) {
				passing.add(key(testCase));
			}
			caseNanos.put(key(testCase), System.nanoTime() - t0);
		});

		Map<String, AtomicInteger> kills = new ConcurrentHashMap<>();
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		Map<Integer, Future<Row>> futures = new LinkedHashMap<>();
		final List<Threshold> all = numbers;
		final Map<String, Set<String>> including = dependants;
		for (int index : mutated) {
			futures.put(index, pool.submit(() -> {
				Copy copy = copies.take();
				try {
					return mutate(copy, index, all.get(index), including, passing, caseNanos, kills);
				}
				finally {
					copies.add(copy);
				}
			}));
		}
		List<Row> rows = new ArrayList<>();
		try {
			for (Future<Row> future : futures.values()) {
				rows.add(future.get());
			}
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("threshold mutation interrupted", e);
		}
		catch (ExecutionException e) {
			throw new IllegalStateException("threshold mutation failed: " + e.getCause(), e.getCause());
		}
		finally {
			pool.shutdownNow();
		}
		return new Report(rows, skipped, stale, threads, Duration.ofNanos(System.nanoTime() - start));
	}

	/**
	 * {@code ThresholdMutation [--list] [--only text]}, from the project folder: prints the report
	 * (only the thresholds whose place or name contains the text); exits 1 below 100 %.
	 */
	public static void main(String[] args) {
		List<String> options = List.of(args);
		int only = options.indexOf("--only");
		String text = only >= 0 ? options.get(only + 1) : "";
		Report report = run(Path.of("."), !options.contains("--list"),
				t -> (t.where() + " " + t.label()).contains(text));
		System.out.println(report.text());
		System.out.println(report.summary());
		System.exit(report.survivors().isEmpty() && report.staleEntries().isEmpty() ? 0 : 1);
	}

	private static Row mutate(Copy copy, int index, Threshold threshold, Map<String, Set<String>> dependants,
			Set<String> passing, Map<String, Long> caseNanos, Map<String, AtomicInteger> kills) {
		List<TestCase> cases = new ArrayList<>();
		for (String library : dependants.get(threshold.library())) {
			copy.casesByLibrary().getOrDefault(library, List.of()).stream().filter(c -> passing.contains(key(c))).forEach(cases::add);
		}
		// The cases that noticed most mutants so far first, then the fastest: most mutants die at the first case.
		cases.sort(Comparator.<TestCase>comparingInt(c -> -kills.getOrDefault(key(c), new AtomicInteger()).get())
			.thenComparingLong(c -> caseNanos.getOrDefault(key(c), 0L)));
		Object node = copy.numbers().get(index);
		Result down = mutant(copy, node, threshold, threshold.step().negate(), cases, kills, null);
		Result up = mutant(copy, node, threshold, threshold.step(), cases, kills, down.killedBy());
		return new Row(threshold, down, up);
	}

	private static Result mutant(Copy copy, Object node, Threshold threshold, BigDecimal delta, List<TestCase> cases,
			Map<String, AtomicInteger> kills, String hint) {
		String value = new BigDecimal(threshold.written()).add(delta).toPlainString();
		List<TestCase> ordered = new ArrayList<>(cases);
		if (hint != null) {
			// The case that pinned one side usually pins the other: its boundary neighbours are there.
			ordered.sort(Comparator.comparingInt(c -> key(c).equals(hint) ? 0 : 1));
		}
		set(node, value);
		try {
			for (TestCase testCase : ordered) {
				String difference = outcome(copy.runner(), testCase);
				if (difference != null) {
					kills.computeIfAbsent(key(testCase), k -> new AtomicInteger()).incrementAndGet();
					return new Result(value, key(testCase), difference);
				}
			}
			return new Result(value, null, null);
		}
		finally {
			set(node, threshold.written());
		}
	}

	/**
	 * Null when the case gets what it expects; else what differs: its cards first, else a value of
	 * an expression it pins (a threshold that changes only what a card suggests, such as a renal
	 * dose, is pinned that way), else the failure.
	 */
	private static String outcome(TestCaseRunner runner, TestCase testCase) {
		try {
			List<TestCaseRunner.Mismatch> mismatches = runner.run(testCase);
			return mismatches.stream().filter(m -> m.what().equals("cards")).findFirst()
				.or(() -> mismatches.stream().findFirst()).map(TestCaseRunner.Mismatch::toString).orElse(null);
		}
		catch (RuntimeException e) {
			return "error: " + String.valueOf(e.getMessage()).lines().findFirst().orElse("failed");
		}
	}

	private static String key(TestCase testCase) {
		return testCase.library() + "/" + testCase.file().getFileName();
	}

	private static void set(Object node, String value) {
		if (node instanceof Literal literal) {
			literal.setValue(value);
		}
		else {
			((Quantity) node).setValue(new BigDecimal(value));
		}
	}

	/** Every number a library writes, in the order of its parameters then its definitions. */
	private static void collect(String libraryName, Library library, List<Object> nodes, List<Threshold> numbers) {
		if (library.getParameters() != null) {
			for (ParameterDef parameter : library.getParameters().getDef()) {
				collect(libraryName, "parameter", parameter.getName(), parameter.getDefault(), nodes, numbers);
			}
		}
		for (ExpressionDef def : library.getStatements().getDef()) {
			collect(libraryName, def instanceof FunctionDef ? "function" : "define", def.getName(), def.getExpression(),
					nodes, numbers);
		}
	}

	private static void collect(String library, String context, String name, Object expression, List<Object> nodes,
			List<Threshold> numbers) {
		List<Object> found = new ArrayList<>();
		walk(expression, Collections.newSetFromMap(new IdentityHashMap<>()), found);
		found.sort(Comparator.comparing(ThresholdMutation::position, BY_POSITION));
		for (Object node : found) {
			String written = node instanceof Literal literal ? literal.getValue() : ((Quantity) node).getValue().toPlainString();
			nodes.add(node);
			numbers.add(new Threshold(library, context, name, position(node)[0], written, step(new BigDecimal(written))));
		}
	}

	private static int[] position(Object node) {
		String[] start = ((org.hl7.elm.r1.Element) node).getLocator().split("-")[0].split(":");
		return new int[] { Integer.parseInt(start[0]), Integer.parseInt(start[1]) };
	}

	/** The smallest unit the number is written in: 1 for whole numbers (30, 60.0), 0.1 for 1.5, 0.01 for 0.75. */
	static BigDecimal step(BigDecimal value) {
		int scale = value.stripTrailingZeros().scale();
		return scale <= 0 ? BigDecimal.ONE : BigDecimal.ONE.movePointLeft(scale);
	}

	private static void walk(Object node, Set<Object> seen, List<Object> found) {
		if (node == null || !seen.add(node)) {
			return;
		}
		if (node instanceof List<?> list) {
			list.forEach(item -> walk(item, seen, found));
			return;
		}
		if (!node.getClass().getPackageName().equals("org.hl7.elm.r1")) {
			return;
		}
		if (node instanceof Literal literal) {
			// Without a locator the translator made the number up; the author did not write it.
			if (literal.getLocator() != null && literal.getValueType() != null
					&& NUMERIC_TYPES.contains(literal.getValueType().getLocalPart())) {
				found.add(literal);
			}
			return;
		}
		if (node instanceof Quantity quantity) {
			if (quantity.getLocator() != null && quantity.getValue() != null) {
				found.add(quantity);
			}
			return;
		}
		if (node instanceof DateTime || node instanceof Date || node instanceof Time) {
			return; // a date's year or month is a date, not a threshold
		}
		for (Method getter : CHILDREN.computeIfAbsent(node.getClass(), ThresholdMutation::children)) {
			try {
				walk(getter.invoke(node), seen, found);
			}
			catch (IllegalAccessException | InvocationTargetException e) {
				throw new IllegalStateException("cannot read ELM " + getter, e);
			}
		}
	}

	private static List<Method> children(Class<?> type) {
		List<Method> getters = new ArrayList<>();
		for (Method method : type.getMethods()) {
			Class<?> returned = method.getReturnType();
			if (method.getParameterCount() == 0 && method.getName().startsWith("get") && !Modifier.isStatic(method.getModifiers())
					&& !method.getName().contains("nnotation") && !method.getName().equals("getResultTypeSpecifier")
					&& (List.class.isAssignableFrom(returned) || returned.getPackageName().equals("org.hl7.elm.r1"))) {
				getters.add(method);
			}
		}
		return getters;
	}

	/** Each library with the libraries whose cases can notice a change in it: itself and those that include it. */
	private static Map<String, Set<String>> dependants(CompiledLibraries libraries, List<String> own) {
		Map<String, Set<String>> includedBy = new HashMap<>();
		for (String name : own) {
			includedBy.computeIfAbsent(name, k -> new TreeSet<>()).add(name);
			Library library = libraries.library(name);
			if (library.getIncludes() != null) {
				for (IncludeDef include : library.getIncludes().getDef()) {
					includedBy.computeIfAbsent(include.getPath(), k -> new TreeSet<>()).add(name);
				}
			}
		}
		boolean grew = true;
		while (grew) {
			grew = false;
			for (Set<String> users : includedBy.values()) {
				for (String user : List.copyOf(users)) {
					grew |= users.addAll(includedBy.getOrDefault(user, Set.of()));
				}
			}
		}
		return includedBy;
	}

	private static List<String> cqlLibraries(Path cql) {
		try (var files = Files.list(cql)) {
			return files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".cql"))
				.map(f -> f.replaceFirst("\\.cql$", "")).sorted().toList();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static Map<String, List<TestCase>> cases(Path root, List<String> libraries) {
		Map<String, List<TestCase>> cases = new HashMap<>();
		LocalDate today = LocalDate.now();
		try {
			for (String library : libraries) {
				Path folder = root.resolve("cql/tests").resolve(library);
				if (Files.isDirectory(folder)) {
					cases.put(library, AuthoringCommands.caseFiles(folder).stream().map(f -> TestCase.read(f, today)).toList());
				}
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return cases;
	}

	@SuppressWarnings("unchecked")
	private static List<Entry> entries(Path file, String section) {
		if (!Files.exists(file)) {
			return List.of();
		}
		Map<String, Object> yaml;
		try {
			yaml = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		List<Entry> entries = new ArrayList<>();
		for (Map<String, Object> entry : (List<Map<String, Object>>) yaml.getOrDefault(section, List.of())) {
			String in = String.valueOf(entry.get("in"));
			List<Object> values = (List<Object>) entry.get("values");
			String where = (String) entry.get("where");
			if (entry.get("library") == null || entry.get("in") == null || entry.get("reason") == null) {
				throw new IllegalArgumentException(file + ": each entry needs library, in and reason: " + entry);
			}
			entries.add(new Entry((String) entry.get("library"),
					Pattern.compile(Pattern.quote(in).replace("*", "\\E.*\\Q")), in,
					values == null ? null : values.stream().map(v -> new BigDecimal(String.valueOf(v))).toList(), where,
					entry.get("step") == null ? null : new BigDecimal(String.valueOf(entry.get("step"))),
					(String) entry.get("reason")));
		}
		return entries;
	}
}
