package org.myositiscds.system;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import io.micrometer.observation.ObservationPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * Sends one service's example to the service's own port, after the server listens and before it
 * reports ready (Spring Boot publishes readiness only after the application runners): Tomcat's
 * connector, the filters, the controller, the bounded calls and the JSON writing have all served
 * a call when the first EHR call arrives, which otherwise took 60 to 150 ms more than the second
 * (docs/performance.md). One call is enough: that path is the same for every service, and
 * {@link WarmUp} has already run each service's own evaluation; each further call cost about 40 ms
 * of the start. Then one readiness probe on the management port, whose first request starts its
 * dispatcher servlet. The call is a rehearsal ({@link WarmUpCall}): nothing is recorded, counted
 * or measured. If it fails (TLS on the port, an address not reachable from here) the service
 * starts all the same, colder, with a warning.
 */
@Configuration(proxyBeanMethods = false)
class HttpWarmUp {

	private static final Logger log = LoggerFactory.getLogger(HttpWarmUp.class);

	private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

	/** Before the JWT check (which lets a rehearsal through) and the request observation (which leaves it out). */
	@Bean
	FilterRegistrationBean<WarmUpCall> warmUpCallFilter() {
		var registration = new FilterRegistrationBean<>(new WarmUpCall());
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		registration.addUrlPatterns("/cds-services/*");
		return registration;
	}

	@Bean
	ObservationPredicate rehearsalsNotObserved() {
		return (name, context) -> !(context instanceof ServerRequestObservationContext request
				&& request.getCarrier().getAttribute(WarmUpCall.REHEARSAL) != null);
	}

	@Bean
	ApplicationRunner httpWarmUpRunner(FilterRegistrationBean<WarmUpCall> warmUpCallFilter, WarmUp warmUp,
			MyositisCdsProperties properties, Environment environment) {
		return arguments -> run(warmUpCallFilter.getFilter(), warmUp.examples(), properties, environment);
	}

	private static void run(WarmUpCall warmUpCall, Map<String, byte[]> examples, MyositisCdsProperties properties,
			Environment environment) {
		Integer port = environment.getProperty("local.server.port", Integer.class);
		try {
			if (!properties.knowledge().warmUp() || examples.isEmpty() || port == null || port <= 0) {
				return;
			}
			long start = System.nanoTime();
			HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
				.connectTimeout(Duration.ofSeconds(5)).build();
			String host = host(environment.getProperty("server.address"));
			Map.Entry<String, byte[]> example = examples.entrySet().iterator().next();
			HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/cds-services/" + example.getKey()))
				.timeout(CALL_TIMEOUT)
				.header("Content-Type", "application/json")
				.header(WarmUpCall.HEADER, warmUpCall.secret())
				.POST(HttpRequest.BodyPublishers.ofByteArray(example.getValue()))
				.build();
			int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
			if (status != 200) {
				log.warn("HTTP warm-up: {} answered {}; the first calls will be slower", example.getKey(), status);
				return;
			}
			Integer managementPort = environment.getProperty("local.management.port", Integer.class);
			if (managementPort != null && managementPort > 0) {
				String managementHost = host(environment.getProperty("management.server.address"));
				client.send(HttpRequest.newBuilder(URI.create("http://" + managementHost + ":" + managementPort + "/actuator/health/readiness"))
					.timeout(CALL_TIMEOUT).build(), HttpResponse.BodyHandlers.discarding());
			}
			log.info("HTTP warm-up: {} through port {}, {} ms", example.getKey(), port, (System.nanoTime() - start) / 1_000_000);
		}
		catch (IOException | RuntimeException e) {
			log.warn("HTTP warm-up failed ({}); the first calls will be slower", e.toString());
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		finally {
			warmUpCall.close();
		}
	}

	/** The address the server is bound to, or loopback when it listens on every address. */
	private static String host(String configured) {
		if (configured == null || configured.isBlank()) {
			return "127.0.0.1";
		}
		try {
			InetAddress address = InetAddress.getByName(configured);
			if (address.isAnyLocalAddress()) {
				return "127.0.0.1";
			}
			String literal = address.getHostAddress();
			return literal.contains(":") ? "[" + literal + "]" : literal;
		}
		catch (IOException e) {
			return "127.0.0.1";
		}
	}
}
