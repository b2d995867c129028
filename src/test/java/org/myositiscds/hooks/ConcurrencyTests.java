package org.myositiscds.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.NEGATIVE;
import static org.myositiscds.PatientScenario.POSITIVE;
import static org.myositiscds.PatientScenario.coded;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hl7.fhir.r4.model.Observation;
import org.junit.jupiter.api.Test;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.TestJson;
import org.myositiscds.PatientScenario;
import org.springframework.beans.factory.annotation.Autowired;

/** Patients evaluated at the same time get exactly the cards they get alone: nothing leaks between calls. */
// Isolation, not the deadline, is tested here: on a busy machine 16 clients can push a call past the default 4 s.
// The same properties as HostileRequestsTests, so that both share one service.
@CdsServiceTest(properties = "myositis-cds.calls.deadline=60s")
class ConcurrencyTests {

	static final String SIGN = "hbv-screening-order-sign";

	static final int PATIENTS = 200;

	static final int CLIENTS = 16;

	@Autowired
	CdsHooksClient client;

	/** A patient with a random mix of hepatitis B results, conditions and antivirals (seeded). */
	static PatientScenario randomPatient(int index) {
		Random random = new Random(index);
		PatientScenario scenario = patient("concurrent-" + index).draft(rituximabOrder("rtx-" + index));
		List<Consumer<Observation>> readings = List.of(POSITIVE, NEGATIVE, coded("82334004", "Indeterminate"));
		for (String loinc : List.of("5196-1", "16933-4", "10900-9")) {
			if (random.nextInt(4) > 0) {
				scenario.lab(loinc, "test " + loinc, 1 + random.nextInt(700), readings.get(random.nextInt(3)));
			}
		}
		if (random.nextInt(6) == 0) {
			scenario.condition(PatientScenario.ICD10CM, "B18.1", "Chronic viral hepatitis B without delta-agent", "active");
		}
		if (random.nextInt(5) == 0) {
			scenario.activeMedication("485434", "entecavir 0.5 MG Oral Tablet", 10 + random.nextInt(100));
		}
		return scenario;
	}

	@Test
	void twoHundredPatientsFromSixteenClientsGetTheCardsTheyGetAlone() throws Exception {
		List<String> requests = new ArrayList<>();
		for (int i = 0; i < PATIENTS; i++) {
			requests.add(randomPatient(i).orderSign(SIGN));
		}
		Map<Integer, String> alone = new ConcurrentHashMap<>();
		for (int i = 0; i < PATIENTS; i++) {
			alone.put(i, comparable(client.call(SIGN, requests.get(i))));
		}
		assertThat(new HashSet<>(alone.values())).as("the random patients cover several outcomes").hasSizeGreaterThan(5);

		List<Integer> order = new ArrayList<>();
		for (int i = 0; i < PATIENTS; i++) {
			order.add(i);
		}
		Collections.shuffle(order, new Random(42));
		ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
		try {
			List<Future<Map.Entry<Integer, String>>> answers = new ArrayList<>();
			for (int i : order) {
				answers.add(clients.submit(() -> Map.entry(i, comparable(client.call(SIGN, requests.get(i))))));
			}
			for (Future<Map.Entry<Integer, String>> answer : answers) {
				Map.Entry<Integer, String> together = answer.get();
				assertThat(together.getValue()).as("patient " + together.getKey()).isEqualTo(alone.get(together.getKey()));
			}
		}
		finally {
			clients.shutdownNow();
		}
	}

	/** The answer without what differs on every call (uuids). */
	static String comparable(CdsHooksClient.Answer answer) {
		assertThat(answer.status()).isEqualTo(200);
		return TestJson.withoutUuids(answer.body()).toString();
	}

}
