package org.myositiscds.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PackagedService.awaitOk;
import static org.myositiscds.PackagedService.freePort;
import static org.myositiscds.PackagedService.get;
import static org.myositiscds.PackagedService.post;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.myositiscds.PackagedService;
import org.myositiscds.TestJson;


/**
 * Feedback that got a 200 survives the process being killed. Starts the packaged service
 * (target/myositis-cds.jar) as a separate process on an H2 data directory, sends feedback from
 * several threads, kills the process with SIGKILL while they are sending, starts it again on the
 * same directory, and looks up every acknowledged feedback item. Run by {@code mvn verify}, after packaging.
 */
class FeedbackDurabilityIT {

	static final String SIGN = "hbv-screening-order-sign";

	static final int THREADS = 8;

	/** Acknowledged items, and time under load, before the kill: enough that it lands mid-stream. */
	static final int KILL_AFTER_ACKNOWLEDGED = 1000;

	static final Duration MIN_LOAD = Duration.ofSeconds(2);

	@TempDir
	Path work;

	/** One feedback item that was sent, identified by card and timestamp. */
	record Item(String card, String outcome, String timestamp) {
	}

	@Test
	void everyFeedbackThatGotA200IsThereAfterASigkill() throws Exception {
		Path dataDir = work.resolve("data");

		int port = freePort();
		Process service = start(port, dataDir, work.resolve("first.log"));
		Queue<Item> acknowledged = new ConcurrentLinkedQueue<>();
		AtomicInteger itemsSent = new AtomicInteger();
		AtomicInteger requestsSent = new AtomicInteger();
		AtomicInteger requestsFailed = new AtomicInteger();
		String keyBefore;
		try {
			awaitOk(service, port, "/cds-services", Duration.ofSeconds(120), work.resolve("first.log"));
			keyBefore = Files.readString(dataDir.resolve(PatientHasher.KEY_FILE));
			List<String> shownCards = showCards(port, 10);

			AtomicBoolean stop = new AtomicBoolean();
			List<Thread> senders = new ArrayList<>();
			for (int t = 0; t < THREADS; t++) {
				Thread sender = new Thread(() -> {
					while (!stop.get()) {
						List<Item> items = items(shownCards);
						itemsSent.addAndGet(items.size());
						requestsSent.incrementAndGet();
						try {
							HttpResponse<String> response = post(port, "/cds-services/" + SIGN + "/feedback", body(items));
							if (response.statusCode() == 200) {
								acknowledged.addAll(items);
							}
							else {
								requestsFailed.incrementAndGet();
							}
						}
						catch (IOException e) {
							// In flight at the kill: this request may or may not have been stored.
							requestsFailed.incrementAndGet();
						}
						catch (InterruptedException e) {
							return;
						}
					}
				}, "feedback-sender-" + t);
				sender.start();
				senders.add(sender);
			}
			Instant loadStart = Instant.now();
			Instant deadline = loadStart.plusSeconds(60);
			while (acknowledged.size() < KILL_AFTER_ACKNOWLEDGED
					|| Duration.between(loadStart, Instant.now()).compareTo(MIN_LOAD) < 0) {
				assertThat(Instant.now()).as("%d acknowledged within 60 s", KILL_AFTER_ACKNOWLEDGED).isBefore(deadline);
				Thread.sleep(10);
			}
			service.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, no clean close of H2
			stop.set(true);
			service.waitFor();
			for (Thread sender : senders) {
				sender.join(15_000);
			}
		}
		finally {
			service.destroyForcibly();
		}
		assertThat(requestsFailed.get()).as("the kill came while requests were being sent").isPositive();

		int port2 = freePort();
		Process restarted = start(port2, dataDir, work.resolve("second.log"));
		try {
			awaitOk(restarted, port2, "/cds-services", Duration.ofSeconds(120), work.resolve("second.log"));
			assertThat(Files.readString(dataDir.resolve(PatientHasher.KEY_FILE))).as("the same patient hash key")
				.isEqualTo(keyBefore);
			List<Item> missing = new ArrayList<>();
			for (Item item : acknowledged) {
				if (!stored(port2, item)) {
					missing.add(item);
				}
			}
			JsonNode summary = TestJson.read(get(port2, "/admin/feedback/summary").body());
			long storedInAll = summary.path("unknownCards").path("feedback").asLong();
			for (JsonNode rule : summary.path("rules")) {
				storedInAll += rule.path("feedback").asLong();
			}
			// A repeat of acknowledged feedback after the restart is recognised as such.
			List<Item> sample = acknowledged.stream().limit(20).toList();
			JsonNode again = TestJson.read(post(port2, "/cds-services/" + SIGN + "/feedback", body(sample)).body());

			String figures = String.format(
					"Durability (SIGKILL): %d threads sent %d feedback items in %d requests; %d items acknowledged "
							+ "with 200; %d requests failed at the kill; after restart %d of %d acknowledged items found "
							+ "(%d stored in all, in-flight ones included); %d of %d resent items recognised as repeats",
					THREADS, itemsSent.get(), requestsSent.get(), acknowledged.size(), requestsFailed.get(),
					acknowledged.size() - missing.size(), acknowledged.size(), storedInAll,
					again.path("alreadyStored").asInt(), sample.size());
			System.out.println(figures);
			Files.writeString(Path.of("target", "durability-figures.txt"), figures + System.lineSeparator());

			assertThat(missing).as("acknowledged feedback missing after the kill").isEmpty();
			assertThat(storedInAll).isGreaterThanOrEqualTo(acknowledged.size());
			assertThat(again.path("alreadyStored").asInt()).isEqualTo(sample.size());
		}
		finally {
			restarted.destroy();
			restarted.waitFor();
		}
	}

	/** One to three items: mostly unknown cards, some the service really showed (a new timestamp each). */
	private static List<Item> items(List<String> shownCards) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		List<Item> items = new ArrayList<>();
		for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
			String card = random.nextInt(4) == 0 ? shownCards.get(random.nextInt(shownCards.size()))
					: UUID.randomUUID().toString();
			String timestamp = Instant.now().minusMillis(random.nextInt(1_000_000)).truncatedTo(ChronoUnit.MILLIS).toString();
			items.add(new Item(card, random.nextBoolean() ? "accepted" : "overridden", timestamp));
		}
		return items;
	}

	private static String body(List<Item> items) {
		ObjectNode body = TestJson.MAPPER.createObjectNode();
		ArrayNode feedback = body.putArray("feedback");
		for (Item item : items) {
			ObjectNode node = feedback.addObject()
				.put("card", item.card())
				.put("outcome", item.outcome())
				.put("outcomeTimestamp", item.timestamp());
			if (item.outcome().equals("accepted")) {
				node.putArray("acceptedSuggestions").addObject().put("id", UUID.nameUUIDFromBytes(item.card().getBytes()).toString());
			}
			else {
				node.putObject("overrideReason").putObject("reason")
					.put("system", "https://fhir.myositis-cds.org/CodeSystem/override-reasons")
					.put("code", "durability-test");
			}
		}
		return body.toString();
	}

	private boolean stored(int port, Item item) throws IOException, InterruptedException {
		HttpResponse<String> response = get(port, "/admin/feedback/cards/" + item.card());
		if (response.statusCode() != 200) {
			return false;
		}
		for (JsonNode feedback : TestJson.read(response.body()).path("feedback")) {
			if (Instant.parse(feedback.path("outcomeTimestamp").asText()).equals(Instant.parse(item.timestamp()))
					&& feedback.path("outcome").asText().equals(item.outcome())) {
				return true;
			}
		}
		return false;
	}

	private List<String> showCards(int port, int calls) throws IOException, InterruptedException {
		String example = Files.readString(Path.of("hooks/examples/" + SIGN + ".json"));
		List<String> cards = new ArrayList<>();
		for (int i = 0; i < calls; i++) {
			HttpResponse<String> response = post(port, "/cds-services/" + SIGN, example);
			assertThat(response.statusCode()).isEqualTo(200);
			TestJson.read(response.body()).path("cards").forEach(card -> cards.add(card.path("uuid").asText()));
		}
		assertThat(cards).isNotEmpty();
		return cards;
	}

	private static Process start(int port, Path dataDir, Path log) throws IOException {
		return PackagedService.start(List.of(), List.of("--server.port=" + port, "--myositis-cds.feedback.data-dir=" + dataDir,
				"--myositis-cds.knowledge.warm-up=false", "--myositis-cds.public-base-url=http://localhost:" + port,
				"--management.server.port=0",
				// Durability is under test here, not security (SecurityTests covers that).
				"--myositis-cds.security.allow-unauthenticated=true"), log);
	}
}
