package org.myositiscds;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** JSON for tests, where malformed JSON is a bug in the test. */
public final class TestJson {

	public static final ObjectMapper MAPPER = new ObjectMapper();

	private TestJson() {
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
