package org.myositiscds.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * The documented run setting (docs/performance.md, "Memory") is the one the load test measures:
 * the benchmarks start the service with {@link Bench#SERVICE_JVM}, and the README's command, the
 * Spring Boot plugin's run goal, the container and its ahead-of-time training run (whose cache
 * applies only to a JVM started with the same flags) carry the same flags.
 */
class ServiceJvmOptionsTests {

	static final List<String> FLAGS = Arrays.asList(Bench.SERVICE_JVM.split(" "));

	@Test
	void theReadmeCommandStartsTheJarWithTheMeasuredFlags() throws IOException {
		assertThat(Files.readString(Path.of("README.md"))).contains("java " + Bench.SERVICE_JVM + " -jar target/myositis-cds.jar");
	}

	@Test
	void theRunGoalUsesTheMeasuredFlags() throws IOException {
		assertThat(Files.readString(Path.of("pom.xml"))).contains("<jvmArguments>" + Bench.SERVICE_JVM + "</jvmArguments>");
	}

	@Test
	void theContainerAndItsTrainingRunUseTheMeasuredFlags() throws IOException {
		List<String> serviceStarts = Files.readString(Path.of("Dockerfile"))
			.replace("\\\n", " ")
			.lines()
			.filter(line -> line.contains("java") && line.contains("/app/jar/myositis-cds.jar"))
			.toList();
		assertThat(serviceStarts).as("the training run and the entry point").hasSize(2);
		for (String start : serviceStarts) {
			assertThat(start).contains(FLAGS).doesNotContain("MaxRAMPercentage");
			assertThat(start.split("-Xmx", -1)).as("one heap size in " + start).hasSize(2);
		}
		assertThat(vmFlags(serviceStarts.get(0))).as("the cache applies only to a JVM started as it was trained")
			.isEqualTo(vmFlags(serviceStarts.get(1)));
	}

	/** The -X and -XX options of a command line, written as a shell line or as the JSON array of an ENTRYPOINT. */
	private static Set<String> vmFlags(String commandLine) {
		return Arrays.stream(commandLine.split("[\\s\",\\[\\]]+"))
			.filter(word -> word.startsWith("-X") && !word.startsWith("-XX:AOTCache"))
			.collect(Collectors.toSet());
	}
}
