package org.myositiscds.hooks;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.NEGATIVE;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.PatientScenario;
import org.myositiscds.RawHttp;
import org.myositiscds.TestJson;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Every call is bounded: a call that would take longer than the deadline (a record of thousands of
 * hepatitis B results, or a FHIR server that does not answer) gets a JSON 504 at the deadline and
 * its work is given up, a client that leaves stops its evaluation, a call that would fetch more
 * than the fetch limit gets 412, and normal calls beside a heavy one are answered as fast as ever.
 * The deadline is 2 s here (4 s in production), the fetch limit 300 kB.
 */
@CdsServiceTest(properties = { "myositis-cds.calls.deadline=2s", "myositis-cds.max-request-size=10MB", "myositis-cds.prefetch.max-fetched-size=300KB",
		"myositis-cds.prefetch.timeout=5s",
		"myositis-cds.prefetch.circuit-breaker.minimum-calls=1000", "myositis-cds.prefetch.circuit-breaker.window=1000" })
class BoundedCallsTests {

	static final String SIGN = "hbv-screening-order-sign";

	static final String TOKEN = "ehr-access-token-bounded";

	static final long DEADLINE_MILLIS = 2000;

	/**
	 * Hepatitis B results in the heavy record (about 5 MB, as an EHR that ignores the code filter
	 * may send): seconds of work, past the deadline, even at linear cost.
	 */
	static final int HEAVY_LABS = 16_000;

	@RegisterExtension
	static WireMockExtension ehr = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

	static String heavy;

	static String normal;

	@Autowired
	CdsHooksClient client;

	@Autowired
	MeterRegistry meters;

	@LocalServerPort
	int port;

	@BeforeAll
	static void requests() {
		PatientScenario record = patient("bounded-heavy").dermatomyositis().draft(rituximabOrder("rtx-1"));
		Map<String, JsonNode> prefetch = new LinkedHashMap<>(record.prefetch(SIGN));
		StringBuilder labs = new StringBuilder("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[");
		for (int i = 0; i < HEAVY_LABS; i++) {
			labs.append(i == 0 ? "" : ",").append("{\"resource\":{\"resourceType\":\"Observation\",\"id\":\"hbsag-")
				.append(i)
				.append("\",\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"5196-1\"}]},")
				.append("\"subject\":{\"reference\":\"Patient/bounded-heavy\"},\"effectiveDateTime\":\"")
				.append(PatientScenario.daysAgo(30 + i % 3000).getValueAsString())
				.append("\",\"valueCodeableConcept\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"260385009\"}]}}}");
		}
		prefetch.put("hbvLabs", TestJson.read(labs.append("]}").toString()));
		heavy = record.withPrefetch(SIGN, "order-sign", prefetch);
		normal = patient("bounded-normal").draft(rituximabOrder("rtx-1")).orderSign(SIGN);
	}

	@Test
	void aHeavyCallGetsAJson504AtTheDeadlineWhileNormalCallsBesideItStayFast() throws Exception {
		assertThat(client.call(SIGN, normal).rules()).as("warm").containsExactly("HBV-1");
		long alone = 0;
		for (int i = 0; i < 3; i++) {
			long callStart = System.nanoTime();
			assertThat(client.call(SIGN, normal).rules()).containsExactly("HBV-1");
			alone = Math.max(alone, (System.nanoTime() - callStart) / 1_000_000);
		}
		long abandonedBefore = abandoned("deadline");

		byte[] body = heavy.getBytes(StandardCharsets.UTF_8);
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
			socket.setSoTimeout(30_000);
			long start = System.nanoTime();
			OutputStream out = socket.getOutputStream();
			out.write(("POST /cds-services/" + SIGN + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
					+ "Connection: close\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			out.write(body);
			out.flush();
			long uploaded = System.nanoTime();
			CompletableFuture<RawHttp.Response> heavyAnswer = CompletableFuture.supplyAsync(() -> {
				try {
					return RawHttp.read(socket.getInputStream());
				}
				catch (IOException e) {
					throw new UncheckedIOException(e);
				}
			});
			List<Long> normalMillis = new ArrayList<>();
			while (!heavyAnswer.isDone()) {
				long callStart = System.nanoTime();
				CdsHooksClient.Answer answer = client.call(SIGN, normal);
				normalMillis.add((System.nanoTime() - callStart) / 1_000_000);
				assertThat(answer.rules()).containsExactly("HBV-1");
			}
			RawHttp.Response answer = heavyAnswer.join();
			long heavyMillis = (System.nanoTime() - start) / 1_000_000;
			long afterUpload = (System.nanoTime() - uploaded) / 1_000_000;

			System.out.println("Heavy call answered " + heavyMillis + " ms after it was sent (" + afterUpload
					+ " ms after its upload); normal calls alone, ms (max): " + alone + "; beside it, ms: " + normalMillis);
			assertThat(answer.status()).isEqualTo(504);
			assertDeadlineBody(answer.body());
			assertThat(heavyMillis).isGreaterThanOrEqualTo(DEADLINE_MILLIS - 100);
			// At the deadline, counted from the request's arrival; on a busy machine the answer's dispatch and the
			// collection of the 5 MB just parsed can add a second or two.
			assertThat(afterUpload).as("answered at the deadline").isLessThan(DEADLINE_MILLIS + 3000);
			assertThat(normalMillis).as("normal calls were answered while the heavy one ran").isNotEmpty();
			assertThat(Collections.max(normalMillis)).as("no normal call is delayed by the heavy one by as much as the deadline")
				.isLessThan(alone + DEADLINE_MILLIS);
		}

		long abandonedAfter = awaitAbandoned("deadline", abandonedBefore + 1, 60);
		assertThat(abandonedAfter).as("the heavy call's work was given up").isEqualTo(abandonedBefore + 1);
		System.out.println("The heavy call's worker was free " + maxLagMillis("deadline") + " ms after the deadline (max)");
	}

	@Test
	void aFhirServerSlowerThanTheDeadlineGetsTheDeadlineErrorNot412AtTheFetchTimeout() {
		PatientScenario scenario = patient("bounded-slow-server").draft(rituximabOrder("rtx-1"));
		scenario.serveOn(ehr::stubFor, SIGN, "/fhir");
		// Past the deadline, and within the fetch timeout (5 s here): only the deadline can stop the wait.
		ehr.stubFor(get(urlPathEqualTo("/fhir/Observation")).willReturn(aResponse().withFixedDelay(4000).withStatus(200)
			.withHeader("Content-Type", "application/fhir+json").withBody(scenario.answer("Observation?patient=x"))));
		long start = System.nanoTime();
		CdsHooksClient.Answer answer = client.call(SIGN,
				scenario.withoutPrefetch(SIGN, "order-sign", ehr.baseUrl() + "/fhir", TOKEN));
		long millis = (System.nanoTime() - start) / 1_000_000;
		System.out.println("A call waiting on a slow FHIR server was answered after " + millis + " ms");
		assertThat(answer.status()).isEqualTo(504);
		assertDeadlineBody(answer.body().toString());
		assertThat(millis).isBetween(DEADLINE_MILLIS - 100, DEADLINE_MILLIS + 1500);
	}

	@Test
	void aClientThatLeavesStopsTheEvaluation() throws Exception {
		long before = abandoned("client-gone");
		sendAndLeave(heavy, 400);
		// The body is parsed to its end before the evaluation starts and meets the stop.
		long after = awaitAbandoned("client-gone", before + 1, 60);
		assertThat(after).as("the evaluation of a call whose client left was given up").isEqualTo(before + 1);
		System.out.println("A call whose client left was given up " + maxLagMillis("client-gone") + " ms after (max)");
	}

	@Test
	void aClientThatLeavesStopsTheWaitForTheFhirServerAtOnce() throws Exception {
		PatientScenario scenario = patient("bounded-leaving").draft(rituximabOrder("rtx-1"));
		scenario.serveOn(ehr::stubFor, SIGN, "/fhir");
		ehr.stubFor(get(urlPathEqualTo("/fhir/Observation")).willReturn(aResponse().withFixedDelay(4000).withStatus(200)
			.withHeader("Content-Type", "application/fhir+json").withBody(scenario.answer("Observation?patient=x"))));
		long before = abandoned("client-gone");
		long start = System.nanoTime();
		sendAndLeave(scenario.withoutPrefetch(SIGN, "order-sign", ehr.baseUrl() + "/fhir", TOKEN), 300);
		long after = awaitAbandoned("client-gone", before + 1, 20);
		long millis = (System.nanoTime() - start) / 1_000_000;
		System.out.println("A call waiting on the FHIR server was given up " + millis + " ms after it was sent");
		assertThat(after).isEqualTo(before + 1);
		assertThat(millis).as("given up when the client left, not at the deadline").isLessThan(DEADLINE_MILLIS);
	}

	/** Sends a call over a raw socket and closes the connection after {@code millis}, without reading an answer. */
	private void sendAndLeave(String request, long millis) throws Exception {
		byte[] body = request.getBytes(StandardCharsets.UTF_8);
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
			OutputStream out = socket.getOutputStream();
			out.write(("POST /cds-services/" + SIGN + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
					+ "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			out.write(body);
			out.flush();
			Thread.sleep(millis);
		}
	}

	@Test
	void aCallThatWouldFetchMoreThanTheLimitGets412() {
		PatientScenario scenario = patient("bounded-big-fetch").draft(rituximabOrder("rtx-1"));
		for (int i = 0; i < 1000; i++) {
			scenario.lab("5196-1", "HBsAg", 30 + i, NEGATIVE);
		}
		scenario.serveOn(ehr::stubFor, SIGN, "/fhir");
		CdsHooksClient.Answer answer = client.call(SIGN,
				scenario.withoutPrefetch(SIGN, "order-sign", ehr.baseUrl() + "/fhir", TOKEN));
		assertThat(answer.status()).isEqualTo(412);
		assertThat(answer.body().path("error").asText()).isEqualTo("prefetch_unavailable");
		assertThat(answer.body().path("missingPrefetch").path("hbvLabs").asText())
			.isEqualTo("more data than the service reads for one call");
		assertThat(answer.body().toString()).doesNotContain(TOKEN);

		PatientScenario small = patient("bounded-small-fetch").draft(rituximabOrder("rtx-1"))
			.lab("5196-1", "HBsAg", 30, NEGATIVE);
		small.serveOn(ehr::stubFor, SIGN, "/fhir");
		assertThat(client.call(SIGN, small.withoutPrefetch(SIGN, "order-sign", ehr.baseUrl() + "/fhir", TOKEN)).status())
			.as("a call under the limit").isEqualTo(200);
	}

	private static void assertDeadlineBody(String body) {
		var json = TestJson.read(body);
		assertThat(json.path("error").asText()).isEqualTo("deadline_exceeded");
		assertThat(json.path("message").asText()).contains("time limit");
		assertThat(body).doesNotContain("Exception").doesNotContain("at org.");
	}

	private long abandoned(String reason) {
		Timer timer = meters.find("cds.calls.abandoned").tag("reason", reason).timer();
		return timer == null ? 0 : timer.count();
	}

	private double maxLagMillis(String reason) {
		return meters.find("cds.calls.abandoned").tag("reason", reason).timer().max(java.util.concurrent.TimeUnit.MILLISECONDS);
	}

	/** The count once it reaches {@code expected}, or after {@code seconds}. */
	private long awaitAbandoned(String reason, long expected, int seconds) throws InterruptedException {
		long until = System.nanoTime() + seconds * 1_000_000_000L;
		while (abandoned(reason) < expected && System.nanoTime() < until) {
			Thread.sleep(20);
		}
		return abandoned(reason);
	}
}
