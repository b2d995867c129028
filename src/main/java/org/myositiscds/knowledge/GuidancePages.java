package org.myositiscds.knowledge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * What a card's source link shows, all read from the CQL, so the page says what the service does:
 * <ul>
 * <li>the rule in plain clinical words: the rule's "Guidance for clinicians" comment block, written
 * by the informaticists who own the rule (fields Fires when, What to do, Not covered, Looks at,
 * Sources; {@code docs/authoring.md});</li>
 * <li>its title: the display of the rule's code in "Myositis CDS Rules";</li>
 * <li>the CQL of the rule: every definition its {@code "<rule> Card"} reaches, in its own library
 * and in the libraries it includes, and nothing else;</li>
 * <li>the thresholds it uses: the parameters with a default and the numeric definitions among
 * them, with the unit their name ends in;</li>
 * <li>its sources: the labels of {@code docs/sources.md} the block cites.</li>
 * </ul>
 * Knowledge without a complete block for every rule, or citing a source the list lacks, does not
 * load: the build fails, and a watched folder keeps its last good version.
 */
public final class GuidancePages {

	private static final Pattern RULE_CODE = Pattern
		.compile("^code \"([A-Z]+-\\d+)\": '[^']+' from \"Myositis CDS Rules\" display '([^']*)'", Pattern.MULTILINE);

	private static final Pattern LIBRARY = Pattern.compile("^library (\\w+)", Pattern.MULTILINE);

	private static final Pattern INCLUDE = Pattern.compile("^include (\\w+)\\b.*? called (\\w+)", Pattern.MULTILINE);

	private static final Pattern GUIDANCE_BLOCK = Pattern.compile(
			"^/\\*[ \\t]*\\R[ \\t]*\\*[ \\t]*Guidance for clinicians:[ \\t]*([A-Z]{2,4}-\\d{1,2})[ \\t]*\\R(.*?)\\*/",
			Pattern.MULTILINE | Pattern.DOTALL);

	private static final Pattern FIELD = Pattern.compile("^(Fires when|What to do|Not covered|Looks at|Sources):\\s*(.*)$");

	private static final List<String> FIELDS = List.of("Fires when", "What to do", "Not covered", "Looks at", "Sources");

	private static final Pattern STATEMENT_START = Pattern.compile("^(define|parameter|code|valueset|codesystem|concept|context|include|using|library)\\b");

	private static final Pattern DEFINE_HEADER = Pattern.compile("^define\\s+(?:(?:public|private)\\s+)?(?:fluent\\s+)?(function\\s+)?\"([^\"]+)\"");

	private static final Pattern PARAMETER = Pattern.compile("^parameter \"([^\"]+)\" \\S+(?: default (.+))?$");

	private static final Pattern NUMBER = Pattern.compile("-?\\d+(?:\\.\\d+)?");

	private static final Pattern NUMERIC_BODY = Pattern.compile("^:\\s*(-?\\d+(?:\\.\\d+)?)(?:\\s*\\*\\s*(\\d+(?:\\.\\d+)?))?\\s*$");

	/**
	 * How a threshold's name says its unit (docs/authoring.md): the name ends in the unit. Checked
	 * in order; a threshold whose name matches none does not load.
	 */
	private static final List<Map.Entry<Pattern, String>> UNITS = List.of(
			Map.entry(Pattern.compile("\\bMg Per Day$"), "mg/day"),
			Map.entry(Pattern.compile("\\bDose Per m2\\b"), "mg/m²"),
			Map.entry(Pattern.compile("\\bDays?$"), "days"),
			Map.entry(Pattern.compile("\\bMg$"), "mg"),
			Map.entry(Pattern.compile("\\bm2$"), "m²"),
			Map.entry(Pattern.compile("\\bPercent$"), "%"),
			Map.entry(Pattern.compile("\\bmIU Per mL$"), "mIU/mL"),
			Map.entry(Pattern.compile("\\bNg Per Ml$"), "ng/mL"),
			Map.entry(Pattern.compile("\\bIU Per L$"), "IU/L"),
			Map.entry(Pattern.compile("\\bmg/dL$"), "mg/dL"),
			Map.entry(Pattern.compile("\\b(?:Age|Age In Years)$"), "years"),
			Map.entry(Pattern.compile("\\beGFR Threshold$"), "mL/min/1.73 m²"),
			Map.entry(Pattern.compile("\\bCount$"), ""));

	/** The plain clinical words of a rule, as its guidance block gives them. */
	public record Words(String firesWhen, String whatToDo, String notCovered, String looksAt) {
	}

	/**
	 * A threshold a rule uses: a parameter (a setting, with its default) or a fixed number of the
	 * guideline (a numeric definition).
	 *
	 * @param value the number, e.g. "365", or "84" for {@code 12 * 7}
	 * @param expression the CQL when it is not a plain number ({@code 12 * 7}), else null
	 */
	public record Threshold(String library, String name, String value, String expression, String unit,
			boolean setting) {
	}

	/** A source a rule cites, and the part of it (a section) the rule rests on, if named. */
	public record Citation(ClinicalSources.Source source, String section) {
	}

	/** One CQL definition, as written (with the line comments directly above it). */
	public record Definition(String library, String name, String cql) {
	}

	/** One rule's page content. */
	public record Guidance(String ruleId, String title, List<String> libraries, Words words,
			List<Threshold> thresholds, List<Citation> citations, List<Definition> cql) {
	}

	private final Map<String, Guidance> byRule;

	private final ClinicalSources sources;

	private GuidancePages(Map<String, Guidance> byRule, ClinicalSources sources) {
		this.byRule = byRule;
		this.sources = sources;
	}

	/**
	 * The pages of the CQL at {@code cqlLocation} (a folder location ending in {@code cql/}), citing
	 * the {@code docs/sources.md} beside that folder, or the jar's when it has none.
	 */
	public static GuidancePages fromLocation(String cqlLocation) {
		Map<String, String> cqlByLibrary = new LinkedHashMap<>();
		try {
			for (Resource file : new PathMatchingResourcePatternResolver().getResources(cqlLocation + "*.cql")) {
				String cql = file.getContentAsString(StandardCharsets.UTF_8);
				Matcher library = LIBRARY.matcher(cql);
				cqlByLibrary.put(library.find() ? library.group(1) : file.getFilename(), cql);
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot read CQL from " + cqlLocation, e);
		}
		String besideCql = cqlLocation.replaceFirst("cql/?$", "docs/sources.md");
		boolean hasOwnSources = !besideCql.equals(cqlLocation)
				&& new DefaultResourceLoader().getResource(besideCql).exists();
		return of(cqlByLibrary, ClinicalSources.fromLocation(hasOwnSources ? besideCql : "classpath:docs/sources.md"));
	}

	/**
	 * @throws IllegalStateException naming every rule without a complete guidance block, every block
	 *     without a rule, and every citation of a source {@code sources} does not list
	 */
	public static GuidancePages of(Map<String, String> cqlByLibrary, ClinicalSources sources) {
		Map<String, CqlLibrary> libraries = new LinkedHashMap<>();
		cqlByLibrary.forEach((name, cql) -> libraries.put(name, CqlLibrary.parse(name, cql)));
		Map<String, String> titles = new LinkedHashMap<>();
		Map<String, Map<String, String>> blocks = new LinkedHashMap<>();
		List<String> problems = new ArrayList<>();
		for (CqlLibrary library : libraries.values()) {
			titles.putAll(ruleTitles(library.cql));
			Matcher block = GUIDANCE_BLOCK.matcher(library.cql);
			while (block.find()) {
				if (blocks.put(block.group(1), fields(block.group(2))) != null) {
					problems.add(block.group(1) + " has two 'Guidance for clinicians' blocks");
				}
			}
		}
		Map<String, Guidance> pages = new TreeMap<>(GuidancePages::compareRuleIds);
		for (Map.Entry<String, String> rule : titles.entrySet()) {
			String ruleId = rule.getKey();
			Map<String, String> fields = blocks.get(ruleId);
			if (fields == null) {
				problems.add(ruleId + " has no 'Guidance for clinicians' comment block in the CQL");
				continue;
			}
			FIELDS.stream().filter(field -> fields.getOrDefault(field, "").isBlank())
				.forEach(field -> problems.add(ruleId + "'s guidance block has no '" + field + ":'"));
			List<Citation> citations = new ArrayList<>();
			for (String cited : fields.getOrDefault("Sources", "").split(";")) {
				if (cited.isBlank()) {
					continue;
				}
				int colon = cited.indexOf(':');
				String label = (colon < 0 ? cited : cited.substring(0, colon)).strip();
				String section = colon < 0 ? null : cited.substring(colon + 1).strip();
				sources.find(label).ifPresentOrElse(source -> citations.add(new Citation(source, section)),
						() -> problems.add(ruleId + " cites '" + label + "', which docs/sources.md does not list"));
			}
			List<String> ruleLibraries = libraries.values().stream()
				.filter(library -> library.defines(ruleId + " Card")).map(library -> library.name).toList();
			if (ruleLibraries.isEmpty()) {
				problems.add(ruleId + " has no \"" + ruleId + " Card\" definition");
				continue;
			}
			Reached reached = reach(libraries, ruleLibraries, ruleId + " Card");
			reached.thresholds.stream().filter(t -> t.unit() == null)
				.forEach(t -> problems.add(t.library() + ".\"" + t.name() + "\" used by " + ruleId
						+ ": a threshold's name ends in its unit (Days, Mg, m2, Percent, Age, Count...)"));
			pages.put(ruleId, new Guidance(ruleId, rule.getValue(), ruleLibraries,
					new Words(fields.get("Fires when"), fields.get("What to do"), fields.get("Not covered"),
							fields.get("Looks at")),
					reached.thresholds, List.copyOf(citations), reached.definitions));
		}
		blocks.keySet().stream().filter(ruleId -> !titles.containsKey(ruleId))
			.forEach(ruleId -> problems.add("A guidance block names " + ruleId + ", which no library declares as a rule"));
		if (!problems.isEmpty()) {
			throw new IllegalStateException("Guidance pages: " + String.join("; ", problems));
		}
		return new GuidancePages(pages, sources);
	}

	/** The title of each rule a library declares: its code's display in "Myositis CDS Rules", by rule id. */
	static Map<String, String> ruleTitles(String cql) {
		Map<String, String> titles = new LinkedHashMap<>();
		Matcher code = RULE_CODE.matcher(cql);
		while (code.find()) {
			titles.put(code.group(1), code.group(2));
		}
		return titles;
	}

	/**
	 * A block's fields. A field runs over the lines after its label; an empty line starts a new
	 * paragraph and a line starting with "- " a list item, so the text reflows on any screen.
	 */
	private static Map<String, String> fields(String block) {
		Map<String, StringBuilder> fields = new LinkedHashMap<>();
		StringBuilder current = null;
		for (String raw : block.lines().toList()) {
			String line = raw.replaceFirst("^\\s*\\*?\\s?", "").strip();
			Matcher field = FIELD.matcher(line);
			if (field.matches()) {
				current = fields.computeIfAbsent(field.group(1), f -> new StringBuilder());
				line = field.group(2);
			}
			if (current == null) {
				continue;
			}
			if (line.isEmpty()) {
				current.append("\n\n");
			}
			else if (line.startsWith("- ")) {
				current.append(current.isEmpty() || current.toString().endsWith("\n") ? "" : "\n").append(line);
			}
			else {
				current.append(current.isEmpty() || current.toString().endsWith("\n") ? "" : " ").append(line);
			}
		}
		Map<String, String> text = new LinkedHashMap<>();
		fields.forEach((name, value) -> text.put(name, value.toString().strip().replaceAll("\n{3,}", "\n\n")));
		return text;
	}

	private record Reached(List<Definition> definitions, List<Threshold> thresholds) {
	}

	/** Every definition and threshold {@code root} reaches from each of {@code ruleLibraries}. */
	private static Reached reach(Map<String, CqlLibrary> libraries, List<String> ruleLibraries, String root) {
		Set<String> seen = new LinkedHashSet<>();
		Deque<String[]> work = new ArrayDeque<>();
		ruleLibraries.forEach(library -> work.add(new String[] { library, root }));
		List<Statement> reached = new ArrayList<>();
		while (!work.isEmpty()) {
			String[] next = work.poll();
			CqlLibrary library = libraries.get(next[0]);
			if (library == null || !seen.add(next[0] + "\u0000" + next[1])) {
				continue;
			}
			for (Statement statement : library.byName.getOrDefault(next[1], List.of())) {
				reached.add(statement);
				for (String[] reference : statement.references) {
					String target = reference[0] == null ? library.name : library.aliases.get(reference[0]);
					if (target != null) {
						work.add(new String[] { target, reference[1] });
					}
				}
			}
		}
		List<String> order = new ArrayList<>(ruleLibraries);
		libraries.keySet().stream().filter(name -> !order.contains(name)).forEach(order::add);
		reached.sort(Comparator.comparing((Statement s) -> order.indexOf(s.library)).thenComparing(s -> s.index));
		List<Definition> definitions = new ArrayList<>();
		List<Threshold> thresholds = new ArrayList<>();
		for (Statement statement : reached) {
			if (statement.kind.equals("define")) {
				definitions.add(new Definition(statement.library, statement.name, statement.text));
			}
			Threshold threshold = statement.threshold();
			if (threshold != null) {
				thresholds.add(threshold);
			}
		}
		return new Reached(List.copyOf(definitions), List.copyOf(thresholds));
	}

	private static String unit(String name) {
		return UNITS.stream().filter(unit -> unit.getKey().matcher(name).find()).map(Map.Entry::getValue)
			.findFirst().orElse(null);
	}

	/** A number as an informaticist wrote it, without a decimal part that is zero (10.0 is 10). */
	private static String plain(String number) {
		return number.replaceFirst("\\.0+$", "");
	}

	/** One parsed CQL library: its statements, by name, with what each refers to. */
	private static final class CqlLibrary {

		final String name;

		final String cql;

		final Map<String, String> aliases = new HashMap<>();

		final Map<String, List<Statement>> byName = new HashMap<>();

		private CqlLibrary(String name, String cql) {
			this.name = name;
			this.cql = cql;
		}

		boolean defines(String definition) {
			return byName.getOrDefault(definition, List.of()).stream().anyMatch(s -> s.kind.equals("define"));
		}

		static CqlLibrary parse(String name, String cql) {
			CqlLibrary library = new CqlLibrary(name, cql);
			Matcher include = INCLUDE.matcher(cql);
			while (include.find()) {
				library.aliases.put(include.group(2), include.group(1));
			}
			List<String> lines = cql.lines().toList();
			List<String> comments = new ArrayList<>();
			int index = 0;
			for (int i = 0; i < lines.size(); i++) {
				String line = lines.get(i);
				if (line.startsWith("//")) {
					comments.add(line);
					continue;
				}
				if (!STATEMENT_START.matcher(line).find()) {
					comments.clear();
					continue;
				}
				int end = i + 1;
				while (end < lines.size() && (lines.get(end).isEmpty() || Character.isWhitespace(lines.get(end).charAt(0)))) {
					end++;
				}
				String statement = String.join("\n", lines.subList(i, end)).strip();
				String text = comments.isEmpty() ? statement : String.join("\n", comments) + "\n" + statement;
				comments.clear();
				Statement parsed = Statement.parse(name, index++, statement, text);
				if (parsed != null) {
					library.byName.computeIfAbsent(parsed.name, n -> new ArrayList<>()).add(parsed);
				}
				i = end - 1;
			}
			return library;
		}
	}

	/** A define, function or parameter of a library. */
	private record Statement(String library, int index, String kind, String name, String text, String body,
			List<String[]> references) {

		static Statement parse(String library, int index, String statement, String text) {
			Matcher define = DEFINE_HEADER.matcher(statement);
			if (define.find()) {
				String body = statement.substring(define.end());
				return new Statement(library, index, "define", define.group(2), text, body, references(body));
			}
			Matcher parameter = PARAMETER.matcher(statement);
			if (parameter.matches()) {
				return new Statement(library, index, "parameter", parameter.group(1), text,
						parameter.group(2) == null ? "" : parameter.group(2).strip(), List.of());
			}
			return null;
		}

		Threshold threshold() {
			if (kind.equals("parameter")) {
				return NUMBER.matcher(body).matches()
						? new Threshold(library, name, plain(body), null, unit(name), true) : null;
			}
			Matcher numeric = NUMERIC_BODY.matcher(body.strip());
			if (!numeric.matches()) {
				return null;
			}
			if (numeric.group(2) == null) {
				return new Threshold(library, name, plain(numeric.group(1)), null, unit(name), false);
			}
			java.math.BigDecimal product = new java.math.BigDecimal(numeric.group(1))
				.multiply(new java.math.BigDecimal(numeric.group(2)));
			return new Threshold(library, name, plain(product.toPlainString()),
					plain(numeric.group(1)) + " × " + plain(numeric.group(2)), unit(name), false);
		}

		/**
		 * The quoted identifiers of a CQL text, each with the library alias before it (or null):
		 * strings and comments are skipped, and a quoted name after anything but an alias (a
		 * property of a tuple) is not a reference.
		 */
		static List<String[]> references(String cql) {
			List<String[]> references = new ArrayList<>();
			int i = 0;
			while (i < cql.length()) {
				char c = cql.charAt(i);
				if (c == '\'') {
					i = skipQuoted(cql, i, '\'');
				}
				else if (c == '/' && cql.startsWith("//", i)) {
					int end = cql.indexOf('\n', i);
					i = end < 0 ? cql.length() : end;
				}
				else if (c == '/' && cql.startsWith("/*", i)) {
					int end = cql.indexOf("*/", i + 2);
					i = end < 0 ? cql.length() : end + 2;
				}
				else if (c == '"') {
					int end = skipQuoted(cql, i, '"');
					String identifier = cql.substring(i + 1, Math.max(i + 1, end - 1));
					references.add(new String[] { qualifier(cql, i), identifier });
					i = end;
				}
				else {
					i++;
				}
			}
			return references;
		}

		private static int skipQuoted(String text, int start, char quote) {
			int i = start + 1;
			while (i < text.length() && text.charAt(i) != quote) {
				i += text.charAt(i) == '\\' ? 2 : 1;
			}
			return Math.min(i + 1, text.length());
		}

		/** The alias before {@code ."name"}, or null; "" when a quoted name follows a non-alias dot. */
		private static String qualifier(String text, int quote) {
			int dot = quote - 1;
			while (dot >= 0 && Character.isWhitespace(text.charAt(dot))) {
				dot--;
			}
			if (dot < 0 || text.charAt(dot) != '.') {
				return null;
			}
			int end = dot;
			int start = end;
			while (start > 0 && Character.isJavaIdentifierPart(text.charAt(start - 1))) {
				start--;
			}
			return start == end ? "" : text.substring(start, end);
		}
	}

	private static int compareRuleIds(String a, String b) {
		String[] x = a.split("-");
		String[] y = b.split("-");
		int prefix = x[0].compareTo(y[0]);
		return prefix != 0 ? prefix : Integer.compare(Integer.parseInt(x[1]), Integer.parseInt(y[1]));
	}

	/** The page of a rule, whatever the case of {@code ruleId} ({@code hbv-1} is HBV-1). */
	public Optional<Guidance> find(String ruleId) {
		return Optional.ofNullable(byRule.get(ruleId.toUpperCase(Locale.ROOT)));
	}

	public Collection<Guidance> all() {
		return byRule.values();
	}

	/** Every source the rules may cite, as {@code docs/sources.md} lists them. */
	public ClinicalSources sources() {
		return sources;
	}

	/**
	 * The override memory line of a rule's page, in words (docs/feedback.md): how long the services'
	 * definitions remember an override of the rule's card, the reasons named by their display in the CQL.
	 */
	public static String overrideMemory(Knowledge knowledge, String ruleId) {
		OverrideMemory memory = knowledge.services().overrideMemory();
		Map<String, String> displays = new TreeMap<>();
		var libraries = knowledge.evaluator().libraries();
		for (String name : libraries.names()) {
			var library = libraries.library(name);
			if (library.getCodes() == null || library.getCodeSystems() == null) {
				continue;
			}
			Map<String, String> systems = new TreeMap<>();
			library.getCodeSystems().getDef().forEach(system -> systems.put(system.getName(), system.getId()));
			library.getCodes().getDef().stream()
				.filter(code -> code.getCodeSystem() != null && code.getDisplay() != null
						&& systems.getOrDefault(code.getCodeSystem().getName(), "").equals(memory.reasonSystem()))
				.forEach(code -> displays.putIfAbsent(code.getId(), code.getDisplay()));
		}
		return memory.describe(ruleId, displays);
	}
}
