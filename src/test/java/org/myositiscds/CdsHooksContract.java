package org.myositiscds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.List;
import java.util.Set;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;

/**
 * Checks what the service sends against CDS Hooks 2.0 (JSON Schemas written from the spec, in
 * src/test/resources/schema) and every suggested FHIR resource against base R4 with HAPI's
 * validator. Every response in the test suite goes through here.
 */
public final class CdsHooksContract {

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final JsonSchema DISCOVERY = schema("cds-hooks-2.0-discovery.schema.json");

	private static final JsonSchema RESPONSE = schema("cds-hooks-2.0-response.schema.json");

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	private static FhirValidator validator;

	private CdsHooksContract() {
	}

	public static void assertValidDiscovery(String body) {
		Set<ValidationMessage> problems = DISCOVERY.validate(read(body));
		assertThat(problems).as("discovery response against the CDS Hooks 2.0 schema").isEmpty();
	}

	public static void assertValidResponse(String body) {
		JsonNode response = read(body);
		Set<ValidationMessage> problems = RESPONSE.validate(response);
		assertThat(problems).as("service response against the CDS Hooks 2.0 schema").isEmpty();
		for (JsonNode card : response.path("cards")) {
			for (JsonNode suggestion : card.path("suggestions")) {
				for (JsonNode action : suggestion.path("actions")) {
					if (action.has("resource")) {
						assertValidFhir(action.get("resource").toString());
					}
				}
			}
		}
	}

	public static void assertValidFhir(String resource) {
		List<SingleValidationMessage> errors = validator().validateWithResult(resource).getMessages().stream()
			.filter(m -> m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal())
			.toList();
		assertThat(errors).as("HAPI FHIR validation (base R4) of a suggested resource: " + resource).isEmpty();
	}

	private static synchronized FhirValidator validator() {
		if (validator == null) {
			var support = new ValidationSupportChain(new DefaultProfileValidationSupport(FHIR),
					new InMemoryTerminologyServerValidationSupport(FHIR), new CommonCodeSystemsTerminologyService(FHIR),
					new SnapshotGeneratingValidationSupport(FHIR));
			validator = FHIR.newValidator().registerValidatorModule(new FhirInstanceValidator(support));
		}
		return validator;
	}

	private static JsonSchema schema(String file) {
		try (InputStream in = CdsHooksContract.class.getResourceAsStream("/schema/" + file)) {
			return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
		}
		catch (java.io.IOException e) {
			throw new IllegalStateException(e);
		}
	}

	private static JsonNode read(String body) {
		try {
			return JSON.readTree(body);
		}
		catch (java.io.IOException e) {
			throw new AssertionError("Not JSON: " + body, e);
		}
	}
}
