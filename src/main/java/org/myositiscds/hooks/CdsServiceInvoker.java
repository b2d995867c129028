package org.myositiscds.hooks;

import org.myositiscds.knowledge.Knowledge;
import org.myositiscds.knowledge.KnowledgeBase;
import org.myositiscds.knowledge.ServiceCatalog;
import org.myositiscds.knowledge.ServiceDefinition;
import java.net.URI;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.myositiscds.cards.Card;
import org.myositiscds.cards.CardAssembler;
import org.myositiscds.cql.CallBudget;
import org.myositiscds.cql.GuidelineContract;
import org.myositiscds.prefetch.PatientData;
import org.myositiscds.prefetch.PrefetchResolver;
import org.myositiscds.security.FhirServerAllowlist;
import org.springframework.http.HttpStatus;

/**
 * One call of a CDS service, along the data path: request, trigger check, prefetch, CQL, cards.
 * A call whose draft orders cannot trigger the service ({@link DraftTriggers}) gets no cards at
 * once: nothing is fetched and nothing evaluated. The services are
 * those of the knowledge's catalog, then the composed services, whose cards come from catalog
 * services they call through here.
 */
public final class CdsServiceInvoker {

	private static final Logger log = LoggerFactory.getLogger(CdsServiceInvoker.class);

	private final KnowledgeBase knowledgeBase;

	private final CdsRequestParser parser;

	private final PrefetchResolver prefetchResolver;

	private final CardAssembler cardAssembler;

	private final Clock clock;

	private final CardLog cardLog;

	private final CardMemory cardMemory;

	private final boolean ownFhirServerByDefault;

	private final MeterRegistry meters;

	private final List<ComposedCdsService> composedServices;

	private final FhirServerAllowlist fhirServers;

	public CdsServiceInvoker(KnowledgeBase knowledgeBase, CdsRequestParser parser, PrefetchResolver prefetchResolver,
			CardAssembler cardAssembler, Clock clock, CardLog cardLog, CardMemory cardMemory, boolean ownFhirServerByDefault,
			MeterRegistry meters, List<ComposedCdsService> composedServices, FhirServerAllowlist fhirServers) {
		this.cardMemory = cardMemory;
		this.fhirServers = fhirServers;
		this.knowledgeBase = knowledgeBase;
		this.parser = parser;
		this.prefetchResolver = prefetchResolver;
		this.cardAssembler = cardAssembler;
		this.clock = clock;
		this.cardLog = cardLog;
		this.ownFhirServerByDefault = ownFhirServerByDefault;
		this.meters = meters;
		this.composedServices = List.copyOf(composedServices);
	}

	/** Every service this instance answers, as discovery lists them: the catalog's, then the composed ones. */
	public List<ServiceDefinition> services() {
		ServiceCatalog catalog = knowledgeBase.current().services();
		List<ServiceDefinition> services = new ArrayList<>(catalog.services());
		composedServices.forEach(composed -> services.add(composed.definition(catalog)));
		return services;
	}

	/** Whether a service of this id is answered here: feedback is taken only for those. */
	public boolean answers(String serviceId) {
		ServiceCatalog catalog = knowledgeBase.current().services();
		return catalog.find(serviceId).isPresent() || composed(catalog, serviceId).isPresent();
	}

	private record Composed(ServiceDefinition definition, ComposedCdsService service) {
	}

	private Optional<Composed> composed(ServiceCatalog catalog, String serviceId) {
		return composedServices.stream()
			.map(service -> new Composed(service.definition(catalog), service))
			.filter(composed -> composed.definition().id().equals(serviceId))
			.findFirst();
	}

	/**
	 * The call's fhirServer, once the allowlist of the caller's issuer has it; in the demo, without
	 * one, the service's own demo FHIR server. Checked before anything is fetched, for every call
	 * that names one: the refusal says only that the server is not allowed.
	 */
	private URI fhirServer(CdsRequest request, String serviceBaseUrl, String issuer) {
		if (request.fhirServer() == null) {
			return ownFhirServerByDefault ? URI.create(serviceBaseUrl.replaceAll("/+$", "") + "/fhir") : null;
		}
		if (!fhirServers.permits(issuer, request.fhirServer())) {
			log.warn("412: fhirServer {}://{}:{} is not allowed for issuer {}", request.fhirServer().getScheme(),
					request.fhirServer().getHost(), request.fhirServer().getPort(), issuer == null ? "(none)" : issuer);
			throw new CdsHooksException(HttpStatus.PRECONDITION_FAILED, "fhir_server_not_allowed",
					"The fhirServer named in the call is not allowed for this caller; send the prefetch or a "
							+ "fhirServer configured for your issuer",
					List.of());
		}
		return request.fhirServer();
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
	 * @param issuer the issuer of the call's JWT; null for a call without one (demo)
	 */
	public List<Card> call(String serviceId, byte[] body, String serviceBaseUrl, String issuer) {
		Timer.Sample sample = Timer.start(meters);
		String outcome = "error";
		try {
			List<Card> cards = call(serviceId, body, serviceBaseUrl, issuer, true);
			cards.forEach(card -> meters.counter("cds.cards", "rule", card.rule()).increment());
			outcome = "ok";
			return cards;
		}
		finally {
			// Unknown ids are not tagged: a client must not be able to create time series at will.
			String service = answers(serviceId) ? serviceId : "unknown";
			sample.stop(Timer.builder("cds.service.calls").description("CDS Hooks calls, by service and outcome")
				.tag("service", service).tag("outcome", outcome).publishPercentileHistogram().register(meters));
		}
	}

	/**
	 * The whole path, override memory included, but nothing is recorded or counted: a warm-up run
	 * shows nothing to anyone.
	 */
	public List<Card> rehearse(String serviceId, byte[] body) {
		return call(serviceId, body, "http://localhost", null, false);
	}

	private List<Card> call(String serviceId, byte[] body, String serviceBaseUrl, String issuer, boolean record) {
		// One snapshot for the whole call: a reload while it runs does not mix two versions.
		Knowledge knowledge = knowledgeBase.current();
		ServiceCatalog catalog = knowledge.services();
		Optional<ServiceDefinition> fromCatalog = catalog.find(serviceId);
		ServiceDefinition service;
		CdsRequest request;
		List<Card> cards;
		if (fromCatalog.isPresent()) {
			service = fromCatalog.get();
			ServiceDefinition triggered = service;
			request = parser.parse(body, service, knowledge.evaluator().retrieveScope(service.library()),
					parsed -> DraftTriggers.mayTrigger(triggered, parsed, knowledge.evaluator().terminology()));
			cards = evaluate(knowledge, service, request, serviceBaseUrl, issuer);
		}
		else {
			Composed composed = composed(catalog, serviceId).orElseThrow(() -> CdsHooksException.unknownService(serviceId));
			service = composed.definition();
			request = parser.parse(body, service);
			cards = composed.service().cards(request, catalog,
					(catalogService, catalogRequest) -> evaluate(knowledge, catalogService, catalogRequest, serviceBaseUrl,
							issuer));
		}
		// Read for a rehearsal too (it only reads), so that the warm-up makes the first query and a
		// clinician's first call does not; only a clinician's call counts and records what it kept back.
		CardMemory.Sorted sorted = cardMemory.sort(catalog.overrideMemory(), request.patientId(), clock.instant(), cards);
		cards = sorted.shown();
		if (record) {
			sorted.suppressed().forEach(card -> meters.counter("cds.cards.suppressed", "rule", card.rule()).increment());
			try {
				cardLog.shown(service.id(), request.hookInstance(), request.patientId(), clock.instant(), cards);
				cardLog.suppressed(service.id(), request.hookInstance(), request.patientId(), clock.instant(),
						sorted.suppressed());
			}
			catch (RuntimeException e) {
				// The clinician gets the advice even when it cannot be recorded.
				log.warn("Cards of {} not recorded: {}", service.id(), e.getClass().getName());
			}
		}
		return cards;
	}

	private List<Card> evaluate(Knowledge knowledge, ServiceDefinition service, CdsRequest request,
			String serviceBaseUrl, String issuer) {
		URI fhirServer = fhirServer(request, serviceBaseUrl, issuer);
		if (!DraftTriggers.mayTrigger(service, request, knowledge.evaluator().terminology())) {
			meters.counter("cds.calls.untriggered", "service", service.id()).increment();
			return List.of();
		}
		PrefetchResolver.Offer offer = new PrefetchResolver.Offer(request.prefetch(), fhirServer,
				request.accessToken(), request.contextFields(), request.patientId());
		// Between the stages the call's budget is checked: a stage that cannot be stopped midway (parsing, reading the
		// prefetch) is the most a stopped call goes on for.
		CallBudget.current().check();
		PatientData data = prefetchResolver.withReferencedMedications(
				prefetchResolver.resolve(service.prefetchTemplates(), offer), request.draftOrders(), offer);
		CallBudget.current().check();
		Map<String, Object> parameters = Map.of(
				GuidelineContract.HOOK, request.hook(),
				GuidelineContract.DRAFT_ORDERS, request.draftOrders(),
				GuidelineContract.SELECTIONS, request.selections());
		ZonedDateTime now = ZonedDateTime.now(clock);
		Map<String, Object> results = knowledge.evaluator().evaluate(service.library(), List.of(GuidelineContract.CARDS), data,
				parameters, now);
		return cardAssembler.assemble(results.get(GuidelineContract.CARDS), originals(request, data), serviceBaseUrl);
	}
}
