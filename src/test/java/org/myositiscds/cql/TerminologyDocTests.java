package org.myositiscds.cql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.ValueSet;
import org.junit.jupiter.api.Test;

/** docs/terminology.md names a source for every code and every ICD-10-CM category of every value set. */
class TerminologyDocTests {

	static final Pattern SECTION = Pattern.compile("(?m)^### .*\\(`([a-z0-9-]+)`\\)");

	@Test
	void everyCodeOfEveryValueSetHasARowWithASourceInItsSection() throws IOException {
		String doc = Files.readString(Path.of("docs/terminology.md"));
		List<String> missing = new ArrayList<>();
		try (Stream<Path> files = Files.list(Path.of("fhir-resources/valueset"))) {
			for (Path file : files.toList()) {
				ValueSet valueSet = FhirContext.forR4Cached().newJsonParser().parseResource(ValueSet.class, Files.readString(file));
				String section = section(doc, valueSet.getIdPart());
				if (section == null) {
					missing.add(valueSet.getIdPart() + ": no section");
					continue;
				}
				valueSet.getCompose().getInclude().forEach(include -> {
					include.getConcept().forEach(concept -> {
						if (!hasSourcedRow(section, Pattern.quote(concept.getCode()) + "(?: \\[\\d+\\])?")) {
							missing.add(valueSet.getIdPart() + " " + concept.getCode());
						}
					});
					include.getFilter().forEach(filter -> {
						if (!hasSourcedRow(section, "is-a " + Pattern.quote(filter.getValue()))) {
							missing.add(valueSet.getIdPart() + " is-a " + filter.getValue());
						}
					});
				});
			}
		}
		assertThat(missing).isEmpty();
	}

	private static String section(String doc, String id) {
		Matcher matcher = SECTION.matcher(doc);
		while (matcher.find()) {
			if (matcher.group(1).equals(id)) {
				int start = matcher.end();
				return matcher.find() ? doc.substring(start, matcher.start()) : doc.substring(start);
			}
		}
		return null;
	}

	/** A table row for the code whose last cell (the source) is not empty. */
	private static boolean hasSourcedRow(String section, String code) {
		return Pattern.compile("(?m)^\\| " + code + " \\|.*\\|\\s*[^|\\s][^|]*\\|$").matcher(section).find();
	}
}
