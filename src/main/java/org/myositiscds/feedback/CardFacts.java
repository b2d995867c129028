package org.myositiscds.feedback;

import org.myositiscds.cards.Card;

/**
 * The fingerprint of the facts a card rests on: SHA-256 of its rule, indicator and detail. By the
 * card contract the detail states the finding and the patient data it rests on, with dates and
 * values (each result of a test it names, each infection, each order of an agent it names), all
 * computed by the CQL from the record. A new result, condition or order that the rule reads changes
 * the detail, so a card overridden before is shown again. Only a hash is kept: the detail names
 * patient data.
 */
final class CardFacts {

	private CardFacts() {
	}

	static String fingerprint(Card card) {
		return Fingerprint.of(card.rule(), card.indicator(), card.detail());
	}
}
