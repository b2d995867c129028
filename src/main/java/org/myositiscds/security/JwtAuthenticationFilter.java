package org.myositiscds.security;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Every call under /cds-services (discovery, services, feedback) must carry
 * {@code Authorization: Bearer <JWT>} that {@link JwtValidator} accepts; otherwise a bare 401.
 * CORS preflights pass: browsers send them without credentials.
 */
public final class JwtAuthenticationFilter extends BearerTokenFilter {

	private final JwtValidator validator;

	private final String publicBaseUrl;

	/**
	 * @param publicBaseUrl the service's URL as clients see it, when behind a proxy; empty to use
	 * the URL of the request as received
	 */
	public JwtAuthenticationFilter(JwtValidator validator, boolean allowUnauthenticated, String publicBaseUrl) {
		super(allowUnauthenticated);
		this.validator = validator;
		this.publicBaseUrl = publicBaseUrl == null ? "" : publicBaseUrl.replaceAll("/+$", "");
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		boolean preflight = "OPTIONS".equals(request.getMethod()) && request.getHeader("Access-Control-Request-Method") != null;
		return preflight || !request.getRequestURI().startsWith("/cds-services");
	}

	@Override
	String refusal(String token, HttpServletRequest request) {
		try {
			validator.validate(token, calledUrl(request));
			return null;
		}
		catch (JwtValidator.Rejected rejected) {
			return rejected.getMessage();
		}
	}

	private String calledUrl(HttpServletRequest request) {
		return publicBaseUrl.isEmpty() ? request.getRequestURL().toString() : publicBaseUrl + request.getRequestURI();
	}
}
