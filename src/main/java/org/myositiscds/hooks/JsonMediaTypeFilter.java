package org.myositiscds.hooks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The CDS Hooks endpoints speak JSON only. A POST whose Content-Type is not JSON
 * ({@code application/json} or a {@code +json} type such as {@code application/fhir+json}, in
 * UTF-8 if a charset is named) gets 415; a call whose Accept excludes JSON gets 406. Both before
 * the body is read, each with a JSON body saying what is accepted.
 */
public final class JsonMediaTypeFilter extends OncePerRequestFilter {

	static final String SEND_JSON = "Send the body as application/json, or another +json type such as "
			+ "application/fhir+json, in UTF-8";

	static final String ANSWERS_JSON = "This service answers application/json only: accept it (or */*)";

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return "OPTIONS".equals(request.getMethod()) || !request.getRequestURI().startsWith("/cds-services");
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if ("POST".equals(request.getMethod()) && !isJson(request.getContentType())) {
			refuse(response, HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", SEND_JSON);
			return;
		}
		if (!acceptsJson(Collections.list(request.getHeaders("Accept")))) {
			refuse(response, HttpServletResponse.SC_NOT_ACCEPTABLE, "not_acceptable", ANSWERS_JSON);
			return;
		}
		chain.doFilter(request, response);
	}

	static boolean isJson(String contentType) {
		if (contentType == null || contentType.isBlank()) {
			return false;
		}
		try {
			MediaType type = MediaType.parseMediaType(contentType);
			boolean json = "application".equals(type.getType())
					&& ("json".equals(type.getSubtype()) || type.getSubtype().endsWith("+json"))
					&& !type.isWildcardSubtype();
			return json && (type.getCharset() == null || StandardCharsets.UTF_8.equals(type.getCharset()));
		}
		catch (IllegalArgumentException e) {
			return false;
		}
	}

	static boolean acceptsJson(List<String> accept) {
		if (accept.isEmpty() || accept.stream().allMatch(String::isBlank)) {
			return true;
		}
		try {
			return MediaType.parseMediaTypes(accept).stream()
				.anyMatch(type -> type.includes(MediaType.APPLICATION_JSON) && type.getQualityValue() > 0);
		}
		catch (IllegalArgumentException e) {
			return false;
		}
	}

	private static void refuse(HttpServletResponse response, int status, String error, String message) throws IOException {
		response.setStatus(status);
		response.setContentType("application/json");
		response.setHeader("Connection", "close");
		response.getOutputStream().write(("{\"error\":\"" + error + "\",\"message\":\"" + message
				+ "\",\"accepted\":[\"application/json\",\"application/*+json\"]}").getBytes(StandardCharsets.UTF_8));
		response.flushBuffer();
	}
}
