package org.myositiscds.hooks;

import org.myositiscds.knowledge.Knowledge;
import org.myositiscds.knowledge.KnowledgeBase;
import org.myositiscds.knowledge.ServiceDefinition;
import java.net.URI;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.myositiscds.cards.Card;
import org.myositiscds.cards.CardAssembler;
import org.myositiscds.cql.GuidelineContract;
import org.myositiscds.prefetch.PatientData;
import org.myositiscds.prefetch.PrefetchResolver;

/** One call of a CDS service, along the data path: request, prefetch, CQL, cards. */
public final class CdsServiceInvoker {

	private static final Logger log = LoggerFactory.getLogger(CdsServiceInvoker.class);

	private final KnowledgeBase knowledgeBase;

	private final CdsRequestParser parser;

	private final PrefetchResolver prefetchResolver;

	private final CardAssembler cardAssembler;

	private final Clock clock;

	private final CardLog cardLog;

	private final boolean ownFhirServerByDefault;

	private final MeterRegistry meters;

	public CdsServiceInvoker(KnowledgeBase knowledgeBase, CdsRequestParser parser, PrefetchResolver prefetchResolver,
			CardAssembler cardAssembler, Clock clock, CardLog cardLog, boolean ownFhirServerByDefault, MeterRegistry meters) {
		this.knowledgeBase = knowledgeBase;
		this.parser = parser;
		this.prefetchResolver = prefetchResolver;
		this.cardAssembler = cardAssembler;
		this.clock = clock;
		this.cardLog = cardLog;
		this.ownFhirServerByDefault = ownFhirServerByDefault;
		this.meters = meters;
	}

	/** The call's fhirServer; in the demo, without one, the service's own demo FHIR server. */
	private URI fhirServer(CdsRequest request, String serviceBaseUrl) {
		if (request.fhirServer() != null || !ownFhirServerByDefault) {
			return request.fhirServer();
		}
		return URI.create(serviceBaseUrl.replaceAll("/+$", "") + "/fhir");
	}

	/**
	 * The request's resources as the EHR sent them, by relative reference: what the cards' update
	 * actions change. Public for the stage benchmarks (bench/), which run the assembly on its own.
	 */
	public static Map<String, Resource> originals(CdsRequest request, PatientData data) {
		Map<String, Resource> originals = new HashMap<>();
		Stream.concat(Stream.concat(request.draftOrders().stream(), data.resources().stream()), Stream.of(data.patient()))
			.forEach(resource -> originals.putIfAbsent(resource.fhirType() + "/" + resource.getIdElement().getIdPart(),
					resource));
		return originals;
	}

	/**
	 * Answers a call from the EHR, and records the cards returned as shown.
	 * @param serviceBaseUrl the service's URL as the client sees it, for the cards' guidance links
	 */
	public List<Card> call(String serviceId, byte[] body, String serviceBaseUrl) {
		Timer.Sample sample = Timer.start(meters);
		String outcome = "error";
		try {
			List<Card> cards = call(serviceId, body, serviceBaseUrl, true);
			cards.forEach(card -> meters.counter("cds.cards", "rule", card.rule()).increment());
			outcome = "ok";
			return cards;
		}
		finally {
			// Unknown ids are not tagged: a client must not be able to create time series at will.
			String service = knowledgeBase.current().services().find(serviceId).isPresent() ? serviceId : "unknown";
			sample.stop(Timer.builder("cds.service.calls").description("CDS Hooks calls, by service and outcome")
				.tag("service", service).tag("outcome", outcome).publishPercentileHistogram().register(meters));
		}
	}

	/** The whole path, but the cards are not recorded: a warm-up run shows nothing to anyone. */
	public List<Card> rehearse(String serviceId, byte[] body) {
		return call(serviceId, body, "http://localhost", false);
	}

	private List<Card> call(String serviceId, byte[] body, String serviceBaseUrl, boolean record) {
		// One snapshot for the whole call: a reload while it runs does not mix two versions.
		Knowledge knowledge = knowledgeBase.current();
		ServiceDefinition service = knowledge.services().find(serviceId)
			.orElseThrow(() -> CdsHooksException.unknownService(serviceId));
		CdsRequest request = parser.parse(body, service);
		PatientData data = prefetchResolver.resolve(service.prefetchTemplates(),
				new PrefetchResolver.Offer(request.prefetch(), fhirServer(request, serviceBaseUrl), request.accessToken(),
						request.contextFields(), request.patientId()));
		Map<String, Object> parameters = Map.of(
				GuidelineContract.HOOK, request.hook(),
				GuidelineContract.DRAFT_ORDERS, request.draftOrders(),
				GuidelineContract.SELECTIONS, request.selections());
		ZonedDateTime now = ZonedDateTime.now(clock);
		Map<String, Object> results = knowledge.evaluator().evaluate(service.library(), List.of(GuidelineContract.CARDS), data,
				parameters, now);
		List<Card> cards = cardAssembler.assemble(results.get(GuidelineContract.CARDS), originals(request, data),
				serviceBaseUrl);
		if (record) {
			try {
				cardLog.shown(service.id(), request.hookInstance(), request.patientId(), now.toInstant(), cards);
			}
			catch (RuntimeException e) {
				// The clinician gets the advice even when it cannot be recorded.
				log.warn("Cards of {} not recorded: {}", service.id(), e.getClass().getName());
			}
		}
		return cards;
	}
}
