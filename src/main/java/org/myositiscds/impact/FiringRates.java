package org.myositiscds.impact;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.myositiscds.cards.Card;

/**
 * What the services answered over a population, counted: per rule, per service, the slowest calls
 * and the calls that failed. Counts only, never a record: the tallies of two parts of a population
 * add up to the whole's (docs/impact.md, on a cluster).
 */
final class FiringRates {

	static final List<String> INDICATORS = List.of("info", "warning", "critical");

	static final int SLOWEST = 10;

	static final int ERRORS_KEPT = 20;

	/** Cards per call above this are counted together. */
	static final int HISTOGRAM_TOP = 5;

	/** A rule's tallies; a rule answered by several services (DATA-1) counts its patients once. */
	static final class RuleCounts {

		final Set<String> services = new TreeSet<>();

		long patients;

		long calls;

		long cards;

		long suggestions;

		final Map<String, Long> indicators = new LinkedHashMap<>();

		RuleCounts() {
			INDICATORS.forEach(indicator -> indicators.put(indicator, 0L));
		}

	}

	static final class ServiceCounts {

		long calls;

		long callsWithCards;

		long errors;

		long totalNanos;

		/** Calls by how many cards they returned, {@link #HISTOGRAM_TOP} meaning that many or more. */
		final long[] cardsPerCall = new long[HISTOGRAM_TOP + 1];

	}

	/** One call, as the report shows it: the patient by hash only. */
	record Call(String service, String patientHash, long nanos, int cards, String rules) {
	}

	record Failure(String service, String patientHash, String reason) {
	}

	private long patients;

	private long deceased;

	private final Map<String, RuleCounts> rules = new TreeMap<>(FiringRates::compareRules);

	private final Map<String, ServiceCounts> services = new TreeMap<>();

	private final PriorityQueue<Call> slowest = new PriorityQueue<>(Comparator.comparingLong(Call::nanos));

	private final List<Failure> failures = new ArrayList<>();

	/** Every rule the services can fire, so that a rule that never fires is reported as such. */
	synchronized void expectRule(String rule, String service) {
		rules.computeIfAbsent(rule, key -> new RuleCounts()).services.add(service);
	}

	synchronized void expectService(String service) {
		services.computeIfAbsent(service, key -> new ServiceCounts());
	}

	/** One patient's calls, one per service, counted together so that a rule counts the patient once. */
	synchronized void patient(String patientHash, Map<String, List<Card>> cardsByService, Map<String, Long> nanosByService,
			Map<String, String> failuresByService) {
		patients++;
		Set<String> firedForPatient = new HashSet<>();
		cardsByService.forEach((service, cards) -> {
			ServiceCounts counts = services.computeIfAbsent(service, key -> new ServiceCounts());
			counts.calls++;
			counts.totalNanos += nanosByService.get(service);
			counts.cardsPerCall[Math.min(cards.size(), HISTOGRAM_TOP)]++;
			if (!cards.isEmpty()) {
				counts.callsWithCards++;
			}
			Set<String> firedInCall = new HashSet<>();
			for (Card card : cards) {
				RuleCounts rule = rules.computeIfAbsent(card.rule(), key -> new RuleCounts());
				rule.services.add(service);
				rule.cards++;
				rule.indicators.merge(card.indicator(), 1L, Long::sum);
				rule.suggestions += card.suggestions() == null ? 0 : card.suggestions().size();
				if (firedInCall.add(card.rule())) {
					rule.calls++;
				}
			}
			firedForPatient.addAll(firedInCall);
			slowest.add(new Call(service, patientHash, nanosByService.get(service), cards.size(),
					String.join(", ", new TreeSet<>(firedInCall))));
			if (slowest.size() > SLOWEST) {
				slowest.poll();
			}
		});
		firedForPatient.forEach(rule -> rules.get(rule).patients++);
		failuresByService.forEach((service, reason) -> {
			ServiceCounts counts = services.computeIfAbsent(service, key -> new ServiceCounts());
			counts.calls++;
			counts.errors++;
			if (failures.size() < ERRORS_KEPT) {
				failures.add(new Failure(service, patientHash, reason));
			}
		});
	}


	/** A patient of the export who has died: not called for, and not counted among the patients. */
	synchronized void deceased() {
		deceased++;
	}

	synchronized long deceasedSkipped() {
		return deceased;
	}

	synchronized long patients() {
		return patients;
	}

	synchronized Map<String, RuleCounts> rules() {
		return rules;
	}

	synchronized Map<String, ServiceCounts> services() {
		return services;
	}

	/** The slowest calls, slowest first. */
	synchronized List<Call> slowest() {
		return slowest.stream().sorted(Comparator.comparingLong(Call::nanos).reversed()).toList();
	}

	synchronized List<Failure> failures() {
		return List.copyOf(failures);
	}

	/** HBV-2 before HBV-10, DATA-1 after the guideline rules. */
	static int compareRules(String a, String b) {
		String[] left = a.split("-", 2);
		String[] right = b.split("-", 2);
		boolean leftData = left[0].equals("DATA");
		boolean rightData = right[0].equals("DATA");
		if (leftData != rightData) {
			return leftData ? 1 : -1;
		}
		int prefix = left[0].compareTo(right[0]);
		if (prefix != 0 || left.length < 2 || right.length < 2) {
			return prefix != 0 ? prefix : a.compareTo(b);
		}
		try {
			return Integer.compare(Integer.parseInt(left[1]), Integer.parseInt(right[1]));
		}
		catch (NumberFormatException e) {
			return left[1].compareTo(right[1]);
		}
	}
}
