package org.myositiscds.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Two replicas, each with its own validator and its own connection to one PostgreSQL (embedded),
 * share the jti values seen: a token accepted by one is refused by the other.
 */
class ReplayAcrossReplicasTests {

	static final String EHR = "https://ehr.example.org";

	static final String OTHER_EHR = "https://other-ehr.example.org";

	static final String URL = "https://cds.example.org/cds-services/hbv-screening-order-sign";

	static EmbeddedPostgres postgres;

	static ECKey key;

	static JwtValidator replicaA;

	static JwtValidator replicaB;

	@BeforeAll
	static void twoReplicasOneDatabase() throws Exception {
		postgres = EmbeddedPostgres.builder().start();
		Flyway.configure().dataSource(postgres.getPostgresDatabase()).locations("classpath:db/migration").load().migrate();
		key = new ECKeyGenerator(Curve.P_384).keyID("k1").generate();
		Path jwks = Files.createTempFile("replicas-jwks", ".json");
		Files.writeString(jwks, new JWKSet(List.of(key.toPublicJWK())).toString());
		SecurityProperties properties = new SecurityProperties(false, List.of("ES384"), Duration.ofSeconds(60),
				Duration.ofSeconds(60), List.of(), List.of(new SecurityProperties.Issuer(EHR, null, jwks.toUri().toString(), null,
						List.of()), new SecurityProperties.Issuer(OTHER_EHR, null, jwks.toUri().toString(), null, List.of())),
				"", List.of(), List.of(), SecurityProperties.ReplayCache.DATABASE);
		replicaA = new JwtValidator(properties, HttpClient.newHttpClient(), Clock.systemUTC(),
				new DatabaseTokenIdCache(JdbcClient.create(connection())));
		replicaB = new JwtValidator(properties, HttpClient.newHttpClient(), Clock.systemUTC(),
				new DatabaseTokenIdCache(JdbcClient.create(connection())));
	}

	/** Each replica its own connections, as two processes would have. */
	static DriverManagerDataSource connection() {
		return new DriverManagerDataSource(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "postgres");
	}

	@AfterAll
	static void stop() throws IOException {
		postgres.close();
	}

	static String token(String issuer, String jti) throws Exception {
		Instant now = Instant.now();
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES384).type(JOSEObjectType.JWT).keyID("k1").build(),
				new JWTClaimsSet.Builder().issuer(issuer).audience(URL).issueTime(Date.from(now))
					.expirationTime(Date.from(now.plusSeconds(300))).jwtID(jti).build());
		jwt.sign(new ECDSASigner(key));
		return jwt.serialize();
	}

	@Test
	void aTokenAcceptedByOneReplicaIsRefusedByTheOther() throws Exception {
		String token = token(EHR, UUID.randomUUID().toString());
		assertThat(replicaA.validate(token, List.of(URL))).isEqualTo(EHR);
		assertThatThrownBy(() -> replicaB.validate(token, List.of(URL))).isInstanceOf(JwtValidator.Rejected.class)
			.hasMessage("jti replayed");
		assertThatThrownBy(() -> replicaA.validate(token, List.of(URL))).hasMessage("jti replayed");
	}

	@Test
	void theSameJtiFromAnotherIssuerIsAnotherToken() throws Exception {
		String jti = UUID.randomUUID().toString();
		assertThat(replicaA.validate(token(EHR, jti), List.of(URL))).isEqualTo(EHR);
		assertThat(replicaB.validate(token(OTHER_EHR, jti), List.of(URL))).isEqualTo(OTHER_EHR);
	}

	@Test
	void theSeenTokensAreKeptAsHashesUntilTheyExpire() throws Exception {
		String jti = "replay-visible-" + UUID.randomUUID();
		replicaA.validate(token(EHR, jti), List.of(URL));
		JdbcClient jdbc = JdbcClient.create(connection());
		assertThat(jdbc.sql("SELECT COUNT(*) FROM seen_token_id WHERE token_key LIKE '%replay-visible%'").query(Long.class)
			.single()).isZero();
		assertThat(jdbc.sql("SELECT MIN(expires_at) > now() FROM seen_token_id").query(Boolean.class).single()).isTrue();
	}
}
