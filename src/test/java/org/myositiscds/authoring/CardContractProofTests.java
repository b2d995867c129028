package org.myositiscds.authoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsHooksContract;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.DemoPatients;
import org.myositiscds.PatientScenario;
import org.myositiscds.TestJson;
import org.myositiscds.cards.LogCapture;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The build's proof that every card meets the contract (clinical-rules "Card contract"): every
 * test case of cql/tests and every demo patient goes through every service that runs its library
 * and hook, over HTTP, and each card must need no run-time repair (CardAssembler logs none) and
 * have what the contract lists. Run-time repairs are then only for data nobody foresaw.
 */
@CdsServiceTest
class CardContractProofTests {

	static final Set<String> INDICATORS = Set.of("info", "warning", "critical");

	@Autowired
	CdsHooksClient client;

	record Service(String id, String hook, String library) {
	}

	static List<Service> services() throws IOException {
		List<Service> services = new ArrayList<>();
		try (Stream<Path> files = Files.list(Path.of("hooks"))) {
			for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
				JsonNode definition = TestJson.read(Files.readString(file));
				services.add(new Service(definition.path("id").asText(), definition.path("hook").asText(),
						definition.path("library").asText()));
			}
		}
		assertThat(services).isNotEmpty();
		return services;
	}

	@TestFactory
	List<DynamicTest> everyCardOfEveryTestCaseMeetsTheContract() throws IOException {
		List<DynamicTest> tests = new ArrayList<>();
		List<Service> services = services();
		for (Path folder : AuthoringCommands.folders(Path.of("cql/tests"))) {
			for (Path file : AuthoringCommands.caseFiles(folder)) {
				TestCase testCase = TestCase.read(file, LocalDate.now());
				PatientScenario scenario = PatientScenario.of(testCase.data().patient(), testCase.data().resources(),
						testCase.draftOrders());
				String[] selected = testCase.selections().stream().map(s -> s.substring(s.indexOf('/') + 1))
					.toArray(String[]::new);
				for (Service service : services) {
					if (service.library().equals(testCase.library()) && service.hook().equals(testCase.hook())) {
						tests.add(DynamicTest.dynamicTest(folder.getFileName() + "/" + file.getFileName() + " / " + service.id(),
								() -> assertMeetsTheContract(scenario, service, selected)));
					}
				}
			}
		}
		assertThat(tests).isNotEmpty();
		return tests;
	}

	@TestFactory
	List<DynamicTest> everyCardOfEveryDemoPatientMeetsTheContract() throws IOException {
		List<DynamicTest> tests = new ArrayList<>();
		for (String patientId : DemoPatients.ids()) {
			PatientScenario scenario = DemoPatients.scenario(patientId, LocalDate.now());
			String[] everyDraft = DemoPatients.bundle(patientId + ".draft-orders.json", LocalDate.now()).getEntry().stream()
				.map(entry -> entry.getResource().getIdElement().getIdPart())
				.toArray(String[]::new);
			for (Service service : services()) {
				tests.add(DynamicTest.dynamicTest(patientId + " / " + service.id(),
						() -> assertMeetsTheContract(scenario, service, everyDraft)));
			}
		}
		return tests;
	}

	void assertMeetsTheContract(PatientScenario scenario, Service service, String[] selected) {
		CdsHooksClient.Answer answer;
		try (LogCapture log = new LogCapture()) {
			answer = client.call(service.id(), service.hook().equals("order-select")
					? scenario.orderSelect(service.id(), selected) : scenario.orderSign(service.id()));
			assertThat(log.repairs()).as("cards repaired at run time").isEmpty();
		}
		assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
		CdsHooksContract.assertValidResponse(answer.body().toString());
		assertThat(answer.rules()).doesNotHaveDuplicates();
		for (JsonNode card : answer.body().path("cards")) {
			String rule = card.path("extension").path("myositis-cds.rule").asText();
			assertThat(rule).as("rule extension").isNotBlank();
			assertThat(card.path("summary").asText()).as(rule + " summary").isNotBlank().hasSizeLessThan(140);
			assertThat(card.path("detail").asText()).as(rule + " detail").isNotBlank();
			assertThat(card.path("indicator").asText()).as(rule + " indicator").isIn(INDICATORS);
			JsonNode source = card.path("source");
			assertThat(source.path("label").asText()).as(rule + " source label").isNotBlank();
			assertThat(source.path("url").asText()).as(rule + " source url").endsWith("/guidance/" + rule);
			assertThat(source.path("topic").path("code").asText()).as(rule + " source topic").isEqualTo(rule);
			if (card.path("indicator").asText().equals("critical")) {
				assertThat(card.path("overrideReasons")).as(rule + " override reasons").isNotEmpty();
			}
			if (!card.path("suggestions").isEmpty()) {
				assertThat(card.path("selectionBehavior").asText()).as(rule + " selectionBehavior").isIn("any", "at-most-one");
			}
			for (JsonNode suggestion : card.path("suggestions")) {
				for (JsonNode action : suggestion.path("actions")) {
					JsonNode resource = action.path("resource");
					if (action.path("type").asText().equals("create")) {
						assertThat(resource.path("subject").path("reference").asText()).as(rule + " suggestion's patient")
							.isEqualTo("Patient/" + scenario.id());
					}
				}
			}
		}
	}
}
