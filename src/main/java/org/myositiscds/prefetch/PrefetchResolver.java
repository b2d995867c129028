package org.myositiscds.prefetch;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import ca.uhn.fhir.context.FhirContext;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.myositiscds.cql.CallBudget;
import org.myositiscds.security.FhirServerAllowlist;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers the data a service needs. A prefetch key the EHR sent is used as given ({@code null}
 * means no data). A key that is missing, or holds an OperationOutcome, is fetched from
 * {@code fhirServer}: all of them at once, each within the timeout and the time the call has left,
 * all of them within the call's fetch limit ({@link CallBudget}). When any required key cannot be
 * had, the call fails with {@link PrefetchUnavailableException} (HTTP 412); when the call is
 * stopped meanwhile, with {@link CallBudget.Exhausted}.
 */
public final class PrefetchResolver {

	private static final Logger log = LoggerFactory.getLogger(PrefetchResolver.class);

	private static final String NEXT_PAGES = "#next-pages";

	static final String NOT_READ = "could not be read from the FHIR server";

	static final String BREAKER_OPEN = "the FHIR server failed repeatedly and is not called for a while";

	static final String OVER_LIMIT = "more data than the service reads for one call";

	private final FhirServerClient fhirServerClient;

	private final Duration timeout;

	private final FhirServerBreakers breakers;

	private final MeterRegistry meters;

	private final MedicationReferences medicationReferences;

	/**
	 * A resolver for a tool that runs the service's path outside the web service (the impact command, the
	 * benchmarks), with the circuit breaker's shipped settings (application.properties).
	 */
	public static PrefetchResolver standalone(FhirContext fhir, Executor fetches, Duration timeout, int maxPages,
			FhirServerAllowlist fhirServers, MeterRegistry meters) {
		var breakers = new FhirServerBreakers(new FhirServerBreakers.Settings(20, 10, 50, Duration.ofSeconds(2), 80,
				Duration.ofSeconds(30), 3), meters);
		return new PrefetchResolver(new FhirServerClient(fhir, fetches, timeout, maxPages, fhirServers), timeout, breakers,
				meters);
	}

	public PrefetchResolver(FhirServerClient fhirServerClient, Duration timeout, FhirServerBreakers breakers,
			MeterRegistry meters) {
		this.fhirServerClient = fhirServerClient;
		this.timeout = timeout;
		this.breakers = breakers;
		this.meters = meters;
		this.medicationReferences = new MedicationReferences(fhirServerClient, timeout, breakers, meters);
	}

	/**
	 * What one hook call offers: the prefetch it sent, where its FHIR server is, and the values
	 * the templates' tokens take.
	 * @param prefetch by key: the resource sent, or {@code null} when the EHR sent null; a key
	 * absent from the map was not sent
	 */
	public record Offer(Map<String, Resource> prefetch, URI fhirServer, String accessToken,
			Map<String, String> contextFields, String patientId) {
	}

	public PatientData resolve(List<PrefetchTemplate> templates, Offer offer) {
		Map<String, List<Resource>> resolved = new LinkedHashMap<>();
		// Started only once the server's breaker lets this call through.
		Map<String, Supplier<CompletableFuture<List<Resource>>>> queries = new LinkedHashMap<>();
		Map<String, String> failures = new LinkedHashMap<>();

		for (PrefetchTemplate template : templates) {
			boolean sent = offer.prefetch().containsKey(template.key());
			Resource given = offer.prefetch().get(template.key());
			if (sent && !(given instanceof OperationOutcome)) {
				resolved.put(template.key(), resourcesOf(given));
				String nextPage = given instanceof Bundle bundle && bundle.getLink(Bundle.LINK_NEXT) != null
						? bundle.getLink(Bundle.LINK_NEXT).getUrl() : null;
				if (nextPage != null && offer.fhirServer() == null) {
					failures.put(template.key(), "the prefetch is paginated and the request names no fhirServer");
				}
				else if (nextPage != null) {
					queries.put(template.key() + NEXT_PAGES, () -> fhirServerClient
						.fetchRemainingPages(offer.fhirServer(), nextPage, offer.accessToken(), timeout));
				}
				continue;
			}
			if (offer.fhirServer() == null) {
				failures.put(template.key(), "not in the prefetch, and the request names no fhirServer");
				continue;
			}
			template.render(offer.contextFields()).ifPresentOrElse(
					query -> queries.put(template.key(),
							() -> fhirServerClient.fetch(offer.fhirServer(), query, offer.accessToken(), timeout)),
					() -> failures.put(template.key(), "the prefetch template has a token this context does not give"));
		}
		if (!queries.isEmpty()) {
			fetch(queries, offer.fhirServer(), resolved, failures);
		}
		if (!failures.isEmpty()) {
			throw new PrefetchUnavailableException(failures);
		}

		List<Resource> resources = new ArrayList<>();
		resolved.values().forEach(resources::addAll);
		Patient patient = resources.stream()
			.filter(r -> r instanceof Patient && offer.patientId().equals(r.getIdElement().getIdPart()))
			.map(Patient.class::cast)
			.findFirst()
			.orElseThrow(() -> new PrefetchUnavailableException(
					Map.of("patient", "no Patient resource with the context's patientId was found")));
		resources.removeIf(r -> r instanceof Patient);
		return new PatientData(patient, ofThePatient(resources, offer.patientId()));
	}

	/**
	 * The patient data with the Medications its records and the draft orders name by reference
	 * that the request does not hold, read from the call's FHIR server (see {@link MedicationReferences}).
	 */
	public PatientData withReferencedMedications(PatientData data, List<Resource> draftOrders, Offer offer) {
		return medicationReferences.read(data, draftOrders, offer.fhirServer(), offer.accessToken());
	}

	/**
	 * The resources that belong to the call's patient. One that names no patient, or another, is
	 * ignored: a Condition without subject is nobody's diagnosis. Types without a patient by design
	 * (Medication) are kept. Logged by type and count only.
	 */
	static List<Resource> ofThePatient(List<Resource> resources, String patientId) {
		Map<String, Integer> ignored = new TreeMap<>();
		List<Resource> kept = new ArrayList<>(resources.size());
		for (Resource resource : resources) {
			if (namesThePatient(resource, patientId)) {
				kept.add(resource);
			}
			else {
				ignored.merge(resource.fhirType(), 1, Integer::sum);
			}
		}
		if (!ignored.isEmpty()) {
			log.warn("Ignored resources of the prefetch that name no patient or another patient: {}", ignored);
		}
		return kept;
	}

	private static boolean namesThePatient(Resource resource, String patientId) {
		Property link = resource.getNamedProperty("subject");
		if (link == null) {
			link = resource.getNamedProperty("patient");
		}
		if (link == null) {
			return true;
		}
		for (Base value : link.getValues()) {
			if (value instanceof Reference reference && reference.hasReference()) {
				IdType id = new IdType(reference.getReference());
				return "Patient".equals(id.getResourceType()) && patientId.equals(id.getIdPart());
			}
		}
		return false;
	}

	/** All the call's queries at once, counted as one call by the server's breaker. */
	private void fetch(Map<String, Supplier<CompletableFuture<List<Resource>>>> queries, URI server,
			Map<String, List<Resource>> resolved, Map<String, String> failures) {
		CircuitBreaker breaker = breakers.of(server);
		if (!breaker.tryAcquirePermission()) {
			queries.keySet().forEach(key -> failures.put(key.replace(NEXT_PAGES, ""), BREAKER_OPEN));
			return;
		}
		long start = System.nanoTime();
		Map<String, CompletableFuture<List<Resource>>> fetches = new LinkedHashMap<>();
		queries.forEach((key, query) -> fetches.put(key, query.get().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)));
		RuntimeException failure = null;
		boolean overLimit = false;
		for (Map.Entry<String, CompletableFuture<List<Resource>>> fetch : fetches.entrySet()) {
			String key = fetch.getKey().replace(NEXT_PAGES, "");
			try {
				resolved.merge(key, fetch.getValue().join(), (first, rest) -> {
					List<Resource> all = new ArrayList<>(first);
					all.addAll(rest);
					return all;
				});
				meters.counter("cds.prefetch.fetches", "result", "success").increment();
			}
			catch (RuntimeException e) {
				CallBudget.Stop stopped = CallBudget.current().stopReason();
				if (stopped != null) {
					// The call is over (deadline, or the client left): no data is missing, and the server is not to blame.
					breaker.releasePermission();
					throw new CallBudget.Exhausted(stopped);
				}
				if (FhirServerClient.FetchFailure.isOverLimit(e)) {
					// A limit of this service, not a failure of the server.
					log.warn("Prefetch key {} not read from {}: the call's answers are over the fetch limit", key,
							origin(server));
					failures.put(key, OVER_LIMIT);
					meters.counter("cds.prefetch.fetches", "result", "over-limit").increment();
					overLimit = true;
					continue;
				}
				// The caller learns which key and a coarse cause; what the server answered is for the log only,
				// so that a 412 cannot be used to probe what listens where.
				log.warn("Prefetch key {} not read from {}: {}", key, origin(server), FhirServerClient.FetchFailure.reasonOf(e));
				failures.put(key, NOT_READ);
				meters.counter("cds.prefetch.fetches", "result", "failure").increment();
				failure = e;
			}
		}
		long elapsed = System.nanoTime() - start;
		if (failure == null && overLimit) {
			breaker.releasePermission();
		}
		else if (failure == null) {
			breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
		}
		else {
			breaker.onError(elapsed, TimeUnit.NANOSECONDS, failure);
		}
	}

	private static String origin(URI server) {
		return server.getScheme() + "://" + server.getHost() + (server.getPort() < 0 ? "" : ":" + server.getPort());
	}

	private static List<Resource> resourcesOf(Resource given) {
		if (given == null) {
			return List.of();
		}
		if (given instanceof Bundle bundle) {
			return bundle.getEntry().stream()
				.filter(Bundle.BundleEntryComponent::hasResource)
				.filter(entry -> !(entry.getResource() instanceof OperationOutcome))
				.map(Bundle.BundleEntryComponent::getResource)
				.toList();
		}
		return List.of(given);
	}
}
