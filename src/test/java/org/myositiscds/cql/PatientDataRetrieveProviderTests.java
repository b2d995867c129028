package org.myositiscds.cql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.myositiscds.cql.ValueSetTerminology.LookupCode;
import org.opencds.cqf.cql.engine.runtime.Code;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A retrieve by value set gives exactly the resources of the patient with a coding in the value
 * set, in the order they came, as a test of every resource's codings would: the provider answers
 * it from the resources grouped by their codings.
 */
class PatientDataRetrieveProviderTests {

	@Test
	void aRetrieveByValueSetGivesThePatientsResourcesWithACodeInItInTheirOrder() throws IOException {
		List<String> valueSets = new ArrayList<>();
		List<Coding> codings = new ArrayList<>(List.of(new Coding("urn:oid:1.2.840.1", "LOCAL-1", null),
				new Coding("urn:oid:1.2.840.1", "LOCAL-2", null), new Coding("http://loinc.org", "0000-0", null),
				new Coding(null, "2160-0", null), new Coding("http://loinc.org", null, null)));
		JsonMapper json = JsonMapper.builder().build();
		try (Stream<Path> files = Files.list(Path.of("fhir-resources/valueset"))) {
			for (Path file : files.sorted().toList()) {
				JsonNode valueSet = json.readTree(file.toFile());
				valueSets.add(valueSet.get("url").asString());
				for (JsonNode include : valueSet.path("compose").path("include")) {
					for (JsonNode concept : include.path("concept")) {
						codings.add(new Coding(include.get("system").asString(), concept.get("code").asString(), null));
					}
				}
			}
		}
		Random random = new Random(14);
		List<Resource> resources = new ArrayList<>();
		for (int i = 0; i < 1500; i++) {
			Observation observation = new Observation();
			observation.setId("o" + i);
			observation.setSubject(new Reference(random.nextInt(10) == 0 ? "Patient/other" : "Patient/p1"));
			CodeableConcept code = new CodeableConcept();
			for (int c = random.nextInt(4); c > 0; c--) {
				code.addCoding(codings.get(random.nextInt(codings.size())).copy());
			}
			observation.setCode(code);
			resources.add(observation);
		}
		ValueSetTerminology terminology = ValueSetTerminologyTests.TERMINOLOGY;
		PatientDataRetrieveProvider provider = new PatientDataRetrieveProvider(resources, ModelResolverTests.SPLIT,
				terminology);
		int found = 0;
		for (String valueSet : valueSets) {
			List<Object> expected = new ArrayList<>();
			for (Resource resource : resources) {
				Observation observation = (Observation) resource;
				List<LookupCode> codes = observation.getCode().getCoding().stream()
					.map(coding -> LookupCode.of(new Code().withSystem(coding.getSystem()).withCode(coding.getCode())))
					.toList();
				if (observation.getSubject().getReference().equals("Patient/p1") && terminology.containsAny(valueSet, codes)) {
					expected.add(observation);
				}
			}
			Iterable<Object> answer = provider.retrieve("Patient", "subject", "p1", "Observation", null, "code", null,
					valueSet, null, null, null, null);
			assertThat(answer).as(valueSet).containsExactlyElementsOf(expected);
			found += expected.size();
		}
		assertThat(found).isGreaterThan(1000);
	}
}
