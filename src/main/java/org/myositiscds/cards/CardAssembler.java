package org.myositiscds.cards;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.StrictErrorHandler;
import org.hl7.fhir.r4.model.Resource;
import org.opencds.cqf.cql.engine.runtime.Code;
import org.opencds.cqf.cql.engine.runtime.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns the card tuples a guideline library returns (its "Cards" expression, built with
 * MyositisCommon."Card") into CDS Hooks cards. The CQL decides everything clinical; this adds the
 * uuids, the rule extension and topic, and checks the contract.
 *
 * A card whose rule applies is never lost (clinical-rules "Card contract"): a summary that is too
 * long is cut at a word boundary with an ellipsis and logged; any other contract problem is
 * logged as an error and the card is still returned with what can be shown (an invalid
 * suggestion is left out, a missing field gets a neutral default). The build proves every card
 * of every test case and demo patient meets the contract, so these repairs are only for data
 * nobody foresaw. Log messages name the rule and the problem, never the card's text (it may name
 * the patient's data).
 */
public final class CardAssembler {

	private static final Logger log = LoggerFactory.getLogger(CardAssembler.class);

	/** Summaries are shorter than this (CDS Hooks: "<140 characters"). */
	static final int MAX_SUMMARY_LENGTH = 140;

	private static final String ELLIPSIS = "\u2026";

	private static final List<String> INDICATORS = List.of("info", "warning", "critical");

	/** The indicator of a card whose own is missing or unknown: asks for attention, without claiming an emergency. */
	private static final String FALLBACK_INDICATOR = "warning";

	private static final String FALLBACK_SOURCE = "Myositis CDS";

	private final FhirContext fhirContext;

	private final CqlValueJson cqlValueJson;

	public CardAssembler(FhirContext fhirContext, JsonMapper jsonMapper) {
		this.fhirContext = fhirContext;
		this.cqlValueJson = new CqlValueJson(fhirContext, jsonMapper);
	}

	/**
	 * @param originals the resources of the request as the EHR sent them (draft orders and
	 * prefetched data), by relative reference: what update actions change
	 * @param serviceBaseUrl the service's URL as the client sees it: a card's source url is its
	 * guidance page, {@code <serviceBaseUrl>/guidance/<rule id>}; none when null
	 */
	public List<Card> assemble(Object cardTuples, Map<String, Resource> originals, String serviceBaseUrl) {
		Map<String, Card> cardsByRule = new LinkedHashMap<>();
		if (!(cardTuples instanceof Iterable<?> tuples)) {
			return List.of();
		}
		for (Object value : tuples) {
			if (!(value instanceof Tuple tuple)) {
				continue;
			}
			Card card = card(tuple, originals, serviceBaseUrl);
			if (cardsByRule.putIfAbsent(card.rule(), card) != null) {
				log.error("Card contract: rule {} returned more than one card; only the first is shown", card.rule());
			}
		}
		return List.copyOf(cardsByRule.values());
	}

	private Card card(Tuple tuple, Map<String, Resource> originals, String serviceBaseUrl) {
		Code rule = element(tuple, "rule", Code.class);
		String ruleId = rule == null || rule.getCode() == null ? "unknown" : rule.getCode();
		if (rule == null || rule.getCode() == null) {
			log.error("Card contract: a card has no rule code; shown under rule id 'unknown'");
		}
		String indicator = element(tuple, "indicator", String.class);
		if (!INDICATORS.contains(indicator)) {
			log.error("Card contract: {}: indicator must be info, warning or critical; shown as {}", ruleId, FALLBACK_INDICATOR);
			indicator = FALLBACK_INDICATOR;
		}
		String summary = summary(element(tuple, "summary", String.class), rule, ruleId);
		String detail = element(tuple, "detail", String.class);
		if (detail == null || detail.isBlank()) {
			log.error("Card contract: {}: detail is required", ruleId);
		}
		List<Card.Suggestion> suggestions = suggestions(tuple, ruleId, originals);
		String selectionBehavior = element(tuple, "selectionBehavior", String.class);
		if (!suggestions.isEmpty() && !("at-most-one".equals(selectionBehavior) || "any".equals(selectionBehavior))) {
			log.error("Card contract: {}: a card with suggestions needs selectionBehavior at-most-one or any; "
					+ "shown as at-most-one", ruleId);
			selectionBehavior = "at-most-one";
		}
		List<Card.Coding> overrideReasons = codes(tuple, "overrideReasons").stream()
			.map(code -> new Card.Coding(code.getSystem(), code.getCode(), code.getDisplay()))
			.toList();
		if (indicator.equals("critical") && overrideReasons.isEmpty()) {
			log.error("Card contract: {}: a critical card must offer override reasons", ruleId);
		}
		String source = element(tuple, "source", String.class);
		if (source == null || source.isBlank()) {
			log.error("Card contract: {}: source is required", ruleId);
			source = FALLBACK_SOURCE;
		}
		Card.Coding topic = rule == null ? null : new Card.Coding(rule.getSystem(), ruleId, rule.getDisplay());
		String url = serviceBaseUrl == null ? null : serviceBaseUrl.replaceAll("/+$", "") + "/guidance/" + ruleId;
		return new Card(UUID.randomUUID().toString(), summary, detail, indicator, new Card.Source(source, url, topic),
				suggestions, suggestions.isEmpty() ? null : selectionBehavior, overrideReasons,
				Map.of(Card.RULE_EXTENSION, ruleId));
	}

	/** The summary, cut to fit when it is too long; the rule's title when there is none. */
	private static String summary(String summary, Code rule, String ruleId) {
		if (summary == null || summary.isBlank()) {
			log.error("Card contract: {}: summary is required; the rule's title is shown", ruleId);
			String title = rule == null || rule.getDisplay() == null ? "Myositis CDS advice (" + ruleId + ")" : rule.getDisplay();
			return shortened(title);
		}
		if (summary.length() < MAX_SUMMARY_LENGTH) {
			return summary;
		}
		String cut = shortened(summary);
		log.warn("Card contract: {}: summary of {} characters cut to {} (limit: under {})", ruleId, summary.length(),
				cut.length(), MAX_SUMMARY_LENGTH);
		return cut;
	}

	/**
	 * The text, when too long, cut after its last whole word that fits and ended with an ellipsis;
	 * a text without a space to cut at is cut where it must be.
	 */
	static String shortened(String text) {
		if (text.length() < MAX_SUMMARY_LENGTH) {
			return text;
		}
		int room = MAX_SUMMARY_LENGTH - 1 - ELLIPSIS.length();
		int end = text.lastIndexOf(' ', room);
		String kept = (end > 0 ? text.substring(0, end) : text.substring(0, room)).replaceAll("[\\s,;:.\\-]+$", "");
		return kept + ELLIPSIS;
	}

	private List<Card.Suggestion> suggestions(Tuple card, String ruleId, Map<String, Resource> originals) {
		List<Card.Suggestion> suggestions = new ArrayList<>();
		for (Tuple suggestion : tuples(card, "suggestions")) {
			try {
				List<Card.Action> actions = new ArrayList<>();
				for (Tuple action : tuples(suggestion, "actions")) {
					actions.add(action(action, ruleId, originals));
				}
				if (actions.isEmpty()) {
					continue;
				}
				suggestions.add(new Card.Suggestion(required(suggestion, "label", ruleId), UUID.randomUUID().toString(),
						element(suggestion, "isRecommended", Boolean.class), actions));
			}
			catch (CardContractViolation violation) {
				log.error("Card contract: {}; the suggestion is left out, the card is shown", violation.getMessage());
			}
		}
		return suggestions;
	}

	private Card.Action action(Tuple action, String ruleId, Map<String, Resource> originals) {
		String type = required(action, "type", ruleId);
		if (!List.of("create", "update", "delete").contains(type)) {
			throw new CardContractViolation(ruleId + ": action type must be create, update or delete");
		}
		JsonNode resource = type.equals("update")
				? updated(action.getElement("resource"), action.getElement("changes"), ruleId, originals)
				: cqlValueJson.toJson(action.getElement("resource"));
		if (resource != null) {
			checkIsFhir(resource, ruleId);
		}
		return new Card.Action(type, required(action, "description", ruleId), resource,
				element(action, "resourceId", String.class));
	}

	private JsonNode updated(Object resource, Object changes, String ruleId, Map<String, Resource> originals) {
		if (!(resource instanceof Resource changed) || changes == null) {
			throw new CardContractViolation(ruleId + ": an update needs the resource to change and the changes");
		}
		String reference = changed.fhirType() + "/" + changed.getIdElement().getIdPart();
		Resource original = originals.get(reference);
		if (original == null) {
			throw new CardContractViolation(ruleId + ": an update names " + changed.fhirType()
					+ " that is not among the request's resources");
		}
		ObjectNode json = (ObjectNode) cqlValueJson.toJson(original);
		JsonOverlay.apply(json, cqlValueJson.toOverlayJson(changes));
		return json;
	}

	private void checkIsFhir(JsonNode resource, String ruleId) {
		try {
			fhirContext.newJsonParser().setParserErrorHandler(new StrictErrorHandler()).parseResource(resource.toString());
		}
		catch (DataFormatException e) {
			throw new CardContractViolation(ruleId + ": a suggested resource is not valid FHIR R4: " + withoutValues(e.getMessage()));
		}
	}

	/** HAPI's message with its quoted values masked: a value in a suggestion may come from the patient's record. */
	static String withoutValues(String message) {
		return message == null ? "" : message.replaceAll("\"[^\"]*\"", "\"...\"");
	}

	private static String required(Tuple tuple, String name, String ruleId) {
		String value = element(tuple, name, String.class);
		if (value == null || value.isBlank()) {
			throw new CardContractViolation(ruleId + ": " + name + " is required");
		}
		return value;
	}

	private static <T> T element(Tuple tuple, String name, Class<T> type) {
		Object value = tuple.getElement(name);
		return type.isInstance(value) ? type.cast(value) : null;
	}

	private static List<Tuple> tuples(Tuple tuple, String name) {
		return listOf(tuple.getElement(name), Tuple.class);
	}

	private static List<Code> codes(Tuple tuple, String name) {
		return listOf(tuple.getElement(name), Code.class);
	}

	private static <T> List<T> listOf(Object value, Class<T> type) {
		List<T> items = new ArrayList<>();
		if (value instanceof Iterable<?> list) {
			list.forEach(item -> {
				if (type.isInstance(item)) {
					items.add(type.cast(item));
				}
			});
		}
		return items;
	}

	static final class CardContractViolation extends RuntimeException {

		CardContractViolation(String message) {
			super(message);
		}
	}
}
