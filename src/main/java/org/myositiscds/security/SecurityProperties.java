package org.myositiscds.security;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who may call the service (CDS Hooks 2.0 "Security"). Secure by default: every call needs a JWT
 * from an allowlisted issuer; only the demo profile accepts calls without one.
 *
 * @param allowUnauthenticated accept calls that carry no Authorization header (demo only); a call
 * that carries a JWT is still validated
 * @param algorithms JWS algorithms accepted; never none or HMAC
 * @param clockSkew tolerance on exp and iat
 * @param jwksRefreshInterval the least time between two fetches of an issuer's JWKS when an
 * unknown kid appears
 * @param tenants if not empty, the tenant claim must be one of these
 * @param issuers the trusted EHRs
 * @param adminToken the bearer token that opens the reports under /admin (feedback numbers for
 * informaticists); empty: the reports are closed, except in the demo profile
 * @param unauthenticatedFhirServers the FHIR server origins a call without a JWT may name (demo only;
 * {@code http://localhost:*} allows any port)
 * @param audienceBaseUrls other URLs the service is reached at, besides myositis-cds.public-base-url,
 * whose endpoints a JWT's aud may name
 * @param replayCache where the jti values seen are kept: {@code memory} (one replica) or
 * {@code database} (the feedback database, shared by every replica)
 */
@ConfigurationProperties("myositis-cds.security")
public record SecurityProperties(@DefaultValue("false") boolean allowUnauthenticated,
		@DefaultValue({ "ES384", "RS384" }) List<String> algorithms, @DefaultValue("60s") Duration clockSkew,
		@DefaultValue("60s") Duration jwksRefreshInterval, @DefaultValue List<String> tenants,
		@DefaultValue List<Issuer> issuers, @DefaultValue("") String adminToken,
		@DefaultValue List<String> unauthenticatedFhirServers, @DefaultValue List<String> audienceBaseUrls,
		@DefaultValue("memory") ReplayCache replayCache) {

	public enum ReplayCache {
		MEMORY, DATABASE
	}

	/**
	 * @param iss the issuer, exactly as in the JWT's iss claim
	 * @param jwksUrl where its JWKS is published (https), or
	 * @param jwksFile a JWKS file (a Spring resource location such as classpath:... or file:...)
	 * @param jku the only jku header honoured for this issuer; a JWT naming another jku is refused
	 * @param fhirServers the FHIR server origins (https://host[:port]) this issuer's calls may name as
	 * fhirServer; a call naming another gets 412 and nothing is fetched
	 */
	public record Issuer(String iss, String jwksUrl, String jwksFile, String jku, List<String> fhirServers) {

		public Issuer {
			fhirServers = fhirServers == null ? List.of() : List.copyOf(fhirServers);
		}
	}
}
