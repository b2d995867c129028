package org.myositiscds.cql;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Finds retrieves whose terminology the translator dropped. A retrieve filtered by a value set
 * that is a function argument ({@code [Condition: conditions]}) translates to a retrieve with a
 * code property and no codes: it would return every resource of the type, and a guideline would
 * read, say, a dermatomyositis diagnosis as hepatitis B. The build refuses it.
 */
final class RetrieveCheck {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private RetrieveCheck() {
	}

	static List<CqlTranslation.Diagnostic> unfilteredTerminologyRetrieves(String library, String elmJson) {
		List<CqlTranslation.Diagnostic> problems = new ArrayList<>();
		visit(JSON.readTree(elmJson), library, problems);
		return problems;
	}

	private static void visit(JsonNode node, String library, List<CqlTranslation.Diagnostic> problems) {
		if (node.isObject()) {
			if ("Retrieve".equals(node.path("type").asString("")) && node.has("codeProperty") && !node.has("codes")) {
				String[] start = node.path("locator").asString("0:0").split("-")[0].split(":");
				problems.add(new CqlTranslation.Diagnostic(library, Integer.parseInt(start[0]),
						start.length > 1 ? Integer.parseInt(start[1]) : 0, "error",
						"this retrieve's value set or code cannot filter it (is it a function argument?), so it "
								+ "would return every " + node.path("dataType").asString("").replaceAll(".*}", "")
								+ "; retrieve without terminology and filter with 'where ... in' instead"));
			}
			node.values().forEach(child -> visit(child, library, problems));
		}
		else if (node.isArray()) {
			node.values().forEach(child -> visit(child, library, problems));
		}
	}
}
