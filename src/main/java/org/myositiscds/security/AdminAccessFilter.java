package org.myositiscds.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The reports under /admin are for the service's operators and informaticists, not for EHRs:
 * they need the configured admin token (compared in constant time). No token configured: closed,
 * unless the demo profile accepts unauthenticated calls.
 */
public final class AdminAccessFilter extends BearerTokenFilter {

	/** The path of the feedback dashboard page. */
	static final String DASHBOARD = "/admin/feedback";

	private final byte[] adminToken;

	public AdminAccessFilter(String adminToken, boolean allowUnauthenticated) {
		super(allowUnauthenticated);
		this.adminToken = adminToken == null ? new byte[0] : adminToken.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * The dashboard page itself ({@code GET /admin/feedback}, HTML) holds no data: it asks the reader
	 * for the token and sends it, as a header, with each request for the report. A browser cannot send
	 * a bearer header when it opens a page, and a token in the URL would end up in logs and history.
	 */
	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return ("GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod()))
				&& request.getRequestURI().equals(request.getContextPath() + DASHBOARD);
	}

	@Override
	String refusal(String token, HttpServletRequest request) {
		if (adminToken.length == 0) {
			return "no admin token is configured";
		}
		return MessageDigest.isEqual(adminToken, token.getBytes(StandardCharsets.UTF_8)) ? null : "wrong admin token";
	}
}
