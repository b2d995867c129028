package org.myositiscds.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.NEGATIVE;
import static org.myositiscds.PatientScenario.POSITIVE;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.PatientScenario;
import org.myositiscds.TestJson;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Override memory through the real service over HTTP: a card is overridden with CDS Hooks feedback,
 * and the next call for the same patient and rule leaves it out (or not) as the service definitions
 * say (docs/feedback.md, "Override memory").
 */
@CdsServiceTest
class OverrideMemoryTests {

	static final String SIGN = "hbv-screening-order-sign";

	static final String SELECT = "hbv-screening-order-select";

	static final String REASONS = "https://fhir.myositis-cds.org/CodeSystem/override-reasons";

	@Autowired
	CdsHooksClient client;

	@Autowired
	JdbcClient jdbc;

	static String newPatientId() {
		return "om-" + UUID.randomUUID().toString().substring(0, 13);
	}

	static PatientScenario hbv(PatientScenario scenario, String loinc, String display, int days,
			java.util.function.Consumer<org.hl7.fhir.r4.model.Observation> result) {
		return scenario.lab(loinc, display, days, result);
	}

	static PatientScenario hbsAg(PatientScenario scenario, int days,
			java.util.function.Consumer<org.hl7.fhir.r4.model.Observation> result) {
		return hbv(scenario, "5196-1", "Hepatitis B virus surface Ag [Presence] in Serum or Plasma by Immunoassay", days,
				result);
	}

	/** Rituximab ordered, no hepatitis B screening at all: HBV-1. */
	static PatientScenario unscreened(String patientId) {
		return patient(patientId).draft(rituximabOrder("rtx-1"));
	}

	/** Rituximab ordered, HBsAg positive, no antiviral: HBV-2 (critical). */
	static PatientScenario hbsAgPositive(String patientId) {
		return hbsAg(patient(patientId), 30, POSITIVE).draft(rituximabOrder("rtx-1"));
	}

	CdsHooksClient.Answer sign(PatientScenario scenario) {
		CdsHooksClient.Answer answer = client.call(SIGN, scenario.orderSign(SIGN));
		assertThat(answer.status()).isEqualTo(200);
		return answer;
	}

	static JsonNode reason(String code, String display) {
		return TestJson.MAPPER.createObjectNode().put("system", REASONS).put("code", code).put("display", display);
	}

	/** Posts an override of the card (reason may be null) once the card log has recorded the card. */
	void override(String service, JsonNode card, JsonNode reason) {
		String uuid = card.path("uuid").asText();
		awaitRecorded(uuid);
		ObjectNode item = TestJson.MAPPER.createObjectNode()
			.put("card", uuid)
			.put("outcome", "overridden")
			.put("outcomeTimestamp", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
		if (reason != null) {
			item.putObject("overrideReason").set("reason", reason);
		}
		ObjectNode body = TestJson.MAPPER.createObjectNode();
		body.putArray("feedback").add(item);
		assertThat(client.post("/cds-services/" + service + "/feedback", body.toString()).status()).isEqualTo(200);
	}

	void awaitRecorded(String cardUuid) {
		Instant deadline = Instant.now().plusSeconds(10);
		while (jdbc.sql("SELECT COUNT(*) FROM card_shown WHERE card_uuid = ?").param(cardUuid).query(Long.class).single() == 0) {
			assertThat(Instant.now()).as("card %s recorded within 10 s", cardUuid).isBefore(deadline);
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new AssertionError(e);
			}
		}
	}

	long suppressedInReport(String rule) {
		Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
		long suppressed = 0;
		while (Instant.now().isBefore(deadline)) {
			for (JsonNode node : client.get("/admin/feedback/summary").body().path("rules")) {
				if (rule.equals(node.path("rule").asText())) {
					suppressed = node.path("suppressed").asLong();
				}
			}
			if (suppressed > 0) {
				return suppressed;
			}
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new AssertionError(e);
			}
		}
		return suppressed;
	}

	@Test
	void hbv1OverriddenAsAnOutsideResultIsRememberedForThatPatientOnlyUntilANewHbsAgResult() {
		String patientId = newPatientId();
		CdsHooksClient.Answer first = sign(unscreened(patientId));
		assertThat(first.rules()).contains("HBV-1");
		long suppressedBefore = suppressedInReport("HBV-1");

		override(SIGN, first.card("HBV-1"), reason("outside-record", "Result in an outside record"));

		assertThat(sign(unscreened(patientId)).rules()).as("same patient, same facts").doesNotContain("HBV-1");
		assertThat(client.call(SELECT, unscreened(patientId).orderSelect(SELECT, "rtx-1")).rules())
			.as("the same rule through the order-select service").doesNotContain("HBV-1");
		assertThat(sign(unscreened(newPatientId())).rules()).as("another patient").contains("HBV-1");
		// A new HBsAg result (negative, today): anti-HBc is still missing, so HBV-1 applies on new facts.
		CdsHooksClient.Answer afterNewResult = sign(hbsAg(unscreened(patientId), 0, NEGATIVE));
		assertThat(afterNewResult.rules()).as("a new HBsAg result").contains("HBV-1");
		assertThat(afterNewResult.card("HBV-1").path("detail").asText()).contains("HBsAg: negative");
		assertThat(suppressedInReport("HBV-1")).as("suppressed cards counted").isGreaterThanOrEqualTo(suppressedBefore + 2);
	}

	@Test
	void aCriticalHbv2OverriddenWithoutAHandledReasonIsShownAgain() {
		String patientId = newPatientId();
		CdsHooksClient.Answer first = sign(hbsAgPositive(patientId));
		assertThat(first.card("HBV-2").path("indicator").asText()).isEqualTo("critical");

		override(SIGN, first.card("HBV-2"), null);
		CdsHooksClient.Answer second = sign(hbsAgPositive(patientId));
		assertThat(second.rules()).as("overridden without a reason").contains("HBV-2");

		override(SIGN, second.card("HBV-2"), reason("patient-declined", "Patient declined"));
		CdsHooksClient.Answer third = sign(hbsAgPositive(patientId));
		assertThat(third.rules()).as("a reason that does not say the problem is handled").contains("HBV-2");

		override(SIGN, third.card("HBV-2"), reason("hepatology-managing", "Hepatology is managing prophylaxis"));
		assertThat(sign(hbsAgPositive(patientId)).rules()).as("hepatology is managing prophylaxis")
			.doesNotContain("HBV-2");
	}

	@Test
	void hbv1OverriddenWithoutAReasonIsNotRememberedAndAcceptedCardsNeedNoMemory() {
		String patientId = newPatientId();
		CdsHooksClient.Answer first = sign(unscreened(patientId));
		override(SIGN, first.card("HBV-1"), null);
		CdsHooksClient.Answer second = sign(unscreened(patientId));
		assertThat(second.rules()).as("a critical card overridden without a reason").contains("HBV-1");

		String card = second.card("HBV-1").path("uuid").asText();
		String suggestion = second.card("HBV-1").path("suggestions").get(0).path("uuid").asText();
		awaitRecorded(card);
		ObjectNode item = TestJson.MAPPER.createObjectNode().put("card", card).put("outcome", "accepted")
			.put("outcomeTimestamp", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
		item.putArray("acceptedSuggestions").addObject().put("id", suggestion);
		ObjectNode body = TestJson.MAPPER.createObjectNode();
		body.putArray("feedback").add(item);
		assertThat(client.post("/cds-services/" + SIGN + "/feedback", body.toString()).status()).isEqualTo(200);
		assertThat(sign(unscreened(patientId)).rules()).as("accepted").contains("HBV-1");
	}

	@Test
	void anInfoCardIsRememberedWhateverTheReason() {
		// HBsAg and anti-HBc negative, anti-HBs missing: HBV-5 (info), remembered 180 days whatever the reason.
		String patientId = newPatientId();
		PatientScenario nonImmune = hbv(hbsAg(patient(patientId), 30, NEGATIVE), "16933-4",
				"Hepatitis B virus core Ab [Presence] in Serum", 30, NEGATIVE).draft(rituximabOrder("rtx-1"));
		CdsHooksClient.Answer first = sign(nonImmune);
		assertThat(first.card("HBV-5").path("indicator").asText()).isEqualTo("info");
		override(SIGN, first.card("HBV-5"), null);
		assertThat(sign(nonImmune).rules()).doesNotContain("HBV-5");
	}

	@Test
	void discoveryStatesThatOverridesAreRememberedAndForHowLong() {
		JsonNode services = client.discovery().body().path("services");
		assertThat(services).isNotEmpty();
		for (JsonNode service : services) {
			if (service.path("id").asText().startsWith("demo-")) {
				continue;
			}
			assertThat(service.path("description").asText()).as(service.path("id").asText())
				.contains("override is remembered");
			JsonNode memory = service.path("extension").path("myositis-cds.overrideMemory");
			assertThat(memory.path("days").path("info").asInt()).isEqualTo(180);
			assertThat(memory.path("days").path("warning").asInt()).isEqualTo(30);
			assertThat(memory.path("days").has("critical")).isFalse();
			if (service.path("id").asText().startsWith("hbv-")) {
				assertThat(memory.path("rules").path("HBV-1").path("outside-record").asInt()).isEqualTo(365);
				assertThat(memory.path("rules").path("HBV-1").path("results-pending").asInt()).isEqualTo(14);
				assertThat(memory.path("rules").path("HBV-1").path("patient-declined").asInt()).isEqualTo(90);
			}
		}
	}
}
