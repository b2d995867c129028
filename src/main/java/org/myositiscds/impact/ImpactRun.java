package org.myositiscds.impact;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.myositiscds.cards.Card;
import org.myositiscds.hooks.CdsHooksException;
import org.myositiscds.hooks.CdsServiceInvoker;
import org.myositiscds.knowledge.Knowledge;
import org.myositiscds.knowledge.ServiceDefinition;
import org.myositiscds.prefetch.PrefetchUnavailableException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Calls every order-sign service for every patient of a population, as the EHR would at order
 * sign: a CDS Hooks request with the draft orders and the prefetch built from the service's
 * templates, answered by {@link CdsServiceInvoker}, the path of {@code POST /cds-services/{id}}
 * (parsing, trigger check, prefetch resolution, CQL, cards), without HTTP and without recording
 * the cards. Patients are evaluated on {@code threads} threads; the services' own limit of
 * evaluations at once (the machine's cores) applies as in the service.
 */
final class ImpactRun {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** A practitioner id for the requests' userId: the prefetch templates of the services use no user token. */
	private static final String USER = "Practitioner/impact";

	private final CdsServiceInvoker invoker;

	private final List<ServiceDefinition> services;

	private final DraftOrders draftOrders;

	private final List<ObjectNode> additions;

	private final int threads;

	/** @param additions resources added to every patient's record (see {@link DraftOrders#additions}) */
	ImpactRun(CdsServiceInvoker invoker, List<ServiceDefinition> services, DraftOrders draftOrders,
			List<ObjectNode> additions, int threads) {
		this.invoker = invoker;
		this.services = List.copyOf(services);
		this.draftOrders = draftOrders;
		this.additions = List.copyOf(additions);
		this.threads = threads;
	}

	/** The services an EHR calls when an order is signed: the ones this command runs. */
	static List<ServiceDefinition> orderSignServices(Knowledge knowledge) {
		return knowledge.services().services().stream().filter(s -> s.hook().equals("order-sign")).toList();
	}

	/** The resource types the services' prefetch reads: what to open in the export. */
	Set<String> typesRead() {
		Set<String> types = new LinkedHashSet<>();
		for (ServiceDefinition service : services) {
			service.prefetchTemplates().forEach(template -> types.add(PrefetchAnswers.typeOf(template)));
			if (PrefetchAnswers.includesMedications(service.prefetchTemplates())) {
				types.add("Medication");
			}
		}
		// A patient's own draft orders are MedicationRequests, whatever the templates read.
		types.add("MedicationRequest");
		return types;
	}

	/** Runs the population; the tallies already know every rule of every service, fired or not. */
	FiringRates run(Path population, Path work, FiringRates rates) throws IOException {
		services.forEach(service -> rates.expectService(service.id()));
		ExecutorService pool = Executors.newFixedThreadPool(threads, task -> {
			Thread thread = new Thread(task, "impact");
			thread.setDaemon(true);
			return thread;
		});
		// Enough patients queued to keep every thread busy, not the whole partition's records at once.
		Semaphore queued = new Semaphore(threads * 4);
		List<Future<?>> pending = new ArrayList<>();
		BulkDataPopulation export = new BulkDataPopulation(population, typesRead(), work, BulkDataPopulation.PARTITION_BYTES);
		try {
			export.forEachPatient(record -> {
				queued.acquireUninterruptibly();
				pending.add(pool.submit(() -> {
					try {
						patient(record, rates);
					}
					finally {
						queued.release();
					}
				}));
			});
			for (Future<?> future : pending) {
				future.get();
			}
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("The run was interrupted");
		}
		catch (java.util.concurrent.ExecutionException e) {
			throw e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException(e.getCause());
		}
		finally {
			pool.shutdownNow();
			try {
				pool.awaitTermination(1, TimeUnit.MINUTES);
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
			export.close();
		}
		return rates;
	}

	private void patient(BulkDataPopulation.PatientRecord record, FiringRates rates) {
		// Nobody signs an order for a patient who has died; Synthea exports them beside the living.
		if (record.patient().has("deceasedDateTime") || record.patient().path("deceasedBoolean").asBoolean(false)) {
			rates.deceased();
			return;
		}
		for (ObjectNode addition : additions) {
			record.byType().computeIfAbsent(addition.path("resourceType").asString(), type -> new ArrayList<>())
				.add(DraftOrders.forPatient(addition, record.patientId()));
		}
		// The patient's own draft orders, when the export holds some, are what is signed; else the configured ones.
		List<ObjectNode> ownDrafts = new ArrayList<>();
		List<ObjectNode> orders = record.byType().computeIfAbsent("MedicationRequest", type -> new ArrayList<>());
		orders.stream().filter(order -> order.path("status").asString("").equals("draft")).forEach(ownDrafts::add);
		orders.removeAll(ownDrafts);
		Map<String, List<Card>> cards = new LinkedHashMap<>();
		Map<String, Long> nanos = new LinkedHashMap<>();
		Map<String, String> failures = new LinkedHashMap<>();
		for (ServiceDefinition service : services) {
			List<ObjectNode> drafts = ownDrafts.isEmpty() ? draftOrders.forPatient(service.id(), record.patientId()) : ownDrafts;
			byte[] body = request(service, record, drafts);
			long start = System.nanoTime();
			try {
				cards.put(service.id(), invoker.rehearse(service.id(), body));
				nanos.put(service.id(), System.nanoTime() - start);
			}
			catch (CdsHooksException e) {
				failures.put(service.id(), e.getMessage() + (e.details().isEmpty() ? "" : ": " + String.join("; ", e.details())));
			}
			catch (PrefetchUnavailableException e) {
				failures.put(service.id(), "prefetch unavailable: " + e.reasonsByKey());
			}
			catch (RuntimeException e) {
				// What the service would answer with a 500: one patient's failure is reported, the run goes on.
				failures.put(service.id(), e.getClass().getSimpleName() + ": " + e.getMessage());
			}
		}
		rates.patient(hash(record.patientId()), cards, nanos, failures);
	}

	private static byte[] request(ServiceDefinition service, BulkDataPopulation.PatientRecord record, List<ObjectNode> drafts) {
		ObjectNode request = JSON.createObjectNode()
			.put("hookInstance", UUID.randomUUID().toString())
			.put("hook", service.hook());
		ObjectNode context = request.putObject("context").put("userId", USER).put("patientId", record.patientId());
		ObjectNode bundle = context.putObject("draftOrders").put("resourceType", "Bundle").put("type", "collection");
		ArrayNode entries = bundle.putArray("entry");
		Set<String> medications = new LinkedHashSet<>();
		for (ObjectNode draft : drafts) {
			entries.addObject().set("resource", draft);
			medications.add(draft.path("medicationReference").path("reference").asString(""));
		}
		// A draft that names its medication by reference comes with it, as an EHR sends supporting data.
		for (String reference : medications) {
			ObjectNode medication = reference.startsWith("Medication/")
					? record.medications().get(reference.substring("Medication/".length())) : null;
			if (medication != null) {
				entries.addObject().set("resource", medication);
			}
		}
		Map<String, String> contextFields = Map.of("userId", USER, "patientId", record.patientId());
		request.set("prefetch", PrefetchAnswers.prefetch(service.prefetchTemplates(), record, contextFields));
		return JSON.writeValueAsBytes(request);
	}

	/**
	 * The first 12 hex digits of SHA-256 of the patient's logical id: the report names no one, and
	 * whoever holds the export can find the patient behind a slow call by hashing its ids.
	 */
	static String hash(String patientId) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(patientId.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest).substring(0, 12);
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is not available", e);
		}
	}
}
