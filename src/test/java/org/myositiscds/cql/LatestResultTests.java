package org.myositiscds.cql;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;
import org.myositiscds.prefetch.PatientData;
import org.opencds.cqf.cql.engine.runtime.DateTime;
import org.opencds.cqf.cql.engine.runtime.TemporalHelper;

/**
 * MyositisCommon "Latest" gives the result a stable sort of all results by their "Sort Time" puts
 * last (docs/rules.md "Latest result"), though it builds the sort time only for the results within
 * two days of the latest date: results a few days apart in offsets from -12:00 to +14:00 (a later
 * date that is an earlier instant), dates without a time, months and years, and equal times.
 */
class LatestResultTests {

	static final FhirContext FHIR = FhirContext.forR4Cached();

	static final List<String> OFFSETS = List.of("Z", "+14:00", "-12:00", "+05:45", "-03:30", "+01:00", "-11:00",
			"+13:00");

	@Test
	void theLatestIsTheLastOfAllResultsSortedBySortTime() {
		CqlEvaluator evaluator = new CqlEvaluator(CompiledLibraries.fromLocation("classpath:elm/"),
				ValueSetTerminology.fromLocation(FHIR, "classpath:fhir-resources/valueset/"), FHIR);
		ZonedDateTime now = ZonedDateTime.parse("2026-06-01T10:00:00Z");
		Random random = new Random(14);
		int laterDateEarlierInstant = 0;
		for (int trial = 0; trial < 400; trial++) {
			Patient patient = new Patient();
			patient.setId("p" + trial);
			List<Resource> results = new ArrayList<>();
			int count = 1 + random.nextInt(7);
			for (int i = 0; i < count; i++) {
				Observation result = new Observation();
				result.setId("r" + trial + "-" + i);
				result.setStatus(Observation.ObservationStatus.FINAL);
				result.setCode(new CodeableConcept().addCoding(new Coding("http://loinc.org", "5196-1", null)));
				result.setSubject(new Reference("Patient/p" + trial));
				result.setEffective(new DateTimeType(effective(random, results)));
				result.setValue(new StringType("Negative"));
				results.add(result);
			}
			Object latest = evaluator.evaluate("HBVScreening", List.of("Latest HBsAg"), new PatientData(patient, results),
					Map.of(), now).get("Latest HBsAg");
			Observation expected = lastBySortTime(results);
			assertThat(((Observation) latest).getId()).as(results.stream()
				.map(r -> ((Observation) r).getEffectiveDateTimeType().getValueAsString()).toList().toString())
				.isEqualTo(expected.getId());
			if (!date(expected).equals(results.stream().map(LatestResultTests::date).max(Comparator.naturalOrder()).get())) {
				laterDateEarlierInstant++;
			}
		}
		assertThat(laterDateEarlierInstant).as("records whose latest result is not on the latest date").isPositive();
	}

	/** A time in the first days of March 2026, or the same time as an earlier result (a tie). */
	private static String effective(Random random, List<Resource> earlier) {
		if (!earlier.isEmpty() && random.nextInt(6) == 0) {
			return ((Observation) earlier.get(random.nextInt(earlier.size()))).getEffectiveDateTimeType().getValueAsString();
		}
		int day = 1 + random.nextInt(4);
		return switch (random.nextInt(8)) {
			case 0 -> "2026";
			case 1 -> "2026-03";
			case 2 -> String.format("2026-03-%02d", day);
			case 3 -> String.format("2026-03-%02dT00:00:00%s", day, OFFSETS.get(random.nextInt(OFFSETS.size())));
			default -> String.format("2026-03-%02dT%02d:%02d:00%s", day, random.nextInt(24), 30 * random.nextInt(2),
					OFFSETS.get(random.nextInt(OFFSETS.size())));
		};
	}

	private static String date(Resource result) {
		return ((Observation) result).getEffectiveDateTimeType().getValueAsString().substring(0,
				Math.min(10, ((Observation) result).getEffectiveDateTimeType().getValueAsString().length()));
	}

	/** "Sort Time" as the engine builds it (DateTime of the fields and "timezoneoffset from"), a stable sort, the last. */
	private static Observation lastBySortTime(List<Resource> results) {
		List<Resource> sorted = new ArrayList<>(results);
		sorted.sort(Comparator.comparing(LatestResultTests::sortTime));
		return (Observation) sorted.get(sorted.size() - 1);
	}

	private static DateTime sortTime(Resource result) {
		DateTime time = (DateTime) ModelResolverTests.PLAIN.resolvePath(((Observation) result).getEffective(), "value");
		var fields = time.getDateTime();
		int index = time.getPrecision().toDateTimeIndex();
		return new DateTime(TemporalHelper.zoneToOffset(fields.getOffset()), fields.getYear(),
				index >= 1 ? fields.getMonthValue() : 1, index >= 2 ? fields.getDayOfMonth() : 1,
				index >= 3 ? fields.getHour() : 0, index >= 4 ? fields.getMinute() : 0, index >= 5 ? fields.getSecond() : 0,
				index >= 6 ? fields.getNano() / 1_000_000 : 0);
	}
}
