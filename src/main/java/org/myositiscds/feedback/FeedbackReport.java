package org.myositiscds.feedback;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.myositiscds.cards.Card;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The numbers informaticists ask for, read from the feedback store. Nothing here names a patient. */
final class FeedbackReport {

	/**
	 * Per rule: cards shown, and how many of them were accepted or overridden (cards, not reports:
	 * a card reported twice counts once), with the override reasons chosen.
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record Summary(Instant generatedAt, Instant from, Instant to, List<RuleSummary> rules, UnknownCards unknownCards) {
	}

	/**
	 * @param cardsShown cards returned to the clinician
	 * @param suppressed cards the rule gave that a remembered override kept back (never shown)
	 * @param days the same counts by UTC day the card was made, oldest first, days without cards left out
	 */
	record RuleSummary(String rule, long cardsShown, long suppressed, long accepted, long overridden, long feedback,
			List<ReasonCount> overrideReasons, long overriddenWithoutCodedReason, List<Day> days) {
	}

	/** One rule's cards of one UTC day: shown, suppressed, and of those shown, accepted and overridden. */
	record Day(String day, long cardsShown, long suppressed, long accepted, long overridden) {
	}

	record ReasonCount(String system, String code, String display, long cards) {
	}

	/** Feedback for cards the store has no record of (another deployment's, or lost from the card log). */
	record UnknownCards(long accepted, long overridden, long feedback) {
	}

	/** One card and everything reported about it. */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record CardReport(String card, Shown shown, List<FeedbackView> feedback) {
	}

	record Shown(String service, String rule, String hookInstance, Instant shownAt) {
	}

	@JsonInclude(JsonInclude.Include.NON_NULL)
	record FeedbackView(String service, String outcome, List<String> acceptedSuggestions,
			OverrideReason overrideReason, Instant outcomeTimestamp, Instant receivedAt, boolean cardKnown) {
	}

	@JsonInclude(JsonInclude.Include.NON_NULL)
	record OverrideReason(Card.Coding reason, String userComment) {
	}

	private final JdbcClient jdbc;

	FeedbackReport(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * @param from cards shown at or after it (feedback for unknown cards: outcomes at or after it), or null
	 * @param to before it, or null
	 */
	Summary summary(Instant now, Instant from, Instant to) {
		// Open ends become bounds far out, so that every query has the same two parameters.
		OffsetDateTime start = (from == null ? Instant.parse("1900-01-01T00:00:00Z") : from).atOffset(ZoneOffset.UTC);
		OffsetDateTime end = (to == null ? Instant.parse("9999-01-01T00:00:00Z") : to).atOffset(ZoneOffset.UTC);
		// Per rule: shown, accepted, overridden, feedback items, overridden without a coded reason, suppressed.
		Map<String, long[]> counts = new TreeMap<>();
		// Per rule, per day: shown, suppressed, accepted, overridden. A card has one day, so the days add up.
		Map<String, Map<String, long[]>> days = new TreeMap<>();
		jdbc.sql("""
				SELECT rule_id, shown_day, SUM(CASE WHEN suppressed THEN 0 ELSE 1 END) AS shown,
				       SUM(CASE WHEN suppressed THEN 1 ELSE 0 END) AS suppressed
				FROM (SELECT rule_id, suppressed, CAST(shown_at AT TIME ZONE 'UTC' AS DATE) AS shown_day FROM card_shown
				      WHERE shown_at >= ? AND shown_at < ?) cards
				GROUP BY rule_id, shown_day""")
			.params(start, end)
			.query((rs, row) -> {
				String rule = rs.getString("rule_id");
				long[] total = counts.computeIfAbsent(rule, id -> new long[6]);
				long[] day = day(days, rule, rs.getObject("shown_day", LocalDate.class));
				day[0] = rs.getLong("shown");
				day[1] = rs.getLong("suppressed");
				total[0] += day[0];
				total[5] += day[1];
				return total;
			})
			.list();
		jdbc.sql("""
				SELECT rule_id, shown_day, outcome, COUNT(DISTINCT card_uuid) AS cards, COUNT(*) AS reports
				FROM (SELECT c.rule_id, f.outcome, f.card_uuid, CAST(c.shown_at AT TIME ZONE 'UTC' AS DATE) AS shown_day
				      FROM feedback f JOIN card_shown c ON c.card_uuid = f.card_uuid
				      WHERE c.shown_at >= ? AND c.shown_at < ?) reported
				GROUP BY rule_id, shown_day, outcome""")
			.params(start, end)
			.query((rs, row) -> {
				String rule = rs.getString("rule_id");
				long[] total = counts.computeIfAbsent(rule, id -> new long[6]);
				long[] day = day(days, rule, rs.getObject("shown_day", LocalDate.class));
				int outcome = "accepted".equals(rs.getString("outcome")) ? 0 : 1;
				day[2 + outcome] = rs.getLong("cards");
				total[1 + outcome] += day[2 + outcome];
				total[3] += rs.getLong("reports");
				return total;
			})
			.list();
		Map<String, List<ReasonCount>> reasons = new TreeMap<>();
		jdbc.sql("""
				SELECT c.rule_id, f.reason_system, f.reason_code, MAX(f.reason_display) AS display,
				       COUNT(DISTINCT f.card_uuid) AS cards
				FROM feedback f JOIN card_shown c ON c.card_uuid = f.card_uuid
				WHERE f.outcome = 'overridden' AND c.shown_at >= ? AND c.shown_at < ?
				GROUP BY c.rule_id, f.reason_system, f.reason_code
				ORDER BY c.rule_id, cards DESC, f.reason_code""")
			.params(start, end)
			.query((rs, row) -> {
				String rule = rs.getString("rule_id");
				if (rs.getString("reason_code") == null) {
					counts.get(rule)[4] = rs.getLong("cards");
				}
				else {
					reasons.computeIfAbsent(rule, id -> new ArrayList<>())
						.add(new ReasonCount(rs.getString("reason_system"), rs.getString("reason_code"),
								rs.getString("display"), rs.getLong("cards")));
				}
				return rule;
			})
			.list();
		List<RuleSummary> rules = new ArrayList<>();
		counts.forEach((rule, c) -> rules.add(new RuleSummary(rule, c[0], c[5], c[1], c[2], c[3],
				reasons.getOrDefault(rule, List.of()), c[4], days.getOrDefault(rule, Map.of()).entrySet().stream()
					.map(day -> new Day(day.getKey(), day.getValue()[0], day.getValue()[1], day.getValue()[2],
							day.getValue()[3]))
					.toList())));
		long[] unknown = new long[3];
		jdbc.sql("""
				SELECT f.outcome, COUNT(DISTINCT f.card_uuid) AS cards, COUNT(*) AS reports FROM feedback f
				WHERE NOT EXISTS (SELECT 1 FROM card_shown c WHERE c.card_uuid = f.card_uuid)
				  AND f.outcome_at >= ? AND f.outcome_at < ?
				GROUP BY f.outcome""")
			.params(start, end)
			.query((rs, row) -> {
				unknown["accepted".equals(rs.getString("outcome")) ? 0 : 1] = rs.getLong("cards");
				unknown[2] += rs.getLong("reports");
				return unknown;
			})
			.list();
		return new Summary(now, from, to, rules, new UnknownCards(unknown[0], unknown[1], unknown[2]));
	}

	private static long[] day(Map<String, Map<String, long[]>> days, String rule, LocalDate day) {
		return days.computeIfAbsent(rule, id -> new TreeMap<>()).computeIfAbsent(day.toString(), d -> new long[4]);
	}

	/** The card as shown, if recorded, and its feedback in the order it happened; empty if neither exists. */
	Optional<CardReport> card(String cardUuid) {
		Optional<Shown> shown = jdbc
			.sql("SELECT service_id, rule_id, hook_instance, shown_at FROM card_shown WHERE card_uuid = ?")
			.param(cardUuid)
			.query((rs, row) -> new Shown(rs.getString("service_id"), rs.getString("rule_id"),
					rs.getString("hook_instance"), rs.getObject("shown_at", OffsetDateTime.class).toInstant()))
			.optional();
		List<FeedbackView> feedback = jdbc.sql("""
				SELECT service_id, outcome, accepted_suggestions, reason_system, reason_code, reason_display,
				       user_comment, outcome_at, received_at, card_known
				FROM feedback WHERE card_uuid = ? ORDER BY outcome_at, received_at""")
			.param(cardUuid)
			.query((rs, row) -> {
				String suggestions = rs.getString("accepted_suggestions");
				Card.Coding reason = rs.getString("reason_code") == null ? null
						: new Card.Coding(rs.getString("reason_system"), rs.getString("reason_code"),
								rs.getString("reason_display"));
				String comment = rs.getString("user_comment");
				return new FeedbackView(rs.getString("service_id"), rs.getString("outcome"),
						suggestions == null ? null : Arrays.asList(suggestions.split(",")),
						reason == null && comment == null ? null : new OverrideReason(reason, comment),
						rs.getObject("outcome_at", OffsetDateTime.class).toInstant(),
						rs.getObject("received_at", OffsetDateTime.class).toInstant(), rs.getBoolean("card_known"));
			})
			.list();
		if (shown.isEmpty() && feedback.isEmpty()) {
			return Optional.empty();
		}
		return Optional.of(new CardReport(cardUuid, shown.orElse(null), feedback));
	}
}
