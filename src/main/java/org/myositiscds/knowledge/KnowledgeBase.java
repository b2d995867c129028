package org.myositiscds.knowledge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

import ca.uhn.fhir.context.FhirContext;
import org.myositiscds.cql.CompiledLibraries;
import org.myositiscds.cql.CqlEvaluator;
import org.myositiscds.cql.CqlTranslation;
import org.myositiscds.cql.ValueSetTerminology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Holds the current {@link Knowledge}. By default it is read once from the jar (ELM translated at
 * build time). Pointed at a project folder, it is translated from the folder's CQL, and
 * {@link #reload()} replaces it, but only with knowledge that loads completely: when a library
 * fails to translate, the last good knowledge keeps serving and the failure is kept for
 * {@link #lastReload()}.
 */
public final class KnowledgeBase {

	private static final Logger log = LoggerFactory.getLogger(KnowledgeBase.class);

	/** The outcome of the latest reload attempt, for the log and the status endpoint. */
	public record Reload(java.time.Instant at, boolean succeeded, List<String> errors) {
	}

	private final FhirContext fhirContext;

	private final JsonMapper jsonMapper;

	private final Clock clock;

	private final Path folder;

	private final AtomicReference<Knowledge> current = new AtomicReference<>();

	private final CompletableFuture<Knowledge> first;

	private final AtomicReference<Reload> lastReload = new AtomicReference<>();

	private KnowledgeBase(FhirContext fhirContext, JsonMapper jsonMapper, Clock clock, Path folder,
			CompletableFuture<Knowledge> first) {
		this.fhirContext = fhirContext;
		this.jsonMapper = jsonMapper;
		this.clock = clock;
		this.folder = folder;
		this.first = first;
	}

	/**
	 * The engine over the ELM and value sets built into the jar, at these locations, being read.
	 * Reading the ELM, reading the value sets and building the model resolver take seconds of CPU
	 * in a cold JVM and need nothing of each other, so each runs on a thread of its own while the
	 * rest of the application starts.
	 */
	public record EngineReading(String elm, String valueSets, CompletableFuture<CqlEvaluator> engine) {

		public static EngineReading start(FhirContext fhirContext, String elm, String valueSets) {
			var libraries = CompletableFuture.supplyAsync(() -> CompiledLibraries.fromLocation(elm), LOADERS);
			var terminology = CompletableFuture.supplyAsync(() -> ValueSetTerminology.fromLocation(fhirContext, valueSets), LOADERS);
			var modelResolver = CompletableFuture.supplyAsync(() -> CqlEvaluator.modelResolver(fhirContext), LOADERS);
			return new EngineReading(elm, valueSets, CompletableFuture.allOf(libraries, terminology, modelResolver)
				.thenApply(all -> new CqlEvaluator(libraries.join(), terminology.join(), modelResolver.join())));
		}
	}

	private static final Executor LOADERS = task -> {
		Thread loader = new Thread(task, "knowledge-loader");
		loader.setDaemon(true);
		loader.start();
	};

	/** The knowledge built into the jar, at the configured locations; the first {@link #current()} waits for it. */
	public static KnowledgeBase fromJar(FhirContext fhirContext, JsonMapper jsonMapper, Clock clock, String elm,
			String valueSets, String services, String cql) {
		return fromJar(EngineReading.start(fhirContext, elm, valueSets), fhirContext, jsonMapper, clock, services, cql);
	}

	/** The knowledge built into the jar, over an engine already being read. */
	public static KnowledgeBase fromJar(EngineReading reading, FhirContext fhirContext, JsonMapper jsonMapper, Clock clock,
			String services, String cql) {
		long start = System.nanoTime();
		CompletableFuture<Knowledge> loading = reading.engine().thenApplyAsync(evaluator -> {
			// The build already ran the prefetch and trigger lints on exactly this knowledge
			// (PrefetchLintTests, TriggerLintTests).
			Knowledge knowledge = new Knowledge(evaluator, ServiceCatalog.fromLocation(services, jsonMapper,
					evaluator.libraries().names(), evaluator.libraries()::integerParameterDefault),
					GuidancePages.fromLocation(cql), "jar", clock.instant());
			log.info("Knowledge read from the jar ({} ms after the service asked for it): libraries {}, {} services",
					(System.nanoTime() - start) / 1_000_000, evaluator.libraries().names(),
					knowledge.services().services().size());
			return knowledge;
		}, LOADERS);
		return new KnowledgeBase(fhirContext, jsonMapper, clock, null, loading);
	}

	/**
	 * The knowledge of a project folder (its cql/, fhir-resources/valueset/ and hooks/), translated
	 * now. At start it must load: the service does not start on broken knowledge.
	 */
	public static KnowledgeBase fromFolder(FhirContext fhirContext, JsonMapper jsonMapper, Clock clock, Path folder) {
		var base = new KnowledgeBase(fhirContext, jsonMapper, clock, folder, new CompletableFuture<>());
		base.first.complete(base.load());
		return base;
	}

	/** The knowledge in force; the first call waits until it has loaded, and fails if it cannot. */
	public Knowledge current() {
		Knowledge knowledge = current.get();
		if (knowledge != null) {
			return knowledge;
		}
		try {
			current.compareAndSet(null, first.join());
		}
		catch (CompletionException e) {
			throw e.getCause() instanceof RuntimeException cause ? cause : e;
		}
		return current.get();
	}

	public Reload lastReload() {
		return lastReload.get();
	}

	/** The folder watched for changes, or null when the knowledge comes from the jar. */
	public Path folder() {
		return folder;
	}

	/** Loads the folder again; swaps it in if it loads completely. */
	public Reload reload() {
		if (folder == null) {
			throw new IllegalStateException("The knowledge comes from the jar; there is nothing to reload");
		}
		Reload outcome;
		try {
			Knowledge knowledge = load();
			current.set(knowledge);
			outcome = new Reload(clock.instant(), true, List.of());
			log.info("Knowledge reloaded from {}: libraries {}, {} services", folder,
					knowledge.evaluator().libraries().names(), knowledge.services().services().size());
		}
		catch (RuntimeException e) {
			List<String> errors = e instanceof KnowledgeError error ? error.errors : List.of(String.valueOf(e.getMessage()));
			outcome = new Reload(clock.instant(), false, errors);
			log.error("Knowledge in {} does not load; the last good version keeps serving:\n{}", folder,
					String.join("\n", errors));
		}
		lastReload.set(outcome);
		return outcome;
	}

	private Knowledge load() {
		if (!Files.isDirectory(folder.resolve("cql"))) {
			throw new KnowledgeError(List.of(folder + " has no cql/ folder"));
		}
		CqlTranslation.Result translation = CqlTranslation.translateFolder(folder.resolve("cql"));
		if (translation.hasErrors()) {
			throw new KnowledgeError(translation.diagnostics().stream()
				.filter(d -> d.severity().equals("error")).map(Object::toString).toList());
		}
		CqlEvaluator evaluator = new CqlEvaluator(CompiledLibraries.fromElm(translation.elmJsonByLibrary().values()),
				ValueSetTerminology.fromLocation(fhirContext, folder.resolve("fhir-resources/valueset").toUri() + "/"),
				fhirContext);
		return checked(new Knowledge(evaluator,
				ServiceCatalog.fromLocation(folder.resolve("hooks").toUri() + "/", jsonMapper, evaluator.libraries().names(),
					evaluator.libraries()::integerParameterDefault),
				GuidancePages.fromLocation(folder.resolve("cql").toUri() + "/"), folder.toString(), clock.instant()));
	}

	/**
	 * Knowledge from a folder whose service definitions do not prefetch what their CQL reads, or do
	 * not name the value sets their CQL triggers on, is refused.
	 */
	private static Knowledge checked(Knowledge knowledge) {
		List<String> problems = knowledge.services().services().stream()
			.flatMap(service -> java.util.stream.Stream.concat(
					PrefetchLint.check(service, knowledge.evaluator().libraries(), knowledge.evaluator().terminology())
						.stream(),
					TriggerLint.check(service, knowledge.evaluator().libraries(), knowledge.evaluator().terminology())
						.stream()))
			.toList();
		if (!problems.isEmpty()) {
			throw new KnowledgeError(problems);
		}
		return knowledge;
	}

	private static final class KnowledgeError extends RuntimeException {

		private final List<String> errors;

		KnowledgeError(List<String> errors) {
			super(String.join("; ", errors));
			this.errors = errors;
		}
	}
}
