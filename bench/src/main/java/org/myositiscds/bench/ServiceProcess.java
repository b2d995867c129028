package org.myositiscds.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service, started as an operator starts it ({@code java [options] -jar
 * myositis-cds.jar --spring.profiles.active=demo}), optionally pinned to CPUs with taskset, on its
 * own port and with its own feedback store folder. Reads its memory and CPU time from /proc.
 */
final class ServiceProcess implements AutoCloseable {

	/** What /proc says about the process's memory, in kB. */
	record Memory(long residentKb, long peakResidentKb) {
	}

	private final Process process;

	private final long launchedNanos;

	private final int port;

	private final long clockTicksPerSecond;

	private ServiceProcess(Process process, long launchedNanos, int port, long clockTicksPerSecond) {
		this.process = process;
		this.launchedNanos = launchedNanos;
		this.port = port;
		this.clockTicksPerSecond = clockTicksPerSecond;
	}

	/**
	 * @param cpus a taskset CPU list (e.g. "1") to pin the service to, or empty for no pinning
	 * @param jvmOptions the service JVM's options, before {@code -jar}
	 * @param appArguments Spring arguments after the demo profile, port and data folder
	 */
	static ServiceProcess start(Path jar, int port, String cpus, List<String> jvmOptions, List<String> appArguments,
			Path workFolder) throws IOException {
		Files.createDirectories(workFolder);
		// Another server on the port would answer the readiness probe for a service that failed to start.
		try (var probe = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
			probe.setReuseAddress(true);
		}
		catch (IOException e) {
			throw new IOException("Port " + port + " is in use; choose another with --port", e);
		}
		List<String> command = new ArrayList<>();
		if (!cpus.isEmpty()) {
			command.addAll(List.of("taskset", "-c", cpus));
		}
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(jvmOptions);
		command.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "--spring.profiles.active=demo",
				// The actuator on the next port, on loopback as configured (one port with a loopback-only
				// management address is refused at start).
				"--server.port=" + port, "--management.server.port=" + (port + 1), "--myositis-cds.feedback.data-dir=" + workFolder.resolve("data").toAbsolutePath(),
				// The generated requests name the bench's EHR as fhirServer; it must be allowed, as an EHR's is.
				"--myositis-cds.security.unauthenticated-fhir-servers=http://localhost:*,http://127.0.0.1:*,"
						+ java.net.URI.create(HookRequests.EHR_BASE).resolve("/")));
		command.addAll(appArguments);
		long ticks = clockTicksPerSecond();
		long launched = System.nanoTime();
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(workFolder.resolve("service.log").toFile())
			.start();
		return new ServiceProcess(process, launched, port, ticks);
	}

	long pid() {
		return process.pid();
	}

	URI uri(String path) {
		return URI.create("http://127.0.0.1:" + port + path);
	}

	/** Polls the readiness probe; the time from launching the JVM until it answers UP. */
	Duration awaitReady(HttpClient client, Duration timeout) throws InterruptedException {
		HttpRequest probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (port + 1) + "/actuator/health/readiness"))
			.timeout(Duration.ofSeconds(1)).build();
		long deadline = launchedNanos + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				throw new IllegalStateException("The service exited with " + process.exitValue() + "; see its service.log");
			}
			try {
				HttpResponse<String> response = client.send(probe, HttpResponse.BodyHandlers.ofString());
				if (response.statusCode() == 200 && response.body().contains("UP")) {
					return Duration.ofNanos(System.nanoTime() - launchedNanos);
				}
			}
			catch (IOException notListeningYet) {
				// The port opens only once the context (and the warm-up) is done.
			}
			Thread.sleep(20);
		}
		throw new IllegalStateException("The service was not ready within " + timeout);
	}

	Memory memory() {
		long resident = 0;
		long peak = 0;
		for (String line : readProc("status")) {
			if (line.startsWith("VmRSS:")) {
				resident = kilobytes(line);
			}
			else if (line.startsWith("VmHWM:")) {
				peak = kilobytes(line);
			}
		}
		return new Memory(resident, peak);
	}

	/** User plus system CPU time the service has used so far. */
	Duration cpuTime() {
		return cpuTimeOf(readProc("stat").get(0), clockTicksPerSecond);
	}

	/** The CPU time of a process, from the one line of its /proc/[pid]/stat. */
	static Duration cpuTimeOf(String statLine, long clockTicksPerSecond) {
		// The command name (2nd field) may hold spaces: the fields are counted after its closing parenthesis.
		String[] fields = statLine.substring(statLine.lastIndexOf(')') + 2).split(" ");
		long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
		return Duration.ofMillis(ticks * 1000 / clockTicksPerSecond);
	}

	static long clockTicksPerSecond() throws IOException {
		try {
			Process getconf = new ProcessBuilder("getconf", "CLK_TCK").start();
			String answer = new String(getconf.getInputStream().readAllBytes()).trim();
			getconf.waitFor();
			return Long.parseLong(answer);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IOException(e);
		}
	}

	private List<String> readProc(String file) {
		try {
			return Files.readAllLines(Path.of("/proc", Long.toString(pid()), file));
		}
		catch (IOException e) {
			throw new UncheckedIOException("The service's /proc/" + pid() + "/" + file + " cannot be read", e);
		}
	}

	private static long kilobytes(String statusLine) {
		return Long.parseLong(statusLine.replaceAll("\\D", ""));
	}

	/** SIGTERM, as an orchestrator stops it; forcibly after 20 s. */
	@Override
	public void close() throws InterruptedException {
		process.destroy();
		if (!process.waitFor(20, TimeUnit.SECONDS)) {
			process.destroyForcibly().waitFor();
		}
	}
}
