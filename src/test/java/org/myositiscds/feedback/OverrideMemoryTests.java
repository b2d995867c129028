package org.myositiscds.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.NEGATIVE;
import static org.myositiscds.feedback.OverrideFeedback.SIGN;
import static org.myositiscds.feedback.OverrideFeedback.hbsAg;
import static org.myositiscds.feedback.OverrideFeedback.hbsAgPositive;
import static org.myositiscds.feedback.OverrideFeedback.newPatientId;
import static org.myositiscds.feedback.OverrideFeedback.nonImmune;
import static org.myositiscds.feedback.OverrideFeedback.reason;
import static org.myositiscds.feedback.OverrideFeedback.unscreened;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Override memory through the real service over HTTP: a card is overridden with CDS Hooks feedback,
 * and the next call for the same patient and rule leaves it out (or not) as the service definitions
 * say (docs/feedback.md, "Override memory").
 */
@CdsServiceTest
class OverrideMemoryTests {

	static final String SELECT = "hbv-screening-order-select";

	@Autowired
	CdsHooksClient client;

	@Autowired
	JdbcClient jdbc;

	OverrideFeedback service;

	@BeforeEach
	void service() {
		service = new OverrideFeedback(client, jdbc);
	}

	@Test
	void hbv1OverriddenAsAnOutsideResultIsRememberedForThatPatientOnlyUntilANewHbsAgResult() {
		String patientId = newPatientId();
		CdsHooksClient.Answer first = service.sign(unscreened(patientId));
		assertThat(first.rules()).contains("HBV-1");
		long suppressedBefore = service.suppressed("HBV-1", 0);

		service.override(SIGN, first.card("HBV-1"), reason("outside-record", "Result in an outside record"));

		assertThat(service.sign(unscreened(patientId)).rules()).as("same patient, same facts").doesNotContain("HBV-1");
		assertThat(client.call(SELECT, unscreened(patientId).orderSelect(SELECT, "rtx-1")).rules())
			.as("the same rule through the order-select service").doesNotContain("HBV-1");
		assertThat(service.sign(unscreened(newPatientId())).rules()).as("another patient").contains("HBV-1");
		// A new HBsAg result (negative, today): anti-HBc is still missing, so HBV-1 applies on new facts.
		CdsHooksClient.Answer afterNewResult = service.sign(hbsAg(unscreened(patientId), 0, NEGATIVE));
		assertThat(afterNewResult.rules()).as("a new HBsAg result").contains("HBV-1");
		assertThat(afterNewResult.card("HBV-1").path("detail").asText()).contains("HBsAg: negative");
		assertThat(service.suppressed("HBV-1", suppressedBefore + 2)).as("the two cards kept back are counted")
			.isEqualTo(suppressedBefore + 2);
		JsonNode hbv1 = rule(client.get("/admin/feedback/summary").body(), "HBV-1");
		assertThat(hbv1.path("suppressed").asLong()).as("in the report").isEqualTo(suppressedBefore + 2);
	}

	@Test
	void aCriticalHbv2OverriddenWithoutAHandledReasonIsShownAgain() {
		String patientId = newPatientId();
		CdsHooksClient.Answer first = service.sign(hbsAgPositive(patientId));
		assertThat(first.card("HBV-2").path("indicator").asText()).isEqualTo("critical");

		service.override(SIGN, first.card("HBV-2"), null);
		CdsHooksClient.Answer second = service.sign(hbsAgPositive(patientId));
		assertThat(second.rules()).as("overridden without a reason").contains("HBV-2");

		service.override(SIGN, second.card("HBV-2"), reason("patient-declined", "Patient declined"));
		CdsHooksClient.Answer third = service.sign(hbsAgPositive(patientId));
		assertThat(third.rules()).as("a reason that does not say the problem is handled").contains("HBV-2");

		service.override(SIGN, third.card("HBV-2"), reason("hepatology-managing", "Hepatology is managing prophylaxis"));
		assertThat(service.sign(hbsAgPositive(patientId)).rules()).as("hepatology is managing prophylaxis")
			.doesNotContain("HBV-2");
	}

	@Test
	void hbv1OverriddenWithoutAReasonIsNotRememberedAndAcceptedCardsNeedNoMemory() {
		String patientId = newPatientId();
		CdsHooksClient.Answer first = service.sign(unscreened(patientId));
		service.override(SIGN, first.card("HBV-1"), null);
		CdsHooksClient.Answer second = service.sign(unscreened(patientId));
		assertThat(second.rules()).as("a critical card overridden without a reason").contains("HBV-1");

		service.accept(SIGN, second.card("HBV-1"));
		assertThat(service.sign(unscreened(patientId)).rules()).as("accepted").contains("HBV-1");
	}

	@Test
	void anInfoCardIsRememberedWhateverTheReason() {
		String patientId = newPatientId();
		CdsHooksClient.Answer first = service.sign(nonImmune(patientId));
		assertThat(first.card("HBV-5").path("indicator").asText()).isEqualTo("info");
		service.override(SIGN, first.card("HBV-5"), null);
		assertThat(service.sign(nonImmune(patientId)).rules()).doesNotContain("HBV-5");
	}

	@Test
	void discoveryStatesThatOverridesAreRememberedAndForHowLong() {
		JsonNode services = client.discovery().body().path("services");
		assertThat(services).isNotEmpty();
		for (JsonNode definition : services) {
			if (definition.path("id").asText().startsWith("demo-")) {
				continue;
			}
			assertThat(definition.path("description").asText()).as(definition.path("id").asText())
				.contains("override is remembered");
			JsonNode memory = definition.path("extension").path("myositis-cds.overrideMemory");
			assertThat(memory.path("days").path("info").asInt()).isEqualTo(180);
			assertThat(memory.path("days").path("warning").asInt()).isEqualTo(30);
			assertThat(memory.path("days").has("critical")).isFalse();
			if (definition.path("id").asText().startsWith("rituximab-")) {
				JsonNode rtx1 = memory.path("rules").path("RTX-1").path("*");
				assertThat(rtx1.isInt()).as("the CQL parameter's default, as days: " + rtx1).isTrue();
				assertThat(rtx1.asInt()).isEqualTo(21);
			}
			if (definition.path("id").asText().startsWith("hbv-")) {
				JsonNode hbv1 = memory.path("rules").path("HBV-1");
				assertThat(hbv1.path("outside-record").asInt()).isEqualTo(365);
				assertThat(hbv1.path("results-pending").asInt()).isEqualTo(14);
				assertThat(hbv1.path("patient-declined").asInt()).isEqualTo(90);
				assertThat(definition.path("description").asText()).contains("HBV-1: 365 days", "14 for results pending",
						"90 when the patient declined");
			}
		}
	}

	@Test
	void theGuidancePagesSayHowLongAnOverrideIsRemembered() throws Exception {
		assertThat(guidance("HBV-1")).contains("When the card is overridden",
				"365 days after an override for \u201cResult in an outside record\u201d",
				"14 days after an override for \u201cResults pending\u201d",
				"90 days after an override for \u201cPatient declined\u201d", "shown again at once");
		assertThat(guidance("HBV-5")).contains("180 days for an info card");
		assertThat(guidance("RTX-1"))
			.contains("21 days (the CQL parameter \u201cRituximab Course Window Days\u201d) after an override");
		assertThat(guidance("RTX-13")).contains("(a critical card: never)");
	}

	private String guidance(String rule) throws Exception {
		java.net.http.HttpResponse<String> page = java.net.http.HttpClient.newHttpClient().send(
				java.net.http.HttpRequest.newBuilder(java.net.URI.create(client.url("/guidance/" + rule))).build(),
				java.net.http.HttpResponse.BodyHandlers.ofString());
		assertThat(page.statusCode()).isEqualTo(200);
		return org.springframework.web.util.HtmlUtils.htmlUnescape(page.body());
	}

	static JsonNode rule(JsonNode summary, String rule) {
		for (JsonNode node : summary.path("rules")) {
			if (rule.equals(node.path("rule").asText())) {
				return node;
			}
		}
		return org.myositiscds.TestJson.read("{}");
	}
}
