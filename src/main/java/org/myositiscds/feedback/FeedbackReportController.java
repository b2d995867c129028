package org.myositiscds.feedback;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.myositiscds.hooks.CdsHooksException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
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

	/** {@code from} and {@code to}: a date (UTC midnight) or an ISO 8601 date-time with offset; both optional. */
	@GetMapping("/summary")
	FeedbackReport.Summary summary(@RequestParam(required = false) String from,
			@RequestParam(required = false) String to) {
		List<String> problems = new ArrayList<>();
		Instant start = instant("from", from, problems);
		Instant end = instant("to", to, problems);
		if (!problems.isEmpty()) {
			throw new CdsHooksException(HttpStatus.BAD_REQUEST, "invalid_request", "The period is not valid", problems);
		}
		return report.summary(clock.instant(), start, end);
	}

	private static Instant instant(String name, String value, List<String> problems) {
		if (value == null || value.isBlank()) {
			return null;
		}
		try {
			return value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
					: OffsetDateTime.parse(value).toInstant();
		}
		catch (DateTimeParseException e) {
			problems.add(name + ": must be a date (2026-01-31) or an ISO 8601 date-time with an offset");
			return null;
		}
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
