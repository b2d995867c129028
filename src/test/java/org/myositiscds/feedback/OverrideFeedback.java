package org.myositiscds.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.NEGATIVE;
import static org.myositiscds.PatientScenario.POSITIVE;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hl7.fhir.r4.model.Observation;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.PatientScenario;
import org.myositiscds.TestJson;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What the override memory tests do to one running service: order-sign calls of the HBV service for
 * typical patients, and overrides of their cards posted as CDS Hooks feedback.
 */
record OverrideFeedback(CdsHooksClient client, JdbcClient jdbc) {

	static final String SIGN = "hbv-screening-order-sign";

	static final String REASONS = "https://fhir.myositis-cds.org/CodeSystem/override-reasons";

	static String newPatientId() {
		return "om-" + UUID.randomUUID().toString().substring(0, 13);
	}

	static PatientScenario hbsAg(PatientScenario scenario, int days, Consumer<Observation> result) {
		return scenario.lab("5196-1", "Hepatitis B virus surface Ag [Presence] in Serum or Plasma by Immunoassay", days,
				result);
	}

	static PatientScenario antiHbc(PatientScenario scenario, int days, Consumer<Observation> result) {
		return scenario.lab("16933-4", "Hepatitis B virus core Ab [Presence] in Serum", days, result);
	}

	/** Rituximab ordered, no hepatitis B screening at all: HBV-1 (critical). */
	static PatientScenario unscreened(String patientId) {
		return patient(patientId).draft(rituximabOrder("rtx-1"));
	}

	/** Rituximab ordered, HBsAg positive, no antiviral: HBV-2 (critical). */
	static PatientScenario hbsAgPositive(String patientId) {
		return hbsAg(patient(patientId), 30, POSITIVE).draft(rituximabOrder("rtx-1"));
	}

	/** Rituximab ordered, HBsAg and anti-HBc negative, no anti-HBs: HBV-5 (info). */
	static PatientScenario nonImmune(String patientId) {
		return antiHbc(hbsAg(patient(patientId), 30, NEGATIVE), 30, NEGATIVE).draft(rituximabOrder("rtx-1"));
	}

	static JsonNode reason(String code, String display) {
		return TestJson.MAPPER.createObjectNode().put("system", REASONS).put("code", code).put("display", display);
	}

	CdsHooksClient.Answer sign(PatientScenario scenario) {
		CdsHooksClient.Answer answer = client.call(SIGN, scenario.orderSign(SIGN));
		assertThat(answer.status()).isEqualTo(200);
		return answer;
	}

	/** Posts an override of the card (reason may be null) once the card log has recorded the card. */
	void override(String service, JsonNode card, JsonNode reason) {
		ObjectNode item = item(card, "overridden");
		if (reason != null) {
			item.putObject("overrideReason").set("reason", reason);
		}
		post(service, item);
	}

	/** Posts the acceptance of the card's first suggestion. */
	void accept(String service, JsonNode card) {
		ObjectNode item = item(card, "accepted");
		item.putArray("acceptedSuggestions").addObject().put("id", card.path("suggestions").get(0).path("uuid").asText());
		post(service, item);
	}

	private ObjectNode item(JsonNode card, String outcome) {
		String uuid = card.path("uuid").asText();
		awaitRecorded(uuid);
		return TestJson.MAPPER.createObjectNode()
			.put("card", uuid)
			.put("outcome", outcome)
			.put("outcomeTimestamp", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
	}

	private void post(String service, ObjectNode item) {
		ObjectNode body = TestJson.MAPPER.createObjectNode();
		body.putArray("feedback").add(item);
		assertThat(client.post("/cds-services/" + service + "/feedback", body.toString()).status()).isEqualTo(200);
	}

	/** The card log writes off the call's path: the card is in the store within moments. */
	void awaitRecorded(String cardUuid) {
		Instant deadline = Instant.now().plusSeconds(10);
		while (jdbc.sql("SELECT COUNT(*) FROM card_shown WHERE card_uuid = ?").param(cardUuid).query(Long.class).single() == 0) {
			assertThat(Instant.now()).as("card %s recorded within 10 s", cardUuid).isBefore(deadline);
			pause();
		}
	}

	/** Suppressed cards of the rule in the store, once at least {@code atLeast} are there (or 10 s passed). */
	long suppressed(String rule, long atLeast) {
		Instant deadline = Instant.now().plusSeconds(10);
		long suppressed;
		while ((suppressed = jdbc.sql("SELECT COUNT(*) FROM card_shown WHERE rule_id = ? AND suppressed")
			.param(rule)
			.query(Long.class)
			.single()) < atLeast && Instant.now().isBefore(deadline)) {
			pause();
		}
		return suppressed;
	}

	static void pause() {
		try {
			Thread.sleep(20);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new AssertionError(e);
		}
	}
}
