package org.myositiscds.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.quantity;
import static org.myositiscds.PatientScenario.rituximabOrder;

import java.time.LocalDate;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.myositiscds.PatientScenario;
import org.myositiscds.TestJson;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Through the service: a lab result no rule of rituximab-order-sign reads (creatine kinase) is left
 * out unparsed, so even a malformed one changes nothing, while the same malformation in a result the
 * rules read (IgG) is still refused, naming its entry as sent.
 */
@CdsServiceTest
class UnreadPrefetchHttpTests {

	static final String SIGN = "rituximab-order-sign";

	static final int KINASE_DAYS = 400;

	static final int IGG_DAYS = 20;

	@Autowired
	CdsHooksClient client;

	static PatientScenario record(boolean withKinase) {
		PatientScenario scenario = patient("unread-prefetch").dermatomyositis()
			.lab("2465-3", "IgG [Mass/volume] in Serum or Plasma", IGG_DAYS, quantity(850, "mg/dL"));
		if (withKinase) {
			scenario.lab("2157-6", "Creatine kinase [Enzymatic activity/volume] in Serum or Plasma", KINASE_DAYS,
					quantity(2400, "U/L"));
		}
		return scenario.draft(rituximabOrder("rtx-1"));
	}

	/** An order-sign call whose Observation key holds every result of the record, as an EHR that ignores the code filter sends. */
	static String orderSign(PatientScenario scenario) {
		Map<String, JsonNode> prefetch = scenario.prefetch(SIGN);
		prefetch.put("observations", TestJson.read(scenario.answer("Observation?patient={{context.patientId}}")));
		return scenario.withPrefetch(SIGN, "order-sign", prefetch);
	}

	/** The result's effectiveDateTime with a space for the T, which neither HAPI nor FHIR accepts. */
	static String malformed(String body, int days) {
		String date = "\"effectiveDateTime\":\"" + LocalDate.now().minusDays(days) + "\"";
		assertThat(body).containsOnlyOnce(date);
		return body.replace(date, date.substring(0, date.length() - 1) + " 10:00\"");
	}

	@Test
	void aMalformedResultNoRuleReadsChangesNothing() {
		CdsHooksClient.Answer without = client.call(SIGN, orderSign(record(false)));
		CdsHooksClient.Answer malformedKinase = client.call(SIGN, malformed(orderSign(record(true)), KINASE_DAYS));
		assertThat(without.status()).isEqualTo(200);
		assertThat(malformedKinase.status()).as(malformedKinase.body().toString()).isEqualTo(200);
		assertThat(without.rules()).contains("RTX-4");
		assertThat(malformedKinase.body().path("cards").toString().replaceAll("\"uuid\":\"[^\"]*\"", ""))
			.isEqualTo(without.body().path("cards").toString().replaceAll("\"uuid\":\"[^\"]*\"", ""));
	}

	@Test
	void aMalformedResultARuleReadsIsRefusedByItsPlace() {
		CdsHooksClient.Answer answer = client.call(SIGN, malformed(orderSign(record(true)), IGG_DAYS));
		assertThat(answer.status()).isEqualTo(400);
		assertThat(answer.body().toString()).contains("Bundle.entry[0].resource").contains("not a valid FHIR R4 resource");
	}
}
