package org.myositiscds.knowledge;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.myositiscds.cql.CompiledLibraries;
import org.myositiscds.cql.ValueSetTerminology;

/**
 * Checks a service definition's {@code triggerValueSets} against its CQL. The service answers
 * {@code {"cards": []}} without fetching or evaluating anything when no triggering draft order has
 * a medication in those value sets, so they must be exactly the value sets the library's cards
 * give to {@code "Medication Requests In"} with the hook's {@code "Triggering Orders"} (found in
 * the ELM, through included libraries). A value set missing from the list would silence cards;
 * one listed but not used would do work for orders that trigger nothing.
 */
public final class TriggerLint {

	private TriggerLint() {
	}

	public static List<String> check(ServiceDefinition service, CompiledLibraries libraries,
			ValueSetTerminology terminology) {
		Set<String> used = PrefetchLint.reads(libraries, service.library()).triggerValueSets();
		Set<String> listed = new LinkedHashSet<>(service.triggerValueSets());
		List<String> problems = new ArrayList<>();
		if (used.isEmpty()) {
			problems.add(service.id() + ": library " + service.library()
					+ " gives no value set to \"Medication Requests In\" with its \"Triggering Orders\"");
		}
		used.stream().filter(url -> !listed.contains(url)).forEach(url -> problems.add(service.id()
				+ ": the CQL triggers on value set " + url + ", which triggerValueSets leaves out"));
		listed.stream().filter(url -> !used.contains(url)).forEach(url -> problems.add(service.id()
				+ ": triggerValueSets lists " + url + ", on which the CQL does not trigger"));
		listed.stream().filter(url -> !terminology.valueSetUrls().contains(url)).forEach(url -> problems
			.add(service.id() + ": triggerValueSets lists " + url + ", which fhir-resources/valueset/ does not hold"));
		return problems;
	}
}
