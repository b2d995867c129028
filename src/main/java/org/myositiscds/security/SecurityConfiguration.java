package org.myositiscds.security;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;

import org.myositiscds.system.MyositisCdsProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

	@Bean
	JwtValidator jwtValidator(SecurityProperties properties, Clock clock) {
		HttpClient jwksClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
			.followRedirects(HttpClient.Redirect.NEVER).build();
		return new JwtValidator(properties, jwksClient, clock);
	}

	@Bean
	FilterRegistrationBean<JwtAuthenticationFilter> jwtAuthenticationFilter(JwtValidator validator,
			SecurityProperties properties, MyositisCdsProperties service) {
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
				new JwtAuthenticationFilter(validator, properties.allowUnauthenticated(), service.publicBaseUrl()));
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
