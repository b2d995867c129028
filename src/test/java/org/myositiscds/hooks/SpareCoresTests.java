package org.myositiscds.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class SpareCoresTests {

	@Test
	void everyPieceRunsOnceAndTheResultsKeepThePiecesOrder() {
		try (SpareCores cores = new SpareCores(2, () -> 1)) {
			List<Supplier<Integer>> pieces = IntStream.range(0, 50).<Supplier<Integer>>mapToObj(i -> () -> i * i).toList();
			assertThat(cores.run(pieces)).containsExactlyElementsOf(IntStream.range(0, 50).map(i -> i * i).boxed().toList());
		}
	}

	@Test
	void withoutHelpersTheCallingThreadRunsThePiecesInOrder() {
		List<String> threads = new ArrayList<>();
		List<Supplier<Integer>> pieces = IntStream.range(0, 5).<Supplier<Integer>>mapToObj(i -> () -> {
			threads.add(Thread.currentThread().getName() + "#" + i);
			return i;
		}).toList();
		assertThat(SpareCores.NONE.run(pieces)).containsExactly(0, 1, 2, 3, 4);
		String caller = Thread.currentThread().getName();
		assertThat(threads).containsExactly(caller + "#0", caller + "#1", caller + "#2", caller + "#3", caller + "#4");
	}

	/** A call never waits for another call's pieces: with the helper busy, the calling thread does all of its own. */
	@Test
	void aBusyHelperLeavesEveryPieceToTheCallingThread() throws Exception {
		CountDownLatch helperBusy = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		ExecutorService otherCall = Executors.newSingleThreadExecutor();
		try (SpareCores cores = new SpareCores(1, () -> 1)) {
			// Of the other call's two pieces the helper takes one and holds it; its own thread waits
			// until then, so that it cannot take both before the helper is busy.
			Supplier<String> piece = () -> {
				if (Thread.currentThread().getName().equals("spare-core")) {
					helperBusy.countDown();
					await(release);
					return "helper";
				}
				await(helperBusy);
				return "own";
			};
			Future<List<String>> other = otherCall.submit(() -> cores.run(List.of(piece, piece)));
			assertThat(helperBusy.await(10, TimeUnit.SECONDS)).isTrue();
			String caller = Thread.currentThread().getName();
			List<Supplier<String>> mine = IntStream.range(0, 4)
				.<Supplier<String>>mapToObj(i -> () -> Thread.currentThread().getName())
				.toList();
			assertThat(cores.run(mine)).containsOnly(caller);
			release.countDown();
			// The other call's own thread takes its second piece unless it is held up long enough for the
			// helper, once released, to take that one too: either way the helper ran the first.
			assertThat(other.get(10, TimeUnit.SECONDS)).hasSize(2).contains("helper");
			assertThat(cores.piecesHelped()).isBetween(1L, 2L);
		}
		finally {
			release.countDown();
			otherCall.shutdownNow();
		}
	}

	/** On a machine whose every core has a call, each call keeps to its own thread. */
	@Test
	void noPieceIsHandedOverWhileEveryCoreHasACall() {
		try (SpareCores cores = new SpareCores(1, () -> 2)) {
			String caller = Thread.currentThread().getName();
			List<Supplier<String>> pieces = IntStream.range(0, 4)
				.<Supplier<String>>mapToObj(i -> () -> Thread.currentThread().getName())
				.toList();
			assertThat(cores.run(pieces)).containsOnly(caller);
			assertThat(cores.piecesHelped()).isZero();
		}
	}

	@Test
	void aFailedPieceFailsTheRunOnceEveryPieceHasEnded() {
		List<Integer> ended = new ArrayList<>();
		try (SpareCores cores = new SpareCores(1, () -> 1)) {
			List<Supplier<Integer>> pieces = List.of(() -> {
				throw new IllegalArgumentException("first");
			}, () -> {
				synchronized (ended) {
					ended.add(1);
				}
				return 1;
			});
			assertThatThrownBy(() -> cores.run(pieces)).isInstanceOf(IllegalArgumentException.class).hasMessage("first");
			assertThat(ended).containsExactly(1);
		}
	}

	private static void await(CountDownLatch latch) {
		try {
			if (!latch.await(10, TimeUnit.SECONDS)) {
				throw new AssertionError("not released");
			}
		}
		catch (InterruptedException e) {
			throw new AssertionError(e);
		}
	}
}
