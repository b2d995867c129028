package org.myositiscds.hooks;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.myositiscds.cql.CallBudget;
import org.myositiscds.prefetch.PrefetchUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.converter.HttpMessageNotWritableException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Every error is a JSON body {@code {"error": code, "message": text, "details": [...]}} with a
 * fitting status; never a stack trace. Client mistakes are 4xx; a fault of this service is a 500
 * whose body says nothing about the internals (the log has them, without patient data).
 */
@RestControllerAdvice
class ErrorResponses {

	private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);

	/** @param problemCount how many problems were found; details lists the first 20 */
	@JsonInclude(JsonInclude.Include.NON_EMPTY)
	record ErrorBody(String error, String message, List<String> details, Integer problemCount,
			Map<String, String> missingPrefetch) {
	}

	@ExceptionHandler(CdsHooksException.class)
	ResponseEntity<ErrorBody> refused(CdsHooksException e) {
		return ResponseEntity.status(e.status()).body(new ErrorBody(e.error(), e.getMessage(), e.details(),
				e.details().isEmpty() ? null : e.detailCount(), null));
	}

	@ExceptionHandler(PrefetchUnavailableException.class)
	ResponseEntity<ErrorBody> prefetchUnavailable(PrefetchUnavailableException e) {
		log.warn("Answering 412: prefetch unavailable for keys {}", e.reasonsByKey().keySet());
		return ResponseEntity.status(HttpStatus.PRECONDITION_FAILED).body(new ErrorBody("prefetch_unavailable",
				"Required data could not be had from the prefetch or the FHIR server", List.of(), null, e.reasonsByKey()));
	}

	/**
	 * A call stopped at its deadline gets 504: it ran out of time (waiting for the FHIR server or
	 * evaluating), which is no fault of the service (500) and no missing data (412); gRPC's
	 * DEADLINE_EXCEEDED maps to the same status. A call whose client has gone is answered to nobody.
	 */
	@ExceptionHandler(CallBudget.Exhausted.class)
	ResponseEntity<ErrorBody> stopped(CallBudget.Exhausted e) {
		if (e.reason() == CallBudget.Stop.CLIENT_GONE) {
			return error(HttpStatus.SERVICE_UNAVAILABLE, "client_gone", "The client closed the connection");
		}
		return error(HttpStatus.GATEWAY_TIMEOUT, "deadline_exceeded",
				"The call took longer than the service's time limit and was stopped; ordering can proceed without its advice");
	}

	@ExceptionHandler(HttpMessageNotReadableException.class)
	ResponseEntity<ErrorBody> unreadable(HttpMessageNotReadableException e) {
		for (Throwable cause = e; cause != null; cause = cause.getCause()) {
			if (cause instanceof RequestSizeLimitFilter.TooLarge) {
				return error(HttpStatus.PAYLOAD_TOO_LARGE, "payload_too_large", "The body is over the size limit");
			}
		}
		return error(HttpStatus.BAD_REQUEST, "unreadable_body", "The request body could not be read");
	}

	@ExceptionHandler(NoResourceFoundException.class)
	ResponseEntity<ErrorBody> notFound(NoResourceFoundException e) {
		return error(HttpStatus.NOT_FOUND, "not_found", "No such endpoint; GET /cds-services lists the services");
	}

	@ExceptionHandler(HttpRequestMethodNotSupportedException.class)
	ResponseEntity<ErrorBody> methodNotAllowed(HttpRequestMethodNotSupportedException e) {
		return error(HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed", "This method is not supported here");
	}

	@ExceptionHandler(HttpMediaTypeNotSupportedException.class)
	ResponseEntity<ErrorBody> unsupportedMediaType(HttpMediaTypeNotSupportedException e) {
		return error(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", JsonMediaTypeFilter.SEND_JSON);
	}

	@ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
	ResponseEntity<ErrorBody> notAcceptable(HttpMediaTypeNotAcceptableException e) {
		return error(HttpStatus.NOT_ACCEPTABLE, "not_acceptable", JsonMediaTypeFilter.ANSWERS_JSON);
	}

	/**
	 * An answer that cannot be written because the connection or the response is already closed
	 * (the client hung up, or the call was answered at its deadline) is nobody's fault and has no
	 * reader: one line in the log, not a service fault with its stack trace.
	 */
	@ExceptionHandler(HttpMessageNotWritableException.class)
	ResponseEntity<ErrorBody> notWritable(HttpMessageNotWritableException e) {
		for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
			if (cause instanceof IOException) {
				log.info("The answer was not written: the connection or response was already closed");
				return null;
			}
		}
		return fault(e);
	}

	@ExceptionHandler(Exception.class)
	ResponseEntity<ErrorBody> fault(Exception e) {
		log.error("Service fault: {}", e.getClass().getName(), e);
		return error(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error",
				"The service failed to evaluate this call; ordering can proceed without its advice");
	}

	static ResponseEntity<ErrorBody> error(HttpStatus status, String error, String message) {
		return ResponseEntity.status(status).body(new ErrorBody(error, message, List.of(), null, null));
	}
}
