package org.myositiscds.cql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an informaticist sees when the CQL is wrong: the library, the line and the message. */
class CqlTranslationTests {

	@Test
	void theBundledLibrariesTranslateWithoutErrorsOrWarnings() {
		CqlTranslation.Result result = CqlTranslation.translateFolder(Path.of("cql"));
		// Kept at zero (docs/authoring.md, "A warning-free CQL tree"): a new warning is seen at once.
		assertThat(result.report()).isEmpty();
		assertThat(result.diagnostics()).filteredOn(d -> !d.severity().equals("info")).isEmpty();
		assertThat(result.elmJsonByLibrary()).containsKeys("FHIRHelpers", "MyositisCommon", "HBVScreening");
	}

	@Test
	void anErrorNamesLibraryLineAndMessage(@TempDir Path folder) throws IOException {
		Files.writeString(folder.resolve("Broken.cql"), """
				library Broken version '1.0.0'
				using FHIR version '4.0.1'
				context Patient
				define "Answer": 1 +
				""");
		CqlTranslation.Result result = CqlTranslation.translateFolder(folder);
		assertThat(result.hasErrors()).isTrue();
		assertThat(result.diagnostics()).anySatisfy(d -> {
			assertThat(d.toString()).startsWith("Broken.cql:");
			assertThat(d.line()).isGreaterThan(0);
			assertThat(d.severity()).isEqualTo("error");
		});
	}

	@Test
	void twoFunctionsOfTheSameNameAreRefused(@TempDir Path folder) throws IOException {
		Files.writeString(folder.resolve("Overloaded.cql"), """
				library Overloaded version '1.0.0'
				using FHIR version '4.0.1'
				context Patient
				define function "Name"(value String): value
				define function "Name"(value String, fallback String): Coalesce(value, fallback)
				""");
		CqlTranslation.Result result = CqlTranslation.translateFolder(folder);
		assertThat(result.diagnostics()).anySatisfy(d -> {
			assertThat(d.severity()).isEqualTo("error");
			assertThat(d.message()).contains("\"Name\" is defined more than once");
		});
	}

	@Test
	void aRetrieveWhoseValueSetIsAFunctionArgumentIsRefused(@TempDir Path folder) throws IOException {
		Files.writeString(folder.resolve("Unfiltered.cql"), """
				library Unfiltered version '1.0.0'
				using FHIR version '4.0.1'
				include FHIRHelpers version '4.0.1' called FHIRHelpers
				context Patient
				define function "Conditions In"(conditions System.ValueSet):
				  [Condition: conditions]
				""");
		CqlTranslation.Result result = CqlTranslation.translateFolder(folder);
		assertThat(result.diagnostics()).anySatisfy(d -> {
			assertThat(d.severity()).isEqualTo("error");
			assertThat(d.line()).isEqualTo(6);
			assertThat(d.message()).contains("would return every Condition");
		});
	}

	@Test
	void aMedicationRecordRetrievedByValueSetIsRefused(@TempDir Path folder) throws IOException {
		Files.writeString(folder.resolve("Joined.cql"), """
				library Joined version '1.0.0'
				using FHIR version '4.0.1'
				include FHIRHelpers version '4.0.1' called FHIRHelpers
				valueset "Rituximab": 'https://fhir.myositis-cds.org/ValueSet/rituximab'
				context Patient
				define "Rituximab Orders":
				  [MedicationRequest: "Rituximab"]
				define "Rituximab Orders Read Once":
				  [MedicationRequest] Request where Request.medication in "Rituximab"
				""");
		CqlTranslation.Result result = CqlTranslation.translateFolder(folder);
		assertThat(result.diagnostics()).filteredOn(d -> d.severity().equals("error")).singleElement().satisfies(d -> {
			assertThat(d.line()).isEqualTo(7);
			assertThat(d.message()).contains("compares every MedicationRequest with every Medication");
		});
	}

	@Test
	void aRuleCardNotDecidedByItsAppliesDefinitionIsRefused(@TempDir Path folder) throws IOException {
		Files.writeString(folder.resolve("Rules.cql"), """
				library Rules version '1.0.0'
				using FHIR version '4.0.1'
				context Patient
				define "XYZ-1 Applies": true
				define "XYZ-1 Card": if "XYZ-1 Applies" then 'a card' else null
				define "XYZ-2 Applies": true
				define "XYZ-2 Card": if "XYZ-2 Applies" or Today() > @2020-01-01 then 'a card' else null
				define "XYZ-3 Card": 'always a card'
				""");
		CqlTranslation.Result result = CqlTranslation.translateFolder(folder);
		assertThat(result.diagnostics()).filteredOn(d -> d.severity().equals("error"))
			.extracting(CqlTranslation.Diagnostic::message)
			.containsExactly(
					"\"XYZ-2 Card\" must read: if \"XYZ-2 Applies\" then <the card> else null (the published PlanDefinition fires the rule on \"XYZ-2 Applies\")",
					"\"XYZ-3 Card\" must read: if \"XYZ-3 Applies\" then <the card> else null (the published PlanDefinition fires the rule on \"XYZ-3 Applies\")");
	}
}
