package org.myositiscds.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

import ca.uhn.fhir.context.FhirContext;
import org.junit.jupiter.api.Test;
import org.myositiscds.cql.CompiledLibraries;
import org.myositiscds.cql.ValueSetTerminology;
import tools.jackson.databind.json.JsonMapper;

/** Each service's prefetch covers what its CQL reads, and nothing else; a gap fails the build. */
class PrefetchLintTests {

	static final CompiledLibraries LIBRARIES = CompiledLibraries.fromLocation("classpath:elm/");

	static final ValueSetTerminology TERMINOLOGY = ValueSetTerminology.fromLocation(FhirContext.forR4Cached(),
			"classpath:fhir-resources/valueset/");

	static final ServiceCatalog CATALOG = ServiceCatalog.fromLocation("classpath:hooks/", JsonMapper.builder().build(),
			LIBRARIES.names(), LIBRARIES::integerParameterDefault);

	@Test
	void everyServicesPrefetchCoversItsCqlExactly() {
		for (ServiceDefinition service : CATALOG.services()) {
			assertThat(PrefetchLint.check(service, LIBRARIES, TERMINOLOGY)).as(service.id()).isEmpty();
		}
	}

	@Test
	void theHbvServiceReadsWhatItsCqlRetrieves() {
		PrefetchLint.Reads reads = PrefetchLint.reads(LIBRARIES, "HBVScreening");
		assertThat(reads.retrievedTypes()).containsKeys("Patient", "Observation", "Condition", "MedicationRequest")
			.doesNotContainKey("MedicationStatement");
		assertThat(reads.valueSets()).contains("https://fhir.myositis-cds.org/ValueSet/hbsag-tests",
				"https://fhir.myositis-cds.org/ValueSet/anti-cd20-agents");
	}

	@Test
	void aMissingCodeAMissingTypeAndAnUnreadTypeAreNamed() {
		ServiceDefinition hbv = CATALOG.find("hbv-screening-order-sign").orElseThrow();
		Map<String, String> prefetch = new LinkedHashMap<>(hbv.prefetch());
		prefetch.put("hbvLabs", prefetch.get("hbvLabs").replace("http://loinc.org|5195-3,", ""));
		prefetch.remove("conditions");
		prefetch.put("encounters", "Encounter?patient={{context.patientId}}");
		ServiceDefinition broken = new ServiceDefinition(hbv.hook(), hbv.title(), hbv.description(), hbv.id(), prefetch,
				hbv.usageRequirements(), hbv.library(), hbv.triggerValueSets());
		assertThat(PrefetchLint.check(broken, LIBRARIES, TERMINOLOGY)).containsExactlyInAnyOrder(
				"hbv-screening-order-sign: the CQL retrieves Condition (in \"MyositisCommon.Coded Conditions\") but no prefetch key fetches it",
				"hbv-screening-order-sign: prefetch key 'encounters' fetches Encounter, which the CQL never reads",
				"hbv-screening-order-sign: prefetch key 'hbvLabs' filters by code but leaves out http://loinc.org|5195-3 of value set "
						+ "https://fhir.myositis-cds.org/ValueSet/hbsag-tests, which the CQL reads");
	}
}
