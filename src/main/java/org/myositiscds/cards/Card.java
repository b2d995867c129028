package org.myositiscds.cards;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.JsonNode;

/** A CDS Hooks 2.0 card, with the field names of the spec. Empty fields are left out of the JSON. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Card(String uuid, String summary, String detail, String indicator, Source source,
		List<Suggestion> suggestions, String selectionBehavior, List<Coding> overrideReasons,
		Map<String, String> extension) {

	/** The card extension key that carries the id of the rule that produced the card. */
	public static final String RULE_EXTENSION = "myositis-cds.rule";

	public String rule() {
		return extension.get(RULE_EXTENSION);
	}

	@JsonInclude(JsonInclude.Include.NON_EMPTY)
	public record Source(String label, String url, Coding topic) {
	}

	@JsonInclude(JsonInclude.Include.NON_EMPTY)
	public record Coding(String system, String code, String display) {
	}

	@JsonInclude(JsonInclude.Include.NON_EMPTY)
	public record Suggestion(String label, String uuid, Boolean isRecommended, List<Action> actions) {
	}

	@JsonInclude(JsonInclude.Include.NON_EMPTY)
	public record Action(String type, String description, JsonNode resource, String resourceId) {
	}
}
