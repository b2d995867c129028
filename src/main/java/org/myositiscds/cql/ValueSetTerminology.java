package org.myositiscds.cql;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.ValueSet;
import org.opencds.cqf.cql.engine.runtime.Code;
import org.opencds.cqf.cql.engine.terminology.CodeSystemInfo;
import org.opencds.cqf.cql.engine.terminology.TerminologyProvider;
import org.opencds.cqf.cql.engine.terminology.ValueSetInfo;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Value sets from the pre-expanded FHIR ValueSet resources of {@code fhir-resources/valueset/}:
 * membership is a lookup of system and code in the expansion. No terminology server is called.
 */
public final class ValueSetTerminology implements TerminologyProvider {

	private final Map<String, Set<String>> codesByValueSet;

	private final Map<String, List<Code>> expansions;

	private ValueSetTerminology(Map<String, List<Code>> expansions) {
		this.expansions = expansions;
		this.codesByValueSet = new HashMap<>();
		expansions.forEach((url, codes) -> codesByValueSet.put(url,
				codes.stream().map(c -> key(c.getSystem(), c.getCode())).collect(Collectors.toUnmodifiableSet())));
	}

	public static ValueSetTerminology fromLocation(FhirContext fhirContext, String location) {
		try {
			Map<String, List<Code>> expansions = new HashMap<>();
			Resource[] files = new PathMatchingResourcePatternResolver().getResources(location + "*.json");
			for (Resource file : files) {
				ValueSet valueSet = fhirContext.newJsonParser()
					.parseResource(ValueSet.class, file.getContentAsString(StandardCharsets.UTF_8));
				if (!valueSet.hasExpansion()) {
					throw new IllegalStateException("ValueSet " + valueSet.getUrl() + " has no expansion");
				}
				expansions.put(valueSet.getUrl(), valueSet.getExpansion().getContains().stream()
					.map(c -> new Code().withSystem(c.getSystem()).withCode(c.getCode()).withDisplay(c.getDisplay()))
					.toList());
			}
			return new ValueSetTerminology(expansions);
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot read value sets from " + location, e);
		}
	}

	public Set<String> valueSetUrls() {
		return expansions.keySet();
	}

	/** Whether any coding of the list is in the value set. */
	public boolean containsAny(String valueSetUrl, Iterable<Code> codes) {
		Set<String> members = members(valueSetUrl);
		for (Code code : codes) {
			if (members.contains(key(code.getSystem(), code.getCode()))) {
				return true;
			}
		}
		return false;
	}

	@Override
	public boolean in(Code code, ValueSetInfo valueSet) {
		return members(valueSet.getId()).contains(key(code.getSystem(), code.getCode()));
	}

	@Override
	public Iterable<Code> expand(ValueSetInfo valueSet) {
		members(valueSet.getId());
		return expansions.get(valueSet.getId());
	}

	@Override
	public Code lookup(Code code, CodeSystemInfo codeSystem) {
		return expansions.values().stream().flatMap(List::stream)
			.filter(c -> c.getCode().equals(code.getCode()) && c.getSystem().equals(codeSystem.getId()))
			.findFirst().orElse(null);
	}

	private Set<String> members(String valueSetUrl) {
		Set<String> members = codesByValueSet.get(valueSetUrl);
		if (members == null) {
			throw new IllegalArgumentException("Unknown value set " + valueSetUrl);
		}
		return members;
	}

	private static String key(String system, String code) {
		return system + "|" + code;
	}
}
