package org.myositiscds.impact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An export whose files are by type, patients interleaved, read back patient by patient over
 * several partitions: each patient gets all of its own resources and none of another's, with the
 * Medications its orders reference, and the partition files are gone afterwards.
 */
class BulkDataPopulationTests {

	@TempDir
	Path temp;

	@Test
	void everyPatientGetsItsOwnResourcesAndMedicationsWhateverThePartition() throws IOException {
		Path export = temp.resolve("export");
		Files.createDirectories(export);
		List<String> patients = new ArrayList<>();
		List<String> conditions = new ArrayList<>();
		List<String> orders = new ArrayList<>();
		List<String> medications = new ArrayList<>();
		for (int i = 0; i < 40; i++) {
			patients.add("{\"resourceType\":\"Patient\",\"id\":\"p" + i + "\"}");
			for (int c = 0; c <= i % 3; c++) {
				conditions.add("{\"resourceType\":\"Condition\",\"id\":\"c" + i + "-" + c + "\",\"subject\":{\"reference\":\"Patient/p" + i + "\"}}");
			}
			orders.add("{\"resourceType\":\"MedicationRequest\",\"id\":\"o" + i + "\",\"status\":\"active\","
					+ "\"medicationReference\":{\"reference\":\"Medication/m" + i % 5 + "\"},\"subject\":{\"reference\":\"Patient/p" + i + "\"}}");
		}
		for (int m = 0; m < 7; m++) {
			medications.add("{\"resourceType\":\"Medication\",\"id\":\"m" + m + "\"}");
		}
		Files.write(export.resolve("Patient.ndjson"), patients);
		// A type split over two files, and a type the services do not read.
		Files.write(export.resolve("Condition.1.ndjson"), conditions.subList(0, conditions.size() / 2));
		Files.write(export.resolve("Condition.2.ndjson"), conditions.subList(conditions.size() / 2, conditions.size()));
		Files.write(export.resolve("MedicationRequest.ndjson"), orders);
		Files.write(export.resolve("Medication.ndjson"), medications);
		Files.writeString(export.resolve("Claim.ndjson"), "not even JSON: never opened\n");
		Path work = temp.resolve("work");
		var population = new BulkDataPopulation(export, Set.of("Patient", "Condition", "MedicationRequest", "Medication"), work,
				1024);
		Map<String, BulkDataPopulation.PatientRecord> records = new TreeMap<>();
		population.forEachPatient(record -> records.put(record.patientId(), record));
		assertThat(records).hasSize(40);
		records.forEach((id, record) -> {
			int i = Integer.parseInt(id.substring(1));
			assertThat(record.patient().path("id").asString()).isEqualTo(id);
			assertThat(record.byType().get("Condition")).as(id).hasSize(i % 3 + 1)
				.allSatisfy(c -> assertThat(c.path("subject").path("reference").asString()).isEqualTo("Patient/" + id));
			assertThat(record.byType().get("MedicationRequest")).as(id).singleElement()
				.satisfies(o -> assertThat(o.path("id").asString()).isEqualTo("o" + i));
			assertThat(record.medications()).as(id).containsKey("m" + i % 5);
		});
		try (Stream<Path> left = Files.list(work)) {
			assertThat(left).as("partition files left after reading").isEmpty();
		}
		population.close();
		assertThat(work).doesNotExist();
	}

	@Test
	void aLineThatIsNotAResourceIsNamed() throws IOException {
		Path export = temp.resolve("bad");
		Files.createDirectories(export);
		Files.writeString(export.resolve("Patient.ndjson"), "{\"resourceType\":\"Patient\",\"id\":\"p1\"}\n[1, 2]\n");
		var population = new BulkDataPopulation(export, Set.of("Patient"), temp.resolve("work"), 1024);
		assertThatThrownBy(() -> population.forEachPatient(record -> { }))
			.isInstanceOf(IllegalArgumentException.class).hasMessage("Patient.ndjson line 2: not a FHIR resource (no resourceType)");
	}
}
