package org.myositiscds.system;

import java.util.Map;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Replaces Spring Boot's /error, which answered a direct GET /error with 500 {"status":999}. An
 * error forwarded by the container keeps its status, with a JSON body that names nothing of the
 * service's internals; /error asked for directly is an unknown path like any other: 404.
 */
@RestController
class JsonErrorController implements ErrorController {

	@RequestMapping(path = "/error", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<Map<String, String>> error(HttpServletRequest request) {
		Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		HttpStatus status = code instanceof Integer value && HttpStatus.resolve(value) != null
				&& HttpStatus.resolve(value).isError() ? HttpStatus.resolve(value) : HttpStatus.NOT_FOUND;
		if (status == HttpStatus.NOT_FOUND) {
			return ResponseEntity.status(status).body(Map.of("error", "not_found",
					"message", "No such endpoint; GET /cds-services lists the services"));
		}
		return ResponseEntity.status(status).body(Map.of("error", status.is4xxClientError() ? "bad_request" : "internal_error",
				"message", "The server could not process this request (HTTP " + status.value() + ")"));
	}
}
