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
				target.set(field, change);
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
				target.set(i, change);
			}
			else {
				target.add(change);
			}
		}
	}
}
