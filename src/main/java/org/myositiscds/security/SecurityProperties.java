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
 */
@ConfigurationProperties("myositis-cds.security")
public record SecurityProperties(@DefaultValue("false") boolean allowUnauthenticated,
		@DefaultValue({ "ES384", "RS384" }) List<String> algorithms, @DefaultValue("60s") Duration clockSkew,
		@DefaultValue("60s") Duration jwksRefreshInterval, @DefaultValue List<String> tenants,
		@DefaultValue List<Issuer> issuers, @DefaultValue("") String adminToken) {

	/**
	 * @param iss the issuer, exactly as in the JWT's iss claim
	 * @param jwksUrl where its JWKS is published (https), or
	 * @param jwksFile a JWKS file (a Spring resource location such as classpath:... or file:...)
	 * @param jku the only jku header honoured for this issuer; a JWT naming another jku is refused
	 */
	public record Issuer(String iss, String jwksUrl, String jwksFile, String jku) {
	}
}
