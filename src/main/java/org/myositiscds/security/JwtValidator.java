package org.myositiscds.security;

import java.net.http.HttpClient;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Validates the JWT an EHR sends with every call, as CDS Hooks 2.0 asks: allowlisted algorithm
 * (never none or HMAC) and issuer, a signature by the issuer's key found by kid, jku only when it
 * is the one configured for the issuer, aud equal to the URL called, exp and iat within the clock
 * skew, jti not seen before within the token's lifetime, tenant allowlisted when configured.
 * Extra claims (sub, nbf) are accepted.
 */
public final class JwtValidator {

	private final Set<JWSAlgorithm> algorithms;

	private final Map<String, SecurityProperties.Issuer> issuers = new HashMap<>();

	private final Map<String, IssuerKeys> keysByIssuer = new HashMap<>();

	private final Set<String> tenants;

	private final Duration clockSkew;

	private final Clock clock;

	private final TokenIdCache seenTokenIds;

	public JwtValidator(SecurityProperties properties, HttpClient httpClient, Clock clock, TokenIdCache seenTokenIds) {
		this.seenTokenIds = seenTokenIds;
		this.algorithms = properties.algorithms().stream().map(JWSAlgorithm::parse).collect(Collectors.toSet());
		for (JWSAlgorithm algorithm : algorithms) {
			if (JWSAlgorithm.Family.HMAC_SHA.contains(algorithm) || algorithm.getName().equalsIgnoreCase("none")) {
				throw new IllegalStateException("JWT algorithm " + algorithm + " is not allowed: use ES384 or RS384");
			}
		}
		for (SecurityProperties.Issuer issuer : properties.issuers()) {
			if (issuer.iss() == null || (issuer.jwksUrl() == null && issuer.jwksFile() == null)) {
				throw new IllegalStateException("Each trusted issuer needs iss and jwks-url or jwks-file");
			}
			issuers.put(issuer.iss(), issuer);
			keysByIssuer.put(issuer.iss(), new IssuerKeys(issuer, httpClient, properties.jwksRefreshInterval(), clock));
		}
		this.tenants = Set.copyOf(properties.tenants());
		this.clockSkew = properties.clockSkew();
		this.clock = clock;
	}

	/** Why a JWT was refused: for the server log only; the client gets a bare 401. */
	public static final class Rejected extends Exception {

		Rejected(String reason) {
			super(reason, null, false, false);
		}
	}

	/**
	 * The issuer of a valid token.
	 * @param calledUrls the URL called, under each base URL the service is reached at: aud must name one
	 */
	public String validate(String token, List<String> calledUrls) throws Rejected {
		SignedJWT jwt;
		JWTClaimsSet claims;
		try {
			jwt = SignedJWT.parse(token);
			claims = jwt.getJWTClaimsSet();
		}
		catch (ParseException e) {
			throw new Rejected("not a signed JWT");
		}
		JWSHeader header = jwt.getHeader();
		if (!algorithms.contains(header.getAlgorithm())) {
			throw new Rejected("algorithm " + header.getAlgorithm() + " not allowed");
		}
		if (header.getType() == null || !JOSEObjectType.JWT.getType().equalsIgnoreCase(header.getType().getType())) {
			throw new Rejected("typ is not JWT");
		}
		SecurityProperties.Issuer issuer = issuers.get(claims.getIssuer());
		if (issuer == null) {
			throw new Rejected("issuer not trusted: " + claims.getIssuer());
		}
		if (header.getJWKURL() != null && !header.getJWKURL().toString().equals(issuer.jku())) {
			throw new Rejected("jku is not the one configured for " + issuer.iss());
		}
		if (header.getKeyID() == null) {
			throw new Rejected("no kid");
		}
		verifySignature(jwt, keysByIssuer.get(issuer.iss()).key(header.getKeyID()), issuer.iss());
		checkAudience(claims.getAudience(), calledUrls);
		Instant now = clock.instant();
		Instant expiry = checkTimes(claims, now);
		checkTenant(claims);
		rememberTokenId(issuer.iss(), claims.getJWTID(), expiry, now);
		return issuer.iss();
	}

	private void verifySignature(SignedJWT jwt, JWK key, String iss) throws Rejected {
		if (key == null) {
			throw new Rejected("no key " + jwt.getHeader().getKeyID() + " for issuer " + iss);
		}
		if (!(key instanceof AsymmetricJWK asymmetric) || key.isPrivate()) {
			throw new Rejected("the issuer's key is not a public asymmetric key");
		}
		try {
			JWSVerifier verifier = new DefaultJWSVerifierFactory().createJWSVerifier(jwt.getHeader(), asymmetric.toPublicKey());
			if (!jwt.verify(verifier)) {
				throw new Rejected("bad signature");
			}
		}
		catch (JOSEException e) {
			throw new Rejected("signature cannot be checked with the issuer's key");
		}
	}

	private static void checkAudience(List<String> audience, List<String> calledUrls) throws Rejected {
		if (audience == null || calledUrls.stream().noneMatch(audience::contains)) {
			throw new Rejected("aud does not name the URL called");
		}
	}

	private Instant checkTimes(JWTClaimsSet claims, Instant now) throws Rejected {
		Date expiry = claims.getExpirationTime();
		Date issuedAt = claims.getIssueTime();
		if (expiry == null || issuedAt == null) {
			throw new Rejected("exp and iat are required");
		}
		if (expiry.toInstant().plus(clockSkew).isBefore(now)) {
			throw new Rejected("expired");
		}
		if (issuedAt.toInstant().minus(clockSkew).isAfter(now)) {
			throw new Rejected("issued in the future");
		}
		if (claims.getNotBeforeTime() != null && claims.getNotBeforeTime().toInstant().minus(clockSkew).isAfter(now)) {
			throw new Rejected("not valid yet (nbf)");
		}
		return expiry.toInstant().plus(clockSkew);
	}

	private void checkTenant(JWTClaimsSet claims) throws Rejected {
		if (tenants.isEmpty()) {
			return;
		}
		Object tenant = claims.getClaim("tenant");
		if (!(tenant instanceof String name) || !tenants.contains(name)) {
			throw new Rejected("tenant not allowed");
		}
	}

	private void rememberTokenId(String iss, String jti, Instant expiry, Instant now) throws Rejected {
		if (jti == null || jti.isBlank()) {
			throw new Rejected("no jti");
		}
		if (!seenTokenIds.firstUse(iss, jti, expiry, now)) {
			throw new Rejected("jti replayed");
		}
	}
}
