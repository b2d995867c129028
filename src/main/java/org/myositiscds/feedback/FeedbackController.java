package org.myositiscds.feedback;

import java.time.Clock;
import java.util.List;

import org.myositiscds.hooks.CdsHooksException;
import org.myositiscds.hooks.CdsServiceInvoker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /cds-services/{id}/feedback} of CDS Hooks 2.0. It answers 200 only once the
 * feedback is committed, so an EHR that gets no 200 can send it again: repeats are stored once.
 */
@RestController
class FeedbackController {

	private static final Logger log = LoggerFactory.getLogger(FeedbackController.class);

	private final CdsServiceInvoker invoker;

	private final FeedbackParser parser;

	private final FeedbackStore store;

	private final Clock clock;

	FeedbackController(CdsServiceInvoker invoker, FeedbackParser parser, FeedbackStore store, Clock clock) {
		this.invoker = invoker;
		this.parser = parser;
		this.store = store;
		this.clock = clock;
	}

	/** How many items were new, and how many had been stored before (repeats). */
	record Receipt(int stored, int alreadyStored) {
	}

	/** The body is read as bytes so that malformed JSON gets this service's own 400. */
	@PostMapping(path = "/cds-services/{id}/feedback", produces = MediaType.APPLICATION_JSON_VALUE)
	Receipt feedback(@PathVariable String id, @RequestBody(required = false) byte[] body) {
		if (!invoker.answers(id)) {
			throw CdsHooksException.unknownService(id);
		}
		List<Feedback> feedback = parser.parse(body);
		try {
			FeedbackStore.Stored stored = store.store(id, feedback, clock.instant());
			return new Receipt(stored.stored(), stored.alreadyStored());
		}
		catch (DataAccessException e) {
			log.error("Feedback for {} not stored: {}", id, e.getClass().getName(), e);
			throw new CdsHooksException(HttpStatus.SERVICE_UNAVAILABLE, "feedback_not_stored",
					"The feedback could not be stored; send it again later", List.of());
		}
	}

}
