package org.myositiscds.security;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.myositiscds.system.MyositisCdsProperties;
import org.myositiscds.system.ServiceAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

	/** Refuses to start without a public base URL: audiences and links never come from the Host header. */
	@Bean
	ServiceAddress serviceAddress(Environment environment, MyositisCdsProperties service, SecurityProperties properties) {
		return new ServiceAddress(environment, service.publicBaseUrl(), properties.audienceBaseUrls());
	}

	@Bean
	FhirServerAllowlist fhirServerAllowlist(SecurityProperties properties, MyositisCdsProperties service,
			ServiceAddress address) {
		Map<String, List<String>> originsByIssuer = new HashMap<>();
		properties.issuers().forEach(issuer -> originsByIssuer.put(issuer.iss(), issuer.fhirServers()));
		return new FhirServerAllowlist(originsByIssuer, properties.unauthenticatedFhirServers(),
				properties.allowUnauthenticated(),
				service.demo().fhirServer() ? () -> URI.create(address.baseUrl() + "/fhir") : null);
	}

	/** In the feedback database when replicas share it (replay-cache=database), else in memory. */
	@Bean
	TokenIdCache tokenIdCache(SecurityProperties properties, ObjectProvider<JdbcClient> jdbc) {
		if (properties.replayCache() == SecurityProperties.ReplayCache.DATABASE) {
			return new DatabaseTokenIdCache(jdbc.getObject());
		}
		return new TokenIdCache.InMemory();
	}

	@Bean
	JwtValidator jwtValidator(SecurityProperties properties, Clock clock, TokenIdCache tokenIdCache) {
		HttpClient jwksClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
			.followRedirects(HttpClient.Redirect.NEVER).build();
		return new JwtValidator(properties, jwksClient, clock, tokenIdCache);
	}

	@Bean
	FilterRegistrationBean<JwtAuthenticationFilter> jwtAuthenticationFilter(JwtValidator validator,
			SecurityProperties properties, ServiceAddress address) {
		if (properties.allowUnauthenticated()) {
			log.warn("""

					************************************************************************
					*  DEMO MODE: calls WITHOUT a JWT are accepted. Never use with real     *
					*  patient data. Production: unset myositis-cds.security.               *
					*  allow-unauthenticated and configure the trusted EHR issuers.         *
					************************************************************************""");
		}
		if (properties.issuers().isEmpty() && !properties.allowUnauthenticated()) {
			log.warn("No trusted issuer is configured (myositis-cds.security.issuers): every call will get 401");
		}
		var registration = new FilterRegistrationBean<>(
				new JwtAuthenticationFilter(validator, properties.allowUnauthenticated(), address));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
		registration.addUrlPatterns("/cds-services", "/cds-services/*");
		return registration;
	}

	@Bean
	FilterRegistrationBean<AdminAccessFilter> adminAccessFilter(SecurityProperties properties) {
		var registration = new FilterRegistrationBean<>(
				new AdminAccessFilter(properties.adminToken(), properties.allowUnauthenticated()));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
		registration.addUrlPatterns("/admin", "/admin/*");
		return registration;
	}
}
