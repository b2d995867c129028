package org.myositiscds.system;

import ca.uhn.fhir.context.FhirContext;
import org.myositiscds.knowledge.KnowledgeBase;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts reading the engine built into the jar as soon as the configuration is known, before
 * Spring creates the web server and the beans. Reading it is the longest step of the start, and
 * every step before the warm-up can run beside it; begun by the {@link KnowledgeBase} bean instead,
 * it started a second later and the warm-up waited for it (docs/performance.md). The bean takes the
 * reading over when the locations are still those configured. Not while Spring's ahead-of-time
 * processing runs in the build, which never serves.
 */
class EarlyKnowledgeReading implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		if (Boolean.getBoolean("spring.aot.processing")) {
			return;
		}
		MyositisCdsProperties.Knowledge knowledge = Binder.get(context.getEnvironment())
			.bindOrCreate("myositis-cds.knowledge", MyositisCdsProperties.Knowledge.class);
		if (knowledge.watch().isBlank()) {
			context.getBeanFactory().registerSingleton("earlyKnowledgeReading",
					KnowledgeBase.EngineReading.start(FhirContext.forR4Cached(), knowledge.elm(), knowledge.valueSets()));
		}
	}
}
