package org.myositiscds.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.myositiscds.authoring.TestCase;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import tools.jackson.databind.json.JsonMapper;

/**
 * The demo patients of {@code fhir-resources/examples/}: one Bundle per patient. Dates may be
 * written relative to today ({@code -30d}, {@code -2y}, {@code today}), as in the CQL test cases,
 * so that the demo gives the same cards whatever the day. Draft order Bundles
 * ({@code *.draft-orders.json}) are what a clinician would order, not the record, and are left out.
 */
final class DemoData {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private DemoData() {
	}

	static List<Resource> load(FhirContext fhirContext, String location, LocalDate today) {
		List<Resource> resources = new ArrayList<>();
		try {
			for (var file : new PathMatchingResourcePatternResolver().getResources(location + "*.json")) {
				if (file.getFilename() == null || file.getFilename().endsWith(".draft-orders.json")) {
					continue;
				}
				Object json = JSON.readValue(file.getContentAsString(StandardCharsets.UTF_8), Map.class);
				String resolved = JSON.writeValueAsString(TestCase.withRelativeDates(json, today));
				Bundle bundle = fhirContext.newJsonParser().parseResource(Bundle.class, resolved);
				bundle.getEntry().forEach(entry -> resources.add(entry.getResource()));
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot read the demo patients at " + location, e);
		}
		return resources;
	}
}
