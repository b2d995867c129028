package org.myositiscds.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Origins per issuer, https only outside the demo, the demo's own server and loopback on any port. */
class FhirServerAllowlistTests {

	static final String EHR = "https://ehr.example.org";

	@Test
	void eachIssuerMayNameOnlyItsOwnOrigins() {
		var allowlist = new FhirServerAllowlist(Map.of(EHR, List.of("https://fhir.ehr.example.org",
				"https://fhir2.ehr.example.org:8443"), "https://other.example.org", List.of("https://fhir.other.example.org")),
				List.of(), false, null);
		assertThat(allowlist.permits(EHR, URI.create("https://fhir.ehr.example.org/r4"))).isTrue();
		assertThat(allowlist.permits(EHR, URI.create("https://FHIR.ehr.example.org:443/r4"))).isTrue();
		assertThat(allowlist.permits(EHR, URI.create("https://fhir2.ehr.example.org:8443/"))).isTrue();
		assertThat(allowlist.permits(EHR, URI.create("https://fhir2.ehr.example.org/"))).as("another port").isFalse();
		assertThat(allowlist.permits(EHR, URI.create("http://fhir.ehr.example.org/r4"))).as("plain http").isFalse();
		assertThat(allowlist.permits(EHR, URI.create("https://fhir.other.example.org/r4"))).as("another issuer's").isFalse();
		assertThat(allowlist.permits(EHR, URI.create("https://x@fhir.ehr.example.org/r4"))).as("user info").isFalse();
		assertThat(allowlist.permits(null, URI.create("https://fhir.ehr.example.org/r4"))).as("no JWT").isFalse();
		assertThat(allowlist.permits("https://unknown.example.org", URI.create("https://fhir.ehr.example.org/r4")))
			.isFalse();
		assertThat(allowlist.permitsAnyCaller(URI.create("https://fhir.other.example.org/r4/Patient/1"))).isTrue();
		assertThat(allowlist.permitsAnyCaller(URI.create("https://127.0.0.1/r4/Patient/1"))).isFalse();
	}

	@Test
	void plainHttpIsRefusedAtStartOutsideTheDemo() {
		assertThatThrownBy(() -> new FhirServerAllowlist(Map.of(EHR, List.of("http://fhir.ehr.example.org")), List.of(),
				false, null)).isInstanceOf(IllegalStateException.class).hasMessageContaining("plain http");
		assertThatThrownBy(() -> new FhirServerAllowlist(Map.of(EHR, List.of("https://fhir.ehr.example.org/r4")),
				List.of(), false, null)).isInstanceOf(IllegalStateException.class).hasMessageContaining("scheme://host");
	}

	@Test
	void theDemoAcceptsLoopbackOnAnyPortAndItsOwnServer() {
		var allowlist = new FhirServerAllowlist(Map.of(), List.of("http://localhost:*", "http://127.0.0.1:*"), true,
				() -> URI.create("http://localhost:8080/fhir"));
		assertThat(allowlist.permits(null, URI.create("http://127.0.0.1:9999/fhir"))).isTrue();
		assertThat(allowlist.permits(null, URI.create("http://localhost:1/r4"))).isTrue();
		assertThat(allowlist.permits(null, URI.create("http://10.0.0.1:8080/fhir"))).isFalse();
		assertThat(allowlist.permits(EHR, URI.create("http://localhost:8080/fhir/Patient/x"))).as("own server").isTrue();
		assertThat(allowlist.permits(EHR, URI.create("http://localhost:8080/actuator"))).as("own, not FHIR").isFalse();
	}
}
