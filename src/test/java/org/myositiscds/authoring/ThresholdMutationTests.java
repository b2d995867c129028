package org.myositiscds.authoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * The build's threshold mutation step (docs/authoring.md, "Every threshold pinned"): every number the
 * CQL writes, moved one step down and one step up, must change the cards of at least one case of
 * cql/tests/. The report is printed and written to target/threshold-mutation.md.
 */
class ThresholdMutationTests {

	@Test
	void everyThresholdIsPinnedOnBothSides() throws IOException {
		ThresholdMutation.Report report = ThresholdMutation.run(Path.of("."));
		String text = report.text();
		Files.writeString(Files.createDirectories(Path.of("target")).resolve("threshold-mutation.md"), text);
		System.out.println(text);
		System.out.println(report.summary());
		assertThat(report.rows()).as("thresholds found in cql/").isNotEmpty();
		assertThat(report.staleEntries()).as("entries of " + ThresholdMutation.NOT_THRESHOLDS_FILE + " that match no number")
			.isEmpty();
		assertThat(report.survivors()).as(report.summary() + "; thresholds no case pins (see target/threshold-mutation.md)")
			.isEmpty();
	}

	@Test
	void aStepIsTheSmallestUnitTheNumberIsWrittenIn() {
		assertThat(ThresholdMutation.step(new BigDecimal("365"))).isEqualByComparingTo("1");
		assertThat(ThresholdMutation.step(new BigDecimal("60.0"))).isEqualByComparingTo("1");
		assertThat(ThresholdMutation.step(new BigDecimal("1.5"))).isEqualByComparingTo("0.1");
		assertThat(ThresholdMutation.step(new BigDecimal("0.75"))).isEqualByComparingTo("0.01");
	}
}
