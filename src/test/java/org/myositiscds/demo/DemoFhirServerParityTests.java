package org.myositiscds.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.TestJson.read;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.TestJson;
import org.myositiscds.DemoPatients;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * What the Sandbox does with the demo: every demo patient, on every service, answered from the
 * demo FHIR server (no prefetch, no fhirServer) gets exactly the cards it gets with the prefetch.
 */
@CdsServiceTest(properties = "myositis-cds.demo.fhir-server=true")
class DemoFhirServerParityTests {

	static final List<String> SERVICES = List.of("hbv-screening-order-sign", "rituximab-order-sign",
			"tacrolimus-deescalation-order-sign");

	@Autowired
	CdsHooksClient client;

	static Stream<Arguments> patientsAndServices() {
		List<Arguments> cases = new ArrayList<>();
		for (String patient : DemoPatients.ids()) {
			for (String service : SERVICES) {
				cases.add(Arguments.of(patient, service));
			}
		}
		return cases.stream();
	}

	@ParameterizedTest(name = "{0} on {1}")
	@MethodSource("patientsAndServices")
	void theDemoServerGivesTheSameCardsAsThePrefetch(String patient, String service) {
		String withPrefetch = DemoPatients.scenario(patient, LocalDate.now()).orderSign(service);
		CdsHooksClient.Answer expected = client.call(service, withPrefetch);
		ObjectNode withoutData = (ObjectNode) read(withPrefetch);
		withoutData.remove("prefetch");
		CdsHooksClient.Answer fetched = client.call(service, withoutData.toString());
		assertThat(fetched.status()).as(fetched.body().toString()).isEqualTo(200);
		assertThat(fetched.rules()).isEqualTo(expected.rules());
		for (String rule : expected.rules()) {
			assertThat(TestJson.withoutUuids(fetched.card(rule))).as(rule).isEqualTo(TestJson.withoutUuids(expected.card(rule)));
		}
	}

}
