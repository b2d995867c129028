package org.myositiscds.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.myositiscds.authoring.TestCase;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import tools.jackson.databind.json.JsonMapper;

/**
 * The demo patients of {@code fhir-resources/examples/}: one Bundle per patient, and one of the
 * patient's draft orders ({@code <patient-id>.draft-orders.json}), what a clinician would order.
 * Dates may be written relative to today ({@code -30d}, {@code -2y}, {@code today}), as in the CQL
 * test cases, so that the demo gives the same cards whatever the day.
 */
final class DemoData {

	static final String DRAFT_ORDERS_SUFFIX = ".draft-orders.json";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private DemoData() {
	}

	/** Every resource of the patients' records, the draft orders left out. */
	static List<Resource> load(FhirContext fhirContext, String location, LocalDate today) {
		List<Resource> resources = new ArrayList<>();
		readFiles(location).forEach((fileName, json) -> {
			if (!fileName.endsWith(DRAFT_ORDERS_SUFFIX)) {
				bundle(fhirContext, json, today).getEntry().forEach(entry -> resources.add(entry.getResource()));
			}
		});
		return resources;
	}

	/** Each patient's draft orders Bundle by patient id, as JSON whose dates are still relative. */
	static Map<String, Object> draftOrders(String location) {
		Map<String, Object> byPatient = new LinkedHashMap<>();
		readFiles(location).forEach((fileName, json) -> {
			if (fileName.endsWith(DRAFT_ORDERS_SUFFIX)) {
				byPatient.put(fileName.substring(0, fileName.length() - DRAFT_ORDERS_SUFFIX.length()), json);
			}
		});
		return byPatient;
	}

	/** A Bundle read as FHIR, its relative dates resolved against {@code today}. */
	static Bundle bundle(FhirContext fhirContext, Object json, LocalDate today) {
		return (Bundle) TestCase.fhirResource(fhirContext, json, today, "a demo patient's file");
	}

	private static Map<String, Object> readFiles(String location) {
		Map<String, Object> byFileName = new LinkedHashMap<>();
		try {
			for (var file : new PathMatchingResourcePatternResolver().getResources(location + "*.json")) {
				if (file.getFilename() != null) {
					byFileName.put(file.getFilename(),
							JSON.readValue(file.getContentAsString(StandardCharsets.UTF_8), Map.class));
				}
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot read the demo patients at " + location, e);
		}
		return byFileName;
	}
}
