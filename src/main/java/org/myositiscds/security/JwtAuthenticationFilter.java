package org.myositiscds.security;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Every call under /cds-services (discovery, services, feedback) must carry
 * {@code Authorization: Bearer <JWT>} that {@link JwtValidator} accepts; otherwise a bare 401.
 * The reason goes to the log, never the token. CORS preflights pass: browsers send them without
 * credentials.
 */
public final class JwtAuthenticationFilter extends OncePerRequestFilter {

	private static final Logger log = LoggerFactory.getLogger(JwtAuthenticationFilter.class);

	private static final String BEARER = "Bearer ";

	private final JwtValidator validator;

	private final boolean allowUnauthenticated;

	private final String publicBaseUrl;

	/**
	 * @param publicBaseUrl the service's URL as clients see it, when behind a proxy; empty to use
	 * the URL of the request as received
	 */
	public JwtAuthenticationFilter(JwtValidator validator, boolean allowUnauthenticated, String publicBaseUrl) {
		this.validator = validator;
		this.allowUnauthenticated = allowUnauthenticated;
		this.publicBaseUrl = publicBaseUrl == null ? "" : publicBaseUrl.replaceAll("/+$", "");
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		boolean preflight = "OPTIONS".equals(request.getMethod()) && request.getHeader("Access-Control-Request-Method") != null;
		return preflight || !request.getRequestURI().startsWith("/cds-services");
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String authorization = request.getHeader("Authorization");
		if (authorization == null && allowUnauthenticated) {
			chain.doFilter(request, response);
			return;
		}
		if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
			refuse(response, "no bearer token", request);
			return;
		}
		try {
			validator.validate(authorization.substring(BEARER.length()).trim(), calledUrl(request));
			chain.doFilter(request, response);
		}
		catch (JwtValidator.Rejected rejected) {
			refuse(response, rejected.getMessage(), request);
		}
	}

	private String calledUrl(HttpServletRequest request) {
		return publicBaseUrl.isEmpty() ? request.getRequestURL().toString() : publicBaseUrl + request.getRequestURI();
	}

	private static void refuse(HttpServletResponse response, String reason, HttpServletRequest request) {
		log.warn("401 for {} {}: {}", request.getMethod(), request.getRequestURI(), reason);
		response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
		response.setContentLength(0);
	}
}
