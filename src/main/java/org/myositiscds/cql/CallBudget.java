package org.myositiscds.cql;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import org.opencds.cqf.cql.engine.data.CompositeDataProvider;
import org.opencds.cqf.cql.engine.model.ModelResolver;
import org.opencds.cqf.cql.engine.retrieve.RetrieveProvider;
import org.opencds.cqf.cql.engine.runtime.Code;
import org.opencds.cqf.cql.engine.runtime.Interval;

/**
 * What one CDS Hooks call may spend: time until its deadline, and bytes fetched from the EHR's
 * FHIR server. It is bound to the thread that works on the call, so that the fetches and the CQL
 * engine, which have no notion of a call, can stop when it is spent: the engine has no
 * cancellation, so the data it is given checks the budget at each step ({@link #dataProvider}).
 * It also holds the call's share of the {@link DataRoom} the calls under way share, until
 * {@link #release}. Code run outside a bounded call (warm-up, authoring, benchmarks) sees an
 * unbounded budget.
 */
public final class CallBudget {

	/** Why a call was stopped before its end. */
	public enum Stop {

		/** The call took longer than its deadline. */
		DEADLINE("deadline"),

		/** The client closed the connection: nobody waits for the answer. */
		CLIENT_GONE("client-gone");

		private final String tag;

		Stop(String tag) {
			this.tag = tag;
		}

		/** The value of metric tags and log lines. */
		public String tag() {
			return tag;
		}
	}

	private static final ThreadLocal<CallBudget> CURRENT = new ThreadLocal<>();

	private static final CallBudget UNBOUNDED = new CallBudget(Long.MAX_VALUE, Long.MAX_VALUE, null);

	private final long deadlineNanos;

	private final long maxFetchedBytes;

	private final AtomicLong fetchableBytes;

	private final CompletableFuture<Stop> stopped = new CompletableFuture<>();

	/** Null for no bound on the data held at once. */
	private final DataRoom room;

	/**
	 * Below this many bytes fetched a call's answers take room only once each is whole: the usual
	 * call then holds room for what it fetched and nothing more. Half of what fits in the room
	 * beside one call that fetches all it may, so that small calls go by one waiting for room.
	 */
	private final long smallFetch;

	/** Room taken for the call's request body (guarded by this). */
	private long bodyHeld;

	/** Room the call holds, body included (guarded by this). */
	private long held;

	/** The call's work has ended and its room is given back (guarded by this). */
	private boolean released;

	private CallBudget(long deadlineNanos, long maxFetchedBytes, DataRoom room) {
		this.deadlineNanos = deadlineNanos;
		this.maxFetchedBytes = maxFetchedBytes;
		this.fetchableBytes = new AtomicLong(maxFetchedBytes);
		this.room = room;
		this.smallFetch = room == null ? Long.MAX_VALUE : (room.capacity() - Math.min(room.capacity(), maxFetchedBytes)) / 2;
	}

	/**
	 * A budget whose deadline is the given {@link System#nanoTime()} instant, whose data takes room
	 * in the given room.
	 */
	public static CallBudget until(long deadlineNanos, long maxFetchedBytes, DataRoom room) {
		return new CallBudget(deadlineNanos, maxFetchedBytes, room);
	}

	/** The budget of the call this thread works on; unbounded outside a call. */
	public static CallBudget current() {
		CallBudget budget = CURRENT.get();
		return budget == null ? UNBOUNDED : budget;
	}

	/** Makes this the thread's budget until the returned binding is closed. */
	public Binding bind() {
		CallBudget previous = CURRENT.get();
		CURRENT.set(this);
		return () -> {
			if (previous == null) {
				CURRENT.remove();
			}
			else {
				CURRENT.set(previous);
			}
		};
	}

	/** A thread's budget for a while: closing it gives the thread back its previous one. */
	@FunctionalInterface
	public interface Binding extends AutoCloseable {

		@Override
		void close();
	}

	/** Stops the call: every later check throws. The first reason given is kept. */
	public void stop(Stop reason) {
		stopped.complete(reason);
	}

	/** Why the call was stopped: the reason given to {@link #stop}, the deadline once passed, or null. */
	public Stop stopReason() {
		Stop reason = stopped.getNow(null);
		if (reason == null && this != UNBOUNDED && System.nanoTime() - deadlineNanos >= 0) {
			stop(Stop.DEADLINE);
			reason = stopped.getNow(null);
		}
		return reason;
	}

	/** @throws Exhausted once the call has been stopped or its deadline has passed */
	public void check() {
		Stop reason = stopReason();
		if (reason != null) {
			throw new Exhausted(reason);
		}
	}

	/**
	 * The time left, at most {@code cap}: what a fetch started now may take.
	 * @throws Exhausted when none is left
	 */
	public Duration remaining(Duration cap) {
		check();
		if (this == UNBOUNDED) {
			return cap;
		}
		long left = deadlineNanos - System.nanoTime();
		return left < cap.toNanos() ? Duration.ofNanos(Math.max(left, 1)) : cap;
	}

	/** Takes bytes fetched from the budget: false once the call has fetched more than it may. */
	public boolean takeFetchedBytes(long bytes) {
		return fetchableBytes.addAndGet(-bytes) >= 0;
	}

	/**
	 * Takes room for the call's request body, all of it or nothing (a body larger than the room
	 * takes the whole room, so it is worked on alone): false while the other calls hold too much.
	 */
	public synchronized boolean holdBody(long bytes) {
		if (room == null) {
			return true;
		}
		long want = Math.min(Math.max(0, bytes), room.capacity());
		if (released || !take(want - bodyHeld)) {
			return false;
		}
		bodyHeld = Math.max(bodyHeld, want);
		return true;
	}

	/**
	 * Takes room for what the call has fetched so far ({@link #takeFetchedBytes}), before more is
	 * read or an answer is parsed: false while the other calls hold too much (the fetch waits), or
	 * once the call has ended. A whole answer takes room for its bytes; an answer still arriving
	 * needs none until the call has fetched more than a small call does, and then takes room for
	 * all the call may fetch at once, so that it never waits holding part of what it needs.
	 * @param whole whether the answer last read is complete, about to be parsed
	 */
	public synchronized boolean holdFetched(boolean whole) {
		if (room == null) {
			return true;
		}
		if (released) {
			return false;
		}
		long fetched = maxFetchedBytes - fetchableBytes.get();
		if (!whole && fetched <= smallFetch) {
			return true;
		}
		long want = Math.min(room.capacity(), bodyHeld + (fetched <= smallFetch ? fetched : Math.max(fetched, maxFetchedBytes)));
		return want <= held || take(want - held);
	}

	private boolean take(long bytes) {
		if (bytes <= 0) {
			return true;
		}
		if (!room.tryTake(bytes)) {
			return false;
		}
		held += bytes;
		return true;
	}

	/** Gives back the room the call holds: its work has ended. It takes none after. */
	public synchronized void release() {
		if (room != null && !released) {
			released = true;
			room.give(held);
			held = 0;
		}
	}

	/** Whether the call's work has ended ({@link #release}): what it still fetches is for nobody. */
	public synchronized boolean ended() {
		return released;
	}

	/**
	 * The fetch's result, or {@link Exhausted} as soon as the call is stopped (at its deadline by
	 * whoever runs the call, or when the client leaves), whichever comes first: a call that is
	 * over waits for no server.
	 */
	public <T> CompletableFuture<T> bound(CompletableFuture<T> fetch) {
		if (this == UNBOUNDED) {
			return fetch;
		}
		CompletableFuture<T> bounded = new CompletableFuture<>();
		fetch.whenComplete((value, failure) -> {
			if (failure == null) {
				bounded.complete(value);
			}
			else {
				bounded.completeExceptionally(failure);
			}
		});
		stopped.thenAccept(reason -> bounded.completeExceptionally(new Exhausted(reason)));
		return bounded;
	}

	/**
	 * The engine's data provider for one evaluation, checking this budget whenever the engine
	 * reads a path, compares two FHIR values, retrieves, or steps through what it retrieved: the
	 * places every CQL expression over patient data passes through.
	 */
	CompositeDataProvider dataProvider(ModelResolver modelResolver, RetrieveProvider retrieveProvider) {
		return this == UNBOUNDED ? new CompositeDataProvider(modelResolver, retrieveProvider)
				: new CheckedDataProvider(modelResolver, retrieveProvider, this);
	}

	/** The call was stopped; it carries no stack trace, and no patient data. */
	public static final class Exhausted extends RuntimeException {

		private final Stop reason;

		public Exhausted(Stop reason) {
			super("The call was stopped: " + reason.tag(), null, false, false);
			this.reason = reason;
		}

		public Stop reason() {
			return reason;
		}

		/** The stop among the causes of a failure, or null when it was not one. */
		public static Exhausted in(Throwable failure) {
			for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
				if (cause instanceof Exhausted exhausted) {
					return exhausted;
				}
			}
			return null;
		}
	}

	private static final class CheckedDataProvider extends CompositeDataProvider {

		private final CallBudget budget;

		CheckedDataProvider(ModelResolver modelResolver, RetrieveProvider retrieveProvider, CallBudget budget) {
			super(modelResolver, retrieveProvider);
			this.budget = budget;
		}

		@Override
		public Object resolvePath(Object target, String path) {
			budget.check();
			return super.resolvePath(target, path);
		}

		@Override
		public Boolean objectEqual(Object left, Object right) {
			budget.check();
			return super.objectEqual(left, right);
		}

		@Override
		public Boolean objectEquivalent(Object left, Object right) {
			budget.check();
			return super.objectEquivalent(left, right);
		}

		@Override
		public Iterable<Object> retrieve(String context, String contextPath, Object contextValue, String dataType,
				String templateId, String codePath, Iterable<Code> codes, String valueSet, String datePath,
				String dateLowPath, String dateHighPath, Interval dateRange) {
			budget.check();
			Iterable<Object> found = super.retrieve(context, contextPath, contextValue, dataType, templateId, codePath,
					codes, valueSet, datePath, dateLowPath, dateHighPath, dateRange);
			return () -> {
				Iterator<Object> resources = found.iterator();
				return new Iterator<>() {

					@Override
					public boolean hasNext() {
						budget.check();
						return resources.hasNext();
					}

					@Override
					public Object next() {
						return resources.next();
					}
				};
			};
		}
	}
}
