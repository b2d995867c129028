package org.myositiscds.prefetch;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * One Resilience4j circuit breaker per EHR FHIR server origin, so one broken EHR does not affect
 * another. Each hook call that reads from the server counts once, whatever the number of prefetch
 * keys: it fails if any of its queries failed, and is slow if its queries took longer than the
 * slow-call threshold. The breaker opens only once the window holds the minimum number of calls
 * and the failure (or slow-call) rate reaches its threshold: one slow answer does not stop the
 * service reading from the server for everyone. State and calls are in the metrics
 * ({@code resilience4j_circuitbreaker_state{name="<origin>"}}).
 */
public final class FhirServerBreakers {

	/**
	 * @param window how many of the latest calls the rates are computed over
	 * @param minimumCalls calls needed in the window before the breaker may open
	 * @param failureRate the percentage of failed calls that opens it
	 * @param slowCall a call slower than this counts as slow
	 * @param slowCallRate the percentage of slow calls that opens it
	 * @param openFor how long it stays open before a few trial calls decide whether to close it
	 * @param trialCalls the trial calls let through once that time has passed
	 */
	public record Settings(int window, int minimumCalls, float failureRate, Duration slowCall, float slowCallRate,
			Duration openFor, int trialCalls) {
	}

	private final CircuitBreakerRegistry registry;

	public FhirServerBreakers(Settings settings, MeterRegistry meters) {
		CircuitBreakerConfig config = CircuitBreakerConfig.custom()
			.slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
			.slidingWindowSize(settings.window())
			.minimumNumberOfCalls(settings.minimumCalls())
			.failureRateThreshold(settings.failureRate())
			.slowCallDurationThreshold(settings.slowCall())
			.slowCallRateThreshold(settings.slowCallRate())
			.waitDurationInOpenState(settings.openFor())
			.permittedNumberOfCallsInHalfOpenState(settings.trialCalls())
			.build();
		this.registry = CircuitBreakerRegistry.of(config);
		TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
	}

	/** The breaker of the server's origin (scheme, host, port): no path, no patient data in its name. */
	public CircuitBreaker of(URI server) {
		String scheme = server.getScheme().toLowerCase(Locale.ROOT);
		int port = server.getPort() != -1 ? server.getPort() : "https".equals(scheme) ? 443 : 80;
		return registry.circuitBreaker(scheme + "://" + server.getHost().toLowerCase(Locale.ROOT) + ":" + port);
	}
}
