package org.myositiscds.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.DemoPatients;
import org.myositiscds.PatientScenario;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The published knowledge, run by another engine: the clinical-reasoning module's
 * PlanDefinition/$apply (cqf-fhir-cr, in-process, on an in-memory FHIR repository holding the
 * Libraries, PlanDefinitions and ValueSets the build emits and one demo patient's record) must
 * find applicable exactly the rules the service answers cards for, for every demo patient and
 * every service.
 */
@CdsServiceTest
class PlanDefinitionApplyTests {

	static PlanDefinitionApply peer;

	@Autowired
	CdsHooksClient client;

	@BeforeAll
	static void readTheKnowledge() throws IOException {
		peer = new PlanDefinitionApply();
	}

	@Test
	void applyFindsApplicableTheRulesTheServiceAnswersCardsFor() {
		LocalDate today = LocalDate.now();
		Map<String, Set<String>> mismatches = new TreeMap<>();
		Set<String> rulesSeen = new TreeSet<>();
		Set<String> rulesPublished = new TreeSet<>();
		for (String patientId : DemoPatients.ids()) {
			compare(patientId, DemoPatients.scenario(patientId, today), draftOrders(patientId, today), mismatches,
					rulesSeen, rulesPublished);
		}
		// DATA-1: a demo patient's rituximab draft naming a Medication that is nowhere to be had.
		String patientId = "demo-screened-immune";
		List<Resource> drafts = draftOrders(patientId, today).stream().map(draft -> {
			MedicationRequest unresolved = (MedicationRequest) draft.copy();
			unresolved.setMedication(new Reference("Medication/not-in-this-ehr"));
			return (Resource) unresolved;
		}).toList();
		compare(patientId, DemoPatients.scenario(patientId, today, drafts), drafts, mismatches, rulesSeen, rulesPublished);
		assertThat(mismatches).isEmpty();
		// The comparison means something only if the demo patients make every published rule fire.
		assertThat(rulesSeen).isEqualTo(rulesPublished).hasSize(25);
	}

	private void compare(String patientId, PatientScenario scenario, List<Resource> drafts,
			Map<String, Set<String>> mismatches, Set<String> rulesSeen, Set<String> rulesPublished) {
		String firstDraft = drafts.get(0).fhirType() + "/" + drafts.get(0).getIdPart();
		for (String serviceId : peer.serviceIds()) {
			boolean select = serviceId.endsWith("order-select");
			CdsHooksClient.Answer answer = client.call(serviceId,
					select ? scenario.orderSelect(serviceId, drafts.get(0).getIdPart()) : scenario.orderSign(serviceId));
			assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
			Set<String> fromService = new TreeSet<>(answer.rules());

			PlanDefinition plan = peer.plan(serviceId);
			plan.getAction().forEach(action -> rulesPublished.add(action.getId()));
			Set<String> fromApply = apply(plan, patientId, drafts, select ? List.of(firstDraft) : List.of(),
					select ? "order-select" : "order-sign");

			rulesSeen.addAll(fromService);
			if (!fromService.equals(fromApply)) {
				mismatches.put(patientId + " / " + serviceId, Set.of("service " + fromService, "$apply " + fromApply));
			}
		}
	}

	@Test
	void applyHonoursTheSelectionsOfOrderSelect() {
		LocalDate today = LocalDate.now();
		List<Resource> drafts = draftOrders("demo-hbsag-positive", today);
		PlanDefinition plan = peer.plan("hbv-screening-order-select");
		String rituximab = drafts.get(0).fhirType() + "/" + drafts.get(0).getIdPart();
		assertThat(apply(plan, "demo-hbsag-positive", drafts, List.of(rituximab), "order-select")).containsExactly("HBV-2");
		assertThat(apply(plan, "demo-hbsag-positive", drafts, List.of("MedicationRequest/not-drafted"), "order-select"))
			.isEmpty();
	}

	/**
	 * $apply of one PlanDefinition for a demo patient: the rules it finds applicable. Every engine
	 * message is a failure: a condition that throws would silently count as not applicable.
	 */
	static Set<String> apply(PlanDefinition plan, String patientId, List<Resource> drafts, List<String> selections,
			String hook) {
		List<Resource> record = new ArrayList<>();
		DemoPatients.bundle(patientId + ".json", LocalDate.now()).getEntry().forEach(entry -> record.add(entry.getResource()));
		PlanDefinitionApply.Outcome outcome = peer.apply(peer.repository(record, drafts), plan, patientId, drafts,
				selections, hook);
		assertThat(outcome.messages()).as(plan.getIdPart() + " for " + patientId).isEmpty();
		return outcome.rules();
	}

	static List<Resource> draftOrders(String patientId, LocalDate today) {
		return DemoPatients.bundle(patientId + ".draft-orders.json", today).getEntry().stream()
			.map(Bundle.BundleEntryComponent::getResource).toList();
	}
}
