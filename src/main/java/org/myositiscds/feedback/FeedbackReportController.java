package org.myositiscds.feedback;

import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.myositiscds.hooks.CdsHooksException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Reports for clinical informaticists, under {@code /admin/feedback}: outside {@code /cds-services},
 * so no path can be taken for a service id. They show rule ids and counts, never a patient id or hash.
 */
@RestController
@RequestMapping(path = "/admin/feedback", produces = MediaType.APPLICATION_JSON_VALUE)
class FeedbackReportController {

	private static final Pattern UUID = Pattern
		.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

	private final FeedbackReport report;

	private final Clock clock;

	FeedbackReportController(FeedbackReport report, Clock clock) {
		this.report = report;
		this.clock = clock;
	}

	@GetMapping("/summary")
	FeedbackReport.Summary summary() {
		return report.summary(clock.instant());
	}

	@GetMapping("/cards/{uuid}")
	FeedbackReport.CardReport card(@PathVariable String uuid) {
		if (!UUID.matcher(uuid).matches()) {
			throw new CdsHooksException(HttpStatus.BAD_REQUEST, "invalid_request", "A card is named by its uuid",
					List.of("uuid: must be a uuid"));
		}
		return report.card(uuid.toLowerCase(Locale.ROOT))
			.orElseThrow(() -> new CdsHooksException(HttpStatus.NOT_FOUND, "unknown_card",
					"No card with this uuid was recorded or reported on", List.of()));
	}
}
