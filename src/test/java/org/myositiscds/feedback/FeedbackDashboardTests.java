package org.myositiscds.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.TestSecrets;
import org.myositiscds.browser.HeadlessChromium;
import org.openqa.selenium.By;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The feedback dashboard in a real headless Chromium at desktop width: the page asks for the admin
 * token, fetches the report with it, and draws its charts as SVG, a bar per rule and count and a
 * point per rule and day.
 */
@CdsServiceTest(properties = "myositis-cds.security.admin-token=" + FeedbackDashboardTests.ADMIN_TOKEN)
class FeedbackDashboardTests {

	static final String ADMIN_TOKEN = "dashboard-test-admin-token-0123456789abcdef";

	static final String SIGN = "hbv-screening-order-sign";

	@RegisterExtension
	static final HeadlessChromium browser = new HeadlessChromium();

	@Autowired
	CdsHooksClient client;

	@Autowired
	JdbcClient jdbc;

	@Value("${local.server.port}")
	int port;

	/** Cards of three rules, one overridden with a coded reason and then kept back by the memory. */
	void someFeedback() {
		OverrideFeedback service = new OverrideFeedback(client, jdbc);
		String unscreened = OverrideFeedback.newPatientId();
		CdsHooksClient.Answer hbv1 = service.sign(OverrideFeedback.unscreened(unscreened));
		service.override(SIGN, hbv1.card("HBV-1"), OverrideFeedback.reason("results-pending", "Results pending"));
		assertThat(service.sign(OverrideFeedback.unscreened(unscreened)).rules()).doesNotContain("HBV-1");
		service.sign(OverrideFeedback.hbsAgPositive(OverrideFeedback.newPatientId()));
		CdsHooksClient.Answer last = service.sign(OverrideFeedback.nonImmune(OverrideFeedback.newPatientId()));
		// The card log writes calls in batches, in the order they came: once the last call's cards are
		// in the store, so are the earlier calls' (the suppressed HBV-1 included), and the report is final.
		last.body().path("cards").forEach(card -> service.awaitRecorded(card.path("uuid").asText()));
	}

	/** The JSON report, as the page gets it, once the card log has written what it was given. */
	JsonNode report() throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/admin/feedback/summary"))
			.header("Authorization", "Bearer " + TestSecrets.remember(ADMIN_TOKEN))
			.build();
		HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return org.myositiscds.TestJson.read(response.body());
	}

	@Test
	void theDashboardDrawsItsChartsForEveryRuleInTheReport() throws Exception {
		someFeedback();
		Instant deadline = Instant.now().plusSeconds(10);
		JsonNode report = report();
		while (!hasSuppressed(report, "HBV-1") && Instant.now().isBefore(deadline)) {
			Thread.sleep(50);
			report = report();
		}
		List<String> rules = new ArrayList<>();
		report.path("rules").forEach(rule -> rules.add(rule.path("rule").asText()));
		assertThat(rules).contains("HBV-1", "HBV-2", "HBV-5");
		JsonNode hbv1 = rule(report, "HBV-1");
		assertThat(hbv1.path("suppressed").asLong()).isPositive();
		assertThat(hbv1.path("days")).isNotEmpty();
		assertThat(hbv1.path("days").get(hbv1.path("days").size() - 1).path("suppressed").asLong()).isPositive();

		browser.open("http://localhost:" + port + "/admin/feedback", 1280);
		assertThat(browser.driver().findElements(By.cssSelector("svg.chart"))).as("nothing drawn before the token").isEmpty();
		browser.driver().findElement(By.id("token")).sendKeys(ADMIN_TOKEN);
		browser.driver().findElement(By.cssSelector("#access button")).click();
		awaitCharts();

		for (String rule : rules) {
			JsonNode summary = rule(report, rule);
			assertThat(count("svg[data-chart=totals] rect.bar[data-rule='" + rule + "']")).as(rule + " bars").isEqualTo(4);
			assertThat(count("svg[data-chart=series][data-rule='" + rule + "'] circle.point"))
				.as(rule + " points: 4 counts per day with cards")
				.isEqualTo(4 * summary.path("days").size());
		}
		assertThat(attribute("svg[data-chart=totals] rect.bar[data-rule='HBV-1'][data-series=suppressed]", "data-value"))
			.isEqualTo(String.valueOf(hbv1.path("suppressed").asLong()));
		assertThat(count("svg[data-chart=reasons][data-rule='HBV-1'] rect.bar")).as("HBV-1 override reasons").isPositive();
		assertThat(browser.driver().findElement(By.cssSelector("#numbers tbody")).getText()).contains("HBV-1");
		assertThat(browser.needsHorizontalScrolling()).as("fits a desktop screen").isFalse();
		assertThat(browser.driver().getCurrentUrl()).as("the token never goes into the URL").doesNotContain(ADMIN_TOKEN);
		Path screenshot = browser.screenshot("feedback-dashboard-desktop");
		assertThat(Files.size(screenshot)).isPositive();
	}

	@Test
	void aWrongTokenDrawsNothingAndSaysSo() {
		browser.open("http://localhost:" + port + "/admin/feedback", 1280);
		browser.driver().findElement(By.id("token")).sendKeys("not-the-admin-token");
		browser.driver().findElement(By.cssSelector("#access button")).click();
		Instant deadline = Instant.now().plusSeconds(10);
		while (!browser.driver().findElement(By.id("status")).getText().contains("refused") && Instant.now().isBefore(deadline)) {
			sleep();
		}
		assertThat(browser.driver().findElement(By.id("status")).getText()).contains("The admin token was refused");
		assertThat(count("svg.chart")).isZero();
	}

	@Test
	void thePageHoldsNoDataLoadsNothingFromElsewhereAndForbidsInlineCodeOfOthers() throws Exception {
		HttpResponse<String> page = HttpClient.newHttpClient().send(
				HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/admin/feedback"))
					.header("Accept", "text/html").build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(page.statusCode()).as("the page itself needs no token").isEqualTo(200);
		assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
		assertThat(page.headers().firstValue("Cache-Control").orElse("")).contains("no-store");
		assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
			.contains("default-src 'none'", "script-src 'sha256-", "connect-src 'self'", "form-action 'none'")
			.doesNotContain("unsafe-inline");
		assertThat(page.body()).doesNotContainPattern("(src|href)=\"(https?:)?//").doesNotContain("HBV-1");
		HttpResponse<String> post = HttpClient.newHttpClient().send(
				HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/admin/feedback"))
					.header("Authorization", "Bearer wrong").POST(HttpRequest.BodyPublishers.noBody()).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(post.statusCode()).as("only GET of the page goes without the token").isEqualTo(401);
	}

	private static boolean hasSuppressed(JsonNode report, String rule) {
		return rule(report, rule).path("suppressed").asLong() > 0;
	}

	private static JsonNode rule(JsonNode report, String rule) {
		return OverrideMemoryTests.rule(report, rule);
	}

	private void awaitCharts() {
		Instant deadline = Instant.now().plusSeconds(10);
		while (count("svg[data-chart=series] circle.point") == 0 && Instant.now().isBefore(deadline)) {
			sleep();
		}
		assertThat(count("svg[data-chart=series] circle.point")).as("charts drawn; status: %s",
				browser.driver().findElement(By.id("status")).getText()).isPositive();
	}

	private long count(String css) {
		return ((Number) browser.script("return document.querySelectorAll(arguments[0]).length;", css)).longValue();
	}

	private String attribute(String css, String name) {
		return (String) browser.script("var e = document.querySelector(arguments[0]); return e && e.getAttribute(arguments[1]);",
				css, name);
	}

	private static void sleep() {
		try {
			Thread.sleep(50);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new AssertionError(e);
		}
	}
}
