package org.myositiscds.system;

import java.time.Clock;
import java.util.concurrent.Executors;

import ca.uhn.fhir.context.FhirContext;
import org.myositiscds.cards.CardAssembler;
import org.myositiscds.cql.CompiledLibraries;
import org.myositiscds.cql.CqlEvaluator;
import org.myositiscds.cql.ValueSetTerminology;
import org.myositiscds.hooks.CardLog;
import org.myositiscds.hooks.CdsRequestParser;
import org.myositiscds.hooks.CdsServiceInvoker;
import org.myositiscds.hooks.ServiceCatalog;
import org.myositiscds.prefetch.FhirServerClient;
import org.myositiscds.prefetch.PrefetchResolver;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
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
	PrefetchResolver prefetchResolver(FhirContext fhirContext, MyositisCdsProperties properties) {
		MyositisCdsProperties.Prefetch prefetch = properties.prefetch();
		var fetchThreads = Executors.newCachedThreadPool(task -> {
			Thread thread = new Thread(task, "fhir-fetch");
			thread.setDaemon(true);
			return thread;
		});
		var client = new FhirServerClient(fhirContext, fetchThreads, prefetch.timeout(), prefetch.maxPages());
		return new PrefetchResolver(client, prefetch.timeout());
	}

	@Bean
	CdsServiceInvoker cdsServiceInvoker(ServiceCatalog catalog, CdsRequestParser parser, PrefetchResolver resolver,
			CqlEvaluator evaluator, CardAssembler cardAssembler, Clock clock, ObjectProvider<CardLog> cardLog) {
		return new CdsServiceInvoker(catalog, parser, resolver, evaluator, cardAssembler, clock,
				cardLog.getIfAvailable(() -> CardLog.NONE));
	}

	@Bean
	CardAssembler cardAssembler(FhirContext fhirContext, JsonMapper jsonMapper) {
		return new CardAssembler(fhirContext, jsonMapper, null);
	}
}
