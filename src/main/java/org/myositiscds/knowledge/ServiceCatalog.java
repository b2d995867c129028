package org.myositiscds.knowledge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import tools.jackson.databind.json.JsonMapper;

/** The CDS services, read from the service definitions of {@code hooks/}. */
public final class ServiceCatalog {

	static final Set<String> SUPPORTED_HOOKS = Set.of("order-select", "order-sign");

	private final Map<String, ServiceDefinition> servicesById;

	private final OverrideMemory overrideMemory;

	/**
	 * @param libraryNames the CQL libraries a service may name
	 * @param parameters their Integer parameters' defaults: an override memory period may name one
	 */
	public ServiceCatalog(Collection<ServiceDefinition> services, Set<String> libraryNames,
			OverrideMemory.IntegerParameters parameters) {
		Map<String, ServiceDefinition> byId = new LinkedHashMap<>();
		for (ServiceDefinition written : services) {
			ServiceDefinition service = written.withOverrideMemory(
					written.overrideMemory().resolved(written.library(), parameters));
			List<String> problems = new ArrayList<>();
			if (service.id() == null || !service.id().matches("[a-z0-9-]+")) {
				problems.add("id must be lower-case letters, digits and hyphens");
			}
			if (!SUPPORTED_HOOKS.contains(service.hook())) {
				problems.add("hook must be one of " + SUPPORTED_HOOKS);
			}
			if (service.description() == null || service.description().isBlank()) {
				problems.add("description is required");
			}
			if (service.library() == null || !libraryNames.contains(service.library())) {
				problems.add("library " + service.library() + " is not among the CQL libraries " + libraryNames);
			}
			problems.addAll(service.overrideMemory().problems());
			if (byId.containsKey(service.id())) {
				problems.add("another service has the same id");
			}
			if (!problems.isEmpty()) {
				throw new IllegalStateException("Service definition " + service.id() + ": " + problems);
			}
			byId.put(service.id(), service);
		}
		this.servicesById = byId;
		try {
			this.overrideMemory = OverrideMemory.merge(byId.values().stream().map(ServiceDefinition::overrideMemory).toList());
		}
		catch (IllegalStateException e) {
			throw new IllegalStateException("Service definitions: " + e.getMessage(), e);
		}
	}

	/** How long overrides are remembered, per rule: the services' definitions together. */
	public OverrideMemory overrideMemory() {
		return overrideMemory;
	}

	/** Reads every {@code *.json} directly under the location (examples live in a subfolder). */
	public static ServiceCatalog fromLocation(String location, JsonMapper jsonMapper, Set<String> libraryNames,
			OverrideMemory.IntegerParameters parameters) {
		try {
			List<ServiceDefinition> services = new ArrayList<>();
			Resource[] files = new PathMatchingResourcePatternResolver().getResources(location + "*.json");
			java.util.Arrays.sort(files, java.util.Comparator.comparing(Resource::getFilename));
			for (Resource file : files) {
				services.add(jsonMapper.readValue(file.getInputStream(), ServiceDefinition.class));
			}
			return new ServiceCatalog(services, libraryNames, parameters);
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot read service definitions from " + location, e);
		}
	}

	public Collection<ServiceDefinition> services() {
		return servicesById.values();
	}

	public Optional<ServiceDefinition> find(String id) {
		return Optional.ofNullable(servicesById.get(id));
	}
}
