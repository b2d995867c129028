package org.myositiscds.hooks;

import java.time.Instant;
import java.util.List;

import org.myositiscds.cards.Card;
import org.myositiscds.knowledge.OverrideMemory;

/**
 * The step between the CQL's cards and the response: a card the clinician overrode for this
 * patient, while the override is remembered and the card rests on the same facts, is not shown
 * again (docs/feedback.md). An implementation that cannot tell shows every card.
 */
public interface CardMemory {

	/** The cards to show, and those a remembered override keeps back. */
	record Sorted(List<Card> shown, List<Card> suppressed) {
	}

	/** Remembers nothing: every card is shown. */
	CardMemory NONE = (memory, patientId, now, cards) -> new Sorted(cards, List.of());

	/**
	 * @param memory how long overrides are remembered, per rule (the knowledge snapshot's)
	 * @param patientId the call's {@code context.patientId}; an implementation must not store it as it is
	 */
	Sorted sort(OverrideMemory memory, String patientId, Instant now, List<Card> cards);
}
