package org.myositiscds.hooks;

import java.util.List;

import org.springframework.http.HttpStatus;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamConstraintsException;

/**
 * A call the service refuses, with the HTTP status and what the client should fix. The details say
 * what was wrong and where, never the request's values; only the first {@link #MAX_DETAILS} are
 * kept, with the count of all, so that a request with many faults cannot make a large answer.
 */
public class CdsHooksException extends RuntimeException {

	public static final int MAX_DETAILS = 20;

	private final HttpStatus status;

	private final String error;

	private final List<String> details;

	private final int detailCount;

	public CdsHooksException(HttpStatus status, String error, String message, List<String> details) {
		super(message, null, false, false);
		this.status = status;
		this.error = error;
		this.details = List.copyOf(details.subList(0, Math.min(details.size(), MAX_DETAILS)));
		this.detailCount = details.size();
	}

	public static CdsHooksException unknownService(String id) {
		return new CdsHooksException(HttpStatus.NOT_FOUND, "unknown_service",
				"No CDS service has this id; GET /cds-services lists them", List.of());
	}

	/**
	 * A body that is not JSON, or that exceeds a limit of the JSON reader (nesting depth, length of a
	 * number or string): where it went wrong, without the reader's message, which quotes the input
	 * and names the reader's classes.
	 */
	public static CdsHooksException invalidJson(JacksonException e) {
		String problem = e instanceof StreamConstraintsException
				? "body: exceeds a limit on JSON nesting depth or on the length of a number or string"
				: "body: not valid JSON";
		TokenStreamLocation location = e.getLocation();
		if (location != null && location.getLineNr() > 0) {
			problem += " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
		}
		return new CdsHooksException(HttpStatus.BAD_REQUEST, "invalid_json", "The body is not valid JSON",
				List.of(problem));
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

	/** How many problems were found, of which {@link #details} holds the first. */
	public int detailCount() {
		return detailCount;
	}
}
