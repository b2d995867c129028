package org.myositiscds;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The checks every test relies on do fail on what the spec forbids. */
class CdsHooksContractTests {

	@Test
	void rejectsACardWithoutSource() {
		assertThatThrownBy(() -> CdsHooksContract.assertValidResponse(
				"{\"cards\":[{\"summary\":\"s\",\"indicator\":\"info\"}]}")).isInstanceOf(AssertionError.class);
	}

	@Test
	void rejectsSuggestionsWithoutSelectionBehaviorAndEmptyValues() {
		assertThatThrownBy(() -> CdsHooksContract.assertValidResponse("""
				{"cards":[{"summary":"s","indicator":"info","source":{"label":"l"},
				 "suggestions":[{"label":"x","actions":[{"type":"delete","description":"d","resourceId":"MedicationRequest/1"}]}]}]}"""))
			.isInstanceOf(AssertionError.class);
		assertThatThrownBy(() -> CdsHooksContract.assertValidResponse(
				"{\"cards\":[{\"summary\":\"s\",\"indicator\":\"info\",\"source\":{\"label\":\"l\"},\"detail\":\"\"}]}"))
			.isInstanceOf(AssertionError.class);
	}

	@Test
	void rejectsAnInvalidFhirResource() {
		assertThatThrownBy(() -> CdsHooksContract.assertValidFhir(
				"{\"resourceType\":\"ServiceRequest\",\"intent\":\"order\",\"subject\":{\"reference\":\"Patient/p\"}}"))
			.isInstanceOf(AssertionError.class);
	}

	@Test
	void rejectsADiscoveryServiceWithoutDescription() {
		assertThatThrownBy(() -> CdsHooksContract.assertValidDiscovery(
				"{\"services\":[{\"hook\":\"order-sign\",\"id\":\"x\"}]}")).isInstanceOf(AssertionError.class);
	}
}
