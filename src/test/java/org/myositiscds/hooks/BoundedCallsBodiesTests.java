package org.myositiscds.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.myositiscds.cql.CallBudget;

/**
 * The request bodies worked on at once are bounded (parsing a 5 MB body takes 70 to 130 MB of heap
 * until the call ends, and cannot be stopped midway): a large body waits for those in work, until
 * its deadline, and small calls go by it meanwhile.
 */
class BoundedCallsBodiesTests {

	static final long MB = 1024 * 1024;

	final BoundedCalls calls = new BoundedCalls(new BoundedCalls.Settings(Duration.ofSeconds(2), 8, 10, MB, 10 * MB),
			new SimpleMeterRegistry());

	final CountDownLatch release = new CountDownLatch(1);

	final AtomicInteger largeStarted = new AtomicInteger();

	@AfterEach
	void close() {
		release.countDown();
		calls.close();
	}

	BoundedCalls.Call<String> large(String name) {
		return calls.start(() -> {
			largeStarted.incrementAndGet();
			await();
			return name;
		}, 5 * MB + 1, System.nanoTime(), null);
	}

	void await() {
		try {
			release.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	@Test
	void aLargeBodyWaitsForTheOneInWorkWhileSmallCallsGoBy() throws Exception {
		BoundedCalls.Call<String> first = large("first");
		awaitStarted(1);
		BoundedCalls.Call<String> second = large("second");
		for (int i = 0; i < 20; i++) {
			int n = i;
			assertThat(calls.start(() -> "small " + n, 100_000, System.nanoTime(), null).answer().get(1, TimeUnit.SECONDS))
				.isEqualTo("small " + n);
		}
		assertThat(largeStarted).as("the second large body waits").hasValue(1);
		assertThat(second.answer()).isNotDone();

		release.countDown();
		assertThat(first.answer().get(5, TimeUnit.SECONDS)).isEqualTo("first");
		assertThat(second.answer().get(5, TimeUnit.SECONDS)).isEqualTo("second");
		assertThat(largeStarted).hasValue(2);
	}

	@Test
	void aBodyThatNeverFitsIsAnsweredAtItsDeadlineAndNeverWorkedOn() throws Exception {
		large("first");
		awaitStarted(1);
		long start = System.nanoTime();
		BoundedCalls.Call<String> waiting = large("waiting");

		assertThatThrownBy(() -> waiting.answer().get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
			.cause()
			.isInstanceOf(CallBudget.Exhausted.class);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
		// Its worker looks once more within the poll interval, sees the deadline and gives up.
		Thread.sleep(200);
		release.countDown();
		Thread.sleep(200);
		assertThat(largeStarted).as("the waiting call's work never ran").hasValue(1);
	}

	@Test
	void aBodyLargerThanTheBudgetIsWorkedOnAlone() throws Exception {
		BoundedCalls.Call<String> huge = calls.start(() -> "huge", 20 * MB, System.nanoTime(), null);
		assertThat(huge.answer().get(5, TimeUnit.SECONDS)).isEqualTo("huge");
	}

	void awaitStarted(int count) throws InterruptedException {
		long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (largeStarted.get() < count && System.nanoTime() < until) {
			Thread.sleep(5);
		}
		assertThat(largeStarted).hasValue(count);
	}
}
