package org.myositiscds.cql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Dosage;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;
import org.opencds.cqf.cql.engine.fhir.model.R4FhirModelResolver;
import org.opencds.cqf.cql.engine.model.ModelResolver;
import org.opencds.cqf.cql.engine.runtime.BaseTemporal;
import org.opencds.cqf.cql.engine.runtime.DateTime;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The evaluator's model resolvers read every path as the engine's own R4 resolver does: the one that
 * splits each path once ({@link SplitPathModelResolver}) and the one that converts each FHIR date
 * once per evaluation ({@link CallModelResolver}), on choice types ([x]), repeating elements,
 * indexed paths, primitives, dates of every precision, and absent elements.
 */
class ModelResolverTests {

	static final FhirContext FHIR = FhirContext.forR4Cached();

	static final R4FhirModelResolver PLAIN = new R4FhirModelResolver(FHIR);

	static final SplitPathModelResolver SPLIT = new SplitPathModelResolver(FHIR);

	static final List<String> OBSERVATION_PATHS = List.of("value", "value.value", "value.unit", "value.comparator",
			"effective", "effective.value", "effective.start", "effective.start.value", "issued", "issued.value",
			"code", "code.coding", "code.coding[0]", "code.coding[1].code", "code.coding[0].code.value", "code.text",
			"status", "status.value", "subject", "subject.reference", "subject.reference.value", "referenceRange",
			"interpretation", "id", "id.value", "note", "category");

	static final List<String> MEDICATION_PATHS = List.of("medication", "medication.coding", "medication.coding[0].code",
			"medication.reference", "medication.reference.value", "authoredOn", "authoredOn.value", "effective",
			"effective.value", "effective.start.value", "dosageInstruction", "dosageInstruction[0].text",
			"dosage", "status", "intent.value", "subject.reference.value");

	static Observation quantityResult() {
		Observation observation = new Observation();
		observation.setId("lab-1");
		observation.setStatus(Observation.ObservationStatus.FINAL);
		observation.setCode(new CodeableConcept().addCoding(new Coding("urn:oid:1.2.3", "IGG", "IgG"))
			.addCoding(new Coding("http://loinc.org", "2465-3", null)).setText("IgG"));
		observation.setSubject(new Reference("Patient/p1"));
		observation.setEffective(new DateTimeType("2026-03-04T09:15:00-05:00"));
		observation.setIssuedElement(new org.hl7.fhir.r4.model.InstantType("2026-03-04T15:00:00.123Z"));
		observation.setValue(new Quantity().setValue(new BigDecimal("4.2")).setUnit("g/L")
			.setComparator(Quantity.QuantityComparator.LESS_THAN));
		observation.addReferenceRange().setHigh(new Quantity().setValue(16).setUnit("g/L"));
		return observation;
	}

	static Observation textResultOverAPeriod() {
		Observation observation = new Observation();
		observation.setId("lab-2");
		observation.setStatus(Observation.ObservationStatus.FINAL);
		observation.setCode(new CodeableConcept().addCoding(new Coding("http://loinc.org", "5196-1", null)));
		observation.setEffective(new Period().setStartElement(new DateTimeType("2025-11")).setEnd(null));
		observation.setValue(new StringType("Negative"));
		return observation;
	}

	static MedicationRequest orderByReference() {
		MedicationRequest order = new MedicationRequest();
		order.setId("order-1");
		order.setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE);
		order.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
		order.setMedication(new Reference("Medication/med-1"));
		order.setSubject(new Reference("Patient/p1"));
		order.setAuthoredOnElement(new DateTimeType("2026-01-02"));
		order.addDosageInstruction(new Dosage().setText("1000 mg IV"));
		return order;
	}

	static MedicationStatement statementByCode() {
		MedicationStatement statement = new MedicationStatement();
		statement.setId("statement-1");
		statement.setStatus(MedicationStatement.MedicationStatementStatus.ACTIVE);
		statement.setMedication(new CodeableConcept().addCoding(new Coding("http://www.nlm.nih.gov/research/umls/rxnorm",
				"5521", "hydroxychloroquine")));
		statement.setEffective(new DateTimeType("2024"));
		return statement;
	}

	@Test
	void splitPathsGiveWhatTheEnginesResolverGives() {
		for (Observation observation : List.of(quantityResult(), textResultOverAPeriod(), new Observation())) {
			for (String path : OBSERVATION_PATHS) {
				assertSameRead(SPLIT, observation, path);
			}
		}
		for (Object medication : List.of(orderByReference(), statementByCode())) {
			for (String path : MEDICATION_PATHS) {
				if (!(medication instanceof MedicationStatement && path.startsWith("dosageInstruction")
						|| medication instanceof MedicationRequest && path.startsWith("dosage."))) {
					assertSameRead(SPLIT, medication, path);
				}
			}
		}
		Patient patient = new Patient();
		patient.setBirthDateElement(new DateType("1961-07-20"));
		assertSameRead(SPLIT, patient, "birthDate");
		assertSameRead(SPLIT, patient, "birthDate.value");
		assertThat(SPLIT.resolvePath(null, "value")).isNull();
	}

	/**
	 * Every property name the compiled libraries read (and the typed names of choice elements, the
	 * resource types, a primitive's extensions), on every element of the example requests and of
	 * the records above: the same value or the same failure as the engine's resolver, read twice
	 * (the first read of a class and name decides it, the second uses the decision).
	 */
	@Test
	void everyNameTheLibrariesReadGivesWhatTheEnginesResolverGivesOnEveryElement() throws IOException {
		Set<String> names = new TreeSet<>(List.of("valueQuantity", "valueString", "valueCodeableConcept",
				"valueBoolean", "valueDateTime", "effectiveDateTime", "effectivePeriod", "effectiveInstant",
				"medicationReference", "medicationCodeableConcept", "onsetDateTime", "onsetPeriod", "Observation",
				"MedicationRequest", "Patient", "Condition", "extension", "value", "id", "nonsense"));
		JsonMapper json = JsonMapper.builder().build();
		try (Stream<Path> elm = Files.list(Path.of("target/classes/elm"))) {
			for (Path file : elm.filter(path -> path.toString().endsWith(".json")).toList()) {
				PATH_IN_ELM.matcher(Files.readString(file)).results()
					.flatMap(path -> Stream.of(path.group(1).split("\\.")))
					.forEach(name -> names.add(name.replaceAll("\\[\\d]", "")));
			}
		}
		assertThat(names).as("the ELM's property names").contains("effective", "medication", "dosageInstruction");
		List<IBase> elements = new ArrayList<>();
		Set<Object> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
		try (Stream<Path> examples = Files.list(Path.of("hooks/examples"))) {
			for (Path example : examples.toList()) {
				JsonNode request = json.readTree(example.toFile());
				for (JsonNode value : request.path("prefetch")) {
					addElements((Base) FHIR.newJsonParser().parseResource(value.toString()), elements, seen);
				}
				addElements((Base) FHIR.newJsonParser().parseResource(request.path("context").path("draftOrders").toString()),
						elements, seen);
			}
		}
		for (Base record : List.of(quantityResult(), textResultOverAPeriod(), orderByReference(), statementByCode())) {
			addElements(record, elements, seen);
		}
		// A few elements of each class are enough to meet each kind of read; all of them would take seconds.
		Map<Class<?>, Integer> perClass = new HashMap<>();
		elements.removeIf(element -> perClass.merge(element.getClass(), 1, Integer::sum) > 6);
		assertThat(perClass).as("classes of the examples' elements").hasSizeGreaterThan(30);
		List<String> differences = new ArrayList<>();
		for (int round = 0; round < 2; round++) {
			for (IBase element : elements) {
				// A primitive reads any name but these two as itself (converting dates each time: slow).
				for (String name : element instanceof IPrimitiveType<?> ? List.of("value", "extension", "id") : names) {
					String expected = read(PLAIN, element, name);
					String actual = read(SPLIT, element, name);
					if (!expected.equals(actual)) {
						differences.add(element.fhirType() + "." + name + ": " + actual + " instead of " + expected);
					}
				}
			}
		}
		assertThat(differences).isEmpty();
	}

	private static final java.util.regex.Pattern PATH_IN_ELM = java.util.regex.Pattern.compile("\"path\"\\s*:\\s*\"([^\"]+)\"");

	/** A read as text: the value's class and identity or text (temporals: text, precision, offset), or the failure's class. */
	private static String read(ModelResolver resolver, Object target, String path) {
		Object value;
		try {
			value = resolver.resolvePath(target, path);
		}
		catch (RuntimeException e) {
			return "failure " + e.getClass().getName();
		}
		if (value == null) {
			return "null";
		}
		if (value instanceof BaseTemporal temporal) {
			return value.getClass().getName() + " " + value + " " + temporal.getPrecision()
					+ (value instanceof DateTime dateTime ? " " + dateTime.getDateTime() : "");
		}
		if (value instanceof IBase || value instanceof List<?>) {
			// The same elements: HAPI's elements compare by identity.
			return value.getClass().getName() + " " + (value instanceof List<?> list
					? list.stream().map(System::identityHashCode).toList() : System.identityHashCode(value));
		}
		return value.getClass().getName() + " " + value;
	}

	private static void addElements(Base element, List<IBase> elements, Set<Object> seen) {
		if (element == null || !seen.add(element)) {
			return;
		}
		elements.add(element);
		if (element instanceof Bundle bundle) {
			bundle.getEntry().forEach(entry -> addElements(entry.getResource(), elements, seen));
		}
		for (Property property : element.children()) {
			property.getValues().forEach(value -> addElements(value, elements, seen));
		}
		if (element instanceof org.hl7.fhir.r4.model.DomainResource resource) {
			resource.getContained().forEach(contained -> addElements(contained, elements, seen));
		}
	}

	@Test
	void anIndexPastTheEndFailsAsInTheEnginesResolver() {
		assertThatThrownBy(() -> PLAIN.resolvePath(quantityResult(), "code.coding[5]"))
			.isInstanceOf(IndexOutOfBoundsException.class);
		assertThatThrownBy(() -> SPLIT.resolvePath(quantityResult(), "code.coding[5]"))
			.isInstanceOf(IndexOutOfBoundsException.class);
	}

	@Test
	void anEvaluationConvertsEachDateOnceAndReadsTheRestThrough() {
		CallModelResolver call = new CallModelResolver(SPLIT);
		Observation observation = quantityResult();
		for (String path : OBSERVATION_PATHS) {
			assertSameRead(call, observation, path);
		}
		Object effective = call.resolvePath(observation, "effective");
		Object first = call.resolvePath(effective, "value");
		assertThat(first).isInstanceOf(DateTime.class).hasToString("2026-03-04T09:15:00");
		assertThat(((DateTime) first).getDateTime().getOffset()).hasToString("-05:00");
		assertThat(call.resolvePath(effective, "value")).isSameAs(first);
		assertThat(call.resolvePath(new DateTimeType(), "value")).isNull();
		assertSameRead(call, new DateType("2025-02"), "value");
		// Another evaluation converts for itself.
		assertThat(new CallModelResolver(SPLIT).resolvePath(effective, "value")).isNotSameAs(first).isEqualTo(first);
		assertThat(call.resolveType("Observation")).isEqualTo(Observation.class);
		assertThat(call.is(observation, Observation.class)).isTrue();
		assertThat(call.getContextPath("Patient", "Observation")).isEqualTo(PLAIN.getContextPath("Patient", "Observation"));
	}

	@Test
	void everyDateTimeAndInstantConvertsToTheEnginesValue() {
		List<BaseDateTimeType> values = new ArrayList<>();
		for (String text : List.of("2024", "2024-03", "2024-03-05", "2024-03-05T10:15:30Z", "2024-03-05T10:15:30.123+05:30",
				"2024-03-05T23:59:59-12:00", "2024-03-05T00:00:00+14:00", "2024-03-05T10:15:30.5-03:30",
				"2024-02-29T12:00:00+05:45", "0044-03-15", "1000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z",
				"1582-10-04", "1582-10-15T00:00:00Z", "1850-06-01")) {
			values.add(new DateTimeType(text));
		}
		for (String text : List.of("2024-03-05T10:15:30Z", "2024-03-05T10:15:30.123+05:30", "1970-01-01T00:00:00Z")) {
			values.add(new InstantType(text));
		}
		// Every precision in zones with offsets in minutes, historic local mean times (seconds in the
		// offset), summer time and the date line, over the whole range of years the engine accepts.
		java.util.Random random = new java.util.Random(14);
		List<String> zones = List.of("UTC", "America/New_York", "Europe/Amsterdam", "Asia/Kolkata", "Asia/Kathmandu",
				"Australia/Lord_Howe", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Africa/Monrovia", "Europe/Dublin");
		TemporalPrecisionEnum[] precisions = { TemporalPrecisionEnum.YEAR, TemporalPrecisionEnum.MONTH,
				TemporalPrecisionEnum.DAY, TemporalPrecisionEnum.SECOND,
				TemporalPrecisionEnum.MILLI };
		long first = -61_000_000_000_000L;
		long last = 253_000_000_000_000L;
		for (int i = 0; i < 3000; i++) {
			java.util.Date instant = new java.util.Date(first + (long) (random.nextDouble() * (last - first)));
			java.util.TimeZone zone = java.util.TimeZone.getTimeZone(zones.get(random.nextInt(zones.size())));
			values.add(new DateTimeType(instant, precisions[random.nextInt(precisions.length)], zone));
			if (i % 10 == 0) {
				values.add(new InstantType(instant, TemporalPrecisionEnum.MILLI, zone));
			}
		}
		values.add(new DateTimeType(new java.util.Date(260_000_000_000_000L), TemporalPrecisionEnum.DAY,
				java.util.TimeZone.getTimeZone("UTC")));
		values.add(new DateTimeType());
		int converted = 0;
		for (BaseDateTimeType value : values) {
			assertSameRead(SPLIT, value, "value");
			Object expected;
			try {
				expected = PLAIN.resolvePath(value, "value");
			}
			catch (RuntimeException e) {
				continue;
			}
			if (expected instanceof DateTime dateTime) {
				DateTime actual = (DateTime) SPLIT.resolvePath(value, "value");
				assertThat(actual).as(value.getValueAsString()).isEqualTo(dateTime);
				assertThat(actual.getZoneOffset()).as(value.getValueAsString()).isEqualTo(dateTime.getZoneOffset());
				assertThat(FhirDateTimes.convert(value)).as(value.getValueAsString()).isNotNull();
				converted++;
			}
		}
		assertThat(converted).isGreaterThan(3000);
	}

	/** The same value, or the same failure (a path that does not fit the data fails in both). */
	static void assertSameRead(ModelResolver resolver, Object target, String path) {
		Object expected;
		try {
			expected = PLAIN.resolvePath(target, path);
		}
		catch (RuntimeException e) {
			assertThatThrownBy(() -> resolver.resolvePath(target, path)).as(path).isInstanceOf(e.getClass());
			return;
		}
		Object actual = resolver.resolvePath(target, path);
		if (expected instanceof BaseTemporal temporal) {
			// The engine's Date has no equals: the same text, precision and offset are the same value.
			assertThat(actual).as(path).isInstanceOf(expected.getClass()).hasToString(expected.toString());
			assertThat(((BaseTemporal) actual).getPrecision()).as(path).isEqualTo(temporal.getPrecision());
			if (expected instanceof DateTime dateTime) {
				assertThat(((DateTime) actual).getDateTime()).as(path).isEqualTo(dateTime.getDateTime());
			}
		}
		else {
			assertThat(actual).as(path).isEqualTo(expected);
		}
	}
}
