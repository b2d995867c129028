package org.myositiscds.cql;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Calendar;
import java.util.GregorianCalendar;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.opencds.cqf.cql.engine.runtime.DateTime;
import org.opencds.cqf.cql.engine.runtime.Precision;
import org.opencds.cqf.cql.engine.runtime.TemporalHelper;

/**
 * A FHIR dateTime or instant as the engine's R4 model resolver makes it a CQL DateTime
 * ({@code FhirModelResolver.toDateTime}, engine 4.4), without the text in between: the engine
 * reads HAPI's calendar fields up to the value's precision, writes them as text with the
 * calendar's offset and parses that text back ({@code OffsetDateTime.parse}), which was a tenth
 * of a rituximab evaluation at 2,000 resources (docs/performance.md, "CPU per call (evaluation,
 * 2026-12-07)"). Here the same fields and the same offset make the {@link OffsetDateTime}
 * directly: the same instant, offset and precision. A value the engine's text would not carry
 * the same way (a year outside 1 to 9999, fields java.time refuses) is left to the engine, which
 * then fails or answers as it always did.
 */
final class FhirDateTimes {

	/** The offset the engine ends with for each calendar offset (it goes through decimal hours). */
	private static final Map<ZoneOffset, ZoneOffset> ENGINE_OFFSETS = new ConcurrentHashMap<>();

	private FhirDateTimes() {
	}

	/** The engine's DateTime for a value that has one, or null when the engine must convert it. */
	static DateTime convert(BaseDateTimeType value) {
		int fields = switch (value.getPrecision().getCalendarConstant()) {
			case Calendar.YEAR -> 1;
			case Calendar.MONTH -> 2;
			case Calendar.DAY_OF_MONTH -> 3;
			case Calendar.HOUR_OF_DAY -> 4;
			case Calendar.MINUTE -> 5;
			case Calendar.SECOND -> 6;
			case Calendar.MILLISECOND -> 7;
			default -> 0;
		};
		if (fields == 0) {
			return null;
		}
		GregorianCalendar calendar = value.getValueAsCalendar();
		int year = calendar.get(Calendar.YEAR);
		if (year < 1 || year > 9999) {
			return null;
		}
		try {
			ZoneOffset offset = ENGINE_OFFSETS.computeIfAbsent(calendar.toZonedDateTime().getOffset(),
					FhirDateTimes::engineOffset);
			OffsetDateTime dateTime = OffsetDateTime.of(year,
					fields > 1 ? calendar.get(Calendar.MONTH) + 1 : 1,
					fields > 2 ? calendar.get(Calendar.DAY_OF_MONTH) : 1,
					fields > 3 ? calendar.get(Calendar.HOUR_OF_DAY) : 0,
					fields > 4 ? calendar.get(Calendar.MINUTE) : 0,
					fields > 5 ? calendar.get(Calendar.SECOND) : 0,
					fields > 6 ? calendar.get(Calendar.MILLISECOND) * 1_000_000 : 0,
					offset);
			return new DateTime(dateTime, PRECISIONS[fields - 1]);
		}
		catch (DateTimeException e) {
			return null;
		}
	}

	private static final Precision[] PRECISIONS = { Precision.YEAR, Precision.MONTH, Precision.DAY, Precision.HOUR,
			Precision.MINUTE, Precision.SECOND, Precision.MILLISECOND };

	/**
	 * The engine passes the calendar's offset as decimal hours ({@code TemporalHelper.zoneToOffset})
	 * and makes the DateTime's offset of their whole hours and minutes ({@code DateTime}'s
	 * constructor from a decimal offset), so an offset with seconds loses them.
	 */
	private static ZoneOffset engineOffset(ZoneOffset calendarOffset) {
		BigDecimal hours = TemporalHelper.zoneToOffset(calendarOffset);
		return ZoneOffset.ofHoursMinutes(hours.intValue(),
				BigDecimal.valueOf(60).multiply(hours.remainder(BigDecimal.ONE)).intValue());
	}
}
