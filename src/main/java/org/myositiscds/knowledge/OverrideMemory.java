package org.myositiscds.knowledge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How long an override is remembered, as a service definition states it ({@code overrideMemory} in
 * {@code hooks/<id>.json}): for the same rule and patient, the card is not shown again for that many
 * days (docs/feedback.md).
 *
 * @param reasonSystem the code system of the reason codes named in {@code rules}
 * @param days by indicator ({@code info}, {@code warning}), the days an override of such a card is
 * remembered whatever its reason. Never for {@code critical}: a critical card is remembered only for
 * the reasons its rule names.
 * @param rules by rule id, by reason code (or {@code *}: any reason, or none), a {@link Period}. A reason
 * named here wins over {@code *} and {@code days}; {@code *} never applies to a critical card. 0: not remembered.
 */
public record OverrideMemory(String reasonSystem, Map<String, Integer> days, Map<String, Map<String, Period>> rules) {

	/** Any reason, or none. */
	public static final String ANY_REASON = "*";

	public static final OverrideMemory NONE = new OverrideMemory(null, Map.of(), Map.of());

	public OverrideMemory {
		days = days == null ? Map.of() : Map.copyOf(days);
		rules = rules == null ? Map.of() : Map.copyOf(rules);
	}

	/**
	 * A rule's period: days, or the name of an Integer parameter of the service's CQL library, whose
	 * default is the period. A period that is a rule's own threshold (RTX-1: the course window) is
	 * then written once, in the CQL, and cannot drift from it.
	 */
	public record Period(Integer days, String parameter) {

		public static Period ofDays(int days) {
			return new Period(days, null);
		}

		/** As written in {@code hooks/<id>.json}: a number of days, or a parameter's name. */
		@JsonCreator(mode = JsonCreator.Mode.DELEGATING)
		static Period fromJson(Object value) {
			if (value instanceof Number number) {
				return new Period(number.intValue(), null);
			}
			if (value instanceof String parameter) {
				return new Period(null, parameter);
			}
			throw new IllegalArgumentException("an override memory period is a number of days or the name of a CQL parameter");
		}

		/** Discovery shows the days, once the parameter is resolved. */
		@JsonValue
		Object json() {
			return days != null ? days : parameter;
		}

		int daysOrZero() {
			return days == null ? 0 : days;
		}
	}

	/** The default of an Integer parameter of a CQL library, when the library has one of that name. */
	@FunctionalInterface
	public interface IntegerParameters {

		OptionalInt defaultOf(String library, String parameter);
	}

	/**
	 * This memory with every period that names a parameter given that parameter's default in the
	 * library; a parameter the library does not have, or whose default is not an Integer, stays
	 * unresolved and {@link #problems()} names it.
	 */
	OverrideMemory resolved(String library, IntegerParameters parameters) {
		Map<String, Map<String, Period>> resolvedRules = new LinkedHashMap<>();
		rules.forEach((rule, reasons) -> {
			Map<String, Period> periods = new LinkedHashMap<>();
			(reasons == null ? Map.<String, Period>of() : reasons).forEach((reason, period) -> {
				if (period != null && period.parameter() != null && period.days() == null) {
					OptionalInt value = parameters.defaultOf(library, period.parameter());
					periods.put(reason, value.isPresent() ? new Period(value.getAsInt(), period.parameter()) : period);
				}
				else {
					periods.put(reason, period);
				}
			});
			resolvedRules.put(rule, periods);
		});
		return new OverrideMemory(reasonSystem, days, resolvedRules);
	}

	/** Problems with the definition, each naming what is wrong; empty when it is usable. */
	List<String> problems() {
		List<String> problems = new ArrayList<>();
		days.forEach((indicator, value) -> {
			if (!List.of("info", "warning").contains(indicator)) {
				problems.add("overrideMemory.days." + indicator + ": only info and warning (a critical card is remembered "
						+ "only for the reasons its rule names)");
			}
			if (value == null || value < 0) {
				problems.add("overrideMemory.days." + indicator + ": must be 0 or more days");
			}
		});
		rules.forEach((rule, reasons) -> (reasons == null ? Map.<String, Period>of() : reasons).forEach((reason, period) -> {
			if (period != null && period.days() == null && period.parameter() != null) {
				problems.add("overrideMemory.rules." + rule + "." + reason + ": \"" + period.parameter()
						+ "\" is not an Integer parameter with a default in the service's CQL library");
			}
			else if (period == null || period.days() < 0) {
				problems.add("overrideMemory.rules." + rule + "." + reason + ": must be 0 or more days");
			}
		}));
		if (!rules.isEmpty() && (reasonSystem == null || reasonSystem.isBlank())) {
			problems.add("overrideMemory.reasonSystem is required with rules");
		}
		return problems;
	}

	/**
	 * The days an override of a card of this rule and indicator, with this reason (system and code,
	 * both null when none was given), is remembered; 0 when it is not.
	 */
	public int days(String rule, String indicator, String system, String code) {
		Map<String, Period> byReason = rules.getOrDefault(rule, Map.of());
		if (code != null && Objects.equals(system, reasonSystem) && byReason.containsKey(code)) {
			return byReason.get(code).daysOrZero();
		}
		if ("critical".equals(indicator)) {
			return 0;
		}
		if (byReason.containsKey(ANY_REASON)) {
			return byReason.get(ANY_REASON).daysOrZero();
		}
		return days.getOrDefault(indicator, 0);
	}

	/** The longest period any override may be remembered: older overrides need not be looked at. */
	public int longest() {
		int longest = days.values().stream().mapToInt(Integer::intValue).max().orElse(0);
		for (Map<String, Period> reasons : rules.values()) {
			longest = Math.max(longest, reasons.values().stream().mapToInt(Period::daysOrZero).max().orElse(0));
		}
		return longest;
	}

	/**
	 * The memories of several services as one: each rule is defined by one service, or the same way
	 * by each (the order-select and order-sign services of a guideline); the days by indicator agree.
	 */
	static OverrideMemory merge(List<OverrideMemory> memories) {
		String system = null;
		Map<String, Integer> days = new TreeMap<>();
		Map<String, Map<String, Period>> rules = new TreeMap<>();
		for (OverrideMemory memory : memories) {
			if (memory.reasonSystem() != null) {
				if (system != null && !system.equals(memory.reasonSystem())) {
					throw new IllegalStateException("overrideMemory.reasonSystem differs between services");
				}
				system = memory.reasonSystem();
			}
			memory.days().forEach((indicator, value) -> {
				if (days.containsKey(indicator) && !days.get(indicator).equals(value)) {
					throw new IllegalStateException("overrideMemory.days." + indicator + " differs between services");
				}
				days.put(indicator, value);
			});
			memory.rules().forEach((rule, reasons) -> {
				if (rules.containsKey(rule) && !rules.get(rule).equals(reasons)) {
					throw new IllegalStateException("overrideMemory.rules." + rule + " differs between services");
				}
				rules.put(rule, reasons);
			});
		}
		return new OverrideMemory(system, days, rules);
	}

	/**
	 * For the guidance pages: how long an override of this rule's card is remembered, in words, with
	 * the reasons' displays where known (code to display).
	 */
	public String describe(String rule, Map<String, String> reasonDisplays) {
		Map<String, Period> byReason = rules.getOrDefault(rule, Map.of());
		List<String> parts = new ArrayList<>();
		new TreeMap<>(byReason).forEach((code, period) -> {
			if (!ANY_REASON.equals(code) && period.daysOrZero() > 0) {
				parts.add(inWords(period) + " after an override for \u201c" + reasonDisplays.getOrDefault(code, code) + "\u201d");
			}
		});
		String other = parts.isEmpty() ? "after an override" : "after an override for any other reason";
		if (byReason.containsKey(ANY_REASON)) {
			if (byReason.get(ANY_REASON).daysOrZero() > 0) {
				parts.add(inWords(byReason.get(ANY_REASON)) + " " + other + " (never for a critical card)");
			}
		}
		else if (days.values().stream().anyMatch(value -> value > 0)) {
			List<String> byIndicator = new ArrayList<>();
			new TreeMap<>(days).forEach((indicator, value) -> {
				if (value > 0) {
					byIndicator.add(value + " days for " + ("info".equals(indicator) ? "an info card" : "a " + indicator));
				}
			});
			parts.add(String.join(" and ", byIndicator) + " " + other + " (a critical card: never)");
		}
		if (parts.isEmpty()) {
			return "An override of this card is not remembered: it is shown whenever the rule applies.";
		}
		return "A clinician's override is remembered for the same patient: the card is not shown again for "
				+ String.join("; ", parts) + ". It is shown again at once if what it rests on changes "
				+ "(a new result, condition or order that the card lists).";
	}

	private static String inWords(Period period) {
		return period.daysOrZero() + " days" + (period.parameter() == null ? ""
				: " (the CQL parameter \u201c" + period.parameter() + "\u201d)");
	}
}
