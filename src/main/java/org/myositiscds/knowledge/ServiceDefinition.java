package org.myositiscds.knowledge;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.myositiscds.prefetch.PrefetchTemplate;

/**
 * One CDS service, as written in {@code hooks/<id>.json}: what discovery shows, plus the CQL
 * library that answers it and the value sets whose codes make a draft order a possible trigger
 * ({@code triggerValueSets}; {@link TriggerLint} proves they are the ones the library triggers on).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ServiceDefinition(String hook, String title, String description, String id,
		Map<String, String> prefetch, String usageRequirements,
		@JsonProperty(access = JsonProperty.Access.WRITE_ONLY) String library,
		@JsonProperty(access = JsonProperty.Access.WRITE_ONLY) List<String> triggerValueSets) {

	public ServiceDefinition {
		prefetch = prefetch == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(prefetch));
		triggerValueSets = triggerValueSets == null ? List.of() : List.copyOf(triggerValueSets);
	}

	@JsonIgnore
	public List<PrefetchTemplate> prefetchTemplates() {
		return prefetch.entrySet().stream().map(e -> new PrefetchTemplate(e.getKey(), e.getValue())).toList();
	}
}
