package org.myositiscds.authoring;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.myositiscds.cql.CqlTranslation;
import org.myositiscds.cql.ValueSetTerminology;

/**
 * A project's knowledge kept warm for the authoring commands: the translator with its FHIR model,
 * the translated libraries, the value sets and the engine, loaded once. A change to one library
 * translates that library and the libraries that include it again, and nothing else.
 */
final class WarmProject {

	private final Path root;

	private final CqlTranslation.Folder cql;

	/** The libraries worked on (their includes come with them). */
	private final Set<String> wanted;

	private ValueSetTerminology valueSets;

	private WorkingKnowledge knowledge;

	private String problem;

	/** The last engine built, whose model resolver the next one reuses. */
	private WorkingKnowledge last;

	/** What the translator said at the last translation (about the libraries it translated then). */
	private CqlTranslation.Result translation;

	/**
	 * Translates the wanted libraries and the libraries they include (only those), and reads the
	 * value sets meanwhile on a second thread: they need no translation.
	 */
	WarmProject(Path root, Collection<String> libraries) {
		this.root = root;
		this.cql = new CqlTranslation.Folder(root.resolve("cql"));
		this.wanted = new TreeSet<>(libraries);
		CompletableFuture<ValueSetTerminology> reading = CompletableFuture.supplyAsync(this::readValueSets, task -> {
			Thread reader = new Thread(task, "value-set-reader");
			reader.setDaemon(true);
			reader.start();
		});
		this.translation = cql.translate(wanted);
		try {
			this.valueSets = reading.join();
		}
		catch (CompletionException e) {
			throw e.getCause() instanceof RuntimeException cause ? cause : e;
		}
		rebuild();
	}

	CqlTranslation.Result translation() {
		return translation;
	}

	/** The engine over every library that translates; null when none does. */
	WorkingKnowledge knowledge() {
		return knowledge;
	}

	Path root() {
		return root;
	}

	/** Every library of the cql/ folder, worked on or not. */
	Set<String> libraryNames() {
		return new TreeSet<>(cql.libraryNames());
	}

	Set<String> wanted() {
		return wanted;
	}

	/** Why the engine could not be built (say, the CQL names a value set that is not there), or null. */
	String problem() {
		return problem;
	}

	/** Whether the library translated and the engine holds it. */
	boolean ready(String library) {
		return knowledge != null && translation.elmJsonByLibrary().containsKey(library);
	}

	/**
	 * Libraries' sources changed (or were added or removed): translates them and the wanted
	 * libraries that include them again, and nothing else. Returns the wanted libraries affected,
	 * empty when none is (a library no wanted library includes).
	 */
	Set<String> librariesChanged(Collection<String> libraries) {
		Set<String> affected = new TreeSet<>();
		libraries.forEach(library -> affected.addAll(cql.invalidate(library)));
		affected.retainAll(wanted);
		if (!affected.isEmpty()) {
			translation = cql.translate(affected);
			rebuild();
		}
		return affected;
	}

	/** The value sets changed: reads them again; every wanted library is affected. */
	Set<String> valueSetsChanged() {
		valueSets = readValueSets();
		rebuild();
		return wanted;
	}

	private ValueSetTerminology readValueSets() {
		return WorkingKnowledge.valueSets(root.resolve("fhir-resources/valueset"));
	}

	private void rebuild() {
		knowledge = null;
		problem = null;
		try {
			knowledge = last == null ? WorkingKnowledge.of(translation.elmJsonByLibrary().values(), valueSets)
					: last.with(translation.elmJsonByLibrary().values(), valueSets);
			last = knowledge;
		}
		catch (IllegalStateException | IllegalArgumentException e) {
			problem = e.getMessage();
		}
	}
}
