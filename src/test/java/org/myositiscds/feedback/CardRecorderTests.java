package org.myositiscds.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.myositiscds.cards.Card;
import org.myositiscds.feedback.FeedbackStore.ShownCard;

/** The card recorder never holds up or fails a hook call, and writes out what it queued. */
class CardRecorderTests {

	private final PatientHasher hasher = new PatientHasher("k".repeat(PatientHasher.MIN_KEY_LENGTH));

	private static Card card(String rule) {
		return new Card(UUID.randomUUID().toString(), "summary", null, "info", null, List.of(), null, List.of(),
				Map.of(Card.RULE_EXTENSION, rule));
	}

	@Test
	void cardsAreWrittenWithTheRuleAndTheHashedPatient() {
		List<ShownCard> written = new CopyOnWriteArrayList<>();
		Card card = card("HBV-2");
		try (CardRecorder recorder = new CardRecorder(10, hasher, written::addAll)) {
			recorder.shown("svc", "hook-1", "patient-1", Instant.EPOCH, List.of(card));
		}
		assertThat(written).singleElement().satisfies(row -> {
			assertThat(row.cardUuid()).isEqualTo(card.uuid());
			assertThat(row.ruleId()).isEqualTo("HBV-2");
			assertThat(row.patientHash()).isEqualTo(hasher.hash("patient-1")).doesNotContain("patient-1");
		});
	}

	@Test
	void aFailingDatabaseNeverReachesTheCaller() {
		try (CardRecorder recorder = new CardRecorder(10, hasher, rows -> {
			throw new IllegalStateException("database down");
		})) {
			assertThatCode(() -> recorder.shown("svc", "hook-1", "patient-1", Instant.EPOCH, List.of(card("HBV-1"))))
				.doesNotThrowAnyException();
		}
	}

	@Test
	void aFullQueueDropsCardsInsteadOfBlockingTheCall() {
		CountDownLatch release = new CountDownLatch(1);
		try (CardRecorder recorder = new CardRecorder(2, hasher, rows -> {
			try {
				release.await(5, TimeUnit.SECONDS);
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		})) {
			try {
				long start = System.nanoTime();
				for (int i = 0; i < 50; i++) {
					recorder.shown("svc", "hook-" + i, "patient-1", Instant.EPOCH, List.of(card("HBV-1")));
				}
				assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1000);
				// The writer is stuck: at most it holds a first call and a drained batch (up to the
				// queue's 2), and the queue holds 2 more. Everything else was dropped at once.
				assertThat(recorder.unrecorded()).isGreaterThanOrEqualTo(50 - 5);
			}
			finally {
				release.countDown();
			}
		}
	}

	@Test
	void callsArrivingTogetherAreWrittenInOneTransaction() {
		List<Integer> transactions = new CopyOnWriteArrayList<>();
		try (CardRecorder recorder = new CardRecorder(100, hasher, rows -> transactions.add(rows.size()),
				Duration.ofSeconds(2))) {
			for (int i = 0; i < 40; i++) {
				recorder.shown("svc", "hook-" + i, "patient-" + i, Instant.EPOCH, List.of(card("HBV-1"), card("HBV-2")));
			}
		}
		assertThat(transactions).as("rows per transaction").containsExactly(80);
	}

	@Test
	void closingWritesOutEveryQueuedCallWithoutWaitingForMore() {
		List<ShownCard> written = new CopyOnWriteArrayList<>();
		long start = System.nanoTime();
		try (CardRecorder recorder = new CardRecorder(1000, hasher, written::addAll, Duration.ofSeconds(30))) {
			for (int i = 0; i < 700; i++) {
				recorder.shown("svc", "hook-" + i, "patient-1", Instant.EPOCH, List.of(card("RTX-" + (i % 12 + 1))));
			}
			recorder.suppressed("svc", "hook-x", "patient-1", Instant.EPOCH, List.of(card("RTX-7")));
		}
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
		assertThat(written).hasSize(701);
		assertThat(written.stream().map(ShownCard::hookInstance).distinct()).hasSize(701);
		assertThat(written.stream().filter(ShownCard::suppressed)).singleElement()
			.satisfies(row -> assertThat(row.ruleId()).isEqualTo("RTX-7"));
	}

	@Test
	void callsWithoutCardsRecordNothing() {
		List<ShownCard> written = new CopyOnWriteArrayList<>();
		try (CardRecorder recorder = new CardRecorder(10, hasher, written::addAll)) {
			recorder.shown("svc", "hook-1", "patient-1", Instant.EPOCH, List.of());
		}
		assertThat(written).isEmpty();
	}
}
