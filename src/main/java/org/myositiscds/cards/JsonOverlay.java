package org.myositiscds.cards;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Lays changes over a FHIR resource's JSON: objects merge field by field, arrays item by item
 * (so the first dosage's dose can change while its timing and route stay), and a null removes
 * the field. Anything else replaces what was there.
 */
final class JsonOverlay {

	private JsonOverlay() {
	}

	static void apply(ObjectNode target, JsonNode changes) {
		if (!changes.isObject()) {
			return;
		}
		for (String field : changes.propertyNames()) {
			JsonNode change = changes.get(field);
			JsonNode current = target.get(field);
			if (change.isNull()) {
				target.remove(field);
			}
			else if (change.isObject() && current instanceof ObjectNode currentObject) {
				apply(currentObject, change);
			}
			else if (change.isArray() && current instanceof ArrayNode currentArray) {
				applyToArray(currentArray, (ArrayNode) change);
			}
			else {
				target.set(field, withoutNulls(change));
			}
		}
	}

	private static void applyToArray(ArrayNode target, ArrayNode changes) {
		for (int i = 0; i < changes.size(); i++) {
			JsonNode change = changes.get(i);
			if (i < target.size() && change.isObject() && target.get(i) instanceof ObjectNode currentObject) {
				apply(currentObject, change);
			}
			else if (i < target.size()) {
				target.set(i, withoutNulls(change));
			}
			else {
				target.add(withoutNulls(change));
			}
		}
	}

	/**
	 * A change laid where nothing was: its nulls have nothing to remove, and left in they would be
	 * elements of their own (a {@code doseRange: null} beside a {@code doseQuantity} is two dose[x]).
	 */
	private static JsonNode withoutNulls(JsonNode change) {
		if (change.isObject()) {
			ObjectNode copy = ((ObjectNode) change).objectNode();
			change.properties().forEach(field -> {
				if (!field.getValue().isNull()) {
					copy.set(field.getKey(), withoutNulls(field.getValue()));
				}
			});
			return copy;
		}
		if (change.isArray()) {
			ArrayNode copy = ((ArrayNode) change).arrayNode();
			change.forEach(item -> {
				if (!item.isNull()) {
					copy.add(withoutNulls(item));
				}
			});
			return copy;
		}
		return change;
	}
}
