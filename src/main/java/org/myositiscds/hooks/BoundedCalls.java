package org.myositiscds.hooks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.myositiscds.cql.CallBudget;
import org.myositiscds.cql.DataRoom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;

/**
 * Runs hook calls on a bounded pool of workers, each within its deadline. At the deadline the
 * client is answered at once, whatever the worker is doing, and the call's {@link CallBudget} is
 * stopped: its fetches give up waiting and the CQL engine stops at its next step, which frees the
 * worker. A call whose client has gone is stopped the same way. A heavy call therefore holds one
 * worker (and at most one core) until its deadline, never more, and the other calls run beside it;
 * only the parsing of a long prefetch may use a core more, one no other call is using ({@link SpareCores}).
 * <p>
 * The heap a call needs grows with its request: parsing a 5 MB body takes 70 to 130 MB until the
 * call's work ends, and parsing cannot be stopped midway. So the request data worked on at once,
 * bodies and the answers fetched from the EHR, are bounded too ({@link Settings#bodiesAtOnce}, a
 * {@link DataRoom}): a call whose body does not fit beside those in work waits for them, until its
 * deadline, without a queue, so that smaller calls go by it; a fetch waits the same way before it
 * reads or parses more (see {@link CallBudget#holdFetched}).
 */
public final class BoundedCalls implements AutoCloseable {

	/**
	 * The request attribute holding a {@link BooleanSupplier} that says whether the call's client is
	 * still connected, where the server can tell (see system/ClientConnectionValve).
	 */
	public static final String CLIENT_CONNECTED = "org.myositiscds.hooks.BoundedCalls.clientConnected";

	/** How often a call under way asks whether its client is still there. */
	private static final long PROBE_MILLIS = 100;

	private static final Logger log = LoggerFactory.getLogger(BoundedCalls.class);

	/**
	 * @param deadline how long a call may take from its arrival to its answer, queueing included
	 * @param workers how many calls are worked on at once
	 * @param queue how many more may wait for a worker; beyond that a call gets 503 at once
	 * @param maxFetchedBytes how much one call may read from the EHR's FHIR server
	 * @param bodiesAtOnce how many bytes of request bodies and fetched answers may be worked on at
	 * once; a larger body is worked on alone
	 */
	public record Settings(Duration deadline, int workers, int queue, long maxFetchedBytes, long bodiesAtOnce) {
	}

	/** How often a call whose body does not fit looks again. */
	private static final long ADMIT_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

	private final Settings settings;

	private final ThreadPoolExecutor workers;

	private final ScheduledExecutorService timer;

	private final MeterRegistry meters;

	private final DataRoom room;

	public BoundedCalls(Settings settings, MeterRegistry meters) {
		this.settings = settings;
		this.meters = meters;
		this.room = new DataRoom(settings.bodiesAtOnce());
		Gauge.builder("cds.calls.data.held", room, DataRoom::held)
			.description("Bytes of request bodies and fetched answers the calls under way hold")
			.baseUnit("bytes")
			.register(meters);
		AtomicInteger count = new AtomicInteger();
		this.workers = new ThreadPoolExecutor(settings.workers(), settings.workers(), 60, TimeUnit.SECONDS,
				new ArrayBlockingQueue<>(settings.queue()), task -> {
					Thread thread = new Thread(task, "cds-call-" + count.incrementAndGet());
					thread.setDaemon(true);
					return thread;
				});
		this.workers.allowCoreThreadTimeOut(true);
		var deadlines = new ScheduledThreadPoolExecutor(1, task -> {
			Thread thread = new Thread(task, "cds-call-deadline");
			thread.setDaemon(true);
			return thread;
		});
		deadlines.setRemoveOnCancelPolicy(true);
		this.timer = deadlines;
	}

	/** How many calls workers are working on now. */
	public int callsInWork() {
		return workers.getActiveCount();
	}

	public Duration deadline() {
		return settings.deadline();
	}

	/**
	 * One call under way. Its answer is completed under the call's lock, and the client probe runs
	 * under it too, so that the probe never reads from the connection once the answer is on its way.
	 */
	public final class Call<T> {

		private final CallBudget budget;

		private final CompletableFuture<T> answer = new CompletableFuture<>();

		private final long arrivedNanos;

		private final long bodyBytes;

		private volatile long stopNanos;

		private Call(CallBudget budget, long arrivedNanos, long bodyBytes) {
			this.budget = budget;
			this.arrivedNanos = arrivedNanos;
			this.bodyBytes = bodyBytes;
		}

		/**
		 * The call's outcome: its value, or the failure of its work, or {@link CallBudget.Exhausted}
		 * at the deadline, or a 503 {@link CdsHooksException} when too many calls are waiting.
		 */
		public CompletableFuture<T> answer() {
			return answer;
		}

		/** The client has closed the connection: the work stops at its next step. */
		public void clientGone() {
			stop(CallBudget.Stop.CLIENT_GONE);
		}

		private synchronized boolean finish(T value, Throwable failure) {
			return failure == null ? answer.complete(value) : answer.completeExceptionally(failure);
		}

		private synchronized void probe(BooleanSupplier connected) {
			if (!answer.isDone() && !connected.getAsBoolean()) {
				clientGone();
			}
		}

		private void stop(CallBudget.Stop reason) {
			if (answer.isDone()) {
				return;
			}
			stopNanos = System.nanoTime();
			budget.stop(reason);
			answered(reason);
		}

		private void answered(CallBudget.Stop reason) {
			if (finish(null, new CallBudget.Exhausted(reason))) {
				meters.counter("cds.calls.stopped", "reason", reason.tag()).increment();
			}
		}

		private void work(Supplier<T> work) {
			if (budget.stopReason() != null) {
				// Answered already, while it waited for a worker.
				return;
			}
			try {
				if (admitted()) {
					bounded(work);
				}
				// Else stopped while other data was worked on: answered already, or by the timer at the deadline.
			}
			finally {
				budget.release();
			}
		}

		private boolean admitted() {
			while (true) {
				if (budget.holdBody(bodyBytes)) {
					return true;
				}
				else if (budget.stopReason() != null || Thread.currentThread().isInterrupted()
						|| System.nanoTime() - arrivedNanos >= settings.deadline().toNanos()) {
					return false;
				}
				else {
					LockSupport.parkNanos(ADMIT_POLL_NANOS);
				}
			}
		}

		private void bounded(Supplier<T> work) {
			if (budget.stopReason() != null) {
				return;
			}
			try (CallBudget.Binding bound = budget.bind()) {
				T value = work.get();
				CallBudget.Stop late = budget.stopReason();
				if (!finish(value, null) && late != null) {
					// It ended between two checks, after its answer had gone.
					abandoned(late);
				}
			}
			catch (RuntimeException e) {
				CallBudget.Exhausted stopped = CallBudget.Exhausted.in(e);
				CallBudget.Stop reason = stopped != null ? stopped.reason() : budget.stopReason();
				if (reason == null) {
					finish(null, e);
					return;
				}
				// Whatever failed once the call was over failed because it was over.
				answered(reason);
				abandoned(reason);
			}
		}

		/** Counts and logs a call given up, with the time its worker took to notice (no patient data). */
		private void abandoned(CallBudget.Stop reason) {
			long now = System.nanoTime();
			long stoppedAt = reason == CallBudget.Stop.DEADLINE ? arrivedNanos + settings.deadline().toNanos()
					: stopNanos == 0 ? now : stopNanos;
			long lag = Math.max(0, now - stoppedAt);
			Timer.builder("cds.calls.abandoned")
				.description("Calls whose work was given up, by reason: the time from the stop to the worker being free")
				.tag("reason", reason.tag())
				.register(meters)
				.record(lag, TimeUnit.NANOSECONDS);
			log.info("A call was stopped ({}) {} ms after it arrived; its worker was free {} ms later", reason.tag(),
					TimeUnit.NANOSECONDS.toMillis(stoppedAt - arrivedNanos), TimeUnit.NANOSECONDS.toMillis(lag));
		}
	}

	/**
	 * Starts a call: its work runs on a worker, with a budget of the configured fetch limit and
	 * deadline, counted from the call's arrival.
	 * @param bodyBytes the size of the call's request body, counted against the bodies worked on at once
	 * @param arrivedNanos when the request arrived ({@link System#nanoTime()}), before its body was read
	 * @param connected whether the client is still there; null where the server cannot tell
	 */
	public <T> Call<T> start(Supplier<T> work, long bodyBytes, long arrivedNanos, BooleanSupplier connected) {
		long deadlineNanos = arrivedNanos + settings.deadline().toNanos();
		Call<T> call = new Call<>(CallBudget.until(deadlineNanos, settings.maxFetchedBytes(), room), arrivedNanos, bodyBytes);
		List<ScheduledFuture<?>> timers = new ArrayList<>();
		timers.add(timer.schedule(() -> call.stop(CallBudget.Stop.DEADLINE), deadlineNanos - System.nanoTime(),
				TimeUnit.NANOSECONDS));
		if (connected != null) {
			timers.add(timer.scheduleWithFixedDelay(() -> call.probe(connected), PROBE_MILLIS, PROBE_MILLIS,
					TimeUnit.MILLISECONDS));
		}
		call.answer.whenComplete((value, failure) -> timers.forEach(scheduled -> scheduled.cancel(false)));
		try {
			workers.execute(() -> call.work(work));
		}
		catch (RejectedExecutionException e) {
			meters.counter("cds.calls.refused", "reason", "busy").increment();
			call.finish(null, new CdsHooksException(HttpStatus.SERVICE_UNAVAILABLE, "busy",
					"Too many calls are waiting to be evaluated; send it again shortly", List.of()));
		}
		return call;
	}

	@Override
	public void close() {
		workers.shutdownNow();
		timer.shutdownNow();
	}
}
