package org.myositiscds.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.util.FhirTerser;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationAdministration;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.myositiscds.bench.PatientGenerator.PatientRecord;
import org.myositiscds.knowledge.ServiceDefinition;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * CDS Hooks calls for generated patients, as an EHR sends them: the draft orders in the context,
 * and either the full prefetch of the service (each template answered from the patient's record,
 * as a FHIR server would: a read, or a searchset filtered by code and status, with the included
 * Medications) or no prefetch and a fhirServer to fetch from.
 */
final class HookRequests {

	static final String EHR_BASE = "https://ehr.example.org/fhir";

	private final FhirContext fhir;

	private final JsonMapper json;

	private final FhirTerser terser;

	private final long seed;

	private final boolean observationCodeFilter;

	HookRequests(FhirContext fhir, JsonMapper json, long seed) {
		this(fhir, json, seed, true);
	}

	/**
	 * With {@code observationCodeFilter} false, Observation searches answer every lab result of
	 * the patient whatever the query's codes, as some EHRs do: the service must filter them itself.
	 */
	HookRequests(FhirContext fhir, JsonMapper json, long seed, boolean observationCodeFilter) {
		this.fhir = fhir;
		this.json = json;
		this.terser = fhir.newTerser();
		this.seed = seed;
		this.observationCodeFilter = observationCodeFilter;
	}

	/** The service definitions of the jar's hooks/, by id. */
	static List<ServiceDefinition> services(JsonMapper json) {
		List<ServiceDefinition> services = new ArrayList<>();
		try {
			for (var file : new PathMatchingResourcePatternResolver().getResources("classpath:hooks/*.json")) {
				try (InputStream in = file.getInputStream()) {
					services.add(json.readValue(in, ServiceDefinition.class));
				}
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot read the service definitions", e);
		}
		services.sort(Comparator.comparing(ServiceDefinition::id));
		return services;
	}

	/** The call with the service's whole prefetch, and a fhirServer that is never needed. */
	byte[] withPrefetch(ServiceDefinition service, PatientRecord record) {
		ObjectNode request = request(service, record);
		request.put("fhirServer", EHR_BASE);
		request.set("fhirAuthorization", json.createObjectNode()
			.put("access_token", "bench-token-" + record.id())
			.put("token_type", "Bearer")
			.put("expires_in", 300)
			.put("scope", "patient/*.read")
			.put("subject", "myositis-cds"));
		ObjectNode prefetch = request.putObject("prefetch");
		service.prefetch().forEach((key, template) -> prefetch.set(key, tree(answer(template, record))));
		return bytes(request);
	}

	/** The call with no prefetch at all: the service fetches every key from {@code fhirServer}. */
	byte[] withoutPrefetch(ServiceDefinition service, PatientRecord record, String fhirServer) {
		ObjectNode request = request(service, record);
		request.put("fhirServer", fhirServer);
		return bytes(request);
	}

	/** The record as one collection Bundle, the form the demo FHIR server loads patients in. */
	String recordBundle(PatientRecord record) {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.COLLECTION);
		record.resources().forEach(resource -> bundle.addEntry().setFullUrl(fullUrl(resource)).setResource(resource));
		return fhir.newJsonParser().encodeResourceToString(bundle);
	}

	/** A prefetch template's query, for the patient, relative to the FHIR base. */
	static String query(String template, PatientRecord record) {
		return template.replace("{{context.patientId}}", record.id());
	}

	/** What a FHIR server answers to the template's query: the Patient, or a searchset. */
	Resource answer(String template, PatientRecord record) {
		String query = query(template, record);
		if (query.startsWith("Patient/")) {
			return record.patient();
		}
		int questionMark = query.indexOf('?');
		String type = query.substring(0, questionMark);
		Map<String, List<String>> parameters = new LinkedHashMap<>();
		for (String parameter : query.substring(questionMark + 1).split("&")) {
			String[] nameValue = parameter.split("=", 2);
			parameters.put(nameValue[0], Arrays.asList(nameValue[1].split(",")));
		}
		Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET);
		bundle.addLink().setRelation(Bundle.LINK_SELF).setUrl(EHR_BASE + "/" + query);
		if (!observationCodeFilter && type.equals("Observation")) {
			parameters.remove("code");
		}
		Map<String, Resource> medications = new LinkedHashMap<>();
		record.resources().stream().filter(Medication.class::isInstance)
			.forEach(medication -> medications.put("Medication/" + medication.getIdElement().getIdPart(), medication));
		Set<Resource> included = new LinkedHashSet<>();
		for (Resource resource : record.resources()) {
			if (resource.fhirType().equals(type) && matches(resource, parameters)) {
				bundle.addEntry().setFullUrl(fullUrl(resource)).setResource(resource).getSearch()
					.setMode(Bundle.SearchEntryMode.MATCH);
				Reference medication = medicationOf(resource);
				if (parameters.containsKey("_include") && medication != null
						&& medications.containsKey(medication.getReference())) {
					included.add(medications.get(medication.getReference()));
				}
			}
		}
		bundle.setTotal(bundle.getEntry().size());
		included.forEach(medication -> bundle.addEntry().setFullUrl(fullUrl(medication)).setResource(medication)
			.getSearch().setMode(Bundle.SearchEntryMode.INCLUDE));
		return bundle;
	}

	private boolean matches(Resource resource, Map<String, List<String>> parameters) {
		List<String> statuses = parameters.get("status");
		if (statuses != null && !statuses.contains(terser.getSinglePrimitiveValueOrNull(resource, "status"))) {
			return false;
		}
		List<String> codes = parameters.get("code");
		return codes == null || terser.getValues(resource, "code.coding", Coding.class).stream()
			.anyMatch(coding -> codes.contains(coding.getSystem() + "|" + coding.getCode()));
	}

	/** The order's, statement's or administration's {@code medicationReference}, or null. */
	private static Reference medicationOf(Resource resource) {
		return resource instanceof MedicationRequest request && request.hasMedicationReference()
				? request.getMedicationReference()
				: resource instanceof MedicationStatement statement && statement.hasMedicationReference()
						? statement.getMedicationReference()
						: resource instanceof MedicationAdministration administration
								&& administration.getMedication() instanceof Reference given ? given : null;
	}

	private ObjectNode request(ServiceDefinition service, PatientRecord record) {
		ObjectNode request = json.createObjectNode();
		request.put("hookInstance",
				UUID.nameUUIDFromBytes((seed + "/" + service.id() + "/" + record.id()).getBytes(StandardCharsets.UTF_8))
					.toString());
		request.put("hook", service.hook());
		ObjectNode context = request.putObject("context");
		context.put("userId", "Practitioner/bench-rheumatologist");
		context.put("patientId", record.id());
		context.put("encounterId", record.id() + "-encounter");
		Bundle drafts = new Bundle().setType(Bundle.BundleType.COLLECTION);
		record.draftOrders().forEach(order -> drafts.addEntry().setFullUrl(fullUrl(order)).setResource(order));
		context.set("draftOrders", tree(drafts));
		if (service.hook().equals("order-select")) {
			context.putArray("selections").add("MedicationRequest/" + record.draftOrders().get(0).getIdElement().getIdPart());
		}
		return request;
	}

	private static String fullUrl(Resource resource) {
		return EHR_BASE + "/" + resource.fhirType() + "/" + resource.getIdElement().getIdPart();
	}

	private JsonNode tree(Resource resource) {
		return json.readTree(fhir.newJsonParser().encodeResourceToString(resource));
	}

	private byte[] bytes(ObjectNode request) {
		return json.writeValueAsBytes(request);
	}
}
