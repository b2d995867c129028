package org.myositiscds.cards;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Dosage;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.opencds.cqf.cql.engine.runtime.Code;
import org.opencds.cqf.cql.engine.runtime.Tuple;
import tools.jackson.databind.json.JsonMapper;

/** The card contract is checked, and a card is never lost: what breaks it is repaired and logged. */
class CardAssemblerTests {

	final CardAssembler assembler = new CardAssembler(FhirContext.forR4Cached(), JsonMapper.builder().build());

	static Code rule(String id) {
		return new Code().withSystem("https://fhir.myositis-cds.org/CodeSystem/rules").withCode(id).withDisplay(id + " title");
	}

	static Tuple tuple(Object... namesAndValues) {
		Map<String, Object> elements = new LinkedHashMap<>();
		for (int i = 0; i < namesAndValues.length; i += 2) {
			elements.put((String) namesAndValues[i], namesAndValues[i + 1]);
		}
		return new Tuple().withElements(new HashMap<>(elements));
	}

	static Tuple card(String ruleId, String indicator, String summary, List<Tuple> suggestions, String behavior,
			List<Code> overrideReasons) {
		return tuple("rule", rule(ruleId), "indicator", indicator, "summary", summary, "detail", "Detail.",
				"source", "Myositis CDS test", "suggestions", suggestions, "selectionBehavior", behavior,
				"overrideReasons", overrideReasons);
	}

	@Test
	void aValidCardBecomesACdsHooksCardWithTheRuleExtension() {
		List<Card> cards = assembler.assemble(List.of(card("X-1", "info", "Do the thing", null, null, null)), Map.of(), "https://cds.example.org");
		assertThat(cards).singleElement().satisfies(card -> {
			assertThat(card.extension()).containsEntry("myositis-cds.rule", "X-1");
			assertThat(card.source().topic().code()).isEqualTo("X-1");
			assertThat(card.uuid()).hasSize(36);
			assertThat(card.suggestions()).isEmpty();
		});
	}

	@Test
	void cardsBreakingTheContractAreStillShownRepairedAndLoggedAsErrors() {
		Code reason = new Code().withSystem("s").withCode("c").withDisplay("Reason");
		Tuple lab = tuple("resourceType", "ServiceRequest", "status", "draft", "intent", "order",
				"subject", tuple("reference", "Patient/p"));
		Tuple create = tuple("type", "create", "description", "Order", "resource", lab);
		Tuple suggestion = tuple("label", "Order it", "isRecommended", true, "actions", List.of(create));
		Tuple notFhir = tuple("type", "create", "description", "Bad", "resource",
				tuple("resourceType", "ServiceRequest", "noSuchElement", "Patient value 12345"));
		List<Card> cards;
		try (LogCapture log = new LogCapture()) {
			cards = assembler.assemble(List.of(
					card("NOREASON", "critical", "Critical without override reasons", null, null, null),
					card("NOBEHAVIOUR", "warning", "Suggestions without selectionBehavior", List.of(suggestion), null, null),
					card("BADFHIR", "warning", "Invalid resource", List.of(suggestion, tuple("label", "L", "isRecommended", false,
							"actions", List.of(notFhir))), "any", null),
					card("BADINDICATOR", "severe", "Unknown indicator", null, null, null),
					card("NOSUMMARY", "info", null, null, null, null),
					card("OK", "critical", "Valid critical card", List.of(suggestion), "any", List.of(reason)),
					card("OK", "info", "Second card of the same rule", null, null, null)), Map.of(), "https://cds.example.org");
			assertThat(log.errors()).hasSize(6).noneMatch(message -> message.contains("Patient value 12345"));
		}
		assertThat(cards).extracting(Card::rule)
			.containsExactly("NOREASON", "NOBEHAVIOUR", "BADFHIR", "BADINDICATOR", "NOSUMMARY", "OK");
		Map<String, Card> byRule = new HashMap<>();
		cards.forEach(card -> byRule.put(card.rule(), card));
		assertThat(byRule.get("NOREASON").indicator()).isEqualTo("critical");
		assertThat(byRule.get("NOBEHAVIOUR").selectionBehavior()).isEqualTo("at-most-one");
		assertThat(byRule.get("BADFHIR").suggestions()).singleElement()
			.satisfies(kept -> assertThat(kept.label()).isEqualTo("Order it"));
		assertThat(byRule.get("BADINDICATOR").indicator()).isEqualTo("warning");
		assertThat(byRule.get("NOSUMMARY").summary()).isEqualTo("NOSUMMARY title");
		assertThat(byRule.get("OK").summary()).isEqualTo("Valid critical card");
	}

	@Test
	void aLongSummaryIsCutAtAWordWithAnEllipsisAndLoggedWithoutItsText() {
		String drug = "13.4 ML hyaluronidase, human recombinant 2000 UNT/ML / rituximab 120 MG/ML Injection [Rituxan Hycela]";
		String summary = "HBsAg positive: start antiviral prophylaxis before " + drug;
		assertThat(summary).hasSizeGreaterThanOrEqualTo(140);
		List<Card> cards;
		try (LogCapture log = new LogCapture()) {
			cards = assembler.assemble(List.of(card("HBV-2", "info", summary, null, null, null)), Map.of(), null);
			assertThat(log.warnings()).singleElement().satisfies(message -> {
				assertThat(message).contains("HBV-2", String.valueOf(summary.length())).doesNotContain("hyaluronidase");
			});
		}
		String cut = cards.get(0).summary();
		assertThat(cut).hasSizeLessThan(140).endsWith("\u2026");
		String kept = cut.substring(0, cut.length() - 1);
		assertThat(summary).startsWith(kept);
		assertThat(summary.charAt(kept.length())).as("cut at a word boundary").isEqualTo(' ');
		assertThat(CardAssembler.shortened("x".repeat(139))).isEqualTo("x".repeat(139));
		assertThat(CardAssembler.shortened("x".repeat(200))).hasSize(139).endsWith("\u2026");
	}

	@Test
	void anUpdateOverlaysTheChangesOnTheResourceAsTheEhrSentIt() {
		MedicationRequest original = new MedicationRequest();
		original.setId("rtx-1");
		original.setStatus(MedicationRequest.MedicationRequestStatus.DRAFT);
		original.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
		original.setMedication(new CodeableConcept(new Coding("http://www.nlm.nih.gov/research/umls/rxnorm", "1657867", "rituximab")));
		original.setSubject(new org.hl7.fhir.r4.model.Reference("Patient/p"));
		original.addDosageInstruction(new Dosage().setText("IV infusion")
			.addDoseAndRate(new Dosage.DosageDoseAndRateComponent().setDose(new org.hl7.fhir.r4.model.Quantity(1500).setUnit("mg"))));
		Tuple changes = tuple("dosageInstruction", List.of(tuple("doseAndRate", List.of(tuple("doseQuantity",
				tuple("value", new java.math.BigDecimal("1000"), "unit", "mg"))))));
		Tuple update = tuple("type", "update", "description", "Change the dose to 1000 mg", "resource", original.copy(),
				"changes", changes);
		Tuple card = card("DOSE", "warning", "Change the dose", List.of(tuple("label", "Use 1000 mg", "isRecommended", true,
				"actions", List.of(update))), "at-most-one", null);
		Map<String, Resource> originals = Map.of("MedicationRequest/rtx-1", original);
		Card.Action action = assembler.assemble(List.of(card), originals, null).get(0).suggestions().get(0).actions().get(0);
		assertThat(action.resource().path("dosageInstruction").get(0).path("text").asString()).isEqualTo("IV infusion");
		assertThat(action.resource().path("dosageInstruction").get(0).path("doseAndRate").get(0)
			.path("doseQuantity").path("value").asInt()).isEqualTo(1000);
		assertThat(action.resource().path("medicationCodeableConcept").path("coding").get(0).path("code").asString())
			.isEqualTo("1657867");
	}
}
