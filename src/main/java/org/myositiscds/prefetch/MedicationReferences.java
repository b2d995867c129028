package org.myositiscds.prefetch;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationAdministration;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An order's medication, wherever it is (clinical rules, "An order's medication"). A
 * MedicationRequest, MedicationStatement or MedicationAdministration that names its medication by
 * reference names a Medication found, in this order: contained in the resource, among the draft
 * orders, in the prefetch, or on the call's {@code fhirServer}. The request's Medications are
 * indexed by reference once per call; each distinct reference found nowhere in the request is read
 * once ({@code GET Medication/{id}}), all of them at once, each within the prefetch timeout.
 */
public final class MedicationReferences {

	private static final Logger log = LoggerFactory.getLogger(MedicationReferences.class);

	private static final Pattern READABLE = Pattern.compile("Medication/[A-Za-z0-9\\-.]{1,64}");

	private final FhirServerClient fhirServerClient;

	private final Duration timeout;

	private final FhirServerBreakers breakers;

	private final MeterRegistry meters;

	MedicationReferences(FhirServerClient fhirServerClient, Duration timeout, FhirServerBreakers breakers,
			MeterRegistry meters) {
		this.fhirServerClient = fhirServerClient;
		this.timeout = timeout;
		this.breakers = breakers;
		this.meters = meters;
	}

	/** The reference a resource names its medication by, or null when it gives a concept (or is no medication record). */
	public static Reference referenceOf(Resource resource) {
		if (resource instanceof MedicationRequest request && request.hasMedicationReference()) {
			return request.getMedicationReference();
		}
		if (resource instanceof MedicationStatement statement && statement.hasMedicationReference()) {
			return statement.getMedicationReference();
		}
		if (resource instanceof MedicationAdministration administration && administration.hasMedicationReference()) {
			return administration.getMedicationReference();
		}
		return null;
	}

	/**
	 * Where a reference points, as the index knows it: {@code Medication/{id}} for a relative or
	 * absolute reference to a Medication, the reference as written otherwise ({@code urn:uuid:},
	 * {@code #contained}), or null when the reference names nothing.
	 */
	public static String key(Reference reference) {
		if (!reference.hasReference()) {
			return null;
		}
		String text = reference.getReference();
		if (text.startsWith("#") || text.startsWith("urn:")) {
			return text;
		}
		IdType id = new IdType(text);
		return "Medication".equals(id.getResourceType()) && id.hasIdPart() ? "Medication/" + id.getIdPart() : text;
	}

	/**
	 * The Medications of a request by key: those among the draft orders before those of the patient
	 * data. A Medication is known by {@code Medication/{id}}, and by its full URL when it came with
	 * one (a Bundle entry's {@code urn:uuid:}).
	 */
	public static Map<String, Medication> index(List<Resource> draftOrders, List<Resource> records) {
		Map<String, Medication> byKey = new HashMap<>();
		Stream.concat(draftOrders.stream(), records.stream()).forEach(resource -> {
			if (resource instanceof Medication medication && medication.getIdElement().hasIdPart()) {
				byKey.putIfAbsent("Medication/" + medication.getIdElement().getIdPart(), medication);
				byKey.putIfAbsent(medication.getIdElement().getValue(), medication);
			}
		});
		return byKey;
	}

	/**
	 * The patient data with every Medication that the draft orders or the records name, and that
	 * the request does not hold, read from the FHIR server; each one that cannot be had is named
	 * with the reason in {@link PatientData#unreadMedications()}.
	 */
	PatientData read(PatientData data, List<Resource> draftOrders, URI fhirServer, String accessToken) {
		Map<String, Medication> known = index(draftOrders, data.resources());
		Map<String, String> unread = new LinkedHashMap<>();
		Set<String> toRead = new LinkedHashSet<>();
		Stream.concat(draftOrders.stream(), data.resources().stream()).forEach(resource -> {
			Reference reference = referenceOf(resource);
			String key = reference == null || reference.getResource() instanceof Medication ? null : key(reference);
			if (key == null || known.containsKey(key) || unread.containsKey(key) || toRead.contains(key)) {
				return;
			}
			if (key.startsWith("#")) {
				unread.put(key, "the order has no contained Medication of that id");
			}
			else if (!READABLE.matcher(key).matches()) {
				unread.put(key, "not in the request, and not a reference the FHIR server can be asked for");
			}
			else if (fhirServer == null) {
				unread.put(key, "not in the request, and the request names no FHIR server to read it from");
			}
			else {
				toRead.add(key);
			}
		});
		if (!toRead.isEmpty()) {
			// All of the call's reads count as one call for the server's breaker, as the prefetch does.
			CircuitBreaker breaker = breakers.of(fhirServer);
			if (breaker.tryAcquirePermission()) {
				return readFromServer(data, toRead, unread, fhirServer, accessToken, breaker);
			}
			toRead.forEach(key -> unread.put(key, "FHIR server error: it failed repeatedly and is not called for a while"));
		}
		return unread.isEmpty() ? data : new PatientData(data.patient(), data.resources(), unread);
	}

	private PatientData readFromServer(PatientData data, Set<String> keys, Map<String, String> unread, URI fhirServer,
			String accessToken, CircuitBreaker breaker) {
		long start = System.nanoTime();
		Map<String, CompletableFuture<List<Resource>>> reads = new LinkedHashMap<>();
		keys.forEach(key -> reads.put(key, fhirServerClient.fetch(fhirServer, key, accessToken, timeout)
			.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)));
		RuntimeException serverError = null;
		List<Resource> resources = new ArrayList<>(data.resources());
		for (Map.Entry<String, CompletableFuture<List<Resource>>> read : reads.entrySet()) {
			String key = read.getKey();
			try {
				List<Resource> answer = read.getValue().join();
				if (answer.size() == 1 && answer.get(0) instanceof Medication medication) {
					// Kept under the id asked for, whatever id the server wrote in it.
					resources.add(medication.copy().setId(key));
					meters.counter("cds.prefetch.medication-reads", "result", "found").increment();
				}
				else {
					unread.put(key, "the FHIR server's answer is not a Medication");
					meters.counter("cds.prefetch.medication-reads", "result", "failure").increment();
				}
			}
			catch (RuntimeException e) {
				Throwable cause = FhirServerClient.FetchFailure.causeOf(e);
				int status = cause instanceof FhirServerClient.FetchFailure failure ? failure.httpStatus() : 0;
				if (status == 404 || status == 410) {
					// The server answered: it is working, the Medication is not there.
					unread.put(key, "not found: the FHIR server has no such Medication (HTTP " + status + ")");
					meters.counter("cds.prefetch.medication-reads", "result", "not-found").increment();
				}
				else {
					// The card says only that the server failed; what it answered is for the log, so that
					// a card cannot be used to probe what listens where.
					log.warn("Medication {} not read from the FHIR server: {}", key, FhirServerClient.FetchFailure.reasonOf(e));
					unread.put(key, "FHIR server error: the Medication could not be read");
					serverError = e;
					meters.counter("cds.prefetch.medication-reads", "result", "failure").increment();
				}
			}
		}
		long elapsed = System.nanoTime() - start;
		if (serverError == null) {
			breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
		}
		else {
			breaker.onError(elapsed, TimeUnit.NANOSECONDS, serverError);
		}
		return new PatientData(data.patient(), resources, unread);
	}
}
