package org.myositiscds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.myositiscds.authoring.TestCase;

/**
 * The demo patients of {@code fhir-resources/examples/}: {@code <patient-id>.json} (the record, a
 * collection Bundle) and {@code <patient-id>.draft-orders.json} (the draft orders). Their dates
 * may be relative tokens ({@code today}, {@code -10d}, {@code -6m}, {@code -52y}), resolved here
 * against a given day with {@link TestCase#withRelativeDates(Object, LocalDate)}, as the
 * authoring test cases are.
 */
public final class DemoPatients {

	public static final Path FOLDER = Path.of("fhir-resources/examples");

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	private DemoPatients() {
	}

	/** The ids of the demo patients, sorted. */
	public static List<String> ids() {
		try (Stream<Path> files = Files.list(FOLDER)) {
			return files.map(file -> file.getFileName().toString())
				.filter(name -> name.endsWith(".json") && !name.endsWith(".draft-orders.json"))
				.map(name -> name.substring(0, name.length() - ".json".length()))
				.sorted()
				.toList();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** A file of the folder as a Bundle, its relative dates resolved against {@code today}. */
	public static Bundle bundle(String fileName, LocalDate today) {
		try {
			Object json = TestJson.MAPPER.readValue(FOLDER.resolve(fileName).toFile(), Object.class);
			String resolved = TestJson.MAPPER.writeValueAsString(TestCase.withRelativeDates(json, today));
			return FHIR.newJsonParser().parseResource(Bundle.class, resolved);
		}
		catch (IOException e) {
			throw new UncheckedIOException(fileName, e);
		}
	}

	/** The patient's record and draft orders, ready to answer a service's prefetch. */
	public static PatientScenario scenario(String patientId, LocalDate today) {
		return scenario(patientId, today, bundle(patientId + ".draft-orders.json", today).getEntry().stream()
			.map(Bundle.BundleEntryComponent::getResource)
			.toList());
	}

	/** The patient's record, with other draft orders than its own. */
	public static PatientScenario scenario(String patientId, LocalDate today, List<? extends Resource> drafts) {
		Patient patient = null;
		List<Resource> records = new ArrayList<>();
		for (Bundle.BundleEntryComponent entry : bundle(patientId + ".json", today).getEntry()) {
			if (entry.getResource() instanceof Patient found) {
				patient = found;
			}
			else {
				records.add(entry.getResource());
			}
		}
		if (patient == null) {
			throw new IllegalStateException(patientId + ".json has no Patient");
		}
		return PatientScenario.of(patient, records, drafts);
	}
}
