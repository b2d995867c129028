package org.myositiscds;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.util.FhirTerser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Dosage;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.MedicationAdministration;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Range;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.SimpleQuantity;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Timing;
import org.hl7.fhir.r4.model.Type;

/**
 * A patient's record and draft orders, shaped like an EHR's FHIR data (identifiers, categories,
 * clinical and verification status, coded values with displays), with dates relative to today so
 * that cases never go stale. It writes the CDS Hooks request for a service, with its prefetch
 * filled from the service definition in hooks/, or serves the same data as a FHIR API on WireMock.
 */
public final class PatientScenario {

	public static final String RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm";

	public static final String LOINC = "http://loinc.org";

	public static final String SNOMED = "http://snomed.info/sct";

	public static final String ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm";

	public static final String UCUM = "http://unitsofmeasure.org";

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	private static final ObjectMapper JSON = TestJson.MAPPER;

	private final Patient patient;

	private final List<Resource> records = new ArrayList<>();

	private final List<Resource> draftOrders = new ArrayList<>();

	private int sequence;

	private PatientScenario(String id) {
		patient = new Patient();
		patient.setId(TestSecrets.remember(id));
		patient.addIdentifier(new Identifier().setSystem("urn:oid:2.16.840.1.113883.19.5").setValue("MRN-" + id));
		patient.addName(new HumanName().setFamily("Testpatient").addGiven(id));
		patient.setGender(AdministrativeGender.FEMALE);
		patient.setBirthDateElement(new DateType(LocalDate.now().minusYears(52).minusDays(40).toString()));
	}

	private PatientScenario(Patient patient, List<? extends Resource> records, List<? extends Resource> draftOrders) {
		this.patient = patient;
		TestSecrets.remember(patient.getIdElement().getIdPart());
		this.records.addAll(records);
		this.draftOrders.addAll(draftOrders);
	}

	/**
	 * A patient whose record is already written as FHIR resources (e.g. the demo patients of
	 * fhir-resources/examples/): the Patient, the rest of the record, and the draft orders.
	 */
	public static PatientScenario of(Patient patient, List<? extends Resource> records,
			List<? extends Resource> draftOrders) {
		return new PatientScenario(patient, records, draftOrders);
	}

	/** A 52-year-old woman with no records yet. */
	public static PatientScenario patient(String id) {
		return new PatientScenario(id);
	}

	public String id() {
		return patient.getIdElement().getIdPart();
	}

	public PatientScenario male() {
		patient.setGender(AdministrativeGender.MALE);
		return this;
	}

	public PatientScenario bornYearsAgo(int years, int extraDays) {
		patient.setBirthDateElement(new DateType(LocalDate.now().minusYears(years).minusDays(extraDays).toString()));
		return this;
	}

	/** No birth date on record: the age is unknown. */
	public PatientScenario withoutBirthDate() {
		patient.setBirthDateElement(null);
		return this;
	}

	/** No administrative gender on record. */
	public PatientScenario withoutGender() {
		patient.setGender(null);
		return this;
	}

	public static DateTimeType daysAgo(int days) {
		return new DateTimeType(LocalDate.now().minusDays(days).toString());
	}

	/** A final lab result of the given LOINC code, taken {@code days} ago, read as {@code result} says. */
	public PatientScenario lab(String loinc, String display, int days, Consumer<Observation> result) {
		Observation observation = new Observation();
		observation.setId("obs-" + (++sequence));
		observation.setStatus(Observation.ObservationStatus.FINAL);
		observation.addCategory(new CodeableConcept(new Coding(
				"http://terminology.hl7.org/CodeSystem/observation-category", "laboratory", "Laboratory")));
		observation.setCode(new CodeableConcept(new Coding(LOINC, loinc, display)).setText(display));
		observation.setSubject(new Reference("Patient/" + id()));
		observation.setEffective(daysAgo(days));
		observation.setIssued(java.sql.Date.valueOf(LocalDate.now().minusDays(days)));
		result.accept(observation);
		records.add(observation);
		return this;
	}

	public static Consumer<Observation> coded(String snomedCode, String display) {
		return o -> o.setValue(new CodeableConcept(new Coding(SNOMED, snomedCode, display)).setText(display));
	}

	public static final Consumer<Observation> POSITIVE = coded("10828004", "Positive");

	public static final Consumer<Observation> NEGATIVE = coded("260385009", "Negative");

	public static final Consumer<Observation> REACTIVE = coded("11214006", "Reactive");

	public static Consumer<Observation> text(String value) {
		return o -> o.setValue(new StringType(value));
	}

	public static Consumer<Observation> interpretation(String v3Code) {
		return o -> o.addInterpretation(new CodeableConcept(new Coding(
				"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", v3Code, null)));
	}

	public static Consumer<Observation> status(Observation.ObservationStatus status) {
		return o -> o.setStatus(status);
	}

	/** A UCUM quantity as a result value, e.g. quantity(1050, "mg/dL"). */
	public static Consumer<Observation> quantity(double value, String ucum) {
		return o -> o.setValue(ucum(value, ucum));
	}

	/** The result's reference range (low and high in the same UCUM unit). */
	public static Consumer<Observation> referenceRange(double low, double high, String ucum) {
		return o -> o.addReferenceRange().setLow(simple(low, ucum)).setHigh(simple(high, ucum));
	}

	/** A final vital-signs measurement (e.g. body height 8302-2, weight 29463-7) taken {@code days} ago. */
	public PatientScenario vitalSign(String loinc, String display, int days, double value, String ucum) {
		lab(loinc, display, days, quantity(value, ucum));
		Observation observation = (Observation) records.get(records.size() - 1);
		observation.getCategoryFirstRep().getCodingFirstRep().setCode("vital-signs").setDisplay("Vital Signs");
		return this;
	}

	public PatientScenario height(double value, String ucum, int days) {
		return vitalSign("8302-2", "Body height", days, value, ucum);
	}

	public PatientScenario weight(double value, String ucum, int days) {
		return vitalSign("29463-7", "Body weight", days, value, ucum);
	}

	public static Quantity ucum(double value, String ucum) {
		return new Quantity().setValue(decimal(value)).setUnit(ucum).setSystem(UCUM).setCode(ucum);
	}

	private static SimpleQuantity simple(double value, String ucum) {
		SimpleQuantity quantity = new SimpleQuantity();
		quantity.setValue(decimal(value)).setUnit(ucum).setSystem(UCUM).setCode(ucum);
		return quantity;
	}

	/** As an EHR writes it: 55, not 55.0; 77.162 as it is. */
	private static BigDecimal decimal(double value) {
		return value == Math.rint(value) ? BigDecimal.valueOf((long) value) : BigDecimal.valueOf(value);
	}

	/** A confirmed problem-list condition with the given clinical status (active, resolved, ...). */
	public PatientScenario condition(String system, String code, String display, String clinicalStatus) {
		return condition(system, code, display, clinicalStatus, 400);
	}

	/** As {@link #condition(String, String, String, String)}, with its onset {@code onsetDaysAgo} days ago. */
	public PatientScenario condition(String system, String code, String display, String clinicalStatus, int onsetDaysAgo) {
		Condition condition = new Condition();
		condition.setId("cond-" + (++sequence));
		condition.setClinicalStatus(new CodeableConcept(new Coding(
				"http://terminology.hl7.org/CodeSystem/condition-clinical", clinicalStatus, null)));
		condition.setVerificationStatus(new CodeableConcept(new Coding(
				"http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", null)));
		condition.addCategory(new CodeableConcept(new Coding(
				"http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item", "Problem List Item")));
		condition.setCode(new CodeableConcept(new Coding(system, code, display)).setText(display));
		condition.setSubject(new Reference("Patient/" + id()));
		condition.setOnset(daysAgo(onsetDaysAgo));
		records.add(condition);
		return this;
	}

	public PatientScenario dermatomyositis() {
		return condition(SNOMED, "396230008", "Dermatomyositis (disorder)", "active");
	}

	/** An active outpatient order, authored {@code days} ago. */
	public PatientScenario activeMedication(String rxnorm, String display, int days) {
		MedicationRequest request = order("med-" + (++sequence), rxnorm, display);
		request.setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE);
		request.setAuthoredOnElement(daysAgo(days));
		request.setSubject(new Reference("Patient/" + id()));
		records.add(request);
		return this;
	}

	/** An active outpatient order, authored {@code days} ago, with its dosage instruction. */
	public PatientScenario activeMedication(String rxnorm, String display, int days, Dosage dosage) {
		activeMedication(rxnorm, display, days);
		((MedicationRequest) records.get(records.size() - 1)).addDosageInstruction(dosage);
		return this;
	}

	/**
	 * An order of the medication history: its status (active, completed, stopped, ...), authored
	 * {@code authoredDaysAgo} days ago, and, when {@code validUntilDaysAgo} is not null, a
	 * dispenseRequest.validityPeriod from the authoring date to that day.
	 */
	public PatientScenario medicationOrder(String rxnorm, String display, MedicationRequest.MedicationRequestStatus status,
			int authoredDaysAgo, Integer validUntilDaysAgo) {
		MedicationRequest request = order("med-" + (++sequence), rxnorm, display);
		request.setStatus(status);
		request.setAuthoredOnElement(daysAgo(authoredDaysAgo));
		request.setSubject(new Reference("Patient/" + id()));
		if (validUntilDaysAgo != null) {
			request.getDispenseRequest().setValidityPeriod(new Period()
				.setStartElement(daysAgo(authoredDaysAgo)).setEndElement(daysAgo(validUntilDaysAgo)));
		}
		records.add(request);
		return this;
	}

	/** A MedicationStatement of an RxNorm medication taken from {@code startDaysAgo} to {@code endDaysAgo} (null: no end). */
	public PatientScenario medicationStatement(String rxnorm, String display, MedicationStatement.MedicationStatementStatus status,
			int startDaysAgo, Integer endDaysAgo) {
		return medicationStatement(RXNORM, rxnorm, display, status, startDaysAgo, endDaysAgo);
	}

	public PatientScenario medicationStatement(String system, String code, String display,
			MedicationStatement.MedicationStatementStatus status, int startDaysAgo, Integer endDaysAgo) {
		MedicationStatement statement = new MedicationStatement();
		statement.setId("stmt-" + (++sequence));
		statement.setStatus(status);
		statement.setMedication(new CodeableConcept(new Coding(system, code, display)).setText(display));
		statement.setSubject(new Reference("Patient/" + id()));
		Period period = new Period().setStartElement(daysAgo(startDaysAgo));
		if (endDaysAgo != null) {
			period.setEndElement(daysAgo(endDaysAgo));
		}
		statement.setEffective(period);
		statement.setDateAssertedElement(daysAgo(startDaysAgo));
		records.add(statement);
		return this;
	}

	/** A completed MedicationAdministration of {@code doseMg} mg, given {@code days} ago. */
	public PatientScenario medicationAdministration(String rxnorm, String display, int days, double doseMg) {
		MedicationAdministration administration = new MedicationAdministration();
		administration.setId("admin-" + (++sequence));
		administration.setStatus(MedicationAdministration.MedicationAdministrationStatus.COMPLETED);
		administration.setMedication(new CodeableConcept(new Coding(RXNORM, rxnorm, display)).setText(display));
		administration.setSubject(new Reference("Patient/" + id()));
		administration.setEffective(daysAgo(days));
		administration.getDosage().setDose(simple(doseMg, "mg"));
		records.add(administration);
		return this;
	}

	public PatientScenario record(Resource resource) {
		records.add(resource);
		return this;
	}

	public PatientScenario draft(MedicationRequest order) {
		order.setSubject(new Reference("Patient/" + id()));
		draftOrders.add(order);
		return this;
	}

	/** A draft medication order as an EHR sends it in context.draftOrders. */
	public static MedicationRequest order(String id, String rxnorm, String display) {
		MedicationRequest request = new MedicationRequest();
		request.setId(id);
		request.setStatus(MedicationRequest.MedicationRequestStatus.DRAFT);
		request.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
		request.setMedication(new CodeableConcept(new Coding(RXNORM, rxnorm, display)).setText(display));
		request.setAuthoredOnElement(new DateTimeType(LocalDate.now().toString()));
		return request;
	}

	public static MedicationRequest rituximabOrder(String id) {
		return order(id, "1657867", "50 ML rituximab 10 MG/ML Injection");
	}

	/** A dosage instruction of one dose per administration (doseAndRate.doseQuantity, UCUM). */
	public static Dosage dose(double value, String ucum) {
		Dosage dosage = new Dosage();
		dosage.setText(decimal(value).toPlainString() + " " + ucum);
		dosage.addDoseAndRate().setDose(simple(value, ucum));
		return dosage;
	}

	/** A dosage instruction whose dose is a range (doseAndRate.doseRange). */
	public static Dosage doseRange(double low, double high, String ucum) {
		Dosage dosage = new Dosage();
		dosage.addDoseAndRate().setDose(new Range().setLow(simple(low, ucum)).setHigh(simple(high, ucum)));
		return dosage;
	}

	/** The dosage given {@code count} times, one every {@code period} {@code periodUnit} (e.g. 2, 14, "d"). */
	public static Dosage times(Dosage dosage, int count, double period, String periodUnit) {
		Timing.TimingRepeatComponent repeat = dosage.getTiming().getRepeat();
		repeat.setCount(count);
		repeat.setPeriod(decimal(period));
		repeat.setPeriodUnit(Timing.UnitsOfTime.fromCode(periodUnit));
		return dosage;
	}

	/** The dosage given {@code frequency} times every {@code period} {@code periodUnit}, with no end (e.g. 1, 1, "d"). */
	public static Dosage every(Dosage dosage, int frequency, double period, String periodUnit) {
		Timing.TimingRepeatComponent repeat = dosage.getTiming().getRepeat();
		repeat.setFrequency(frequency);
		repeat.setPeriod(decimal(period));
		repeat.setPeriodUnit(Timing.UnitsOfTime.fromCode(periodUnit));
		return dosage;
	}

	/** The dosage given {@code count} times in all, with no period. */
	public static Dosage count(Dosage dosage, int count) {
		dosage.getTiming().getRepeat().setCount(count);
		return dosage;
	}

	/** An order-sign request with the service's full prefetch. */
	public String orderSign(String serviceId) {
		return request(serviceId, "order-sign", List.of(), prefetch(serviceId), null);
	}

	/** An order-select request with the service's full prefetch, selecting the named draft orders. */
	public String orderSelect(String serviceId, String... selectedIds) {
		return request(serviceId, "order-select", Arrays.asList(selectedIds), prefetch(serviceId), null);
	}

	/** A request with no prefetch at all: everything must be fetched from {@code fhirServer}. */
	public String withoutPrefetch(String serviceId, String hook, String fhirServer, String accessToken,
			String... selectedIds) {
		return withFhirServer(request(serviceId, hook, Arrays.asList(selectedIds), null, null), fhirServer, accessToken);
	}

	/** The request with a fhirServer and fhirAuthorization added, so that missing prefetch is fetched. */
	public static String withFhirServer(String requestJson, String fhirServer, String accessToken) {
		ObjectNode authorization = JSON.createObjectNode()
			.put("access_token", TestSecrets.remember(accessToken))
			.put("token_type", "Bearer")
			.put("expires_in", 300)
			.put("scope", "patient/*.read")
			.put("subject", "myositis-cds");
		ObjectNode request = (ObjectNode) TestJson.read(requestJson);
		request.put("fhirServer", fhirServer);
		request.set("fhirAuthorization", authorization);
		return request.toString();
	}

	/** The request with its prefetch replaced (keys to FHIR JSON, or to null). */
	public String withPrefetch(String serviceId, String hook, Map<String, JsonNode> prefetch, String... selectedIds) {
		return request(serviceId, hook, Arrays.asList(selectedIds), prefetch, null);
	}

	/** The prefetch a conforming EHR would send for the service: each template answered from this record. */
	public Map<String, JsonNode> prefetch(String serviceId) {
		Map<String, JsonNode> prefetch = new LinkedHashMap<>();
		serviceDefinition(serviceId).path("prefetch").fields()
			.forEachRemaining(entry -> prefetch.put(entry.getKey(), TestJson.read(answer(entry.getValue().asText()))));
		return prefetch;
	}

	/** Serves the record as the EHR's FHIR API: one stub per prefetch template of the service. */
	public void serveOn(Consumer<MappingBuilder> stubs, String serviceId, String basePath) {
		serviceDefinition(serviceId).path("prefetch").fields().forEachRemaining(entry -> {
			String query = entry.getValue().asText().replace("{{context.patientId}}", id());
			int questionMark = query.indexOf('?');
			String path = questionMark < 0 ? query : query.substring(0, questionMark);
			MappingBuilder stub = get(urlPathEqualTo(basePath + "/" + path));
			if (questionMark >= 0) {
				for (String parameter : query.substring(questionMark + 1).split("&")) {
					String[] nameValue = parameter.split("=", 2);
					stub = stub.withQueryParam(nameValue[0], equalTo(nameValue[1]));
				}
			}
			stubs.accept(stub.willReturn(aResponse().withStatus(200)
				.withHeader("Content-Type", "application/fhir+json")
				.withBody(answer(entry.getValue().asText()))));
		});
	}

	/** The FHIR JSON an EHR returns for a query (a read, or a searchset filtered by status and code). */
	public String answer(String template) {
		String query = template.replace("{{context.patientId}}", id());
		if (query.startsWith("Patient/")) {
			return FHIR.newJsonParser().encodeResourceToString(patient);
		}
		int questionMark = query.indexOf('?');
		String type = questionMark < 0 ? query : query.substring(0, questionMark);
		Map<String, String> parameters = new LinkedHashMap<>();
		if (questionMark >= 0) {
			for (String parameter : query.substring(questionMark + 1).split("&")) {
				String[] nameValue = parameter.split("=", 2);
				parameters.put(nameValue[0], nameValue.length > 1 ? nameValue[1] : "");
			}
		}
		Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET);
		for (Resource resource : records) {
			if (resource.fhirType().equals(type) && matches(resource, parameters)) {
				bundle.addEntry().setFullUrl("http://ehr.example.org/fhir/" + type + "/" + resource.getIdElement().getIdPart())
					.setResource(resource)
					.getSearch().setMode(Bundle.SearchEntryMode.MATCH);
			}
		}
		bundle.setTotal(bundle.getEntry().size());
		if (parameters.getOrDefault("_include", "").endsWith(":medication")) {
			includeMedications(bundle);
		}
		return FHIR.newJsonParser().encodeResourceToString(bundle);
	}

	/** {@code _include=...:medication}: the record's Medications that the matches name, once each, as a server adds them. */
	private void includeMedications(Bundle bundle) {
		Set<String> named = new HashSet<>();
		for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
			Type medication = entry.getResource() instanceof MedicationRequest request ? request.getMedication()
					: entry.getResource() instanceof MedicationStatement statement ? statement.getMedication()
					: entry.getResource() instanceof MedicationAdministration administration ? administration.getMedication() : null;
			if (medication instanceof Reference reference) {
				named.add(reference.getReference());
			}
		}
		for (Resource resource : records) {
			if (resource.fhirType().equals("Medication") && named.contains("Medication/" + resource.getIdElement().getIdPart())) {
				bundle.addEntry().setFullUrl("http://ehr.example.org/fhir/Medication/" + resource.getIdElement().getIdPart())
					.setResource(resource)
					.getSearch().setMode(Bundle.SearchEntryMode.INCLUDE);
			}
		}
	}

	private static boolean matches(Resource resource, Map<String, String> parameters) {
		FhirTerser terser = FHIR.newTerser();
		String status = parameters.get("status");
		if (status != null && !Arrays.asList(status.split(",")).contains(terser.getSinglePrimitiveValueOrNull(resource, "status"))) {
			return false;
		}
		String codes = parameters.get("code");
		if (codes != null) {
			List<String> wanted = Arrays.asList(codes.split(","));
			return terser.getValues(resource, "code.coding", Coding.class).stream()
				.anyMatch(coding -> wanted.contains(coding.getSystem() + "|" + coding.getCode())
						|| wanted.contains(coding.getCode()));
		}
		return true;
	}

	private String request(String serviceId, String hook, List<String> selectedIds, Map<String, JsonNode> prefetch,
			String fhirServer) {
		ObjectNode context = JSON.createObjectNode()
			.put("userId", "Practitioner/rheumatologist-1")
			.put("patientId", id())
			.put("encounterId", "encounter-1");
		if (hook.equals("order-select")) {
			ArrayNode selections = context.putArray("selections");
			selectedIds.forEach(selectedId -> selections.add(selectedFhirType(selectedId) + "/" + selectedId));
		}
		Bundle drafts = new Bundle().setType(Bundle.BundleType.COLLECTION);
		draftOrders.forEach(order -> drafts.addEntry().setResource(order));
		context.set("draftOrders", TestJson.read(FHIR.newJsonParser().encodeResourceToString(drafts)));
		ObjectNode request = JSON.createObjectNode()
			.put("hookInstance", UUID.randomUUID().toString())
			.put("hook", hook);
		request.set("context", context);
		if (prefetch != null) {
			ObjectNode prefetchNode = request.putObject("prefetch");
			prefetch.forEach(prefetchNode::set);
		}
		return request.toString();
	}

	private String selectedFhirType(String selectedId) {
		return draftOrders.stream()
			.filter(order -> order.getIdElement().getIdPart().equals(selectedId))
			.map(Resource::fhirType)
			.findFirst()
			.orElse("MedicationRequest");
	}

	private static JsonNode serviceDefinition(String serviceId) {
		try (InputStream in = PatientScenario.class.getResourceAsStream("/hooks/" + serviceId + ".json")) {
			if (in == null) {
				throw new IllegalArgumentException("No service definition hooks/" + serviceId + ".json");
			}
			return JSON.readTree(in);
		}
		catch (IOException e) {
			throw new IllegalStateException(e);
		}
	}

}
