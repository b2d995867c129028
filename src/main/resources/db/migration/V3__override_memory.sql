-- Override memory (docs/feedback.md): what a card rested on, and the cards a remembered override
-- kept from the clinician. Portable SQL: the same script runs on H2 2.x and PostgreSQL.

-- indicator: the card's indicator (a critical card is remembered only for a handled-type reason).
-- facts: SHA-256 of the facts the card rests on (its rule, indicator and detail); an override is
-- remembered only while a new card of the rule rests on the same facts.
-- suppressed: the rule applied but the card was not returned, because the clinician's override of
-- the same rule for the same patient is remembered. Rows written before V3 are cards returned.
ALTER TABLE card_shown ADD COLUMN indicator VARCHAR(10);
ALTER TABLE card_shown ADD COLUMN facts VARCHAR(64);
ALTER TABLE card_shown ADD COLUMN suppressed BOOLEAN DEFAULT FALSE NOT NULL;

-- Every call with cards looks up the patient's overrides.
CREATE INDEX card_shown_patient ON card_shown (patient_hash, rule_id);
-- The dashboard's series by day.
CREATE INDEX card_shown_time ON card_shown (shown_at);
