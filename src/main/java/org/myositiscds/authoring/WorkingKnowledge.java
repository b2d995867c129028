package org.myositiscds.authoring;

import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Resource;
import org.myositiscds.cards.Card;
import org.myositiscds.cards.CardAssembler;
import org.myositiscds.cql.CompiledLibraries;
import org.myositiscds.cql.CqlEvaluator;
import org.myositiscds.cql.CqlTranslation;
import org.myositiscds.cql.GuidelineContract;
import org.myositiscds.cql.ValueSetTerminology;
import org.myositiscds.prefetch.PatientData;
import org.opencds.cqf.cql.engine.execution.Profile;
import tools.jackson.databind.json.JsonMapper;

/**
 * The knowledge as it is in the working folders (cql/, fhir-resources/), translated now: what an
 * informaticist evaluates and tests while editing, without a build.
 */
public final class WorkingKnowledge {

	private final CqlEvaluator evaluator;

	private final CardAssembler cardAssembler;

	private WorkingKnowledge(CqlEvaluator evaluator, CardAssembler cardAssembler) {
		this.evaluator = evaluator;
		this.cardAssembler = cardAssembler;
	}

	/** Translates the CQL folder; fails with every error, located, when the CQL does not translate. */
	public static WorkingKnowledge fromFolders(Path cqlFolder, Path valueSetFolder) {
		CqlTranslation.Result translation = CqlTranslation.translateFolder(cqlFolder);
		if (translation.hasErrors()) {
			throw new IllegalArgumentException("The CQL does not translate:\n" + String.join("\n",
					translation.diagnostics().stream().filter(d -> d.severity().equals("error")).map(Object::toString).toList()));
		}
		return of(translation.elmJsonByLibrary().values(), valueSets(valueSetFolder));
	}

	/** Over an evaluator built elsewhere, such as one whose ELM the threshold mutation step edits. */
	static WorkingKnowledge over(CqlEvaluator evaluator) {
		return new WorkingKnowledge(evaluator, new CardAssembler(FhirContext.forR4Cached(), JsonMapper.builder().build()));
	}

	/** The default folders: the project's, when run from its root. */
	public static WorkingKnowledge fromProject(Path root) {
		return fromFolders(root.resolve("cql"), root.resolve("fhir-resources/valueset"));
	}

	/** The libraries given as ELM JSON (as {@link CqlTranslation} has just produced it), with these value sets. */
	public static WorkingKnowledge of(Collection<String> elmJson, ValueSetTerminology valueSets) {
		FhirContext fhirContext = FhirContext.forR4Cached();
		return new WorkingKnowledge(new CqlEvaluator(CompiledLibraries.fromElm(elmJson), valueSets, fhirContext),
				new CardAssembler(fhirContext, JsonMapper.builder().build()));
	}

	/** The same engine over other libraries or value sets: what an edit needs, without building the engine again. */
	public WorkingKnowledge with(Collection<String> elmJson, ValueSetTerminology valueSets) {
		return new WorkingKnowledge(evaluator.with(CompiledLibraries.fromElm(elmJson), valueSets), cardAssembler);
	}

	public static ValueSetTerminology valueSets(Path valueSetFolder) {
		return ValueSetTerminology.fromLocation(FhirContext.forR4Cached(), valueSetFolder.toUri().toString());
	}

	public CompiledLibraries libraries() {
		return evaluator.libraries();
	}

	public ValueSetTerminology terminology() {
		return evaluator.terminology();
	}

	public List<String> expressionNames(String library) {
		return evaluator.libraries().expressionNames(library);
	}

	/** What a library says for one patient and hook call; with the engine's profile when asked for. */
	public record Outcome(Map<String, Object> values, List<Card> cards, Profile profile) {
	}

	public Outcome evaluate(String library, List<String> expressions, PatientData data, String hook,
			List<Resource> draftOrders, List<String> selections, ZonedDateTime now) {
		return evaluate(library, expressions, data, hook, draftOrders, selections, now, false);
	}

	public Outcome evaluate(String library, List<String> expressions, PatientData data, String hook,
			List<Resource> draftOrders, List<String> selections, ZonedDateTime now, boolean profile) {
		List<String> wanted = Stream.concat(expressions.stream(), Stream.of(GuidelineContract.CARDS)).distinct().toList();
		Map<String, Object> parameters = Map.of(
				GuidelineContract.HOOK, hook,
				GuidelineContract.DRAFT_ORDERS, draftOrders,
				GuidelineContract.SELECTIONS, selections);
		CqlEvaluator.Profiled run = profile ? evaluator.evaluateProfiled(library, wanted, data, parameters, now)
				: new CqlEvaluator.Profiled(evaluator.evaluate(library, wanted, data, parameters, now), null);
		Map<String, Object> values = run.values();
		Map<String, Resource> originals = new HashMap<>();
		Stream.concat(draftOrders.stream(), data.resources().stream())
			.forEach(r -> originals.putIfAbsent(r.fhirType() + "/" + r.getIdElement().getIdPart(), r));
		return new Outcome(values, cardAssembler.assemble(values.get(GuidelineContract.CARDS), originals, null),
				run.profile());
	}

}
