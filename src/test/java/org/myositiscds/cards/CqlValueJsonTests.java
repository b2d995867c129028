package org.myositiscds.cards;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ca.uhn.fhir.context.FhirContext;
import org.junit.jupiter.api.Test;
import org.opencds.cqf.cql.engine.runtime.Tuple;
import tools.jackson.databind.json.JsonMapper;

class CqlValueJsonTests {

	final CqlValueJson json = new CqlValueJson(FhirContext.forR4Cached(), JsonMapper.builder().build());

	static Tuple tuple(Object... namesAndValues) {
		Map<String, Object> elements = new HashMap<>();
		for (int i = 0; i < namesAndValues.length; i += 2) {
			elements.put((String) namesAndValues[i], namesAndValues[i + 1]);
		}
		return new Tuple().withElements(elements);
	}

	@Test
	void decimalsAreWrittenPlain() {
		assertThat(json.toJson(new BigDecimal("1000.0")).toString()).isEqualTo("1000");
		assertThat(json.toJson(new BigDecimal("2.50")).toString()).isEqualTo("2.5");
	}

	@Test
	void nullsAreLeftOutOfResourcesButKeptInOverlaysInsideListItems() {
		Tuple dose = tuple("doseAndRate", List.of(tuple("doseQuantity", tuple("value", 1000), "doseRange", null)));
		Tuple changes = tuple("dosageInstruction", Arrays.asList(dose, null));
		assertThat(json.toJson(changes).toString())
			.isEqualTo("{\"dosageInstruction\":[{\"doseAndRate\":[{\"doseQuantity\":{\"value\":1000}}]}]}");
		assertThat(json.toOverlayJson(changes)).isEqualTo(JsonMapper.builder().build()
			.readTree("{\"dosageInstruction\":[{\"doseAndRate\":[{\"doseQuantity\":{\"value\":1000},\"doseRange\":null}]}]}"));
	}
}
