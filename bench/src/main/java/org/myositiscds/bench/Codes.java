package org.myositiscds.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Set;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.myositiscds.PatientScenario;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The codes the generated patients carry. Every one is a member of a value set of
 * {@code fhir-resources/valueset/}, or is listed in {@link #FROM_TERMINOLOGY_REFERENCE} with the
 * row of the project's terminology reference it comes from. {@link #concept} refuses any other
 * code, so a typo cannot slip a made-up code into the benchmark data.
 */
final class Codes {

	static final String LOINC = PatientScenario.LOINC;

	static final String SNOMED = PatientScenario.SNOMED;

	static final String ICD10CM = PatientScenario.ICD10CM;

	static final String RXNORM = PatientScenario.RXNORM;

	static final String CVX = "http://hl7.org/fhir/sid/cvx";

	static final String UCUM = PatientScenario.UCUM;

	/**
	 * Codes that no value set of the service names, because no rule reads them, but that an EHR
	 * export of these patients holds. Each is in shared/reference/terminology.md:
	 * creatine kinase 2157-6 (section 3), hydroxychloroquine 979092 (section 1d), latent
	 * tuberculosis Z22.7 and myocarditis I41 (section 2b), myocarditis 50920009 (section 2a), and
	 * the qualitative results Positive 10828004 and Negative 260385009 (section 4).
	 */
	private static final Set<String> FROM_TERMINOLOGY_REFERENCE = Set.of(LOINC + "|2157-6", RXNORM + "|979092",
			ICD10CM + "|Z22.7", ICD10CM + "|I41", SNOMED + "|50920009", SNOMED + "|10828004", SNOMED + "|260385009");

	private static final Set<String> KNOWN = known();

	private Codes() {
	}

	static Coding coding(String system, String code, String display) {
		if (!KNOWN.contains(system + "|" + code)) {
			throw new IllegalArgumentException(system + "|" + code
					+ " is in no value set of fhir-resources/valueset/ and not among the terminology reference's codes");
		}
		return new Coding(system, code, display);
	}

	/** A concept of one or more codings, its text the first display, as EHR exports write them. */
	static CodeableConcept concept(Coding... codings) {
		CodeableConcept concept = new CodeableConcept();
		for (Coding coding : codings) {
			concept.addCoding(coding(coding.getSystem(), coding.getCode(), coding.getDisplay()));
		}
		return concept.setText(codings[0].getDisplay());
	}

	private static Set<String> known() {
		Set<String> codes = new HashSet<>(FROM_TERMINOLOGY_REFERENCE);
		JsonMapper json = JsonMapper.builder().build();
		try {
			for (Resource file : new PathMatchingResourcePatternResolver()
				.getResources("classpath:fhir-resources/valueset/*.json")) {
				try (InputStream in = file.getInputStream()) {
					for (JsonNode member : json.readTree(in).path("expansion").path("contains")) {
						codes.add(member.path("system").asString() + "|" + member.path("code").asString());
					}
				}
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot read the value sets", e);
		}
		return codes;
	}
}
