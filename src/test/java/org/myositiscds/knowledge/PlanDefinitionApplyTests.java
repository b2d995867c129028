package org.myositiscds.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.repository.IRepository;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.ParameterDefinition;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RequestGroup;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.ValueSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.DemoPatients;
import org.myositiscds.PatientScenario;
import org.myositiscds.cql.ValueSetTerminology;
import org.opencds.cqf.cql.engine.runtime.Code;
import org.opencds.cqf.cql.engine.terminology.ValueSetInfo;
import org.opencds.cqf.fhir.cql.EvaluationSettings;
import org.opencds.cqf.fhir.cql.engine.retrieve.RetrieveSettings;
import org.opencds.cqf.fhir.cr.CrSettings;
import org.opencds.cqf.fhir.cr.plandefinition.PlanDefinitionProcessor;
import org.opencds.cqf.fhir.utility.monad.Eithers;
import org.opencds.cqf.fhir.utility.repository.InMemoryFhirRepository;
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

	static final FhirContext FHIR = FhirContext.forR4Cached();

	static final String CPG_PARAMETER_DEFINITION = "http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-parameterDefinition";

	static final List<Resource> KNOWLEDGE = new ArrayList<>();

	static final ValueSetTerminology TERMINOLOGY = ValueSetTerminology.fromLocation(FHIR, "classpath:fhir-resources/valueset/");

	/**
	 * Each retrieve reads the patient's resources of its type and filters them in memory, as the
	 * service does with prefetched data, rather than asking the repository to search by code.
	 */
	static final CrSettings SETTINGS = CrSettings.getDefault().withEvaluationSettings(EvaluationSettings.getDefault()
		.withRetrieveSettings(new RetrieveSettings().setSearchParameterMode(RetrieveSettings.SEARCH_FILTER_MODE.FILTER_IN_MEMORY)
			.setTerminologyParameterMode(RetrieveSettings.TERMINOLOGY_FILTER_MODE.FILTER_IN_MEMORY)));

	@Autowired
	CdsHooksClient client;

	@BeforeAll
	static void readTheKnowledge() throws IOException {
		var parser = FHIR.newJsonParser();
		try (Stream<Path> files = Stream.concat(Files.list(KnowledgeArtifactsTests.FOLDER), Files.list(Path.of("fhir-resources/valueset")))) {
			for (Path file : files.sorted().toList()) {
				KNOWLEDGE.add((Resource) parser.parseResource(Files.readString(file)));
			}
		}
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
		for (String serviceId : serviceIds()) {
			boolean select = serviceId.endsWith("order-select");
			CdsHooksClient.Answer answer = client.call(serviceId,
					select ? scenario.orderSelect(serviceId, drafts.get(0).getIdPart()) : scenario.orderSign(serviceId));
			assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
			Set<String> fromService = new TreeSet<>(answer.rules());

			PlanDefinition plan = (PlanDefinition) KNOWLEDGE.stream()
				.filter(resource -> resource.getIdPart().equals(serviceId) && resource instanceof PlanDefinition)
				.findFirst().orElseThrow();
			plan.getAction().forEach(action -> rulesPublished.add(action.getId()));
			RequestGroup applied = apply(plan, patientId, drafts, select ? List.of(firstDraft) : List.of(),
					select ? "order-select" : "order-sign");
			Set<String> fromApply = new TreeSet<>();
			applied.getAction().forEach(action -> fromApply.add(action.getId()));

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
		PlanDefinition plan = (PlanDefinition) KNOWLEDGE.stream()
			.filter(resource -> resource.getIdPart().equals("hbv-screening-order-select")).findFirst().orElseThrow();
		String rituximab = drafts.get(0).fhirType() + "/" + drafts.get(0).getIdPart();
		assertThat(apply(plan, "demo-hbsag-positive", drafts, List.of(rituximab), "order-select").getAction())
			.extracting(RequestGroup.RequestGroupActionComponent::getId).containsExactly("HBV-2");
		assertThat(apply(plan, "demo-hbsag-positive", drafts, List.of("MedicationRequest/not-drafted"), "order-select")
			.getAction()).isEmpty();
	}

	/**
	 * $apply of one PlanDefinition for a demo patient, with the hook context as the libraries'
	 * parameters. Every engine message is a failure: a condition that throws would silently count
	 * as not applicable.
	 */
	static RequestGroup apply(PlanDefinition plan, String patientId, List<Resource> drafts, List<String> selections,
			String hook) {
		IRepository repository = new InMemoryFhirRepository(FHIR);
		List<Resource> record = new ArrayList<>(drafts);
		DemoPatients.bundle(patientId + ".json", LocalDate.now()).getEntry().forEach(entry -> record.add(entry.getResource()));
		KNOWLEDGE.forEach(resource -> repository.update(expandedOver(resource, record), Map.of()));
		record.stream().filter(resource -> !drafts.contains(resource)).forEach(resource -> repository.update(resource, Map.of()));

		var parameters = new Parameters();
		parameters.addParameter().setName("Hook").setValue(new StringType(hook));
		drafts.forEach(draft -> listPart(parameters.addParameter().setName("Draft Orders").setResource(draft), "Resource"));
		selections.forEach(reference -> listPart(parameters.addParameter().setName("Selections").setValue(new StringType(reference)), "string"));

		CarePlan carePlan = (CarePlan) new PlanDefinitionProcessor(repository, SETTINGS).apply(Eithers.forRight3(plan),
				"Patient/" + patientId, null, null, null, null, null, null, null, null, parameters, true,
				(IBaseBundle) null, null, (IBaseResource) null, null, null);
		List<String> messages = new ArrayList<>();
		for (Resource contained : carePlan.getContained()) {
			if (contained instanceof OperationOutcome outcome) {
				outcome.getIssue().forEach(issue -> messages.add(issue.getDiagnostics()));
			}
		}
		assertThat(messages).as(plan.getIdPart() + " for " + patientId).isEmpty();
		RequestGroup requestGroup = carePlan.getContained().stream().filter(RequestGroup.class::isInstance)
			.map(RequestGroup.class::cast).findFirst().orElseThrow();
		// The engine leaves a null in place of each action that is not applicable.
		requestGroup.getAction().removeIf(Objects::isNull);
		return requestGroup;
	}

	/**
	 * The in-memory repository cannot expand an ICD-10-CM {@code is-a} filter (it holds no
	 * ICD-10-CM), so the test plays the terminology server a deployment would give the engine: a
	 * value set with a category gets an expansion of its listed codes and of the record's codes that
	 * the service's own terminology places under its categories.
	 */
	static Resource expandedOver(Resource resource, List<Resource> record) {
		if (!(resource instanceof ValueSet valueSet)
				|| valueSet.getCompose().getInclude().stream().noneMatch(ValueSet.ConceptSetComponent::hasFilter)) {
			return resource;
		}
		ValueSet expanded = valueSet.copy();
		ValueSet.ValueSetExpansionComponent expansion = expanded.getExpansion().setTimestamp(new Date());
		Set<String> added = new HashSet<>();
		List<Code> members = new ArrayList<>(TERMINOLOGY.listedConcepts(valueSet.getUrl()));
		record.forEach(item -> FHIR.newTerser().getAllPopulatedChildElementsOfType(item, Coding.class).forEach(coding -> {
			Code code = new Code().withSystem(coding.getSystem()).withCode(coding.getCode());
			if (coding.hasSystem() && coding.hasCode() && TERMINOLOGY.in(code, new ValueSetInfo().withId(valueSet.getUrl()))) {
				members.add(code);
			}
		}));
		members.stream().filter(code -> added.add(code.getSystem() + "|" + code.getCode()))
			.forEach(code -> expansion.addContains().setSystem(code.getSystem()).setCode(code.getCode()));
		return expanded;
	}

	/** A list parameter must say so: with one value the engine would otherwise pass a single item. */
	static void listPart(Parameters.ParametersParameterComponent part, String type) {
		part.addExtension(CPG_PARAMETER_DEFINITION, new ParameterDefinition().setName(part.getName())
			.setUse(ParameterDefinition.ParameterUse.IN).setMin(0).setMax("*").setType(type));
	}

	static List<Resource> draftOrders(String patientId, LocalDate today) {
		return DemoPatients.bundle(patientId + ".draft-orders.json", today).getEntry().stream()
			.map(Bundle.BundleEntryComponent::getResource).toList();
	}

	static List<String> serviceIds() {
		return KNOWLEDGE.stream().filter(PlanDefinition.class::isInstance).map(resource -> resource.getIdPart()).sorted()
			.toList();
	}
}
