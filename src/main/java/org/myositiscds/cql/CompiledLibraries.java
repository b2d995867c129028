package org.myositiscds.cql;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.cqframework.cql.cql2elm.LibraryManager;
import org.cqframework.cql.cql2elm.ModelManager;
import org.cqframework.cql.cql2elm.model.CompiledLibrary;
import org.cqframework.cql.elm.serializing.ElmJsonLibraryReader;
import org.hl7.elm.r1.ExpressionDef;
import org.hl7.elm.r1.Library;
import org.hl7.elm.r1.Literal;
import org.hl7.elm.r1.ParameterDef;
import org.hl7.elm.r1.ValueSetDef;
import org.hl7.elm.r1.VersionedIdentifier;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The ELM of every library, read once from the build's {@code elm/} folder and handed to the
 * engine through the library manager's cache, so that nothing is translated at run time.
 */
public final class CompiledLibraries {

	private final LibraryManager libraryManager;

	private final Map<String, Library> librariesByName;

	private CompiledLibraries(Map<String, Library> librariesByName) {
		this.librariesByName = librariesByName;
		// The engine reads the cache from many request threads.
		Map<VersionedIdentifier, CompiledLibrary> cache = new ConcurrentHashMap<>();
		this.libraryManager = new LibraryManager(new ModelManager(), CqlTranslation.compilerOptions(), cache);
		librariesByName.values().forEach(library -> cache.put(keyOf(library.getIdentifier()), compiled(library)));
	}

	/** Reads every {@code *.json} ELM file under the location (e.g. {@code classpath:elm/}). */
	public static CompiledLibraries fromLocation(String location) {
		try {
			List<String> elm = new ArrayList<>();
			for (Resource file : new PathMatchingResourcePatternResolver().getResources(location + "*.json")) {
				elm.add(file.getContentAsString(StandardCharsets.UTF_8));
			}
			if (elm.isEmpty()) {
				throw new IllegalStateException("No ELM found at " + location + ": was the CQL translated by the build?");
			}
			return fromElm(elm);
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot read ELM from " + location, e);
		}
	}

	/** From ELM JSON texts, e.g. those {@link CqlTranslation} has just produced. */
	public static CompiledLibraries fromElm(Collection<String> elmJson) {
		Map<String, Library> libraries = new TreeMap<>();
		ElmJsonLibraryReader reader = new ElmJsonLibraryReader();
		for (String json : elmJson) {
			Library library = reader.read(json);
			libraries.put(library.getIdentifier().getId(), library);
		}
		return new CompiledLibraries(libraries);
	}

	private static CompiledLibrary compiled(Library library) {
		// The engine finds expression definitions by binary search on their names.
		List<ExpressionDef> defs = library.getStatements().getDef();
		defs.sort(Comparator.comparing(ExpressionDef::getName));
		CompiledLibrary compiled = new CompiledLibrary();
		compiled.setIdentifier(library.getIdentifier());
		compiled.setLibrary(library);
		return compiled;
	}

	static VersionedIdentifier keyOf(VersionedIdentifier identifier) {
		return new VersionedIdentifier().withId(identifier.getId()).withVersion(identifier.getVersion());
	}

	LibraryManager libraryManager() {
		return libraryManager;
	}

	public Library library(String name) {
		Library library = librariesByName.get(name);
		if (library == null) {
			throw new IllegalArgumentException("No CQL library named " + name);
		}
		return library;
	}

	/** The names of a library's expression definitions (not its functions), in source order of names. */
	public List<String> expressionNames(String libraryName) {
		return library(libraryName).getStatements().getDef().stream()
			.filter(def -> !(def instanceof org.hl7.elm.r1.FunctionDef) && !def.getName().equals("Patient"))
			.map(ExpressionDef::getName)
			.toList();
	}

	/**
	 * The default of a library's Integer parameter, when it has one of that name whose default is an
	 * Integer literal.
	 */
	public OptionalInt integerParameterDefault(String libraryName, String parameterName) {
		Library library = librariesByName.get(libraryName);
		if (library == null || library.getParameters() == null) {
			return OptionalInt.empty();
		}
		return library.getParameters().getDef().stream()
			.filter(parameter -> parameter.getName().equals(parameterName))
			.map(ParameterDef::getDefault)
			.filter(Literal.class::isInstance)
			.map(Literal.class::cast)
			.filter(literal -> literal.getValueType() != null && "Integer".equals(literal.getValueType().getLocalPart()))
			.mapToInt(literal -> Integer.parseInt(literal.getValue()))
			.findFirst();
	}

	public Set<String> names() {
		return librariesByName.keySet();
	}

	/** The canonical URL of the value set a library declares under this name; null when it declares none so named. */
	public String valueSetUrl(String libraryName, String valueSetName) {
		Library library = library(libraryName);
		if (library.getValueSets() == null) {
			return null;
		}
		return library.getValueSets().getDef().stream()
			.filter(def -> def.getName().equals(valueSetName))
			.map(ValueSetDef::getId)
			.findFirst()
			.orElse(null);
	}

	/** The canonical URL of every value set any library declares. */
	public Set<String> valueSetUrls() {
		return librariesByName.values().stream()
			.filter(library -> library.getValueSets() != null)
			.flatMap(library -> library.getValueSets().getDef().stream())
			.map(ValueSetDef::getId)
			.collect(Collectors.toCollection(java.util.TreeSet::new));
	}
}
