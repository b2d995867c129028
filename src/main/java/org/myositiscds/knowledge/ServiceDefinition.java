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
 * library that answers it.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ServiceDefinition(String hook, String title, String description, String id,
		Map<String, String> prefetch, String usageRequirements,
		@JsonProperty(access = JsonProperty.Access.WRITE_ONLY) String library) {

	public ServiceDefinition {
		prefetch = prefetch == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(prefetch));
	}

	@JsonIgnore
	public List<PrefetchTemplate> prefetchTemplates() {
		return prefetch.entrySet().stream().map(e -> new PrefetchTemplate(e.getKey(), e.getValue())).toList();
	}
}
