package org.myositiscds.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.DefaultResourceLoader;

/**
 * The public keys of one trusted issuer: from a file, or from its JWKS URL, cached and fetched
 * again when a JWT names a kid not yet known (key rotation), at most once per refresh interval.
 */
final class IssuerKeys {

	private static final Logger log = LoggerFactory.getLogger(IssuerKeys.class);

	private final SecurityProperties.Issuer issuer;

	private final HttpClient httpClient;

	private final Duration refreshInterval;

	private final Clock clock;

	private volatile JWKSet keys = new JWKSet();

	private volatile Instant lastFetch = Instant.MIN;

	IssuerKeys(SecurityProperties.Issuer issuer, HttpClient httpClient, Duration refreshInterval, Clock clock) {
		this.issuer = issuer;
		this.httpClient = httpClient;
		this.refreshInterval = refreshInterval;
		this.clock = clock;
		if (issuer.jwksFile() != null) {
			keys = readFile(issuer.jwksFile());
		}
	}

	/** The key with this kid, fetching the issuer's JWKS again if it is unknown and the interval allows. */
	JWK key(String kid) {
		JWK key = keys.getKeyByKeyId(kid);
		if (key == null && issuer.jwksUrl() != null) {
			refresh();
			key = keys.getKeyByKeyId(kid);
		}
		return key;
	}

	private synchronized void refresh() {
		Instant now = clock.instant();
		if (lastFetch.plus(refreshInterval).isAfter(now)) {
			return;
		}
		lastFetch = now;
		try {
			HttpResponse<String> response = httpClient.send(HttpRequest.newBuilder(URI.create(issuer.jwksUrl()))
				.timeout(Duration.ofSeconds(5))
				.header("Accept", "application/json")
				.GET()
				.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
			if (response.statusCode() != 200) {
				log.warn("JWKS of issuer {} answered HTTP {}", issuer.iss(), response.statusCode());
				return;
			}
			keys = JWKSet.parse(response.body());
		}
		catch (IOException | ParseException e) {
			log.warn("JWKS of issuer {} could not be read: {}", issuer.iss(), e.getClass().getSimpleName());
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	private static JWKSet readFile(String location) {
		try {
			return JWKSet.parse(new DefaultResourceLoader().getResource(location).getContentAsString(StandardCharsets.UTF_8));
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot read JWKS " + location, e);
		}
		catch (ParseException e) {
			throw new IllegalStateException("Not a JWKS: " + location, e);
		}
	}
}
