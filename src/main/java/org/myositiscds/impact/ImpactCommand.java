package org.myositiscds.impact;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import ca.uhn.fhir.context.FhirContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.myositiscds.cards.CardAssembler;
import org.myositiscds.hooks.CardLog;
import org.myositiscds.hooks.CardMemory;
import org.myositiscds.hooks.CdsRequestParser;
import org.myositiscds.hooks.CdsServiceInvoker;
import org.myositiscds.knowledge.Knowledge;
import org.myositiscds.knowledge.KnowledgeBase;
import org.myositiscds.knowledge.ServiceDefinition;
import org.myositiscds.prefetch.PrefetchResolver;
import org.myositiscds.security.FhirServerAllowlist;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code java -jar target/myositis-cds.jar impact --population target/synthea/fhir}: how often each
 * rule fires over a population given as FHIR Bulk Data NDJSON, before go-live (docs/impact.md).
 * Prints Markdown and writes one self-contained HTML page. The knowledge is the project folder's,
 * as for the authoring commands, or the jar's.
 */
public final class ImpactCommand {

	public static final String NAME = "impact";

	private static final String USAGE = "usage: impact --population <folder of NDJSON> [--draft-orders file.json] "
			+ "[--add-to-record resources.json] [--html impact.html] [--threads N] [--today 2026-12-06] [--project .] "
			+ "[--knowledge project|jar] (see docs/impact.md)";

	private ImpactCommand() {
	}

	/** Runs the command; returns the exit code: 0 done, 1 bad input, 2 usage. */
	public static int run(String[] args, PrintStream out, PrintStream err) {
		// The output is a report for people: library chatter would spoil it.
		((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
			.setLevel(ch.qos.logback.classic.Level.WARN);
		Map<String, String> options;
		int threads;
		LocalDate today;
		try {
			options = options(args);
			threads = Integer.parseInt(options.getOrDefault("threads",
					Integer.toString(Runtime.getRuntime().availableProcessors())));
			today = LocalDate.parse(options.getOrDefault("today", LocalDate.now().toString()));
			if (threads < 1 || !options.containsKey("population")) {
				throw new IllegalArgumentException(USAGE);
			}
		}
		catch (IllegalArgumentException | DateTimeParseException e) {
			err.println(e instanceof NumberFormatException || e instanceof DateTimeParseException ? USAGE : e.getMessage());
			return 2;
		}
		Path population = Path.of(options.get("population"));
		Path html = Path.of(options.getOrDefault("html", "impact.html"));
		Path work = Path.of(System.getProperty("java.io.tmpdir")).resolve("myositis-cds-impact-" + UUID.randomUUID());
		try {
			if (!Files.isDirectory(population)) {
				throw new IllegalArgumentException("No population folder " + population
						+ ": give a folder of FHIR Bulk Data NDJSON files (<ResourceType>.ndjson)");
			}
			Clock clock = Clock.fixed(today.atTime(12, 0).atZone(ZoneId.systemDefault()).toInstant(), ZoneId.systemDefault());
			KnowledgeBase knowledgeBase = knowledge(options, clock);
			Knowledge knowledge = knowledgeBase.current();
			List<ServiceDefinition> services = ImpactRun.orderSignServices(knowledge);
			String draftFile = options.get("draft-orders");
			DraftOrders drafts = DraftOrders.read(draftFile == null ? null : Path.of(draftFile), today,
					services.stream().map(ServiceDefinition::id).toList());
			String additionsFile = options.get("add-to-record");
			List<ObjectNode> additions = additionsFile == null ? List.of() : DraftOrders.additions(Path.of(additionsFile), today);
			ImpactRun run = new ImpactRun(invoker(knowledgeBase, clock), services, drafts, additions, threads);
			FiringRates rates = new FiringRates();
			for (ServiceDefinition service : services) {
				knowledge.evaluator().libraries().expressionNames(service.library()).stream()
					.filter(name -> name.endsWith(" Applies"))
					.forEach(name -> rates.expectRule(name.substring(0, name.length() - " Applies".length()), service.id()));
			}
			long start = System.nanoTime();
			run.run(population, work, rates);
			String title = population + (additionsFile == null ? "" : " with " + Path.of(additionsFile).getFileName()
					+ " added to every record") + " on " + today;
			ImpactReport report = new ImpactReport(rates, title, drafts.describe());
			out.print(report.markdown());
			if (html.getParent() != null) {
				Files.createDirectories(html.getParent());
			}
			Files.writeString(html, report.html());
			err.printf("%d patients in %.1f s on %d threads; HTML report: %s%n", rates.patients(),
					(System.nanoTime() - start) / 1e9, threads, html);
			return 0;
		}
		catch (IllegalArgumentException | IllegalStateException e) {
			err.println(e.getMessage());
			return 1;
		}
		catch (IOException | UncheckedIOException e) {
			err.println("Cannot read or write: " + e.getMessage());
			return 1;
		}
	}

	/**
	 * The project folder's knowledge, translated now, as the authoring commands read it; or, with
	 * {@code --knowledge jar}, the knowledge built into the jar, as the deployed service runs it.
	 */
	private static KnowledgeBase knowledge(Map<String, String> options, Clock clock) {
		FhirContext fhir = FhirContext.forR4Cached();
		JsonMapper json = JsonMapper.builder().build();
		return switch (options.getOrDefault("knowledge", "project")) {
			case "project" -> KnowledgeBase.fromFolder(fhir, json, clock, Path.of(options.getOrDefault("project", ".")));
			case "jar" -> KnowledgeBase.fromJar(fhir, json, clock, "classpath:elm/", "classpath:fhir-resources/valueset/",
					"classpath:hooks/", "classpath:cql/");
			default -> throw new IllegalArgumentException("--knowledge is project or jar");
		};
	}

	/**
	 * The service's invoker, wired as system/KnowledgeConfiguration wires it, with no card log and no
	 * FHIR server: the requests carry their whole prefetch, so nothing is ever fetched.
	 */
	private static CdsServiceInvoker invoker(KnowledgeBase knowledgeBase, Clock clock) {
		FhirContext fhir = FhirContext.forR4Cached();
		JsonMapper json = JsonMapper.builder().build();
		var meters = new SimpleMeterRegistry();
		var noServers = new FhirServerAllowlist(Map.of(), List.of(), false, null);
		Duration timeout = Duration.ofSeconds(10);
		var resolver = PrefetchResolver.standalone(fhir, Runnable::run, timeout, 1, noServers, meters);
		return new CdsServiceInvoker(knowledgeBase, new CdsRequestParser(fhir, json), resolver, new CardAssembler(fhir, json),
				clock, CardLog.NONE, CardMemory.NONE, false, meters, List.of(), noServers);
	}

	private static Map<String, String> options(String[] args) {
		Map<String, String> options = new LinkedHashMap<>();
		List<String> known = new ArrayList<>(List.of("population", "draft-orders", "add-to-record", "html", "threads", "today", "project",
				"knowledge"));
		for (int i = 1; i < args.length; i += 2) {
			String name = args[i].startsWith("--") ? args[i].substring(2) : null;
			if (name == null || !known.contains(name) || i + 1 >= args.length) {
				throw new IllegalArgumentException(USAGE);
			}
			options.put(name, args[i + 1]);
		}
		return options;
	}
}
