package org.myositiscds.security;

import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import org.myositiscds.system.ServiceAddress;
import org.myositiscds.system.WarmUpCall;

/**
 * Every call under /cds-services (discovery, services, feedback) must carry
 * {@code Authorization: Bearer <JWT>} that {@link JwtValidator} accepts; otherwise a bare 401.
 * The aud must name the endpoint under the configured base URL, never under the Host header.
 * CORS preflights pass: browsers send them without credentials, and so do the start-up's own
 * rehearsals ({@link WarmUpCall}: this process's secret, before the service reports ready).
 */
public final class JwtAuthenticationFilter extends BearerTokenFilter {

	/** The request attribute holding the issuer of the call's valid JWT; absent for a call without one. */
	public static final String ISSUER = "org.myositiscds.security.issuer";

	private final JwtValidator validator;

	private final ServiceAddress address;

	public JwtAuthenticationFilter(JwtValidator validator, boolean allowUnauthenticated, ServiceAddress address) {
		super(allowUnauthenticated);
		this.validator = validator;
		this.address = address;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		boolean preflight = "OPTIONS".equals(request.getMethod()) && request.getHeader("Access-Control-Request-Method") != null;
		return preflight || !request.getRequestURI().startsWith("/cds-services")
				|| Boolean.TRUE.equals(request.getAttribute(WarmUpCall.REHEARSAL));
	}

	@Override
	String refusal(String token, HttpServletRequest request) {
		try {
			List<String> calledUrls = address.baseUrls().stream().map(base -> base + request.getRequestURI()).toList();
			request.setAttribute(ISSUER, validator.validate(token, calledUrls));
			return null;
		}
		catch (JwtValidator.Rejected rejected) {
			return rejected.getMessage();
		}
	}
}
