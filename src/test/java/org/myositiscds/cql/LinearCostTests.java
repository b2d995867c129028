package org.myositiscds.cql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationAdministration;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.myositiscds.authoring.AuthoringCommands;
import org.myositiscds.authoring.TestCase;
import org.myositiscds.authoring.WorkingKnowledge;
import org.myositiscds.cards.Card;
import org.myositiscds.prefetch.PatientData;

/**
 * The shortcuts that keep a call's cost linear in the record (docs/performance.md, "Linear cost")
 * give the same answers as the record they stand for. Every case of cql/tests is evaluated as
 * written, then with every resource sent twice (as two prefetch keys or pages may send it: the
 * libraries no longer remove duplicates themselves), then with every medication record naming its
 * medication by medicationReference to a Medication of the record (the index, not a search): the
 * cards, with their text, must be the same.
 */
class LinearCostTests {

	private static final WorkingKnowledge KNOWLEDGE = WorkingKnowledge.fromProject(Path.of("."));

	@TestFactory
	List<DynamicTest> everyCaseGivesTheSameCardsFromDuplicatedAndReferencedRecords() throws IOException {
		List<DynamicTest> tests = new ArrayList<>();
		List<Path> files = new ArrayList<>();
		for (Path folder : AuthoringCommands.folders(Path.of("cql/tests"))) {
			files.addAll(AuthoringCommands.caseFiles(folder));
		}
		for (Path file : files) {
			tests.add(DynamicTest.dynamicTest(file.getParent().getFileName() + "/" + file.getFileName(), file.toUri(), () -> {
				TestCase testCase = TestCase.read(file, LocalDate.now());
				List<String> asWritten = cards(testCase, UnaryOperator.identity());
				assertThat(cards(testCase, LinearCostTests::everyResourceTwice)).as("every resource twice")
					.isEqualTo(asWritten);
				assertThat(cards(testCase, LinearCostTests::medicationsByReference)).as("medications by reference")
					.isEqualTo(asWritten);
			}));
		}
		assertThat(tests).isNotEmpty();
		return tests;
	}

	private static List<String> cards(TestCase testCase, UnaryOperator<List<Resource>> record) {
		PatientData data = testCase.data();
		PatientData changed = new PatientData(data.patient(), record.apply(data.resources()), data.unreadMedications());
		List<Card> cards = KNOWLEDGE.evaluate(testCase.library(), List.of(), changed, testCase.hook(),
				testCase.draftOrders(), testCase.selections(),
				testCase.today().atStartOfDay(ZoneId.systemDefault()).plusHours(12)).cards();
		return cards.stream().map(card -> card.rule() + " " + card.indicator() + " " + card.summary() + "\n" + card.detail())
			.toList();
	}

	private static List<Resource> everyResourceTwice(List<Resource> resources) {
		List<Resource> twice = new ArrayList<>(resources);
		resources.forEach(resource -> twice.add(resource.copy()));
		return twice;
	}

	private static List<Resource> medicationsByReference(List<Resource> resources) {
		List<Resource> changed = new ArrayList<>();
		for (Resource resource : resources) {
			CodeableConcept concept = resource instanceof MedicationRequest r && r.hasMedicationCodeableConcept()
					? r.getMedicationCodeableConcept()
					: resource instanceof MedicationStatement s && s.hasMedicationCodeableConcept()
							? s.getMedicationCodeableConcept()
							: resource instanceof MedicationAdministration a && a.hasMedicationCodeableConcept()
									? a.getMedicationCodeableConcept() : null;
			if (concept == null) {
				changed.add(resource);
				continue;
			}
			Medication medication = new Medication().setCode(concept.copy());
			medication.setId("linear-cost-" + changed.size());
			DomainResource copy = (DomainResource) resource.copy();
			MedicationConcepts.setMedication(copy, new Reference("Medication/" + medication.getIdPart()));
			changed.add(copy);
			changed.add(medication);
		}
		return changed;
	}
}
