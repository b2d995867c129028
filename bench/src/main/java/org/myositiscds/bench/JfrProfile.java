package org.myositiscds.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the service's time and allocations went, from a JFR recording of it under load. Each
 * execution sample (and each allocation sample, by its weight) is put in one stage of the data
 * path by the project's frames on its stack: request JSON parsing, FHIR parsing, CQL, card
 * assembly, response serialization, the HTTP stack around them, and other threads. The stages
 * are the ones issue 8 asks about; the top methods say what inside a stage costs.
 */
final class JfrProfile {

	/** A stage's share of the samples. */
	record Share(String stage, long samples, double percent) {
	}

	record Result(long cpuSamples, long truncatedStacks, List<Share> cpu, List<Share> allocation, List<Share> insideCql,
			List<Share> topMethods, List<Share> topPackages, long gcCount, Duration gcPauseTotal, Duration gcPauseLongest) {

		String markdown() {
			StringBuilder out = new StringBuilder();
			out.append("CPU samples: ").append(cpuSamples).append(" (stacks truncated: ").append(truncatedStacks)
				.append(")\n\n| stage | CPU samples | share |\n| --- | --- | --- |\n");
			cpu.forEach(share -> out.append("| %s | %d | %.1f %% |%n".formatted(share.stage(), share.samples(), share.percent())));
			out.append("\n| stage | allocated (sampled weight, MB) | share |\n| --- | --- | --- |\n");
			allocation.forEach(share -> out.append("| %s | %d | %.1f %% |%n".formatted(share.stage(),
					share.samples() / (1024 * 1024), share.percent())));
			out.append("\nInside CQL evaluation, share of its CPU samples:\n\n| what | share |\n| --- | --- |\n");
			insideCql.forEach(share -> out.append("| %s | %.1f %% |%n".formatted(share.stage(), share.percent())));
			out.append("\nTop methods (the frame that was running), share of CPU samples:\n\n| method | share |\n| --- | --- |\n");
			topMethods.forEach(share -> out.append("| `%s` | %.1f %% |%n".formatted(share.stage(), share.percent())));
			out.append("\nTop packages of the running frame:\n\n| package | share |\n| --- | --- |\n");
			topPackages.forEach(share -> out.append("| `%s` | %.1f %% |%n".formatted(share.stage(), share.percent())));
			out.append("\nGarbage collections: %d, pauses %d ms in all, longest %.1f ms%n".formatted(gcCount,
					gcPauseTotal.toMillis(), gcPauseLongest.toNanos() / 1e6));
			return out.toString();
		}
	}

	private static final String CQL = "CQL evaluation";

	private JfrProfile() {
	}

	static Result analyse(Path recording) throws IOException {
		return analyse(recording, Instant.MIN, Instant.MAX);
	}

	/** As {@link #analyse(Path)}, for the events that started between the two instants. */
	static Result analyse(Path recording, Instant from, Instant to) throws IOException {
		Map<String, Long> cpu = new HashMap<>();
		Map<String, Long> allocation = new HashMap<>();
		Map<String, Long> insideCql = new HashMap<>();
		Map<String, Long> methods = new HashMap<>();
		Map<String, Long> packages = new HashMap<>();
		long samples = 0;
		long truncated = 0;
		long gcCount = 0;
		Duration gcTotal = Duration.ZERO;
		Duration gcLongest = Duration.ZERO;
		try (RecordingFile file = new RecordingFile(recording)) {
			while (file.hasMoreEvents()) {
				RecordedEvent event = file.readEvent();
				if (event.getStartTime().isBefore(from) || event.getStartTime().isAfter(to)) {
					continue;
				}
				String name = event.getEventType().getName();
				if (name.equals("jdk.ExecutionSample") && event.getStackTrace() != null) {
					RecordedStackTrace stack = event.getStackTrace();
					samples++;
					truncated += stack.isTruncated() ? 1 : 0;
					String stage = stage(stack, event.getThread("sampledThread").getJavaName());
					cpu.merge(stage, 1L, Long::sum);
					if (stage.equals(CQL)) {
						insideCql.merge(cqlPart(stack.getFrames()), 1L, Long::sum);
					}
					RecordedFrame top = stack.getFrames().get(0);
					String type = top.getMethod().getType().getName();
					methods.merge(type + "." + top.getMethod().getName(), 1L, Long::sum);
					packages.merge(packageOf(type), 1L, Long::sum);
				}
				else if (name.equals("jdk.ObjectAllocationSample") && event.getStackTrace() != null) {
					allocation.merge(stage(event.getStackTrace(), event.getThread("eventThread").getJavaName()),
							event.getLong("weight"), Long::sum);
				}
				else if (name.equals("jdk.GarbageCollection")) {
					gcCount++;
					Duration pause = event.getDuration("sumOfPauses");
					gcTotal = gcTotal.plus(pause);
					gcLongest = pause.compareTo(gcLongest) > 0 ? pause : gcLongest;
				}
			}
		}
		return new Result(samples, truncated, shares(cpu, Integer.MAX_VALUE), shares(allocation, Integer.MAX_VALUE),
				shares(insideCql, Integer.MAX_VALUE), shares(methods, 25), shares(packages, 15), gcCount, gcTotal, gcLongest);
	}

	/**
	 * The stage of the data path a stack is in. The frames are read from the thread's root up, so
	 * the outermost project method decides (the invoker calls the parser, the evaluator and the
	 * assembler in turn); inside the request parser, the frame nearest the running one says which
	 * part of parsing it is.
	 */
	static String stage(RecordedStackTrace stack, String threadName) {
		List<RecordedFrame> frames = stack.getFrames();
		boolean inInvoker = false;
		for (int i = frames.size() - 1; i >= 0; i--) {
			String type = frames.get(i).getMethod().getType().getName();
			String method = frames.get(i).getMethod().getName();
			if (type.equals("org.myositiscds.hooks.CdsRequestParser")) {
				return requestParsingStage(frames, i);
			}
			if (type.startsWith("org.myositiscds.prefetch.")) {
				return "prefetch resolution and FHIR fetches";
			}
			if (type.equals("org.myositiscds.cql.CqlEvaluator")) {
				return CQL;
			}
			if (type.equals("org.myositiscds.cards.CardAssembler")) {
				return above(frames, i, "checkIsFhir") ? "card assembly: strict FHIR check of suggested resources"
						: "card assembly";
			}
			if (type.startsWith("org.myositiscds.feedback.")) {
				return "card log (feedback store)";
			}
			inInvoker |= type.equals("org.myositiscds.hooks.CdsServiceInvoker");
			if (type.equals("org.springframework.web.servlet.mvc.method.annotation.AbstractMessageConverterMethodProcessor")
					&& method.equals("writeWithMessageConverters")) {
				return "response serialization";
			}
		}
		if (stack.isTruncated() && frames.stream().map(frame -> frame.getMethod().getType().getName())
			.anyMatch(type -> type.startsWith("org.opencds.cqf.cql.") || type.startsWith("org.cqframework.cql."))) {
			// JFR keeps the 64 frames nearest the running one; the engine's recursion is deeper than
			// that, so the frames that name the stage are gone, but only the CQL engine runs these.
			return CQL;
		}
		if (inInvoker) {
			return "invoker: metrics, request bookkeeping";
		}
		if (threadName != null && threadName.startsWith("http-nio")) {
			return "HTTP: Tomcat, Spring MVC, filters";
		}
		return "other threads (" + (threadName == null ? "unnamed" : threadName.replaceAll("[-#]?\\d+$", "")) + ")";
	}

	/**
	 * What the CQL engine was doing, by the frames nearest the running one (so truncated stacks
	 * are read as well as full ones): the costs the profile showed, then the rest.
	 */
	static String cqlPart(List<RecordedFrame> frames) {
		boolean resolvePath = false;
		boolean regex = false;
		for (RecordedFrame frame : frames) {
			String type = frame.getMethod().getType().getName();
			String method = frame.getMethod().getName();
			if (type.equals("org.myositiscds.cql.PatientDataRetrieveProvider")) {
				return "retrieve: our provider's filtering by patient, code and value set";
			}
			if (type.startsWith("org.opencds.cqf.cql.engine.runtime.DateTime")
					|| type.equals("org.hl7.fhir.r4.model.BaseDateTimeType")) {
				return "FHIR date/time to CQL DateTime";
			}
			if (type.equals("org.opencds.cqf.cql.engine.execution.Libraries")
					|| type.equals("org.cqframework.cql.cql2elm.LibraryManager")
					|| method.equals("functionDefOperandsSignatureEqual")) {
				return "function and library resolution at each call";
			}
			regex |= type.startsWith("kotlin.text.Regex") || type.startsWith("java.util.regex.");
			if (method.equals("resolvePath") && type.startsWith("org.opencds.cqf.cql.engine.fhir.model.")) {
				resolvePath = true;
				break;
			}
		}
		if (resolvePath) {
			return regex ? "property access: a Regex compiled and split per access (resolvePath)"
					: "property access: the model resolver's other work (resolvePath)";
		}
		return "the rest of the engine: visitor, queries, operators";
	}

	private static String requestParsingStage(List<RecordedFrame> frames, int parserFrame) {
		for (int i = 0; i <= parserFrame; i++) {
			RecordedFrame frame = frames.get(i);
			if (!frame.getMethod().getType().getName().equals("org.myositiscds.hooks.CdsRequestParser")) {
				continue;
			}
			String method = frame.getMethod().getName();
			if (method.equals("readJson")) {
				return "request: JSON parsing (Jackson tree)";
			}
			if (method.equals("parseFhir")) {
				// parseFhir writes the Jackson tree back to text, then has HAPI parse the text.
				return i > 0 && frames.get(i - 1).getMethod().getType().getName().startsWith("tools.jackson")
						? "request: JSON tree written back to text for HAPI" : "request: FHIR parsing (HAPI)";
			}
			return "request: validation";
		}
		return "request: validation";
	}

	/** Whether a method of this name runs above (called from) the frame at {@code index}. */
	private static boolean above(List<RecordedFrame> frames, int index, String method) {
		for (int i = 0; i < index; i++) {
			if (frames.get(i).getMethod().getName().equals(method)) {
				return true;
			}
		}
		return false;
	}

	/** The first four parts of a class's package: enough to tell HAPI's parser from the CQL engine. */
	private static String packageOf(String type) {
		String[] parts = type.split("\\.");
		return String.join(".", List.of(parts).subList(0, Math.min(parts.length - 1, 4)));
	}

	private static List<Share> shares(Map<String, Long> counts, int limit) {
		long total = counts.values().stream().mapToLong(Long::longValue).sum();
		return counts.entrySet().stream()
			.sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
			.limit(limit)
			.map(entry -> new Share(entry.getKey(), entry.getValue(), total == 0 ? 0 : 100.0 * entry.getValue() / total))
			.toList();
	}
}
