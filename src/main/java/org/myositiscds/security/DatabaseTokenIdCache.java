package org.myositiscds.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The jti values used, in the feedback database (PostgreSQL in production) that every replica
 * shares: the primary key decides, also between two replicas receiving the same token at once.
 * Issuer and jti are stored as a SHA-256, which keeps the key short whatever the client sends.
 */
public final class DatabaseTokenIdCache implements TokenIdCache {

	private static final Duration PRUNE_INTERVAL = Duration.ofMinutes(1);

	private final JdbcClient jdbc;

	private volatile Instant lastPrune = Instant.MIN;

	public DatabaseTokenIdCache(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	@Override
	public boolean firstUse(String issuer, String jti, Instant until, Instant now) {
		if (now.isAfter(lastPrune.plus(PRUNE_INTERVAL))) {
			lastPrune = now;
			jdbc.sql("DELETE FROM seen_token_id WHERE expires_at < ?").param(utc(now)).update();
		}
		String key = sha256(issuer + " " + jti);
		try {
			jdbc.sql("INSERT INTO seen_token_id (token_key, expires_at) VALUES (?, ?)").params(key, utc(until)).update();
			return true;
		}
		catch (DuplicateKeyException e) {
			// Seen before; usable again only if that earlier token has expired and was not pruned yet.
			return jdbc.sql("UPDATE seen_token_id SET expires_at = ? WHERE token_key = ? AND expires_at < ?")
				.params(utc(until), key, utc(now))
				.update() == 1;
		}
	}

	private static OffsetDateTime utc(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

	private static String sha256(String text) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}
}
