package org.myositiscds.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Sends requests at a fixed rate, whatever the service does (open loop): request i is due at
 * start + i / rate. Its latency is measured from that intended time, not from when it was sent,
 * so a service that stalls is charged for the requests that queued behind the stall
 * (coordinated-omission correction, as wrk2 does). The latency from the actual send is kept too,
 * to show the difference.
 */
final class OpenLoop {

	/** Latencies are recorded in microseconds, up to a minute. */
	private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(1);

	/** A stalled service must not make the generator hold unbounded requests; later sends wait. */
	private static final int MAX_IN_FLIGHT = 2000;

	record Result(int rate, Duration duration, long due, long sent, long ok, Map<String, Long> errors,
			Histogram fromIntendedTime, Histogram fromSendTime, Duration elapsed) {

		double achievedRate() {
			return ok / (elapsed.toNanos() / 1e9);
		}
	}

	private final HttpClient client;

	private final URI target;

	OpenLoop(HttpClient client, URI target) {
		this.client = client;
		this.target = target;
	}

	Result run(int rate, Duration duration, List<byte[]> bodies) throws InterruptedException {
		Recorder fromIntended = new Recorder(HIGHEST_MICROS, 3);
		Recorder fromSend = new Recorder(HIGHEST_MICROS, 3);
		Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
		AtomicLong ok = new AtomicLong();
		Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
		long periodNanos = 1_000_000_000L / rate;
		long due = rate * duration.toSeconds();
		long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
		long end = start + duration.toNanos();
		long sent = 0;
		for (long i = 0; i < due; i++) {
			long intended = start + i * periodNanos;
			waitUntil(intended);
			if (!inFlight.tryAcquire(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
				break;
			}
			byte[] body = bodies.get((int) (i % bodies.size()));
			long sentAt = System.nanoTime();
			sent++;
			client.sendAsync(request(body), HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, failure) -> {
				long done = System.nanoTime();
				String error = failure != null ? describe(failure)
						: response.statusCode() != 200 ? "HTTP " + response.statusCode() : null;
				if (error != null) {
					errors.computeIfAbsent(error, key -> new AtomicLong()).incrementAndGet();
				}
				else {
					ok.incrementAndGet();
					fromIntended.recordValue(Math.min(HIGHEST_MICROS, (done - intended) / 1000));
					fromSend.recordValue(Math.min(HIGHEST_MICROS, (done - sentAt) / 1000));
				}
				// Released last: the end of the phase waits for every permit, so every answer is counted by then.
				inFlight.release();
			});
		}
		// Waits for the answers still on their way, then stops the clock.
		if (!inFlight.tryAcquire(MAX_IN_FLIGHT, 60, TimeUnit.SECONDS)) {
			errors.computeIfAbsent("no answer within 60 s after the phase", key -> new AtomicLong())
				.addAndGet(MAX_IN_FLIGHT - inFlight.availablePermits());
		}
		Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
		Map<String, Long> errorCounts = new TreeMap<>();
		errors.forEach((error, count) -> errorCounts.put(error, count.get()));
		return new Result(rate, duration, due, sent, ok.get(), errorCounts, fromIntended.getIntervalHistogram(),
				fromSend.getIntervalHistogram(), elapsed);
	}

	HttpRequest request(byte[] body) {
		return HttpRequest.newBuilder(target)
			.header("Content-Type", "application/json")
			.header("Accept", "application/json")
			.timeout(Duration.ofSeconds(30))
			.POST(HttpRequest.BodyPublishers.ofByteArray(body))
			.build();
	}

	/** The failure's own exception, not the CompletionException around it; HttpClient's messages name no data. */
	static String describe(Throwable failure) {
		Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
				? failure.getCause() : failure;
		return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
	}

	private static void waitUntil(long nanoTime) {
		for (long left = nanoTime - System.nanoTime(); left > 0; left = nanoTime - System.nanoTime()) {
			LockSupport.parkNanos(left);
		}
	}
}
