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
 * @param http how request bodies are received
 * @param calls how long a hook call may take, and how many are worked on at once
 */
@ConfigurationProperties("myositis-cds")
public record MyositisCdsProperties(@DefaultValue Knowledge knowledge, @DefaultValue Prefetch prefetch,
		@DefaultValue("") String publicBaseUrl, @DefaultValue Cors cors,
		@DefaultValue("5MB") org.springframework.util.unit.DataSize maxRequestSize, @DefaultValue Demo demo,
		@DefaultValue Http http, @DefaultValue Calls calls) {

	/**
	 * @param deadline the time from a call's arrival to its answer: past it the call is stopped and
	 * answered 504. Under the 5 s within which Da Vinci CRD asks services to answer (clients may
	 * give up after it), and above the prefetch timeout, so that a fetch that takes all its time
	 * still leaves a second to evaluate.
	 * @param workers how many calls are worked on at once (evaluation itself runs on at most as
	 * many threads as there are cores; the others wait for the FHIR server or their turn, each
	 * holding its parsed request and its stack: docs/performance.md, "Memory")
	 * @param queue how many more calls may wait for a worker; beyond that a call gets 503 at once
	 * @param bodiesAtOnce how much request data may be worked on at once, request bodies and the
	 * answers fetched from the EHR's FHIR server together: parsing takes 15 to 25 times their size
	 * of heap, and the 224 MB heap holds one of the largest (5 MB) beside the service's own data and
	 * the usual calls, not two; a call that does not fit waits for the others, until its deadline
	 * @param spareCores whether a long prefetch (over 256 kB) is parsed in parts on the cores no
	 * other call is using at that moment, beside the call's own thread (docs/performance.md, "Parsing
	 * a long record on a spare core")
	 */
	public record Calls(@DefaultValue("4s") Duration deadline, @DefaultValue("16") int workers,
			@DefaultValue("200") int queue,
			@DefaultValue("6MB") org.springframework.util.unit.DataSize bodiesAtOnce,
			@DefaultValue("true") boolean spareCores) {
	}

	/**
	 * @param bodyTimeout the time a client has to send a whole request body: slower gets 408
	 * @param maxPendingBodies how many request bodies may be arriving at once: more get 503 at once
	 */
	public record Http(@DefaultValue("10s") Duration bodyTimeout, @DefaultValue("500") int maxPendingBodies) {
	}

	/**
	 * @param watch a project folder (with cql/, fhir-resources/valueset/ and hooks/) whose knowledge
	 * is translated at start and reloaded when its files change: live reload for authoring. Empty:
	 * the knowledge built into the jar, at the other locations.
	 * @param warmUpRounds how many times the warm-up runs every service's example before the server
	 * listens: a count, not a time, so that a busy machine warms up as much as a quiet one
	 */
	public record Knowledge(@DefaultValue("classpath:elm/") String elm, @DefaultValue("classpath:cql/") String cql,
			@DefaultValue("classpath:fhir-resources/valueset/") String valueSets,
			@DefaultValue("classpath:hooks/") String services,
			@DefaultValue("true") boolean warmUp, @DefaultValue("5") int warmUpRounds, @DefaultValue("") String watch) {
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
	 * @param maxFetchedSize how much one call may read from the FHIR server, all its queries
	 * together (as much as a request body may hold): more gets 412
	 * @param circuitBreaker when a FHIR server is left alone after failures (Resilience4j, per origin,
	 * counting hook calls)
	 */
	public record Prefetch(@DefaultValue("3s") Duration timeout, @DefaultValue("10") int maxPages,
			@DefaultValue CircuitBreaker circuitBreaker,
			@DefaultValue("5MB") org.springframework.util.unit.DataSize maxFetchedSize) {
	}

	/**
	 * @param window how many of the latest calls to a server the rates are computed over
	 * @param minimumCalls calls needed in the window before the breaker may open
	 * @param failureRate the percentage of failed calls that opens it
	 * @param slowCall a call whose queries take longer than this counts as slow
	 * @param slowCallRate the percentage of slow calls that opens it
	 * @param openFor how long the server is left alone before trial calls
	 * @param trialCalls how many calls then decide whether to close the breaker again
	 */
	public record CircuitBreaker(@DefaultValue("20") int window, @DefaultValue("10") int minimumCalls,
			@DefaultValue("50") float failureRate, @DefaultValue("2s") Duration slowCall,
			@DefaultValue("80") float slowCallRate, @DefaultValue("30s") Duration openFor,
			@DefaultValue("3") int trialCalls) {
	}
}
