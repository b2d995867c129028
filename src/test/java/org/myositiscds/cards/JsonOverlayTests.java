package org.myositiscds.cards;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class JsonOverlayTests {

	static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void changesOnlyWhatTheOverlayNames() {
		ObjectNode order = (ObjectNode) JSON.readTree("""
				{"resourceType":"MedicationRequest","id":"rtx","status":"draft",
				 "dosageInstruction":[{"text":"IV","route":{"text":"intravenous"},
				   "doseAndRate":[{"doseRange":{"high":{"value":1500,"unit":"mg"}}}]},{"text":"second"}]}""");
		JsonOverlay.apply(order, JSON.readTree("""
				{"dosageInstruction":[{"doseAndRate":[{"doseQuantity":{"value":1000,"unit":"mg"},"doseRange":null}]}]}"""));
		assertThat(order.toString()).isEqualTo(JSON.readTree("""
				{"resourceType":"MedicationRequest","id":"rtx","status":"draft",
				 "dosageInstruction":[{"text":"IV","route":{"text":"intravenous"},
				   "doseAndRate":[{"doseQuantity":{"value":1000,"unit":"mg"}}]},{"text":"second"}]}""").toString());
	}

	@Test
	void addsListItemsBeyondTheEndAndReplacesValues() {
		ObjectNode resource = (ObjectNode) JSON.readTree("{\"note\":[{\"text\":\"a\"}],\"status\":\"draft\"}");
		JsonOverlay.apply(resource, JSON.readTree("{\"note\":[{},{\"text\":\"b\"}],\"status\":\"active\"}"));
		assertThat(resource.toString()).isEqualTo("{\"note\":[{\"text\":\"a\"},{\"text\":\"b\"}],\"status\":\"active\"}");
	}

	@Test
	void aChangeLaidWhereNothingWasCarriesNoNulls() {
		// An order without a dosage: "doseRange": null left beside the dose would be a second dose[x].
		ObjectNode order = (ObjectNode) JSON.readTree("{\"resourceType\":\"MedicationRequest\",\"status\":\"draft\"}");
		JsonOverlay.apply(order, JSON.readTree("""
				{"dosageInstruction":[{"text":"1000 mg","doseAndRate":[{"doseRange":null,"doseQuantity":{"value":1000}}]}]}"""));
		assertThat(order.toString()).isEqualTo(
				"{\"resourceType\":\"MedicationRequest\",\"status\":\"draft\",\"dosageInstruction\":[{\"text\":\"1000 mg\",\"doseAndRate\":[{\"doseQuantity\":{\"value\":1000}}]}]}");
	}
}
