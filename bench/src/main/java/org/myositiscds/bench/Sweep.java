package org.myositiscds.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.myositiscds.bench.PatientGenerator.PatientRecord;
import org.myositiscds.cards.Card;
import org.myositiscds.knowledge.ServiceDefinition;
import org.myositiscds.realworld.SyntheaFixture;

/**
 * The data path at real record sizes, in one JVM without HTTP (the service's own classes, as
 * {@link CallPath} wires them): time per call against the size of the prefetch for each
 * order-sign service, with the fitted growth exponent; an order that triggers nothing against one
 * that does, in prefetch and in fetch mode (with the FHIR requests counted); the committed Synthea
 * patients. At each size the same patient also goes through the peer, cqf-fhir-cr's
 * PlanDefinition/$apply ({@link Peer}; {@code --no-peer} leaves it out), timed beside the service
 * with the rules each finds applicable. {@code --quick} keeps it to a few minutes; without it the
 * sweep has more sizes and more calls per size.
 *
 * <p>A size whose predicted call time (from the growth seen so far) exceeds the per-call budget
 * ({@code --budget=seconds}) is not run: a quadratic path at 20,000 resources would take an hour.
 */
final class Sweep {

	static final List<String> SERVICES = List.of("rituximab-order-sign", "tacrolimus-deescalation-order-sign",
			"hbv-screening-order-sign");

	private static final int[] QUICK_SIZES = { 10, 100, 300, 1000, 2000, 5000, 10_000, 20_000 };

	private static final int[] FULL_SIZES = { 10, 30, 100, 200, 500, 1000, 2000, 3000, 5000, 10_000, 15_000, 20_000 };

	/** The fit's range of prefetch sizes, as the issue states the target. */
	private static final int FIT_FROM = 100;

	/** Records up to this many resources (calls of up to about a fifth of a second) are timed in rounds. */
	private static final int IN_ROUNDS_UP_TO = 3_000;

	/** Uncounted rounds before the timed ones. */
	private static final int IN_ROUNDS_WARM_UP = 4;

	private static final int FIT_TO = 20_000;

	/** One size of one service: {@code millis} is the median per call, NaN when not run. */
	record Point(int recordSize, int prefetchResources, long requestBytes, double millis, int calls, int cards,
			Set<String> rules, String note) {

		boolean measured() {
			return !Double.isNaN(millis);
		}
	}

	private final Options options;

	private final boolean quick;

	private final double budgetMillis;

	private final long seed;

	private final CallPath path = new CallPath(List.of("http://127.0.0.1:*"));

	private final PatientGenerator generator;

	/** The sweep's EHR ignores the code filter of Observation searches (some do). */
	private final HookRequests unfiltered;

	private final HookRequests filtered;

	/** Null with {@code --no-peer}. */
	private final Peer peer;

	/** Wall time of the peer's sizes, and of building their repositories. */
	private long peerNanos;

	private long repositoryNanos;

	private final StringBuilder markdown = new StringBuilder();

	Sweep(Options options) throws IOException {
		this.options = options;
		this.quick = options.flag("quick");
		this.budgetMillis = 1000.0 * options.number("budget", quick ? 20 : 120);
		this.seed = options.longNumber("seed", Bench.DEFAULT_SEED);
		this.generator = new PatientGenerator(seed, LocalDate.now());
		this.unfiltered = new HookRequests(path.fhir, path.json, seed, false);
		this.filtered = new HookRequests(path.fhir, path.json, seed);
		this.peer = options.flag("no-peer") ? null : new Peer();
	}

	/** The generated patient the sweep grows: the first whose usual record gets cards from every service. */
	private int patient;

	/** Runs every part and answers the Markdown of its results. */
	String run() throws Exception {
		warmUp();
		patient = options.number("patient", -1);
		for (int index = 0; patient < 0 && index < Bench.DEFAULT_PATIENTS; index++) {
			PatientRecord record = generator.patient(index);
			if (SERVICES.stream().allMatch(id -> !path.call(id, unfiltered.withPrefetch(service(id), record)).isEmpty())) {
				patient = index;
			}
		}
		patient = Math.max(0, patient);
		sizes();
		untriggered();
		synthea();
		return markdown.toString();
	}

	/**
	 * Each service on the usual generated patients, so that the sweep's first sizes do not pay for JIT
	 * compilation. Six rounds in quick runs too: after three, the usual patient, timed first, still
	 * took 60 ms against 10 ms once compiled, which made the 2,000-resource ratio look twice as
	 * good as it is.
	 */
	private void warmUp() {
		long start = System.nanoTime();
		int rounds = 6;
		for (int round = 0; round < rounds; round++) {
			for (PatientRecord patient : generator.patients(20)) {
				for (String service : SERVICES) {
					path.call(service, filtered.withPrefetch(service(service), patient));
				}
			}
		}
		line("Warm-up: %d rounds of 20 generated patients through the three services, %.1f s.".formatted(rounds,
				(System.nanoTime() - start) / 1e9));
		if (peer != null) {
			// The peer's first call translates the libraries' CQL (its settings then keep them compiled).
			start = System.nanoTime();
			int patients = quick ? 5 : 20;
			for (PatientRecord patient : generator.patients(patients)) {
				for (String service : SERVICES) {
					peer.call(service, patient);
				}
			}
			line("The peer's warm-up: %d generated patients through the three PlanDefinitions' $apply, %.1f s.".formatted(
					patients, (System.nanoTime() - start) / 1e9));
		}
	}

	private void sizes() {
		int[] sizes = Arrays.stream(options.text("sizes", "").split(",")).filter(text -> !text.isBlank())
			.mapToInt(Integer::parseInt).toArray();
		if (sizes.length == 0) {
			sizes = quick ? QUICK_SIZES : FULL_SIZES;
		}
		section("Time per call against prefetch size");
		line("""
				One patient (generated patient %d, the first whose usual record gets cards from all three services) grown to each record size by years of follow-up before its usual \
				record: per visit a lab panel (leukocytes, ALT, AST, creatinine, eGFR, CK, IgG; tacrolimus trough \
				when on tacrolimus), HBsAg yearly, and two refills (methotrexate, prednisone) ordered by \
				`medicationReference`, each with its own Medication `_include`d: about 60 %% labs and 40 %% medication \
				orders and Medications. Visits are monthly up to about 2,600 resources and closer together above \
				(admissions). The EHR answers Observation searches **without filtering by code** (as some do), so \
				every lab is in every service's Observation key. The latest results and the orders are those of the \
				usual record, so the cards are the same at every size (the cards column shows it). Per call: parse, \
				prefetch, CQL, cards, as the HTTP layer drives it. The usual record and the records up to %,d \
				resources are timed in rounds, each round calling each of them once (%d rounds after %d uncounted \
				ones; median), so that all are timed in one state of the JIT compiler; larger records one after \
				the other: median of the calls after the first at that size (the first alone when one call would \
				take over a second); per-call budget %.0f s: a size whose predicted time exceeds it is not \
				run.""".formatted(patient, IN_ROUNDS_UP_TO, quick ? 6 : 16, IN_ROUNDS_WARM_UP, budgetMillis / 1000));
		List<PatientRecord> records = new ArrayList<>();
		for (int size : sizes) {
			records.add(generator.patient(patient, size));
		}
		PatientRecord usual = generator.patient(patient);
		StringBuilder exponents = new StringBuilder();
		StringBuilder peerTables = new StringBuilder();
		for (String serviceId : SERVICES) {
			ServiceDefinition service = service(serviceId);
			List<Point> points = new ArrayList<>();
			List<Point> peerPoints = new ArrayList<>();
			List<PatientRecord> inRounds = new ArrayList<>(List.of(usual));
			records.stream().filter(record -> record.resources().size() <= IN_ROUNDS_UP_TO).forEach(inRounds::add);
			List<Point> roundPoints = measureInRounds(service, inRounds);
			Point usualPoint = roundPoints.get(0);
			Point usualPeer = measurePeer(service, usual, usualPoint, Double.NaN);
			for (PatientRecord record : records) {
				int inRound = inRounds.indexOf(record);
				Point ours = inRound > 0 ? roundPoints.get(inRound)
						: measure(service, record, predicted(points, prefetchSize(service, record)));
				points.add(ours);
				peerPoints.add(measurePeer(service, record, ours, predicted(peerPoints, ours.prefetchResources())));
			}
			peerTables.append(peerTable(serviceId, usualPoint, usualPeer, points, peerPoints));
			line("");
			line("**" + serviceId + "** (the usual generated patient, %d resources in the prefetch: %s)".formatted(
					usualPoint.prefetchResources(), millis(usualPoint.millis())));
			line("");
			line("| record | prefetch resources | request | ms per call | calls | cards | note |");
			line("| ---: | ---: | ---: | ---: | ---: | ---: | --- |");
			for (Point point : points) {
				line("| %d | %d | %s | %s | %d | %s | %s |".formatted(point.recordSize(), point.prefetchResources(),
						kilobytes(point.requestBytes()), point.measured() ? millis(point.millis()) : "not run",
						point.calls(), point.measured() ? String.valueOf(point.cards()) : "", point.note()));
			}
			double exponent = exponent(points);
			exponents.append("| %s | %s | %s | %s |\n".formatted(serviceId,
					Double.isNaN(exponent) ? "too few sizes" : "%.2f".formatted(exponent), fitRange(points),
					ratioAt2000(points, usualPoint)));
			System.out.println("sweep: " + serviceId + " done, exponent " + exponent);
		}
		line("");
		line("Growth exponent: least squares of log(time) on log(prefetch resources) over the sizes measured "
				+ "between " + FIT_FROM + " and " + FIT_TO + " resources (target ≤ 1.1); and the time at about 2,000 "
				+ "resources over the usual patient's (target for rituximab-order-sign ≤ 10).");
		line("");
		line("| service | exponent | fitted over | ~2,000 resources / usual patient |");
		line("| --- | ---: | --- | ---: |");
		markdown.append(exponents);
		if (peer != null) {
			peerSection(peerTables);
		}
	}

	/** Times the service on the record: one call, then more while they fit in the time allowed for a size. */
	private Point measure(ServiceDefinition service, PatientRecord record, double predictedMillis) {
		byte[] body = unfiltered.withPrefetch(service, record);
		int resources = prefetchSize(service, record);
		if (predictedMillis > budgetMillis) {
			return skipped(record, resources, body.length, predictedMillis);
		}
		Repeated<List<Card>> run = repeated(() -> path.call(service.id(), body));
		return new Point(record.resources().size(), resources, body.length, run.millis(), run.calls(), run.first().size(),
				rules(run.first()), "");
	}

	/**
	 * The usual record and the sizes up to {@link #IN_ROUNDS_UP_TO} resources, timed in rounds: each
	 * round calls every one of them once, after uncounted rounds, so that all are timed in one state
	 * of the JIT compiler. Timed one size after the other, from the smallest, the small records came
	 * out up to twice their time after the large ones had run (the usual patient 8.4 ms before the
	 * sizes and 4.7 ms after them, in one run), which flattered the ratio and the exponent.
	 */
	private List<Point> measureInRounds(ServiceDefinition service, List<PatientRecord> records) {
		List<byte[]> bodies = records.stream().map(record -> unfiltered.withPrefetch(service, record)).toList();
		List<List<Card>> answers = bodies.stream().map(body -> path.call(service.id(), body)).toList();
		int rounds = quick ? 6 : 16;
		List<List<Double>> times = records.stream().map(record -> (List<Double>) new ArrayList<Double>()).toList();
		for (int round = -IN_ROUNDS_WARM_UP; round < rounds; round++) {
			for (int i = 0; i < bodies.size(); i++) {
				byte[] body = bodies.get(i);
				long start = System.nanoTime();
				path.call(service.id(), body);
				if (round >= 0) {
					times.get(i).add((System.nanoTime() - start) / 1e6);
				}
			}
		}
		List<Point> points = new ArrayList<>();
		for (int i = 0; i < records.size(); i++) {
			points.add(new Point(records.get(i).resources().size(), prefetchSize(service, records.get(i)),
					bodies.get(i).length, median(times.get(i)), rounds, answers.get(i).size(), rules(answers.get(i)), ""));
		}
		return points;
	}

	private static Set<String> rules(List<Card> cards) {
		Set<String> rules = new TreeSet<>();
		cards.forEach(card -> rules.add(card.rule()));
		return rules;
	}

	/**
	 * The peer on the same record, with the same budget: its {@code cards} are the actions it found
	 * applicable, and its note says where its rules differ from the service's or why it failed.
	 */
	private Point measurePeer(ServiceDefinition service, PatientRecord record, Point ours, double predictedMillis) {
		if (peer == null) {
			return skipped(record, ours.prefetchResources(), 0, Double.POSITIVE_INFINITY);
		}
		if (predictedMillis > budgetMillis) {
			return skipped(record, ours.prefetchResources(), 0, predictedMillis);
		}
		long start = System.nanoTime();
		peer.prepare(record);
		repositoryNanos += System.nanoTime() - start;
		Repeated<Peer.Answer> run = repeated(() -> peer.call(service.id(), record));
		peerNanos += System.nanoTime() - start;
		Peer.Answer answer = run.first();
		String note = answer.failure() != null ? "**failed**: " + abbreviated(answer.failure())
				: !ours.measured() ? "the service's call not run at this size"
						: answer.rules().equals(ours.rules()) ? "" : "**rules differ**: service %s, $apply %s".formatted(ours.rules(), answer.rules());
		return new Point(record.resources().size(), ours.prefetchResources(), 0, run.millis(), run.calls(),
				answer.rules().size(), answer.rules(), note);
	}

	private static Point skipped(PatientRecord record, int resources, long requestBytes, double predictedMillis) {
		return new Point(record.resources().size(), resources, requestBytes, Double.NaN, 0, 0, Set.of(),
				Double.isInfinite(predictedMillis) ? "predicted: a smaller size was over budget"
						: "predicted %s > budget".formatted(millis(predictedMillis)));
	}

	/** The first call's answer, and the median time of the calls after it (the first's alone when it took over a second). */
	record Repeated<T>(T first, double millis, int calls) {
	}

	/** One call, then more while they fit in the time allowed for a size. */
	private <T> Repeated<T> repeated(Supplier<T> call) {
		double perSize = quick ? 1500 : 4000;
		int most = quick ? 5 : 15;
		long start = System.nanoTime();
		T answer = call.get();
		double first = (System.nanoTime() - start) / 1e6;
		List<Double> times = new ArrayList<>();
		double spent = first;
		while (first < 1000 && spent < perSize && times.size() < most) {
			long callStart = System.nanoTime();
			call.get();
			double time = (System.nanoTime() - callStart) / 1e6;
			times.add(time);
			spent += time;
		}
		return new Repeated<>(answer, times.isEmpty() ? first : median(times), 1 + times.size());
	}

	private void peerSection(StringBuilder tables) {
		section("The peer at the same sizes: cqf-fhir-cr PlanDefinition/$apply in this JVM");
		line("""
				The same patient at each size through the clinical-reasoning module's PlanDefinition/$apply \
				(cqf-fhir-cr, the CQF reference implementation's way of evaluating a CDS Hooks-style PlanDefinition \
				with CQL), as `PlanDefinitionApplyTests` runs it: the published Libraries, PlanDefinitions and value \
				sets and the patient's whole record in an in-memory FHIR repository, the draft orders and the hook as \
				the libraries' parameters, retrieves filtered in memory. Timed: `$apply` alone, median of the calls \
				after the first, with the same rules and budget as the service's calls, after a warm-up of its own; \
				not timed: building the repository (the service's time includes parsing its request). `$apply` \
				answers which rules apply (its actions), not the cards' text, so the comparison is of the rules: \
				"same" when its applicable actions are exactly the rules of the service's cards at that size. The \
				prefetch column is the service's; `$apply`'s repository holds the whole record (the record column). \
				The peer's part of the sweep took %.0f s, of which %.0f s building repositories.""".formatted(
				peerNanos / 1e9, repositoryNanos / 1e9));
		markdown.append(tables);
	}

	private static String peerTable(String serviceId, Point usualOurs, Point usualPeer, List<Point> ours, List<Point> peer) {
		StringBuilder table = new StringBuilder("\n**%s**\n\n".formatted(serviceId));
		table.append("| record | prefetch resources | service: ms per call | $apply: ms per call | $apply / service | $apply calls | rules | note |\n");
		table.append("| ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |\n");
		table.append(peerRow("usual " + usualOurs.recordSize(), usualOurs, usualPeer));
		for (int i = 0; i < ours.size(); i++) {
			table.append(peerRow(String.valueOf(ours.get(i).recordSize()), ours.get(i), peer.get(i)));
		}
		double exponent = exponent(peer);
		table.append("\n$apply growth exponent: %s over %s (the service: %s).\n".formatted(
				Double.isNaN(exponent) ? "too few sizes" : "%.2f".formatted(exponent), fitRange(peer),
				Double.isNaN(exponent(ours)) ? "too few sizes" : "%.2f".formatted(exponent(ours))));
		return table.toString();
	}

	private static String peerRow(String record, Point ours, Point peer) {
		boolean both = ours.measured() && peer.measured();
		String rules = !both || peer.note().startsWith("**failed") ? ""
				: peer.rules().equals(ours.rules())
						? "same (%s)".formatted(ours.rules().isEmpty() ? "none" : String.join(", ", ours.rules())) : "differ";
		return "| %s | %d | %s | %s | %s | %d | %s | %s |\n".formatted(record, ours.prefetchResources(),
				ours.measured() ? millis(ours.millis()) : "not run", peer.measured() ? millis(peer.millis()) : "not run",
				both ? "%.1f×".formatted(peer.millis() / ours.millis()) : "", peer.calls(), rules, peer.note());
	}

	private static String abbreviated(String text) {
		String line = text.replace('\n', ' ').replace("|", "\\|");
		return line.length() > 300 ? line.substring(0, 300) + "…" : line;
	}

	/** The next size's time if the growth of the last two sizes measured (at least linear) goes on. */
	private static double predicted(List<Point> points, int nextResources) {
		List<Point> measured = points.stream().filter(Point::measured).toList();
		if (measured.isEmpty()) {
			return 0;
		}
		if (points.get(points.size() - 1).note().startsWith("predicted")) {
			return Double.POSITIVE_INFINITY;
		}
		Point last = measured.get(measured.size() - 1);
		double exponent = 1;
		if (measured.size() >= 2) {
			Point before = measured.get(measured.size() - 2);
			if (before.millis() > 2 && last.prefetchResources() > before.prefetchResources()) {
				exponent = Math.max(1, Math.log(last.millis() / before.millis())
						/ Math.log((double) last.prefetchResources() / before.prefetchResources()));
			}
		}
		return last.millis() * Math.pow((double) nextResources / Math.max(1, last.prefetchResources()), exponent);
	}

	static double exponent(List<Point> points) {
		List<Point> fitted = points.stream()
			.filter(point -> point.measured() && point.prefetchResources() >= FIT_FROM && point.prefetchResources() <= FIT_TO)
			.toList();
		if (fitted.size() < 2) {
			return Double.NaN;
		}
		double meanX = fitted.stream().mapToDouble(point -> Math.log(point.prefetchResources())).average().orElseThrow();
		double meanY = fitted.stream().mapToDouble(point -> Math.log(point.millis())).average().orElseThrow();
		double covariance = 0;
		double variance = 0;
		for (Point point : fitted) {
			double dx = Math.log(point.prefetchResources()) - meanX;
			covariance += dx * (Math.log(point.millis()) - meanY);
			variance += dx * dx;
		}
		return covariance / variance;
	}

	private static String fitRange(List<Point> points) {
		List<Point> fitted = points.stream()
			.filter(point -> point.measured() && point.prefetchResources() >= FIT_FROM && point.prefetchResources() <= FIT_TO)
			.toList();
		return fitted.isEmpty() ? "" : "%d to %d (%d sizes)".formatted(fitted.get(0).prefetchResources(),
				fitted.get(fitted.size() - 1).prefetchResources(), fitted.size());
	}

	private static String ratioAt2000(List<Point> points, Point usual) {
		return points.stream().filter(Point::measured)
			.min((a, b) -> Integer.compare(Math.abs(a.prefetchResources() - 2000), Math.abs(b.prefetchResources() - 2000)))
			.filter(point -> Math.abs(point.prefetchResources() - 2000) <= 600)
			.map(point -> "%.1f (%d resources)".formatted(point.millis() / usual.millis(), point.prefetchResources()))
			.orElse("not measured");
	}

	/**
	 * rituximab-order-sign with the patient's rituximab draft against the same call with a
	 * lisinopril draft, with full prefetch and in fetch mode against a FHIR server on 127.0.0.1
	 * that counts the requests it answers.
	 */
	private void untriggered() throws IOException {
		section("Orders that trigger nothing");
		ServiceDefinition service = service("rituximab-order-sign");
		AtomicReference<PatientRecord> served = new AtomicReference<>();
		AtomicInteger requests = new AtomicInteger();
		HttpServer server = fhirServer(served, requests);
		try {
			String fhirServer = "http://127.0.0.1:" + server.getAddress().getPort() + "/fhir";
			line("rituximab-order-sign; the same record with the patient's rituximab draft (triggered) or a lisinopril "
					+ "draft (untriggered). Fetch mode: no prefetch, the record on a FHIR server on 127.0.0.1 (the "
					+ "JDK's HTTP server, answering as the sweep's EHR) that counts the requests. Median and p90 of "
					+ "the calls after warm-up.");
			line("");
			line("| record | mode | triggered: ms | untriggered: ms | ratio | FHIR requests per call (triggered / untriggered) |");
			line("| --- | --- | ---: | ---: | ---: | --- |");
			for (int size : quick ? new int[] { 0, 1000 } : new int[] { 0, 1000, 2000 }) {
				PatientRecord triggered = size == 0 ? generator.patient(patient) : generator.patient(patient, size);
				PatientRecord untriggered = PatientGenerator.withUntriggeredDraft(triggered);
				String label = size == 0 ? "usual (%d resources)".formatted(triggered.resources().size())
						: "%d resources".formatted(size);
				int calls = size == 0 ? (quick ? 60 : 200) : (quick ? 5 : 15);
				// The requests are written before the clock starts: only the service's work is timed.
				byte[] triggeredBody = unfiltered.withPrefetch(service, triggered);
				byte[] untriggeredBody = unfiltered.withPrefetch(service, untriggered);
				double[] on = timed(calls, () -> path.call(service.id(), triggeredBody));
				double[] off = timed(calls, () -> path.call(service.id(), untriggeredBody));
				line(row(label, "prefetch", on, off, "0 / 0"));
				served.set(triggered);
				requests.set(0);
				byte[] triggeredFetch = unfiltered.withoutPrefetch(service, triggered, fhirServer);
				double[] fetchOn = timed(calls, () -> path.call(service.id(), triggeredFetch));
				double perTriggered = requests.get() / (double) (calls + warmUps(calls));
				served.set(untriggered);
				requests.set(0);
				byte[] untriggeredFetch = unfiltered.withoutPrefetch(service, untriggered, fhirServer);
				double[] fetchOff = timed(calls, () -> path.call(service.id(), untriggeredFetch));
				double perUntriggered = requests.get() / (double) (calls + warmUps(calls));
				line(row(label, "fetch", fetchOn, fetchOff, "%.0f / %s".formatted(perTriggered,
						perUntriggered == 0 ? "**0**" : "%.1f".formatted(perUntriggered))));
			}
		}
		finally {
			server.stop(0);
		}
	}

	private static String row(String label, String mode, double[] on, double[] off, String requests) {
		return "| %s | %s | %s (p90 %s) | %s (p90 %s) | %.0f× | %s |".formatted(label, mode, millis(on[0]), millis(on[1]),
				millis(off[0]), millis(off[1]), on[0] / off[0], requests);
	}

	private static int warmUps(int calls) {
		return Math.max(1, calls / 5);
	}

	/** Median and p90 in ms of {@code calls} calls, after a fifth as many not counted. */
	private static double[] timed(int calls, Runnable call) {
		for (int i = 0; i < warmUps(calls); i++) {
			call.run();
		}
		List<Double> times = new ArrayList<>();
		for (int i = 0; i < calls; i++) {
			long start = System.nanoTime();
			call.run();
			times.add((System.nanoTime() - start) / 1e6);
		}
		times.sort(null);
		return new double[] { median(times), times.get((int) Math.min(times.size() - 1, Math.ceil(0.9 * times.size()) - 1)) };
	}

	/** A FHIR server for the record in {@code served}: reads of the Patient and Medications, and the prefetch searches. */
	private HttpServer fhirServer(AtomicReference<PatientRecord> served, AtomicInteger requests) throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		server.createContext("/fhir/", exchange -> {
			requests.incrementAndGet();
			String query = exchange.getRequestURI().getRawPath().substring("/fhir/".length())
					+ (exchange.getRequestURI().getRawQuery() == null ? ""
							: "?" + URLDecoder.decode(exchange.getRequestURI().getRawQuery(), StandardCharsets.UTF_8));
			PatientRecord record = served.get();
			Resource answer = query.startsWith("Medication/") ? record.resources().stream()
				.filter(resource -> query.equals("Medication/" + resource.getIdElement().getIdPart())).findFirst()
				.orElse(null) : unfiltered.answer(query, record);
			respond(exchange, answer);
		});
		server.start();
		return server;
	}

	private void respond(HttpExchange exchange, Resource answer) throws IOException {
		byte[] body = answer == null ? new byte[0]
				: path.fhir.newJsonParser().encodeResourceToString(answer).getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().add("Content-Type", "application/fhir+json");
		exchange.sendResponseHeaders(answer == null ? 404 : 200, answer == null ? -1 : body.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(body);
		}
	}

	/** The committed Synthea patients (src/test/resources/synthea), each with its own draft orders, prefetch filtered by code. */
	private void synthea() {
		section("Synthea patients");
		line("The committed Synthea 3.3.0 subset (`src/test/resources/synthea/`, docs/real-world-data.md): each "
				+ "patient with its additions and draft orders, the prefetch answered from the record as an EHR "
				+ "that filters by code does. ms per call: median after warm-up (cards in brackets).");
		line("");
		line("| patient | record | " + String.join(" | ", SERVICES) + " |");
		line("| --- | ---: |" + " ---: |".repeat(SERVICES.size()));
		var parser = path.fhir.newJsonParser();
		int calls = quick ? 5 : 20;
		List<Double> all = new ArrayList<>();
		for (SyntheaFixture fixture : SyntheaFixture.all(LocalDate.now())) {
			Patient patient = (Patient) parser.parseResource(fixture.record().patient().toString());
			List<Resource> resources = new ArrayList<>(List.of(patient));
			fixture.record().records().forEach(node -> resources.add((Resource) parser.parseResource(node.toString())));
			List<MedicationRequest> drafts = fixture.record().draftOrders().stream()
				.map(node -> (MedicationRequest) parser.parseResource(node.toString())).toList();
			PatientRecord record = new PatientRecord(patient, resources, drafts);
			StringBuilder row = new StringBuilder("| %s | %d |".formatted(fixture.name(), resources.size()));
			for (String serviceId : SERVICES) {
				byte[] body = filtered.withPrefetch(service(serviceId), record);
				int cards = path.call(serviceId, body).size();
				double[] time = timed(calls, () -> path.call(serviceId, body));
				all.add(time[0]);
				row.append(" %s (%d) |".formatted(millis(time[0]), cards));
			}
			line(row.toString());
		}
		all.sort(null);
		line("");
		line("Median of the per-patient medians: %s; largest: %s.".formatted(millis(median(all)), millis(all.get(all.size() - 1))));
	}

	private int prefetchSize(ServiceDefinition service, PatientRecord record) {
		int count = 0;
		for (String template : service.prefetch().values()) {
			Resource answer = unfiltered.answer(template, record);
			count += answer instanceof org.hl7.fhir.r4.model.Bundle bundle ? bundle.getEntry().size() : 1;
		}
		return count;
	}

	private ServiceDefinition service(String id) {
		return Bench.service(path.json, id);
	}

	private void section(String title) {
		markdown.append("\n### ").append(title).append("\n\n");
	}

	private void line(String text) {
		markdown.append(text).append('\n');
	}

	static double median(List<Double> values) {
		List<Double> sorted = new ArrayList<>(values);
		sorted.sort(null);
		int middle = sorted.size() / 2;
		return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
	}

	static String millis(double millis) {
		if (Double.isNaN(millis)) {
			return "";
		}
		return millis >= 10_000 ? "%.1f s".formatted(millis / 1000)
				: millis >= 100 ? "%.0f ms".formatted(millis) : String.format(Locale.ROOT, "%.1f ms", millis);
	}

	private static String kilobytes(long bytes) {
		return bytes >= 1 << 20 ? "%.1f MB".formatted(bytes / 1048576.0) : "%.0f kB".formatted(bytes / 1024.0);
	}
}
