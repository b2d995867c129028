package org.myositiscds.feedback;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a patient id into HMAC-SHA256(key, id), hex. The cards of one patient can be grouped, but
 * without the key no one can test a guessed id against the store: a plain hash of an MRN-like id
 * would be reversed by trying them all.
 */
final class PatientHasher {

	private static final Logger log = LoggerFactory.getLogger(PatientHasher.class);

	static final String KEY_FILE = "patient-hash.key";

	static final int MIN_KEY_LENGTH = 32;

	private final SecretKeySpec key;

	private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

	PatientHasher(String key) {
		if (key.length() < MIN_KEY_LENGTH) {
			throw new IllegalArgumentException(
					"myositis-cds.feedback.patient-hash-key must have at least " + MIN_KEY_LENGTH + " characters");
		}
		this.key = new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
	}

	/** The configured key; else the one in the data directory, generated there at the first start. */
	static PatientHasher fromConfiguration(String configuredKey, Path dataDir) {
		if (configuredKey != null && !configuredKey.isBlank()) {
			return new PatientHasher(configuredKey.strip());
		}
		return new PatientHasher(keyFile(dataDir.resolve(KEY_FILE)));
	}

	String hash(String patientId) {
		// doFinal leaves the Mac ready for the next id under the same key.
		return HexFormat.of().formatHex(macs.get().doFinal(patientId.getBytes(StandardCharsets.UTF_8)));
	}

	/** A Mac is not thread-safe; looking one up and keying it at every call cost more than the hash. */
	private Mac newMac() {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(key);
			return mac;
		}
		catch (GeneralSecurityException e) {
			throw new IllegalStateException("HmacSHA256 is not available", e);
		}
	}

	private static String keyFile(Path file) {
		try {
			if (!Files.exists(file)) {
				generate(file);
			}
			return Files.readString(file, StandardCharsets.UTF_8).strip();
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot read or create the patient hash key " + file.toAbsolutePath(), e);
		}
	}

	/** Written under a temporary name and moved, so a crash never leaves a half key behind. */
	private static void generate(Path file) throws IOException {
		byte[] random = new byte[32];
		new SecureRandom().nextBytes(random);
		Path dir = file.toAbsolutePath().getParent();
		Files.createDirectories(dir);
		Path temporary = Files.createTempFile(dir, KEY_FILE, ".tmp");
		try {
			restrictToOwner(temporary);
			Files.writeString(temporary, Base64.getEncoder().encodeToString(random), StandardCharsets.UTF_8);
			Files.move(temporary, file);
			log.warn("Generated a new patient hash key in {}. Replicas that share a database must share the key: "
					+ "set MYOSITIS_CDS_FEEDBACK_PATIENT_HASH_KEY on each", file.toAbsolutePath());
		}
		catch (FileAlreadyExistsException e) {
			// Another process sharing the data directory generated it first: use that one.
		}
		finally {
			Files.deleteIfExists(temporary);
		}
	}

	private static void restrictToOwner(Path file) throws IOException {
		try {
			Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
		}
		catch (UnsupportedOperationException e) {
			// Not a POSIX file system: the directory's permissions protect it.
		}
	}
}
