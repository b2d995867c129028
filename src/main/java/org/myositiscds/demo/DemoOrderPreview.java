package org.myositiscds.demo;

import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.myositiscds.cards.Card;
import org.myositiscds.hooks.CdsRequest;
import org.myositiscds.hooks.ComposedCdsService;
import org.myositiscds.knowledge.ServiceCatalog;
import org.myositiscds.knowledge.ServiceDefinition;
import org.myositiscds.prefetch.PrefetchUnavailableException;

/**
 * The demo profile's patient-view service {@value #ID}: for a demo patient, the cards the order-sign
 * services give when the patient's demo draft orders are signed. The CDS Hooks Sandbox cannot order
 * rituximab (its medication list holds oral products only), so without this its users never see the
 * hepatitis B and rituximab cards. The cards are those services' own, unchanged, from the same path
 * (prefetch, CQL, card assembly); no clinical logic is here.
 */
final class DemoOrderPreview implements ComposedCdsService {

	static final String ID = "demo-order-preview";

	private static final String TITLE = "Demo: cards for this patient's demo draft orders";

	private static final String DESCRIPTION = "Demo profile only. For a demo patient, the cards that %s give "
			+ "when the patient's demo draft orders (fhir-resources/examples/<patient id>.draft-orders.json) are "
			+ "signed, because the CDS Hooks Sandbox cannot order rituximab. A patient without demo draft orders "
			+ "gets no cards.";

	private static final String USAGE = "Needs the prefetch it lists (that of the order-sign services), or a "
			+ "fhirServer that can read it; without either, the data is read from the demo FHIR server.";

	private final FhirContext fhirContext;

	private final Map<String, Object> draftOrdersByPatient;

	private final Clock clock;

	/**
	 * @param draftOrdersByPatient each demo patient's draft orders Bundle, as JSON with relative dates
	 * ({@link DemoData#draftOrders})
	 */
	DemoOrderPreview(FhirContext fhirContext, Map<String, Object> draftOrdersByPatient, Clock clock) {
		this.fhirContext = fhirContext;
		this.draftOrdersByPatient = Map.copyOf(draftOrdersByPatient);
		this.clock = clock;
	}

	@Override
	public ServiceDefinition definition(ServiceCatalog catalog) {
		List<ServiceDefinition> previewed = previewed(catalog);
		Map<String, String> prefetch = new LinkedHashMap<>();
		for (ServiceDefinition service : previewed) {
			service.prefetch().forEach((key, query) -> prefetch.put(previewKey(previewed, service, key), query));
		}
		String names = String.join(", ", previewed.stream().map(ServiceDefinition::id).toList());
		return new ServiceDefinition("patient-view", TITLE, DESCRIPTION.formatted(names), ID, prefetch, USAGE, null, null);
	}

	@Override
	public List<Card> cards(CdsRequest request, ServiceCatalog catalog, CatalogEvaluation evaluation) {
		Object draftOrdersJson = draftOrdersByPatient.get(request.patientId());
		if (draftOrdersJson == null) {
			return List.of();
		}
		// Resolved at each call, as a clinician's draft would be written today.
		List<Resource> draftOrders = DemoData.bundle(fhirContext, draftOrdersJson, LocalDate.now(clock)).getEntry()
			.stream()
			.map(Bundle.BundleEntryComponent::getResource)
			.toList();
		List<ServiceDefinition> previewed = previewed(catalog);
		List<Card> cards = new ArrayList<>();
		for (ServiceDefinition service : previewed) {
			CdsRequest orderSign = new CdsRequest("order-sign", request.hookInstance(), request.fhirServer(),
					request.accessToken(), request.userId(), request.patientId(), request.encounterId(), draftOrders,
					List.of(), prefetchFor(previewed, service, request.prefetch()), request.contextFields());
			try {
				cards.addAll(evaluation.cards(service, orderSign));
			}
			catch (PrefetchUnavailableException e) {
				// The caller sent, or must send, this service's keys, so the 412 names them.
				Map<String, String> reasons = new LinkedHashMap<>();
				e.reasonsByKey().forEach((key, reason) -> reasons.put(previewKey(previewed, service, key), reason));
				throw new PrefetchUnavailableException(reasons);
			}
		}
		return cards;
	}

	/** Every order-sign service of hooks/, by id: a guideline service added there is previewed too. */
	private static List<ServiceDefinition> previewed(ServiceCatalog catalog) {
		return catalog.services().stream().filter(service -> service.hook().equals("order-sign"))
			.sorted(Comparator.comparing(ServiceDefinition::id)).toList();
	}

	/**
	 * This service's prefetch key for a key of a previewed service: the same key, unless the previewed
	 * services give that key different queries (rituximab-order-sign's medicationRequests include
	 * stopped orders, tacrolimus-deescalation-order-sign's do not); then the service id qualifies it.
	 */
	private static String previewKey(List<ServiceDefinition> previewed, ServiceDefinition service, String key) {
		long queries = previewed.stream().map(other -> other.prefetch().get(key)).filter(Objects::nonNull).distinct()
			.count();
		return queries <= 1 ? key : service.id() + "." + key;
	}

	/** What the caller sent for the service's prefetch, under the service's own keys; a null sent stays null. */
	private static Map<String, Resource> prefetchFor(List<ServiceDefinition> previewed, ServiceDefinition service,
			Map<String, Resource> sent) {
		Map<String, Resource> prefetch = new LinkedHashMap<>();
		for (String key : service.prefetch().keySet()) {
			String previewKey = previewKey(previewed, service, key);
			if (sent.containsKey(previewKey)) {
				prefetch.put(key, sent.get(previewKey));
			}
		}
		return prefetch;
	}
}
