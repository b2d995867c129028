package org.myositiscds.prefetch;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers the data a service needs. A prefetch key the EHR sent is used as given ({@code null}
 * means no data). A key that is missing, or holds an OperationOutcome, is fetched from
 * {@code fhirServer}: all of them at once, each within the timeout. When any required key cannot
 * be had, the call fails with {@link PrefetchUnavailableException} (HTTP 412).
 */
public final class PrefetchResolver {

	private static final Logger log = LoggerFactory.getLogger(PrefetchResolver.class);

	private static final String NEXT_PAGES = "#next-pages";

	static final String NOT_READ = "could not be read from the FHIR server";

	private final FhirServerClient fhirServerClient;

	private final Duration timeout;

	private final CircuitBreaker circuitBreaker;

	private final MeterRegistry meters;

	public PrefetchResolver(FhirServerClient fhirServerClient, Duration timeout, CircuitBreaker circuitBreaker,
			MeterRegistry meters) {
		this.fhirServerClient = fhirServerClient;
		this.timeout = timeout;
		this.circuitBreaker = circuitBreaker;
		this.meters = meters;
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
		Map<String, CompletableFuture<List<Resource>>> fetches = new LinkedHashMap<>();
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
					fetches.put(template.key() + NEXT_PAGES, fhirServerClient
						.fetchRemainingPages(offer.fhirServer(), nextPage, offer.accessToken(), timeout)
						.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS));
				}
				continue;
			}
			if (offer.fhirServer() == null) {
				failures.put(template.key(), "not in the prefetch, and the request names no fhirServer");
				continue;
			}
			if (!circuitBreaker.allows(offer.fhirServer())) {
				failures.put(template.key(), "the FHIR server failed repeatedly and is not called for a while");
				continue;
			}
			template.render(offer.contextFields()).ifPresentOrElse(
					query -> fetches.put(template.key(),
							fhirServerClient.fetch(offer.fhirServer(), query, offer.accessToken(), timeout)
								.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)),
					() -> failures.put(template.key(), "the prefetch template has a token this context does not give"));
		}

		fetches.forEach((fetchKey, fetch) -> {
			String key = fetchKey.replace(NEXT_PAGES, "");
			try {
				resolved.merge(key, fetch.join(), (first, rest) -> {
					List<Resource> all = new ArrayList<>(first);
					all.addAll(rest);
					return all;
				});
				circuitBreaker.succeeded(offer.fhirServer());
				meters.counter("cds.prefetch.fetches", "result", "success").increment();
			}
			catch (RuntimeException e) {
				// The caller learns which key and a coarse cause; what the server answered is for the log only,
				// so that a 412 cannot be used to probe what listens where.
				log.warn("Prefetch key {} not read from {}: {}", key, origin(offer.fhirServer()),
						FhirServerClient.FetchFailure.reasonOf(e));
				failures.put(key, NOT_READ);
				circuitBreaker.failed(offer.fhirServer());
				meters.counter("cds.prefetch.fetches", "result", "failure").increment();
			}
		});
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
		return new PatientData(patient, resources);
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
