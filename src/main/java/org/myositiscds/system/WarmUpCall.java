package org.myositiscds.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Marks the start-up's own calls to the service's port ({@link HttpWarmUp}) as rehearsals: the
 * controller answers them without recording or counting anything, and the JWT check lets them
 * through. A call is one only if it is a service call, carries this process's secret (256 random
 * bits, never written anywhere, sent only to the service's own port), comes from this machine, and arrives before
 * {@link #close()}, which the warm-up calls before the service reports ready: after it no call is
 * ever a rehearsal, whatever it sends.
 */
public final class WarmUpCall extends OncePerRequestFilter {

	/** The request attribute that makes a call a rehearsal; only this filter sets it. */
	public static final String REHEARSAL = "org.myositiscds.system.rehearsal";

	static final String HEADER = "X-Myositis-CDS-Warm-Up";

	private volatile byte[] secret;

	private final AtomicInteger admitted = new AtomicInteger();

	WarmUpCall() {
		byte[] random = new byte[32];
		new SecureRandom().nextBytes(random);
		secret = Base64.getUrlEncoder().withoutPadding().encode(random);
	}

	/** The header value that admits a call; null once closed. */
	String secret() {
		byte[] current = secret;
		return current == null ? null : new String(current, StandardCharsets.US_ASCII);
	}

	/** From now on no call is a rehearsal. */
	void close() {
		secret = null;
	}

	boolean isClosed() {
		return secret == null;
	}

	/** How many calls were admitted as rehearsals. */
	int admitted() {
		return admitted.get();
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String offered = request.getHeader(HEADER);
		byte[] current = secret;
		if (offered != null && current != null && isServiceCall(request)
				&& request.getRemoteAddr().equals(request.getLocalAddr())
				&& MessageDigest.isEqual(offered.getBytes(StandardCharsets.US_ASCII), current)) {
			request.setAttribute(REHEARSAL, Boolean.TRUE);
			admitted.incrementAndGet();
		}
		chain.doFilter(request, response);
	}

	/** A call of a service, which is all the warm-up sends: never feedback, nor anything else under the path. */
	private static boolean isServiceCall(HttpServletRequest request) {
		String path = request.getRequestURI();
		return "POST".equals(request.getMethod()) && path.startsWith("/cds-services/")
				&& path.indexOf('/', "/cds-services/".length()) < 0;
	}
}
