package org.myositiscds.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.knowledge.PrefetchLintTests.CATALOG;
import static org.myositiscds.knowledge.PrefetchLintTests.LIBRARIES;
import static org.myositiscds.knowledge.PrefetchLintTests.TERMINOLOGY;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Each service's triggerValueSets are the value sets its CQL triggers on; a drift fails the build. */
class TriggerLintTests {

	private static final String VALUE_SET = "https://fhir.myositis-cds.org/ValueSet/";

	@Test
	void everyServiceNamesExactlyTheValueSetsItsCqlTriggersOn() {
		for (ServiceDefinition service : CATALOG.services()) {
			assertThat(TriggerLint.check(service, LIBRARIES, TERMINOLOGY)).as(service.id()).isEmpty();
		}
	}

	@Test
	void theTriggersAreReadFromTheElmThroughIncludes() {
		assertThat(PrefetchLint.reads(LIBRARIES, "HBVScreening").triggerValueSets())
			.containsExactly(VALUE_SET + "anti-cd20-agents");
		assertThat(PrefetchLint.reads(LIBRARIES, "RituximabDM").triggerValueSets())
			.containsExactlyInAnyOrder(VALUE_SET + "rituximab-iv", VALUE_SET + "cyclophosphamide");
		// "Rituximab Drafts" reads every draft, selected or not, but only beside a triggering tacrolimus draft.
		assertThat(PrefetchLint.reads(LIBRARIES, "TacrolimusDeescalation").triggerValueSets())
			.containsExactlyInAnyOrder(VALUE_SET + "systemic-tacrolimus", VALUE_SET + "rituximab-iv");
	}

	@Test
	void aMissingAnUnusedAndAnUnknownValueSetAreNamed() {
		ServiceDefinition rituximab = CATALOG.find("rituximab-order-sign").orElseThrow();
		ServiceDefinition drifted = new ServiceDefinition(rituximab.hook(), rituximab.title(), rituximab.description(),
				rituximab.id(), rituximab.prefetch(), rituximab.usageRequirements(), rituximab.library(),
				List.of(VALUE_SET + "rituximab-iv", VALUE_SET + "glucocorticoids", VALUE_SET + "no-such-set"));
		assertThat(TriggerLint.check(drifted, LIBRARIES, TERMINOLOGY)).containsExactlyInAnyOrder(
				"rituximab-order-sign: the CQL triggers on value set " + VALUE_SET
						+ "cyclophosphamide, which triggerValueSets leaves out",
				"rituximab-order-sign: triggerValueSets lists " + VALUE_SET
						+ "glucocorticoids, on which the CQL does not trigger",
				"rituximab-order-sign: triggerValueSets lists " + VALUE_SET
						+ "no-such-set, on which the CQL does not trigger",
				"rituximab-order-sign: triggerValueSets lists " + VALUE_SET
						+ "no-such-set, which fhir-resources/valueset/ does not hold");
	}
}
