package org.myositiscds.cql;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.ValueSet;
import org.hl7.fhir.r4.model.ValueSet.ConceptSetComponent;
import org.hl7.fhir.r4.model.ValueSet.ConceptSetFilterComponent;
import org.hl7.fhir.r4.model.ValueSet.FilterOperator;
import org.opencds.cqf.cql.engine.runtime.Code;
import org.opencds.cqf.cql.engine.terminology.CodeSystemInfo;
import org.opencds.cqf.cql.engine.terminology.TerminologyProvider;
import org.opencds.cqf.cql.engine.terminology.ValueSetInfo;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Value sets from the FHIR ValueSet resources of {@code fhir-resources/valueset/}, read from their
 * {@code compose}: the listed concepts, and ICD-10-CM categories given as a filter
 * {@code concept is-a <category>}. No terminology server is called.
 * <p>
 * ICD-10-CM is hierarchical by code prefix (every code under L03.11 starts with L03.11), so a
 * category is held as a normalised prefix and a code is a member when one of its own prefixes is
 * a category: at most seven hash lookups per code, whatever the size of the category. ICD-10-CM
 * codes are compared without their dot and in upper case, because EHR exports send both
 * {@code L03.116} and {@code L03116}.
 */
public final class ValueSetTerminology implements TerminologyProvider {

	static final String ICD_10_CM = "http://hl7.org/fhir/sid/icd-10-cm";

	/** An ICD-10-CM code as EHRs write it: category of three characters, then an optional dot. */
	private static final Pattern ICD_10_CM_CODE = Pattern.compile("[A-Z][0-9][0-9A-Z](\\.?[0-9A-Z]{1,4})?");

	private static final int ICD_10_CM_CATEGORY_LENGTH = 3;

	private record Definition(List<Code> concepts, Set<String> members, Set<String> icd10CmCategories) {
	}

	private final Map<String, Definition> valueSets;

	private ValueSetTerminology(Map<String, Definition> valueSets) {
		this.valueSets = valueSets;
	}

	public static ValueSetTerminology fromLocation(FhirContext fhirContext, String location) {
		try {
			Map<String, Definition> valueSets = new HashMap<>();
			Resource[] files = new PathMatchingResourcePatternResolver().getResources(location + "*.json");
			for (Resource file : files) {
				ValueSet valueSet = fhirContext.newJsonParser()
					.parseResource(ValueSet.class, file.getContentAsString(StandardCharsets.UTF_8));
				valueSets.put(valueSet.getUrl(), definition(valueSet));
			}
			return new ValueSetTerminology(valueSets);
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot read value sets from " + location, e);
		}
	}

	private static Definition definition(ValueSet valueSet) {
		if (valueSet.getCompose().hasExclude()) {
			throw new IllegalStateException("ValueSet " + valueSet.getUrl() + ": compose.exclude is not supported");
		}
		List<Code> concepts = new ArrayList<>();
		Set<String> members = new HashSet<>();
		Set<String> categories = new HashSet<>();
		for (ConceptSetComponent include : valueSet.getCompose().getInclude()) {
			String system = include.getSystem();
			if (system == null || include.hasValueSet()) {
				throw new IllegalStateException("ValueSet " + valueSet.getUrl()
						+ ": every compose.include names a system and includes no other value set");
			}
			include.getConcept().forEach(concept -> {
				concepts.add(new Code().withSystem(system).withCode(concept.getCode()).withDisplay(concept.getDisplay()));
				members.add(memberKey(system, normalise(system, concept.getCode())));
			});
			for (ConceptSetFilterComponent filter : include.getFilter()) {
				categories.add(icd10CmCategory(valueSet.getUrl(), system, filter));
			}
		}
		if (concepts.isEmpty() && categories.isEmpty()) {
			throw new IllegalStateException("ValueSet " + valueSet.getUrl() + " includes no code");
		}
		return new Definition(List.copyOf(concepts), Set.copyOf(members), Set.copyOf(categories));
	}

	/** The one filter this terminology can expand without the code system: ICD-10-CM, concept is-a. */
	private static String icd10CmCategory(String url, String system, ConceptSetFilterComponent filter) {
		String value = filter.getValue() == null ? "" : filter.getValue().trim().toUpperCase(Locale.ROOT);
		if (!ICD_10_CM.equals(system) || !"concept".equals(filter.getProperty()) || filter.getOp() != FilterOperator.ISA
				|| !ICD_10_CM_CODE.matcher(value).matches()) {
			throw new IllegalStateException("ValueSet " + url + ": only the filter 'concept is-a <ICD-10-CM code>' on "
					+ ICD_10_CM + " is supported, not '" + filter.getProperty() + " " + filter.getOp() + " "
					+ filter.getValue() + "' on " + system);
		}
		return normalise(ICD_10_CM, value);
	}

	public Set<String> valueSetUrls() {
		return valueSets.keySet();
	}

	/**
	 * A coding as the value-set lookup reads it, with its member key built once: a retrieve looks
	 * each resource's codings up in one value set after another, and building the key at every
	 * lookup was a sixteenth of a long record's call.
	 */
	public record LookupCode(String system, String code, String key) {

		public static LookupCode of(Code code) {
			return of(code.getSystem(), code.getCode());
		}

		public static LookupCode of(String system, String code) {
			return new LookupCode(system, code,
					system == null || code == null ? null : memberKey(system, normalise(system, code)));
		}
	}

	/** Whether any coding of the list is in the value set. */
	public boolean containsAny(String valueSetUrl, List<LookupCode> codes) {
		Definition valueSet = definition(valueSetUrl);
		for (LookupCode code : codes) {
			if (contains(valueSet, code)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The concepts a value set lists by code. For a value set with ICD-10-CM categories these are
	 * not all its members (see {@link #expand}); a prefetch that filters by code can only list these.
	 */
	public List<Code> listedConcepts(String valueSetUrl) {
		return definition(valueSetUrl).concepts();
	}

	@Override
	public boolean in(Code code, ValueSetInfo valueSet) {
		return contains(definition(valueSet.getId()), LookupCode.of(code));
	}

	/**
	 * The members of a value set that lists its codes. A value set with an ICD-10-CM category has
	 * members this service cannot list (it holds no copy of ICD-10-CM), so expanding it fails
	 * rather than return a partial list that would silently miss codes.
	 */
	@Override
	public Iterable<Code> expand(ValueSetInfo valueSet) {
		Definition definition = definition(valueSet.getId());
		if (!definition.icd10CmCategories().isEmpty()) {
			throw new UnsupportedOperationException("ValueSet " + valueSet.getId()
					+ " includes ICD-10-CM categories (is-a), which cannot be listed: test membership with 'in'");
		}
		return definition.concepts();
	}

	@Override
	public Code lookup(Code code, CodeSystemInfo codeSystem) {
		return valueSets.values().stream().flatMap(v -> v.concepts().stream())
			.filter(c -> c.getCode().equals(code.getCode()) && c.getSystem().equals(codeSystem.getId()))
			.findFirst().orElse(null);
	}

	private static boolean contains(Definition valueSet, LookupCode code) {
		if (code.key() == null) {
			return false;
		}
		if (valueSet.members().contains(code.key())) {
			return true;
		}
		if (valueSet.icd10CmCategories().isEmpty() || !ICD_10_CM.equals(code.system())
				|| !ICD_10_CM_CODE.matcher(code.code().trim().toUpperCase(Locale.ROOT)).matches()) {
			return false;
		}
		String normalised = normalise(code.system(), code.code());
		for (int length = ICD_10_CM_CATEGORY_LENGTH; length <= normalised.length(); length++) {
			if (valueSet.icd10CmCategories().contains(normalised.substring(0, length))) {
				return true;
			}
		}
		return false;
	}

	private Definition definition(String valueSetUrl) {
		Definition definition = valueSets.get(valueSetUrl);
		if (definition == null) {
			throw new IllegalArgumentException("Unknown value set " + valueSetUrl);
		}
		return definition;
	}

	/** ICD-10-CM codes without their dot and in upper case; other systems' codes as they are. */
	private static String normalise(String system, String code) {
		return ICD_10_CM.equals(system) ? code.trim().toUpperCase(Locale.ROOT).replace(".", "") : code;
	}

	private static String memberKey(String system, String code) {
		return system + "|" + code;
	}
}
