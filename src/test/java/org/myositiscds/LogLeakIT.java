package org.myositiscds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * Runs after the whole unit test run (failsafe, mvn verify) and reads everything the service
 * logged in it: not one access token, JWT or patient id that the tests sent may appear.
 */
class LogLeakIT {

	static final Path LOG = Path.of("target/test-logs/service.log");

	static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}");

	@Test
	void theServiceLogsNoTokenJwtOrPatientId() throws IOException {
		assertThat(LOG).as("the unit tests ran first and logged to " + LOG).exists();
		String log = Files.readString(LOG, StandardCharsets.UTF_8);
		List<String> secrets = Files.readAllLines(TestSecrets.FILE, StandardCharsets.UTF_8);
		assertThat(secrets).as("tokens and patient ids the tests sent").hasSizeGreaterThan(100);
		assertThat(log).as("service log").contains("Started").contains("401 for");
		assertThat(JWT.matcher(log).find()).as("a JWT in the log").isFalse();
		for (String secret : secrets) {
			Pattern whole = Pattern.compile("(?<![A-Za-z0-9-])" + Pattern.quote(secret) + "(?![A-Za-z0-9-])");
			assertThat(whole.matcher(log).find()).as("'" + secret + "' appears in the service log").isFalse();
		}
	}
}
