package org.myositiscds.feedback;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
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
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			for (String part : new String[] { card, outcome.code(), outcomeTimestamp.toString(),
					String.join(",", acceptedSuggestions), reason == null ? null : reason.system(),
					reason == null ? null : reason.code(), userComment }) {
				// Length-prefixed, so that no two different lists of parts give the same bytes.
				byte[] bytes = part == null ? new byte[0] : part.getBytes(StandardCharsets.UTF_8);
				digest.update((part == null ? "-1:" : bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
				digest.update(bytes);
			}
			return HexFormat.of().formatHex(digest.digest());
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}
}
