package org.myositiscds.cql;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

import ca.uhn.fhir.context.FhirContext;
import kotlin.Pair;
import org.hl7.elm.r1.VersionedIdentifier;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.Resource;
import org.myositiscds.prefetch.MedicationReferences;
import org.myositiscds.prefetch.PatientData;
import org.opencds.cqf.cql.engine.execution.CqlEngine;
import org.opencds.cqf.cql.engine.execution.Environment;
import org.opencds.cqf.cql.engine.execution.EvaluationExpressionRef;
import org.opencds.cqf.cql.engine.execution.EvaluationParams;
import org.opencds.cqf.cql.engine.execution.EvaluationResult;
import org.opencds.cqf.cql.engine.execution.EvaluationResults;
import org.opencds.cqf.cql.engine.execution.Profile;
import org.opencds.cqf.cql.engine.model.CachingModelResolverDecorator;
import org.opencds.cqf.cql.engine.model.ModelResolver;

/**
 * Evaluates a guideline library for one patient. The compiled libraries, the terminology and the
 * model resolver are built once and shared by every request; each evaluation gets its own engine
 * over its own data, so nothing of one patient is seen by another's evaluation.
 */
public final class CqlEvaluator {

	private static final String FHIR_MODEL_URI = "http://hl7.org/fhir";

	private static final AnyTypeSystemDataProvider SYSTEM_DATA_PROVIDER = new AnyTypeSystemDataProvider();

	private final CompiledLibraries libraries;

	private final ValueSetTerminology terminology;

	private final ModelResolver modelResolver;

	private final FunctionResolutions functionResolutions = new FunctionResolutions();

	private final Map<String, RetrieveScope> retrieveScopes = new ConcurrentHashMap<>();

	/**
	 * Evaluation is CPU work: more evaluations at once than cores only hold more engines and more
	 * garbage in memory while each takes longer. The others wait their turn, first come first
	 * served, after their prefetch has been fetched.
	 */
	private final Semaphore evaluations = new Semaphore(Runtime.getRuntime().availableProcessors(), true);

	public CqlEvaluator(CompiledLibraries libraries, ValueSetTerminology terminology, FhirContext fhirContext) {
		this(libraries, terminology, modelResolver(fhirContext));
	}

	public CqlEvaluator(CompiledLibraries libraries, ValueSetTerminology terminology, ModelResolver modelResolver) {
		this.libraries = libraries;
		this.terminology = terminology;
		this.modelResolver = modelResolver;
		Set<String> missing = new java.util.TreeSet<>(libraries.valueSetUrls());
		missing.removeAll(terminology.valueSetUrls());
		if (!missing.isEmpty()) {
			throw new IllegalStateException("The CQL names value sets that fhir-resources/ does not define: " + missing);
		}
	}

	/**
	 * How the engine reads FHIR R4 data. Building it scans every FHIR type (over a second), so a
	 * process builds it once; it holds nothing of the libraries or value sets.
	 */
	public static ModelResolver modelResolver(FhirContext fhirContext) {
		return new CachingModelResolverDecorator(new SplitPathModelResolver(fhirContext));
	}

	/**
	 * The same engine over other libraries or value sets, keeping the model resolver: the
	 * authoring loop after an edit, where building it again would cost more than the edit.
	 */
	public CqlEvaluator with(CompiledLibraries otherLibraries, ValueSetTerminology otherTerminology) {
		return new CqlEvaluator(otherLibraries, otherTerminology, modelResolver);
	}

	public CompiledLibraries libraries() {
		return libraries;
	}

	public ValueSetTerminology terminology() {
		return terminology;
	}

	/** Which resources the library's retrieves can never return, read from its ELM once. */
	public RetrieveScope retrieveScope(String libraryName) {
		return retrieveScopes.computeIfAbsent(libraryName, name -> RetrieveScope.of(libraries, name, terminology));
	}

	/** How many function calls of the libraries have been resolved so far (for tests). */
	int knownFunctionResolutions() {
		return functionResolutions.size();
	}

	/**
	 * Evaluates the named expressions of a library in the Patient context.
	 * @param parameters CQL parameters by name; FHIR resources among them are given the same
	 * medication normalisation as the patient data
	 */
	public Map<String, Object> evaluate(String libraryName, List<String> expressions, PatientData data,
			Map<String, Object> parameters, ZonedDateTime now) {
		return run(libraryName, expressions, data, parameters, now, false).values();
	}

	/** The values, and where the time went: definition by definition (for authors; it slows the run). */
	public record Profiled(Map<String, Object> values, Profile profile) {
	}

	/** As {@link #evaluate}, with the engine's profile of the run. */
	public Profiled evaluateProfiled(String libraryName, List<String> expressions, PatientData data,
			Map<String, Object> parameters, ZonedDateTime now) {
		return run(libraryName, expressions, data, parameters, now, true);
	}

	private Profiled run(String libraryName, List<String> expressions, PatientData data, Map<String, Object> parameters,
			ZonedDateTime now, boolean profile) {
		List<Resource> allResources = new ArrayList<>(data.resources());
		allResources.add(data.patient());
		List<Resource> requestResources = new ArrayList<>();
		parameters.values().forEach(value -> {
			if (isResourceList(value)) {
				requestResources.addAll(resources(value));
			}
		});
		// Draft orders' Medications before the patient data's, as "An order's medication" orders them.
		Map<String, Medication> medications = MedicationReferences.index(requestResources, allResources);
		Map<String, Object> cqlParameters = new HashMap<>();
		parameters.forEach((name, value) -> cqlParameters.put(name, isResourceList(value)
				? MedicationConcepts.inline(resources(value), medications, data.unreadMedications()) : value));

		var retrieve = new PatientDataRetrieveProvider(
				MedicationConcepts.inline(allResources, medications, data.unreadMedications()), modelResolver, terminology);
		var environment = new Environment(libraries.libraryManager(),
				Map.of(FHIR_MODEL_URI, CallBudget.current().dataProvider(new CallModelResolver(modelResolver), retrieve),
						AnyTypeSystemDataProvider.SYSTEM_MODEL_URI, SYSTEM_DATA_PROVIDER),
				terminology);
		VersionedIdentifier library = CompiledLibraries.keyOf(libraries.library(libraryName).getIdentifier());
		var params = new EvaluationParams(
				Map.of(library, expressions.stream().map(EvaluationExpressionRef::new).toList()),
				new Pair<>("Patient", data.patient().getIdElement().getIdPart()), cqlParameters, null, now);

		// Without expression caching the engine evaluates a define again at every reference to it.
		// The engine lives for this one evaluation, so its cache holds one patient's values only.
		// An EnumSet: the engine asks it about its options at every expression it visits.
		var engine = new CqlEngine(environment, profile
				? EnumSet.of(CqlEngine.Options.EnableExpressionCaching, CqlEngine.Options.EnableProfiling)
				: EnumSet.of(CqlEngine.Options.EnableExpressionCaching));
		var lentResolutions = functionResolutions.lendTo(engine);
		EvaluationResults results;
		evaluations.acquireUninterruptibly();
		try {
			results = engine.evaluate(params);
		}
		finally {
			evaluations.release();
		}
		functionResolutions.keep(lentResolutions);
		if (results.hasExceptions()) {
			throw new CqlEvaluationException(libraryName, results.getExceptions().values().iterator().next());
		}
		EvaluationResult result = results.getOnlyResultOrThrow();
		Map<String, Object> values = new HashMap<>();
		result.getExpressionResults().forEach((name, value) -> values.put(name, value.getValue()));
		return new Profiled(values, profile ? engine.getState().getDebugResult().getProfile() : null);
	}

	private static boolean isResourceList(Object value) {
		return value instanceof List<?> list && list.stream().allMatch(Resource.class::isInstance);
	}

	@SuppressWarnings("unchecked")
	private static List<Resource> resources(Object resourceList) {
		return (List<Resource>) resourceList;
	}

	/** A guideline library failed while evaluating: a defect in the knowledge, not in the request. */
	public static final class CqlEvaluationException extends RuntimeException {

		CqlEvaluationException(String library, RuntimeException cause) {
			super("CQL library " + library + " failed: " + cause.getMessage(), cause);
		}
	}
}
