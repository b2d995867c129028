package org.myositiscds.hooks;

import java.time.Instant;
import java.util.List;

import org.myositiscds.cards.Card;

/**
 * Where {@link CdsServiceInvoker} reports the cards it returned, so that feedback can later be
 * joined to the rule that produced each card. Recording is not the EHR's concern: an
 * implementation returns at once and a failure of it never fails the call.
 */
public interface CardLog {

	/** Records nothing: for wiring without a feedback store. */
	CardLog NONE = (serviceId, hookInstance, patientId, time, cards) -> {
	};

	/**
	 * @param patientId the call's {@code context.patientId}; an implementation must not store it as it is
	 * @param cards the cards returned, possibly none
	 */
	void shown(String serviceId, String hookInstance, String patientId, Instant time, List<Card> cards);

	/**
	 * The cards whose rule applied but that a remembered override kept from the clinician
	 * ({@link CardMemory}), so that reports count them as suppressed.
	 */
	default void suppressed(String serviceId, String hookInstance, String patientId, Instant time, List<Card> cards) {
	}
}
