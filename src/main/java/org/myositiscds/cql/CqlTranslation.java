package org.myositiscds.cql;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.cqframework.cql.cql2elm.CqlCompilerException;
import org.cqframework.cql.cql2elm.CqlCompilerOptions;
import org.cqframework.cql.cql2elm.CqlTranslator;
import org.cqframework.cql.cql2elm.LibraryBuilder;
import org.cqframework.cql.cql2elm.LibraryManager;
import org.cqframework.cql.cql2elm.ModelManager;
import org.cqframework.cql.cql2elm.quick.FhirLibrarySourceProvider;

/**
 * Translates a folder of CQL libraries to ELM JSON. Run at build time (see pom.xml) so that a
 * CQL mistake fails {@code mvn} with the library, line and message, and the service only ever
 * loads ELM.
 */
public final class CqlTranslation {

	/** One diagnostic from the translator, located in a library's source. */
	public record Diagnostic(String library, int line, int column, String severity, String message) {

		@Override
		public String toString() {
			return "%s.cql:%d:%d: %s: %s".formatted(library, line, column, severity, message);
		}
	}

	/** The ELM JSON of every library translated (includes FHIRHelpers), and what the translator said. */
	public record Result(Map<String, String> elmJsonByLibrary, List<Diagnostic> diagnostics) {

		public boolean hasErrors() {
			return diagnostics.stream().anyMatch(d -> d.severity().equals("error"));
		}

		/**
		 * What the translator said, in the order people read it: warnings first, errors last (where
		 * the eye lands when the build stops), then a count. Info lines are left out.
		 */
		public List<String> report() {
			List<String> lines = new ArrayList<>();
			long warnings = diagnostics.stream().filter(d -> d.severity().equals("warning")).count();
			long errors = diagnostics.stream().filter(d -> d.severity().equals("error")).count();
			diagnostics.stream().filter(d -> d.severity().equals("warning")).map(Diagnostic::toString).forEach(lines::add);
			diagnostics.stream().filter(d -> d.severity().equals("error")).map(Diagnostic::toString).forEach(lines::add);
			if (warnings + errors > 0) {
				lines.add("CQL translation: %d error%s, %d warning%s".formatted(errors, errors == 1 ? "" : "s", warnings,
						warnings == 1 ? "" : "s"));
			}
			return lines;
		}
	}

	private CqlTranslation() {
	}

	static CqlCompilerOptions compilerOptions() {
		// Locators make engine errors point at CQL lines; result types let the engine read the ELM
		// without re-resolving types from the model. Signatures on every function call: with one,
		// the engine resolves a call once per evaluation and caches it; without, it matches the
		// arguments' runtime types against every overload at each call (docs/performance.md,
		// "CPU per call (engine)").
		return new CqlCompilerOptions(CqlCompilerException.ErrorSeverity.Info, LibraryBuilder.SignatureLevel.All,
				CqlCompilerOptions.Options.EnableLocators, CqlCompilerOptions.Options.EnableResultTypes,
				CqlCompilerOptions.Options.DisableListDemotion, CqlCompilerOptions.Options.DisableListPromotion);
	}

	/** Translates every {@code .cql} file in {@code cqlFolder}. */
	public static Result translateFolder(Path cqlFolder) {
		Folder folder = new Folder(cqlFolder);
		return folder.translate(folder.libraryNames());
	}

	/**
	 * The libraries of one folder, translated on demand and kept, with the translator and its
	 * FHIR model loaded once: what the authoring loop keeps warm. Each library is translated once,
	 * after the libraries it includes (so an included library is never compiled twice, once on its
	 * own and once on the way); after an edit, {@link #invalidate} forgets the library and those
	 * that include it, and the next {@link #translate} translates just those again.
	 */
	public static final class Folder {

		private static final Pattern INCLUDE = Pattern.compile("(?m)^\\s*include\\s+\"?([A-Za-z_][\\w]*)\"?");

		private final Path folder;

		private final LibraryManager libraryManager;

		/** By library (file) name: ELM JSON (null when it did not translate) and what the translator said. */
		private final Map<String, Translated> translated = new TreeMap<>();

		/** Included libraries that are not files of the folder (FHIRHelpers), as ELM JSON. */
		private final Map<String, String> others = new TreeMap<>();

		private record Translated(String elmJson, List<Diagnostic> diagnostics) {
		}

		public Folder(Path folder) {
			this.folder = folder;
			this.libraryManager = new LibraryManager(new ModelManager(), compilerOptions());
			libraryManager.getLibrarySourceLoader().registerProvider(new FhirLibrarySourceProvider());
			libraryManager.getLibrarySourceLoader().registerProvider(new FolderLibrarySourceProvider(folder));
		}

		public Path path() {
			return folder;
		}

		/** The libraries of the folder, by file name. */
		public List<String> libraryNames() {
			return cqlFiles(folder).stream().map(f -> f.getFileName().toString().replaceFirst("\\.cql$", "")).toList();
		}

		/**
		 * Translates the libraries not translated yet among these and those they include. The result
		 * holds the ELM of every library translated so far, and what the translator said about the
		 * libraries translated by this call.
		 */
		public Result translate(Collection<String> libraries) {
			List<Diagnostic> diagnostics = new ArrayList<>();
			for (String library : libraries) {
				translate(library, new HashSet<>(), diagnostics);
			}
			// Included libraries that are not files of the folder (FHIRHelpers) are compiled on the way.
			libraryManager.getCompiledLibraries().forEach((id, compiled) -> {
				if (!Files.isRegularFile(folder.resolve(id.getId() + ".cql"))) {
					others.computeIfAbsent(id.getId(), key -> CqlTranslator.convertToJson(compiled.getLibrary()));
				}
			});
			Map<String, String> elm = new TreeMap<>(others);
			translated.forEach((name, library) -> {
				if (library.elmJson() != null) {
					elm.put(name, library.elmJson());
				}
			});
			return new Result(elm, diagnostics.stream().distinct().toList());
		}

		private void translate(String library, Set<String> including, List<Diagnostic> diagnostics) {
			if (translated.containsKey(library) || !including.add(library)) {
				return;
			}
			if (!Files.isRegularFile(folder.resolve(library + ".cql"))) {
				Diagnostic missing = new Diagnostic(library, 0, 0, "error", "there is no " + library + ".cql in " + folder);
				translated.put(library, new Translated(null, List.of(missing)));
				diagnostics.add(missing);
				return;
			}
			String source = source(library);
			for (String included : includes(source)) {
				translate(included, including, diagnostics);
			}
			CqlTranslator translator = CqlTranslator.fromText(source, libraryManager);
			List<Diagnostic> said = new ArrayList<>();
			translator.getExceptions().forEach(e -> said.add(diagnostic(library, e)));
			String json = null;
			if (!CqlCompilerException.hasErrors(translator.getErrors())) {
				json = translator.toJson();
				said.addAll(ElmChecks.problems(library, json));
			}
			translated.put(library, new Translated(json, said));
			diagnostics.addAll(said);
		}

		/** The folder's libraries this one includes. */
		private Set<String> includes(String source) {
			Set<String> includes = new TreeSet<>();
			Matcher include = INCLUDE.matcher(source);
			while (include.find()) {
				if (Files.isRegularFile(folder.resolve(include.group(1) + ".cql"))) {
					includes.add(include.group(1));
				}
			}
			return includes;
		}

		private String source(String library) {
			try {
				return Files.readString(folder.resolve(library + ".cql"));
			}
			catch (IOException e) {
				throw new UncheckedIOException("Cannot read " + folder.resolve(library + ".cql"), e);
			}
		}

		/** The library and every library of the folder that includes it, directly or not. */
		public Set<String> dependents(String library) {
			Map<String, Set<String>> includes = new HashMap<>();
			for (String name : libraryNames()) {
				includes.put(name, includes(source(name)));
			}
			Set<String> dependents = new TreeSet<>(Set.of(library));
			boolean grew = true;
			while (grew) {
				grew = false;
				for (Map.Entry<String, Set<String>> entry : includes.entrySet()) {
					if (!dependents.contains(entry.getKey()) && entry.getValue().stream().anyMatch(dependents::contains)) {
						grew = dependents.add(entry.getKey());
					}
				}
			}
			return dependents;
		}

		/**
		 * Forgets a library that changed (or went away) and every library that includes it, so that
		 * the next {@link #translate} translates them again; returns them.
		 */
		public Set<String> invalidate(String library) {
			Set<String> stale = dependents(library);
			translated.keySet().removeAll(stale);
			libraryManager.getCompiledLibraries().keySet().removeIf(id -> stale.contains(id.getId()));
			return stale;
		}
	}

	private static Diagnostic diagnostic(String fileLibrary, CqlCompilerException e) {
		var locator = e.getLocator();
		String library = locator != null && locator.getLibrary() != null && locator.getLibrary().getId() != null
				? locator.getLibrary().getId() : fileLibrary;
		int line = locator == null ? 0 : locator.getStartLine();
		int column = locator == null ? 0 : locator.getStartChar();
		return new Diagnostic(library, line, column, e.getSeverity().name().toLowerCase(), e.getMessage());
	}

	private static List<Path> cqlFiles(Path folder) {
		try (Stream<Path> files = Files.list(folder)) {
			return files.filter(f -> f.toString().endsWith(".cql")).sorted().toList();
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot read CQL folder " + folder, e);
		}
	}

	/** Build entry point: {@code CqlTranslation <cql folder> <elm output folder>}. */
	public static void main(String[] args) throws IOException {
		if (args.length != 2) {
			System.err.println("usage: CqlTranslation <cql folder> <elm output folder>");
			System.exit(2);
		}
		Result result = translateFolder(Path.of(args[0]));
		result.report().forEach(System.err::println);
		if (result.hasErrors()) {
			throw new IllegalStateException("CQL translation failed: " + result.diagnostics().stream()
				.filter(d -> d.severity().equals("error")).map(Diagnostic::toString).toList());
		}
		// The tree is kept warning-free (docs/authoring.md), so that a warning is never lost among others.
		if (!result.report().isEmpty()) {
			throw new IllegalStateException("CQL translation: the CQL must translate without warnings; fix the "
					+ "warnings listed above");
		}
		Path out = Files.createDirectories(Path.of(args[1]));
		for (Map.Entry<String, String> library : result.elmJsonByLibrary().entrySet()) {
			Files.writeString(out.resolve(library.getKey() + ".json"), library.getValue());
		}
		System.out.println("Translated " + result.elmJsonByLibrary().keySet() + " to " + out);
	}
}
