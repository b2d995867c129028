package org.myositiscds.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import ca.uhn.fhir.context.FhirContext;
import org.HdrHistogram.Histogram;
import org.myositiscds.bench.PatientGenerator.PatientRecord;
import org.myositiscds.knowledge.ServiceDefinition;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Measures the packaged service against issue 8's targets. It starts the jar itself and records
 * the cold start (launch to readiness UP) and the first request's latency; sends every generated
 * patient's rituximab-order-sign call once and counts the cards by rule; warms up; then runs the
 * open-loop phases ({@link OpenLoop}) while sampling the service's resident memory and CPU time,
 * and a closed-loop search for the most the service answers. With {@code --fetch-patients} it
 * starts the service again, serving the generated patients from its demo FHIR server, and
 * compares calls without prefetch with the slowest of their FHIR queries. It writes a Markdown
 * report.
 * <p>
 * Options: {@code --jar=target/myositis-cds.jar --port=18080 --patients=200 --seed=42
 * --service-jvm="-Xmx512m ..." --service-cpus=1 --generator-cpus=0 --warmup=20x30
 * --phases=250x60,500x60 --saturation=4,8,16x20 --cold-starts=3 --fetch-patients=50 --jfr --jfr-settings=default
 * --out=target/bench}.
 * A phase is rate x seconds; saturation is the client counts x seconds each. Without
 * {@code --service-jvm} the service runs with the documented flags ({@link Bench#SERVICE_JVM}).
 */
final class LoadGenerator {

	private static final String SERVICE = "rituximab-order-sign";

	/** A start on a busy shared machine can take minutes; a start that never comes still ends the run. */
	private static final Duration READY_TIMEOUT = Duration.ofMinutes(10);

	private static final double[] PERCENTILES = { 50, 90, 99, 99.9 };

	private LoadGenerator() {
	}

	/** Runs the load test and answers its report (also written to the out folder). */
	static String run(Options options) throws Exception {
		long seed = options.longNumber("seed", Bench.DEFAULT_SEED);
		int port = options.number("port", 18080);
		Path out = Path.of(options.text("out", "target/bench"));
		String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
		Path runFolder = out.resolve("load-" + stamp);
		Files.createDirectories(runFolder);
		String generatorCpus = options.text("generator-cpus", "");
		if (!generatorCpus.isEmpty()) {
			pin(ProcessHandle.current().pid(), generatorCpus);
		}
		JsonMapper json = JsonMapper.builder().build();
		HookRequests requests = new HookRequests(FhirContext.forR4Cached(), json, seed);
		ServiceDefinition service = Bench.service(json, SERVICE);
		List<PatientRecord> patients = new PatientGenerator(seed, LocalDate.now())
			.patients(options.number("patients", Bench.DEFAULT_PATIENTS));
		List<byte[]> bodies = patients.stream().map(patient -> requests.withPrefetch(service, patient)).toList();

		Report report = new Report(options, stamp);
		report.line("Requests: " + Bench.prefetchSummary(json, requests, service, patients) + ".");
		HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(5)).build();
		List<String> serviceJvm = words(options.text("service-jvm", Bench.SERVICE_JVM));
		Path profileFile = runFolder.resolve("service.jfr");
		List<String> measuredJvm = new ArrayList<>(serviceJvm);
		if (options.flag("jfr")) {
			// Recording from launch: a recording started later (jcmd JFR.start) made the running service
			// several times slower for minutes. Only the measured phases are analysed.
			measuredJvm.add("-XX:StartFlightRecording=settings=" + options.text("jfr-settings", "default")
					+ ",dumponexit=true,filename=" + profileFile.toAbsolutePath());
		}
		Instant measuredFrom;
		Instant measuredTo;
		String serviceCpus = options.text("service-cpus", "");
		Path jar = Path.of(options.text("jar", "target/myositis-cds.jar"));
		report.section("Start");
		// Extra starts before the measured one: cold start and first request are single numbers, and vary.
		List<String> starts = new ArrayList<>();
		for (int start = 1; start < options.number("cold-starts", 1); start++) {
			try (ServiceProcess process = ServiceProcess.start(jar, port, serviceCpus, serviceJvm, List.of(),
					runFolder.resolve("start-" + start))) {
				starts.add(coldStart(process, client, bodies.get(start % bodies.size())));
			}
		}
		try (ServiceProcess process = ServiceProcess.start(jar, port, serviceCpus, measuredJvm, List.of(),
				runFolder.resolve("prefetch-service"))) {
			starts.add(coldStart(process, client, bodies.get(0)));
			report.line("Cold start (launch to readiness UP) and the first request after it, per start: "
					+ String.join("; ", starts));
			OpenLoop load = new OpenLoop(client, process.uri("/cds-services/" + SERVICE));
			report.line("Resident memory when ready: " + megabytes(process.memory().residentKb()));
			cardMix(report, client, load, bodies, json);

			report.section("Open-loop phases");
			String warmup = options.text("warmup", "20x30");
			report.line("Warm-up (not counted): " + warmup + " (rate x seconds).");
			runPhase(load, process, phase(warmup), bodies);
			measuredFrom = Instant.now();
			report.phaseHeader();
			for (String phase : options.text("phases", "250x60,500x60").split(",")) {
				report.phase(runPhase(load, process, phase(phase), bodies));
			}
			String saturation = options.text("saturation", "4,8,16x20");
			if (!saturation.isEmpty()) {
				report.section("Closed loop: the most the service answers");
				report.line("N clients, each sending its next request when the last is answered. Latency here is "
						+ "not corrected for coordinated omission: it is the service time under that concurrency.");
				report.closedLoopHeader();
				String[] countsAndSeconds = saturation.split("x");
				for (String clients : countsAndSeconds[0].split(",")) {
					report.closedLoop(closedLoop(process, Integer.parseInt(clients),
							Duration.ofSeconds(Long.parseLong(countsAndSeconds[1])), bodies));
				}
			}
			measuredTo = Instant.now();
			report.line("Peak resident memory of the service over the whole run (VmHWM): "
					+ megabytes(process.memory().peakResidentKb()));
		}
		if (options.flag("jfr")) {
			report.section("Profile (JFR, the measured phases and the closed loop)");
			report.line("Recording: `" + profileFile + "`, settings " + options.text("jfr-settings", "default"));
			report.line(JfrProfile.analyse(profileFile, measuredFrom, measuredTo).markdown());
		}

		int fetchPatients = options.number("fetch-patients", 0);
		if (fetchPatients > 0) {
			fetchPath(report, client, requests, service, patients.subList(0, Math.min(fetchPatients, patients.size())),
					jar, port, serviceCpus, serviceJvm, runFolder);
		}
		Path file = out.resolve("load-" + stamp + ".md");
		Files.writeString(file, report.toString());
		System.out.println(report);
		System.out.println("Report written to " + file);
		return report.toString();
	}

	/** Waits for readiness, then sends one call: "cold start X ms, first request Y ms (HTTP 200)". */
	private static String coldStart(ServiceProcess process, HttpClient client, byte[] body) throws Exception {
		Duration ready = process.awaitReady(client, READY_TIMEOUT);
		HttpRequest call = new OpenLoop(client, process.uri("/cds-services/" + SERVICE)).request(body);
		long start = System.nanoTime();
		int status = client.send(call, HttpResponse.BodyHandlers.discarding()).statusCode();
		return "cold start **%d ms**, first request **%.1f ms** (HTTP %d)".formatted(ready.toMillis(),
				(System.nanoTime() - start) / 1e6, status);
	}

	/** One call per patient: the answers must be cards, and the card mix shows the rules the data fires. */
	private static void cardMix(Report report, HttpClient client, OpenLoop load, List<byte[]> bodies, JsonMapper json)
			throws IOException, InterruptedException {
		Map<String, Integer> statuses = new TreeMap<>();
		Map<String, Integer> rules = new TreeMap<>();
		Map<String, Integer> scanned = new TreeMap<>();
		int cards = 0;
		for (byte[] body : bodies) {
			HttpResponse<byte[]> response = client.send(load.request(body), HttpResponse.BodyHandlers.ofByteArray());
			statuses.merge("HTTP " + response.statusCode(), 1, Integer::sum);
			for (JsonNode card : json.readTree(response.body()).path("cards")) {
				rules.merge(card.path("extension").path("myositis-cds.rule").asString(), 1, Integer::sum);
				cards++;
			}
			KeepAliveClient.cards(response.body(), response.body().length, scanned);
		}
		// The closed loop counts cards by scanning the answer, not parsing it: the two must agree here.
		if (!scanned.equals(rules)) {
			throw new IllegalStateException("The closed loop's card count %s differs from the parsed answers' %s"
				.formatted(scanned, rules));
		}
		report.line("One call per patient: %s; %.1f cards per call; cards by rule: %s".formatted(statuses,
				cards / (double) bodies.size(), rules));
	}

	/** An open-loop phase: requests per second, for how long. */
	record Phase(int rate, Duration duration) {
	}

	/** A phase's latencies, with the service's memory and CPU use and the machine's load around it. */
	record PhaseRun(OpenLoop.Result result, ResourceUse use) {
	}

	record ResourceUse(long maxResidentKb, Duration serviceCpu, Duration generatorCpu, String loadBefore,
			String loadAfter) {
	}

	private static Phase phase(String rateBySeconds) {
		String[] parts = rateBySeconds.split("x");
		return new Phase(Integer.parseInt(parts[0]), Duration.ofSeconds(Long.parseLong(parts[1])));
	}

	private static PhaseRun runPhase(OpenLoop load, ServiceProcess process, Phase phase, List<byte[]> bodies)
			throws Exception {
		try (var sampler = new ResourceSampler(process)) {
			OpenLoop.Result result = load.run(phase.rate(), phase.duration(), bodies);
			return new PhaseRun(result, sampler.use());
		}
	}

	record ClosedLoopRun(int clients, long ok, long cards, long failed, Map<String, Long> failures, Histogram latency, Duration elapsed,
			ResourceUse use) {
	}

	private static ClosedLoopRun closedLoop(ServiceProcess process, int clients, Duration duration, List<byte[]> bodies)
			throws Exception {
		URI target = process.uri("/cds-services/" + SERVICE);
		// Whole requests, head and body, are built before the clock starts: the generator's CPU in the
		// timed loop is writing them and reading the answers.
		List<byte[]> requests = bodies.stream().map(body -> KeepAliveClient.post(target, body)).toList();
		Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
		AtomicLong ok = new AtomicLong();
		AtomicLong cards = new AtomicLong();
		AtomicLong failed = new AtomicLong();
		AtomicLong next = new AtomicLong();
		Map<String, Long> failures = new java.util.concurrent.ConcurrentHashMap<>();
		long end = System.nanoTime() + duration.toNanos();
		long start = System.nanoTime();
		try (var sampler = new ResourceSampler(process)) {
			List<Thread> threads = new ArrayList<>();
			for (int c = 0; c < clients; c++) {
				Thread thread = new Thread(() -> {
					try (KeepAliveClient client = new KeepAliveClient(target)) {
						while (System.nanoTime() < end) {
							byte[] request = requests.get((int) (next.getAndIncrement() % requests.size()));
							long sent = System.nanoTime();
							try {
								KeepAliveClient.Response response = client.send(request);
								if (response.status() == 200) {
									ok.incrementAndGet();
									cards.addAndGet(response.cards());
									synchronized (latency) {
										latency.recordValue(Math.min(latency.getHighestTrackableValue(), (System.nanoTime() - sent) / 1000));
									}
								}
								else {
									failed.incrementAndGet();
									failures.merge("HTTP " + response.status(), 1L, Long::sum);
								}
							}
							catch (IOException | RuntimeException e) {
								failed.incrementAndGet();
								failures.merge(OpenLoop.describe(e), 1L, Long::sum);
							}
						}
					}
					catch (IOException closing) {
						// Closing a connection after the run loses nothing that was counted.
					}
				}, "closed-loop-" + c);
				thread.start();
				threads.add(thread);
			}
			for (Thread thread : threads) {
				thread.join();
			}
			return new ClosedLoopRun(clients, ok.get(), cards.get(), failed.get(), new TreeMap<>(failures), latency,
					Duration.ofNanos(System.nanoTime() - start), sampler.use());
		}
	}

	/**
	 * The fetch path: the service started with the generated patients in its demo FHIR server
	 * (/fhir), each call without prefetch and with that server as fhirServer. For each patient the
	 * service's six prefetch queries are first timed one by one, then the call; the call's time
	 * above its slowest query is what the service adds. The same call with full prefetch is timed
	 * too: it is the part of that addition that is not fetching.
	 */
	private static void fetchPath(Report report, HttpClient client, HookRequests requests,
			ServiceDefinition service, List<PatientRecord> patients, Path jar, int port, String serviceCpus,
			List<String> serviceJvm, Path runFolder) throws Exception {
		Path folder = runFolder.resolve("fhir-patients");
		Files.createDirectories(folder);
		for (PatientRecord patient : patients) {
			Files.writeString(folder.resolve(patient.id() + ".json"), requests.recordBundle(patient));
		}
		report.section("Fetch path (no prefetch, the demo FHIR server at /fhir)");
		try (ServiceProcess process = ServiceProcess.start(jar, port, serviceCpus, serviceJvm,
				List.of("--myositis-cds.demo.patients=" + folder.toAbsolutePath().toUri()), runFolder.resolve("fetch-service"))) {
			Duration ready = process.awaitReady(client, READY_TIMEOUT);
			report.line("%d patients served; the service was ready in %d ms.".formatted(patients.size(), ready.toMillis()));
			String fhirServer = process.uri("/fhir").toString();
			OpenLoop calls = new OpenLoop(client, process.uri("/cds-services/" + service.id()));
			Histogram total = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
			Histogram withPrefetch = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
			Histogram slowestQuery = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
			Histogram added = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
			Map<String, Integer> statuses = new TreeMap<>();
			int rounds = 3;
			for (int round = 0; round <= rounds; round++) {
				for (PatientRecord patient : patients) {
					long slowest = 0;
					for (String template : service.prefetch().values()) {
						slowest = Math.max(slowest, timedGet(client, fhirServer, HookRequests.query(template, patient)));
					}
					long start = System.nanoTime();
					HttpResponse<String> response = client.send(
							calls.request(requests.withoutPrefetch(service, patient, fhirServer)),
							HttpResponse.BodyHandlers.ofString());
					long call = System.nanoTime() - start;
					long prefetchStart = System.nanoTime();
					client.send(calls.request(requests.withPrefetch(service, patient)), HttpResponse.BodyHandlers.discarding());
					long prefetched = System.nanoTime() - prefetchStart;
					// Round 0 warms the FHIR server's and the fetch path's code; it is not counted.
					if (round > 0) {
						statuses.merge("HTTP " + response.statusCode(), 1, Integer::sum);
						total.recordValue(call / 1000);
						withPrefetch.recordValue(prefetched / 1000);
						slowestQuery.recordValue(slowest / 1000);
						added.recordValue(Math.max(0, call - slowest) / 1000);
					}
				}
			}
			report.line("Each patient %d times, after one round of warm-up: %s.".formatted(rounds, statuses));
			report.line(String.join("\n", "| | p50 | p90 | p99 | max |", "| --- | --- | --- | --- | --- |",
					histogramRow("call without prefetch", total),
					histogramRow("its slowest FHIR query, alone", slowestQuery),
					histogramRow("call minus slowest query (target ≤ 10 ms)", added),
					histogramRow("the same call with full prefetch", withPrefetch)));
		}
	}

	/** A GET of a prefetch query, encoded as the service's FhirServerClient encodes it; nanoseconds. */
	private static long timedGet(HttpClient client, String fhirServer, String query) throws Exception {
		int questionMark = query.indexOf('?');
		StringBuilder uri = new StringBuilder(fhirServer).append('/')
			.append(questionMark < 0 ? query : query.substring(0, questionMark));
		if (questionMark >= 0) {
			String separator = "?";
			for (String parameter : query.substring(questionMark + 1).split("&")) {
				String[] nameValue = parameter.split("=", 2);
				uri.append(separator).append(nameValue[0]).append('=')
					.append(URLEncoder.encode(nameValue[1], StandardCharsets.UTF_8).replace("%2C", ","));
				separator = "&";
			}
		}
		HttpRequest request = HttpRequest.newBuilder(URI.create(uri.toString()))
			.header("Accept", "application/fhir+json").GET().build();
		long start = System.nanoTime();
		HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
		long elapsed = System.nanoTime() - start;
		if (response.statusCode() != 200) {
			throw new IllegalStateException("The demo FHIR server answered HTTP " + response.statusCode() + " to " + query);
		}
		return elapsed;
	}

	/** Pins every thread of a process to the CPUs. */
	private static void pin(long pid, String cpus) throws IOException, InterruptedException {
		Process taskset = new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, Long.toString(pid)).redirectErrorStream(true)
			.start();
		taskset.getInputStream().readAllBytes();
		if (taskset.waitFor() != 0) {
			throw new IOException("taskset could not pin the generator to CPUs " + cpus);
		}
	}

	private static List<String> words(String text) {
		return text.isBlank() ? List.of() : Arrays.asList(text.trim().split("\\s+"));
	}

	static String megabytes(long kilobytes) {
		return "%d MB".formatted(kilobytes / 1024);
	}

	static String histogramRow(String label, Histogram histogram) {
		StringBuilder row = new StringBuilder("| " + label + " |");
		for (double percentile : new double[] { 50, 90, 99 }) {
			row.append(" %.1f ms |".formatted(histogram.getValueAtPercentile(percentile) / 1000.0));
		}
		return row.append(" %.1f ms |".formatted(histogram.getMaxValue() / 1000.0)).toString();
	}

	/**
	 * Samples the service's resident memory every 100 ms, and the CPU time of the service and of
	 * this generator, while a phase runs.
	 */
	private static final class ResourceSampler implements AutoCloseable {

		private final ServiceProcess process;

		private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

		private final AtomicLong maxResidentKb = new AtomicLong();

		private final Duration serviceCpuBefore;

		private final Duration generatorCpuBefore;

		private final String loadBefore;

		private final long clockTicksPerSecond;

		ResourceSampler(ServiceProcess process) throws IOException {
			this.process = process;
			this.clockTicksPerSecond = ServiceProcess.clockTicksPerSecond();
			this.serviceCpuBefore = process.cpuTime();
			this.generatorCpuBefore = generatorCpu();
			this.loadBefore = loadAverage();
			timer.scheduleAtFixedRate(() -> maxResidentKb.accumulateAndGet(process.memory().residentKb(), Math::max), 0, 100,
					TimeUnit.MILLISECONDS);
		}

		ResourceUse use() throws IOException {
			return new ResourceUse(maxResidentKb.get(), process.cpuTime().minus(serviceCpuBefore),
					generatorCpu().minus(generatorCpuBefore), loadBefore, loadAverage());
		}

		private Duration generatorCpu() throws IOException {
			return ServiceProcess.cpuTimeOf(Files.readString(Path.of("/proc/self/stat")), clockTicksPerSecond);
		}

		private static String loadAverage() throws IOException {
			String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
			return fields[0] + " " + fields[1] + " " + fields[2];
		}

		@Override
		public void close() {
			timer.shutdownNow();
		}
	}

	/** The Markdown report, written as the run goes. */
	private static final class Report {

		private final StringBuilder text = new StringBuilder();

		Report(Options options, String stamp) throws IOException {
			text.append("# Load test ").append(stamp).append("\n\n");
			text.append("- Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs (")
				.append(cpuModel()).append("), ").append(memTotal()).append(", Java ")
				.append(System.getProperty("java.version")).append('\n');
			text.append("- Load average before the run: ").append(ResourceSampler.loadAverage()).append('\n');
			text.append("- Options: service JVM `").append(options.text("service-jvm", Bench.SERVICE_JVM)).append("`, service CPUs `")
				.append(options.text("service-cpus", "all")).append("`, generator CPUs `")
				.append(options.text("generator-cpus", "all")).append("`, ").append(options.number("patients",
						Bench.DEFAULT_PATIENTS))
				.append(" patients, seed ").append(options.longNumber("seed", Bench.DEFAULT_SEED)).append('\n');
		}

		void section(String title) {
			text.append("\n## ").append(title).append("\n\n");
		}

		void line(String line) {
			text.append(line).append("\n\n");
		}

		void phaseHeader() {
			text.append("Latency from the intended send time (coordinated-omission corrected); in brackets, "
					+ "from the actual send.\n\n");
			text.append("| rate | due | sent | ok | errors | achieved | p50 | p90 | p99 | p99.9 | max | service CPU | "
					+ "CPU per call | generator CPU | generator CPU per call | max RSS | load avg before → after |\n");
			text.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
		}

		void phase(PhaseRun run) {
			OpenLoop.Result result = run.result();
			double seconds = result.elapsed().toNanos() / 1e9;
			text.append("| %d/s × %d s | %d | %d | %d | %s | %.1f/s |".formatted(result.rate(), result.duration().toSeconds(),
					result.due(), result.sent(), result.ok(), result.errors().isEmpty() ? "0" : result.errors().toString(),
					result.achievedRate()));
			for (double percentile : PERCENTILES) {
				text.append(" %s (%s) |".formatted(millis(result.fromIntendedTime().getValueAtPercentile(percentile)),
						millis(result.fromSendTime().getValueAtPercentile(percentile))));
			}
			text.append(" %s (%s) |".formatted(millis(result.fromIntendedTime().getMaxValue()),
					millis(result.fromSendTime().getMaxValue())));
			resourceColumns(run.use(), seconds, result.ok());
		}

		void closedLoopHeader() {
			text.append("| clients | ok | errors | throughput | cards per call | p50 | p90 | p99 | p99.9 | max | service CPU | "
					+ "CPU per call | generator CPU | generator CPU per call | max RSS | load avg before → after |\n");
			text.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
		}

		void closedLoop(ClosedLoopRun run) {
			double seconds = run.elapsed().toNanos() / 1e9;
			text.append("| %d | %d | %s | %.1f/s | %.2f |".formatted(run.clients(), run.ok(),
					run.failed() == 0 ? "0" : run.failed() + " " + run.failures(), run.ok() / seconds,
					run.ok() == 0 ? 0 : run.cards() / (double) run.ok()));
			for (double percentile : PERCENTILES) {
				text.append(" %s |".formatted(millis(run.latency().getValueAtPercentile(percentile))));
			}
			text.append(" %s |".formatted(millis(run.latency().getMaxValue())));
			resourceColumns(run.use(), seconds, run.ok());
		}

		private void resourceColumns(ResourceUse use, double seconds, long calls) {
			text.append(" %.0f %% |".formatted(100.0 * use.serviceCpu().toMillis() / 1000 / seconds));
			text.append(" %.1f ms |".formatted(calls == 0 ? 0 : use.serviceCpu().toMillis() / (double) calls));
			text.append(" %.0f %% |".formatted(100.0 * use.generatorCpu().toMillis() / 1000 / seconds));
			text.append(" %.2f ms |".formatted(calls == 0 ? 0 : use.generatorCpu().toMillis() / (double) calls));
			text.append(" %s | %s → %s |\n".formatted(megabytes(use.maxResidentKb()), use.loadBefore(), use.loadAfter()));
		}

		private static String millis(long micros) {
			return "%.1f ms".formatted(micros / 1000.0);
		}

		private static String cpuModel() throws IOException {
			return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(line -> line.startsWith("model name"))
				.map(line -> line.substring(line.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
		}

		private static String memTotal() throws IOException {
			return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(line -> line.startsWith("MemTotal"))
				.map(line -> megabytes(Long.parseLong(line.replaceAll("\\D", ""))) + " RAM").findFirst().orElse("");
		}

		@Override
		public String toString() {
			return text.toString();
		}
	}
}
