package org.myositiscds.hooks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Helper threads that take pieces of one call's work on cores no other call is using: parsing a
 * long record's prefetch (docs/performance.md, "Parsing a long record on a spare core"). Pieces are
 * handed over only while fewer calls are in work than there are cores, and only to a helper that is
 * waiting for work at that moment; otherwise the calling thread does them, so a call is never slower
 * for want of a helper, never waits in a queue behind another call's pieces, and a busy machine's
 * calls each keep to one core. With no helpers everything runs on the calling thread, in order.
 */
public final class SpareCores implements AutoCloseable {

	/** Everything on the calling thread. */
	public static final SpareCores NONE = new SpareCores(0, () -> 1);

	private final ThreadPoolExecutor helpers;

	private final IntSupplier callsInWork;

	private final AtomicLong helped = new AtomicLong();

	/**
	 * @param helpers how many threads may help at once: the machine's cores less one
	 * @param callsInWork how many calls are being worked on, the calling one included
	 */
	public SpareCores(int helpers, IntSupplier callsInWork) {
		this.callsInWork = callsInWork;
		if (helpers <= 0) {
			this.helpers = null;
			return;
		}
		// A SynchronousQueue hands a piece over only to a thread that is idle (or started for it, up
		// to the limit): a busy pool refuses at once instead of queueing.
		this.helpers = new ThreadPoolExecutor(helpers, helpers, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), task -> {
			Thread thread = new Thread(task, "spare-core");
			thread.setDaemon(true);
			return thread;
		});
		this.helpers.allowCoreThreadTimeOut(true);
	}

	/** One helper for each core beyond the first. */
	public static SpareCores ofMachine(IntSupplier callsInWork) {
		return new SpareCores(Runtime.getRuntime().availableProcessors() - 1, callsInWork);
	}

	/**
	 * How many threads a run started now may use: the calling thread, and the helpers while fewer
	 * calls are in work than there are cores.
	 */
	public int threads() {
		return helpers == null || callsInWork.getAsInt() >= cores() ? 1 : cores();
	}

	private int cores() {
		return 1 + helpers.getMaximumPoolSize();
	}

	/**
	 * Runs every piece, the first ones first, on the calling thread and on any idle helpers, and
	 * returns their results in the pieces' order once all are done. A piece that throws throws from
	 * here (the first in order), after the others have finished.
	 */
	public <T> List<T> run(List<Supplier<T>> pieces) {
		Work<T> work = new Work<>(pieces);
		if (threads() > 1) {
			for (int i = 1; i < pieces.size() && i <= helpers.getMaximumPoolSize(); i++) {
				try {
					helpers.execute(() -> work.drain(helped));
				}
				catch (RejectedExecutionException busy) {
					break;
				}
			}
		}
		work.drain(null);
		return work.results();
	}

	/** How many pieces helper threads have run so far. */
	public long piecesHelped() {
		return helped.get();
	}

	@Override
	public void close() {
		if (helpers != null) {
			helpers.shutdown();
		}
	}

	/** The pieces of one run: each thread takes the next one not yet taken until none is left. */
	private static final class Work<T> {

		private final List<Supplier<T>> pieces;

		private final AtomicInteger next = new AtomicInteger();

		private final Object[] results;

		private final Throwable[] failures;

		private final CountDownLatch done;

		Work(List<Supplier<T>> pieces) {
			this.pieces = pieces;
			this.results = new Object[pieces.size()];
			this.failures = new Throwable[pieces.size()];
			this.done = new CountDownLatch(pieces.size());
		}

		/** Runs pieces until none is left, counting them in {@code ran} if given. */
		void drain(AtomicLong ran) {
			for (int i = next.getAndIncrement(); i < pieces.size(); i = next.getAndIncrement()) {
				if (ran != null) {
					ran.incrementAndGet();
				}
				try {
					results[i] = pieces.get(i).get();
				}
				catch (RuntimeException | Error e) {
					failures[i] = e;
				}
				finally {
					done.countDown();
				}
			}
		}

		@SuppressWarnings("unchecked")
		List<T> results() {
			// Only pieces a helper has taken are left: each is already running and ends by itself
			// (parsing a bounded body), so the wait is not interruptible.
			boolean interrupted = false;
			while (true) {
				try {
					done.await();
					break;
				}
				catch (InterruptedException e) {
					interrupted = true;
				}
			}
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
			List<T> list = new ArrayList<>(pieces.size());
			for (int i = 0; i < pieces.size(); i++) {
				if (failures[i] instanceof RuntimeException e) {
					throw e;
				}
				if (failures[i] instanceof Error e) {
					throw e;
				}
				list.add((T) results[i]);
			}
			return list;
		}
	}
}
