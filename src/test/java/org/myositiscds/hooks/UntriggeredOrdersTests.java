package org.myositiscds.hooks;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.RXNORM;
import static org.myositiscds.PatientScenario.order;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;

import java.util.List;

import ca.uhn.fhir.context.FhirContext;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.micrometer.core.instrument.MeterRegistry;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.PatientScenario;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A call whose draft orders cannot trigger the service gets no cards before anything is fetched
 * or evaluated; in fetch mode the EHR's FHIR server (WireMock) receives no request at all. An
 * order that may trigger (a trigger drug, or a medication only the FHIR server can name) still
 * goes the whole way.
 */
@CdsServiceTest(properties = { "myositis-cds.prefetch.timeout=10s", "myositis-cds.prefetch.circuit-breaker.window=1000",
		"myositis-cds.prefetch.circuit-breaker.minimum-calls=1000" })
class UntriggeredOrdersTests {

	static final String HBV_SIGN = "hbv-screening-order-sign";

	static final String HBV_SELECT = "hbv-screening-order-select";

	static final String TOKEN = "ehr-access-token-untriggered-5d1e";

	/** RxNorm 314076, as in the HL7 Dental Data Exchange IG's US Core Medication example. */
	static MedicationRequest lisinoprilOrder(String id) {
		return order(id, "314076", "Lisinopril 10 MG Oral Tablet");
	}

	@RegisterExtension
	static WireMockExtension ehr = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

	@Autowired
	CdsHooksClient client;

	@Autowired
	MeterRegistry meters;

	String fhirServer() {
		return ehr.baseUrl() + "/fhir";
	}

	static String hook(String serviceId) {
		return serviceId.endsWith("order-select") ? "order-select" : "order-sign";
	}

	double untriggered(String serviceId) {
		var counter = meters.find("cds.calls.untriggered").tag("service", serviceId).counter();
		return counter == null ? 0 : counter.count();
	}

	@ParameterizedTest
	@ValueSource(strings = { "hbv-screening-order-select", "hbv-screening-order-sign", "rituximab-order-select",
			"rituximab-order-sign", "tacrolimus-deescalation-order-select", "tacrolimus-deescalation-order-sign" })
	void aLisinoprilDraftGetsNoCardsAndNoFhirRequest(String serviceId) {
		PatientScenario scenario = patient("untriggered-" + serviceId).dermatomyositis().draft(lisinoprilOrder("lis-1"));
		scenario.serveOn(ehr::stubFor, serviceId, "/fhir");
		double before = untriggered(serviceId);

		CdsHooksClient.Answer fetched = client.call(serviceId,
				scenario.withoutPrefetch(serviceId, hook(serviceId), fhirServer(), TOKEN, "lis-1"));
		CdsHooksClient.Answer prefetched = client.call(serviceId, hook(serviceId).equals("order-select")
				? scenario.orderSelect(serviceId, "lis-1") : scenario.orderSign(serviceId));

		for (CdsHooksClient.Answer answer : List.of(fetched, prefetched)) {
			assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
			assertThat(answer.body().path("cards").isArray()).isTrue();
			assertThat(answer.body().path("cards").size()).isZero();
		}
		ehr.verify(0, getRequestedFor(anyUrl()));
		assertThat(untriggered(serviceId) - before).isEqualTo(2);
	}

	/**
	 * The prefetch of an untriggered call is not even parsed (parsing a long record was most of such a call's
	 * cost): the same invalid birth date is a 400 beside a rituximab draft and no cards beside a lisinopril draft.
	 */
	@Test
	void theRecordOfAnUntriggeredCallIsNotRead() {
		String invalidBirthDate = "\"birthDate\":\"1970-13-45\"";
		String triggered = patient("unread-record-rtx").dermatomyositis().draft(rituximabOrder("rtx-1"))
			.orderSign("rituximab-order-sign").replaceAll("\"birthDate\":\"[^\"]*\"", invalidBirthDate);
		String untriggered = patient("unread-record-lis").dermatomyositis().draft(lisinoprilOrder("lis-1"))
			.orderSign("rituximab-order-sign").replaceAll("\"birthDate\":\"[^\"]*\"", invalidBirthDate);
		assertThat(triggered).contains(invalidBirthDate);
		assertThat(untriggered).contains(invalidBirthDate);

		CdsHooksClient.Answer read = client.call("rituximab-order-sign", triggered);
		assertThat(read.status()).as(read.body().toString()).isEqualTo(400);
		assertThat(read.body().toString()).contains("birthDate");

		CdsHooksClient.Answer unread = client.call("rituximab-order-sign", untriggered);
		assertThat(unread.status()).as(unread.body().toString()).isEqualTo(200);
		assertThat(unread.body().path("cards").size()).isZero();
	}

	@Test
	void aRituximabDraftInFetchModeIsFetchedAndGetsItsCards() {
		PatientScenario scenario = patient("untriggered-rtx").dermatomyositis().draft(rituximabOrder("rtx-1"));
		scenario.serveOn(ehr::stubFor, "rituximab-order-sign", "/fhir");
		CdsHooksClient.Answer answer = client.call("rituximab-order-sign",
				scenario.withoutPrefetch("rituximab-order-sign", "order-sign", fhirServer(), TOKEN));
		assertThat(answer.status()).isEqualTo(200);
		assertThat(answer.rules()).contains("RTX-4");
		ehr.verify(getRequestedFor(urlPathEqualTo("/fhir/Patient/untriggered-rtx")));
		ehr.verify(getRequestedFor(urlPathEqualTo("/fhir/MedicationRequest")));
	}

	static Medication medication(String id, String rxnorm, String display) {
		Medication medication = new Medication();
		medication.setId(id);
		medication.setCode(new CodeableConcept(new Coding(RXNORM, rxnorm, display)).setText(display));
		return medication;
	}

	void serve(Medication medication) {
		ehr.stubFor(get(urlPathEqualTo("/fhir/Medication/" + medication.getIdElement().getIdPart()))
			.willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/fhir+json")
				.withBody(FhirContext.forR4Cached().newJsonParser().encodeResourceToString(medication))));
	}

	@Test
	void aDraftNamingAMedicationOnTheServerGoesTheWholeWay() {
		serve(medication("rtx-med", "1657867", "50 ML rituximab 10 MG/ML Injection"));
		serve(medication("lis-med", "314076", "Lisinopril 10 MG Oral Tablet"));
		MedicationRequest rituximab = rituximabOrder("rtx-1");
		rituximab.setMedication(new Reference("Medication/rtx-med"));
		PatientScenario withRituximab = patient("untriggered-ref-rtx").draft(rituximab);
		withRituximab.serveOn(ehr::stubFor, HBV_SIGN, "/fhir");
		assertThat(client.call(HBV_SIGN, withRituximab.withoutPrefetch(HBV_SIGN, "order-sign", fhirServer(), TOKEN))
			.rules()).containsExactly("HBV-1");
		ehr.verify(1, getRequestedFor(urlPathEqualTo("/fhir/Medication/rtx-med")));
		ehr.verify(getRequestedFor(urlPathEqualTo("/fhir/Patient/untriggered-ref-rtx")));

		// Only the server can say the reference is lisinopril: the call reads it, and then says nothing.
		MedicationRequest lisinopril = lisinoprilOrder("lis-1");
		lisinopril.setMedication(new Reference("Medication/lis-med"));
		PatientScenario withLisinopril = patient("untriggered-ref-lis").draft(lisinopril);
		withLisinopril.serveOn(ehr::stubFor, HBV_SIGN, "/fhir");
		CdsHooksClient.Answer answer = client.call(HBV_SIGN,
				withLisinopril.withoutPrefetch(HBV_SIGN, "order-sign", fhirServer(), TOKEN));
		assertThat(answer.status()).isEqualTo(200);
		assertThat(answer.rules()).isEmpty();
		ehr.verify(1, getRequestedFor(urlPathEqualTo("/fhir/Medication/lis-med")));
		ehr.verify(getRequestedFor(urlPathEqualTo("/fhir/Patient/untriggered-ref-lis")));
	}

	/** The order with its medication contained, by a '#' reference. */
	static MedicationRequest contained(MedicationRequest order, Medication medication) {
		order.addContained(medication.setId("med"));
		order.setMedication(new Reference("#med"));
		return order;
	}

	@Test
	void aContainedMedicationIsCheckedWithoutAnyRequest() {
		PatientScenario withLisinopril = patient("untriggered-contained-lis")
			.draft(contained(lisinoprilOrder("lis-1"), medication(null, "314076", "Lisinopril 10 MG Oral Tablet")));
		assertThat(client.call(HBV_SIGN, withLisinopril.withoutPrefetch(HBV_SIGN, "order-sign", fhirServer(), TOKEN))
			.rules()).isEmpty();
		ehr.verify(0, getRequestedFor(anyUrl()));

		PatientScenario withRituximab = patient("untriggered-contained-rtx").draft(
				contained(rituximabOrder("rtx-1"), medication(null, "1657867", "50 ML rituximab 10 MG/ML Injection")));
		withRituximab.serveOn(ehr::stubFor, HBV_SIGN, "/fhir");
		assertThat(client.call(HBV_SIGN, withRituximab.withoutPrefetch(HBV_SIGN, "order-sign", fhirServer(), TOKEN))
			.rules()).containsExactly("HBV-1");
		ehr.verify(getRequestedFor(urlPathEqualTo("/fhir/Patient/untriggered-contained-rtx")));
	}

	@Test
	void onOrderSelectOnlyTheSelectedDraftsCount() {
		PatientScenario scenario = patient("untriggered-select").draft(lisinoprilOrder("lis-1"))
			.draft(rituximabOrder("rtx-1"));
		scenario.serveOn(ehr::stubFor, HBV_SELECT, "/fhir");

		CdsHooksClient.Answer lisinoprilSelected = client.call(HBV_SELECT,
				scenario.withoutPrefetch(HBV_SELECT, "order-select", fhirServer(), TOKEN, "lis-1"));
		assertThat(lisinoprilSelected.status()).isEqualTo(200);
		assertThat(lisinoprilSelected.rules()).isEmpty();
		ehr.verify(0, getRequestedFor(anyUrl()));

		CdsHooksClient.Answer rituximabSelected = client.call(HBV_SELECT,
				scenario.withoutPrefetch(HBV_SELECT, "order-select", fhirServer(), TOKEN, "rtx-1"));
		assertThat(rituximabSelected.rules()).containsExactly("HBV-1");
		ehr.verify(getRequestedFor(urlPathEqualTo("/fhir/Patient/untriggered-select")));
	}
}
