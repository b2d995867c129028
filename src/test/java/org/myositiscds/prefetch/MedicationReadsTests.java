package org.myositiscds.prefetch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

import ca.uhn.fhir.context.FhirContext;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.myositiscds.security.FhirServerAllowlist;

/**
 * Why a referenced Medication could not be had, as DATA-1 names it: the reads themselves, against
 * WireMock, without the rest of the service.
 */
class MedicationReadsTests {

	@RegisterExtension
	static WireMockExtension ehr = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

	static final Duration TIMEOUT = Duration.ofSeconds(5);

	final MedicationReferences references = new MedicationReferences(
			new FhirServerClient(FhirContext.forR4Cached(), Executors.newCachedThreadPool(), TIMEOUT, 10,
					new FhirServerAllowlist(Map.of(), List.of("http://localhost:*"), true, () -> null)),
			TIMEOUT, new FhirServerBreakers(new FhirServerBreakers.Settings(100, 100, 50, Duration.ofSeconds(30), 100,
					Duration.ofSeconds(30), 3), new SimpleMeterRegistry()),
			new SimpleMeterRegistry());

	static MedicationRequest orderOf(String reference) {
		MedicationRequest order = new MedicationRequest();
		order.setId("order-" + reference.hashCode());
		order.setMedication(new Reference(reference));
		return order;
	}

	Map<String, String> unread(URI fhirServer, Resource... drafts) {
		return references.read(new PatientData(new Patient(), List.of()), List.of(drafts), fhirServer, "token")
			.unreadMedications();
	}

	URI fhirServer() {
		return URI.create(ehr.baseUrl() + "/fhir");
	}

	@Test
	void notFoundAndServerErrorAreToldApart() {
		ehr.stubFor(get(urlPathEqualTo("/fhir/Medication/broken")).willReturn(aResponse().withStatus(500).withBody("oops")));
		ehr.stubFor(get(urlPathEqualTo("/fhir/Medication/gone")).willReturn(aResponse().withStatus(410)));
		Map<String, String> unread = unread(fhirServer(), orderOf("Medication/broken"), orderOf("Medication/gone"),
				orderOf("Medication/never-was"));
		assertThat(unread).containsOnly(
				Map.entry("Medication/broken", "FHIR server error: the Medication could not be read"),
				Map.entry("Medication/gone", "not found: the FHIR server has no such Medication (HTTP 410)"),
				Map.entry("Medication/never-was", "not found: the FHIR server has no such Medication (HTTP 404)"));
	}

	@Test
	void aReferenceTheServerCannotBeAskedForIsNotSentToIt() {
		Map<String, String> unread = unread(fhirServer(), orderOf("#missing"), orderOf("urn:uuid:5b2f1c1e-0c1a-4a51-9f1e-3c1d2b0a9e77"));
		assertThat(unread.get("#missing")).isEqualTo("the order has no contained Medication of that id");
		assertThat(unread.get("urn:uuid:5b2f1c1e-0c1a-4a51-9f1e-3c1d2b0a9e77")).startsWith("not in the request");
		assertThat(unread(null, orderOf("Medication/x")).get("Medication/x"))
			.isEqualTo("not in the request, and the request names no FHIR server to read it from");
		ehr.verify(0, getRequestedFor(anyUrl()));
	}

	@Test
	void aMedicationInTheRequestIsNotRead() {
		Medication medication = new Medication();
		medication.setId("in-drafts");
		assertThat(unread(fhirServer(), orderOf("Medication/in-drafts"), medication)).isEmpty();
		ehr.verify(0, getRequestedFor(anyUrl()));
	}
}
