package org.myositiscds.demo;

import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.interceptor.CorsInterceptor;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationAdministration;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.myositiscds.system.MyositisCdsProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.cors.CorsConfiguration;

/**
 * The demo profile's own FHIR R4 API under /fhir, serving the demo patients of
 * fhir-resources/examples/: the CDS Hooks Sandbox, opened in a browser, can use it as its FHIR
 * server, and the services fetch from it when a call brings neither prefetch nor fhirServer. Beside
 * it, the patient-view service that shows those patients' cards for their demo draft orders
 * ({@link DemoOrderPreview}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "myositis-cds.demo.fhir-server", havingValue = "true")
class DemoFhirServerConfiguration {

	private static final Logger log = LoggerFactory.getLogger(DemoFhirServerConfiguration.class);

	private static final List<Class<? extends Resource>> TYPES = List.of(Patient.class, Observation.class,
			org.hl7.fhir.r4.model.Condition.class, MedicationRequest.class, MedicationStatement.class,
			MedicationAdministration.class, Medication.class, org.hl7.fhir.r4.model.AllergyIntolerance.class);

	/**
	 * The demo patients, read on a thread of their own (about a second and a half of parsing) while
	 * Spring builds the rest of the application; {@link #demoDataLoaded} waits for them before the
	 * server listens, so readiness never says UP without them.
	 */
	@Bean
	DemoRecords demoRecords(FhirContext fhirContext, Clock clock, MyositisCdsProperties properties) {
		return new DemoRecords(CompletableFuture.supplyAsync(() -> {
			List<Resource> data = DemoData.load(fhirContext, properties.demo().patients(), LocalDate.now(clock));
			log.info("Demo FHIR server at /fhir with {} resources of {} patients", data.size(),
					data.stream().filter(Patient.class::isInstance).count());
			return data;
		}, task -> {
			Thread loader = new Thread(task, "demo-data-loader");
			loader.setDaemon(true);
			loader.start();
		}));
	}

	@Bean
	SmartInitializingSingleton demoDataLoaded(DemoRecords records) {
		return records.all()::join;
	}

	@Bean
	ServletRegistrationBean<RestfulServer> demoFhirServer(FhirContext fhirContext, DemoRecords records,
			MyositisCdsProperties properties) {
		CompletableFuture<Map<String, Resource>> medications = records.all().thenApply(data -> data.stream()
			.filter(Medication.class::isInstance)
			.collect(Collectors.toMap(r -> r.getIdElement().getIdPart(), r -> r, (a, b) -> a)));
		RestfulServer server = new RestfulServer(fhirContext);
		for (Class<? extends Resource> type : TYPES) {
			server.registerProvider(new InMemoryResourceProvider(type,
					records.all().thenApply(data -> data.stream().filter(type::isInstance).toList()), medications,
					fhirContext));
		}
		CorsConfiguration cors = new CorsConfiguration();
		cors.setAllowedOriginPatterns(properties.cors().allowedOrigins().isEmpty() ? List.of("*")
				: properties.cors().allowedOrigins());
		// The Sandbox sends every prefetch search as POST {type}/_search first, and falls back to GET only after
		// a failure, which the browser console reports as a CORS error. The providers have no create or update, so
		// POST reaches nothing but searches.
		cors.setAllowedMethods(List.of("GET", "POST", "OPTIONS"));
		cors.setAllowedHeaders(List.of("Authorization", "Content-Type", "Accept"));
		cors.setExposedHeaders(List.of("Location", "Content-Location"));
		server.registerInterceptor(new CorsInterceptor(cors));
		var registration = new ServletRegistrationBean<>(server, "/fhir/*");
		registration.setName("demoFhirServer");
		return registration;
	}

	/** Every resource of the demo patients' records, once they are read. */
	record DemoRecords(CompletableFuture<List<Resource>> all) {
	}

	@Bean
	DemoOrderPreview demoOrderPreview(FhirContext fhirContext, Clock clock, MyositisCdsProperties properties) {
		return new DemoOrderPreview(fhirContext, DemoData.draftOrders(properties.demo().patients()), clock);
	}
}
