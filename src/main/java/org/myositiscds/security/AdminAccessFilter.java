package org.myositiscds.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The reports under /admin are for the service's operators and informaticists, not for EHRs:
 * they need the configured admin token (compared in constant time). No token configured: closed,
 * unless the demo profile accepts unauthenticated calls.
 */
public final class AdminAccessFilter extends OncePerRequestFilter {

	private static final Logger log = LoggerFactory.getLogger(AdminAccessFilter.class);

	private final byte[] adminToken;

	private final boolean allowUnauthenticated;

	public AdminAccessFilter(String adminToken, boolean allowUnauthenticated) {
		this.adminToken = adminToken == null ? new byte[0] : adminToken.getBytes(StandardCharsets.UTF_8);
		this.allowUnauthenticated = allowUnauthenticated;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String authorization = request.getHeader("Authorization");
		if (authorization == null && allowUnauthenticated) {
			chain.doFilter(request, response);
			return;
		}
		boolean valid = adminToken.length > 0 && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
				&& MessageDigest.isEqual(adminToken, authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8));
		if (!valid) {
			log.warn("401 for {} {}: {}", request.getMethod(), request.getRequestURI(),
					adminToken.length == 0 ? "no admin token is configured" : "wrong or missing admin token");
			response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
			response.setContentLength(0);
			return;
		}
		chain.doFilter(request, response);
	}
}
