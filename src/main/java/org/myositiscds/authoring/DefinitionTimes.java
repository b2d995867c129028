package org.myositiscds.authoring;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.hl7.elm.r1.ExpressionDef;
import org.hl7.elm.r1.FunctionDef;
import org.opencds.cqf.cql.engine.execution.Profile;

/**
 * Where an evaluation spent its time, by CQL definition: the engine's profile tree summed over
 * every place a definition or function was reached. Self time leaves out what the definitions it
 * calls took, so the slow part shows where it is, not at the top of the tree.
 */
public final class DefinitionTimes {

	/** One definition (a function's name ends in {@code ()}); times in milliseconds. */
	public record Row(String definition, long calls, double selfMs, double totalMs) {
	}

	private DefinitionTimes() {
	}

	/** The definitions, the slowest (by self time) first. */
	public static List<Row> of(Profile profile) {
		Map<String, long[]> byName = new HashMap<>();
		add(profile.getTree(), byName);
		List<Row> rows = new ArrayList<>();
		byName.forEach((name, sums) -> rows.add(new Row(name, sums[0], sums[1] / 1e6, sums[2] / 1e6)));
		rows.sort(Comparator.comparingDouble(Row::selfMs).reversed());
		return rows;
	}

	private static void add(Profile.Node node, Map<String, long[]> byName) {
		long children = 0;
		for (Map<org.hl7.elm.r1.Element, Profile.Node> byExpression : node.getChildren().values()) {
			for (Profile.Node child : byExpression.values()) {
				children += child.getTime();
				add(child, byName);
			}
		}
		if (node.getExpression() instanceof ExpressionDef definition) {
			String name = definition.getName() + (definition instanceof FunctionDef ? "()" : "");
			long[] sums = byName.computeIfAbsent(name, key -> new long[3]);
			sums[0] += node.getCount();
			sums[1] += Math.max(0, node.getTime() - children);
			sums[2] += node.getTime();
		}
	}
}
