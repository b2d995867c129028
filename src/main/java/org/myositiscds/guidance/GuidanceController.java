package org.myositiscds.guidance;

import org.myositiscds.knowledge.GuidancePages;
import org.myositiscds.knowledge.KnowledgeBase;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/** The pages a card's source link opens: plain HTML, readable on a phone and printable. */
@RestController
class GuidanceController {

	private final KnowledgeBase knowledgeBase;

	GuidanceController(KnowledgeBase knowledgeBase) {
		this.knowledgeBase = knowledgeBase;
	}

	@GetMapping(path = "/guidance", produces = MediaType.TEXT_HTML_VALUE)
	String index() {
		StringBuilder list = new StringBuilder("<ul>");
		knowledgeBase.current().guidance().all().forEach(page -> list.append("<li><a href=\"guidance/").append(page.ruleId()).append("\">")
			.append(page.ruleId()).append("</a> ").append(escape(page.title())).append("</li>"));
		return html("Myositis CDS rules", "<h1>Myositis CDS rules</h1>" + list + "</ul>");
	}

	@GetMapping(path = "/guidance/{ruleId}", produces = MediaType.TEXT_HTML_VALUE)
	ResponseEntity<String> page(@PathVariable String ruleId) {
		return knowledgeBase.current().guidance().find(ruleId)
			.map(page -> ResponseEntity.ok(html(page.ruleId() + " " + page.title(), """
					<p class="crumb"><a href="../guidance">All rules</a> · library %s</p>
					<h1>%s: %s</h1>
					<h2>The rule</h2>
					<pre class="words">%s</pre>
					<h2>Thresholds in force</h2>
					<ul>%s</ul>
					<h2>When the card is overridden</h2>
					<p class="override-memory">%s</p>
					<h2>CQL</h2>
					<p>What the service evaluates, from <code>cql/%s.cql</code>:</p>
					<pre class="cql">%s</pre>
					""".formatted(escape(page.library()), escape(page.ruleId()), escape(page.title()),
					escape(page.plainWords()),
					String.join("", page.thresholds().stream().map(t -> "<li>" + escape(t) + "</li>").toList()),
					escape(GuidancePages.overrideMemory(knowledgeBase.current(), page.ruleId())),
					escape(page.library()), escape(page.cql())))))
			.orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND)
				.contentType(MediaType.TEXT_HTML)
				.body(html("Unknown rule", "<h1>No rule " + escape(ruleId.length() > 20 ? ruleId.substring(0, 20) : ruleId)
						+ "</h1><p><a href=\"../guidance\">All rules</a></p>")));
	}

	private static String escape(String text) {
		return HtmlUtils.htmlEscape(text);
	}

	private static String html(String title, String body) {
		return """
				<!doctype html>
				<html lang="en"><head><meta charset="utf-8">
				<meta name="viewport" content="width=device-width, initial-scale=1">
				<title>%s</title>
				<style>
				body{font-family:system-ui,sans-serif;max-width:50rem;margin:auto;padding:1rem;line-height:1.45}
				pre{white-space:pre-wrap;word-wrap:break-word;background:#f5f5f5;padding:.75rem;border-radius:4px}
				pre.words{background:none;padding:0;font-family:inherit}
				.crumb{font-size:.9rem;color:#555}
				@media print{a{color:inherit;text-decoration:none}.crumb{display:none}pre{background:none}}
				</style></head>
				<body>%s</body></html>
				""".formatted(escape(title), body);
	}
}
