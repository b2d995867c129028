package org.myositiscds.prefetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.Test;

class PrefetchTemplateTests {

	static final Map<String, String> CONTEXT = Map.of("patientId", "p-1", "userId", "Practitioner/dr-7",
			"encounterId", "enc-3");

	@Test
	void substitutesContextFields() {
		var template = new PrefetchTemplate("labs", "Observation?patient={{context.patientId}}&encounter={{context.encounterId}}");
		assertThat(template.render(CONTEXT)).contains("Observation?patient=p-1&encounter=enc-3");
	}

	@Test
	void substitutesTheUserTokenMatchingTheUsersResourceType() {
		assertThat(new PrefetchTemplate("me", "Practitioner/{{userPractitionerId}}").render(CONTEXT))
			.contains("Practitioner/dr-7");
		assertThat(new PrefetchTemplate("role", "PractitionerRole/{{userPractitionerRoleId}}")
			.render(Map.of("userId", "PractitionerRole/r-2"))).contains("PractitionerRole/r-2");
		assertThat(new PrefetchTemplate("pt", "Patient/{{userPatientId}}").render(Map.of("userId", "Patient/p-9")))
			.contains("Patient/p-9");
		assertThat(new PrefetchTemplate("rp", "RelatedPerson/{{userRelatedPersonId}}")
			.render(Map.of("userId", "RelatedPerson/rp-4"))).contains("RelatedPerson/rp-4");
	}

	@Test
	void aTokenWithoutValueLeavesTheKeyUnrendered() {
		assertThat(new PrefetchTemplate("role", "PractitionerRole/{{userPractitionerRoleId}}").render(CONTEXT)).isEmpty();
		assertThat(new PrefetchTemplate("x", "Encounter/{{context.missing}}").render(CONTEXT)).isEmpty();
	}

	@Test
	void queryValuesAreUrlEncodedButCommasStaySeparators() {
		URI uri = FhirServerClient.resolve(URI.create("https://ehr.example.org/fhir"),
				"Observation?patient=p-1&code=http://loinc.org|5196-1,http://loinc.org|16933-4");
		assertThat(uri.toString()).isEqualTo("https://ehr.example.org/fhir/Observation?patient=p-1"
				+ "&code=http%3A%2F%2Floinc.org%7C5196-1,http%3A%2F%2Floinc.org%7C16933-4");
		assertThat(FhirServerClient.resolve(URI.create("https://ehr.example.org/fhir/"), "Patient/p-1").toString())
			.isEqualTo("https://ehr.example.org/fhir/Patient/p-1");
	}
}
