package org.myositiscds.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PackagedService.freePort;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.myositiscds.PackagedService;

/**
 * {@code bin/training-run}, which the container's build uses for JDK 25's ahead-of-time cache (no
 * Docker engine runs here, so nothing else runs it that way): the packaged service is started, stopped
 * once ready, and the JVM writes its start-up cache on the way out. JDK 17's class-data archive stands
 * in for the cache; both are written at exit. Run by {@code mvn verify}, after packaging.
 */
class TrainingRunIT {

	@TempDir
	Path work;

	@Test
	void theServiceIsStoppedOnceReadyAndTheJvmWritesItsArchive() throws Exception {
		int port = freePort();
		int managementPort = freePort();
		Path archive = work.resolve("app.jsa");
		List<String> command = List.of("bin/training-run", String.valueOf(managementPort), PackagedService.java(),
				"-XX:ArchiveClassesAtExit=" + archive, "-Xmx224m", "-XX:+UseSerialGC",
				"-jar", PackagedService.jar().toString(),
				"--server.port=" + port, "--management.server.port=" + managementPort,
				"--myositis-cds.feedback.data-dir=" + work.resolve("data"),
				"--myositis-cds.public-base-url=http://localhost:" + port);

		Result run = run(command);

		assertThat(run.status()).as(run.output()).isZero();
		assertThat(archive).as("written as the JVM exited").exists();
		assertThat(Files.size(archive)).isGreaterThan(1_000_000);
	}

	@Test
	void aServiceThatEndsBeforeItIsReadyFailsTheRunWithItsOutput() throws Exception {
		Result run = run(List.of("bin/training-run", String.valueOf(freePort()), "sh", "-c", "echo no knowledge; exit 3"));

		assertThat(run.status()).isEqualTo(1);
		assertThat(run.output()).contains("ended before the service was ready").contains("no knowledge");
	}

	private record Result(int status, String output) {
	}

	private Result run(List<String> command) throws IOException, InterruptedException {
		Path output = work.resolve("training-run.out");
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
		if (!process.waitFor(300, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new AssertionError("bin/training-run did not end within 300 s:\n" + Files.readString(output));
		}
		return new Result(process.exitValue(), Files.readString(output));
	}
}
