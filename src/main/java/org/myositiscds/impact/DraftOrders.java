package org.myositiscds.impact;

import java.io.IOException;
import java.io.InputStream;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The orders signed for each service, for a patient whose export holds no draft order of its own:
 * a JSON object from service id to a list of FHIR resources (draft MedicationRequests, and any
 * Medication they reference), dates possibly relative ({@code today}), as in the test cases. Each
 * patient gets copies whose {@code subject} is the patient. The defaults are
 * {@code fhir-resources/impact/draft-orders.json}.
 */
final class DraftOrders {

	static final String DEFAULTS = "/fhir-resources/impact/draft-orders.json";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final Map<String, List<ObjectNode>> byService;

	private DraftOrders(Map<String, List<ObjectNode>> byService) {
		this.byService = byService;
	}

	/** The file's orders; or the defaults, with {@code file} null. Every service must have some. */
	static DraftOrders read(Path file, LocalDate today, Collection<String> services) throws IOException {
		String origin = file == null ? "the default draft orders " + DEFAULTS.substring(1) : file.toString();
		String text;
		if (file == null) {
			try (InputStream in = DraftOrders.class.getResourceAsStream(DEFAULTS)) {
				if (in == null) {
					throw new IllegalStateException(DEFAULTS + " is not on the classpath");
				}
				text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
			}
		}
		else if (!Files.isRegularFile(file)) {
			throw new IllegalArgumentException("No draft orders file " + file);
		}
		else {
			text = Files.readString(file);
		}
		Object json;
		try {
			json = JSON.readValue(text, Object.class);
		}
		catch (JacksonException e) {
			throw new IllegalArgumentException(origin + ": not JSON: " + e.getOriginalMessage());
		}
		if (!(json instanceof Map<?, ?> map)) {
			throw new IllegalArgumentException(origin + ": expected an object from service id to a list of draft orders");
		}
		FhirContext fhir = FhirContext.forR4Cached();
		Map<String, List<ObjectNode>> byService = new LinkedHashMap<>();
		for (String service : services) {
			if (!(map.get(service) instanceof List<?> resources) || resources.isEmpty()) {
				throw new IllegalArgumentException(origin + ": no draft orders for service " + service);
			}
			List<ObjectNode> orders = new ArrayList<>();
			for (Object resource : resources) {
				// Parsed once by HAPI here, so that a file that is not FHIR fails now, not as 400s per call.
				TestCase.fhirResource(fhir, resource, today, origin + ", " + service);
				JsonNode resolved = JSON.valueToTree(TestCase.withRelativeDates(resource, today));
				orders.add((ObjectNode) resolved);
			}
			byService.put(service, orders);
		}
		return new DraftOrders(byService);
	}

	/** Copies of the service's orders, each naming the patient as its subject. */
	List<ObjectNode> forPatient(String service, String patientId) {
		List<ObjectNode> copies = new ArrayList<>();
		for (ObjectNode order : byService.get(service)) {
			ObjectNode copy = order.deepCopy();
			if (copy.path("resourceType").asString().equals("MedicationRequest")) {
				copy.putObject("subject").put("reference", "Patient/" + patientId);
			}
			copies.add(copy);
		}
		return copies;
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
