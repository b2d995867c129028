package org.myositiscds.cql;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.cqframework.cql.elm.visiting.BaseElmLibraryVisitor;
import org.hl7.elm.r1.Element;
import org.hl7.elm.r1.Library;
import org.hl7.elm.r1.Retrieve;
import org.hl7.elm.r1.ValueSetRef;
import org.myositiscds.cql.ValueSetTerminology.LookupCode;

/**
 * Which resources a library's retrieves can never return, read from its ELM (the libraries it
 * includes too): those of a type that every retrieve asks for by value set on {@code code}, with
 * no coding in any of those value sets. The request parser leaves them out before HAPI parses them
 * (docs/performance.md, "Per-resource cost (parsing and CQL, this session)"): an EHR that ignores
 * the prefetch's code filter sends every lab of the record, and each one cost its parse, its date
 * check and its retrieve tests though no rule could ever read it.
 * <p>
 * The test is the retrieve provider's ({@link PatientDataRetrieveProvider}): a coding is in a value
 * set when {@link ValueSetTerminology} finds its system and code there. A type with one retrieve
 * that is unfiltered, by code, by another path or by anything but a value set of the library is
 * never left out: its every resource may be read.
 */
public final class RetrieveScope {

	/** Leaves nothing out (a composed service, whose libraries are those of the services it joins). */
	public static final RetrieveScope EVERYTHING = new RetrieveScope(Map.of(), null);

	private static final String CODE_PATH = "code";

	private static final String FHIR_TYPE_NAMESPACE = "http://hl7.org/fhir";

	private final Map<String, Set<String>> valueSetsByType;

	private final ValueSetTerminology terminology;

	private RetrieveScope(Map<String, Set<String>> valueSetsByType, ValueSetTerminology terminology) {
		this.valueSetsByType = valueSetsByType;
		this.terminology = terminology;
	}

	public static RetrieveScope of(CompiledLibraries libraries, String libraryName, ValueSetTerminology terminology) {
		Map<String, Set<String>> valueSets = new HashMap<>();
		Set<String> unfiltered = new HashSet<>();
		Set<String> seen = new HashSet<>();
		Deque<String> pending = new ArrayDeque<>(List.of(libraryName));
		while (!pending.isEmpty()) {
			Library library = libraries.library(pending.pop());
			if (!seen.add(library.getIdentifier().getId())) {
				continue;
			}
			if (library.getIncludes() != null) {
				library.getIncludes().getDef().forEach(include -> pending.push(include.getPath()));
			}
			new BaseElmLibraryVisitor<Void, Void>() {
				@Override
				protected Void defaultResult(Element element, Void context) {
					return null;
				}

				@Override
				public Void visitRetrieve(Retrieve retrieve, Void context) {
					String type = retrieve.getDataType() == null
							|| !FHIR_TYPE_NAMESPACE.equals(retrieve.getDataType().getNamespaceURI()) ? null
									: retrieve.getDataType().getLocalPart();
					String valueSet = retrieve.getCodes() instanceof ValueSetRef ref
							&& CODE_PATH.equals(retrieve.getCodeProperty()) ? url(libraries, library, ref) : null;
					if (valueSet == null) {
						unfiltered.add(type);
					}
					else {
						valueSets.computeIfAbsent(type, t -> new HashSet<>()).add(valueSet);
					}
					return super.visitRetrieve(retrieve, context);
				}
			}.visitLibrary(library, null);
		}
		if (unfiltered.contains(null)) {
			return EVERYTHING;
		}
		unfiltered.forEach(valueSets::remove);
		Map<String, Set<String>> frozen = new HashMap<>();
		valueSets.forEach((type, urls) -> frozen.put(type, Set.copyOf(urls)));
		return new RetrieveScope(Map.copyOf(frozen), terminology);
	}

	/** The value set's URL, from the library that declares it; null when it cannot be told. */
	private static String url(CompiledLibraries libraries, Library library, ValueSetRef ref) {
		if (ref.getLibraryName() == null) {
			return libraries.valueSetUrl(library.getIdentifier().getId(), ref.getName());
		}
		return library.getIncludes() == null ? null : library.getIncludes().getDef().stream()
			.filter(include -> ref.getLibraryName().equals(include.getLocalIdentifier()))
			.findFirst()
			.map(include -> libraries.valueSetUrl(include.getPath(), ref.getName()))
			.orElse(null);
	}

	/** Whether some resources of the type may be left out, depending on their codes. */
	public boolean filters(String type) {
		return valueSetsByType.containsKey(type);
	}

	/** Whether no retrieve can return a resource of the type with these codings (its {@code code}). */
	public boolean neverRetrieved(String type, List<LookupCode> codes) {
		Set<String> valueSets = valueSetsByType.get(type);
		if (valueSets == null) {
			return false;
		}
		for (String valueSet : valueSets) {
			if (terminology.containsAny(valueSet, codes)) {
				return false;
			}
		}
		return true;
	}

	/** The types some of whose resources may be left out (for tests and the docs). */
	public Set<String> filteredTypes() {
		return valueSetsByType.keySet();
	}
}
