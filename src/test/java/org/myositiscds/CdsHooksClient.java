package org.myositiscds;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Calls the service under test over real HTTP, as an EHR would, and checks every answer against the spec. */
public final class CdsHooksClient {

	private static final ObjectMapper JSON = new ObjectMapper();

	private final HttpClient http = HttpClient.newHttpClient();

	private final String baseUrl;

	public CdsHooksClient(int port) {
		this.baseUrl = "http://localhost:" + port;
	}

	public record Answer(int status, JsonNode body, java.net.http.HttpHeaders headers) {

		/** The rule ids of the cards, in order. */
		public List<String> rules() {
			List<String> rules = new ArrayList<>();
			body.path("cards").forEach(card -> rules.add(card.path("extension").path("myositis-cds.rule").asText()));
			return rules;
		}

		public JsonNode card(String rule) {
			for (JsonNode card : body.path("cards")) {
				if (rule.equals(card.path("extension").path("myositis-cds.rule").asText())) {
					return card;
				}
			}
			throw new AssertionError("No card for rule " + rule + " in " + body);
		}
	}

	public Answer discovery() {
		Answer answer = send(HttpRequest.newBuilder(URI.create(baseUrl + "/cds-services")).GET().build());
		if (answer.status() == 200) {
			CdsHooksContract.assertValidDiscovery(answer.body().toString());
		}
		return answer;
	}

	public Answer call(String serviceId, String body) {
		Answer answer = post("/cds-services/" + serviceId, body);
		if (answer.status() == 200) {
			CdsHooksContract.assertValidResponse(answer.body().toString());
		}
		return answer;
	}

	public Answer get(String path) {
		return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET().build());
	}

	public Answer post(String path, String body) {
		return send(HttpRequest.newBuilder(URI.create(baseUrl + path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build());
	}

	/** Any request, with the headers given (e.g. Authorization, Origin); the answer is not checked. */
	public Answer exchange(String method, String path, String body, Map<String, String> headers) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
			.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
		headers.forEach((name, value) -> {
			if (name.equalsIgnoreCase("Authorization")) {
				TestSecrets.remember(value.replaceFirst("(?i)^Bearer ", ""));
			}
			request.header(name, value);
		});
		return send(request.build());
	}

	/** The full URL of a path, as a JWT's aud must name it. */
	public String url(String path) {
		return baseUrl + path;
	}

	/** JSON when the service says so; other answers (guidance pages, a CORS refusal) as text. */
	private static JsonNode readBody(HttpResponse<String> response) throws IOException {
		boolean json = response.headers().firstValue("Content-Type").orElse("").contains("json");
		return json ? JSON.readTree(response.body()) : JSON.getNodeFactory().textNode(response.body());
	}

	private Answer send(HttpRequest request) {
		try {
			HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
			JsonNode body = response.body().isEmpty() ? JSON.nullNode() : readBody(response);
			return new Answer(response.statusCode(), body, response.headers());
		}
		catch (IOException e) {
			throw new AssertionError("The service did not answer JSON", e);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new AssertionError(e);
		}
	}
}
