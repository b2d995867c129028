package org.myositiscds.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The override memory's lookup runs at every call with cards. A patient seen often has many cards
 * and usually no override: the database must then start from the overrides (the V4 index), not walk
 * the patient's whole history; with many overrides on record it still starts from the patient. The
 * plans are H2's, on the migrated schema.
 */
class OverrideLookupPlanTests {

	private static final String PATIENT = "p".repeat(64);

	private static final OffsetDateTime NOW = OffsetDateTime.of(2026, 12, 6, 12, 0, 0, 0, ZoneOffset.UTC);

	private SingleConnectionDataSource dataSource;

	private JdbcClient jdbc;

	@AfterEach
	void close() {
		dataSource.destroy();
	}

	@BeforeEach
	void migratedDatabase() {
		// One session throughout, as the service's pool keeps it: H2's CHECK constraints refer to the
		// session that created them, and fail once Flyway's own connection is closed.
		dataSource = new SingleConnectionDataSource(
				"jdbc:h2:mem:override-plan-" + System.nanoTime(), "sa", "", true);
		Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
		jdbc = JdbcClient.create(dataSource);
		// 50 patients with 40 cards each, as after many calls.
		jdbc.sql("""
				INSERT INTO card_shown (card_uuid, service_id, rule_id, hook_instance, patient_hash, shown_at, facts)
				SELECT 'card-' || X, 'rituximab-order-sign', 'RTX-' || MOD(X, 12), 'hook-' || X,
				  CASE WHEN MOD(X, 50) = 0 THEN :patient ELSE 'other-' || MOD(X, 50) END, :now, 'facts'
				FROM SYSTEM_RANGE(1, 2000)""").param("patient", PATIENT).param("now", NOW).update();
	}

	@Test
	void withoutOverridesTheLookupStartsFromTheOverrides() {
		assertThat(plan()).startsWith("FROM \"PUBLIC\".\"FEEDBACK\" \"F\"").contains("FEEDBACK_OVERRIDDEN");
		assertThat(lookup()).isZero();
	}

	@Test
	void withManyOverridesOnRecordTheLookupStartsFromThePatient() {
		jdbc.sql("""
				INSERT INTO feedback (fingerprint, service_id, card_uuid, card_known, outcome, outcome_at, received_at)
				SELECT 'fp-' || X, 'rituximab-order-sign', 'card-' || X, TRUE, 'overridden', :now, :now
				FROM SYSTEM_RANGE(1, 1900)""").param("now", NOW).update();
		assertThat(plan()).startsWith("FROM \"PUBLIC\".\"CARD_SHOWN\" \"C\"").contains("CARD_SHOWN_PATIENT");
		assertThat(lookup()).as("the patient's overridden cards of the rules asked").isEqualTo(12);
	}

	private String plan() {
		// The statistics a running database has: H2 analyses a table after every 2,000 changed rows.
		jdbc.sql("ANALYZE").update();
		String plan = jdbc.sql("EXPLAIN " + RememberedOverrides.OVERRIDES)
			.param("patient", PATIENT)
			.param("rules", List.of("RTX-0", "RTX-6"))
			.param("since", NOW.minusDays(365))
			.query(String.class)
			.single();
		return plan.substring(plan.indexOf("FROM "));
	}

	private int lookup() {
		return jdbc.sql(RememberedOverrides.OVERRIDES)
			.param("patient", PATIENT)
			.param("rules", List.of("RTX-0", "RTX-6"))
			.param("since", NOW.minusDays(365))
			.query()
			.listOfRows()
			.size();
	}
}
