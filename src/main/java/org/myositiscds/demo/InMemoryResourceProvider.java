package org.myositiscds.demo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.rest.annotation.Count;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.IncludeParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Sort;
import ca.uhn.fhir.rest.api.SortSpec;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.SimpleBundleProvider;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.util.FhirTerser;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * One resource type of the demo data, served read-only: read by id, and search by patient or
 * subject, code (system|code lists), status, date, with _count, _sort and the _include of the
 * Medication of a MedicationRequest, -Statement or -Administration: what the services' prefetch
 * templates ask for.
 */
final class InMemoryResourceProvider implements IResourceProvider {

	private final Class<? extends IBaseResource> type;

	private final CompletableFuture<List<Resource>> resources;

	private final CompletableFuture<Map<String, Resource>> medicationsById;

	private final FhirTerser terser;

	private final FhirContext fhirContext;

	/** The data may still be loading: a request waits for it. */
	InMemoryResourceProvider(Class<? extends IBaseResource> type, CompletableFuture<List<Resource>> resources,
			CompletableFuture<Map<String, Resource>> medicationsById, FhirContext fhirContext) {
		this.type = type;
		this.resources = resources;
		this.medicationsById = medicationsById;
		this.terser = fhirContext.newTerser();
		this.fhirContext = fhirContext;
	}

	@Override
	public Class<? extends IBaseResource> getResourceType() {
		return type;
	}

	@Read
	public IBaseResource read(@IdParam IdType id) {
		return resources.join().stream()
			.filter(r -> r.getIdElement().getIdPart().equals(id.getIdPart()))
			.findFirst()
			.orElseThrow(() -> new ResourceNotFoundException(id));
	}

	@Search(allowUnknownParams = true)
	public IBundleProvider search(@OptionalParam(name = "patient") ReferenceParam patient,
			@OptionalParam(name = "subject") ReferenceParam subject,
			@OptionalParam(name = "code") TokenOrListParam code,
			@OptionalParam(name = "status") TokenOrListParam status,
			@OptionalParam(name = "date") DateRangeParam date,
			@IncludeParam(allow = { "MedicationRequest:medication", "MedicationStatement:medication",
					"MedicationAdministration:medication" }) Set<Include> includes,
			@Sort SortSpec sort, @Count Integer count) {
		ReferenceParam who = patient != null ? patient : subject;
		List<IBaseResource> found = new ArrayList<>();
		for (Resource resource : resources.join()) {
			if ((who == null || refersTo(resource, who.getIdPart())) && matchesCode(resource, code)
					&& matchesStatus(resource, status) && matchesDate(resource, date)) {
				found.add(resource);
			}
		}
		if (sort != null && sort.getParamName().equals("date")) {
			Comparator<IBaseResource> byDate = Comparator.comparing(r -> dateOf((Resource) r),
					Comparator.nullsFirst(Comparator.naturalOrder()));
			found.sort(sort.getOrder() == ca.uhn.fhir.rest.api.SortOrderEnum.DESC ? byDate.reversed() : byDate);
		}
		if (count != null && count < found.size()) {
			found = new ArrayList<>(found.subList(0, count));
		}
		if (includes != null && !includes.isEmpty()) {
			List<IBaseResource> included = new ArrayList<>();
			for (IBaseResource resource : found) {
				Reference reference = medicationReference(resource);
				Resource medication = reference == null ? null
						: medicationsById.join().get(reference.getReferenceElement().getIdPart());
				if (medication != null && !included.contains(medication)) {
					included.add(medication);
				}
			}
			found.addAll(included);
		}
		return new SimpleBundleProvider(found);
	}

	private static Reference medicationReference(IBaseResource resource) {
		if (resource instanceof MedicationRequest request && request.hasMedicationReference()) {
			return request.getMedicationReference();
		}
		if (resource instanceof org.hl7.fhir.r4.model.MedicationStatement statement && statement.hasMedicationReference()) {
			return statement.getMedicationReference();
		}
		if (resource instanceof org.hl7.fhir.r4.model.MedicationAdministration administration
				&& administration.getMedication() instanceof Reference reference) {
			return reference;
		}
		return null;
	}

	private boolean refersTo(Resource resource, String patientId) {
		if (resource.fhirType().equals("Patient")) {
			return resource.getIdElement().getIdPart().equals(patientId);
		}
		for (String path : List.of("subject", "patient")) {
			if (fhirContext.getResourceDefinition(resource).getChildByName(path) != null) {
				for (Reference reference : terser.getValues(resource, path, Reference.class)) {
					if (patientId.equals(reference.getReferenceElement().getIdPart())) {
						return true;
					}
				}
			}
		}
		return false;
	}

	private boolean matchesCode(Resource resource, TokenOrListParam code) {
		if (code == null) {
			return true;
		}
		String path = resource.fhirType().startsWith("Medication") ? "medication.coding" : "code.coding";
		List<Coding> codings = resource.fhirType().startsWith("Medication") && !resource.fhirType().equals("Medication")
				? terser.getValues(resource, "medicationCodeableConcept.coding", Coding.class)
				: terser.getValues(resource, path, Coding.class);
		for (TokenParam wanted : code.getValuesAsQueryTokens()) {
			for (Coding coding : codings) {
				if (wanted.getValue().equals(coding.getCode())
						&& (wanted.getSystem() == null || wanted.getSystem().equals(coding.getSystem()))) {
					return true;
				}
			}
		}
		return false;
	}

	private boolean matchesStatus(Resource resource, TokenOrListParam status) {
		if (status == null) {
			return true;
		}
		String value = terser.getSinglePrimitiveValueOrNull(resource, "status");
		return status.getValuesAsQueryTokens().stream().anyMatch(token -> token.getValue().equals(value));
	}

	private boolean matchesDate(Resource resource, DateRangeParam range) {
		if (range == null) {
			return true;
		}
		Date date = dateOf(resource);
		return date != null && (range.getLowerBoundAsInstant() == null || !date.before(range.getLowerBoundAsInstant()))
				&& (range.getUpperBoundAsInstant() == null || !date.after(range.getUpperBoundAsInstant()));
	}

	private static Date dateOf(Resource resource) {
		BaseDateTimeType date = null;
		if (resource instanceof org.hl7.fhir.r4.model.Observation observation && observation.hasEffectiveDateTimeType()) {
			date = observation.getEffectiveDateTimeType();
		}
		else if (resource instanceof MedicationRequest request) {
			date = request.getAuthoredOnElement();
		}
		else if (resource instanceof org.hl7.fhir.r4.model.Condition condition && condition.hasOnsetDateTimeType()) {
			date = condition.getOnsetDateTimeType();
		}
		else if (resource instanceof org.hl7.fhir.r4.model.MedicationStatement statement && statement.hasEffectivePeriod()) {
			return statement.getEffectivePeriod().getStart();
		}
		return date == null ? null : date.getValue();
	}
}
