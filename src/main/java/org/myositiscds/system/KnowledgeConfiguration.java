package org.myositiscds.system;

import java.time.Clock;
import java.util.concurrent.Executors;

import ca.uhn.fhir.context.FhirContext;
import org.myositiscds.cards.CardAssembler;
import org.myositiscds.cql.CompiledLibraries;
import org.myositiscds.cql.CqlEvaluator;
import org.myositiscds.cql.ValueSetTerminology;
import org.myositiscds.guidance.GuidancePages;
import org.myositiscds.hooks.CardLog;
import org.myositiscds.hooks.CdsRequestParser;
import org.myositiscds.hooks.CdsServiceInvoker;
import org.myositiscds.hooks.RequestSizeLimitFilter;
import org.myositiscds.hooks.ServiceCatalog;
import org.myositiscds.prefetch.CircuitBreaker;
import org.myositiscds.prefetch.FhirServerClient;
import org.myositiscds.prefetch.PrefetchResolver;
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

	@Bean
	CqlEvaluator cqlEvaluator(FhirContext fhirContext, MyositisCdsProperties properties) {
		return new CqlEvaluator(CompiledLibraries.fromLocation(properties.knowledge().elm()),
				ValueSetTerminology.fromLocation(fhirContext, properties.knowledge().valueSets()), fhirContext);
	}

	@Bean
	ServiceCatalog serviceCatalog(JsonMapper jsonMapper, CqlEvaluator cqlEvaluator, MyositisCdsProperties properties) {
		return ServiceCatalog.fromLocation(properties.knowledge().services(), jsonMapper,
				cqlEvaluator.libraries().names());
	}

	@Bean
	CdsRequestParser cdsRequestParser(FhirContext fhirContext, JsonMapper jsonMapper) {
		return new CdsRequestParser(fhirContext, jsonMapper);
	}

	@Bean
	PrefetchResolver prefetchResolver(FhirContext fhirContext, MyositisCdsProperties properties, Clock clock) {
		MyositisCdsProperties.Prefetch prefetch = properties.prefetch();
		var fetchThreads = Executors.newCachedThreadPool(task -> {
			Thread thread = new Thread(task, "fhir-fetch");
			thread.setDaemon(true);
			return thread;
		});
		var client = new FhirServerClient(fhirContext, fetchThreads, prefetch.timeout(), prefetch.maxPages());
		return new PrefetchResolver(client, prefetch.timeout(),
				new CircuitBreaker(prefetch.circuitBreakerFailures(), prefetch.circuitBreakerOpenFor(), clock));
	}

	@Bean
	CdsServiceInvoker cdsServiceInvoker(ServiceCatalog catalog, CdsRequestParser parser, PrefetchResolver resolver,
			CqlEvaluator evaluator, CardAssembler cardAssembler, Clock clock, ObjectProvider<CardLog> cardLog) {
		return new CdsServiceInvoker(catalog, parser, resolver, evaluator, cardAssembler, clock,
				cardLog.getIfAvailable(() -> CardLog.NONE));
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

	@Bean
	GuidancePages guidancePages(MyositisCdsProperties properties) {
		return GuidancePages.fromLocation(properties.knowledge().cql());
	}
}
