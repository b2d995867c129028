package org.myositiscds.hooks;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.hl7.fhir.r4.model.Resource;

import org.myositiscds.cards.Card;
import org.myositiscds.cards.CardAssembler;
import org.myositiscds.cql.CqlEvaluator;
import org.myositiscds.cql.GuidelineContract;
import org.myositiscds.prefetch.PatientData;
import org.myositiscds.prefetch.PrefetchResolver;

/** One call of a CDS service, along the data path: request, prefetch, CQL, cards. */
public final class CdsServiceInvoker {

	private final ServiceCatalog catalog;

	private final CdsRequestParser parser;

	private final PrefetchResolver prefetchResolver;

	private final CqlEvaluator evaluator;

	private final CardAssembler cardAssembler;

	private final Clock clock;

	public CdsServiceInvoker(ServiceCatalog catalog, CdsRequestParser parser, PrefetchResolver prefetchResolver,
			CqlEvaluator evaluator, CardAssembler cardAssembler, Clock clock) {
		this.catalog = catalog;
		this.parser = parser;
		this.prefetchResolver = prefetchResolver;
		this.evaluator = evaluator;
		this.cardAssembler = cardAssembler;
		this.clock = clock;
	}

	private static Map<String, Resource> originals(CdsRequest request, PatientData data) {
		Map<String, Resource> originals = new HashMap<>();
		Stream.concat(Stream.concat(request.draftOrders().stream(), data.resources().stream()), Stream.of(data.patient()))
			.forEach(resource -> originals.putIfAbsent(resource.fhirType() + "/" + resource.getIdElement().getIdPart(),
					resource));
		return originals;
	}

	/**
	 * @param serviceBaseUrl the service's URL as the client sees it, for the cards' guidance links
	 */
	public List<Card> call(String serviceId, byte[] body, String serviceBaseUrl) {
		ServiceDefinition service = catalog.find(serviceId).orElseThrow(() -> CdsHooksException.unknownService(serviceId));
		CdsRequest request = parser.parse(body, service);
		PatientData data = prefetchResolver.resolve(service.prefetchTemplates(),
				new PrefetchResolver.Offer(request.prefetch(), request.fhirServer(), request.accessToken(),
						request.contextFields(), request.patientId()));
		Map<String, Object> parameters = Map.of(
				GuidelineContract.HOOK, request.hook(),
				GuidelineContract.DRAFT_ORDERS, request.draftOrders(),
				GuidelineContract.SELECTIONS, request.selections());
		Map<String, Object> results = evaluator.evaluate(service.library(), List.of(GuidelineContract.CARDS), data,
				parameters, ZonedDateTime.now(clock));
		return cardAssembler.assemble(results.get(GuidelineContract.CARDS), originals(request, data), serviceBaseUrl);
	}
}
