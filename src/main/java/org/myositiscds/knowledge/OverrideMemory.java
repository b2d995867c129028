package org.myositiscds.knowledge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How long an override is remembered, as a service definition states it ({@code overrideMemory} in
 * {@code hooks/<id>.json}): for the same rule and patient, the card is not shown again for that many
 * days (docs/feedback.md).
 *
 * @param reasonSystem the code system of the reason codes named in {@code rules}
 * @param days by indicator ({@code info}, {@code warning}), the days an override of such a card is
 * remembered whatever its reason. Never for {@code critical}: a critical card is remembered only for
 * the reasons its rule names.
 * @param rules by rule id, by reason code (or {@code *}: any reason, or none), days. A reason named
 * here wins over {@code *} and {@code days}; {@code *} never applies to a critical card. 0: not remembered.
 */
public record OverrideMemory(String reasonSystem, Map<String, Integer> days, Map<String, Map<String, Integer>> rules) {

	/** Any reason, or none. */
	public static final String ANY_REASON = "*";

	public static final OverrideMemory NONE = new OverrideMemory(null, Map.of(), Map.of());

	public OverrideMemory {
		days = days == null ? Map.of() : Map.copyOf(days);
		rules = rules == null ? Map.of() : Map.copyOf(rules);
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
		rules.forEach((rule, reasons) -> (reasons == null ? Map.<String, Integer>of() : reasons).forEach((reason, value) -> {
			if (value == null || value < 0) {
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
		Map<String, Integer> byReason = rules.getOrDefault(rule, Map.of());
		if (code != null && Objects.equals(system, reasonSystem) && byReason.containsKey(code)) {
			return byReason.get(code);
		}
		if ("critical".equals(indicator)) {
			return 0;
		}
		if (byReason.containsKey(ANY_REASON)) {
			return byReason.get(ANY_REASON);
		}
		return days.getOrDefault(indicator, 0);
	}

	/** The longest period any override may be remembered: older overrides need not be looked at. */
	public int longest() {
		int longest = days.values().stream().mapToInt(Integer::intValue).max().orElse(0);
		for (Map<String, Integer> reasons : rules.values()) {
			longest = Math.max(longest, reasons.values().stream().mapToInt(Integer::intValue).max().orElse(0));
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
		Map<String, Map<String, Integer>> rules = new TreeMap<>();
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
		Map<String, Integer> byReason = rules.getOrDefault(rule, Map.of());
		List<String> parts = new ArrayList<>();
		new TreeMap<>(byReason).forEach((code, value) -> {
			if (!ANY_REASON.equals(code) && value > 0) {
				parts.add(value + " days after an override for \u201c" + reasonDisplays.getOrDefault(code, code) + "\u201d");
			}
		});
		String other = parts.isEmpty() ? "after an override" : "after an override for any other reason";
		if (byReason.containsKey(ANY_REASON)) {
			if (byReason.get(ANY_REASON) > 0) {
				parts.add(byReason.get(ANY_REASON) + " days " + other + " (never for a critical card)");
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
}
