package org.myositiscds.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.TestJson;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The feedback endpoint, the card log and the reports, through HTTP, against whichever database
 * the subclass wires: the same tests run on H2 and on a real PostgreSQL server.
 */
abstract class FeedbackEndpointContract {

	static final String SIGN = "hbv-screening-order-sign";

	static final String FEEDBACK = "/cds-services/" + SIGN + "/feedback";

	@Autowired
	CdsHooksClient client;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	PatientHasher hasher;

	/** A card the service returned, with the call that produced it. */
	record Shown(JsonNode card, String hookInstance, String patientId) {

		String uuid() {
			return card.path("uuid").asText();
		}
	}

	/** An HBV-1 card (rituximab, no screening) for a new patient, once the card log has recorded it. */
	Shown showCard() {
		String patientId = "fb-" + UUID.randomUUID().toString().substring(0, 13);
		String request = patient(patientId).draft(rituximabOrder("rtx-1")).orderSign(SIGN);
		CdsHooksClient.Answer answer = client.call(SIGN, request);
		assertThat(answer.status()).isEqualTo(200);
		Shown shown = new Shown(answer.card("HBV-1"), TestJson.read(request).path("hookInstance").asText(), patientId);
		awaitRecorded(shown.uuid());
		return shown;
	}

	void awaitRecorded(String cardUuid) {
		Instant deadline = Instant.now().plusSeconds(10);
		while (jdbc.sql("SELECT COUNT(*) FROM card_shown WHERE card_uuid = ?").param(cardUuid).query(Long.class).single() == 0) {
			assertThat(Instant.now()).as("card %s recorded within 10 s", cardUuid).isBefore(deadline);
			sleep(Duration.ofMillis(20));
		}
	}

	static ObjectNode accepted(String card, String... suggestions) {
		ObjectNode item = item(card, "accepted");
		ArrayNode accepted = item.putArray("acceptedSuggestions");
		for (String suggestion : suggestions) {
			accepted.addObject().put("id", suggestion);
		}
		return item;
	}

	static ObjectNode overridden(String card, JsonNode reason, String comment) {
		ObjectNode item = item(card, "overridden");
		ObjectNode overrideReason = item.putObject("overrideReason");
		if (reason != null) {
			overrideReason.set("reason", reason);
		}
		if (comment != null) {
			overrideReason.put("userComment", comment);
		}
		return item;
	}

	static ObjectNode item(String card, String outcome) {
		return TestJson.MAPPER.createObjectNode()
			.put("card", card)
			.put("outcome", outcome)
			.put("outcomeTimestamp", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
	}

	static String body(JsonNode... items) {
		ObjectNode body = TestJson.MAPPER.createObjectNode();
		ArrayNode feedback = body.putArray("feedback");
		for (JsonNode item : items) {
			feedback.add(item);
		}
		return body.toString();
	}

	long storedFor(String card) {
		return jdbc.sql("SELECT COUNT(*) FROM feedback WHERE card_uuid = ?").param(card).query(Long.class).single();
	}

	JsonNode rule(JsonNode summary, String rule) {
		for (JsonNode node : summary.path("rules")) {
			if (rule.equals(node.path("rule").asText())) {
				return node;
			}
		}
		return TestJson.read("{}");
	}

	@Test
	void acceptedFeedbackIsCommittedBeforeThe200AndJoinedToTheRuleOfTheCard() {
		Shown shown = showCard();
		String suggestion = shown.card().path("suggestions").get(0).path("uuid").asText();

		CdsHooksClient.Answer answer = client.post(FEEDBACK, body(accepted(shown.uuid(), suggestion)));

		assertThat(answer.status()).isEqualTo(200);
		assertThat(answer.body().path("stored").asInt()).isEqualTo(1);
		assertThat(storedFor(shown.uuid())).as("committed when the 200 came").isEqualTo(1);
		JsonNode report = client.get("/admin/feedback/cards/" + shown.uuid()).body();
		assertThat(report.path("shown").path("rule").asText()).isEqualTo("HBV-1");
		assertThat(report.path("shown").path("hookInstance").asText()).isEqualTo(shown.hookInstance());
		JsonNode feedback = report.path("feedback").get(0);
		assertThat(feedback.path("outcome").asText()).isEqualTo("accepted");
		assertThat(feedback.path("acceptedSuggestions").get(0).asText()).isEqualTo(suggestion);
		assertThat(feedback.path("cardKnown").asBoolean()).isTrue();
	}

	@Test
	void overriddenFeedbackCountsInTheSummaryWithItsReason() {
		JsonNode before = rule(client.get("/admin/feedback/summary").body(), "HBV-1");
		Shown shown = showCard();
		JsonNode reason = shown.card().path("overrideReasons").get(0);

		CdsHooksClient.Answer answer = client.post(FEEDBACK,
				body(overridden(shown.uuid(), reason, "Screened at another hospital last month")));

		assertThat(answer.status()).isEqualTo(200);
		CdsHooksClient.Answer summary = client.get("/admin/feedback/summary");
		assertThat(summary.status()).isEqualTo(200);
		JsonNode after = rule(summary.body(), "HBV-1");
		assertThat(after.path("cardsShown").asLong()).isGreaterThan(before.path("cardsShown").asLong());
		assertThat(after.path("overridden").asLong()).isEqualTo(before.path("overridden").asLong() + 1);
		assertThat(reasonCount(after, reason.path("code").asText()))
			.isEqualTo(reasonCount(before, reason.path("code").asText()) + 1);
		JsonNode stored = client.get("/admin/feedback/cards/" + shown.uuid()).body().path("feedback").get(0);
		assertThat(stored.path("overrideReason").path("reason").path("code").asText()).isEqualTo(reason.path("code").asText());
		assertThat(stored.path("overrideReason").path("userComment").asText()).startsWith("Screened");
	}

	@Test
	void theSummaryCanBeLimitedToAPeriodOfCardsShown() {
		Instant before = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.SECONDS);
		showCard();
		String later = Instant.now().plusSeconds(3600).truncatedTo(ChronoUnit.SECONDS).toString();

		JsonNode recent = client.get("/admin/feedback/summary?from=" + before + "&to=" + later).body();
		assertThat(rule(recent, "HBV-1").path("cardsShown").asLong()).isPositive();
		assertThat(recent.path("from").asText()).isEqualTo(before.toString());
		assertThat(client.get("/admin/feedback/summary?from=" + later).body().path("rules")).isEmpty();
		assertThat(client.get("/admin/feedback/summary?to=1971-01-01").body().path("rules")).isEmpty();

		CdsHooksClient.Answer wrong = client.get("/admin/feedback/summary?from=last-week&to=2026-13-01");
		assertThat(wrong.status()).isEqualTo(400);
		assertThat(wrong.body().path("details")).hasSize(2);
	}

	private static long reasonCount(JsonNode rule, String code) {
		for (JsonNode reason : rule.path("overrideReasons")) {
			if (code.equals(reason.path("code").asText())) {
				return reason.path("cards").asLong();
			}
		}
		return 0;
	}

	@Test
	void anOverrideWithoutAReasonIsCountedAsSuch() {
		JsonNode before = rule(client.get("/admin/feedback/summary").body(), "HBV-1");
		Shown shown = showCard();
		assertThat(client.post(FEEDBACK, body(item(shown.uuid(), "overridden"))).status()).isEqualTo(200);
		JsonNode after = rule(client.get("/admin/feedback/summary").body(), "HBV-1");
		assertThat(after.path("overriddenWithoutCodedReason").asLong())
			.isEqualTo(before.path("overriddenWithoutCodedReason").asLong() + 1);
	}

	static Stream<Arguments> invalidFeedback() {
		String card = UUID.randomUUID().toString();
		String now = Instant.now().toString();
		return Stream.of(
				Arguments.of("not JSON", "{\"feedback\": [", "invalid_json", ""),
				Arguments.of("an array", "[]", "invalid_feedback", "body: must be a JSON object"),
				Arguments.of("no feedback", "{}", "invalid_feedback", "feedback: required"),
				Arguments.of("feedback empty", "{\"feedback\": []}", "invalid_feedback", "feedback: must be a non-empty array"),
				Arguments.of("feedback an object", "{\"feedback\": {}}", "invalid_feedback", "feedback: must be a non-empty array"),
				Arguments.of("item a string", "{\"feedback\": [\"x\"]}", "invalid_feedback", "feedback[0]: must be an object"),
				Arguments.of("no card", body(item(card, "overridden").without("card")), "invalid_feedback", "feedback[0].card: required"),
				Arguments.of("card not a uuid", body(item("card-1", "overridden")), "invalid_feedback", "feedback[0].card: must be a uuid"),
				Arguments.of("card a number", body(item(card, "overridden").put("card", 7)), "invalid_feedback", "feedback[0].card: must be a uuid"),
				Arguments.of("no outcome", body(item(card, "x").without("outcome")), "invalid_feedback", "feedback[0].outcome: required"),
				Arguments.of("outcome ignored", body(item(card, "ignored")), "invalid_feedback", "feedback[0].outcome: must be accepted or overridden"),
				Arguments.of("accepted without suggestions", body(item(card, "accepted")), "invalid_feedback", "feedback[0].acceptedSuggestions: required"),
				Arguments.of("accepted, suggestions empty", body(accepted(card)), "invalid_feedback", "feedback[0].acceptedSuggestions: must be a non-empty array"),
				Arguments.of("suggestion without id", body(accepted(card).set("acceptedSuggestions", TestJson.read("[{}]"))), "invalid_feedback", "feedback[0].acceptedSuggestions[0].id: required"),
				Arguments.of("suggestion a string", body(accepted(card).set("acceptedSuggestions", TestJson.read("[\"" + card + "\"]"))), "invalid_feedback", "feedback[0].acceptedSuggestions[0]: must be an object"),
				Arguments.of("suggestions when overridden", body(item(card, "overridden").set("acceptedSuggestions", TestJson.read("[{\"id\":\"" + card + "\"}]"))), "invalid_feedback", "feedback[0].acceptedSuggestions: only with outcome accepted"),
				Arguments.of("override reason when accepted", body(accepted(card, card).set("overrideReason", TestJson.read("{\"userComment\":\"x\"}"))), "invalid_feedback", "feedback[0].overrideReason: only with outcome overridden"),
				Arguments.of("override reason a string", body(item(card, "overridden").put("overrideReason", "no")), "invalid_feedback", "feedback[0].overrideReason: must be an object"),
				Arguments.of("override reason empty", body(overridden(card, null, null)), "invalid_feedback", "feedback[0].overrideReason: must have a reason or a userComment"),
				Arguments.of("reason without code", body(overridden(card, TestJson.read("{\"system\":\"urn:x\"}"), null)), "invalid_feedback", "feedback[0].overrideReason.reason.code: required"),
				Arguments.of("reason without system", body(overridden(card, TestJson.read("{\"code\":\"x\"}"), null)), "invalid_feedback", "feedback[0].overrideReason.reason.system: required"),
				Arguments.of("reason code a number", body(overridden(card, TestJson.read("{\"system\":\"urn:x\",\"code\":1}"), null)), "invalid_feedback", "feedback[0].overrideReason.reason.code: must be a non-empty string"),
				Arguments.of("reason a string", body(overridden(card, TestJson.read("\"x\""), null)), "invalid_feedback", "feedback[0].overrideReason.reason: must be a Coding"),
				Arguments.of("comment a number", body(item(card, "overridden").set("overrideReason", TestJson.read("{\"userComment\":5}"))), "invalid_feedback", "feedback[0].overrideReason.userComment: must be a non-empty string"),
				Arguments.of("comment too long", body(overridden(card, null, "x".repeat(4001))), "invalid_feedback", "feedback[0].overrideReason.userComment: at most 4000 characters"),
				Arguments.of("no timestamp", body(item(card, "overridden").without("outcomeTimestamp")), "invalid_feedback", "feedback[0].outcomeTimestamp: required"),
				Arguments.of("timestamp not a date", body(item(card, "overridden").put("outcomeTimestamp", "yesterday")), "invalid_feedback", "feedback[0].outcomeTimestamp: must be an ISO 8601"),
				Arguments.of("timestamp without offset", body(item(card, "overridden").put("outcomeTimestamp", "2026-01-31T14:05:00")), "invalid_feedback", "feedback[0].outcomeTimestamp: must be an ISO 8601"),
				Arguments.of("timestamp a number", body(item(card, "overridden").put("outcomeTimestamp", 1700000000)), "invalid_feedback", "feedback[0].outcomeTimestamp: must be an ISO 8601"),
				Arguments.of("timestamp next week", body(item(card, "overridden").put("outcomeTimestamp", Instant.now().plus(Duration.ofDays(7)).toString())), "invalid_feedback", "feedback[0].outcomeTimestamp: is more than a day in the future"),
				Arguments.of("second item wrong", body(item(card, "overridden").put("outcomeTimestamp", now), item(card, "no")), "invalid_feedback", "feedback[1].outcome: must be accepted or overridden"),
				Arguments.of("too many items", body(Stream.generate(() -> item(card, "overridden")).limit(101).toArray(JsonNode[]::new)), "invalid_feedback", "feedback: at most 100 items"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("invalidFeedback")
	void invalidFeedbackIs400NamingWhatIsWrongAndStoresNothing(String name, String body, String error, String detail) {
		CdsHooksClient.Answer answer = client.post(FEEDBACK, body);
		assertThat(answer.status()).isEqualTo(400);
		assertThat(answer.body().path("error").asText()).isEqualTo(error);
		assertThat(answer.body().path("message").asText()).isNotBlank();
		List<String> details = new ArrayList<>();
		answer.body().path("details").forEach(d -> details.add(d.asText()));
		assertThat(details).isNotEmpty().anySatisfy(d -> assertThat(d).startsWith(detail));
	}

	@Test
	void oneBadItemRejectsTheWholeRequest() {
		String good = UUID.randomUUID().toString();
		CdsHooksClient.Answer answer = client.post(FEEDBACK, body(item(good, "overridden"), item("bad", "overridden")));
		assertThat(answer.status()).isEqualTo(400);
		assertThat(storedFor(good)).isZero();
	}

	@Test
	void feedbackToAnUnknownServiceIs404() {
		CdsHooksClient.Answer answer = client.post("/cds-services/no-such-service/feedback",
				body(item(UUID.randomUUID().toString(), "overridden")));
		assertThat(answer.status()).isEqualTo(404);
		assertThat(answer.body().path("error").asText()).isEqualTo("unknown_service");
	}

	@Test
	void aRepeatedFeedbackIsStoredOnce() {
		String card = UUID.randomUUID().toString();
		JsonNode reason = TestJson.read("{\"system\":\"https://fhir.myositis-cds.org/CodeSystem/override-reasons\",\"code\":\"screened-elsewhere\"}");
		String once = body(overridden(card, reason, "done elsewhere"));

		assertThat(client.post(FEEDBACK, once).body().path("stored").asInt()).isEqualTo(1);
		CdsHooksClient.Answer again = client.post(FEEDBACK, once);
		assertThat(again.status()).isEqualTo(200);
		assertThat(again.body().path("alreadyStored").asInt()).isEqualTo(1);
		// The same item twice in one request, and upper-case uuids: still the same feedback.
		JsonNode item = TestJson.read(once).path("feedback").get(0);
		((ObjectNode) item).put("card", card.toUpperCase());
		assertThat(client.post(FEEDBACK, body(item, item)).body().path("alreadyStored").asInt()).isEqualTo(2);
		assertThat(storedFor(card)).isEqualTo(1);

		// A later report of the same card is another feedback.
		ObjectNode later = overridden(card, reason, "done elsewhere");
		later.put("outcomeTimestamp", Instant.now().plusSeconds(5).toString());
		assertThat(client.post(FEEDBACK, body(later)).body().path("stored").asInt()).isEqualTo(1);
		assertThat(storedFor(card)).isEqualTo(2);
	}

	@Test
	void feedbackForACardNeverShownHereIsStoredAndMarkedUnknown() {
		long before = client.get("/admin/feedback/summary").body().path("unknownCards").path("overridden").asLong();
		String card = UUID.randomUUID().toString();

		assertThat(client.post(FEEDBACK, body(item(card, "overridden"))).status()).isEqualTo(200);

		JsonNode report = client.get("/admin/feedback/cards/" + card).body();
		assertThat(report.has("shown")).isFalse();
		assertThat(report.path("feedback").get(0).path("cardKnown").asBoolean()).isFalse();
		assertThat(client.get("/admin/feedback/summary").body().path("unknownCards").path("overridden").asLong())
			.isEqualTo(before + 1);
		assertThat(client.get("/admin/feedback/cards/" + UUID.randomUUID()).status()).isEqualTo(404);
		assertThat(client.get("/admin/feedback/cards/not-a-uuid").status()).isEqualTo(400);
	}

	@Test
	void everyCardReturnedIsRecordedWithItsRuleAndOnlyAKeyedHashOfThePatient() {
		Shown shown = showCard();

		Map<String, Object> row = jdbc.sql("SELECT * FROM card_shown WHERE card_uuid = ?").param(shown.uuid()).query().singleRow();
		Map<String, Object> columns = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
		columns.putAll(row);
		assertThat(columns.get("rule_id")).isEqualTo("HBV-1");
		assertThat(columns.get("service_id")).isEqualTo(SIGN);
		assertThat(columns.get("hook_instance")).isEqualTo(shown.hookInstance());
		assertThat(columns.get("patient_hash")).isEqualTo(hasher.hash(shown.patientId()))
			.asString().hasSize(64).doesNotContain(shown.patientId());
		assertThat(columns.get("shown_at")).isNotNull();
		assertThat(everyValueInTheDatabase()).noneMatch(value -> value.contains(shown.patientId()));
	}

	/** Every value of every row of every table of the schema, as text. */
	List<String> everyValueInTheDatabase() {
		List<String> tables = jdbc.sql("SELECT table_name FROM information_schema.tables "
				+ "WHERE LOWER(table_schema) = 'public' AND table_type IN ('BASE TABLE', 'TABLE')").query(String.class).list();
		assertThat(tables).map(String::toLowerCase).contains("card_shown", "feedback");
		List<String> values = new ArrayList<>();
		for (String table : tables) {
			jdbc.sql("SELECT * FROM \"" + table + "\"").query().listOfRows()
				.forEach(r -> r.values().forEach(v -> values.add(String.valueOf(v))));
		}
		return values;
	}

	@Test
	void feedbackSentFromManyThreadsAtOnceIsAllStored() throws Exception {
		int threads = 8;
		int requestsEach = 20;
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			List<Future<List<String>>> results = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				results.add(pool.submit(() -> {
					List<String> cards = new ArrayList<>();
					for (int r = 0; r < requestsEach; r++) {
						String a = UUID.randomUUID().toString();
						String b = UUID.randomUUID().toString();
						CdsHooksClient.Answer answer = client.post(FEEDBACK,
								body(item(a, "overridden"), accepted(b, UUID.randomUUID().toString())));
						assertThat(answer.status()).isEqualTo(200);
						assertThat(answer.body().path("stored").asInt()).isEqualTo(2);
						cards.add(a);
						cards.add(b);
					}
					return cards;
				}));
			}
			List<String> cards = new ArrayList<>();
			for (Future<List<String>> result : results) {
				cards.addAll(result.get());
			}
			assertThat(cards).hasSize(threads * requestsEach * 2);
			long stored = cards.stream().mapToLong(this::storedFor).sum();
			assertThat(stored).isEqualTo(cards.size());
		}
		finally {
			pool.shutdownNow();
		}
	}

	static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new AssertionError(e);
		}
	}
}
