package org.myositiscds.security;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The jti values already used, kept until their token expires, so that a token is accepted once.
 * In memory for one replica; {@link DatabaseTokenIdCache} when replicas share the feedback
 * database, so that a token replayed to another replica is refused too.
 */
public interface TokenIdCache {

	/**
	 * Records the token id; false when it was already recorded and has not expired (a replay).
	 * @param until when the token expires (clock skew included): after it the id may be forgotten
	 */
	boolean firstUse(String issuer, String jti, Instant until, Instant now);

	/** One replica's memory. */
	final class InMemory implements TokenIdCache {

		private final Map<String, Instant> seen = new ConcurrentHashMap<>();

		private volatile Instant lastPrune = Instant.MIN;

		@Override
		public boolean firstUse(String issuer, String jti, Instant until, Instant now) {
			if (now.isAfter(lastPrune.plusSeconds(1))) {
				lastPrune = now;
				seen.values().removeIf(expiry -> expiry.isBefore(now));
			}
			return seen.putIfAbsent(issuer + " " + jti, until) == null;
		}
	}
}
