package org.myositiscds.cql;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;
import org.myositiscds.prefetch.PatientData;
import org.opencds.cqf.cql.engine.runtime.Tuple;

/**
 * The function calls resolved in one evaluation are lent to the next, and the next still reads
 * its own patient: resolutions depend on the libraries only.
 */
class FunctionResolutionsTests {

	static final FhirContext FHIR = FhirContext.forR4Cached();

	@Test
	void theEngineLetsItsFunctionCacheBeShared() {
		assertThat(FunctionResolutions.available()).isTrue();
	}

	@Test
	void laterEvaluationsReuseTheResolutionsAndReadTheirOwnPatient() {
		CqlEvaluator evaluator = new CqlEvaluator(CompiledLibraries.fromLocation("classpath:elm/"),
				ValueSetTerminology.fromLocation(FHIR, "classpath:fhir-resources/valueset/"), FHIR);
		List<String> expressions = List.of("HBsAg Results");
		ZonedDateTime now = ZonedDateTime.parse("2026-06-01T10:00:00Z");
		assertThat(evaluator.knownFunctionResolutions()).isZero();

		Map<String, Object> first = evaluator.evaluate("HBVScreening", expressions, patient("p1", "2026-05-02"), Map.of(), now);
		int resolved = evaluator.knownFunctionResolutions();
		assertThat(resolved).isPositive();
		assertThat(ids(first)).containsExactly("Observation/p1-hbsag");

		Map<String, Object> second = evaluator.evaluate("HBVScreening", expressions, patient("p2", "2025-01-10"), Map.of(), now);
		assertThat(ids(second)).containsExactly("Observation/p2-hbsag");
		assertThat(evaluator.knownFunctionResolutions()).isEqualTo(resolved);
		Patient withoutResults = new Patient();
		withoutResults.setId("p3");
		assertThat(evaluator.evaluate("HBVScreening", expressions, new PatientData(withoutResults, List.of()), Map.of(), now)
			.get("HBsAg Results")).asList().isEmpty();
	}

	static PatientData patient(String id, String date) {
		Patient patient = new Patient();
		patient.setId(id);
		Observation hbsag = new Observation();
		hbsag.setId(id + "-hbsag");
		hbsag.setStatus(Observation.ObservationStatus.FINAL);
		hbsag.setCode(new CodeableConcept().addCoding(new Coding("http://loinc.org", "5196-1", null)));
		hbsag.setSubject(new Reference("Patient/" + id));
		hbsag.setEffective(new DateTimeType(date));
		hbsag.setValue(new StringType("Negative"));
		return new PatientData(patient, List.<Resource>of(hbsag));
	}

	/** "Final Results" gives each result as a tuple with its times, the Observation in "observation". */
	@SuppressWarnings("unchecked")
	static List<String> ids(Map<String, Object> values) {
		return ((List<Tuple>) values.get("HBsAg Results")).stream()
			.map(result -> (Observation) result.getElement("observation"))
			.map(o -> o.fhirType() + "/" + o.getIdElement().getIdPart())
			.toList();
	}
}
