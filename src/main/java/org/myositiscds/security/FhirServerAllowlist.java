package org.myositiscds.security;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Which FHIR servers a call may make the service read from. The fhirServer of a call is chosen by
 * the caller, and the service sends the call's access token there: without this list anyone with a
 * valid JWT could make the service query any host, the service itself and internal ports included
 * (SSRF). Each trusted issuer has its own origins; calls without a JWT (possible only in the demo)
 * have theirs. Plain http is accepted only while unauthenticated calls are (the demo, on loopback);
 * otherwise the service refuses to start with an http origin configured.
 */
public final class FhirServerAllowlist {

	private record Origin(String scheme, String host, int port) {

		boolean matches(URI uri) {
			return scheme.equals(uri.getScheme().toLowerCase(Locale.ROOT))
					&& host.equals(uri.getHost().toLowerCase(Locale.ROOT))
					&& (port == ANY_PORT || port == effectivePort(uri));
		}
	}

	private static final int ANY_PORT = -2;

	private final Map<String, List<Origin>> originsByIssuer = new HashMap<>();

	private final List<Origin> unauthenticatedOrigins;

	private final boolean plainHttpAllowed;

	private final Supplier<URI> ownFhirServer;

	/**
	 * @param originsByIssuer for each trusted issuer, the origins its calls may name, such as
	 * {@code https://fhir.ehr.example.org} or {@code https://fhir.ehr.example.org:8443}
	 * @param unauthenticatedOrigins the origins calls without a JWT may name; {@code http://localhost:*}
	 * allows any port
	 * @param plainHttpAllowed whether http origins may be configured (only where calls without a JWT
	 * are accepted)
	 * @param ownFhirServer the demo FHIR server this service serves itself, allowed for every caller;
	 * null when there is none
	 */
	public FhirServerAllowlist(Map<String, List<String>> originsByIssuer, List<String> unauthenticatedOrigins,
			boolean plainHttpAllowed, Supplier<URI> ownFhirServer) {
		this.plainHttpAllowed = plainHttpAllowed;
		originsByIssuer.forEach((issuer, origins) -> this.originsByIssuer.put(issuer, parse(origins, plainHttpAllowed)));
		this.unauthenticatedOrigins = parse(unauthenticatedOrigins, plainHttpAllowed);
		this.ownFhirServer = ownFhirServer;
	}

	/**
	 * Whether a call from this issuer (null: a call without a JWT) may have the service read from
	 * this server.
	 */
	public boolean permits(String issuer, URI fhirServer) {
		if (!wellFormed(fhirServer)) {
			return false;
		}
		if (isOwn(fhirServer)) {
			return true;
		}
		List<Origin> origins = issuer == null ? unauthenticatedOrigins : originsByIssuer.getOrDefault(issuer, List.of());
		return origins.stream().anyMatch(origin -> origin.matches(fhirServer));
	}

	/**
	 * Whether any caller may name this server: checked again before every request the service sends
	 * to a FHIR server, so no read can reach a server that is on no list.
	 */
	public boolean permitsAnyCaller(URI uri) {
		if (!wellFormed(uri)) {
			return false;
		}
		return isOwn(uri) || unauthenticatedOrigins.stream().anyMatch(origin -> origin.matches(uri))
				|| originsByIssuer.values().stream().flatMap(List::stream).anyMatch(origin -> origin.matches(uri));
	}

	private boolean wellFormed(URI uri) {
		if (uri == null || !uri.isAbsolute() || uri.getHost() == null || uri.getRawUserInfo() != null) {
			return false;
		}
		String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
		return "https".equals(scheme) || ("http".equals(scheme) && plainHttpAllowed);
	}

	private boolean isOwn(URI uri) {
		URI own = ownFhirServer == null ? null : ownFhirServer.get();
		return own != null && own.getScheme().equalsIgnoreCase(uri.getScheme()) && own.getHost().equalsIgnoreCase(uri.getHost())
				&& effectivePort(own) == effectivePort(uri) && uri.getRawPath() != null
				&& (uri.getRawPath() + "/").startsWith(own.getRawPath() + "/");
	}

	private static List<Origin> parse(List<String> origins, boolean plainHttpAllowed) {
		return origins.stream().map(origin -> parse(origin.trim(), plainHttpAllowed)).toList();
	}

	private static Origin parse(String origin, boolean plainHttpAllowed) {
		boolean anyPort = origin.endsWith(":*");
		String text = anyPort ? origin.substring(0, origin.length() - 2) : origin;
		URI uri;
		try {
			uri = new URI(text);
		}
		catch (URISyntaxException e) {
			throw new IllegalStateException("Not a FHIR server origin: " + origin, e);
		}
		String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
		boolean pathless = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/");
		if (uri.getHost() == null || !pathless || uri.getRawQuery() != null || uri.getRawUserInfo() != null
				|| !(scheme.equals("https") || scheme.equals("http"))) {
			throw new IllegalStateException("A FHIR server origin is scheme://host[:port] (port * for any): " + origin);
		}
		if (scheme.equals("http") && !plainHttpAllowed) {
			throw new IllegalStateException("FHIR server origin " + origin + " is plain http: the access token would "
					+ "travel unencrypted. Only https is accepted outside the demo (calls without a JWT).");
		}
		return new Origin(scheme, uri.getHost().toLowerCase(Locale.ROOT), anyPort ? ANY_PORT : effectivePort(uri));
	}

	private static int effectivePort(URI uri) {
		if (uri.getPort() != -1) {
			return uri.getPort();
		}
		return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
	}
}
