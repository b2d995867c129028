package org.myositiscds.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PackagedService.freePort;
import static org.myositiscds.PackagedService.get;
import static org.myositiscds.PackagedService.post;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.myositiscds.PackagedService;

/**
 * The container starts the packaged jar with {@code -Dspring.aot.enabled=true}, from the bean
 * definitions the build generated for the production configuration (pom.xml, process-aot). Nothing
 * else starts it that way, so a bean missing from the generated code would first show in production:
 * this test starts it as the Dockerfile does and checks that it gets ready, that every service answered
 * its example in the warm-up, and that a call without a JWT is still refused. Run by {@code mvn verify}, after packaging.
 */
class SpringAotStartIT {

	@TempDir
	Path work;

	@Test
	void theContainersAheadOfTimeStartAnswersEveryServiceAndKeepsSecurity() throws Exception {
		int port = freePort();
		int managementPort = freePort();
		Path log = work.resolve("service.log");
		Process service = PackagedService.start(List.of("-Dspring.aot.enabled=true"),
				List.of("--server.port=" + port, "--management.server.port=" + managementPort,
						"--myositis-cds.feedback.data-dir=" + work.resolve("data"),
						"--myositis-cds.public-base-url=http://localhost:" + port),
				log);
		try {
			PackagedService.awaitOk(service, managementPort, "/actuator/health/readiness", Duration.ofSeconds(180), log);
			String started = Files.readString(log);
			assertThat(started).as("started from the generated bean definitions").contains("Starting AOT-processed");
			// The warm-up evaluates every service's example (a failure stops the start), then sends one
			// through the HTTP port and warns of any answer but 200.
			assertThat(started).as("every service answered its example in the generated context")
				.contains("Warmed up " + hookIds().size() + " services")
				.containsPattern("HTTP warm-up: \\S+ through port " + port)
				.doesNotContain("HTTP warm-up failed")
				.doesNotContainPattern("HTTP warm-up: \\S+ answered");

			assertThat(get(port, "/cds-services").statusCode()).as("discovery without a JWT").isEqualTo(401);
			HttpResponse<String> unsigned = post(port, "/cds-services/rituximab-order-sign",
					Files.readString(Path.of("hooks/examples/rituximab-order-sign.json")));
			assertThat(unsigned.statusCode()).as("a call without a JWT").isEqualTo(401);
		}
		finally {
			service.destroy();
			service.waitFor();
		}
	}

	private static List<String> hookIds() throws IOException {
		try (var files = Files.list(Path.of("hooks"))) {
			return files.map(file -> file.getFileName().toString())
				.filter(name -> name.endsWith(".json"))
				.map(name -> name.substring(0, name.length() - ".json".length()))
				.toList();
		}
	}
}
