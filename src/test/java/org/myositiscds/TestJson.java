package org.myositiscds;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** JSON for tests, where malformed JSON is a bug in the test. */
public final class TestJson {

	public static final ObjectMapper MAPPER = new ObjectMapper();

	private TestJson() {
	}

	/** A copy without the uuids, which differ on every call: what two answers are compared by. */
	public static JsonNode withoutUuids(JsonNode node) {
		JsonNode copy = node.deepCopy();
		removeUuids(copy);
		return copy;
	}

	private static void removeUuids(JsonNode node) {
		if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode object) {
			object.remove("uuid");
		}
		node.forEach(TestJson::removeUuids);
	}

	public static JsonNode read(String json) {
		try {
			return MAPPER.readTree(json);
		}
		catch (IOException e) {
			throw new IllegalArgumentException("Not JSON: " + json, e);
		}
	}
}
