package org.myositiscds.feedback;

import java.sql.DatabaseMetaData;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/** Writes feedback and shown cards, each call in one transaction that has committed when it returns. */
final class FeedbackStore {

	/** What {@link #store} did: new records, and items that were already there (repeats). */
	record Stored(int stored, int alreadyStored) {
	}

	/**
	 * One card as it was shown, the patient already hashed.
	 * @param facts the fingerprint of the facts it rests on ({@link CardFacts})
	 * @param suppressed the rule applied but a remembered override kept the card from the clinician
	 */
	record ShownCard(String cardUuid, String serviceId, String ruleId, String hookInstance, String patientHash,
			Instant shownAt, String indicator, String facts, boolean suppressed) {
	}

	private static final String FEEDBACK_COLUMNS = "fingerprint, service_id, card_uuid, card_known, outcome, "
			+ "accepted_suggestions, reason_system, reason_code, reason_display, user_comment, outcome_at, received_at";

	private static final String FEEDBACK_VALUES = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

	private final JdbcClient jdbc;

	private final JdbcTemplate template;

	private final TransactionTemplate transactions;

	private final boolean postgres;

	FeedbackStore(JdbcTemplate template, TransactionTemplate transactions) {
		this.template = template;
		this.jdbc = JdbcClient.create(template);
		this.transactions = transactions;
		this.postgres = template.execute((ConnectionCallback<Boolean>) connection -> {
			DatabaseMetaData metadata = connection.getMetaData();
			return metadata.getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres");
		});
	}

	Stored store(String serviceId, List<Feedback> items, Instant receivedAt) {
		return transactions.execute(status -> {
			int stored = 0;
			for (Feedback item : items) {
				stored += insert(serviceId, item, receivedAt);
			}
			return new Stored(stored, items.size() - stored);
		});
	}

	/**
	 * Inserts unless the same feedback is there. PostgreSQL: ON CONFLICT DO NOTHING, because a failed
	 * statement would abort the whole transaction. H2 has no such clause outside its PostgreSQL
	 * mode, but a failed statement leaves its transaction usable, so the duplicate key is caught.
	 * Either way the primary key decides, also between concurrent requests.
	 */
	private int insert(String serviceId, Feedback item, Instant receivedAt) {
		boolean known = jdbc.sql("SELECT COUNT(*) FROM card_shown WHERE card_uuid = ? AND service_id = ?")
			.params(item.card(), serviceId)
			.query(Long.class)
			.single() > 0;
		String sql = "INSERT INTO feedback (" + FEEDBACK_COLUMNS + ") VALUES " + FEEDBACK_VALUES
				+ (postgres ? " ON CONFLICT (fingerprint) DO NOTHING" : "");
		var reason = item.reason();
		try {
			return jdbc.sql(sql)
				.params(item.fingerprint(), serviceId, item.card(), known, item.outcome().code(),
						item.acceptedSuggestions().isEmpty() ? null : String.join(",", item.acceptedSuggestions()),
						reason == null ? null : reason.system(), reason == null ? null : reason.code(),
						reason == null ? null : reason.display(), item.userComment(), utc(item.outcomeTimestamp()),
						utc(receivedAt))
				.update();
		}
		catch (DuplicateKeyException e) {
			return 0;
		}
	}

	/** One batch in one transaction; if it fails (a card already there), card by card. */
	void recordCards(List<ShownCard> cards) {
		String sql = "INSERT INTO card_shown (card_uuid, service_id, rule_id, hook_instance, patient_hash, shown_at, "
				+ "indicator, facts, suppressed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
		try {
			transactions.executeWithoutResult(status -> template.batchUpdate(sql, cards, cards.size(),
					(statement, card) -> {
						statement.setString(1, card.cardUuid());
						statement.setString(2, card.serviceId());
						statement.setString(3, card.ruleId());
						statement.setString(4, card.hookInstance());
						statement.setString(5, card.patientHash());
						statement.setObject(6, utc(card.shownAt()));
						statement.setString(7, card.indicator());
						statement.setString(8, card.facts());
						statement.setBoolean(9, card.suppressed());
					}));
		}
		catch (DataAccessException e) {
			if (cards.size() == 1) {
				if (e instanceof DuplicateKeyException) {
					return;
				}
				throw e;
			}
			cards.forEach(card -> recordCards(List.of(card)));
		}
	}

	private static OffsetDateTime utc(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}
}
