package org.myositiscds.feedback;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The feedback store's settings, under {@code myositis-cds.feedback.*} (environment variables
 * such as {@code MYOSITIS_CDS_FEEDBACK_DATA_DIR}).
 *
 * @param dataDir where the H2 database (when no {@code spring.datasource.url} is set) and a
 * generated patient hash key are kept
 * @param patientHashKey the HMAC key for patient ids, at least 32 characters; empty: read from, or
 * generated into, {@code <dataDir>/patient-hash.key}. Replicas sharing a database must share it.
 * @param cardQueueCapacity calls whose cards may wait to be recorded; beyond it, cards are not
 * recorded rather than slow the call down
 */
@ConfigurationProperties("myositis-cds.feedback")
record FeedbackProperties(@DefaultValue("./data") Path dataDir, @DefaultValue("") String patientHashKey,
		@DefaultValue("10000") int cardQueueCapacity) {
}
