package org.myositiscds.cql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import ca.uhn.fhir.context.FhirContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencds.cqf.cql.engine.runtime.Code;
import org.opencds.cqf.cql.engine.terminology.ValueSetInfo;

/** ICD-10-CM categories are members whole, by code prefix, with or without the dot; nothing else is. */
class ValueSetTerminologyTests {

	static final String BASE = "https://fhir.myositis-cds.org/ValueSet/";

	static final String SERIOUS_INFECTION = BASE + "serious-infection-conditions";

	static final String CKD = BASE + "chronic-kidney-disease";

	static final ValueSetTerminology TERMINOLOGY = ValueSetTerminology.fromLocation(FhirContext.forR4Cached(),
			"classpath:fhir-resources/valueset/");

	static boolean in(String valueSet, String system, String code) {
		return TERMINOLOGY.in(new Code().withSystem(system).withCode(code), new ValueSetInfo().withId(valueSet));
	}

	static boolean icd(String valueSet, String code) {
		return in(valueSet, ValueSetTerminology.ICD_10_CM, code);
	}

	@Test
	void everyCodeUnderAnIcd10CmCategoryOfTheSeriousInfectionSetIsAMember() {
		assertThat(List.of("L03.116", "L03.115", "L03.112", "L03.113", "L03.114", "A41.52", "A41.53", "J15.4", "J15.5",
				"J15.6", "J15.7", "J18.9", "A41.9", "R65.21", "G00.9", "B25.0", "A15.0", "A18.01"))
			.allSatisfy(code -> assertThat(icd(SERIOUS_INFECTION, code)).as(code).isTrue());
	}

	@Test
	void aCodeWithoutItsDotOrInLowerCaseIsTheSameCode() {
		assertThat(icd(SERIOUS_INFECTION, "L03116")).isTrue();
		assertThat(icd(SERIOUS_INFECTION, "l03.116")).isTrue();
		assertThat(icd(SERIOUS_INFECTION, "T8144XA")).as("a listed code without its dot").isTrue();
		assertThat(icd(CKD, "N1832")).isTrue();
	}

	@Test
	void neighboursOfACategoryAndOtherSystemsAreNotMembers() {
		assertThat(icd(SERIOUS_INFECTION, "L04.1")).as("acute lymphadenitis, next category").isFalse();
		assertThat(icd(SERIOUS_INFECTION, "J1")).as("shorter than a category").isFalse();
		assertThat(icd(SERIOUS_INFECTION, "L03.116.")).as("not an ICD-10-CM code").isFalse();
		assertThat(icd(SERIOUS_INFECTION, "B02.22")).as("postherpetic neuralgia is not an active infection").isFalse();
		assertThat(icd(SERIOUS_INFECTION, "B44.81")).as("allergic bronchopulmonary aspergillosis").isFalse();
		assertThat(icd(SERIOUS_INFECTION, "T81.44XD")).as("subsequent encounter").isFalse();
		assertThat(in(SERIOUS_INFECTION, "http://hl7.org/fhir/sid/icd-10", "L03.116")).as("WHO ICD-10").isFalse();
		assertThat(in(SERIOUS_INFECTION, ValueSetTerminology.ICD_10_CM, null)).isFalse();
	}

	@Test
	void chronicKidneyDiseaseIsStageThreeToFiveEndStageDialysisOrUnspecified() {
		assertThat(List.of("N18.30", "N18.31", "N18.32", "N18.4", "N18.5", "N18.6", "N18.9", "Z99.2"))
			.allSatisfy(code -> assertThat(icd(CKD, code)).as(code).isTrue());
		assertThat(List.of("N18.1", "N18.2", "N18")).allSatisfy(code -> assertThat(icd(CKD, code)).as(code).isFalse());
		assertThat(in(CKD, "http://snomed.info/sct", "433144002")).isTrue();
		assertThat(in(CKD, "http://snomed.info/sct", "431857002")).isTrue();
	}

	@Test
	void aValueSetWithACategoryCannotBeListedButOneWithoutCan() {
		assertThatThrownBy(() -> TERMINOLOGY.expand(new ValueSetInfo().withId(SERIOUS_INFECTION)))
			.isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("is-a");
		assertThat(TERMINOLOGY.expand(new ValueSetInfo().withId(BASE + "egfr-tests")))
			.extracting(Code::getCode).contains("33914-3", "98979-8", "62238-1");
		assertThat(TERMINOLOGY.listedConcepts(SERIOUS_INFECTION)).extracting(Code::getCode).contains("J13", "91302008");
	}

	@Test
	void aFilterThisTerminologyCannotExpandIsRefusedWhenLoaded(@TempDir Path folder) throws IOException {
		Files.writeString(folder.resolve("ValueSet-x.json"), """
				{"resourceType": "ValueSet", "id": "x", "url": "https://fhir.myositis-cds.org/ValueSet/x",
				 "status": "active", "compose": {"include": [{"system": "http://snomed.info/sct",
				 "filter": [{"property": "concept", "op": "is-a", "value": "233604007"}]}]}}
				""");
		assertThatThrownBy(() -> ValueSetTerminology.fromLocation(FhirContext.forR4Cached(), folder.toUri() + "/"))
			.isInstanceOf(IllegalStateException.class).hasMessageContaining("only the filter 'concept is-a");
	}
}
