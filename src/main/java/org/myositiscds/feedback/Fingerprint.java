package org.myositiscds.feedback;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of a list of strings, hex: what the feedback store keys repeats and facts by. */
final class Fingerprint {

	private Fingerprint() {
	}

	/** Null parts are allowed, and differ from empty ones. */
	static String of(String... parts) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			for (String part : parts) {
				// Length-prefixed, so that no two different lists of parts give the same bytes.
				byte[] bytes = part == null ? new byte[0] : part.getBytes(StandardCharsets.UTF_8);
				digest.update((part == null ? "-1:" : bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
				digest.update(bytes);
			}
			return HexFormat.of().formatHex(digest.digest());
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}
}
