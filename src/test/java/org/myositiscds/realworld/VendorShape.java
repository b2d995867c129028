package org.myositiscds.realworld;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myositiscds.TestJson;

/**
 * The shapes real EHR exports give the same facts (docs/real-world-data.md). Each turns any
 * record into that shape without changing what it says, so every shape must give the same cards
 * as the record as generated.
 */
public enum VendorShape {

	/** The record as Synthea wrote it, with the additions. */
	AS_GENERATED(UnaryOperator.identity()),

	/** Every order, statement and administration names a Medication contained in itself ("#id"). */
	CONTAINED_MEDICATION(VendorShape::containedMedications),

	/**
	 * Every order, statement and administration names a Medication by reference: the record's are
	 * found by search with {@code _include}, the draft orders' are sent in the draftOrders Bundle.
	 */
	INCLUDED_MEDICATION(record -> referencedMedications(record, false)),

	/** Every medication by reference to a Medication the EHR's FHIR API serves only when read by id. */
	SERVER_ONLY_MEDICATION(record -> referencedMedications(record, true)),

	/** A local code first in every CodeableConcept (statuses keep their one FHIR code, as EHRs send them). */
	LOCAL_CODES_FIRST(VendorShape::localCodesFirst),

	/** Qualitative results as text only ("NON REACTIVE", "Detected"), as many labs send them. */
	TEXT_RESULTS(VendorShape::textResults),

	/** Observations, administrations and statements dated by an effectivePeriod instead of a dateTime. */
	EFFECTIVE_PERIOD(VendorShape::effectivePeriods),

	/** Every dateTime cut to its date (instants stay instants, as FHIR requires). */
	DATES_WITHOUT_TIME(VendorShape::datesWithoutTime),

	/** Final results sent as amended and corrected, which count as final. */
	AMENDED_RESULTS(VendorShape::amendedResults),

	/** All of the above that can be combined, at once, as one EHR's export may be. */
	ALL_AT_ONCE(record -> amendedResults(datesWithoutTime(effectivePeriods(textResults(localCodesFirst(
			referencedMedications(record, false)))))));

	/** The local code system an EHR puts first; the HL7 example OID root, so it names no real organisation. */
	static final String LOCAL_SYSTEM = "urn:oid:2.16.840.1.113883.19.5.99.1";

	private static final Set<String> MEDICATION_USERS = Set.of("MedicationRequest", "MedicationStatement",
			"MedicationAdministration");

	/** The status CodeableConcepts have a required binding to one FHIR code system; EHRs send that code alone. */
	private static final Set<String> STATUS_FIELDS = Set.of("clinicalStatus", "verificationStatus");

	/** Qualitative answers as labs write them in text: the same finding, the spelling varied on purpose. */
	private static final Map<String, String> RESULT_TEXT = Map.of(
			"260385009", "NON REACTIVE",
			"131194007", "Nonreactive",
			"260415000", "None detected",
			"10828004", "Detected",
			"11214006", "REACTIVE",
			"260373001", "Detected");

	private static final Pattern DATE_TIME = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T.*$");

	/** FHIR instants must keep their time. */
	private static final Set<String> INSTANT_FIELDS = Set.of("issued", "lastUpdated", "timestamp");

	private final UnaryOperator<FixtureRecord> transform;

	VendorShape(UnaryOperator<FixtureRecord> transform) {
		this.transform = transform;
	}

	/**
	 * Whether the shape changes what the EHR's FHIR API answers differently from a prefetch (where
	 * Medications are and how they are found), so that fetching must be tested too. The other shapes
	 * change the resources alone, which reach the service the same way in both.
	 */
	public boolean changesWhatIsFetched() {
		return this == AS_GENERATED || this == INCLUDED_MEDICATION || this == SERVER_ONLY_MEDICATION || this == ALL_AT_ONCE;
	}

	/** The record in this shape; the record given is not changed. */
	public FixtureRecord apply(FixtureRecord record) {
		return transform.apply(record.copy());
	}

	private static FixtureRecord containedMedications(FixtureRecord record) {
		Map<String, ObjectNode> medications = medicationsById(record);
		List<ObjectNode> users = new ArrayList<>(medicationUsers(record.records()));
		users.addAll(medicationUsers(record.draftOrders()));
		for (ObjectNode resource : users) {
			ObjectNode medication = medicationOf(resource, medications);
			if (medication != null) {
				medication.put("id", "med");
				resource.remove("medicationCodeableConcept");
				resource.putArray("contained").add(medication);
				resource.set("medicationReference", reference("#med", medication));
			}
		}
		record.records().removeIf(VendorShape::isMedication);
		return record;
	}

	private static FixtureRecord referencedMedications(FixtureRecord record, boolean serverOnly) {
		List<ObjectNode> fromRecord = referenceMedications(medicationUsers(record.records()));
		List<ObjectNode> fromDrafts = referenceMedications(medicationUsers(record.draftOrders()));
		(serverOnly ? record.serverOnly() : record.records()).addAll(fromRecord);
		(serverOnly ? record.serverOnly() : record.draftSupport()).addAll(fromDrafts);
		if (serverOnly) {
			record.records().stream().filter(VendorShape::isMedication).forEach(record.serverOnly()::add);
			record.records().removeIf(VendorShape::isMedication);
		}
		return record;
	}

	/** Each coded medication of the resources moved to a Medication of its own, which is returned. */
	private static List<ObjectNode> referenceMedications(List<ObjectNode> resources) {
		List<ObjectNode> medications = new ArrayList<>();
		for (ObjectNode resource : resources) {
			if (resource.has("medicationCodeableConcept")) {
				ObjectNode medication = TestJson.MAPPER.createObjectNode().put("resourceType", "Medication")
					.put("id", "med-" + resource.path("id").asText());
				medication.set("code", resource.remove("medicationCodeableConcept"));
				resource.set("medicationReference", reference("Medication/" + medication.path("id").asText(), medication));
				medications.add(medication);
			}
		}
		return medications;
	}

	private static FixtureRecord localCodesFirst(FixtureRecord record) {
		record.everything().forEach(resource -> localCodesFirst(resource, null));
		return record;
	}

	private static void localCodesFirst(JsonNode node, String field) {
		if (node instanceof ObjectNode object) {
			if (object.path("coding").isArray() && !object.path("coding").isEmpty() && !STATUS_FIELDS.contains(field)) {
				JsonNode standard = object.path("coding").get(0);
				ObjectNode local = TestJson.MAPPER.createObjectNode()
					.put("system", LOCAL_SYSTEM)
					.put("code", "L" + Integer.toUnsignedString((standard.path("system").asText() + "|"
							+ standard.path("code").asText()).hashCode()));
				if (standard.has("display")) {
					local.put("display", standard.path("display").asText());
				}
				((ArrayNode) object.path("coding")).insert(0, local);
			}
			object.fields().forEachRemaining(entry -> localCodesFirst(entry.getValue(), entry.getKey()));
		}
		else if (node.isArray()) {
			node.forEach(item -> localCodesFirst(item, field));
		}
	}

	private static FixtureRecord textResults(FixtureRecord record) {
		for (ObjectNode resource : record.records()) {
			JsonNode value = resource.path("valueCodeableConcept");
			if (!resource.path("resourceType").asText().equals("Observation") || value.isMissingNode()) {
				continue;
			}
			for (JsonNode coding : value.path("coding")) {
				String text = RESULT_TEXT.get(coding.path("code").asText());
				if (text != null && coding.path("system").asText().equals("http://snomed.info/sct")) {
					resource.remove("valueCodeableConcept");
					resource.put("valueString", text);
					break;
				}
			}
		}
		return record;
	}

	private static FixtureRecord effectivePeriods(FixtureRecord record) {
		for (ObjectNode resource : record.records()) {
			if (resource.has("effectiveDateTime")) {
				JsonNode when = resource.remove("effectiveDateTime");
				resource.putObject("effectivePeriod").set("start", when);
				((ObjectNode) resource.path("effectivePeriod")).set("end", when);
			}
		}
		return record;
	}

	private static FixtureRecord datesWithoutTime(FixtureRecord record) {
		record.everything().forEach(resource -> datesWithoutTime(resource, null));
		return record;
	}

	private static void datesWithoutTime(JsonNode node, String field) {
		if (node instanceof ObjectNode object) {
			object.fields().forEachRemaining(entry -> {
				JsonNode value = entry.getValue();
				if (value.isTextual() && DATE_TIME.matcher(value.asText()).matches() && !INSTANT_FIELDS.contains(entry.getKey())) {
					entry.setValue(TestJson.MAPPER.getNodeFactory().textNode(value.asText().substring(0, 10)));
				}
				else {
					datesWithoutTime(value, entry.getKey());
				}
			});
		}
		else if (node instanceof ArrayNode array) {
			for (int i = 0; i < array.size(); i++) {
				JsonNode item = array.get(i);
				if (item.isTextual() && DATE_TIME.matcher(item.asText()).matches() && !INSTANT_FIELDS.contains(field)) {
					array.set(i, TestJson.MAPPER.getNodeFactory().textNode(item.asText().substring(0, 10)));
				}
				else {
					datesWithoutTime(item, field);
				}
			}
		}
	}

	private static FixtureRecord amendedResults(FixtureRecord record) {
		int count = 0;
		for (ObjectNode resource : record.records()) {
			if (resource.path("resourceType").asText().equals("Observation") && resource.path("status").asText().equals("final")) {
				resource.put("status", count++ % 2 == 0 ? "amended" : "corrected");
			}
		}
		return record;
	}

	private static List<ObjectNode> medicationUsers(List<ObjectNode> resources) {
		return resources.stream().filter(r -> MEDICATION_USERS.contains(r.path("resourceType").asText())).toList();
	}

	/** The resource's medication as a Medication of its own: its coded concept, or the Medication it references. */
	private static ObjectNode medicationOf(ObjectNode resource, Map<String, ObjectNode> medications) {
		if (resource.has("medicationCodeableConcept")) {
			ObjectNode medication = TestJson.MAPPER.createObjectNode().put("resourceType", "Medication");
			medication.set("code", resource.path("medicationCodeableConcept").deepCopy());
			return medication;
		}
		ObjectNode referenced = medications.get(resource.path("medicationReference").path("reference").asText());
		return referenced == null ? null : referenced.deepCopy();
	}

	private static Map<String, ObjectNode> medicationsById(FixtureRecord record) {
		Map<String, ObjectNode> medications = new HashMap<>();
		record.records().stream().filter(VendorShape::isMedication)
			.forEach(m -> medications.put("Medication/" + m.path("id").asText(), m));
		return medications;
	}

	private static boolean isMedication(ObjectNode resource) {
		return resource.path("resourceType").asText().equals("Medication");
	}

	private static ObjectNode reference(String reference, ObjectNode medication) {
		ObjectNode node = TestJson.MAPPER.createObjectNode().put("reference", reference);
		String display = medication.path("code").path("text").asText(medication.path("code").path("coding").path(0).path("display").asText());
		if (!display.isEmpty()) {
			node.put("display", display);
		}
		return node;
	}
}
