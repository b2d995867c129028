package org.myositiscds.feedback;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.myositiscds.cards.Card;
import org.myositiscds.feedback.FeedbackStore.ShownCard;
import org.myositiscds.hooks.CardLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the cards of each call (those returned, and those a remembered override kept back) off the hook's path: the call only puts them on a bounded queue,
 * and one writer thread hashes the patient id and writes what has piled up in one transaction.
 * The writer lets calls gather for a moment ({@link #GATHER}) before it writes: a commit rewrites
 * every index page it touches, so one commit per call cost the service more CPU than the call's
 * whole HTTP handling (docs/performance.md, "CPU per call (HTTP path)"). When the queue is full or
 * the database fails, cards go unrecorded (counted and logged, without patient data) rather than
 * slow down or fail ordering. On shutdown the queue is written out.
 */
final class CardRecorder implements CardLog, AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(CardRecorder.class);

	static final int MAX_BATCH = 500;

	/** How long the writer waits for more calls after the first before it writes them together. */
	static final Duration GATHER = Duration.ofMillis(200);

	/** While gathering, how often the writer looks whether it is being closed. */
	private static final long GATHER_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

	private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(10);

	private record Shown(String serviceId, String hookInstance, String patientId, Instant time, List<Card> cards,
			boolean suppressed) {
	}

	private final BlockingQueue<Shown> queue;

	private final PatientHasher hasher;

	private final Consumer<List<ShownCard>> writer;

	private final Thread thread;

	private final long gatherNanos;

	private final AtomicLong dropped = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private volatile boolean stopping;

	CardRecorder(int capacity, PatientHasher hasher, Consumer<List<ShownCard>> writer) {
		this(capacity, hasher, writer, GATHER);
	}

	CardRecorder(int capacity, PatientHasher hasher, Consumer<List<ShownCard>> writer, Duration gather) {
		this.gatherNanos = gather.toNanos();
		this.queue = new ArrayBlockingQueue<>(capacity);
		this.hasher = hasher;
		this.writer = writer;
		this.thread = new Thread(this::run, "card-recorder");
		this.thread.setDaemon(true);
		this.thread.start();
	}

	@Override
	public void shown(String serviceId, String hookInstance, String patientId, Instant time, List<Card> cards) {
		queue(new Shown(serviceId, hookInstance, patientId, time, List.copyOf(cards), false));
	}

	@Override
	public void suppressed(String serviceId, String hookInstance, String patientId, Instant time, List<Card> cards) {
		queue(new Shown(serviceId, hookInstance, patientId, time, List.copyOf(cards), true));
	}

	private void queue(Shown shown) {
		if (shown.cards().isEmpty()) {
			return;
		}
		if (stopping || !queue.offer(shown)) {
			long count = dropped.incrementAndGet();
			if (Long.bitCount(count) == 1) {
				log.warn("Card recording is behind: the cards of {} calls were not recorded", count);
			}
		}
	}

	/** Calls whose cards could not be recorded: queue full, or written while the database failed. */
	long unrecorded() {
		return dropped.get() + failed.get();
	}

	private void run() {
		List<Shown> batch = new ArrayList<>();
		while (!stopping || !queue.isEmpty()) {
			try {
				Shown first = queue.poll(200, TimeUnit.MILLISECONDS);
				if (first == null) {
					continue;
				}
				batch.add(first);
				gather(batch);
				write(batch);
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (RuntimeException e) {
				failed.addAndGet(batch.size());
				log.warn("Could not record the cards of {} calls: {}", batch.size(), e.getClass().getName());
			}
			finally {
				batch.clear();
			}
		}
	}

	/**
	 * Adds the calls that arrive within the gathering time, up to a batch; at once when closing. The
	 * writer sleeps rather than waits on the queue: a waiting consumer would be woken by every call.
	 */
	private void gather(List<Shown> batch) {
		long until = System.nanoTime() + gatherNanos;
		long left;
		while (!stopping && queue.size() < MAX_BATCH - batch.size() && (left = until - System.nanoTime()) > 0) {
			try {
				TimeUnit.NANOSECONDS.sleep(Math.min(left, GATHER_STEP_NANOS));
			}
			catch (InterruptedException e) {
				// What was gathered is written; the loop then ends.
				Thread.currentThread().interrupt();
				break;
			}
		}
		queue.drainTo(batch, MAX_BATCH - batch.size());
	}

	private void write(List<Shown> batch) {
		List<ShownCard> rows = new ArrayList<>();
		for (Shown shown : batch) {
			String patientHash = hasher.hash(shown.patientId());
			for (Card card : shown.cards()) {
				String rule = card.extension() == null ? null : card.rule();
				rows.add(new ShownCard(card.uuid(), shown.serviceId(), rule == null ? "(none)" : rule,
						shown.hookInstance(), patientHash, shown.time(), card.indicator(), CardFacts.fingerprint(card),
						shown.suppressed()));
			}
		}
		writer.accept(rows);
	}

	/** Stops taking cards and writes out those waiting, so that a normal shutdown loses none. */
	@Override
	public void close() {
		stopping = true;
		try {
			thread.join(SHUTDOWN_WAIT.toMillis());
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		if (!queue.isEmpty()) {
			log.warn("Shutting down with the cards of {} calls not recorded", queue.size());
		}
	}
}
