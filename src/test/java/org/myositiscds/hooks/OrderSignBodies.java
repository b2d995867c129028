package org.myositiscds.hooks;

/** An order-sign call with a rituximab draft order, for parser tests that vary only its prefetch. */
final class OrderSignBodies {

	private OrderSignBodies() {
	}

	/** @param prefetchFields the prefetch object's fields, as JSON ({@code "key": {...}, ...}) */
	static String withPrefetch(String prefetchFields) {
		return """
				{"hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "hook": "order-sign",
				 "context": {"userId": "Practitioner/p1", "patientId": "pat-1",
				   "draftOrders": {"resourceType": "Bundle", "type": "collection", "entry": [
				     {"resource": {"resourceType": "MedicationRequest", "id": "rx-1", "status": "draft", "intent": "order",
				       "subject": {"reference": "Patient/pat-1"}, "medicationCodeableConcept": {"text": "rituximab"}}}]}},
				 "prefetch": {%s}}""".formatted(prefetchFields);
	}
}
