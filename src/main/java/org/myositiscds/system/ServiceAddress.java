package org.myositiscds.system;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

import org.springframework.core.env.PropertyResolver;

/**
 * The service's URL as EHRs call it: the only source of JWT audiences and of the links in cards,
 * never the request's Host header, which any caller sets. Configured values may hold placeholders
 * such as {@code ${local.server.port}} (the demo profile and tests, on a port known only once the
 * server listens): they are resolved at first use, which comes after the server has started.
 */
public final class ServiceAddress {

	private final PropertyResolver resolver;

	private final String configuredBaseUrl;

	private final List<String> configuredAudienceBaseUrls;

	private volatile List<String> resolved;

	/**
	 * @param configuredBaseUrl {@code myositis-cds.public-base-url}, required
	 * @param audienceBaseUrls other URLs the service is reached at, whose endpoints a JWT's aud may
	 * name too (the links in cards always use the public base URL)
	 */
	public ServiceAddress(PropertyResolver resolver, String configuredBaseUrl, List<String> audienceBaseUrls) {
		if (configuredBaseUrl == null || configuredBaseUrl.isBlank()) {
			throw new IllegalStateException("myositis-cds.public-base-url (MYOSITIS_CDS_PUBLIC_BASE_URL) is not set: "
					+ "set it to the URL the EHR calls, such as https://cds.example.org. JWT audiences and the links "
					+ "in cards are checked against and built from it, never from the request's Host header.");
		}
		this.resolver = resolver;
		this.configuredBaseUrl = configuredBaseUrl;
		this.configuredAudienceBaseUrls = List.copyOf(audienceBaseUrls);
		if (!configuredBaseUrl.contains("${")) {
			baseUrls();
		}
	}

	/** The public base URL, without a trailing slash. */
	public String baseUrl() {
		return baseUrls().get(0);
	}

	/** The public base URL first, then the other accepted ones. */
	public List<String> baseUrls() {
		List<String> urls = resolved;
		if (urls == null) {
			urls = new ArrayList<>();
			urls.add(checked("myositis-cds.public-base-url", configuredBaseUrl));
			for (String other : configuredAudienceBaseUrls) {
				urls.add(checked("myositis-cds.security.audience-base-urls", other));
			}
			urls = List.copyOf(urls);
			resolved = urls;
		}
		return urls;
	}

	private String checked(String setting, String configured) {
		String url = resolver.resolveRequiredPlaceholders(configured.trim()).replaceAll("/+$", "");
		try {
			URI uri = new URI(url);
			if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null
					|| uri.getRawQuery() != null || uri.getRawFragment() != null) {
				throw new IllegalStateException(setting + " must be an absolute http(s) URL without query: " + url);
			}
			return url;
		}
		catch (URISyntaxException e) {
			throw new IllegalStateException(setting + " is not a URL: " + url, e);
		}
	}
}
