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
 * ({@code triggerValueSets}; {@link TriggerLint} proves they are the ones the library triggers on), and
 * how long a clinician's override of each rule's card is remembered ({@code overrideMemory}, also
 * shown in discovery as an extension).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ServiceDefinition(String hook, String title, String description, String id,
		Map<String, String> prefetch, String usageRequirements,
		@JsonProperty(access = JsonProperty.Access.WRITE_ONLY) String library,
		@JsonProperty(access = JsonProperty.Access.WRITE_ONLY) List<String> triggerValueSets,
		@JsonProperty(access = JsonProperty.Access.WRITE_ONLY) OverrideMemory overrideMemory) {

	/** The discovery extension that tells the EHR how long overrides are remembered. */
	public static final String OVERRIDE_MEMORY_EXTENSION = "myositis-cds.overrideMemory";

	public ServiceDefinition {
		overrideMemory = overrideMemory == null ? OverrideMemory.NONE : overrideMemory;
		prefetch = prefetch == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(prefetch));
		triggerValueSets = triggerValueSets == null ? List.of() : List.copyOf(triggerValueSets);
	}

	/** A definition whose overrides are not remembered (composed services take the catalog's). */
	public ServiceDefinition(String hook, String title, String description, String id, Map<String, String> prefetch,
			String usageRequirements, String library, List<String> triggerValueSets) {
		this(hook, title, description, id, prefetch, usageRequirements, library, triggerValueSets, null);
	}

	ServiceDefinition withOverrideMemory(OverrideMemory memory) {
		return new ServiceDefinition(hook, title, description, id, prefetch, usageRequirements, library, triggerValueSets,
				memory);
	}

	/** CDS Hooks 2.0 lets a service carry an {@code extension}: the override memory, when it has one. */
	@JsonProperty("extension")
	public Map<String, OverrideMemory> extension() {
		return overrideMemory.equals(OverrideMemory.NONE) ? Map.of() : Map.of(OVERRIDE_MEMORY_EXTENSION, overrideMemory);
	}

	@JsonIgnore
	public List<PrefetchTemplate> prefetchTemplates() {
		return prefetch.entrySet().stream().map(e -> new PrefetchTemplate(e.getKey(), e.getValue())).toList();
	}
}
