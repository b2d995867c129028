package org.myositiscds.feedback;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.myositiscds.cards.Card;
import org.myositiscds.hooks.CardMemory;
import org.myositiscds.knowledge.OverrideMemory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The override memory, read from the feedback store: the patient's overrides (feedback joined to the
 * cards shown, by patient hash), each remembered for the days the knowledge gives its rule, indicator
 * and reason, counted from its {@code outcomeTimestamp}, and only while the new card rests on the
 * same facts ({@link CardFacts}). The periods are read at each call, so a changed definition applies
 * to overrides already stored. Every replica sharing the database shares the memory. When the store
 * cannot be read, every card is shown: a card is never lost to a database failure.
 */
final class RememberedOverrides implements CardMemory {

	private static final Logger log = LoggerFactory.getLogger(RememberedOverrides.class);

	private record PastOverride(String rule, String facts, String system, String code, Instant at) {
	}

	private final JdbcClient jdbc;

	private final PatientHasher hasher;

	RememberedOverrides(JdbcClient jdbc, PatientHasher hasher) {
		this.jdbc = jdbc;
		this.hasher = hasher;
	}

	@Override
	public Sorted sort(OverrideMemory memory, String patientId, Instant now, List<Card> cards) {
		if (cards.isEmpty() || patientId == null || memory.longest() == 0) {
			return new Sorted(cards, List.of());
		}
		List<PastOverride> overrides;
		try {
			overrides = overrides(hasher.hash(patientId), cards.stream().map(Card::rule).distinct().toList(),
					now.minus(Duration.ofDays(memory.longest())));
		}
		catch (RuntimeException e) {
			log.warn("Override memory not read, every card shown: {}", e.getClass().getName());
			return new Sorted(cards, List.of());
		}
		if (overrides.isEmpty()) {
			return new Sorted(cards, List.of());
		}
		List<Card> shown = new ArrayList<>();
		List<Card> suppressed = new ArrayList<>();
		for (Card card : cards) {
			(remembered(memory, card, overrides, now) ? suppressed : shown).add(card);
		}
		return new Sorted(shown, suppressed);
	}

	private static boolean remembered(OverrideMemory memory, Card card, List<PastOverride> overrides, Instant now) {
		String facts = CardFacts.fingerprint(card);
		for (PastOverride override : overrides) {
			if (override.rule().equals(card.rule()) && facts.equals(override.facts())) {
				int days = memory.days(card.rule(), card.indicator(), override.system(), override.code());
				if (days > 0 && now.isBefore(override.at().plus(Duration.ofDays(days)))) {
					return true;
				}
			}
		}
		return false;
	}

	/**
	 * The patient's overrides of the rules {@code :rules} since {@code :since}. Both sides of the join
	 * are indexed (the patient's cards; the overrides by time, V4): the database starts from the
	 * smaller.
	 */
	static final String OVERRIDES = """
			SELECT c.rule_id, c.facts, f.reason_system, f.reason_code, f.outcome_at
			FROM card_shown c JOIN feedback f ON f.card_uuid = c.card_uuid
			WHERE c.patient_hash = :patient AND c.rule_id IN (:rules) AND c.suppressed = FALSE
			  AND f.outcome = 'overridden' AND f.outcome_at >= :since""";

	/** One indexed query per call with cards. */
	private List<PastOverride> overrides(String patientHash, List<String> rules, Instant since) {
		return jdbc.sql(OVERRIDES)
			.param("patient", patientHash)
			.param("rules", rules)
			.param("since", since.atOffset(ZoneOffset.UTC))
			.query((rs, row) -> new PastOverride(rs.getString("rule_id"), rs.getString("facts"), rs.getString("reason_system"),
					rs.getString("reason_code"), rs.getObject("outcome_at", OffsetDateTime.class).toInstant()))
			.list();
	}
}
