package org.myositiscds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every patient id and token the tests send is written down here, so that {@code LogLeakIT} can
 * prove that none of them ever reached the service's log.
 */
public final class TestSecrets {

	public static final Path FILE = Path.of("target/test-logs/secrets.txt");

	private static final Set<String> remembered = ConcurrentHashMap.newKeySet();

	private TestSecrets() {
	}

	public static String remember(String secret) {
		if (secret != null && remembered.add(secret)) {
			try {
				Files.createDirectories(FILE.getParent());
				Files.writeString(FILE, secret + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
						StandardOpenOption.APPEND);
			}
			catch (IOException e) {
				throw new UncheckedIOException(e);
			}
		}
		return secret;
	}
}
