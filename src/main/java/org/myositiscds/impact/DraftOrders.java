package org.myositiscds.impact;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ca.uhn.fhir.context.FhirContext;
import org.myositiscds.authoring.TestCase;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The orders signed for each service, for a patient whose export holds no draft order of its own:
 * a JSON object from service id to a list of FHIR resources (draft MedicationRequests, and any
 * Medication they reference), dates possibly relative ({@code today}), as in the test cases. Each
 * patient gets copies whose {@code subject} is the patient. The defaults are
 * {@code fhir-resources/impact/draft-orders.json}. Resources added to every record
 * ({@link #additions}) are written and copied the same way.
 */
final class DraftOrders {

	static final String DEFAULTS = "/fhir-resources/impact/draft-orders.json";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	private final Map<String, List<ObjectNode>> byService;

	private DraftOrders(Map<String, List<ObjectNode>> byService) {
		this.byService = byService;
	}

	/** The file's orders; or the defaults, with {@code file} null. Every service must have some. */
	static DraftOrders read(Path file, LocalDate today, Collection<String> services) throws IOException {
		String origin = file == null ? "the default draft orders " + DEFAULTS.substring(1) : file.toString();
		Object json = json(file == null ? defaults() : file(file), origin);
		if (!(json instanceof Map<?, ?> map)) {
			throw new IllegalArgumentException(origin + ": expected an object from service id to a list of draft orders");
		}
		Map<String, List<ObjectNode>> byService = new LinkedHashMap<>();
		for (String service : services) {
			if (!(map.get(service) instanceof List<?> resources) || resources.isEmpty()) {
				throw new IllegalArgumentException(origin + ": no draft orders for service " + service);
			}
			byService.put(service, resources(resources, today, origin + ", " + service));
		}
		return new DraftOrders(byService);
	}

	/**
	 * Resources added to every patient's record ({@code --add-to-record}): a JSON list of FHIR
	 * resources, each patient getting copies that name it, e.g. a diagnosis the population lacks.
	 */
	static List<ObjectNode> additions(Path file, LocalDate today) throws IOException {
		if (!(json(file(file), file.toString()) instanceof List<?> resources)) {
			throw new IllegalArgumentException(file + ": expected a list of FHIR resources");
		}
		return resources(resources, today, file.toString());
	}

	private static String defaults() throws IOException {
		try (InputStream in = DraftOrders.class.getResourceAsStream(DEFAULTS)) {
			if (in == null) {
				throw new IllegalStateException(DEFAULTS + " is not on the classpath");
			}
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	private static String file(Path file) throws IOException {
		if (!Files.isRegularFile(file)) {
			throw new IllegalArgumentException("No file " + file);
		}
		return Files.readString(file);
	}

	private static Object json(String text, String origin) {
		try {
			return JSON.readValue(text, Object.class);
		}
		catch (JacksonException e) {
			throw new IllegalArgumentException(origin + ": not JSON: " + e.getOriginalMessage());
		}
	}

	private static List<ObjectNode> resources(List<?> resources, LocalDate today, String origin) {
		List<ObjectNode> parsed = new ArrayList<>();
		for (Object resource : resources) {
			// Parsed once by HAPI here, so that a file that is not FHIR fails now, not as a 400 at every call.
			TestCase.fhirResource(FHIR, resource, today, origin);
			parsed.add((ObjectNode) JSON.valueToTree(TestCase.withRelativeDates(resource, today)));
		}
		return parsed;
	}

	/** A copy of a resource that names the patient: its subject, or its patient for types without one (AllergyIntolerance). */
	static ObjectNode forPatient(ObjectNode resource, String patientId) {
		ObjectNode copy = resource.deepCopy();
		var definition = FHIR.getResourceDefinition(copy.path("resourceType").asString());
		String link = definition.getChildByName("subject") != null ? "subject"
				: definition.getChildByName("patient") != null ? "patient" : null;
		if (link != null) {
			copy.putObject(link).put("reference", "Patient/" + patientId);
		}
		return copy;
	}

	/** Copies of the service's orders, each naming the patient as its subject. */
	List<ObjectNode> forPatient(String service, String patientId) {
		return byService.get(service).stream().map(order -> forPatient(order, patientId)).toList();
	}

	/** A one-line description per service, for the report. */
	Map<String, String> describe() {
		Map<String, String> descriptions = new LinkedHashMap<>();
		byService.forEach((service, orders) -> descriptions.put(service, String.join(" + ", orders.stream()
			.filter(order -> order.path("resourceType").asString().equals("MedicationRequest"))
			.map(DraftOrders::describe)
			.toList())));
		return descriptions;
	}

	private static String describe(ObjectNode order) {
		String medication = order.path("medicationCodeableConcept").path("text").asString(
				order.path("medicationCodeableConcept").path("coding").path(0).path("display").asString("a medication"));
		String dosage = order.path("dosageInstruction").path(0).path("text").asString("");
		return dosage.isEmpty() ? medication : medication + ", " + dosage;
	}
}
