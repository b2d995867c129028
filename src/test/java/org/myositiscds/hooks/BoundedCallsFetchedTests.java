package org.myositiscds.hooks;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.NEGATIVE;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.PatientScenario;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * In fetch mode the answers read from the EHR's FHIR server (WireMock) take room among the data the
 * calls under way hold, as request bodies do: a call that fetches much waits for room, until its
 * deadline, and gets the deadline's JSON 504; calls that fetch little go by it; the room comes back
 * when calls end, whether they succeed, fail or are stopped. Small limits here: 300 kB of room, a
 * fetch limit of 200 kB per call (a call fetching more than 50 kB then needs 200 kB of room at
 * once), a 2 s deadline.
 */
@CdsServiceTest(properties = { "myositis-cds.calls.deadline=2s", "myositis-cds.calls.bodies-at-once=300KB",
		"myositis-cds.prefetch.max-fetched-size=200KB", "myositis-cds.prefetch.circuit-breaker.minimum-calls=1000",
		"myositis-cds.prefetch.circuit-breaker.window=1000" })
class BoundedCallsFetchedTests {

	static final String SIGN = "hbv-screening-order-sign";

	static final String TOKEN = "ehr-access-token-fetched";

	static final long KB = 1024;

	static final long DEADLINE_MILLIS = 2000;

	@RegisterExtension
	static WireMockExtension ehr = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

	@Autowired
	CdsHooksClient client;

	@Autowired
	BoundedCalls calls;

	@Autowired
	MeterRegistry meters;

	final CountDownLatch blockerDone = new CountDownLatch(1);

	@AfterEach
	void releaseBlocker() {
		blockerDone.countDown();
	}

	/** A record with many hepatitis B results, as a long-followed patient has: its lab answer is large. */
	static PatientScenario withResults(String id, int results) {
		PatientScenario scenario = patient(id).dermatomyositis().draft(rituximabOrder("rtx-1"));
		for (int i = 0; i < results; i++) {
			scenario.lab("5196-1", "HBsAg", 30 + i, NEGATIVE);
		}
		return scenario;
	}

	static int labAnswerBytes(PatientScenario scenario) {
		return scenario.answer("Observation?patient=x&code=http://loinc.org|5196-1").length();
	}

	String fetchMode(PatientScenario scenario) {
		scenario.serveOn(ehr::stubFor, SIGN, "/fhir");
		return scenario.withoutPrefetch(SIGN, "order-sign", ehr.baseUrl() + "/fhir", TOKEN);
	}

	double held() {
		return meters.get("cds.calls.data.held").gauge().value();
	}

	/** The room comes back once the calls' work has ended (just after their answers). */
	void awaitNothingHeld() throws InterruptedException {
		long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (held() > 0 && System.nanoTime() < until) {
			Thread.sleep(20);
		}
		assertThat(held()).as("room held once every call has ended").isZero();
	}

	@Test
	void aLargeFetchWaitsForRoomUntilItsDeadlineWhileSmallCallsGoBy() throws Exception {
		PatientScenario large = withResults("fetched-large", 200);
		assertThat(labAnswerBytes(large)).as("over 50 kB, under the 200 kB fetch limit").isBetween(100_000, 190_000);
		String largeCall = fetchMode(large);
		String smallCall = fetchMode(patient("fetched-small").draft(rituximabOrder("rtx-1")));
		assertThat(client.call(SIGN, smallCall).status()).as("warm").isEqualTo(200);
		List<String> rules = client.call(SIGN, large.orderSign(SIGN)).rules();
		assertThat(rules).isNotEmpty();
		assertThat(client.call(SIGN, largeCall).rules()).as("alone, the large call is answered within its deadline")
			.isEqualTo(rules);
		awaitNothingHeld();

		// A call in work holding 200 kB of the 300 kB (as a large request body would) until released.
		calls.start(() -> {
			try {
				blockerDone.await(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
			return "blocker";
		}, 200 * KB, System.nanoTime(), null);
		long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (held() < 200 * KB && System.nanoTime() < until) {
			Thread.sleep(5);
		}
		assertThat(held()).isEqualTo(200 * KB);

		long start = System.nanoTime();
		CompletableFuture<CdsHooksClient.Answer> waiting = CompletableFuture.supplyAsync(() -> client.call(SIGN, largeCall));
		until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (ehr.findAll(getRequestedFor(urlPathEqualTo("/fhir/Observation")).withQueryParam("patient", equalTo("fetched-large")))
			.isEmpty() && System.nanoTime() < until) {
			Thread.sleep(5);
		}
		CdsHooksClient.Answer small = client.call(SIGN, smallCall);
		boolean smallFirst = !waiting.isDone();
		assertThat(small.status()).as("a small call beside the waiting one").isEqualTo(200);
		assertThat(small.rules()).containsExactly("HBV-1");

		CdsHooksClient.Answer answer = waiting.get(30, TimeUnit.SECONDS);
		long millis = (System.nanoTime() - start) / 1_000_000;
		System.out.println("The large fetch waiting for room was answered after " + millis + " ms");
		assertThat(answer.status()).isEqualTo(504);
		assertThat(answer.body().path("error").asText()).isEqualTo("deadline_exceeded");
		assertThat(millis).isGreaterThanOrEqualTo(DEADLINE_MILLIS - 100);
		assertThat(smallFirst).as("the small calls were answered while the large one waited").isTrue();
		assertThat(held()).as("only the blocker holds room").isEqualTo(200 * KB);

		blockerDone.countDown();
		awaitNothingHeld();
		CdsHooksClient.Answer again = client.call(SIGN, largeCall);
		assertThat(again.status()).as("the same call once there is room").isEqualTo(200);
		assertThat(again.rules()).isEqualTo(rules);
		awaitNothingHeld();
	}

	@Test
	void aCallOverItsFetchLimitGivesItsRoomBack() throws Exception {
		PatientScenario tooLarge = withResults("fetched-too-large", 500);
		assertThat(labAnswerBytes(tooLarge)).as("over the 200 kB fetch limit").isGreaterThan(210_000);
		assertThat(client.call(SIGN, fetchMode(patient("fetched-warm").draft(rituximabOrder("rtx-1")))).status())
			.as("warm, so that the 2 s deadline is not the first call's").isEqualTo(200);
		CdsHooksClient.Answer answer = client.call(SIGN, fetchMode(tooLarge));
		assertThat(answer.status()).isEqualTo(412);
		awaitNothingHeld();
	}
}
