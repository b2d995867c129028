package org.myositiscds.cql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hl7.elm.r1.Library;
import org.hl7.elm.r1.ParameterDef;
import org.hl7.fhir.r4.model.ValueSet;
import org.junit.jupiter.api.Test;

/** The knowledge folders keep their side of the contract with the service. */
class KnowledgeTests {

	static final ObjectMapper JSON = new ObjectMapper();

	@Test
	void everyValueSetIsComposedAndAnExpansionListsExactlyItsComposition() throws IOException {
		try (Stream<Path> files = Files.list(Path.of("fhir-resources/valueset"))) {
			for (Path file : files.toList()) {
				ValueSet valueSet = FhirContext.forR4Cached().newJsonParser().parseResource(ValueSet.class, Files.readString(file));
				Set<String> composed = new HashSet<>();
				boolean filtered = false;
				for (ValueSet.ConceptSetComponent include : valueSet.getCompose().getInclude()) {
					include.getConcept().forEach(concept -> composed.add(include.getSystem() + "|" + concept.getCode()));
					filtered |= include.hasFilter();
				}
				assertThat(composed.isEmpty() && !filtered).as(file + " includes nothing").isFalse();
				if (filtered) {
					// the members of an ICD-10-CM category are not listed here, so a list would be partial
					assertThat(valueSet.hasExpansion()).as(file + " has a filter and an expansion").isFalse();
				}
				else if (valueSet.hasExpansion()) {
					Set<String> expanded = new HashSet<>();
					valueSet.getExpansion().getContains().forEach(c -> expanded.add(c.getSystem() + "|" + c.getCode()));
					assertThat(expanded).as(file.toString()).isEqualTo(composed);
					assertThat(valueSet.getExpansion().getTotal()).as(file + " expansion.total").isEqualTo(expanded.size());
				}
				assertThat(valueSet.getUrl()).isEqualTo("https://fhir.myositis-cds.org/ValueSet/" + valueSet.getIdPart());
				assertThat(file.getFileName().toString()).isEqualTo("ValueSet-" + valueSet.getIdPart() + ".json");
			}
		}
	}

	@Test
	void everyLibraryAServiceUsesDeclaresTheContractParametersAndCards() throws IOException {
		CompiledLibraries libraries = CompiledLibraries.fromLocation("classpath:elm/");
		try (Stream<Path> files = Files.list(Path.of("hooks"))) {
			for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
				JsonNode service = JSON.readTree(file.toFile());
				Library library = libraries.library(service.path("library").asText());
				List<String> parameters = library.getParameters().getDef().stream().map(ParameterDef::getName).toList();
				assertThat(parameters).as(file.toString())
					.contains(GuidelineContract.HOOK, GuidelineContract.DRAFT_ORDERS, GuidelineContract.SELECTIONS);
				assertThat(library.getStatements().getDef()).as(file.toString())
					.anyMatch(def -> def.getName().equals(GuidelineContract.CARDS));
			}
		}
	}

	@Test
	void everyValueSetTheCqlNamesIsDefined() {
		CompiledLibraries libraries = CompiledLibraries.fromLocation("classpath:elm/");
		ValueSetTerminology terminology = ValueSetTerminology.fromLocation(FhirContext.forR4Cached(),
				"classpath:fhir-resources/valueset/");
		assertThat(terminology.valueSetUrls()).containsAll(libraries.valueSetUrls());
	}
}
