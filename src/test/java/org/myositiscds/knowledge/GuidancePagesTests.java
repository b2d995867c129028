package org.myositiscds.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.ClassPathResource;

/**
 * Every card links to a page of the service that explains its rule to a clinician, from the CQL
 * that implements it: the rule in plain words, the thresholds that rule uses and no other, its
 * sources with links, and its own CQL folded away.
 */
@CdsServiceTest
class GuidancePagesTests {

	private static final GuidancePages PAGES = GuidancePages.fromLocation("classpath:cql/");

	@Autowired
	CdsHooksClient client;

	@Test
	void everyRuleHasAPageWithEveryPart() {
		List<String> expected = new ArrayList<>(List.of("DATA-1"));
		for (int i = 1; i <= 6; i++) {
			expected.add("HBV-" + i);
		}
		for (int i = 1; i <= 13; i++) {
			expected.add("RTX-" + i);
		}
		for (int i = 1; i <= 5; i++) {
			expected.add("TAC-" + i);
		}
		assertThat(PAGES.all()).extracting(GuidancePages.Guidance::ruleId).containsExactlyInAnyOrderElementsOf(expected);
		assertThat(PAGES.all()).allSatisfy(page -> {
			assertThat(page.words().firesWhen()).as(page.ruleId()).isNotBlank();
			assertThat(page.words().whatToDo()).as(page.ruleId()).isNotBlank();
			assertThat(page.words().notCovered()).as(page.ruleId()).isNotBlank();
			assertThat(page.words().looksAt()).as(page.ruleId()).isNotBlank();
			assertThat(page.citations()).as(page.ruleId()).isNotEmpty();
			assertThat(page.cql()).as(page.ruleId()).extracting(GuidancePages.Definition::name)
				.contains(page.ruleId() + " Card", page.ruleId() + " Applies");
		});
	}

	@Test
	void rtx3ListsTheJuvenileDoseNumbersItUsesAndNotTheRestOfTheLibrary() {
		GuidancePages.Guidance rtx3 = PAGES.find("RTX-3").orElseThrow();
		assertThat(thresholds(rtx3)).contains("Juvenile BSA Threshold m2 = 1.5 m² fixed",
				"Juvenile Dose Per m2 Up To Threshold = 575 mg/m² fixed",
				"Juvenile Dose Per m2 Above Threshold = 750 mg/m² fixed",
				"Maximum Dose Per Infusion Mg = 1000 mg fixed",
				"Juvenile Dose Tolerance Percent = 10 % setting",
				"Height And Weight Lookback Days = 30 days setting",
				"Adult Age In Years = 18 years setting");
		assertThat(thresholds(rtx3)).noneMatch(t -> t.startsWith("Pregnancy Test"))
			.noneMatch(t -> t.startsWith("Adult Dose Tolerance Percent"))
			.noneMatch(t -> t.startsWith("HCV Antibody Lookback Days"))
			.noneMatch(t -> t.startsWith("Second Infusion Day"))
			.noneMatch(t -> t.startsWith("Maintenance Interval"));
		assertThat(thresholds(PAGES.find("RTX-2").orElseThrow())).contains("Adult Dose Mg = 1000 mg fixed",
				"Second Infusion Day = 14 days fixed", "Maintenance Interval Shortest Days = 168 days fixed",
				"Adult Dose Tolerance Percent = 5 % setting");
		assertThat(rtx3.citations()).extracting(c -> c.source().label()).contains("RIM trial");
	}

	@Test
	void hbv3IsAboutHbv3OnlyWithItsOwnCql() {
		GuidancePages.Guidance hbv3 = PAGES.find("HBV-3").orElseThrow();
		assertThat(hbv3.title()).isEqualTo("Resolved hepatitis B (anti-HBc positive) without antiviral prophylaxis");
		assertThat(hbv3.words().firesWhen()).contains("total anti-HBc is positive").doesNotContain("HBV-2 HBsAg");
		assertThat(hbv3.cql()).extracting(GuidancePages.Definition::name)
			.contains("HBV-3 Card", "Is Resolved Infection Without Prophylaxis", "Prophylaxis Suggestions")
			.doesNotContain("HBV-2 Card", "HBV-2 Applies", "Is HBsAg Positive Without Prophylaxis", "HBV-1 Card");
		assertThat(thresholds(hbv3)).contains("Negative Result Lookback Days = 365 days setting",
				"Renal Impairment eGFR Threshold = 60 mL/min/1.73 m² setting");
		assertThat(hbv3.citations()).extracting(c -> c.source().label()).contains("AASLD 2018", "AGA 2015", "EASL 2017");
	}

	@Test
	void tac1ListsTheDailyDoseRangeAndFindsRituximabByItsLookback() {
		GuidancePages.Guidance tac1 = PAGES.find("TAC-1").orElseThrow();
		assertThat(thresholds(tac1)).contains("Maximum Daily Dose Mg = 3 mg setting", "Minimum Daily Dose Mg = 2 mg setting",
				"Rituximab Exposure Lookback Days = 365 days setting");
		assertThat(tac1.words().whatToDo()).contains("2-3 mg/day");
	}

	/**
	 * The words follow the numbers: every amount with a unit that "Fires when" states is a
	 * threshold of that rule, so changing a threshold without its words fails here.
	 */
	@Test
	void everyAmountTheFiringTextStatesIsOneOfTheRulesThresholds() {
		Pattern amount = Pattern.compile("(?<![/\\d.])(\\d+(?:\\.\\d+)?) ?(days|weeks|%|mg/m2|mg/day|mg/dL|mg|m2|mIU/mL|ng/mL|IU/L|mL/min)");
		for (GuidancePages.Guidance page : PAGES.all()) {
			List<java.math.BigDecimal> values = page.thresholds().stream().map(t -> new java.math.BigDecimal(t.value())).toList();
			Matcher stated = amount.matcher(page.words().firesWhen());
			while (stated.find()) {
				java.math.BigDecimal number = new java.math.BigDecimal(stated.group(1));
				java.math.BigDecimal asThreshold = stated.group(2).equals("weeks") ? number.multiply(java.math.BigDecimal.valueOf(7)) : number;
				assertThat(values).as(page.ruleId() + " says '" + stated.group() + "'")
					.anyMatch(value -> value.compareTo(asThreshold) == 0);
			}
		}
	}

	@Test
	void aGuidanceBlockIsReflowedProseWithListItemsKept() {
		GuidancePages.Guidance rtx4 = PAGES.find("RTX-4").orElseThrow();
		assertThat(rtx4.words().firesWhen()).doesNotContain(" * ").contains("a screening test has no current result, or")
			.contains("\n- IgG, IgM and IgA: 180 days");
	}

	@Test
	void knowledgeWithoutAGuidanceBlockOrCitingAnUnknownSourceDoesNotLoad() {
		Map<String, String> cql = bundledCql();
		ClinicalSources sources = ClinicalSources.fromLocation("classpath:docs/sources.md");
		String hbv = cql.get("HBVScreening");
		Matcher hbv5 = Pattern.compile("/\\*\\R \\* Guidance for clinicians: HBV-5.*?\\*/\\R", Pattern.DOTALL).matcher(hbv);
		assertThat(hbv5.find()).isTrue();
		Map<String, String> withoutBlock = new LinkedHashMap<>(cql);
		withoutBlock.put("HBVScreening", hbv.substring(0, hbv5.start()) + hbv.substring(hbv5.end()));
		assertThatThrownBy(() -> GuidancePages.of(withoutBlock, sources))
			.hasMessageContaining("HBV-5 has no 'Guidance for clinicians' comment block");

		Map<String, String> unknownSource = new LinkedHashMap<>(cql);
		unknownSource.put("HBVScreening", hbv.replace("Sources: AASLD 2018: vaccination", "Sources: seed 000: vaccination"));
		assertThatThrownBy(() -> GuidancePages.of(unknownSource, sources))
			.hasMessageContaining("HBV-5 cites 'seed 000', which docs/sources.md does not list");
	}

	@Test
	void aCardsSourceUrlOpensItsGuidancePage() {
		CdsHooksClient.Answer answer = client.call("hbv-screening-order-sign",
				patient("guidance").draft(rituximabOrder("rtx-1")).orderSign("hbv-screening-order-sign"));
		JsonNode card = answer.card("HBV-1");
		assertThat(card.path("source").path("url").asText()).isEqualTo(client.url("/guidance/HBV-1"));
		CdsHooksClient.Answer page = client.exchange("GET", "/guidance/HBV-1", null, Map.of("Accept", "text/html"));
		assertThat(page.status()).isEqualTo(200);
		assertThat(page.body().asText()).contains("<span class=\"id\">HBV-1</span> Hepatitis B screening missing")
			.contains("Negative Result Lookback Days</span>: <strong>365 days</strong>")
			.contains("<details class=\"cql\">")
			.contains("define &quot;Is HBV Screening Missing&quot;");
	}

	@Test
	void rulePagesCiteTheirSourcesWithLinksAndNothingOutsideTheRepository() {
		for (GuidancePages.Guidance guidance : PAGES.all()) {
			String html = client.exchange("GET", "/guidance/" + guidance.ruleId(), null, Map.of()).body().asText();
			assertThat(html).as(guidance.ruleId()).contains("href=\"sources#")
				.doesNotContainIgnoringCase("seed 0").doesNotContain("../shared").doesNotContain("terminology.md section")
				.doesNotContain("clinical-rules.md").doesNotContain("<pre class=\"words\"");
			assertThat(html.substring(0, html.indexOf("<details"))).as(guidance.ruleId() + " outside the CQL")
				.doesNotContain("<pre");
		}
		String hbv3 = client.exchange("GET", "/guidance/HBV-3", null, Map.of()).body().asText();
		assertThat(hbv3).contains("<a href=\"https://doi.org/10.1002/hep.29800\">doi:10.1002/hep.29800</a>")
			.contains("<a href=\"https://doi.org/10.1053/j.gastro.2014.10.039\">");
		String rtx3 = client.exchange("GET", "/guidance/RTX-3", null, Map.of()).body().asText();
		assertThat(rtx3).contains("<a href=\"https://doi.org/10.1002/art.37754\">")
			.doesNotContain("Pregnancy Test Lookback Days");
		String sources = client.exchange("GET", "/guidance/sources", null, Map.of()).body().asText();
		assertThat(sources).contains("id=\"rim-trial\"", "id=\"aasld-2018\"", "id=\"rituximab-in-dermatomyositis-summary\"")
			.doesNotContainIgnoringCase("seed 0");
	}

	@Test
	void ruleIdsAreCaseInsensitiveAndTheIndexAnswersWithAndWithoutTheSlash() {
		CdsHooksClient.Answer lower = client.exchange("GET", "/guidance/hbv-1", null, Map.of());
		assertThat(lower.status()).isEqualTo(200);
		assertThat(lower.body().asText()).contains("<span class=\"id\">HBV-1</span>");
		assertThat(client.exchange("GET", "/guidance/Rtx-3", null, Map.of()).body().asText()).contains(">RTX-3<");
		assertThat(client.exchange("GET", "/guidance/", null, Map.of()).body().asText())
			.contains("<a href=\"HBV-6\">", "<a href=\"RTX-13\">", "<a href=\"TAC-5\">", "<a href=\"DATA-1\">");
		assertThat(client.exchange("GET", "/guidance", null, Map.of()).body().asText())
			.contains("<a href=\"guidance/HBV-6\">", "<a href=\"guidance/sources\">");
	}

	@Test
	void anUnknownRuleIs404WithAJsonBody() {
		CdsHooksClient.Answer unknown = client.exchange("GET", "/guidance/XYZ-9", null, Map.of("Accept", "text/html"));
		assertThat(unknown.status()).isEqualTo(404);
		assertThat(unknown.body().path("error").asText()).isEqualTo("not_found");
		assertThat(unknown.body().path("message").asText()).contains("/guidance/");
	}

	private static List<String> thresholds(GuidancePages.Guidance guidance) {
		return guidance.thresholds().stream().map(t -> t.name() + " = " + t.value() + (t.unit().isEmpty() ? "" : " " + t.unit())
				+ (t.setting() ? " setting" : " fixed")).toList();
	}

	private static Map<String, String> bundledCql() {
		Map<String, String> cql = new LinkedHashMap<>();
		for (String library : List.of("MyositisCommon", "HBVScreening", "RituximabDM", "TacrolimusDeescalation")) {
			try {
				cql.put(library, new ClassPathResource("cql/" + library + ".cql").getContentAsString(StandardCharsets.UTF_8));
			}
			catch (IOException e) {
				throw new UncheckedIOException(e);
			}
		}
		return cql;
	}
}
