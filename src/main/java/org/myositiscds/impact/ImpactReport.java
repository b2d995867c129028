package org.myositiscds.impact;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The firing rates for people: Markdown for the terminal, and one HTML page that needs nothing
 * else (no script, no stylesheet or font from elsewhere), its charts drawn here as SVG.
 */
final class ImpactReport {

	private static final Map<String, String> INDICATOR_COLOURS = Map.of("info", "#3b6fb6", "warning", "#d98b1c",
			"critical", "#c0392b");

	private final FiringRates rates;

	private final String title;

	private final Map<String, String> draftOrders;

	/**
	 * @param title what was run, e.g. the population folder and the day
	 * @param draftOrders per service, the orders signed for patients with none of their own
	 */
	ImpactReport(FiringRates rates, String title, Map<String, String> draftOrders) {
		this.rates = rates;
		this.title = title;
		this.draftOrders = draftOrders;
	}

	/** The per-rule table: counts only, the same on every run of the same population and knowledge. */
	String ruleTable() {
		List<String> lines = new ArrayList<>();
		lines.add("| rule | services | patients fired | % of patients | calls fired | cards | info | warning | critical | cards per firing call | suggestions |");
		lines.add("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
		rates.rules().forEach((rule, counts) -> lines.add("| " + String.join(" | ", rule,
				String.join(", ", counts.services), Long.toString(counts.patients), percent(counts.patients, rates.patients()),
				Long.toString(counts.calls), Long.toString(counts.cards), Long.toString(counts.indicators.get("info")),
				Long.toString(counts.indicators.get("warning")), Long.toString(counts.indicators.get("critical")),
				ratio(counts.cards, counts.calls), Long.toString(counts.suggestions)) + " |"));
		return String.join("\n", lines) + "\n";
	}

	/** Per service: calls, calls with a card, cards per call. Counts only, like {@link #ruleTable}. */
	String serviceTable() {
		List<String> lines = new ArrayList<>();
		StringBuilder header = new StringBuilder("| service | calls | calls with cards | errors |");
		StringBuilder rule = new StringBuilder("| --- | ---: | ---: | ---: |");
		for (int cards = 0; cards <= FiringRates.HISTOGRAM_TOP; cards++) {
			header.append(' ').append(cardsLabel(cards)).append(cards == 1 ? " card |" : " cards |");
			rule.append(" ---: |");
		}
		lines.add(header.toString());
		lines.add(rule.toString());
		rates.services().forEach((service, counts) -> {
			StringBuilder line = new StringBuilder("| " + service + " | " + counts.calls + " | " + counts.callsWithCards + " | "
					+ counts.errors + " |");
			for (long calls : counts.cardsPerCall) {
				line.append(' ').append(calls).append(" |");
			}
			lines.add(line.toString());
		});
		return String.join("\n", lines) + "\n";
	}

	String markdown() {
		StringBuilder md = new StringBuilder();
		md.append("# Firing rates: ").append(title).append("\n\n");
		md.append(population()).append("\n\n");
		md.append("Draft orders, for patients whose export holds none of their own:\n\n");
		draftOrders.forEach((service, orders) -> md.append("- ").append(service).append(": ").append(orders).append('\n'));
		md.append("\n## Rules\n\n").append(ruleTable());
		md.append("\n## Cards per call\n\n").append(serviceTable());
		md.append("\n## Slowest calls\n\n| ms | service | patient (hash) | cards | rules |\n| ---: | --- | --- | ---: | --- |\n");
		for (FiringRates.Call call : rates.slowest()) {
			md.append("| ").append(millis(call.nanos())).append(" | ").append(call.service()).append(" | ")
				.append(call.patientHash()).append(" | ").append(call.cards()).append(" | ").append(call.rules()).append(" |\n");
		}
		md.append("\nMean time per call: ");
		List<String> means = new ArrayList<>();
		rates.services().forEach((service, counts) -> means.add(service + " "
				+ (counts.calls - counts.errors == 0 ? "-" : millis(counts.totalNanos / (counts.calls - counts.errors))) + " ms"));
		md.append(String.join(", ", means)).append(".\n");
		if (!rates.failures().isEmpty()) {
			md.append("\n## Calls that failed\n\n");
			rates.failures().forEach(failure -> md.append("- ").append(failure.service()).append(", patient ")
				.append(failure.patientHash()).append(": ").append(failure.reason()).append('\n'));
		}
		return md.toString();
	}

	String html() {
		StringBuilder html = new StringBuilder();
		html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
			.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
			.append("<title>Firing rates: ").append(escape(title)).append("</title>\n<style>\n")
			.append("body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}\n")
			.append("table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.25rem .5rem}")
			.append("td.n{text-align:right}svg{max-width:100%;height:auto}\n")
			.append("</style>\n</head>\n<body>\n<h1>Firing rates: ").append(escape(title)).append("</h1>\n<p>")
			.append(escape(population())).append("</p>\n")
			.append("<h2>Rules by firing rate</h2>\n<p>Share of patients for whom the rule gave a card; the colour is the")
			.append(" rule's most severe indicator.</p>\n").append(firingRateChart());
		html.append("<h2>Cards per call</h2>\n");
		rates.services().forEach((service, counts) -> html.append(histogram(service, counts)));
		html.append("<h2>Rules</h2>\n").append(table(ruleTable()));
		html.append("<h2>Calls by service</h2>\n").append(table(serviceTable()));
		html.append("<h2>Slowest calls</h2>\n<table><thead><tr><th>ms</th><th>service</th><th>patient (hash)</th><th>cards</th>")
			.append("<th>rules</th></tr></thead><tbody>\n");
		for (FiringRates.Call call : rates.slowest()) {
			html.append("<tr><td class=\"n\">").append(millis(call.nanos())).append("</td><td>").append(escape(call.service()))
				.append("</td><td>").append(call.patientHash()).append("</td><td class=\"n\">").append(call.cards())
				.append("</td><td>").append(escape(call.rules())).append("</td></tr>\n");
		}
		html.append("</tbody></table>\n<h2>Draft orders</h2>\n<ul>\n");
		draftOrders.forEach((service, orders) -> html.append("<li>").append(escape(service)).append(": ")
			.append(escape(orders)).append("</li>\n"));
		html.append("</ul>\n");
		if (!rates.failures().isEmpty()) {
			html.append("<h2>Calls that failed</h2>\n<ul>\n");
			rates.failures().forEach(failure -> html.append("<li>").append(escape(failure.service())).append(", patient ")
				.append(failure.patientHash()).append(": ").append(escape(failure.reason())).append("</li>\n"));
			html.append("</ul>\n");
		}
		return html.append("</body>\n</html>\n").toString();
	}

	private String population() {
		return rates.patients() + " patients; each service called once per patient at order sign"
				+ (rates.deceasedSkipped() == 0 ? "." : " (" + rates.deceasedSkipped() + " deceased patients of the export skipped).");
	}

	/** One horizontal bar per rule, highest rate first; each bar a {@code g.rule} naming its rule. */
	private String firingRateChart() {
		List<Map.Entry<String, FiringRates.RuleCounts>> rules = new ArrayList<>(rates.rules().entrySet());
		rules.sort(Comparator.comparingLong((Map.Entry<String, FiringRates.RuleCounts> e) -> e.getValue().patients).reversed()
			.thenComparing(Map.Entry::getKey, FiringRates::compareRules));
		int barHeight = 20;
		int labelWidth = 70;
		int plotWidth = 500;
		int height = rules.size() * (barHeight + 4) + 30;
		StringBuilder svg = new StringBuilder();
		svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"firing-rates\" role=\"img\" viewBox=\"0 0 ")
			.append(labelWidth + plotWidth + 80).append(' ').append(height).append("\" width=\"").append(labelWidth + plotWidth + 80)
			.append("\" height=\"").append(height).append("\">\n<title>Rules by share of patients fired</title>\n");
		for (int tick = 0; tick <= 100; tick += 25) {
			int x = labelWidth + plotWidth * tick / 100;
			svg.append("<line x1=\"").append(x).append("\" y1=\"0\" x2=\"").append(x).append("\" y2=\"").append(height - 20)
				.append("\" stroke=\"#ddd\"/><text x=\"").append(x).append("\" y=\"").append(height - 6)
				.append("\" font-size=\"11\" text-anchor=\"middle\">").append(tick).append("%</text>\n");
		}
		int y = 0;
		for (Map.Entry<String, FiringRates.RuleCounts> rule : rules) {
			double share = rates.patients() == 0 ? 0 : (double) rule.getValue().patients / rates.patients();
			String rate = percent(rule.getValue().patients, rates.patients());
			svg.append("<g class=\"rule\" data-rule=\"").append(escape(rule.getKey())).append("\"><title>")
				.append(escape(rule.getKey())).append(": ").append(rule.getValue().patients).append(" of ").append(rates.patients())
				.append(" patients (").append(rate).append(")</title>")
				.append("<text x=\"").append(labelWidth - 6).append("\" y=\"").append(y + 15)
				.append("\" font-size=\"12\" text-anchor=\"end\">").append(escape(rule.getKey())).append("</text>")
				.append("<rect x=\"").append(labelWidth).append("\" y=\"").append(y + 2).append("\" width=\"")
				.append(String.format(Locale.ROOT, "%.1f", share * plotWidth)).append("\" height=\"").append(barHeight - 2)
				.append("\" fill=\"").append(INDICATOR_COLOURS.get(severest(rule.getValue()))).append("\"/>")
				.append("<text x=\"").append(String.format(Locale.ROOT, "%.1f", labelWidth + share * plotWidth + 4))
				.append("\" y=\"").append(y + 15).append("\" font-size=\"12\">").append(rate).append("</text></g>\n");
			y += barHeight + 4;
		}
		return svg.append("</svg>\n").toString();
	}

	/** Calls of one service by the number of cards they returned. */
	private static String histogram(String service, FiringRates.ServiceCounts counts) {
		int barWidth = 50;
		int plotHeight = 120;
		long most = 1;
		for (long calls : counts.cardsPerCall) {
			most = Math.max(most, calls);
		}
		int width = counts.cardsPerCall.length * (barWidth + 10) + 20;
		StringBuilder svg = new StringBuilder();
		svg.append("<figure>\n<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"cards-per-call\" data-service=\"")
			.append(escape(service)).append("\" role=\"img\" viewBox=\"0 0 ").append(width).append(' ').append(plotHeight + 40)
			.append("\" width=\"").append(width).append("\" height=\"").append(plotHeight + 40).append("\">\n<title>")
			.append(escape(service)).append(": calls by number of cards</title>\n");
		for (int cards = 0; cards < counts.cardsPerCall.length; cards++) {
			long calls = counts.cardsPerCall[cards];
			int x = 10 + cards * (barWidth + 10);
			double h = (double) calls / most * plotHeight;
			svg.append("<g class=\"bin\"><title>").append(cardsLabel(cards)).append(" cards: ").append(calls)
				.append(" calls</title><rect x=\"").append(x).append("\" y=\"")
				.append(String.format(Locale.ROOT, "%.1f", 15 + plotHeight - h)).append("\" width=\"").append(barWidth)
				.append("\" height=\"").append(String.format(Locale.ROOT, "%.1f", h)).append("\" fill=\"#3b6fb6\"/>")
				.append("<text x=\"").append(x + barWidth / 2).append("\" y=\"")
				.append(String.format(Locale.ROOT, "%.1f", 12 + plotHeight - h)).append("\" font-size=\"11\" text-anchor=\"middle\">")
				.append(calls).append("</text><text x=\"").append(x + barWidth / 2).append("\" y=\"").append(plotHeight + 32)
				.append("\" font-size=\"12\" text-anchor=\"middle\">").append(cardsLabel(cards)).append("</text></g>\n");
		}
		return svg.append("</svg>\n<figcaption>").append(escape(service))
			.append(": calls by number of cards returned</figcaption>\n</figure>\n").toString();
	}

	/** A Markdown table of this class as an HTML table. */
	private static String table(String markdown) {
		String[] lines = markdown.split("\n");
		StringBuilder html = new StringBuilder("<table><thead><tr>");
		for (String cell : cells(lines[0])) {
			html.append("<th>").append(escape(cell)).append("</th>");
		}
		html.append("</tr></thead><tbody>\n");
		for (int i = 2; i < lines.length; i++) {
			html.append("<tr>");
			for (String cell : cells(lines[i])) {
				html.append(cell.matches("[0-9.%-]+") ? "<td class=\"n\">" : "<td>").append(escape(cell)).append("</td>");
			}
			html.append("</tr>\n");
		}
		return html.append("</tbody></table>\n").toString();
	}

	private static List<String> cells(String line) {
		String inner = line.strip();
		inner = inner.substring(1, inner.length() - 1);
		return List.of(inner.split("\\|", -1)).stream().map(String::strip).toList();
	}

	private static String severest(FiringRates.RuleCounts counts) {
		for (String indicator : List.of("critical", "warning")) {
			if (counts.indicators.get(indicator) > 0) {
				return indicator;
			}
		}
		return "info";
	}

	private static String cardsLabel(int cards) {
		return cards == FiringRates.HISTOGRAM_TOP ? cards + "+" : Integer.toString(cards);
	}

	private static String percent(long part, long whole) {
		return whole == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
	}

	private static String ratio(long part, long whole) {
		return whole == 0 ? "-" : String.format(Locale.ROOT, "%.2f", (double) part / whole);
	}

	private static String millis(long nanos) {
		return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
	}

	static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
	}
}
