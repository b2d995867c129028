package org.myositiscds.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.willThrow;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;

import org.junit.jupiter.api.Test;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/** The invoker reports the cards of each EHR call, and a failure to record them never fails the call. */
@CdsServiceTest
class CardLogTests {

	static final String SIGN = "hbv-screening-order-sign";

	@MockitoBean
	CardLog cardLog;

	@Autowired
	CdsHooksClient client;

	@Test
	void theCallIsAnsweredEvenWhenRecordingItsCardsFails() {
		willThrow(new IllegalStateException("database down")).given(cardLog).shown(any(), any(), any(), any(), any());

		CdsHooksClient.Answer answer = client.call(SIGN, patient("card-log-fails").draft(rituximabOrder("rtx-1")).orderSign(SIGN));

		assertThat(answer.status()).isEqualTo(200);
		assertThat(answer.rules()).containsExactly("HBV-1");
		// Once: this call. The warm-up at start ran every example several times and recorded nothing.
		verify(cardLog, times(1)).shown(eq(SIGN), any(), eq("card-log-fails"), any(),
				argThat(cards -> cards.size() == 1 && "HBV-1".equals(cards.get(0).rule())));
	}
}
