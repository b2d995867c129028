package org.myositiscds.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

import org.myositiscds.knowledge.OverrideMemory.Period;

import org.junit.jupiter.api.Test;

/** Which period an override gets, from a service definition's {@code overrideMemory}, and which definitions are refused. */
class OverrideMemoryDefinitionTests {

	static final String REASONS = "https://fhir.myositis-cds.org/CodeSystem/override-reasons";

	static final OverrideMemory MEMORY = new OverrideMemory(REASONS, Map.of("info", 180, "warning", 30),
			Map.of("HBV-1", Map.of("outside-record", Period.ofDays(365), "results-pending", Period.ofDays(14)),
					"RTX-1", Map.of("*", Period.ofDays(21)),
					"HBV-2", Map.of("hepatology-managing", Period.ofDays(180), "*", Period.ofDays(99))));

	static final OverrideMemory.IntegerParameters NO_PARAMETERS = (library, parameter) -> OptionalInt.empty();

	@Test
	void aReasonNamedForTheRuleWinsThenCriticalCardsStopThenAnyReasonThenTheIndicator() {
		assertThat(MEMORY.days("HBV-1", "critical", REASONS, "outside-record")).isEqualTo(365);
		assertThat(MEMORY.days("HBV-1", "critical", REASONS, "results-pending")).isEqualTo(14);
		assertThat(MEMORY.days("HBV-1", "critical", REASONS, "patient-declined")).as("not named").isZero();
		assertThat(MEMORY.days("HBV-1", "critical", null, null)).as("no reason").isZero();
		assertThat(MEMORY.days("HBV-1", "critical", "http://other.example/reasons", "outside-record"))
			.as("the same code from another system").isZero();
		assertThat(MEMORY.days("HBV-2", "critical", REASONS, "antiviral-elsewhere")).as("* never for a critical card").isZero();
		assertThat(MEMORY.days("HBV-2", "critical", REASONS, "hepatology-managing")).isEqualTo(180);
		assertThat(MEMORY.days("RTX-1", "warning", null, null)).isEqualTo(21);
		assertThat(MEMORY.days("RTX-6", "info", REASONS, "anything")).isEqualTo(180);
		assertThat(MEMORY.days("RTX-7", "warning", null, null)).isEqualTo(30);
		assertThat(MEMORY.longest()).isEqualTo(365);
		assertThat(OverrideMemory.NONE.days("HBV-1", "info", null, null)).isZero();
	}

	@Test
	void criticalByIndicatorNegativeDaysAndRulesWithoutASystemAreRefused() {
		assertThat(new OverrideMemory(REASONS, Map.of("critical", 30), Map.of()).problems()).singleElement()
			.asString().contains("overrideMemory.days.critical");
		assertThat(new OverrideMemory(REASONS, Map.of("info", -1), Map.of()).problems()).singleElement()
			.asString().contains("0 or more");
		assertThat(new OverrideMemory(null, Map.of(), Map.of("HBV-1", Map.of("outside-record", Period.ofDays(365)))).problems())
			.singleElement().asString().contains("reasonSystem");
		assertThat(MEMORY.problems()).isEmpty();
		ServiceDefinition critical = new ServiceDefinition("order-sign", "t", "d", "s", Map.of(), null, "L", List.of(),
				new OverrideMemory(REASONS, Map.of("critical", 30), Map.of()));
		assertThatThrownBy(() -> new ServiceCatalog(List.of(critical), Set.of("L"), NO_PARAMETERS))
			.hasMessageContaining("overrideMemory.days.critical");
	}

	@Test
	void servicesThatDefineOneRuleDifferentlyDoNotLoad() {
		OverrideMemory other = new OverrideMemory(REASONS, Map.of("info", 180, "warning", 30),
				Map.of("HBV-1", Map.of("outside-record", Period.ofDays(30))));
		assertThatThrownBy(() -> OverrideMemory.merge(List.of(MEMORY, other))).hasMessageContaining("rules.HBV-1");
		assertThat(OverrideMemory.merge(List.of(MEMORY, MEMORY, OverrideMemory.NONE))).isEqualTo(MEMORY);
	}

	@Test
	void theWordsNameEachReasonByItsDisplay() {
		assertThat(MEMORY.describe("HBV-1", Map.of("outside-record", "Result in an outside record")))
			.contains("365 days after an override for \u201cResult in an outside record\u201d",
					"14 days after an override for \u201cresults-pending\u201d");
		assertThat(MEMORY.describe("RTX-13", Map.of())).contains("180 days for an info card and 30 days for a warning",
				"(a critical card: never)");
		assertThat(OverrideMemory.NONE.describe("HBV-1", Map.of())).contains("not remembered");
	}

	@Test
	void aPeriodThatNamesACqlParameterIsThatParametersDefaultInTheServicesLibrary() {
		OverrideMemory written = new OverrideMemory(REASONS, Map.of("warning", 30),
				Map.of("RTX-1", Map.of("*", new Period(null, "Course Window Days"))));
		OverrideMemory.IntegerParameters cql = (library, parameter) -> library.equals("L")
				&& parameter.equals("Course Window Days") ? OptionalInt.of(28) : OptionalInt.empty();
		ServiceDefinition service = new ServiceDefinition("order-sign", "t", "d", "s", Map.of(), null, "L", List.of(),
				written);

		ServiceCatalog catalog = new ServiceCatalog(List.of(service), Set.of("L"), cql);
		assertThat(catalog.overrideMemory().days("RTX-1", "warning", null, null)).isEqualTo(28);
		assertThat(catalog.overrideMemory().longest()).isEqualTo(30);
		assertThat(catalog.find("s").orElseThrow().extension().get(ServiceDefinition.OVERRIDE_MEMORY_EXTENSION)
			.rules().get("RTX-1").get("*").days()).as("discovery shows the days").isEqualTo(28);
		assertThat(catalog.overrideMemory().describe("RTX-1", Map.of()))
			.contains("28 days (the CQL parameter \u201cCourse Window Days\u201d) after an override");

		assertThatThrownBy(() -> new ServiceCatalog(List.of(service), Set.of("L"), NO_PARAMETERS))
			.as("a parameter the library does not have").hasMessageContaining("overrideMemory.rules.RTX-1.*")
			.hasMessageContaining("\"Course Window Days\" is not an Integer parameter");
	}

	@Test
	void theServiceDefinitionsNameTheCourseWindowAndTheBuiltLibraryResolvesIt() {
		org.myositiscds.cql.CompiledLibraries libraries = org.myositiscds.cql.CompiledLibraries.fromLocation("classpath:elm/");
		assertThat(libraries.integerParameterDefault("RituximabDM", "Rituximab Course Window Days")).hasValue(21);
		assertThat(libraries.integerParameterDefault("RituximabDM", "No Such Parameter")).isEmpty();
		assertThat(libraries.integerParameterDefault("NoSuchLibrary", "Rituximab Course Window Days")).isEmpty();
		ServiceCatalog catalog = ServiceCatalog.fromLocation("classpath:hooks/", tools.jackson.databind.json.JsonMapper.builder().build(),
				libraries.names(), libraries::integerParameterDefault);
		assertThat(catalog.find("rituximab-order-sign").orElseThrow().overrideMemory().rules().get("RTX-1").get("*"))
			.isEqualTo(new Period(21, "Rituximab Course Window Days"));
	}
}
