package org.myositiscds.realworld;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.myositiscds.TestJson;
import org.myositiscds.authoring.TestCase;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A patient of the committed Synthea subset (docs/real-world-data.md): {@code <name>.json}, the
 * resources Synthea generated, kept as generated (a collection Bundle whose timestamp is the
 * population's reference date), and {@code <name>.additions.yaml}, what the services need to
 * trigger that Synthea does not generate (a myositis diagnosis, screening results, draft orders),
 * written with dates relative to today.
 *
 * <p>Synthea's dates are moved forward by the days between the reference date and today, so that
 * the record has the same age on every day the tests run; every other value stays as generated.
 */
public record SyntheaFixture(String name, String description, FixtureRecord record) {

	public static final Path FOLDER = Path.of("src/test/resources/synthea");

	private static final Pattern DATE_PREFIX = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}([T ].*)?$");

	/** Every fixture of the folder, by name. */
	public static List<SyntheaFixture> all(LocalDate today) {
		try (Stream<Path> files = Files.list(FOLDER)) {
			return files.map(file -> file.getFileName().toString())
				.filter(name -> name.endsWith(".additions.yaml"))
				.map(name -> name.substring(0, name.length() - ".additions.yaml".length()))
				.sorted()
				.map(name -> load(name, today))
				.toList();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	public static SyntheaFixture load(String name, LocalDate today) {
		JsonNode generated = readJson(FOLDER.resolve(name + ".json"));
		LocalDate referenceDate = LocalDate.parse(generated.path("timestamp").asText().substring(0, 10));
		long shift = ChronoUnit.DAYS.between(referenceDate, today);
		ObjectNode patient = null;
		List<ObjectNode> records = new ArrayList<>();
		for (JsonNode entry : generated.path("entry")) {
			ObjectNode resource = (ObjectNode) shifted(entry.path("resource").deepCopy(), shift);
			if (resource.path("resourceType").asText().equals("Patient")) {
				patient = resource;
			}
			else {
				records.add(resource);
			}
		}
		if (patient == null) {
			throw new IllegalStateException(name + ".json has no Patient");
		}
		Map<String, Object> additions = readYaml(FOLDER.resolve(name + ".additions.yaml"));
		records.addAll(resources(additions.get("record"), today));
		return new SyntheaFixture(name, String.valueOf(additions.get("description")),
				new FixtureRecord(patient, records, resources(additions.get("draftOrders"), today), List.of(), List.of()));
	}

	private static List<ObjectNode> resources(Object yaml, LocalDate today) {
		if (yaml == null) {
			return List.of();
		}
		List<ObjectNode> resources = new ArrayList<>();
		TestJson.MAPPER.valueToTree(TestCase.withRelativeDates(yaml, today)).forEach(node -> resources.add((ObjectNode) node));
		return resources;
	}

	/** Every date, dateTime and instant moved by {@code days}, its time and offset kept. */
	private static JsonNode shifted(JsonNode node, long days) {
		if (node.isTextual() && DATE_PREFIX.matcher(node.asText()).matches()) {
			String text = node.asText();
			return TextNode.valueOf(LocalDate.parse(text.substring(0, 10)).plusDays(days) + text.substring(10));
		}
		if (node instanceof ObjectNode object) {
			object.fields().forEachRemaining(field -> field.setValue(shifted(field.getValue(), days)));
		}
		else if (node.isArray()) {
			for (int i = 0; i < node.size(); i++) {
				((ArrayNode) node).set(i, shifted(node.get(i), days));
			}
		}
		return node;
	}

	static JsonNode readJson(Path file) {
		try {
			return TestJson.MAPPER.readTree(file.toFile());
		}
		catch (IOException e) {
			throw new UncheckedIOException(file.toString(), e);
		}
	}

	static Map<String, Object> readYaml(Path file) {
		try {
			Map<String, Object> yaml = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
			if (yaml == null) {
				throw new IllegalStateException(file + " is empty");
			}
			return yaml;
		}
		catch (IOException e) {
			throw new UncheckedIOException(file.toString(), e);
		}
	}
}
