package org.myositiscds.system;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.myositiscds.hooks.CdsServiceInvoker;
import org.myositiscds.knowledge.KnowledgeBase;
import org.myositiscds.knowledge.ServiceDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs each service's example request (hooks/examples/) through the whole data path before the
 * server takes calls, a few rounds within a time budget: the engine, parsers and JIT are warm when
 * the first EHR call arrives.
 * Runs after all beans exist and before the web server starts listening. It first waits for the
 * knowledge, loaded in the background, so the service never listens (nor reports ready) without it,
 * warm-up or not.
 */
@Component
class WarmUp implements SmartInitializingSingleton {

	private static final Logger log = LoggerFactory.getLogger(WarmUp.class);

	private static final int MAX_ROUNDS = 25;

	private static final int MIN_ROUNDS = 2;

	/** Enough for the JIT to compile the hot path; start-up time matters more than the last millisecond. */
	private static final long BUDGET_NANOS = 3_000_000_000L;

	private final KnowledgeBase knowledgeBase;

	private final CdsServiceInvoker invoker;

	private final MyositisCdsProperties properties;

	private final JsonMapper jsonMapper;

	WarmUp(KnowledgeBase knowledgeBase, CdsServiceInvoker invoker, MyositisCdsProperties properties, JsonMapper jsonMapper) {
		this.knowledgeBase = knowledgeBase;
		this.invoker = invoker;
		this.properties = properties;
		this.jsonMapper = jsonMapper;
	}

	@Override
	public void afterSingletonsInstantiated() {
		List<ServiceDefinition> services = List.copyOf(knowledgeBase.current().services().services());
		if (!properties.knowledge().warmUp()) {
			return;
		}
		long start = System.nanoTime();
		int round = 0;
		for (; round < MAX_ROUNDS && (round < MIN_ROUNDS || System.nanoTime() - start < BUDGET_NANOS); round++) {
			for (ServiceDefinition service : services) {
				byte[] example = example(service.id());
				if (example != null) {
					// Written as the controller writes them, so the response's serialisation is warm too.
					jsonMapper.writeValueAsBytes(Map.of("cards", invoker.rehearse(service.id(), example)));
				}
			}
		}
		log.info("Warmed up {} services in {} rounds, {} ms", services.size(), round, (System.nanoTime() - start) / 1_000_000);
	}

	private byte[] example(String serviceId) {
		String location = properties.knowledge().services() + "examples/" + serviceId + ".json";
		Resource resource = new PathMatchingResourcePatternResolver().getResource(location);
		try {
			return resource.exists() ? resource.getContentAsByteArray() : null;
		}
		catch (IOException e) {
			log.warn("Cannot read the example request of {}", serviceId);
			return null;
		}
	}
}
