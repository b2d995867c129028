package org.myositiscds.feedback;

import java.time.Instant;
import java.util.List;

/**
 * One validated feedback item of CDS Hooks 2.0: what the clinician did with a card.
 *
 * @param acceptedSuggestions the suggestion uuids, sorted and without repeats; empty when overridden
 * @param reason the coded override reason, or null
 * @param userComment the clinician's words, or null
 */
record Feedback(String card, Outcome outcome, List<String> acceptedSuggestions, Reason reason, String userComment,
		Instant outcomeTimestamp) {

	enum Outcome {

		ACCEPTED, OVERRIDDEN;

		String code() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}
	}

	record Reason(String system, String code, String display) {
	}

	/**
	 * SHA-256 over everything that makes two feedback items the same report. The display is left
	 * out: it names the code, it is not part of what the clinician chose.
	 */
	String fingerprint() {
		return Fingerprint.of(card, outcome.code(), outcomeTimestamp.toString(), String.join(",", acceptedSuggestions),
				reason == null ? null : reason.system(), reason == null ? null : reason.code(), userComment);
	}
}
