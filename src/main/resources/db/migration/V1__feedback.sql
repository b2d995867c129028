-- The feedback store (docs/feedback.md). Portable SQL: the same script runs on H2 2.x and PostgreSQL.

-- Every card the service returned to an EHR. The patient is stored only as a keyed hash
-- (HMAC-SHA256), so that cards of one patient can be grouped without naming the patient.
CREATE TABLE card_shown (
    card_uuid     VARCHAR(36)              NOT NULL PRIMARY KEY,
    service_id    VARCHAR(100)             NOT NULL,
    rule_id       VARCHAR(64)              NOT NULL,
    hook_instance VARCHAR(36)              NOT NULL,
    patient_hash  VARCHAR(64)              NOT NULL,
    shown_at      TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX card_shown_rule ON card_shown (rule_id);

-- What the clinician did with a card, as the EHR reported it. The fingerprint is a SHA-256 of the
-- card, outcome, timestamp, accepted suggestions and override reason: a repeated identical
-- feedback hits the primary key and is stored once. card_known says whether the card was in
-- card_shown, for this service, when the feedback arrived.
CREATE TABLE feedback (
    fingerprint          VARCHAR(64)              NOT NULL PRIMARY KEY,
    service_id           VARCHAR(100)             NOT NULL,
    card_uuid            VARCHAR(36)              NOT NULL,
    card_known           BOOLEAN                  NOT NULL,
    outcome              VARCHAR(10)              NOT NULL,
    accepted_suggestions VARCHAR(4000),
    reason_system        VARCHAR(255),
    reason_code          VARCHAR(255),
    reason_display       VARCHAR(255),
    user_comment         VARCHAR(4000),
    outcome_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    received_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT feedback_outcome CHECK (outcome IN ('accepted', 'overridden'))
);

CREATE INDEX feedback_card ON feedback (card_uuid);
