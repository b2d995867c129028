package org.myositiscds.knowledge;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.hl7.elm.r1.IncludeDef;
import org.hl7.elm.r1.Library;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DataRequirement;
import org.hl7.fhir.r4.model.Enumerations.PublicationStatus;
import org.hl7.fhir.r4.model.Expression;
import org.hl7.fhir.r4.model.PlanDefinition;
import org.hl7.fhir.r4.model.RelatedArtifact;
import org.hl7.fhir.r4.model.TriggerDefinition;
import org.myositiscds.cql.CompiledLibraries;

/**
 * The knowledge as FHIR, following the CPG-on-FHIR pattern: a Library per CQL library (its CQL and
 * ELM, what it depends on, the data it reads) and a PlanDefinition per service (an ECA rule per
 * rule id, fired by the hook and applicable when the rule's {@code "<rule> Applies"} definition is true). Other tools (a FHIR
 * server, the clinical-reasoning engine's $apply) can run or publish the same knowledge.
 */
public final class KnowledgeArtifacts {

	public static final String CANONICAL_BASE = "https://fhir.myositis-cds.org/";

	private static final Pattern RULE_CARD = Pattern.compile("^define \"([A-Z]{2,4}-\\d{1,2}) Card\"", Pattern.MULTILINE);

	private KnowledgeArtifacts() {
	}

	public static org.hl7.fhir.r4.model.Library library(String name, String cql, String elmJson, CompiledLibraries libraries) {
		Library elm = libraries.library(name);
		var library = new org.hl7.fhir.r4.model.Library();
		library.setId(name);
		library.setUrl(CANONICAL_BASE + "Library/" + name);
		library.setVersion(elm.getIdentifier().getVersion());
		library.setName(name);
		library.setTitle(name);
		library.setStatus(PublicationStatus.ACTIVE);
		library.setType(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/library-type",
				"logic-library", "Logic Library")));
		library.addContent().setContentType("text/cql").setData(cql.getBytes(StandardCharsets.UTF_8));
		library.addContent().setContentType("application/elm+json").setData(elmJson.getBytes(StandardCharsets.UTF_8));
		if (elm.getIncludes() != null) {
			for (IncludeDef include : elm.getIncludes().getDef()) {
				String url = include.getPath().equals("FHIRHelpers") ? "http://hl7.org/fhir/Library/FHIRHelpers"
						: CANONICAL_BASE + "Library/" + include.getPath();
				library.addRelatedArtifact(new RelatedArtifact().setType(RelatedArtifact.RelatedArtifactType.DEPENDSON)
					.setResource(url + (include.getVersion() == null ? "" : "|" + include.getVersion())));
			}
		}
		if (elm.getValueSets() != null) {
			elm.getValueSets().getDef().forEach(valueSet -> library.addRelatedArtifact(new RelatedArtifact()
				.setType(RelatedArtifact.RelatedArtifactType.DEPENDSON).setDisplay(valueSet.getName())
				.setResource(valueSet.getId())));
		}
		if (RULE_CARD.matcher(cql).find()) {
			PrefetchLint.Reads reads = PrefetchLint.reads(libraries, name);
			reads.retrievedTypes().keySet().forEach(type -> library.addDataRequirement(new DataRequirement().setType(type)));
		}
		return library;
	}

	/**
	 * @param titles rule titles by id, from every library: a rule shared by all services (DATA-1)
	 * declares its code once, in MyositisCommon
	 */
	public static PlanDefinition planDefinition(ServiceDefinition service, String cql, Map<String, String> titles) {
		var plan = new PlanDefinition();
		plan.setId(service.id());
		plan.setUrl(CANONICAL_BASE + "PlanDefinition/" + service.id());
		plan.setName(service.id().replace("-", ""));
		plan.setTitle(service.title());
		plan.setDescription(service.description());
		plan.setStatus(PublicationStatus.ACTIVE);
		plan.setType(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/plan-definition-type",
				"eca-rule", "ECA Rule")));
		plan.addLibrary(CANONICAL_BASE + "Library/" + service.library());
		List<String> rules = new ArrayList<>();
		Matcher card = RULE_CARD.matcher(cql);
		while (card.find()) {
			rules.add(card.group(1));
		}
		for (String rule : rules) {
			PlanDefinition.PlanDefinitionActionComponent action = plan.addAction();
			action.setId(rule);
			action.setTitle(titles.getOrDefault(rule, rule));
			action.addCode(new CodeableConcept(new Coding(CANONICAL_BASE + "CodeSystem/rules", rule, titles.get(rule))));
			action.addTrigger(new TriggerDefinition().setType(TriggerDefinition.TriggerType.NAMEDEVENT).setName(service.hook()));
			action.addCondition().setKind(PlanDefinition.ActionConditionKind.APPLICABILITY)
				// Base R4 knows text/cql (CPG's text/cql-identifier came later); as in CDS Hooks PlanDefinitions
				// on R4, it names a Boolean definition of the library, which the build checks decides the card.
				.setExpression(new Expression().setLanguage("text/cql").setExpression(rule + " Applies")
					.setReference(CANONICAL_BASE + "Library/" + service.library()));
			action.addDocumentation(new RelatedArtifact().setType(RelatedArtifact.RelatedArtifactType.DOCUMENTATION)
				.setDisplay("Guidance page of " + rule).setUrl("/guidance/" + rule));
		}
		return plan;
	}

	/**
	 * Build entry point, after the CQL is translated:
	 * {@code KnowledgeArtifacts <cql folder> <elm folder> <hooks folder> <output folder>}.
	 */
	public static void main(String[] args) throws java.io.IOException {
		java.nio.file.Path cqlFolder = java.nio.file.Path.of(args[0]);
		java.nio.file.Path elmFolder = java.nio.file.Path.of(args[1]);
		java.nio.file.Path out = java.nio.file.Files.createDirectories(java.nio.file.Path.of(args[3]));
		Map<String, String> elmByName = new java.util.TreeMap<>();
		try (var files = java.nio.file.Files.list(elmFolder)) {
			for (java.nio.file.Path file : files.toList()) {
				elmByName.put(file.getFileName().toString().replace(".json", ""), java.nio.file.Files.readString(file));
			}
		}
		CompiledLibraries libraries = CompiledLibraries.fromElm(elmByName.values());
		var json = ca.uhn.fhir.context.FhirContext.forR4Cached().newJsonParser().setPrettyPrint(true);
		Map<String, String> cqlByName = new java.util.HashMap<>();
		for (String name : elmByName.keySet()) {
			java.nio.file.Path source = cqlFolder.resolve(name + ".cql");
			if (java.nio.file.Files.exists(source)) {
				String cql = java.nio.file.Files.readString(source);
				cqlByName.put(name, cql);
				java.nio.file.Files.writeString(out.resolve("Library-" + name + ".json"),
						json.encodeResourceToString(library(name, cql, elmByName.get(name), libraries)));
			}
		}
		ServiceCatalog catalog = ServiceCatalog.fromLocation(java.nio.file.Path.of(args[2]).toUri() + "/",
				tools.jackson.databind.json.JsonMapper.builder().build(), libraries.names(),
				libraries::integerParameterDefault);
		Map<String, String> titles = new java.util.HashMap<>();
		cqlByName.values().forEach(cql -> titles.putAll(GuidancePages.ruleTitles(cql)));
		// No jar without a guidance page for every rule: a complete guidance block, sources that exist.
		GuidancePages pages = GuidancePages.fromLocation(cqlFolder.toUri().toString());
		for (ServiceDefinition service : catalog.services()) {
			PlanDefinition plan = planDefinition(service, cqlByName.get(service.library()), titles);
			plan.getAction().forEach(action -> pages.find(action.getId())
				.ifPresent(page -> action.setDescription(page.words().firesWhen())));
			java.nio.file.Files.writeString(out.resolve("PlanDefinition-" + service.id() + ".json"),
					json.encodeResourceToString(plan));
		}
		System.out.println("Wrote " + cqlByName.size() + " Libraries and " + catalog.services().size()
				+ " PlanDefinitions to " + out);
	}
}
