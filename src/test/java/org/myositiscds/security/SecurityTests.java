package org.myositiscds.security;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.RawHttp;
import org.myositiscds.system.ServiceAddress;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** CDS Hooks 2.0 security: every call carries a JWT that is checked as the spec's security section says. */
@CdsServiceTest(properties = { "myositis-cds.security.allow-unauthenticated=false",
		"myositis-cds.security.tenants=tenant-a", "myositis-cds.security.jwks-refresh-interval=1h",
		"myositis-cds.security.admin-token=admin-token-for-tests-4f1c9e",
		"myositis-cds.cors.allowed-origins=https://sandbox.cds-hooks.org",
		// Production: no call without a JWT, so no FHIR server for one, and https only.
		"myositis-cds.security.unauthenticated-fhir-servers=" })
class SecurityTests {

	static final String SIGN = "hbv-screening-order-sign";

	static final String EHR = "https://ehr.example.org";

	static final String ROTATING_EHR = "https://rotating-ehr.example.org";

	static final String JKU = "https://ehr.example.org/jwks.json";

	static final String EHR_FHIR_ORIGIN = "https://fhir.ehr.example.org";

	static final ECKey EC_KEY = generateEc("ec-key-1");

	static final RSAKey RSA_KEY = generateRsa("rsa-key-1");

	static final RSAKey ROTATED_KEY = generateRsa("rsa-key-2");

	static final ECKey STRANGER_KEY = generateEc("ec-key-1");

	@RegisterExtension
	static WireMockExtension jwksServer = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

	@DynamicPropertySource
	static void issuers(DynamicPropertyRegistry registry) throws IOException {
		Path jwks = Files.createTempFile("ehr-jwks", ".json");
		Files.writeString(jwks, new JWKSet(List.of(EC_KEY.toPublicJWK())).toString());
		registry.add("myositis-cds.security.issuers[0].iss", () -> EHR);
		registry.add("myositis-cds.security.issuers[0].jwks-file", () -> jwks.toUri().toString());
		registry.add("myositis-cds.security.issuers[0].jku", () -> JKU);
		registry.add("myositis-cds.security.issuers[0].fhir-servers", () -> EHR_FHIR_ORIGIN);
		registry.add("myositis-cds.security.issuers[1].iss", () -> ROTATING_EHR);
		registry.add("myositis-cds.security.issuers[1].jwks-url", () -> jwksServer.baseUrl() + "/jwks");
	}

	@Autowired
	CdsHooksClient client;

	@LocalServerPort
	int port;

	String body() {
		return patient("sec-1").draft(rituximabOrder("rtx-1")).orderSign(SIGN);
	}

	JWTClaimsSet.Builder claims(String path) {
		Instant now = Instant.now();
		return new JWTClaimsSet.Builder()
			.issuer(EHR)
			.audience(client.url(path))
			.expirationTime(Date.from(now.plusSeconds(300)))
			.issueTime(Date.from(now))
			.jwtID(UUID.randomUUID().toString())
			.claim("tenant", "tenant-a");
	}

	static String sign(JWSSigner signer, JWSHeader header, JWTClaimsSet claims) {
		try {
			SignedJWT jwt = new SignedJWT(header, claims);
			jwt.sign(signer);
			return jwt.serialize();
		}
		catch (JOSEException e) {
			throw new IllegalStateException(e);
		}
	}

	static JWSHeader es384(String kid) {
		return new JWSHeader.Builder(JWSAlgorithm.ES384).type(JOSEObjectType.JWT).keyID(kid).build();
	}

	String token(String path) {
		return sign(ecSigner(EC_KEY), es384("ec-key-1"), claims(path).build());
	}

	CdsHooksClient.Answer callWith(String token) {
		return client.exchange("POST", "/cds-services/" + SIGN, body(),
				Map.of("Content-Type", "application/json", "Authorization", "Bearer " + token));
	}

	@Test
	void everyEndpointRefusesACallWithoutAToken() {
		assertThat(client.exchange("GET", "/cds-services", null, Map.of()).status()).isEqualTo(401);
		CdsHooksClient.Answer service = client.post("/cds-services/" + SIGN, body());
		assertThat(service.status()).isEqualTo(401);
		assertThat(service.body().isNull()).as("a bare 401, no reason").isTrue();
		assertThat(client.post("/cds-services/" + SIGN + "/feedback", "{\"feedback\":[]}").status()).isEqualTo(401);
	}

	@Test
	void theAdminReportsNeedTheAdminTokenNotAnEhrJwt() {
		assertThat(client.exchange("GET", "/admin/feedback/summary", null, Map.of()).status()).isEqualTo(401);
		assertThat(client.exchange("GET", "/admin/feedback/summary", null,
				Map.of("Authorization", "Bearer " + token("/admin/feedback/summary"))).status()).isEqualTo(401);
		assertThat(client.exchange("GET", "/admin/feedback/summary", null,
				Map.of("Authorization", "Bearer admin-token-for-tests-4f1c9e")).status()).isEqualTo(200);
	}

	@Test
	void aValidEs384TokenIsAccepted() {
		CdsHooksClient.Answer answer = callWith(token("/cds-services/" + SIGN));
		assertThat(answer.status()).isEqualTo(200);
		assertThat(answer.rules()).containsExactly("HBV-1");
		String discovery = token("/cds-services");
		assertThat(client.exchange("GET", "/cds-services", null, Map.of("Authorization", "Bearer " + discovery)).status())
			.isEqualTo(200);
	}

	@Test
	void extraClaimsAnAudienceListAndTheConfiguredJkuAreAccepted() {
		String path = "/cds-services/" + SIGN;
		JWTClaimsSet claims = claims(path).audience(List.of("https://other.example.org", client.url(path)))
			.subject("client-id-123")
			.notBeforeTime(Date.from(Instant.now().minusSeconds(5)))
			.build();
		JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES384).type(JOSEObjectType.JWT).keyID("ec-key-1")
			.jwkURL(java.net.URI.create(JKU)).build();
		assertThat(callWith(sign(ecSigner(EC_KEY), header, claims)).status()).isEqualTo(200);
	}

	@Test
	void aValidRs384TokenIsAcceptedWithKeysFromTheIssuersJwksUrl() {
		jwksServer.stubFor(get(urlPathEqualTo("/jwks")).willReturn(aResponse().withStatus(200)
			.withBody(new JWKSet(List.of(RSA_KEY.toPublicJWK())).toString())));
		String path = "/cds-services/" + SIGN;
		String token = sign(rsaSigner(RSA_KEY),
				new JWSHeader.Builder(JWSAlgorithm.RS384).type(JOSEObjectType.JWT).keyID("rsa-key-1").build(),
				claims(path).issuer(ROTATING_EHR).build());
		assertThat(callWith(token).status()).isEqualTo(200);
	}

	@Test
	void aRotatedKeyIsFetchedOnceAndUnknownKidsDoNotHammerTheJwksUrl() {
		jwksServer.stubFor(get(urlPathEqualTo("/jwks")).willReturn(aResponse().withStatus(200)
			.withBody(new JWKSet(List.of(RSA_KEY.toPublicJWK(), ROTATED_KEY.toPublicJWK())).toString())));
		String path = "/cds-services/" + SIGN;
		JWSHeader unknownKid = new JWSHeader.Builder(JWSAlgorithm.RS384).type(JOSEObjectType.JWT).keyID("no-such-kid").build();
		int before = jwksServer.findAll(getRequestedFor(urlPathEqualTo("/jwks"))).size();
		for (int i = 0; i < 5; i++) {
			assertThat(callWith(sign(rsaSigner(ROTATED_KEY), unknownKid, claims(path).issuer(ROTATING_EHR).build())).status())
				.isEqualTo(401);
		}
		int after = jwksServer.findAll(getRequestedFor(urlPathEqualTo("/jwks"))).size();
		assertThat(after - before).as("JWKS fetches for five unknown kids within the refresh interval").isLessThanOrEqualTo(1);
	}

	static Stream<Arguments> refusedTokens() {
		return Stream.of(
				Arguments.of("unsigned (alg none)", (TokenMaker) (t, path) -> new PlainJWT(t.claims(path).build()).serialize()),
				Arguments.of("HMAC (HS256)", (TokenMaker) (t, path) -> sign(macSigner(),
						new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).keyID("ec-key-1").build(),
						t.claims(path).build())),
				Arguments.of("an algorithm not allowlisted (ES256)", (TokenMaker) (t, path) -> {
					ECKey p256 = generateEc("ec-key-1", Curve.P_256);
					return sign(ecSigner(p256), new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT)
						.keyID("ec-key-1").build(), t.claims(path).build());
				}),
				Arguments.of("signed by another key with the same kid", (TokenMaker) (t, path) -> sign(ecSigner(STRANGER_KEY),
						es384("ec-key-1"), t.claims(path).build())),
				Arguments.of("an issuer not allowlisted", (TokenMaker) (t, path) -> sign(ecSigner(EC_KEY), es384("ec-key-1"),
						t.claims(path).issuer("https://evil.example.org").build())),
				Arguments.of("aud naming another URL", (TokenMaker) (t, path) -> sign(ecSigner(EC_KEY), es384("ec-key-1"),
						t.claims(path).audience(t.client.url("/cds-services/other")).build())),
				Arguments.of("expired", (TokenMaker) (t, path) -> sign(ecSigner(EC_KEY), es384("ec-key-1"),
						t.claims(path).expirationTime(Date.from(Instant.now().minusSeconds(120))).build())),
				Arguments.of("issued in the future", (TokenMaker) (t, path) -> sign(ecSigner(EC_KEY), es384("ec-key-1"),
						t.claims(path).issueTime(Date.from(Instant.now().plusSeconds(600))).build())),
				Arguments.of("no jti", (TokenMaker) (t, path) -> sign(ecSigner(EC_KEY), es384("ec-key-1"),
						t.claims(path).jwtID(null).build())),
				Arguments.of("no typ", (TokenMaker) (t, path) -> sign(ecSigner(EC_KEY),
						new JWSHeader.Builder(JWSAlgorithm.ES384).keyID("ec-key-1").build(), t.claims(path).build())),
				Arguments.of("a jku other than the configured one", (TokenMaker) (t, path) -> sign(ecSigner(EC_KEY),
						new JWSHeader.Builder(JWSAlgorithm.ES384).type(JOSEObjectType.JWT).keyID("ec-key-1")
							.jwkURL(java.net.URI.create("https://evil.example.org/jwks.json")).build(),
						t.claims(path).build())),
				Arguments.of("a tenant not allowlisted", (TokenMaker) (t, path) -> sign(ecSigner(EC_KEY), es384("ec-key-1"),
						t.claims(path).claim("tenant", "tenant-b").build())),
				Arguments.of("garbage", (TokenMaker) (t, path) -> "not.a.jwt"));
	}

	interface TokenMaker {

		String make(SecurityTests test, String path);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("refusedTokens")
	void aTokenThatFailsAnyCheckGetsABare401(String name, TokenMaker maker) {
		CdsHooksClient.Answer answer = callWith(maker.make(this, "/cds-services/" + SIGN));
		assertThat(answer.status()).isEqualTo(401);
		assertThat(answer.body().isNull()).isTrue();
	}

	@Test
	void aReplayedTokenIsRefused() {
		String token = token("/cds-services/" + SIGN);
		assertThat(callWith(token).status()).isEqualTo(200);
		assertThat(callWith(token).status()).isEqualTo(401);
	}

	static Stream<String> fhirServersNotAllowed() {
		return Stream.of("internal WireMock over http", "https://intranet.example.org/fhir",
				"https://fhir.ehr.example.org:8443/fhir", "https://user@fhir.ehr.example.org/fhir",
				"http://fhir.ehr.example.org/fhir");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("fhirServersNotAllowed")
	void aFhirServerNotAllowedForTheIssuerGets412SayingOnlyThatAndIsNeverCalled(String fhirServer) {
		String server = fhirServer.startsWith("internal") ? jwksServer.baseUrl() + "/fhir" : fhirServer;
		jwksServer.stubFor(get(urlPathEqualTo("/fhir/Patient/sec-ssrf")).willReturn(aResponse().withStatus(200)));
		String request = patient("sec-ssrf").draft(rituximabOrder("rtx-1"))
			.withoutPrefetch(SIGN, "order-sign", server, "ssrf-access-token-0c1d");
		CdsHooksClient.Answer answer = client.exchange("POST", "/cds-services/" + SIGN, request,
				Map.of("Content-Type", "application/json", "Authorization", "Bearer " + token("/cds-services/" + SIGN)));
		assertThat(answer.status()).isEqualTo(412);
		assertThat(answer.body().path("error").asText()).isEqualTo("fhir_server_not_allowed");
		assertThat(answer.body().toString()).doesNotContain("localhost").doesNotContain("intranet")
			.doesNotContain("8443").doesNotContain("HTTP");
		assertThat(jwksServer.findAll(getRequestedFor(urlPathEqualTo("/fhir/Patient/sec-ssrf")))).isEmpty();
	}

	@Test
	void theAllowedFhirServerOfTheIssuerIsUsed() {
		String request = patient("sec-allowed").draft(rituximabOrder("rtx-1"))
			.withoutPrefetch(SIGN, "order-sign", EHR_FHIR_ORIGIN + "/r4", "allowed-access-token-9e2f");
		CdsHooksClient.Answer answer = client.exchange("POST", "/cds-services/" + SIGN, request,
				Map.of("Content-Type", "application/json", "Authorization", "Bearer " + token("/cds-services/" + SIGN)));
		// Allowed, so it is queried; the host does not exist, so the keys could not be read: a coarse 412.
		assertThat(answer.status()).isEqualTo(412);
		assertThat(answer.body().path("error").asText()).isEqualTo("prefetch_unavailable");
		assertThat(answer.body().path("missingPrefetch").path("patient").asText())
			.isEqualTo("could not be read from the FHIR server");
	}

	@Test
	void anAudienceNamingTheHostHeaderIsRefused() throws IOException {
		String path = "/cds-services/" + SIGN;
		String forged = sign(ecSigner(EC_KEY), es384("ec-key-1"), claims(path).audience("http://evil.test" + path).build());
		RawHttp.Response answer = RawHttp.exchange(port, "POST", path, Map.of("Host", "evil.test", "Content-Type",
				"application/json", "Authorization", "Bearer " + forged), body());
		assertThat(answer.status()).isEqualTo(401);
	}

	@Test
	void theCardsLinksUseTheConfiguredAddressWhateverTheHostHeader() throws IOException {
		String path = "/cds-services/" + SIGN;
		RawHttp.Response answer = RawHttp.exchange(port, "POST", path, Map.of("Host", "evil.test", "Content-Type",
				"application/json", "Authorization", "Bearer " + token(path)), body());
		assertThat(answer.status()).isEqualTo(200);
		assertThat(answer.body()).contains("\"url\":\"http://localhost:" + port + "/").doesNotContain("evil.test");
	}

	@Test
	void withoutAPublicBaseUrlTheServiceRefusesToStart() {
		assertThatThrownBy(() -> new ServiceAddress(new MockEnvironment(), "", List.of()))
			.isInstanceOf(IllegalStateException.class).hasMessageContaining("myositis-cds.public-base-url");
		assertThatThrownBy(() -> new ServiceAddress(new MockEnvironment(), "cds.example.org", List.of()))
			.isInstanceOf(IllegalStateException.class).hasMessageContaining("absolute http(s) URL");
	}

	@Test
	void aBrowserPreflightFromAnAllowedOriginIsAnsweredWithoutAToken() {
		CdsHooksClient.Answer preflight = client.exchange("OPTIONS", "/cds-services/" + SIGN, null,
				Map.of("Origin", "https://sandbox.cds-hooks.org", "Access-Control-Request-Method", "POST",
						"Access-Control-Request-Headers", "authorization,content-type"));
		assertThat(preflight.status()).isEqualTo(200);
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains("https://sandbox.cds-hooks.org");
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase())
			.contains("authorization").contains("content-type");
		CdsHooksClient.Answer stranger = client.exchange("OPTIONS", "/cds-services/" + SIGN, null,
				Map.of("Origin", "https://evil.example.org", "Access-Control-Request-Method", "POST"));
		assertThat(stranger.status()).isEqualTo(403);
	}

	@Test
	void theCallItselfCarriesCorsHeadersForAnAllowedOrigin() {
		CdsHooksClient.Answer answer = client.exchange("POST", "/cds-services/" + SIGN, body(),
				Map.of("Content-Type", "application/json", "Origin", "https://sandbox.cds-hooks.org",
						"Authorization", "Bearer " + token("/cds-services/" + SIGN)));
		assertThat(answer.status()).isEqualTo(200);
		assertThat(answer.headers().firstValue("Access-Control-Allow-Origin")).contains("https://sandbox.cds-hooks.org");
	}

	@Test
	void theShippedSandboxKeyIsThePublishedPublicEs384Key() throws Exception {
		JWKSet sandbox = JWKSet.parse(new String(SecurityTests.class
			.getResourceAsStream("/security/cds-hooks-sandbox-jwks.json").readAllBytes()));
		ECKey key = (ECKey) sandbox.getKeyByKeyId("44823f3d-0b01-4a6c-a80e-b9d3e8a7226f");
		assertThat(key.getCurve()).isEqualTo(Curve.P_384);
		assertThat(key.getAlgorithm()).isEqualTo(JWSAlgorithm.ES384);
		assertThat(key.isPrivate()).isFalse();
	}

	static ECKey generateEc(String kid) {
		return generateEc(kid, Curve.P_384);
	}

	static ECKey generateEc(String kid, Curve curve) {
		try {
			return new ECKeyGenerator(curve).keyID(kid).generate();
		}
		catch (JOSEException e) {
			throw new IllegalStateException(e);
		}
	}

	static RSAKey generateRsa(String kid) {
		try {
			return new RSAKeyGenerator(2048).keyID(kid).generate();
		}
		catch (JOSEException e) {
			throw new IllegalStateException(e);
		}
	}

	static JWSSigner ecSigner(ECKey key) {
		try {
			return new ECDSASigner(key);
		}
		catch (JOSEException e) {
			throw new IllegalStateException(e);
		}
	}

	static JWSSigner rsaSigner(RSAKey key) {
		try {
			return new RSASSASigner(key);
		}
		catch (JOSEException e) {
			throw new IllegalStateException(e);
		}
	}

	static JWSSigner macSigner() {
		try {
			return new MACSigner("a-shared-secret-that-is-at-least-256-bits-long!!");
		}
		catch (JOSEException e) {
			throw new IllegalStateException(e);
		}
	}
}
