package org.myositiscds.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.springframework.beans.factory.annotation.Autowired;

/** Every card links to a page of the service that explains its rule from the CQL that implements it. */
@CdsServiceTest
class GuidancePagesTests {

	@Autowired
	CdsHooksClient client;

	@Test
	void everyRuleOfTheBundledCqlHasAPageWithItsWordsCqlAndThresholds() {
		GuidancePages pages = GuidancePages.fromLocation("classpath:cql/");
		assertThat(pages.all()).extracting(GuidancePages.Guidance::ruleId)
			.contains("HBV-1", "HBV-2", "HBV-3", "HBV-4", "HBV-5", "HBV-6");
		GuidancePages.Guidance hbv1 = pages.find("HBV-1").orElseThrow();
		assertThat(hbv1.title()).isEqualTo("Hepatitis B screening missing before anti-CD20 therapy");
		assertThat(hbv1.plainWords()).startsWith("HBV-1 screening missing").contains("When:");
		assertThat(hbv1.cql()).contains("define \"Is HBV Screening Missing\"");
		assertThat(hbv1.thresholds()).contains("Negative Result Lookback Days = 365");
		assertThat(pages.find("HBV-3").orElseThrow().cql()).contains("define \"HBV-3 Card\"");
	}

	@Test
	void everyRuleOfTheClinicalRulesHasAPageThatQuotesWhatItRestsOn() {
		GuidancePages pages = GuidancePages.fromLocation("classpath:cql/");
		java.util.List<String> expected = new java.util.ArrayList<>(java.util.List.of("DATA-1"));
		for (int i = 1; i <= 6; i++) {
			expected.add("HBV-" + i);
		}
		for (int i = 1; i <= 13; i++) {
			expected.add("RTX-" + i);
		}
		for (int i = 1; i <= 5; i++) {
			expected.add("TAC-" + i);
		}
		assertThat(pages.all()).extracting(GuidancePages.Guidance::ruleId).containsExactlyInAnyOrderElementsOf(expected);
		assertThat(pages.all()).allSatisfy(page -> assertThat(page.plainWords()).as(page.ruleId()).contains("Rests on:"));
		assertThat(pages.find("TAC-1").orElseThrow().plainWords()).startsWith("TAC-1 dose above range");
	}

	@Test
	void aCardsSourceUrlOpensItsGuidancePage() {
		CdsHooksClient.Answer answer = client.call("hbv-screening-order-sign",
				patient("guidance").draft(rituximabOrder("rtx-1")).orderSign("hbv-screening-order-sign"));
		JsonNode card = answer.card("HBV-1");
		String url = card.path("source").path("url").asText();
		assertThat(url).isEqualTo(client.url("/guidance/HBV-1"));
		CdsHooksClient.Answer page = client.exchange("GET", "/guidance/HBV-1", null, Map.of("Accept", "text/html"));
		assertThat(page.status()).isEqualTo(200);
		assertThat(page.body().asText()).contains("HBV-1: Hepatitis B screening missing")
			.contains("Negative Result Lookback Days = 365")
			.contains("define &quot;Is HBV Screening Missing&quot;");
	}

	@Test
	void theIndexListsTheRulesAndAnUnknownRuleIs404() {
		assertThat(client.exchange("GET", "/guidance", null, Map.of()).body().asText()).contains("HBV-6");
		assertThat(client.exchange("GET", "/guidance/XYZ-9", null, Map.of()).status()).isEqualTo(404);
	}
}
