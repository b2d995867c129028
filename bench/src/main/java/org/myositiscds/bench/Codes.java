package org.myositiscds.bench;

import java.util.List;
import java.util.Set;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.myositiscds.PatientScenario;
import org.myositiscds.cql.ValueSetTerminology;
import org.myositiscds.cql.ValueSetTerminology.LookupCode;
import org.opencds.cqf.cql.engine.runtime.Code;

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
	 * the qualitative results Positive 10828004 and Negative 260385009 (section 4); and lisinopril
	 * 314076, the draft that triggers nothing, with its source in docs/terminology.md.
	 */
	private static final Set<String> FROM_TERMINOLOGY_REFERENCE = Set.of(LOINC + "|2157-6", RXNORM + "|979092",
			ICD10CM + "|Z22.7", ICD10CM + "|I41", SNOMED + "|50920009", SNOMED + "|10828004", SNOMED + "|260385009",
			RXNORM + "|314076");

	/** The service's own terminology, so that a code under an ICD-10-CM category counts as its value set does. */
	private static final ValueSetTerminology TERMINOLOGY = ValueSetTerminology.fromLocation(FhirContext.forR4Cached(),
			"classpath:fhir-resources/valueset/");

	private Codes() {
	}

	static Coding coding(String system, String code, String display) {
		if (!known(system, code)) {
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

	private static boolean known(String system, String code) {
		List<LookupCode> coding = List.of(LookupCode.of(new Code().withSystem(system).withCode(code)));
		return FROM_TERMINOLOGY_REFERENCE.contains(system + "|" + code)
				|| TERMINOLOGY.valueSetUrls().stream().anyMatch(url -> TERMINOLOGY.containsAny(url, coding));
	}
}
