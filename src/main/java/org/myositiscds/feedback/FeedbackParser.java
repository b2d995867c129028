package org.myositiscds.feedback;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.myositiscds.feedback.Feedback.Outcome;
import org.myositiscds.feedback.Feedback.Reason;
import org.myositiscds.hooks.CdsHooksException;
import org.springframework.http.HttpStatus;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads and checks a feedback body against CDS Hooks 2.0. Every problem is reported at once,
 * naming the item and field ({@code feedback[2].outcome}); no value of the request is echoed back.
 */
final class FeedbackParser {

	static final int MAX_ITEMS = 100;

	static final int MAX_COMMENT = 4000;

	static final int MAX_CODE = 255;

	/** An EHR clock may run ahead a little; a day ahead is a wrong timestamp, not drift. */
	static final Duration MAX_CLOCK_AHEAD = Duration.ofDays(1);

	private static final Pattern UUID = Pattern
		.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

	private final JsonMapper jsonMapper;

	private final Clock clock;

	FeedbackParser(JsonMapper jsonMapper, Clock clock) {
		this.jsonMapper = jsonMapper;
		this.clock = clock;
	}

	static CdsHooksException invalid(List<String> problems) {
		return new CdsHooksException(HttpStatus.BAD_REQUEST, "invalid_feedback",
				"The request is not valid CDS Hooks 2.0 feedback", problems);
	}

	List<Feedback> parse(byte[] body) {
		JsonNode items = items(readJson(body));
		List<String> problems = new ArrayList<>();
		List<Feedback> feedback = new ArrayList<>();
		for (int i = 0; i < items.size(); i++) {
			Feedback item = item(items.get(i), "feedback[" + i + "]", problems);
			if (item != null) {
				feedback.add(item);
			}
		}
		if (!problems.isEmpty()) {
			throw invalid(problems);
		}
		return feedback;
	}

	private JsonNode readJson(byte[] body) {
		if (body == null || body.length == 0) {
			throw invalid(List.of("body: required, a JSON object"));
		}
		try {
			JsonNode root = jsonMapper.readTree(body);
			if (root == null || !root.isObject()) {
				throw invalid(List.of("body: must be a JSON object"));
			}
			return root;
		}
		catch (JacksonException e) {
			throw CdsHooksException.invalidJson(e);
		}
	}

	private static JsonNode items(JsonNode root) {
		JsonNode items = root.get("feedback");
		if (items == null || items.isNull()) {
			throw invalid(List.of("feedback: required, an array of feedback items"));
		}
		if (!items.isArray() || items.isEmpty()) {
			throw invalid(List.of("feedback: must be a non-empty array of feedback items"));
		}
		if (items.size() > MAX_ITEMS) {
			throw invalid(List.of("feedback: at most " + MAX_ITEMS + " items in one request"));
		}
		return items;
	}

	private Feedback item(JsonNode item, String at, List<String> problems) {
		if (!item.isObject()) {
			problems.add(at + ": must be an object");
			return null;
		}
		int before = problems.size();
		String card = uuid(item, "card", at, problems);
		Outcome outcome = outcome(item, at, problems);
		List<String> accepted = acceptedSuggestions(item, outcome, at, problems);
		JsonNode overrideReason = item.get("overrideReason");
		Reason reason = null;
		String userComment = null;
		if (overrideReason != null && !overrideReason.isNull()) {
			if (outcome == Outcome.ACCEPTED) {
				problems.add(at + ".overrideReason: only with outcome overridden");
			}
			else if (!overrideReason.isObject()) {
				problems.add(at + ".overrideReason: must be an object with reason (a Coding) and/or userComment");
			}
			else {
				reason = reason(overrideReason.get("reason"), at + ".overrideReason.reason", problems);
				userComment = text(overrideReason, "userComment", MAX_COMMENT, at + ".overrideReason", problems);
				if (reason == null && userComment == null && !hasField(overrideReason, "reason")
						&& !hasField(overrideReason, "userComment")) {
					problems.add(at + ".overrideReason: must have a reason or a userComment");
				}
			}
		}
		Instant timestamp = timestamp(item, at, problems);
		if (problems.size() > before) {
			return null;
		}
		return new Feedback(card, outcome, accepted, reason, userComment, timestamp);
	}

	private static boolean hasField(JsonNode node, String field) {
		return node.has(field) && !node.get(field).isNull();
	}

	private static String uuid(JsonNode parent, String field, String at, List<String> problems) {
		JsonNode value = parent.get(field);
		if (value == null || value.isNull()) {
			problems.add(at + "." + field + ": required, the uuid of the card");
			return null;
		}
		if (!value.isString() || !UUID.matcher(value.stringValue()).matches()) {
			problems.add(at + "." + field + ": must be a uuid");
			return null;
		}
		// UUIDs compare without case; the cards this service returns are lower case.
		return value.stringValue().toLowerCase(Locale.ROOT);
	}

	private static Outcome outcome(JsonNode item, String at, List<String> problems) {
		JsonNode value = item.get("outcome");
		if (value == null || value.isNull()) {
			problems.add(at + ".outcome: required, accepted or overridden");
			return null;
		}
		if (value.isString()) {
			for (Outcome outcome : Outcome.values()) {
				if (outcome.code().equals(value.stringValue())) {
					return outcome;
				}
			}
		}
		problems.add(at + ".outcome: must be accepted or overridden");
		return null;
	}

	private static List<String> acceptedSuggestions(JsonNode item, Outcome outcome, String at, List<String> problems) {
		JsonNode value = item.get("acceptedSuggestions");
		boolean present = value != null && !value.isNull();
		if (outcome == Outcome.OVERRIDDEN) {
			if (present && !(value.isArray() && value.isEmpty())) {
				problems.add(at + ".acceptedSuggestions: only with outcome accepted");
			}
			return List.of();
		}
		if (outcome == Outcome.ACCEPTED && !present) {
			problems.add(at + ".acceptedSuggestions: required when the outcome is accepted");
			return List.of();
		}
		if (!present) {
			return List.of();
		}
		if (!value.isArray() || value.isEmpty()) {
			problems.add(at + ".acceptedSuggestions: must be a non-empty array of {\"id\": suggestion uuid}");
			return List.of();
		}
		TreeSet<String> ids = new TreeSet<>();
		for (int i = 0; i < value.size(); i++) {
			JsonNode suggestion = value.get(i);
			String where = at + ".acceptedSuggestions[" + i + "]";
			if (!suggestion.isObject()) {
				problems.add(where + ": must be an object {\"id\": suggestion uuid}");
			}
			else {
				String id = uuid(suggestion, "id", where, problems);
				if (id != null) {
					ids.add(id);
				}
			}
		}
		return List.copyOf(ids);
	}

	/** A CDS Hooks Coding: code and system required, display optional. */
	private static Reason reason(JsonNode value, String at, List<String> problems) {
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isObject()) {
			problems.add(at + ": must be a Coding with system and code");
			return null;
		}
		int before = problems.size();
		String system = requiredText(value, "system", at, problems);
		String code = requiredText(value, "code", at, problems);
		String display = text(value, "display", MAX_CODE, at, problems);
		return problems.size() > before ? null : new Reason(system, code, display);
	}

	private static String requiredText(JsonNode parent, String field, String at, List<String> problems) {
		if (!hasField(parent, field)) {
			problems.add(at + "." + field + ": required");
			return null;
		}
		return text(parent, field, MAX_CODE, at, problems);
	}

	private static String text(JsonNode parent, String field, int maxLength, String at, List<String> problems) {
		JsonNode value = parent.get(field);
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isString() || value.stringValue().isBlank()) {
			problems.add(at + "." + field + ": must be a non-empty string");
			return null;
		}
		if (value.stringValue().length() > maxLength) {
			problems.add(at + "." + field + ": at most " + maxLength + " characters");
			return null;
		}
		return value.stringValue();
	}

	private Instant timestamp(JsonNode item, String at, List<String> problems) {
		JsonNode value = item.get("outcomeTimestamp");
		if (value == null || value.isNull()) {
			problems.add(at + ".outcomeTimestamp: required, an ISO 8601 date-time with an offset (UTC: Z)");
			return null;
		}
		if (!value.isString()) {
			problems.add(at + ".outcomeTimestamp: must be an ISO 8601 date-time string");
			return null;
		}
		try {
			Instant instant = OffsetDateTime.parse(value.stringValue()).toInstant();
			if (instant.isAfter(clock.instant().plus(MAX_CLOCK_AHEAD))) {
				problems.add(at + ".outcomeTimestamp: is more than a day in the future");
				return null;
			}
			return instant;
		}
		catch (DateTimeParseException e) {
			problems.add(at + ".outcomeTimestamp: must be an ISO 8601 date-time with an offset, such as 2026-01-31T14:05:00Z");
			return null;
		}
	}
}
