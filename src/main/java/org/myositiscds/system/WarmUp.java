package org.myositiscds.system;

import java.io.IOException;
import java.util.LinkedHashMap;
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
 * server takes calls, a fixed number of rounds: the engine, parsers and JIT are warm when the first
 * EHR call arrives. A count rather than a time budget: a quiet machine does not spend seconds on
 * rounds that only feed the JIT compiler, a busy one still warms up as much.
 * The rehearsal reads the override memory as a clinician's call does (nothing is recorded), so
 * the first call's database query is not the first one.
 * Runs after all beans exist and before the web server starts listening. It first waits for the
 * knowledge, loaded in the background, so the service never listens (nor reports ready) without it,
 * warm-up or not. {@link HttpWarmUp} then sends the same examples through the server's port.
 */
@Component
class WarmUp implements SmartInitializingSingleton {

	private static final Logger log = LoggerFactory.getLogger(WarmUp.class);

	private final KnowledgeBase knowledgeBase;

	private final CdsServiceInvoker invoker;

	private final MyositisCdsProperties properties;

	private final JsonMapper jsonMapper;

	private volatile Map<String, byte[]> examples = Map.of();

	WarmUp(KnowledgeBase knowledgeBase, CdsServiceInvoker invoker, MyositisCdsProperties properties, JsonMapper jsonMapper) {
		this.knowledgeBase = knowledgeBase;
		this.invoker = invoker;
		this.properties = properties;
		this.jsonMapper = jsonMapper;
	}

	@Override
	public void afterSingletonsInstantiated() {
		long waitStart = System.nanoTime();
		List<ServiceDefinition> services = List.copyOf(knowledgeBase.current().services().services());
		long waited = (System.nanoTime() - waitStart) / 1_000_000;
		if (!properties.knowledge().warmUp()) {
			return;
		}
		Map<String, byte[]> examples = new LinkedHashMap<>();
		services.forEach(service -> {
			byte[] example = example(service.id());
			if (example != null) {
				examples.put(service.id(), example);
			}
		});
		this.examples = examples;
		long start = System.nanoTime();
		int rounds = properties.knowledge().warmUpRounds();
		for (int round = 0; round < rounds; round++) {
			// Written as the controller writes them, so the response's serialisation is warm too.
			examples.forEach((serviceId, example) -> jsonMapper.writeValueAsBytes(
					Map.of("cards", invoker.rehearse(serviceId, example))));
		}
		log.info("Warmed up {} services in {} rounds, {} ms (after {} ms waiting for the knowledge)", examples.size(), rounds,
				(System.nanoTime() - start) / 1_000_000, waited);
	}

	/** Each service's example request by service id, once warmed up; none without the warm-up. */
	Map<String, byte[]> examples() {
		return examples;
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
