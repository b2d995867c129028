package org.myositiscds.guidance;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.myositiscds.knowledge.ClinicalSources;
import org.myositiscds.knowledge.GuidancePages;
import org.myositiscds.knowledge.GuidancePages.Guidance;
import org.myositiscds.knowledge.KnowledgeBase;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/**
 * The pages a card's source link opens, for a clinician first: the rule in plain words, the
 * patient facts and thresholds it uses, its sources; the CQL folded away for informaticists. Plain
 * HTML with no script, readable on a phone, printable. Links are relative, so the pages work behind
 * any base path.
 */
@RestController
class GuidanceController {

	private static final Map<String, String> FAMILIES = Map.of("HBV", "Hepatitis B screening before anti-CD20 therapy",
			"RTX", "Rituximab in dermatomyositis and the other inflammatory myopathies", "TAC",
			"Tacrolimus with rituximab", "DATA", "Data the service could not read");

	private static final List<String> FAMILY_ORDER = List.of("RTX", "TAC", "HBV", "DATA");

	private static final Pattern MARKDOWN_LINK = Pattern.compile("\\[([^\\]]+)]\\((https://[^)\\s]+)\\)");

	private final KnowledgeBase knowledgeBase;

	GuidanceController(KnowledgeBase knowledgeBase) {
		this.knowledgeBase = knowledgeBase;
	}

	@GetMapping("/guidance")
	ResponseEntity<String> index() {
		return html(index("guidance/"));
	}

	@GetMapping("/guidance/")
	ResponseEntity<String> indexInFolder() {
		return html(index(""));
	}

	@GetMapping("/guidance/sources")
	ResponseEntity<String> sources() {
		StringBuilder list = new StringBuilder();
		for (ClinicalSources.Source source : knowledgeBase.current().guidance().sources().all()) {
			list.append("<li id=\"").append(source.anchor()).append("\"><h2>").append(escape(source.label()))
				.append("</h2><p>").append(markdown(source.citation())).append("</p><p>")
				.append(markdown(source.usedFor())).append("</p><p>Where to read it: ")
				.append(markdown(source.whereToRead())).append("</p></li>");
		}
		return html(page("Sources of the Myositis CDS rules", "<p class=\"crumb\"><a href=\"./\">All rules</a></p>"
				+ "<h1>Sources of the rules</h1><p>Every rule of the service rests on one or more of these documents. "
				+ "Each rule's page names the part of the document it rests on.</p><ul class=\"source-list\">" + list
				+ "</ul>"));
	}

	@GetMapping("/guidance/{ruleId}")
	ResponseEntity<String> page(@PathVariable String ruleId) {
		return knowledgeBase.current().guidance().find(ruleId).map(this::rulePage).map(GuidanceController::html)
			.orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND).contentType(MediaType.APPLICATION_JSON)
				.body("{\"error\":\"not_found\",\"message\":\"No rule has this id; GET /guidance/ lists the rules\"}"));
	}

	private String index(String prefix) {
		Map<String, List<Guidance>> byFamily = knowledgeBase.current().guidance().all().stream()
			.collect(Collectors.groupingBy(page -> page.ruleId().substring(0, page.ruleId().indexOf('-'))));
		StringBuilder body = new StringBuilder("<h1>Myositis CDS: the rules</h1>"
				+ "<p>Each card of the service names its rule. Open a rule to read when it fires, what to do, what it "
				+ "does not cover, the thresholds it uses and the sources it rests on (<a href=\"" + prefix
				+ "sources\">all sources</a>).</p>");
		List<String> families = new java.util.ArrayList<>(FAMILY_ORDER);
		byFamily.keySet().stream().filter(family -> !families.contains(family)).sorted().forEach(families::add);
		for (String family : families) {
			List<Guidance> pages = byFamily.get(family);
			if (pages == null) {
				continue;
			}
			body.append("<h2>").append(escape(FAMILIES.getOrDefault(family, family))).append("</h2><ul class=\"rules\">");
			pages.forEach(page -> body.append("<li><a href=\"").append(prefix).append(page.ruleId()).append("\"><b>")
				.append(page.ruleId()).append("</b> ").append(escape(page.title())).append("</a></li>"));
			body.append("</ul>");
		}
		return page("Myositis CDS rules", body.toString());
	}

	private String rulePage(Guidance page) {
		StringBuilder body = new StringBuilder();
		body.append("<p class=\"crumb\"><a href=\"./\">All rules</a></p>");
		body.append("<h1><span class=\"id\">").append(page.ruleId()).append("</span> ").append(escape(page.title()))
			.append("</h1>");
		body.append("<section id=\"rule\" class=\"rule\">");
		body.append("<h2>When it fires</h2>").append(prose(page.words().firesWhen()));
		body.append("<h2>What to do</h2>").append(prose(page.words().whatToDo()));
		body.append("<h2>What it does not cover</h2>").append(prose(page.words().notCovered()));
		body.append("</section>");
		body.append("<section id=\"facts\"><h2>Patient facts it looks at</h2>").append(prose(page.words().looksAt()))
			.append("</section>");
		body.append("<section id=\"thresholds\"><h2>Thresholds and constants it uses</h2>");
		if (page.thresholds().isEmpty()) {
			body.append("<p>None: this rule uses no number of its own.</p>");
		}
		else {
			body.append("<ul class=\"thresholds\">");
			for (GuidancePages.Threshold threshold : page.thresholds()) {
				body.append("<li><span class=\"name\">").append(escape(threshold.name())).append("</span>: <strong>")
					.append(escape(threshold.value())).append(threshold.unit().isEmpty() ? "" : " " + escape(threshold.unit()))
					.append("</strong>")
					.append(threshold.expression() == null ? "" : " (" + escape(threshold.expression()) + ")")
					.append(" <span class=\"kind\">")
					.append(threshold.setting() ? "setting, default value" : "fixed by the guidance")
					.append("</span></li>");
			}
			body.append("</ul><p class=\"note\">A setting can be changed by the site's informaticists; "
					+ "the value shown is the one the service uses unless it was changed.</p>");
		}
		body.append("</section>");
		body.append("<section id=\"sources\"><h2>Sources</h2><ol class=\"citations\">");
		for (GuidancePages.Citation citation : page.citations()) {
			ClinicalSources.Source source = citation.source();
			body.append("<li><strong>").append(escape(source.label())).append("</strong>");
			if (citation.section() != null && !citation.section().isEmpty()) {
				body.append(", ").append(escape(citation.section()));
			}
			body.append(". ").append(markdown(source.citation()));
			source.links().forEach(link -> body.append(" <a href=\"").append(escape(link.url())).append("\">")
				.append(escape(link.text())).append("</a>"));
			body.append(" <a class=\"about\" href=\"sources#").append(source.anchor()).append("\">About this source</a></li>");
		}
		body.append("</ol></section>");
		body.append("<section id=\"override-memory\"><h2>When the card is overridden</h2><p class=\"override-memory\">")
			.append(escape(GuidancePages.overrideMemory(knowledgeBase.current(), page.ruleId()))).append("</p></section>");
		body.append(informaticists(page));
		body.append("<footer><p>The service advises; the clinician decides.</p></footer>");
		return page(page.ruleId() + " " + page.title(), body.toString());
	}

	private static String informaticists(Guidance page) {
		StringBuilder details = new StringBuilder("<details class=\"cql\"><summary>For informaticists: the CQL of ")
			.append(page.ruleId()).append("</summary>");
		details.append("<p>The card is <code>\"").append(page.ruleId()).append(" Card\"</code>, shown when <code>\"")
			.append(page.ruleId()).append(" Applies\"</code> is true, in ")
			.append(page.libraries().stream().map(library -> "<code>cql/" + escape(library) + ".cql</code>")
				.collect(Collectors.joining(", ")))
			.append(". Below: every definition the card reaches, and nothing else.</p>");
		Map<String, List<GuidancePages.Definition>> byLibrary = page.cql().stream()
			.collect(Collectors.groupingBy(GuidancePages.Definition::library, java.util.LinkedHashMap::new, Collectors.toList()));
		byLibrary.forEach((library, definitions) -> {
			String code = definitions.stream().map(d -> escape(d.cql())).collect(Collectors.joining("\n\n"));
			boolean own = page.libraries().contains(library);
			details.append(own ? "<h3>" : "<details><summary>").append("From <code>cql/").append(escape(library))
				.append(".cql</code>").append(own ? "" : " (shared, " + definitions.size() + " definitions)")
				.append(own ? "</h3>" : "</summary>").append("<pre><code>").append(code).append("</code></pre>")
				.append(own ? "" : "</details>");
		});
		return details.append("</details>").toString();
	}

	/** A field of the guidance block: paragraphs split at empty lines, "- " lines as a list. */
	private static String prose(String text) {
		StringBuilder html = new StringBuilder();
		for (String paragraph : text.split("\n\n")) {
			List<String> lines = paragraph.lines().toList();
			StringBuilder intro = new StringBuilder();
			StringBuilder items = new StringBuilder();
			for (String line : lines) {
				if (line.startsWith("- ")) {
					items.append("<li>").append(escape(line.substring(2))).append("</li>");
				}
				else {
					intro.append(escape(line));
				}
			}
			if (!intro.isEmpty()) {
				html.append("<p>").append(intro).append("</p>");
			}
			if (!items.isEmpty()) {
				html.append("<ul>").append(items).append("</ul>");
			}
		}
		return html.toString();
	}

	/** The Markdown of docs/sources.md cells: emphasis, code and https links; everything else escaped. */
	private static String markdown(String text) {
		StringBuilder html = new StringBuilder();
		Matcher link = MARKDOWN_LINK.matcher(text);
		int at = 0;
		while (link.find()) {
			html.append(inline(text.substring(at, link.start()))).append("<a href=\"").append(escape(link.group(2)))
				.append("\">").append(inline(link.group(1))).append("</a>");
			at = link.end();
		}
		return html.append(inline(text.substring(at))).toString();
	}

	private static String inline(String text) {
		return escape(text).replaceAll("\\*([^*]+)\\*", "<em>$1</em>").replaceAll("`([^`]+)`", "<code>$1</code>");
	}

	private static String escape(String text) {
		return HtmlUtils.htmlEscape(text, "UTF-8");
	}

	private static ResponseEntity<String> html(String page) {
		return ResponseEntity.ok().contentType(new MediaType(MediaType.TEXT_HTML, java.nio.charset.StandardCharsets.UTF_8))
			.body(page);
	}

	private static String page(String title, String body) {
		return """
				<!doctype html>
				<html lang="en"><head><meta charset="utf-8">
				<meta name="viewport" content="width=device-width, initial-scale=1">
				<title>%s</title>
				<style>
				:root{color-scheme:light}
				body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:1.0625rem;line-height:1.5;color:#1a1a1a;
				 max-width:46rem;margin:0 auto;padding:1rem 1.25rem 2rem}
				h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 1rem}
				h1 .id{display:inline-block;font-size:.8em;background:#e8eef7;color:#123e7c;border-radius:4px;padding:0 .35em;margin-right:.2em}
				h2{font-size:1.15rem;margin:1.5rem 0 .4rem;color:#123e7c}
				h3{font-size:1rem;margin:1rem 0 .3rem}
				p,li{overflow-wrap:break-word}
				ul,ol{padding-left:1.25rem}
				li{margin:.25rem 0}
				a{color:#0b57d0}
				.rule{border-left:4px solid #123e7c;padding-left:.9rem}
				.rule p,.rule li{white-space:normal;word-break:normal;hyphens:manual}
				.crumb{font-size:.9rem;margin:0}
				.thresholds .name{font-weight:500}
				.kind,.note,.about{color:#555;font-size:.9rem}
				.citations a,.source-list a{overflow-wrap:anywhere}
				.rules{list-style:none;padding:0}
				.rules li{margin:.4rem 0}
				.source-list{list-style:none;padding:0}
				details.cql{margin-top:2rem;border-top:1px solid #ccc;padding-top:.75rem}
				summary{cursor:pointer;font-weight:600}
				pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f5f5f5;padding:.75rem;border-radius:4px;font-size:.85rem}
				footer{margin-top:2rem;color:#555;font-size:.9rem}
				@media print{
				 body{max-width:none;font-size:11pt;padding:0}
				 .crumb,details,.about{display:none}
				 a{color:inherit;text-decoration:none}
				 .citations a[href^="http"]::after{content:" <" attr(href) ">";overflow-wrap:anywhere}
				 h2{break-after:avoid}
				 li,p{break-inside:avoid}
				}
				</style></head>
				<body>%s</body></html>
				""".formatted(escape(title), body);
	}
}
