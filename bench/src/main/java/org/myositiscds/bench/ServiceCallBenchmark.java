package org.myositiscds.bench;

import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.myositiscds.cards.Card;
import org.myositiscds.knowledge.ServiceDefinition;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One whole call of each service, through the same Java path the HTTP endpoint takes (request
 * parsing, prefetch, CQL, card assembly), without HTTP and response serialization. Each
 * invocation is the next of the generated patients, so no cache sees the same patient twice in a row.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 4)
@Measurement(iterations = 5, time = 4)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class ServiceCallBenchmark {

	@Param({ "rituximab-order-sign", "rituximab-order-select", "hbv-screening-order-sign", "hbv-screening-order-select",
			"tacrolimus-deescalation-order-sign", "tacrolimus-deescalation-order-select" })
	public String service;

	@Param("200")
	public int patients;

	private CallPath path;

	private List<byte[]> bodies;

	private int next;

	@Setup
	public void setUp() {
		path = new CallPath();
		HookRequests requests = new HookRequests(path.fhir, path.json, Bench.DEFAULT_SEED);
		ServiceDefinition definition = Bench.service(path.json, service);
		bodies = new PatientGenerator(Bench.DEFAULT_SEED, LocalDate.now()).patients(patients).stream()
			.map(patient -> requests.withPrefetch(definition, patient))
			.toList();
		// As the service's own warm-up does before it listens: a cold CQL engine is ten times slower,
		// and a few seconds of JMH warm-up are too few calls to make up for it.
		bodies.forEach(body -> path.call(service, body));
	}

	@Benchmark
	public List<Card> call() {
		byte[] body = bodies.get(next);
		next = (next + 1) % bodies.size();
		return path.call(service, body);
	}
}
