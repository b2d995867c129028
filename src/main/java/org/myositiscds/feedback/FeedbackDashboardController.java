package org.myositiscds.feedback;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /admin/feedback}: the feedback dashboard, one HTML page that holds no data. It asks for
 * the admin token, keeps it in the page's memory only, and fetches {@code /admin/feedback/summary}
 * with it as a bearer header; the charts are SVG drawn by the page's own script. Nothing is loaded
 * from anywhere else: the Content-Security-Policy allows only the page's inline script and style (by
 * hash) and requests to this service.
 */
@RestController
class FeedbackDashboardController {

	private static final Pattern INLINE = Pattern.compile("<(script|style)>(.*?)</\\1>", Pattern.DOTALL);

	private final String page;

	private final String contentSecurityPolicy;

	FeedbackDashboardController() {
		try (InputStream in = new ClassPathResource("feedback/dashboard.html").getInputStream()) {
			this.page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException e) {
			throw new UncheckedIOException("The feedback dashboard page is missing from the jar", e);
		}
		StringBuilder scripts = new StringBuilder();
		StringBuilder styles = new StringBuilder();
		Matcher inline = INLINE.matcher(page);
		while (inline.find()) {
			("script".equals(inline.group(1)) ? scripts : styles).append(" 'sha256-").append(sha256(inline.group(2))).append('\'');
		}
		this.contentSecurityPolicy = "default-src 'none'; script-src" + scripts + "; style-src" + styles
				+ "; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
	}

	private static String sha256(String text) {
		try {
			return Base64.getEncoder()
				.encodeToString(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	@GetMapping(path = "/admin/feedback", produces = MediaType.TEXT_HTML_VALUE)
	ResponseEntity<String> dashboard() {
		return ResponseEntity.ok()
			.cacheControl(CacheControl.noStore())
			.header("Content-Security-Policy", contentSecurityPolicy)
			.header("X-Content-Type-Options", "nosniff")
			.header("Referrer-Policy", "no-referrer")
			.contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
			.body(page);
	}
}
