package org.myositiscds.hooks;

import java.util.List;

import org.springframework.http.HttpStatus;

/** A call the service refuses, with the HTTP status and what the client should fix. */
public class CdsHooksException extends RuntimeException {

	private final HttpStatus status;

	private final String error;

	private final List<String> details;

	public CdsHooksException(HttpStatus status, String error, String message, List<String> details) {
		super(message);
		this.status = status;
		this.error = error;
		this.details = List.copyOf(details);
	}

	public static CdsHooksException unknownService(String id) {
		return new CdsHooksException(HttpStatus.NOT_FOUND, "unknown_service",
				"No CDS service has the id '" + (id.length() > 80 ? id.substring(0, 80) + "..." : id) + "'; GET /cds-services lists them", List.of());
	}

	static CdsHooksException invalidRequest(List<String> problems) {
		return new CdsHooksException(HttpStatus.BAD_REQUEST, "invalid_request",
				"The request is not a valid CDS Hooks 2.0 call for this service", problems);
	}

	public HttpStatus status() {
		return status;
	}

	public String error() {
		return error;
	}

	public List<String> details() {
		return details;
	}
}
