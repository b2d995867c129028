package org.myositiscds.hooks;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.hl7.fhir.r4.model.Resource;

/**
 * A validated CDS Hooks 2.0 call to an order-select, order-sign or patient-view service.
 * @param draftOrders the orders of {@code context.draftOrders}; none for patient-view
 * @param prefetch by key: the resource the EHR sent, or {@code null} where it sent null
 * @param contextFields the context's top-level text fields, for prefetch tokens
 */
public record CdsRequest(String hook, String hookInstance, URI fhirServer, String accessToken, String userId,
		String patientId, String encounterId, List<Resource> draftOrders, List<String> selections,
		Map<String, Resource> prefetch, Map<String, String> contextFields) {
}
