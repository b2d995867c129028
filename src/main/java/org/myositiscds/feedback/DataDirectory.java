package org.myositiscds.feedback;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

/**
 * The data directory holds clinicians' override comments (the H2 database) and the patient hash
 * key: only the service's own user may read it. The directory is made 0700 and the files in it
 * 0600, whatever the umask; files the database makes later are covered by the directory.
 */
final class DataDirectory {

	private DataDirectory() {
	}

	static void secure(Path dir) {
		try {
			Files.createDirectories(dir);
			if (!Files.getFileStore(dir).supportsFileAttributeView("posix")) {
				return;
			}
			Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
			try (Stream<Path> files = Files.list(dir)) {
				for (Path file : files.filter(Files::isRegularFile).toList()) {
					Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
				}
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot restrict the permissions of the data directory " + dir, e);
		}
	}
}
