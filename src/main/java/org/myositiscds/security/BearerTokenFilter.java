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
 * A filter that lets a call through only with an acceptable bearer token, and otherwise answers a
 * bare 401 with the reason in the log, never the token. Where unauthenticated calls are allowed
 * (demo), a call without an Authorization header passes; one that sends a token is still checked.
 */
abstract class BearerTokenFilter extends OncePerRequestFilter {

	private static final Logger log = LoggerFactory.getLogger(BearerTokenFilter.class);

	private static final String BEARER = "Bearer ";

	private final boolean allowUnauthenticated;

	BearerTokenFilter(boolean allowUnauthenticated) {
		this.allowUnauthenticated = allowUnauthenticated;
	}

	/** Why the token is refused, or null when it is accepted. */
	abstract String refusal(String token, HttpServletRequest request);

	@Override
	protected final void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String authorization = request.getHeader("Authorization");
		if (authorization == null && allowUnauthenticated) {
			chain.doFilter(request, response);
			return;
		}
		String refusal = authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
				? "no bearer token" : refusal(authorization.substring(BEARER.length()).trim(), request);
		if (refusal != null) {
			log.warn("401 for {} {}: {}", request.getMethod(), request.getRequestURI(), refusal);
			response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
			response.setContentLength(0);
			// Sent now: the connection may be closed without waiting for the rest of the body.
			response.flushBuffer();
			return;
		}
		chain.doFilter(request, response);
	}
}
