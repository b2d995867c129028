package org.myositiscds.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.myositiscds.CdsServiceTest;

/** The feedback contract on the default store: the H2 file database in the data directory. */
@CdsServiceTest
class FeedbackOnH2Tests extends FeedbackEndpointContract {

	@Test
	void theStoreIsTheH2FileInTheDataDirectory() {
		assertThat(jdbc.sql("SELECT H2VERSION()").query(String.class).single()).startsWith("2.");
		assertThat(Path.of("target/test-data/feedback.mv.db")).exists();
		assertThat(Path.of("target/test-data/" + PatientHasher.KEY_FILE)).exists();
	}

	/** Not just the tables: the patient id is nowhere in the database file's bytes either. */
	@Test
	void theRawPatientIdIsNotInTheDatabaseFile() throws IOException {
		Shown shown = showCard();
		byte[] file = Files.readAllBytes(Path.of("target/test-data/feedback.mv.db"));
		assertThat(new String(file, StandardCharsets.ISO_8859_1)).doesNotContain(shown.patientId())
			.contains(hasher.hash(shown.patientId()));
	}
}
