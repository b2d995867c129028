package org.myositiscds.system;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Executors;

import ca.uhn.fhir.context.FhirContext;
import io.micrometer.core.instrument.MeterRegistry;
import org.myositiscds.cards.CardAssembler;
import org.myositiscds.hooks.BoundedCalls;
import org.myositiscds.hooks.CardLog;
import org.myositiscds.hooks.CardMemory;
import org.myositiscds.hooks.CdsRequestParser;
import org.myositiscds.hooks.ComposedCdsService;
import org.myositiscds.knowledge.KnowledgeBase;
import org.myositiscds.knowledge.KnowledgeWatcher;
import org.myositiscds.hooks.CdsServiceInvoker;
import org.myositiscds.hooks.RequestSizeLimitFilter;
import org.myositiscds.hooks.SpareCores;
import org.myositiscds.prefetch.FhirServerBreakers;
import org.myositiscds.prefetch.FhirServerClient;
import org.myositiscds.prefetch.PrefetchResolver;
import org.myositiscds.security.FhirServerAllowlist;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import tools.jackson.databind.json.JsonMapper;

/** Builds the parts of the data path once, from the knowledge folders and the configuration. */
@Configuration(proxyBeanMethods = false)
class KnowledgeConfiguration {

	@Bean
	FhirContext fhirContext() {
		return FhirContext.forR4Cached();
	}

	@Bean
	Clock clock() {
		return Clock.systemDefaultZone();
	}

	/**
	 * The knowledge built into the jar; or, with myositis-cds.knowledge.watch set to a project
	 * folder, the folder's, translated at start and reloaded when its files change.
	 */
	@Bean
	KnowledgeBase knowledgeBase(FhirContext fhirContext, JsonMapper jsonMapper, Clock clock,
			MyositisCdsProperties properties, ObjectProvider<KnowledgeBase.EngineReading> earlyReading) {
		MyositisCdsProperties.Knowledge knowledge = properties.knowledge();
		if (!knowledge.watch().isBlank()) {
			return KnowledgeBase.fromFolder(fhirContext, jsonMapper, clock, Path.of(knowledge.watch()));
		}
		KnowledgeBase.EngineReading reading = earlyReading.getIfAvailable();
		if (reading == null || !reading.elm().equals(knowledge.elm()) || !reading.valueSets().equals(knowledge.valueSets())) {
			reading = KnowledgeBase.EngineReading.start(fhirContext, knowledge.elm(), knowledge.valueSets());
		}
		return KnowledgeBase.fromJar(reading, fhirContext, jsonMapper, clock, knowledge.services(), knowledge.cql());
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnProperty("myositis-cds.knowledge.watch")
	KnowledgeWatcher knowledgeWatcher(KnowledgeBase knowledgeBase) {
		return new KnowledgeWatcher(knowledgeBase);
	}

	@Bean(destroyMethod = "close")
	SpareCores spareCores(MyositisCdsProperties properties, BoundedCalls boundedCalls) {
		return properties.calls().spareCores() ? SpareCores.ofMachine(boundedCalls::callsInWork) : SpareCores.NONE;
	}

	@Bean
	CdsRequestParser cdsRequestParser(FhirContext fhirContext, JsonMapper jsonMapper, SpareCores spareCores) {
		return new CdsRequestParser(fhirContext, jsonMapper, spareCores);
	}

	@Bean
	PrefetchResolver prefetchResolver(FhirContext fhirContext, MyositisCdsProperties properties, Clock clock,
			MeterRegistry meters, FhirServerAllowlist fhirServers) {
		MyositisCdsProperties.Prefetch prefetch = properties.prefetch();
		var fetchThreads = Executors.newCachedThreadPool(task -> {
			Thread thread = new Thread(task, "fhir-fetch");
			thread.setDaemon(true);
			return thread;
		});
		var client = new FhirServerClient(fhirContext, fetchThreads, prefetch.timeout(), prefetch.maxPages(), fhirServers);
		MyositisCdsProperties.CircuitBreaker breaker = prefetch.circuitBreaker();
		var breakers = new FhirServerBreakers(new FhirServerBreakers.Settings(breaker.window(), breaker.minimumCalls(),
				breaker.failureRate(), breaker.slowCall(), breaker.slowCallRate(), breaker.openFor(), breaker.trialCalls()),
				meters);
		return new PrefetchResolver(client, prefetch.timeout(), breakers, meters);
	}

	@Bean
	CdsServiceInvoker cdsServiceInvoker(KnowledgeBase knowledgeBase, CdsRequestParser parser, PrefetchResolver resolver,
			CardAssembler cardAssembler, Clock clock, ObjectProvider<CardLog> cardLog, ObjectProvider<CardMemory> cardMemory,
			MyositisCdsProperties properties,
			MeterRegistry meters, ObjectProvider<ComposedCdsService> composedServices, FhirServerAllowlist fhirServers) {
		return new CdsServiceInvoker(knowledgeBase, parser, resolver, cardAssembler, clock,
				cardLog.getIfAvailable(() -> CardLog.NONE), cardMemory.getIfAvailable(() -> CardMemory.NONE), properties.demo().fhirServer(), meters,
				composedServices.orderedStream().toList(), fhirServers);
	}

	@Bean(destroyMethod = "close")
	BoundedCalls boundedCalls(MyositisCdsProperties properties, MeterRegistry meters) {
		MyositisCdsProperties.Calls calls = properties.calls();
		return new BoundedCalls(new BoundedCalls.Settings(calls.deadline(), calls.workers(), calls.queue(),
				properties.prefetch().maxFetchedSize().toBytes(), calls.bodiesAtOnce().toBytes()), meters);
	}

	@Bean
	FilterRegistrationBean<RequestSizeLimitFilter> requestSizeLimitFilter(MyositisCdsProperties properties) {
		var registration = new FilterRegistrationBean<>(new RequestSizeLimitFilter(properties.maxRequestSize().toBytes()));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		return registration;
	}

	@Bean
	CardAssembler cardAssembler(FhirContext fhirContext, JsonMapper jsonMapper) {
		return new CardAssembler(fhirContext, jsonMapper);
	}


}
