package org.myositiscds.prefetch;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A prefetch template of a service definition, with the CDS Hooks 2.0 tokens:
 * {@code {{context.x}}} for the context's top-level primitive fields, and the user tokens
 * {@code {{userPractitionerId}}}, {@code {{userPractitionerRoleId}}}, {@code {{userPatientId}}},
 * {@code {{userRelatedPersonId}}}, taken from {@code context.userId}.
 */
public record PrefetchTemplate(String key, String query) {

	private static final Pattern TOKEN = Pattern.compile("\\{\\{\\s*([A-Za-z.]+)\\s*}}");

	private static final Map<String, String> USER_TOKENS = Map.of(
			"userPractitionerId", "Practitioner",
			"userPractitionerRoleId", "PractitionerRole",
			"userPatientId", "Patient",
			"userRelatedPersonId", "RelatedPerson");

	/**
	 * The query with every token replaced, or empty when a token has no value in this context
	 * (e.g. {@code {{userPractitionerId}}} when the user is a PractitionerRole).
	 */
	public Optional<String> render(Map<String, String> contextFields) {
		Matcher matcher = TOKEN.matcher(query);
		StringBuilder rendered = new StringBuilder();
		while (matcher.find()) {
			String value = tokenValue(matcher.group(1), contextFields);
			if (value == null || value.isEmpty()) {
				return Optional.empty();
			}
			matcher.appendReplacement(rendered, Matcher.quoteReplacement(value));
		}
		matcher.appendTail(rendered);
		return Optional.of(rendered.toString());
	}

	private static String tokenValue(String token, Map<String, String> contextFields) {
		if (token.startsWith("context.")) {
			return contextFields.get(token.substring("context.".length()));
		}
		String resourceType = USER_TOKENS.get(token);
		String userId = contextFields.get("userId");
		if (resourceType == null || userId == null || !userId.startsWith(resourceType + "/")) {
			return null;
		}
		return userId.substring(resourceType.length() + 1);
	}
}
