package org.myositiscds.bench;

import java.io.IOException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ca.uhn.fhir.repository.IRepository;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.hl7.fhir.r4.model.Resource;
import org.myositiscds.bench.PatientGenerator.PatientRecord;
import org.myositiscds.knowledge.PlanDefinitionApply;
import org.slf4j.LoggerFactory;

/**
 * The peer: the same patient through the clinical-reasoning module's PlanDefinition/$apply
 * (cqf-fhir-cr), in this JVM, exactly as {@code PlanDefinitionApplyTests} runs it
 * ({@link PlanDefinitionApply}): the published Libraries, PlanDefinitions and value sets and the
 * patient's whole record in an in-memory repository, the draft orders and the hook as the
 * libraries' parameters. The repository is built once per record and not timed, as a server
 * would hold its data; the engine keeps its compiled libraries between calls (the settings'
 * library cache), as a server would.
 */
final class Peer {

	/** The rules $apply found applicable, or why it could not answer. */
	record Answer(Set<String> rules, String failure) {
	}

	private final PlanDefinitionApply apply;

	private final Map<PatientRecord, IRepository> repositories = new IdentityHashMap<>();

	Peer() throws IOException {
		// The engine logs a line per $apply at INFO: thousands of lines in the report's console.
		((Logger) LoggerFactory.getLogger("org.opencds.cqf.fhir.cr")).setLevel(Level.WARN);
		apply = new PlanDefinitionApply();
	}

	/** Builds the record's repository, outside the timed calls. */
	void prepare(PatientRecord record) {
		repositories.computeIfAbsent(record, key -> apply.repository(key.resources(), List.copyOf(key.draftOrders())));
	}

	/** One $apply of the service's PlanDefinition for the record (order-sign, nothing selected). */
	Answer call(String serviceId, PatientRecord record) {
		prepare(record);
		IRepository repository = repositories.get(record);
		List<Resource> drafts = List.copyOf(record.draftOrders());
		try {
			PlanDefinitionApply.Outcome outcome = apply.apply(repository, apply.plan(serviceId), record.id(), drafts,
					List.of(), "order-sign");
			return new Answer(outcome.rules(), outcome.messages().isEmpty() ? null : String.join("; ", outcome.messages()));
		}
		catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
			return new Answer(Set.of(), e.toString());
		}
	}
}
