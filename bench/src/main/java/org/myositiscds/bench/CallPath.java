package org.myositiscds.bench;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

import ca.uhn.fhir.context.FhirContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.myositiscds.cards.Card;
import org.myositiscds.cards.CardAssembler;
import org.myositiscds.hooks.CardLog;
import org.myositiscds.hooks.CardMemory;
import org.myositiscds.hooks.CdsRequestParser;
import org.myositiscds.hooks.CdsServiceInvoker;
import org.myositiscds.hooks.SpareCores;
import org.myositiscds.knowledge.KnowledgeBase;
import org.myositiscds.prefetch.PrefetchResolver;
import org.myositiscds.security.FhirServerAllowlist;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service's data path as the HTTP layer drives it (system/KnowledgeConfiguration wires the same
 * parts), without Spring and HTTP: the knowledge from the jar's classpath, the request parser, the
 * prefetch resolver, the CQL evaluator, the card assembler and the invoker over all of them.
 * Cards are not recorded (no feedback store), as in the warm-up.
 */
final class CallPath {

	static final String SERVICE_BASE_URL = "http://127.0.0.1:8080";

	final FhirContext fhir = FhirContext.forR4Cached();

	final JsonMapper json = JsonMapper.builder().build();

	final Clock clock = Clock.systemDefaultZone();

	final KnowledgeBase knowledgeBase = KnowledgeBase.fromJar(fhir, json, clock, "classpath:elm/",
			"classpath:fhir-resources/valueset/", "classpath:hooks/", "classpath:cql/");

	/** As the service's: a long prefetch is parsed in parts on the cores no other call uses (calls are made one at a time). */
	final CdsRequestParser parser = new CdsRequestParser(fhir, json, SpareCores.ofMachine(() -> 1));

	final PrefetchResolver prefetchResolver;

	final CardAssembler cardAssembler = new CardAssembler(fhir, json);

	final CdsServiceInvoker invoker;

	CallPath() {
		this(List.of());
	}

	/** A path that also fetches from {@code loopbackOrigins}, plain HTTP on 127.0.0.1 (the sweep's FHIR server). */
	CallPath(List<String> loopbackOrigins) {
		var meters = new SimpleMeterRegistry();
		Duration timeout = Duration.ofSeconds(3);
		var fetchThreads = Executors.newCachedThreadPool(task -> {
			Thread thread = new Thread(task, "fhir-fetch");
			thread.setDaemon(true);
			return thread;
		});
		// The requests name the EHR of HookRequests as fhirServer, allowed as the service's configuration would.
		List<String> origins = new java.util.ArrayList<>(loopbackOrigins);
		origins.add(java.net.URI.create(HookRequests.EHR_BASE).resolve("/").toString());
		var fhirServers = new FhirServerAllowlist(Map.of(), origins, !loopbackOrigins.isEmpty(), null);
		prefetchResolver = PrefetchResolver.standalone(fhir, fetchThreads, timeout, 10, fhirServers, meters);
		invoker = new CdsServiceInvoker(knowledgeBase, parser, prefetchResolver, cardAssembler, clock, CardLog.NONE, CardMemory.NONE, false,
				meters, List.of(), fhirServers);
	}

	List<Card> call(String serviceId, byte[] body) {
		return invoker.call(serviceId, body, SERVICE_BASE_URL, null);
	}
}
