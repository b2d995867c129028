package org.myositiscds.authoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every case file under cql/tests/<Library>/ runs in mvn verify; a failure names the case and what differs. */
class CqlTestCasesTests {

	static final WorkingKnowledge KNOWLEDGE = WorkingKnowledge.fromProject(Path.of("."));

	@TestFactory
	List<DynamicTest> everyCaseMeetsItsExpectations() throws IOException {
		TestCaseRunner runner = new TestCaseRunner(KNOWLEDGE);
		List<DynamicTest> tests = new ArrayList<>();
		for (Path folder : AuthoringCommands.folders(Path.of("cql/tests"))) {
			for (Path file : AuthoringCommands.caseFiles(folder)) {
				tests.add(DynamicTest.dynamicTest(folder.getFileName() + "/" + file.getFileName(), file.toUri(), () -> {
					TestCase testCase = TestCase.read(file, LocalDate.now());
					assertThat(runner.run(testCase)).as(file + ": " + testCase.description()).isEmpty();
				}));
			}
		}
		assertThat(tests).as("test cases under cql/tests").isNotEmpty();
		return tests;
	}

	@Test
	void relativeDatesBecomeDatesFromToday() {
		LocalDate today = LocalDate.of(2026, 3, 31);
		assertThat(TestCase.withRelativeDates("-30d", today)).isEqualTo("2026-03-01");
		assertThat(TestCase.withRelativeDates("-1m", today)).isEqualTo("2026-02-28");
		assertThat(TestCase.withRelativeDates("+2w", today)).isEqualTo("2026-04-14");
		assertThat(TestCase.withRelativeDates("-52y", today)).isEqualTo("1974-03-31");
		assertThat(TestCase.withRelativeDates("today", today)).isEqualTo("2026-03-31");
		assertThat(TestCase.withRelativeDates("5196-1", today)).isEqualTo("5196-1");
	}
}
