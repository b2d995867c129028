package org.myositiscds.prefetch;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.micrometer.core.instrument.MeterRegistry;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationAdministration;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * An order's medication, wherever it is (clinical rules, "An order's medication"). A
 * MedicationRequest, MedicationStatement or MedicationAdministration that names its medication by
 * reference names a Medication found, in this order: contained in the resource, among the draft
 * orders, in the prefetch, or on the call's {@code fhirServer}. The request's Medications are
 * indexed by reference once per call; each distinct reference found nowhere in the request is read
 * once ({@code GET Medication/{id}}), all of them at once, each within the prefetch timeout.
 */
public final class MedicationReferences {

	private static final Pattern READABLE = Pattern.compile("Medication/[A-Za-z0-9\\-.]{1,64}");

	private final FhirServerClient fhirServerClient;

	private final Duration timeout;

	private final CircuitBreaker circuitBreaker;

	private final MeterRegistry meters;

	MedicationReferences(FhirServerClient fhirServerClient, Duration timeout, CircuitBreaker circuitBreaker,
			MeterRegistry meters) {
		this.fhirServerClient = fhirServerClient;
		this.timeout = timeout;
		this.circuitBreaker = circuitBreaker;
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
		Map<String, CompletableFuture<List<Resource>>> reads = new LinkedHashMap<>();
		Stream.concat(draftOrders.stream(), data.resources().stream()).forEach(resource -> {
			Reference reference = referenceOf(resource);
			String key = reference == null || reference.getResource() instanceof Medication ? null : key(reference);
			if (key == null || known.containsKey(key) || unread.containsKey(key) || reads.containsKey(key)) {
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
			else if (!circuitBreaker.allows(fhirServer)) {
				unread.put(key, "FHIR server error: it failed repeatedly and is not called for a while");
			}
			else {
				reads.put(key, fhirServerClient.fetch(fhirServer, key, accessToken, timeout)
					.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS));
			}
		});
		if (reads.isEmpty()) {
			return unread.isEmpty() ? data : new PatientData(data.patient(), data.resources(), unread);
		}
		List<Resource> resources = new ArrayList<>(data.resources());
		reads.forEach((key, read) -> {
			try {
				List<Resource> answer = read.join();
				circuitBreaker.succeeded(fhirServer);
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
					circuitBreaker.succeeded(fhirServer);
					unread.put(key, "not found: the FHIR server has no such Medication (HTTP " + status + ")");
					meters.counter("cds.prefetch.medication-reads", "result", "not-found").increment();
				}
				else {
					circuitBreaker.failed(fhirServer);
					unread.put(key, "FHIR server error: " + FhirServerClient.FetchFailure.reasonOf(e));
					meters.counter("cds.prefetch.medication-reads", "result", "failure").increment();
				}
			}
		});
		return new PatientData(data.patient(), resources, unread);
	}
}
