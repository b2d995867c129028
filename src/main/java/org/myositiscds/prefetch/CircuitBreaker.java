package org.myositiscds.prefetch;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stops calling an EHR FHIR server that keeps failing: after a run of consecutive failed queries
 * the server is not called for a while and calls get 412 at once; then one query is let through
 * to try it again. Kept per server origin, so one broken EHR does not affect another.
 */
public final class CircuitBreaker {

	private final int failureThreshold;

	private final Duration openDuration;

	private final Clock clock;

	private final Map<String, State> states = new ConcurrentHashMap<>();

	public CircuitBreaker(int failureThreshold, Duration openDuration, Clock clock) {
		this.failureThreshold = failureThreshold;
		this.openDuration = openDuration;
		this.clock = clock;
	}

	private static final class State {

		int consecutiveFailures;

		Instant openUntil = Instant.MIN;

		boolean trialInFlight;
	}

	/** Whether a query to this server may go out now. */
	public boolean allows(URI server) {
		State state = states.computeIfAbsent(origin(server), key -> new State());
		synchronized (state) {
			if (state.consecutiveFailures < failureThreshold) {
				return true;
			}
			if (clock.instant().isBefore(state.openUntil) || state.trialInFlight) {
				return false;
			}
			state.trialInFlight = true;
			return true;
		}
	}

	public void succeeded(URI server) {
		State state = states.computeIfAbsent(origin(server), key -> new State());
		synchronized (state) {
			state.consecutiveFailures = 0;
			state.trialInFlight = false;
		}
	}

	public void failed(URI server) {
		State state = states.computeIfAbsent(origin(server), key -> new State());
		synchronized (state) {
			state.consecutiveFailures++;
			state.trialInFlight = false;
			if (state.consecutiveFailures >= failureThreshold) {
				state.openUntil = clock.instant().plus(openDuration);
			}
		}
	}

	private static String origin(URI server) {
		return server.getScheme() + "://" + server.getHost() + ":" + server.getPort();
	}
}
