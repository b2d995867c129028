package org.myositiscds.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Library;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.junit.jupiter.api.Test;
import org.myositiscds.CdsHooksContract;

/** The knowledge the build publishes as FHIR: valid against base R4, and saying what the CQL says. */
class KnowledgeArtifactsTests {

	static final Path FOLDER = Path.of("target/classes/fhir-resources/knowledge");

	static List<Path> artifacts() throws IOException {
		try (Stream<Path> files = Files.list(FOLDER)) {
			return files.sorted().toList();
		}
	}

	@Test
	void everyArtifactIsValidFhirR4() throws IOException {
		assertThat(artifacts()).hasSize(4 + 6);
		for (Path file : artifacts()) {
			CdsHooksContract.assertValidFhir(Files.readString(file));
		}
	}

	@Test
	void aLibraryCarriesItsCqlAndElmAndTheDataItReads() throws IOException {
		Library library = FhirContext.forR4Cached().newJsonParser()
			.parseResource(Library.class, Files.readString(FOLDER.resolve("Library-HBVScreening.json")));
		assertThat(library.getUrl()).isEqualTo("https://fhir.myositis-cds.org/Library/HBVScreening");
		assertThat(new String(library.getContent().get(0).getData(), StandardCharsets.UTF_8))
			.isEqualTo(Files.readString(Path.of("cql/HBVScreening.cql")));
		assertThat(library.getContent().get(1).getContentType()).isEqualTo("application/elm+json");
		assertThat(library.getDataRequirement()).extracting(d -> d.getType())
			.contains("Observation", "Condition", "MedicationRequest", "Patient");
		assertThat(library.getRelatedArtifact()).anySatisfy(artifact ->
			assertThat(artifact.getResource()).isEqualTo("https://fhir.myositis-cds.org/ValueSet/hbsag-tests"));
	}

	@Test
	void aPlanDefinitionHasOneRuleActionPerCardFiredByItsHook() throws IOException {
		PlanDefinition plan = FhirContext.forR4Cached().newJsonParser()
			.parseResource(PlanDefinition.class, Files.readString(FOLDER.resolve("PlanDefinition-rituximab-order-select.json")));
		assertThat(plan.getAction()).extracting(PlanDefinition.PlanDefinitionActionComponent::getId)
			.containsExactly("RTX-1", "RTX-2", "RTX-3", "RTX-4", "RTX-5", "RTX-6", "RTX-7", "RTX-8", "RTX-9", "RTX-10",
					"RTX-11", "RTX-12", "RTX-13", "DATA-1");
		assertThat(plan.getActionFirstRep().getTriggerFirstRep().getName()).isEqualTo("order-select");
		assertThat(plan.getActionFirstRep().getConditionFirstRep().getExpression().getExpression())
			.isEqualTo("RTX-1 Applies");
		assertThat(plan.getLibrary().get(0).getValue()).isEqualTo("https://fhir.myositis-cds.org/Library/RituximabDM");
	}
}
