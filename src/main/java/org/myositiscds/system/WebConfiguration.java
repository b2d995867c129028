package org.myositiscds.system;

import org.apache.catalina.core.StandardHost;
import java.util.concurrent.ScheduledThreadPoolExecutor;

import jakarta.servlet.DispatcherType;
import org.myositiscds.hooks.BodyReadFilter;
import org.myositiscds.hooks.JsonMediaTypeFilter;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.Ordered;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.CorsRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * CORS for browser-based clients such as the CDS Hooks Sandbox (only the configured origins), JSON
 * only on the CDS Hooks endpoints, and JSON for the errors Tomcat answers itself.
 */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

	private final MyositisCdsProperties properties;

	WebConfiguration(MyositisCdsProperties properties) {
		this.properties = properties;
	}

	/** After the JWT check, so that a caller without a valid token learns nothing more than 401. */
	@Bean
	FilterRegistrationBean<JsonMediaTypeFilter> jsonMediaTypeFilter() {
		var registration = new FilterRegistrationBean<>(new JsonMediaTypeFilter());
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 20);
		registration.addUrlPatterns("/cds-services", "/cds-services/*");
		return registration;
	}

	/**
	 * After the JWT and media type checks: only a call that passed them has its body read, without a
	 * thread waiting on it. On the REQUEST dispatch it starts reading, on the ASYNC one it hands the
	 * body on.
	 */
	@Bean
	FilterRegistrationBean<BodyReadFilter> bodyReadFilter() {
		MyositisCdsProperties.Http http = properties.http();
		var timer = new ScheduledThreadPoolExecutor(1, task -> {
			Thread thread = new Thread(task, "body-deadline");
			thread.setDaemon(true);
			return thread;
		});
		timer.setRemoveOnCancelPolicy(true);
		var registration = new FilterRegistrationBean<>(new BodyReadFilter(properties.maxRequestSize().toBytes(),
				http.bodyTimeout(), http.maxPendingBodies(), timer));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 30);
		registration.addUrlPatterns("/cds-services/*");
		registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
		return registration;
	}

	@Bean
	WebServerFactoryCustomizer<TomcatServletWebServerFactory> jsonTomcatErrors() {
		return factory -> factory.addContextCustomizers(
				context -> ((StandardHost) context.getParent()).setErrorReportValveClass(JsonErrorReportValve.class.getName()));
	}

	/** So that a call stops when its client leaves: see {@link ClientConnectionValve}. */
	@Bean
	WebServerFactoryCustomizer<TomcatServletWebServerFactory> clientConnectionProbe() {
		return factory -> factory.addContextValves(new ClientConnectionValve());
	}

	@Override
	public void addCorsMappings(CorsRegistry registry) {
		if (properties.cors().allowedOrigins().isEmpty()) {
			return;
		}
		registry.addMapping("/cds-services/**")
			.allowedOriginPatterns(properties.cors().allowedOrigins().toArray(String[]::new))
			.allowedMethods("GET", "POST", "OPTIONS")
			.allowedHeaders("Authorization", "Content-Type")
			.maxAge(3600);
		registry.addMapping("/cds-services")
			.allowedOriginPatterns(properties.cors().allowedOrigins().toArray(String[]::new))
			.allowedMethods("GET", "OPTIONS")
			.allowedHeaders("Authorization", "Content-Type")
			.maxAge(3600);
	}
}
