package org.myositiscds.knowledge;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** What knowledge the service runs, and whether the last reload worked (for informaticists editing it). */
@RestController
class KnowledgeStatusController {

	private final KnowledgeBase knowledgeBase;

	KnowledgeStatusController(KnowledgeBase knowledgeBase) {
		this.knowledgeBase = knowledgeBase;
	}

	@JsonInclude(JsonInclude.Include.NON_NULL)
	record Status(String origin, Instant loadedAt, Set<String> libraries, List<String> services,
			KnowledgeBase.Reload lastReload) {
	}

	@GetMapping(path = "/admin/knowledge", produces = MediaType.APPLICATION_JSON_VALUE)
	Status status() {
		Knowledge knowledge = knowledgeBase.current();
		return new Status(knowledge.origin(), knowledge.loadedAt(), knowledge.evaluator().libraries().names(),
				knowledge.services().services().stream().map(ServiceDefinition::id).toList(), knowledgeBase.lastReload());
	}
}
