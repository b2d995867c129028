package org.myositiscds.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.TestJson.read;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.PatientScenario;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The demo profile's FHIR API: the Sandbox can read the demo patients, and calls without data fetch from it. */
@CdsServiceTest(properties = { "myositis-cds.demo.fhir-server=true",
		"myositis-cds.cors.allowed-origins=https://sandbox.cds-hooks.org" })
class DemoFhirServerTests {

	static final String SIGN = "hbv-screening-order-sign";

	@DynamicPropertySource
	static void demoPatients(DynamicPropertyRegistry registry) throws IOException {
		Path folder = Files.createTempDirectory("demo-patients");
		Files.writeString(folder.resolve("demo-hbsag-positive.json"), """
				{"resourceType": "Bundle", "type": "collection", "entry": [
				 {"resource": {"resourceType": "Patient", "id": "demo-hbsag-positive", "gender": "female", "birthDate": "-60y"}},
				 {"resource": {"resourceType": "Observation", "id": "demo-hbsag", "status": "final",
				   "code": {"coding": [{"system": "http://loinc.org", "code": "5196-1"}]},
				   "subject": {"reference": "Patient/demo-hbsag-positive"}, "effectiveDateTime": "-30d",
				   "valueCodeableConcept": {"coding": [{"system": "http://snomed.info/sct", "code": "10828004", "display": "Positive"}]}}},
				 {"resource": {"resourceType": "Observation", "id": "demo-weight", "status": "final",
				   "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
				   "subject": {"reference": "Patient/demo-hbsag-positive"}, "effectiveDateTime": "-2d",
				   "valueQuantity": {"value": 70, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"}}}
				]}
				""");
		Files.writeString(folder.resolve("demo-hbsag-positive.draft-orders.json"),
				"{\"resourceType\": \"Bundle\", \"type\": \"collection\"}");
		registry.add("myositis-cds.demo.patients", () -> folder.toUri() + "/");
	}

	@Autowired
	CdsHooksClient client;

	@Test
	void theDemoPatientsAreAFhirApiWithRelativeDatesResolved() {
		assertThat(client.exchange("GET", "/fhir/metadata", null, Map.of()).body().path("resourceType").asText())
			.isEqualTo("CapabilityStatement");
		assertThat(client.exchange("GET", "/fhir/Patient/demo-hbsag-positive", null, Map.of()).body()
			.path("birthDate").asText()).isEqualTo(LocalDate.now().minusYears(60).toString());
		var search = client.exchange("GET", "/fhir/Observation?patient=demo-hbsag-positive&code=http://loinc.org%7C5196-1",
				null, Map.of()).body();
		assertThat(search.path("entry")).hasSize(1);
		assertThat(search.path("entry").get(0).path("resource").path("effectiveDateTime").asText())
			.isEqualTo(LocalDate.now().minusDays(30).toString());
		assertThat(client.exchange("GET", "/fhir/Observation?patient=someone-else", null, Map.of()).body()
			.path("entry").size()).isZero();
	}

	@Test
	void aCallWithoutPrefetchOrFhirServerFetchesFromTheDemoServer() {
		ObjectNode request = (ObjectNode) read(PatientScenario.patient("demo-hbsag-positive")
			.draft(PatientScenario.rituximabOrder("rtx-1")).orderSign(SIGN));
		request.remove("prefetch");
		CdsHooksClient.Answer answer = client.call(SIGN, request.toString());
		assertThat(answer.status()).isEqualTo(200);
		assertThat(answer.rules()).containsExactly("HBV-2");
	}

	@Test
	void theSandboxMayReadItFromTheBrowser() {
		var preflight = client.exchange("OPTIONS", "/fhir/Patient/demo-hbsag-positive", null,
				Map.of("Origin", "https://sandbox.cds-hooks.org", "Access-Control-Request-Method", "GET"));
		assertThat(preflight.status()).isEqualTo(200);
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains("https://sandbox.cds-hooks.org");
	}

	@Test
	void theSandboxMayCallTheOrderPreviewFromTheBrowser() {
		var preflight = client.exchange("OPTIONS", "/cds-services/demo-order-preview", null,
				Map.of("Origin", "https://sandbox.cds-hooks.org", "Access-Control-Request-Method", "POST",
						"Access-Control-Request-Headers", "authorization,content-type"));
		assertThat(preflight.status()).isEqualTo(200);
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains("https://sandbox.cds-hooks.org");

		var call = client.exchange("POST", "/cds-services/demo-order-preview", """
				{"hook": "patient-view", "hookInstance": "5f1a3c3e-4b5e-4c59-9a68-0f1f6b3d2a11",
				 "context": {"userId": "Practitioner/demo", "patientId": "demo-hbsag-positive"}}""",
				Map.of("Origin", "https://sandbox.cds-hooks.org", "Content-Type", "application/json"));
		assertThat(call.status()).as(call.body().toString()).isEqualTo(200);
		assertThat(call.headers().firstValue("Access-Control-Allow-Origin")).contains("https://sandbox.cds-hooks.org");
		assertThat(call.body().path("cards")).as("this folder's draft orders Bundle is empty").isEmpty();
	}

	/** The Sandbox sends each prefetch search as a POST _search first, and falls back to GET only when that fails. */
	@Test
	void aPostSearchFromTheSandboxGetsTheSameBundleAsTheGet() {
		String query = "patient=demo-hbsag-positive&code=http://loinc.org%7C5196-1";
		var preflight = client.exchange("OPTIONS", "/fhir/Observation/_search", null,
				Map.of("Origin", "https://sandbox.cds-hooks.org", "Access-Control-Request-Method", "POST",
						"Access-Control-Request-Headers", "content-type"));
		assertThat(preflight.status()).isEqualTo(200);
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains("https://sandbox.cds-hooks.org");
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("POST");

		var posted = client.exchange("POST", "/fhir/Observation/_search", query,
				Map.of("Origin", "https://sandbox.cds-hooks.org", "Content-Type", "application/x-www-form-urlencoded",
						"Accept", "application/json+fhir"));
		var got = client.exchange("GET", "/fhir/Observation?" + query, null, Map.of());
		assertThat(posted.status()).isEqualTo(200);
		assertThat(posted.headers().firstValue("Access-Control-Allow-Origin")).contains("https://sandbox.cds-hooks.org");
		assertThat(posted.body().path("entry")).hasSize(1);
		assertThat(posted.body().path("entry")).isEqualTo(got.body().path("entry"));
		assertThat(posted.body().path("total")).isEqualTo(got.body().path("total"));
	}
}
