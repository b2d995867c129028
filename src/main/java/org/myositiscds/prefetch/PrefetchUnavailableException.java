package org.myositiscds.prefetch;

import java.util.Map;

/** Required data could not be had: CDS Hooks answers 412. Reasons by prefetch key, free of patient data. */
public final class PrefetchUnavailableException extends RuntimeException {

	private final Map<String, String> reasonsByKey;

	public PrefetchUnavailableException(Map<String, String> reasonsByKey) {
		super("Required data is unavailable: " + reasonsByKey.keySet());
		this.reasonsByKey = Map.copyOf(reasonsByKey);
	}

	public Map<String, String> reasonsByKey() {
		return reasonsByKey;
	}
}
