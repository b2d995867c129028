package org.myositiscds.system;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.knowledge.KnowledgeBase;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.mock.env.MockEnvironment;

/**
 * The engine is read from the moment the configuration is known, and the service's knowledge is
 * built on that reading rather than on a second one; never for a watched folder, never in the
 * build's ahead-of-time processing.
 */
@CdsServiceTest
class EarlyKnowledgeReadingTests {

	@Autowired
	KnowledgeBase knowledgeBase;

	@Autowired
	KnowledgeBase.EngineReading earlyReading;

	@Test
	void theServiceRunsOnTheEngineReadBeforeItsBeansWereCreated() {
		assertThat(knowledgeBase.current().evaluator()).isSameAs(earlyReading.engine().join());
	}

	@Test
	void theReadingStartsAtTheConfiguredLocations() {
		ListableBeanFactory context = contextWith(new MockEnvironment()
			.withProperty("myositis-cds.knowledge.elm", "classpath:elm/")
			.withProperty("myositis-cds.knowledge.value-sets", "classpath:fhir-resources/valueset/"));
		KnowledgeBase.EngineReading reading = context.getBean(KnowledgeBase.EngineReading.class);
		assertThat(reading.elm()).isEqualTo("classpath:elm/");
		assertThat(reading.valueSets()).isEqualTo("classpath:fhir-resources/valueset/");
		assertThat(reading.engine().join().libraries().names()).contains("RituximabDM", "HBVScreening", "TacrolimusDeescalation");
	}

	@Test
	void nothingIsReadForAWatchedFolder() {
		ListableBeanFactory context = contextWith(new MockEnvironment()
			.withProperty("myositis-cds.knowledge.watch", "/some/project"));
		assertThat(context.getBeanNamesForType(KnowledgeBase.EngineReading.class)).isEmpty();
	}

	@Test
	void nothingIsReadWhileTheBuildProcessesTheContextAheadOfTime() {
		System.setProperty("spring.aot.processing", "true");
		try {
			assertThat(contextWith(new MockEnvironment()).getBeanNamesForType(KnowledgeBase.EngineReading.class)).isEmpty();
		}
		finally {
			System.clearProperty("spring.aot.processing");
		}
	}

	/** The beans a context has after the initializer ran, before it is refreshed. */
	private static ListableBeanFactory contextWith(MockEnvironment environment) {
		GenericApplicationContext context = new GenericApplicationContext();
		context.setEnvironment(environment);
		new EarlyKnowledgeReading().initialize(context);
		return context.getDefaultListableBeanFactory();
	}
}
