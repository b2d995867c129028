package org.myositiscds.knowledge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.Resource;

/**
 * The sources the rules rest on, read from {@code docs/sources.md}: one table row per source, its
 * label (what a rule's guidance cites), what it is, and where to read it. The guidance pages link
 * every citation to this list, so a source is described once, for readers of the repository and of
 * the service alike.
 */
public final class ClinicalSources {

	/** A source row: {@code | label | citation | what the rules take from it | where to read it |}. */
	private static final Pattern ROW = Pattern.compile(
			"^\\|\\s*([^|]+?)\\s*\\|\\s*([^|]+?)\\s*\\|\\s*([^|]+?)\\s*\\|\\s*([^|]+?)\\s*\\|\\s*$", Pattern.MULTILINE);

	private static final Pattern LINK = Pattern.compile("\\[([^\\]]+)]\\((https://[^)\\s]+)\\)");

	/** A link of a source: its text and an https address. */
	public record Link(String text, String url) {
	}

	/**
	 * @param citation Markdown: what the source is (authors, title, journal, year)
	 * @param usedFor Markdown: what the rules take from it
	 * @param whereToRead Markdown: links, or where an unpublished source is kept
	 */
	public record Source(String label, String anchor, String citation, String usedFor, String whereToRead,
			List<Link> links) {
	}

	private final Map<String, Source> byLabel;

	private ClinicalSources(Map<String, Source> byLabel) {
		this.byLabel = byLabel;
	}

	public static ClinicalSources parse(String markdown) {
		Map<String, Source> sources = new LinkedHashMap<>();
		Matcher row = ROW.matcher(markdown);
		while (row.find()) {
			String label = row.group(1);
			if (label.equalsIgnoreCase("label") || label.startsWith("-")) {
				continue;
			}
			List<Link> links = new ArrayList<>();
			Matcher link = LINK.matcher(row.group(4));
			while (link.find()) {
				links.add(new Link(link.group(1), link.group(2)));
			}
			sources.put(key(label), new Source(label, anchor(label), row.group(2), row.group(3), row.group(4),
					List.copyOf(links)));
		}
		return new ClinicalSources(sources);
	}

	/** Reads {@code location} (a Spring resource location such as {@code classpath:docs/sources.md}). */
	public static ClinicalSources fromLocation(String location) {
		Resource resource = new DefaultResourceLoader().getResource(location);
		try {
			return parse(resource.getContentAsString(StandardCharsets.UTF_8));
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot read the sources list " + location, e);
		}
	}

	public Optional<Source> find(String label) {
		return Optional.ofNullable(byLabel.get(key(label)));
	}

	public Collection<Source> all() {
		return byLabel.values();
	}

	private static String key(String label) {
		return label.toLowerCase(Locale.ROOT);
	}

	private static String anchor(String label) {
		return label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
	}
}
