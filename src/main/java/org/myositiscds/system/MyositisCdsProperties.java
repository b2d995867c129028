package org.myositiscds.system;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Everything an operator can set, under {@code myositis-cds.*} (or environment variables such as
 * {@code MYOSITIS_CDS_PREFETCH_TIMEOUT}). Clinical thresholds are not here: they are CQL parameters.
 *
 * @param knowledge where the ELM, value sets and service definitions are read from
 * @param prefetch how data missing from a call's prefetch is fetched from the EHR
 * @param publicBaseUrl the service's URL as EHRs call it (behind a proxy it differs from the local
 * address), required: JWT audiences are checked against it and the cards' links built from it, never
 * from the request's Host header. The service does not start without it ({@link ServiceAddress}).
 * @param maxRequestSize larger request bodies get 413 before they are parsed
 * @param demo the demo profile's embedded FHIR server
 * @param cors which browser origins may call the service (the CDS Hooks Sandbox runs in a browser)
 */
@ConfigurationProperties("myositis-cds")
public record MyositisCdsProperties(@DefaultValue Knowledge knowledge, @DefaultValue Prefetch prefetch,
		@DefaultValue("") String publicBaseUrl, @DefaultValue Cors cors,
		@DefaultValue("5MB") org.springframework.util.unit.DataSize maxRequestSize, @DefaultValue Demo demo) {

	/**
	 * @param watch a project folder (with cql/, fhir-resources/valueset/ and hooks/) whose knowledge
	 * is translated at start and reloaded when its files change: live reload for authoring. Empty:
	 * the knowledge built into the jar, at the other locations.
	 */
	public record Knowledge(@DefaultValue("classpath:elm/") String elm, @DefaultValue("classpath:cql/") String cql,
			@DefaultValue("classpath:fhir-resources/valueset/") String valueSets,
			@DefaultValue("classpath:hooks/") String services,
			@DefaultValue("true") boolean warmUp, @DefaultValue("") String watch) {
	}

	/**
	 * @param fhirServer serve the demo patients of fhir-resources/examples/ as a FHIR R4 API under
	 * /fhir, and fetch from it when a call names no fhirServer (demo profile only: no security)
	 * @param patients where the demo patients' Bundles are
	 */
	public record Demo(@DefaultValue("false") boolean fhirServer,
			@DefaultValue("classpath:fhir-resources/examples/") String patients) {
	}

	/**
	 * @param allowedOrigins origins (or patterns such as https://*.example.org) allowed to call from a
	 * browser; none by default
	 */
	public record Cors(@DefaultValue List<String> allowedOrigins) {
	}

	/**
	 * @param timeout the time allowed for each prefetch key fetched from the EHR, all pages included
	 * @param maxPages how many pages of one search are read before giving up
	 * @param circuitBreakerFailures consecutive failed queries after which a FHIR server is left alone
	 * @param circuitBreakerOpenFor how long it is left alone before one query tries it again
	 */
	public record Prefetch(@DefaultValue("3s") Duration timeout, @DefaultValue("10") int maxPages,
			@DefaultValue("5") int circuitBreakerFailures, @DefaultValue("30s") Duration circuitBreakerOpenFor) {
	}
}
