package org.myositiscds.browser;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real headless Chromium for browser tests: Debian's {@code /usr/bin/chromium} driven through its
 * own {@code /usr/bin/chromedriver}, so no browser or driver is ever downloaded (Selenium Manager is
 * never asked). One browser per test class:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final HeadlessChromium browser = new HeadlessChromium();
 * }</pre>
 *
 * Without Chromium the class is skipped with a message saying how to install it, except when the
 * environment variable {@code CI} is set: there a missing browser fails the build, so browser checks
 * can never silently stop running. {@code .ci/run} installs both packages.
 */
public final class HeadlessChromium implements BeforeAllCallback, AfterAllCallback {

	public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
	public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
	public static final Path SCREENSHOTS = Path.of("target", "screenshots");

	private static final int WINDOW_HEIGHT = 900;

	private ChromeDriver driver;
	private Path profile;
	private int width;

	@Override
	public void beforeAll(ExtensionContext context) throws IOException {
		if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
			String missing = "browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
					+ " (Debian packages chromium and chromium-driver; .ci/run installs them)";
			if (System.getenv("CI") != null) {
				throw new IllegalStateException(missing + "; CI is set, so they are required");
			}
			Assumptions.abort("Skipped: " + missing);
		}
		start();
	}

	@Override
	public void afterAll(ExtensionContext context) {
		stop();
	}

	/** Starts the browser with an empty profile of its own; {@link #stop()} ends it. */
	public void start() throws IOException {
		profile = Files.createTempDirectory("chromium-profile-");
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM.toFile());
		// No network but the page under test: no QUIC, updates, sync or background fetches.
		options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
				"--no-first-run", "--disable-background-networking", "--disable-component-update",
				"--disable-sync", "--user-data-dir=" + profile, "--window-size=1280," + WINDOW_HEIGHT);
		ChromeDriverService service = new ChromeDriverService.Builder()
				.usingDriverExecutable(CHROMEDRIVER.toFile())
				.usingAnyFreePort()
				.withLogOutput(OutputStream.nullOutputStream())
				.build();
		driver = new ChromeDriver(service, options);
		driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
		driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
	}

	/** Quits the browser and deletes its profile. */
	public void stop() {
		try {
			if (driver != null) {
				driver.quit();
			}
		}
		finally {
			driver = null;
			deleteProfile();
		}
	}

	/**
	 * Opens {@code url} with a viewport exactly {@code width} CSS pixels wide (390 for a phone, 1280
	 * for a desktop) and waits for the page to load.
	 */
	public void open(String url, int width) {
		this.width = width;
		driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height",
				WINDOW_HEIGHT, "deviceScaleFactor", 1, "mobile", false));
		driver.get(url);
	}

	/** True when the page is wider than the viewport, so a reader would have to scroll sideways. */
	public boolean needsHorizontalScrolling() {
		return (Boolean) script(
				"return document.documentElement.scrollWidth > document.documentElement.clientWidth;");
	}

	/** Runs JavaScript in the page ({@code arguments[i]} are the args) and returns its result. */
	public Object script(String javaScript, Object... args) {
		return driver.executeScript(javaScript, args);
	}

	/** The driver itself, for what this class does not wrap. */
	public ChromeDriver driver() {
		return driver;
	}

	/**
	 * Saves the whole page (not only what is on screen) as {@code target/screenshots/<name>.png} and
	 * returns the file.
	 */
	public Path screenshot(String name) {
		Number height = (Number) script("return Math.max(document.documentElement.scrollHeight,"
				+ " document.body ? document.body.scrollHeight : 0);");
		Map<String, Object> clip = Map.of("x", 0, "y", 0, "width", width, "height", height.intValue(),
				"scale", 1);
		Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot",
				Map.of("format", "png", "captureBeyondViewport", true, "clip", clip));
		Path file = SCREENSHOTS.resolve(name + ".png");
		try {
			Files.createDirectories(SCREENSHOTS);
			Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return file;
	}

	private void deleteProfile() {
		if (profile == null) {
			return;
		}
		try (Stream<Path> files = Files.walk(profile)) {
			files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
		}
		catch (IOException e) {
			// A profile left in the temp folder harms nothing; the test result matters more.
		}
		profile = null;
	}
}
