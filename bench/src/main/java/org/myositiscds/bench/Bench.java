package org.myositiscds.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import ca.uhn.fhir.context.FhirContext;
import org.myositiscds.bench.PatientGenerator.PatientRecord;
import org.myositiscds.cards.Card;
import org.myositiscds.knowledge.ServiceDefinition;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The benchmark tools, one per first argument (docs/performance.md has the commands):
 * <ul>
 * <li>{@code jmh [JMH options]}: the JMH benchmarks of the data path, per service and per stage;</li>
 * <li>{@code load [--options]}: starts the packaged jar and puts it under open-loop load ({@link LoadGenerator});</li>
 * <li>{@code profile <recording.jfr>}: where the service's CPU time went ({@link JfrProfile});</li>
 * <li>{@code patients [--count=200 --seed=42 --out=target/bench/patients]}: writes the generated
 * patients (record Bundles and rituximab-order-sign requests) for a look by hand;</li>
 * <li>{@code check [--count=200 --seed=42]}: runs every generated request of every service through
 * the data path and counts the cards by rule: the requests must give sensible cards, not errors;</li>
 * <li>{@code sweep [--quick] [--sizes=10,100,...] [--budget=seconds] [--no-peer]}: the data path at real record
 * sizes ({@link Sweep}), with cqf-fhir-cr's $apply on the same patients beside it ({@link Peer}), in this JVM;</li>
 * <li>{@code report [--quick] [--service-jvm=...]}: the sweep, then the load test on the packaged jar
 * (cold start, p99 at 50 requests/s, closed-loop throughput, resident memory), in one Markdown report.</li>
 * </ul>
 */
public final class Bench {

	static final long DEFAULT_SEED = 42;

	static final int DEFAULT_PATIENTS = 200;

	private Bench() {
	}

	public static void main(String[] args) throws Exception {
		if (args.length == 0) {
			throw new IllegalArgumentException("Name a tool: jmh, load, profile, patients or check");
		}
		List<String> rest = Arrays.asList(args).subList(1, args.length);
		switch (args[0]) {
			case "jmh" -> org.openjdk.jmh.Main.main(rest.isEmpty() ? new String[] { "org.myositiscds.bench" }
					: rest.toArray(String[]::new));
			case "load" -> LoadGenerator.run(new Options(rest));
			case "profile" -> System.out.println(JfrProfile.analyse(Path.of(rest.get(0))).markdown());
			case "patients" -> writePatients(new Options(rest));
			case "check" -> check(new Options(rest));
			case "sweep" -> System.out.println(new Sweep(new Options(rest)).run());
			case "report" -> report(new Options(rest));
			default -> throw new IllegalArgumentException("Unknown tool " + args[0]);
		}
	}

	/**
	 * The flags of the service's documented run command (README, Dockerfile, the Spring Boot plugin;
	 * ServiceJvmOptionsTests keeps them the same): the load test measures the service as it is meant
	 * to run (docs/performance.md, "Memory").
	 */
	static final String SERVICE_JVM = "-Xmx224m -XX:+UseSerialGC -XX:TrimNativeHeapInterval=5000";

	private static void report(Options options) throws Exception {
		boolean quick = options.flag("quick");
		String stamp = java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
		String before = machine();
		long start = System.nanoTime();
		String sweep = new Sweep(options).run();
		double sweepMinutes = (System.nanoTime() - start) / 60e9;
		Path file = Path.of(options.text("out", "target/bench")).resolve("report-" + stamp + ".md");
		Files.createDirectories(file.getParent());
		// Written now too: the load test that follows can fail (a port taken, a start refused).
		Files.writeString(file, sweep);
		String load = "(not run: --no-load)";
		if (!options.flag("no-load")) {
			try {
				load = LoadGenerator.run(new Options(List.of("--service-jvm=" + options.text("service-jvm", SERVICE_JVM),
					"--cold-starts=" + (quick ? 1 : 3), "--warmup=" + (quick ? "20x20" : "20x30"),
					"--phases=" + (quick ? "50x30" : "20x60,50x60"), "--saturation=" + (quick ? "4x20" : "2,4,8x30"),
					"--jar=" + options.text("jar", "target/myositis-cds.jar"),
					"--port=" + options.number("port", 18000 + 2 * new java.util.Random().nextInt(1000)))));
			}
			catch (Exception | AssertionError e) {
				load = "The load test failed: " + e;
			}
		}
		String report = """
				# Benchmark report %s (%s)

				Machine before the run: %s. After: %s. Sweep %.1f min.

				## In one JVM: size sweep, untriggered orders, Synthea patients
				%s
				## The packaged jar under HTTP load (rituximab-order-sign, generated patients)

				%s""".formatted(stamp, quick ? "quick" : "full", before, machine(), sweepMinutes, sweep,
				load.replaceAll("(?m)^# ", "### ").replaceAll("(?m)^## ", "### "));
		Files.writeString(file, report);
		System.out.println(report);
		System.out.println("Report written to " + file);
	}

	/** Cores, load average and Java version, for the report's honesty about its conditions. */
	private static String machine() throws IOException {
		String[] load = Files.readString(Path.of("/proc/loadavg")).split(" ");
		return "%d cores, load average %s %s %s, Java %s".formatted(Runtime.getRuntime().availableProcessors(), load[0],
				load[1], load[2], System.getProperty("java.version"));
	}

	private static void writePatients(Options options) throws IOException {
		JsonMapper json = JsonMapper.builder().build();
		long seed = options.longNumber("seed", DEFAULT_SEED);
		List<PatientRecord> patients = new PatientGenerator(seed, LocalDate.now())
			.patients(options.number("count", DEFAULT_PATIENTS));
		HookRequests requests = new HookRequests(FhirContext.forR4Cached(), json, seed);
		ServiceDefinition rituximab = service(json, "rituximab-order-sign");
		Path folder = Path.of(options.text("out", "target/bench/patients"));
		Files.createDirectories(folder);
		for (PatientRecord patient : patients) {
			Files.writeString(folder.resolve(patient.id() + ".json"), requests.recordBundle(patient));
			Files.write(folder.resolve(patient.id() + ".rituximab-order-sign.json"), requests.withPrefetch(rituximab, patient));
		}
		System.out.println("Wrote " + patients.size() + " patients to " + folder);
		System.out.println(prefetchSummary(json, requests, rituximab, patients));
	}

	/** How many resources of each type the service's prefetch holds, on average, and the request size. */
	static String prefetchSummary(JsonMapper json, HookRequests requests, ServiceDefinition service,
			List<PatientRecord> patients) {
		Map<String, Integer> counts = new TreeMap<>();
		long bytes = 0;
		for (PatientRecord patient : patients) {
			byte[] body = requests.withPrefetch(service, patient);
			bytes += body.length;
			for (JsonNode prefetch : json.readTree(body).path("prefetch")) {
				for (JsonNode entry : prefetch.path("entry")) {
					counts.merge(entry.path("resource").path("resourceType").asString(), 1, Integer::sum);
				}
			}
		}
		StringBuilder summary = new StringBuilder(service.id() + " prefetch, mean per patient:");
		counts.forEach((type, count) -> summary.append(" %s %.1f;".formatted(type, count / (double) patients.size())));
		return summary.append(" request %.1f kB".formatted(bytes / 1024.0 / patients.size())).toString();
	}

	private static void check(Options options) {
		long seed = options.longNumber("seed", DEFAULT_SEED);
		CallPath path = new CallPath();
		List<PatientRecord> patients = new PatientGenerator(seed, LocalDate.now())
			.patients(options.number("count", DEFAULT_PATIENTS));
		HookRequests requests = new HookRequests(path.fhir, path.json, seed);
		for (ServiceDefinition service : HookRequests.services(path.json)) {
			Map<String, Integer> rules = new TreeMap<>();
			Map<String, Integer> errors = new TreeMap<>();
			int withoutCards = 0;
			for (PatientRecord patient : patients) {
				try {
					List<Card> cards = path.call(service.id(), requests.withPrefetch(service, patient));
					cards.forEach(card -> rules.merge(card.rule(), 1, Integer::sum));
					withoutCards += cards.isEmpty() ? 1 : 0;
				}
				catch (RuntimeException e) {
					errors.merge(e.getClass().getSimpleName(), 1, Integer::sum);
				}
			}
			System.out.printf("%s: %d patients, %d without cards, errors %s, cards by rule %s%n", service.id(),
					patients.size(), withoutCards, errors, rules);
		}
		System.out.println(prefetchSummary(path.json, requests, service(path.json, "rituximab-order-sign"), patients));
	}

	static ServiceDefinition service(JsonMapper json, String id) {
		return HookRequests.services(json).stream().filter(service -> service.id().equals(id)).findFirst().orElseThrow();
	}
}
