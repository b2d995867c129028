package org.myositiscds.guidance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.browser.HeadlessChromium;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The guidance pages in a real browser, at a desktop width and at a phone's (390 px): no page
 * needs sideways scrolling, and no word of the rule text is cut across lines or pushed off the
 * screen. Screenshots go to target/screenshots/guidance-*.png.
 */
@CdsServiceTest
class GuidancePagesBrowserTests {

	@RegisterExtension
	static final HeadlessChromium browser = new HeadlessChromium();

	/**
	 * The rule text's problems as the browser laid it out: a {@code <pre>}, lines that do not
	 * reflow, an element wider than itself, and every word (split at spaces, hyphens and slashes,
	 * where a line may break) whose boxes lie on more than one line or outside the viewport.
	 */
	private static final String RULE_TEXT_PROBLEMS = """
			const rule = document.getElementById('rule');
			if (!rule) return ['the page has no #rule section'];
			const problems = [];
			if (rule.querySelector('pre')) problems.push('rule text in a <pre>');
			const width = document.documentElement.clientWidth;
			for (const element of rule.querySelectorAll('p, li')) {
			  const style = getComputedStyle(element);
			  if (style.whiteSpace !== 'normal') problems.push('white-space ' + style.whiteSpace + ': ' + element.textContent.slice(0, 40));
			  if (element.scrollWidth > element.clientWidth + 1) problems.push('wider than its box: ' + element.textContent.slice(0, 40));
			}
			if (!rule.querySelector('p')) problems.push('no paragraph in the rule text');
			const walker = document.createTreeWalker(rule, NodeFilter.SHOW_TEXT);
			const range = document.createRange();
			let words = 0;
			for (let node = walker.nextNode(); node; node = walker.nextNode()) {
			  const word = /[^\\s\\-\\/\\u2013\\u2014]+/g;
			  for (let match = word.exec(node.data); match; match = word.exec(node.data)) {
			    words++;
			    range.setStart(node, match.index);
			    range.setEnd(node, match.index + match[0].length);
			    const boxes = Array.from(range.getClientRects()).filter(box => box.width > 0);
			    if (new Set(boxes.map(box => Math.round(box.top))).size > 1) problems.push('word cut across lines: ' + match[0]);
			    if (boxes.some(box => box.right > width + 1 || box.left < -1)) problems.push('word off the screen: ' + match[0]);
			  }
			}
			if (words < 30) problems.push('only ' + words + ' words of rule text');
			return problems;
			""";

	@Autowired
	CdsHooksClient client;

	@ParameterizedTest(name = "{0} at {1} px")
	@CsvSource({ "RTX-3, 1280", "RTX-3, 390", "HBV-3, 1280", "HBV-3, 390", "TAC-1, 1280", "TAC-1, 390" })
	void aRulePageReadsWellWithoutSidewaysScrolling(String rule, int width) {
		browser.open(client.url("/guidance/" + rule), width);
		browser.screenshot("guidance-" + rule.toLowerCase() + "-" + width);
		assertThat(browser.script("return window.innerWidth;")).isEqualTo((long) width);
		assertThat(browser.script("return document.querySelector('h1').textContent;")).asString().startsWith(rule);
		assertThat(browser.needsHorizontalScrolling()).as("sideways scrolling").isFalse();
		assertThat(problems()).isEmpty();
		assertThat(browser.script("return document.querySelector('details.cql').open;")).as("CQL folded").isEqualTo(false);
		assertThat(((Number) browser.script("return parseFloat(getComputedStyle(document.querySelector('#rule p')).fontSize);"))
			.doubleValue()).as("rule text size in px").isGreaterThanOrEqualTo(16.0);
	}

	@ParameterizedTest(name = "index at {0} px")
	@CsvSource({ "1280", "390" })
	void theIndexFitsTheScreen(int width) {
		browser.open(client.url("/guidance/"), width);
		browser.screenshot("guidance-index-" + width);
		assertThat(browser.needsHorizontalScrolling()).isFalse();
		assertThat(browser.script("return document.querySelectorAll('ul.rules a').length;")).isEqualTo(25L);
	}

	@Test
	void theCqlUnfoldedStillFitsAPhone() {
		browser.open(client.url("/guidance/RTX-3"), 390);
		browser.script("document.querySelectorAll('details').forEach(d => d.open = true);");
		browser.screenshot("guidance-rtx-3-390-cql-open");
		assertThat(browser.script("return document.querySelector('details.cql pre').textContent;")).asString()
			.contains("define \"RTX-3 Card\"").doesNotContain("define \"RTX-2 Card\"");
		assertThat(browser.needsHorizontalScrolling()).isFalse();
	}

	@Test
	void printingShowsTheClinicalPartAndLeavesOutTheCqlAndNavigation() {
		browser.open(client.url("/guidance/HBV-3"), 390);
		browser.driver().executeCdpCommand("Emulation.setEmulatedMedia", Map.of("media", "print"));
		try {
			browser.screenshot("guidance-hbv-3-print");
			assertThat(browser.script("return getComputedStyle(document.querySelector('details.cql')).display;")).isEqualTo("none");
			assertThat(browser.script("return getComputedStyle(document.querySelector('.crumb')).display;")).isEqualTo("none");
			assertThat(browser.script("return getComputedStyle(document.querySelector('#rule')).display;")).isNotEqualTo("none");
			assertThat(browser.needsHorizontalScrolling()).isFalse();
			assertThat(problems()).isEmpty();
		}
		finally {
			browser.driver().executeCdpCommand("Emulation.setEmulatedMedia", Map.of("media", ""));
		}
	}

	@Test
	void theRuleTextCheckFailsOnTextThatBreaksWordsOrOverflows() {
		browser.open(client.url("/guidance/RTX-3"), 390);
		browser.script("document.querySelectorAll('#rule p, #rule li').forEach(e => e.style.wordBreak = 'break-all');");
		assertThat(problems()).anyMatch(problem -> problem.startsWith("word cut across lines"));
		browser.open(client.url("/guidance/RTX-3"), 390);
		// What the pages did before: the rule text as a <pre> whose lines do not reflow.
		browser.script("const p = document.createElement('pre'); p.textContent = 'a'.repeat(200);"
				+ " p.style.whiteSpace = 'pre'; p.style.overflowWrap = 'normal';"
				+ " document.getElementById('rule').appendChild(p);");
		assertThat(problems()).contains("rule text in a <pre>").anyMatch(problem -> problem.startsWith("word off the screen"));
		assertThat(browser.needsHorizontalScrolling()).isTrue();
	}

	@SuppressWarnings("unchecked")
	private static List<String> problems() {
		return (List<String>) browser.script(RULE_TEXT_PROBLEMS);
	}
}
