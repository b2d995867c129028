package org.myositiscds.authoring;

import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import ca.uhn.fhir.context.FhirContext;
import org.myositiscds.cards.Card;
import org.myositiscds.cards.CqlValueJson;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Runs a test case against the working knowledge and says, for each expectation, what differs. */
public final class TestCaseRunner {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final WorkingKnowledge knowledge;

	private final CqlValueJson cqlJson = new CqlValueJson(FhirContext.forR4Cached(), JSON);

	public TestCaseRunner(WorkingKnowledge knowledge) {
		this.knowledge = knowledge;
	}

	/** One expectation that was not met. */
	public record Mismatch(String what, String expected, String actual) {

		@Override
		public String toString() {
			return what + ": expected " + expected + ", got " + actual;
		}
	}

	public List<Mismatch> run(TestCase testCase) {
		WorkingKnowledge.Outcome outcome = knowledge.evaluate(testCase.library(),
				List.copyOf(testCase.expectedValues().keySet()), testCase.data(), testCase.hook(), testCase.draftOrders(),
				testCase.selections(), testCase.today().atStartOfDay(ZoneId.systemDefault()).plusHours(12));
		List<Mismatch> mismatches = new ArrayList<>();
		testCase.expectedValues().forEach((expression, expected) -> {
			JsonNode actual = cqlJson.toJson(outcome.values().get(expression));
			JsonNode wanted = JSON.valueToTree(expected);
			if (!sameValue(wanted, actual)) {
				mismatches.add(new Mismatch("expression \"" + expression + "\"", String.valueOf(wanted), String.valueOf(actual)));
			}
		});
		if (testCase.expectedCards() != null) {
			var expected = new TreeSet<>(testCase.expectedCards());
			var actual = new TreeSet<>(outcome.cards().stream().map(Card::rule).toList());
			if (!expected.equals(actual)) {
				mismatches.add(new Mismatch("cards", expected.toString(), actual.toString()));
			}
		}
		return mismatches;
	}

	private static boolean sameValue(JsonNode expected, JsonNode actual) {
		if (expected == null || expected.isNull()) {
			return actual == null || actual.isNull();
		}
		if (actual == null) {
			return false;
		}
		if (expected.isNumber() && actual.isNumber()) {
			return new BigDecimal(expected.asString()).compareTo(new BigDecimal(actual.asString())) == 0;
		}
		return expected.equals(actual);
	}
}
