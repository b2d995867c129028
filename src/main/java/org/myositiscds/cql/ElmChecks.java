package org.myositiscds.cql;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks of translated ELM for what the translator accepts but the engine gets wrong:
 * <ul>
 * <li>a retrieve whose terminology the translator dropped. A retrieve filtered by a value set that
 * is a function argument ({@code [Condition: conditions]}) translates to a retrieve with a code
 * property and no codes: it would return every resource of the type, and a guideline would read,
 * say, a dermatomyositis diagnosis as hepatitis B;</li>
 * <li>a medication record retrieved by value set ({@code [MedicationRequest: "Rituximab"]}). The
 * translator adds a join of every record of the type with every Medication, for records that name
 * their drug by {@code medicationReference}: its cost grows with the square of a long medication
 * history (docs/performance.md, "Per-resource cost (knowledge, this session)");</li>
 * <li>two functions of the same name in one library: the engine picks between overloads by the
 * run-time types of the arguments, and with a null argument it may pick the wrong one;</li>
 * <li>a rule's card that is not {@code if "<rule> Applies" then ... else null}. The published
 * PlanDefinition makes the rule applicable when {@code "<rule> Applies"} is true, so that
 * definition must decide alone whether the card is returned.</li>
 * </ul>
 * The build refuses all four.
 */
final class ElmChecks {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** Record types whose retrieve by terminology the translator joins with every Medication. */
	private static final Pattern MEDICATION_RECORD = Pattern
		.compile("\\{http://hl7.org/fhir}Medication(Request|Statement|Administration|Dispense)");

	private static final Pattern RULE_CARD = Pattern.compile("([A-Z]{2,4}-\\d{1,2}) Card");

	private ElmChecks() {
	}

	static List<CqlTranslation.Diagnostic> problems(String library, String elmJson) {
		JsonNode elm = JSON.readTree(elmJson);
		List<CqlTranslation.Diagnostic> problems = new ArrayList<>();
		visit(elm, library, problems, "0:0");
		Map<String, Integer> functions = new HashMap<>();
		for (JsonNode def : elm.path("library").path("statements").path("def")) {
			if ("FunctionDef".equals(def.path("type").asString("")) && !def.path("external").asBoolean(false)) {
				String name = def.path("name").asString("");
				if (functions.merge(name, 1, Integer::sum) == 2) {
					problems.add(new CqlTranslation.Diagnostic(library, line(def), 0, "error", "function \"" + name
							+ "\" is defined more than once; give each its own name (the engine may pick the wrong"
							+ " overload at run time)"));
				}
			}
			Matcher card = RULE_CARD.matcher(def.path("name").asString(""));
			if ("ExpressionDef".equals(def.path("type").asString("ExpressionDef")) && card.matches()
					&& !decidedByApplies(def.path("expression"), card.group(1))) {
				problems.add(new CqlTranslation.Diagnostic(library, line(def), 0, "error", "\"" + card.group()
						+ "\" must read: if \"" + card.group(1) + " Applies\" then <the card> else null (the published"
						+ " PlanDefinition fires the rule on \"" + card.group(1) + " Applies\")"));
			}
		}
		return problems;
	}

	private static boolean decidedByApplies(JsonNode expression, String rule) {
		JsonNode otherwise = expression.path("else");
		if ("As".equals(otherwise.path("type").asString(""))) {
			otherwise = otherwise.path("operand");
		}
		JsonNode condition = expression.path("condition");
		return "If".equals(expression.path("type").asString("")) && "Null".equals(otherwise.path("type").asString(""))
				&& "ExpressionRef".equals(condition.path("type").asString(""))
				&& (rule + " Applies").equals(condition.path("name").asString("")) && !condition.has("libraryName");
	}

	private static CqlTranslation.Diagnostic retrieveProblem(String library, String locator, String message) {
		String[] start = locator.split("-")[0].split(":");
		return new CqlTranslation.Diagnostic(library, Integer.parseInt(start[0]),
				start.length > 1 ? Integer.parseInt(start[1]) : 0, "error", message);
	}

	private static int line(JsonNode node) {
		return Integer.parseInt(node.path("locator").asString("0:0").split("-")[0].split(":")[0]);
	}

	/** {@code locator}: the nearest one of the node and its parents (the translator's own additions have none). */
	private static void visit(JsonNode node, String library, List<CqlTranslation.Diagnostic> problems, String locator) {
		if (node.isObject()) {
			String here = node.path("locator").asString(locator);
			if ("Retrieve".equals(node.path("type").asString(""))) {
				String type = node.path("dataType").asString("");
				if (node.has("codeProperty") && !node.has("codes")) {
					problems.add(retrieveProblem(library, here, "this retrieve's value set or code cannot filter it (is it a"
							+ " function argument?), so it would return every " + type.replaceAll(".*}", "")
							+ "; retrieve without terminology and filter with 'where ... in' instead"));
				}
				else if (node.has("codes") && MEDICATION_RECORD.matcher(type).matches()) {
					String record = type.replaceAll(".*}", "");
					problems.add(retrieveProblem(library, here, "a " + record + " retrieved by terminology is joined with"
							+ " every Medication, which compares every " + record + " with every Medication; retrieve"
							+ " without terminology and test the record's medication concept with 'where ... in' instead"));
				}
			}
			node.values().forEach(child -> visit(child, library, problems, here));
		}
		else if (node.isArray()) {
			node.values().forEach(child -> visit(child, library, problems, locator));
		}
	}
}
