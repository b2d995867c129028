package org.myositiscds.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PatientHasherTests {

	@TempDir
	Path dataDir;

	@Test
	void withoutAConfiguredKeyOneIsGeneratedOnceAndKeptInTheDataDirectory() throws IOException {
		String first = PatientHasher.fromConfiguration("", dataDir).hash("patient-1");
		Path keyFile = dataDir.resolve(PatientHasher.KEY_FILE);
		assertThat(keyFile).exists();
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
		assertThat(PatientHasher.fromConfiguration(null, dataDir).hash("patient-1")).isEqualTo(first);
		try (var files = Files.list(dataDir)) {
			assertThat(files).containsExactly(keyFile);
		}
	}

	@Test
	void aConfiguredKeyWinsAndTheHashDependsOnIt() {
		String key = "a-key-shared-by-every-replica-0123456789";
		String hash = PatientHasher.fromConfiguration(key, dataDir).hash("patient-1");
		assertThat(hash).hasSize(64).isEqualTo(new PatientHasher(key).hash("patient-1"));
		assertThat(new PatientHasher(key + "x").hash("patient-1")).isNotEqualTo(hash);
		assertThat(new PatientHasher(key).hash("patient-2")).isNotEqualTo(hash);
		assertThat(dataDir.resolve(PatientHasher.KEY_FILE)).doesNotExist();
	}

	@Test
	void aShortKeyIsRefusedWithoutShowingIt() {
		assertThatThrownBy(() -> PatientHasher.fromConfiguration("short-secret", dataDir))
			.hasMessageContaining("at least 32")
			.hasMessageNotContaining("short-secret");
	}
}
