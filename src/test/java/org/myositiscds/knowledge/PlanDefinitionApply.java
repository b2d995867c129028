package org.myositiscds.knowledge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.repository.IRepository;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.ParameterDefinition;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.RequestGroup;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.ValueSet;
import org.myositiscds.cql.ValueSetTerminology;
import org.opencds.cqf.cql.engine.runtime.Code;
import org.opencds.cqf.cql.engine.terminology.ValueSetInfo;
import org.opencds.cqf.fhir.cql.EvaluationSettings;
import org.opencds.cqf.fhir.cql.engine.retrieve.RetrieveSettings;
import org.opencds.cqf.fhir.cr.CrSettings;
import org.opencds.cqf.fhir.cr.plandefinition.PlanDefinitionProcessor;
import org.opencds.cqf.fhir.utility.monad.Eithers;
import org.opencds.cqf.fhir.utility.repository.InMemoryFhirRepository;

/**
 * The published knowledge run by another engine: the clinical-reasoning module's
 * PlanDefinition/$apply (cqf-fhir-cr, in-process), on an in-memory FHIR repository holding the
 * Libraries, PlanDefinitions and ValueSets the build emits and one patient's record.
 * {@link PlanDefinitionApplyTests} checks that it reaches the service's decisions; the benchmarks'
 * size sweep times it beside the service as the peer.
 */
public final class PlanDefinitionApply {

	public static final FhirContext FHIR = FhirContext.forR4Cached();

	static final String CPG_PARAMETER_DEFINITION = "http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-parameterDefinition";

	private static final ValueSetTerminology TERMINOLOGY = ValueSetTerminology.fromLocation(FHIR,
			"classpath:fhir-resources/valueset/");

	/**
	 * Each retrieve reads the patient's resources of its type and filters them in memory, as the
	 * service does with prefetched data, rather than asking the repository to search by code.
	 */
	private static final CrSettings SETTINGS = CrSettings.getDefault().withEvaluationSettings(EvaluationSettings.getDefault()
		.withRetrieveSettings(new RetrieveSettings().setSearchParameterMode(RetrieveSettings.SEARCH_FILTER_MODE.FILTER_IN_MEMORY)
			.setTerminologyParameterMode(RetrieveSettings.TERMINOLOGY_FILTER_MODE.FILTER_IN_MEMORY)));

	/** What one $apply found: the applicable actions' ids (the rules), and every message of the engine. */
	public record Outcome(Set<String> rules, List<String> messages) {
	}

	private final List<Resource> knowledge = new ArrayList<>();

	/** The knowledge as the build emits it: the generated Libraries and PlanDefinitions, and the value sets. */
	public PlanDefinitionApply() throws IOException {
		var parser = FHIR.newJsonParser();
		try (Stream<Path> files = Stream.concat(Files.list(KnowledgeArtifactsTests.FOLDER), Files.list(Path.of("fhir-resources/valueset")))) {
			for (Path file : files.sorted().toList()) {
				knowledge.add((Resource) parser.parseResource(Files.readString(file)));
			}
		}
	}

	public PlanDefinition plan(String serviceId) {
		return (PlanDefinition) knowledge.stream()
			.filter(resource -> resource instanceof PlanDefinition && resource.getIdPart().equals(serviceId))
			.findFirst().orElseThrow();
	}

	public List<String> serviceIds() {
		return knowledge.stream().filter(PlanDefinition.class::isInstance).map(Resource::getIdPart).sorted().toList();
	}

	/**
	 * A repository with the knowledge and the record except the draft orders, which reach the
	 * engine as parameters. The value sets are expanded over the record and the drafts
	 * ({@link #expandedOver}), so the repository belongs to this record.
	 */
	public IRepository repository(List<Resource> record, List<Resource> drafts) {
		IRepository repository = new InMemoryFhirRepository(FHIR);
		Collection<Code> codes = codes(Stream.concat(record.stream(), drafts.stream()));
		knowledge.forEach(resource -> repository.update(expandedOver(resource, codes), Map.of()));
		record.stream().filter(resource -> !drafts.contains(resource)).forEach(resource -> repository.update(resource, Map.of()));
		return repository;
	}

	/**
	 * $apply of one PlanDefinition for the patient whose record the repository holds, with the
	 * hook context as the libraries' parameters. The engine's messages are returned, not thrown:
	 * a condition that throws would otherwise silently count as not applicable.
	 */
	public Outcome apply(IRepository repository, PlanDefinition plan, String patientId, List<Resource> drafts,
			List<String> selections, String hook) {
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
		Set<String> rules = new TreeSet<>();
		carePlan.getContained().stream().filter(RequestGroup.class::isInstance).map(RequestGroup.class::cast).findFirst()
			.orElseThrow().getAction().stream()
			// The engine leaves a null in place of each action that is not applicable.
			.filter(Objects::nonNull).forEach(action -> rules.add(action.getId()));
		return new Outcome(rules, messages);
	}

	/**
	 * The in-memory repository cannot expand an ICD-10-CM {@code is-a} filter (it holds no
	 * ICD-10-CM), so this plays the terminology server a deployment would give the engine: a value
	 * set with a category gets an expansion of its listed codes and of the record's codes that the
	 * service's own terminology places under its categories.
	 */
	private static Resource expandedOver(Resource resource, Collection<Code> recordCodes) {
		if (!(resource instanceof ValueSet valueSet)
				|| valueSet.getCompose().getInclude().stream().noneMatch(ValueSet.ConceptSetComponent::hasFilter)) {
			return resource;
		}
		ValueSet expanded = valueSet.copy();
		ValueSet.ValueSetExpansionComponent expansion = expanded.getExpansion().setTimestamp(new Date());
		Set<String> added = new HashSet<>();
		List<Code> members = new ArrayList<>(TERMINOLOGY.listedConcepts(valueSet.getUrl()));
		ValueSetInfo info = new ValueSetInfo().withId(valueSet.getUrl());
		recordCodes.stream().filter(code -> TERMINOLOGY.in(code, info)).forEach(members::add);
		members.stream().filter(code -> added.add(code.getSystem() + "|" + code.getCode()))
			.forEach(code -> expansion.addContains().setSystem(code.getSystem()).setCode(code.getCode()));
		return expanded;
	}

	/** Every distinct coding of the resources, once: a long record repeats the same few codes. */
	private static Collection<Code> codes(Stream<Resource> resources) {
		Map<String, Code> codes = new LinkedHashMap<>();
		resources.forEach(item -> FHIR.newTerser().getAllPopulatedChildElementsOfType(item, Coding.class).forEach(coding -> {
			if (coding.hasSystem() && coding.hasCode()) {
				codes.putIfAbsent(coding.getSystem() + "|" + coding.getCode(),
						new Code().withSystem(coding.getSystem()).withCode(coding.getCode()));
			}
		}));
		return codes.values();
	}

	/** A list parameter must say so: with one value the engine would otherwise pass a single item. */
	private static void listPart(Parameters.ParametersParameterComponent part, String type) {
		part.addExtension(CPG_PARAMETER_DEFINITION, new ParameterDefinition().setName(part.getName())
			.setUse(ParameterDefinition.ParameterUse.IN).setMin(0).setMax("*").setType(type));
	}
}
