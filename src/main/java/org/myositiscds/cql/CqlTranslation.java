package org.myositiscds.cql;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.cqframework.cql.cql2elm.CqlCompilerException;
import org.cqframework.cql.cql2elm.CqlCompilerOptions;
import org.cqframework.cql.cql2elm.CqlTranslator;
import org.cqframework.cql.cql2elm.LibraryBuilder;
import org.cqframework.cql.cql2elm.LibraryManager;
import org.cqframework.cql.cql2elm.ModelManager;
import org.cqframework.cql.cql2elm.model.CompiledLibrary;
import org.cqframework.cql.cql2elm.quick.FhirLibrarySourceProvider;
import org.hl7.elm.r1.VersionedIdentifier;

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
		// without re-resolving types from the model. No signatures: the engine cannot resolve
		// System.Any in a signature, and the card tuples carry resources typed Any, so the
		// libraries avoid overloading their own functions instead.
		return new CqlCompilerOptions(CqlCompilerException.ErrorSeverity.Info, LibraryBuilder.SignatureLevel.Overloads,
				CqlCompilerOptions.Options.EnableLocators, CqlCompilerOptions.Options.EnableResultTypes,
				CqlCompilerOptions.Options.DisableListDemotion, CqlCompilerOptions.Options.DisableListPromotion);
	}

	/** Translates every {@code .cql} file in {@code cqlFolder}. */
	public static Result translateFolder(Path cqlFolder) {
		LibraryManager libraryManager = new LibraryManager(new ModelManager(), compilerOptions());
		libraryManager.getLibrarySourceLoader().registerProvider(new FhirLibrarySourceProvider());
		libraryManager.getLibrarySourceLoader().registerProvider(new FolderLibrarySourceProvider(cqlFolder));

		List<Diagnostic> diagnostics = new ArrayList<>();
		Map<String, String> elm = new TreeMap<>();
		for (Path file : cqlFiles(cqlFolder)) {
			String libraryName = file.getFileName().toString().replaceFirst("\\.cql$", "");
			try {
				CqlTranslator translator = CqlTranslator.fromText(Files.readString(file), libraryManager);
				translator.getExceptions().forEach(e -> diagnostics.add(diagnostic(libraryName, e)));
				if (!CqlCompilerException.hasErrors(translator.getErrors())) {
					String json = translator.toJson();
					diagnostics.addAll(ElmChecks.problems(libraryName, json));
					elm.put(translator.getTranslatedLibrary().getIdentifier().getId(), json);
				}
			}
			catch (IOException e) {
				throw new UncheckedIOException(e);
			}
		}
		// Included libraries that are not files of the folder (FHIRHelpers) are compiled on the way.
		for (Map.Entry<VersionedIdentifier, CompiledLibrary> entry : libraryManager.getCompiledLibraries().entrySet()) {
			elm.putIfAbsent(entry.getKey().getId(), CqlTranslator.convertToJson(entry.getValue().getLibrary()));
		}
		return new Result(elm, diagnostics.stream().distinct().toList());
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
		Path out = Files.createDirectories(Path.of(args[1]));
		for (Map.Entry<String, String> library : result.elmJsonByLibrary().entrySet()) {
			Files.writeString(out.resolve(library.getKey() + ".json"), library.getValue());
		}
		System.out.println("Translated " + result.elmJsonByLibrary().keySet() + " to " + out);
	}
}
