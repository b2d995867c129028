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

/** The card contract is enforced: a tuple that breaks it is left out; the others still show. */
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
	void cardsBreakingTheContractAreLeftOutAndTheOthersStay() {
		Code reason = new Code().withSystem("s").withCode("c").withDisplay("Reason");
		Tuple lab = tuple("resourceType", "ServiceRequest", "status", "draft", "intent", "order",
				"subject", tuple("reference", "Patient/p"));
		Tuple create = tuple("type", "create", "description", "Order", "resource", lab);
		Tuple suggestion = tuple("label", "Order it", "isRecommended", true, "actions", List.of(create));
		Tuple notFhir = tuple("type", "create", "description", "Bad", "resource",
				tuple("resourceType", "ServiceRequest", "noSuchElement", "x"));
		List<Card> cards = assembler.assemble(List.of(
				card("LONG", "info", "x".repeat(140), null, null, null),
				card("NOREASON", "critical", "Critical without override reasons", null, null, null),
				card("NOBEHAVIOUR", "warning", "Suggestions without selectionBehavior", List.of(suggestion), null, null),
				card("BADFHIR", "warning", "Invalid resource", List.of(tuple("label", "L", "isRecommended", false,
						"actions", List.of(notFhir))), "any", null),
				card("BADINDICATOR", "severe", "Unknown indicator", null, null, null),
				card("OK", "critical", "Valid critical card", List.of(suggestion), "any", List.of(reason)),
				card("OK", "info", "Second card of the same rule", null, null, null)), Map.of(), "https://cds.example.org");
		assertThat(cards).extracting(Card::rule).containsExactly("OK");
		assertThat(cards.get(0).summary()).isEqualTo("Valid critical card");
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
