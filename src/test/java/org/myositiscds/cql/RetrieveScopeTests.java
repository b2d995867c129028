package org.myositiscds.cql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.myositiscds.cql.ValueSetTerminology.LookupCode;

/**
 * A type is filtered only when every retrieve of it, in the library and those it includes, is by a
 * value set on code; its resources are left out only when no coding is in one of those value sets.
 */
class RetrieveScopeTests {

	static final String LOINC = "http://loinc.org";

	static final CompiledLibraries LIBRARIES = CompiledLibraries.fromLocation("classpath:elm/");

	static RetrieveScope scope(String library) {
		return RetrieveScope.of(LIBRARIES, library, ValueSetTerminologyTests.TERMINOLOGY);
	}

	static List<LookupCode> codes(String... systemAndCode) {
		return java.util.stream.IntStream.range(0, systemAndCode.length / 2)
			.mapToObj(i -> LookupCode.of(systemAndCode[2 * i], systemAndCode[2 * i + 1]))
			.toList();
	}

	@Test
	void theGuidelineLibrariesFilterObservationsButNeverMedicationRecords() {
		for (String library : List.of("RituximabDM", "TacrolimusDeescalation", "HBVScreening")) {
			RetrieveScope scope = scope(library);
			assertThat(scope.filters("Observation")).as(library).isTrue();
			assertThat(scope.filteredTypes()).as(library).doesNotContain("MedicationRequest", "MedicationStatement",
					"MedicationAdministration", "Medication", "Patient");
		}
	}

	@Test
	void aResultOfATestTheLibraryOrOneItIncludesRetrievesIsRead() {
		RetrieveScope rituximab = scope("RituximabDM");
		assertThat(rituximab.neverRetrieved("Observation", codes(LOINC, "2465-3"))).as("IgG, RituximabDM's own").isFalse();
		assertThat(rituximab.neverRetrieved("Observation", codes(LOINC, "98979-8"))).as("eGFR, from MyositisCommon")
			.isFalse();
		assertThat(rituximab.neverRetrieved("Observation", codes("http://ehr.example.org/labs", "IGG", LOINC, "2465-3")))
			.as("a local code first").isFalse();
	}

	@Test
	void aResultNoRetrieveAsksForIsLeftOut() {
		RetrieveScope rituximab = scope("RituximabDM");
		assertThat(rituximab.neverRetrieved("Observation", codes(LOINC, "2157-6"))).as("creatine kinase").isTrue();
		assertThat(rituximab.neverRetrieved("Observation", codes(LOINC, "33929-1"))).as("a tacrolimus trough").isTrue();
		assertThat(rituximab.neverRetrieved("Observation", codes())).as("no coding").isTrue();
		assertThat(rituximab.neverRetrieved("Observation", codes("http://ehr.example.org/labs", "2465-3")))
			.as("IgG's code in a local system").isTrue();
		assertThat(scope("TacrolimusDeescalation").neverRetrieved("Observation", codes(LOINC, "33929-1")))
			.as("the tacrolimus service reads its troughs").isFalse();
	}

	@Test
	void aTypeWithOneRetrieveWithoutAValueSetIsNeverFiltered(@TempDir Path folder) throws IOException {
		Files.writeString(folder.resolve("Mixed.cql"), """
				library Mixed version '1.0.0'
				using FHIR version '4.0.1'
				include FHIRHelpers version '4.0.1' called FHIRHelpers
				codesystem "LOINC": 'http://loinc.org'
				valueset "IgG Tests": 'https://fhir.myositis-cds.org/ValueSet/igg-tests'
				valueset "Tacrolimus Levels": 'https://fhir.myositis-cds.org/ValueSet/tacrolimus-levels'
				code "Creatine kinase": '2157-6' from "LOINC"
				context Patient
				define "IgG": [Observation: "IgG Tests"]
				define "Every Observation": [Observation]
				define "Tacrolimus": [Condition: "Tacrolimus Levels"]
				define "Kinase": [Condition: "Creatine kinase"]
				define "Allergies": [AllergyIntolerance: "IgG Tests"]
				""");
		CqlTranslation.Result result = CqlTranslation.translateFolder(folder);
		RetrieveScope scope = RetrieveScope.of(CompiledLibraries.fromElm(result.elmJsonByLibrary().values()), "Mixed",
				ValueSetTerminologyTests.TERMINOLOGY);
		assertThat(scope.filteredTypes()).containsExactly("AllergyIntolerance");
		assertThat(scope.neverRetrieved("Observation", codes(LOINC, "2157-6"))).isFalse();
		assertThat(scope.neverRetrieved("Condition", codes(LOINC, "2157-6"))).as("retrieved by a code").isFalse();
		assertThat(scope.neverRetrieved("AllergyIntolerance", codes(LOINC, "2157-6"))).isTrue();
		assertThat(RetrieveScope.EVERYTHING.neverRetrieved("Observation", codes(LOINC, "2157-6"))).isFalse();
	}
}
