package org.myositiscds.impact;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A population as FHIR Bulk Data NDJSON: a folder of {@code <ResourceType>.ndjson} files (also
 * {@code <ResourceType>.1.ndjson}, {@code <ResourceType>_2.ndjson}: exports split large types), one
 * resource a line, as an EHR's bulk export and Synthea write them. Only the types the services'
 * prefetch reads are opened; Claim and ExplanationOfBenefit, most of an export, are never read.
 *
 * <p>The files are by type and a patient's resources are spread over all of them, in no promised
 * order. So each patient's lines are first written to one of a few partition files on disk (by a
 * hash of the patient id), each small enough to hold in memory; then each partition is read and
 * handed out patient by patient. Memory stays at one partition whatever the population's size. A
 * Medication, which names no patient, goes to every partition whose orders reference it.
 */
final class BulkDataPopulation {

	/** A partition is read whole; its size bounds the memory the run needs for records. */
	static final long PARTITION_BYTES = 64L * 1024 * 1024;

	static final int MAX_PARTITIONS = 256;

	private static final String MEDICATION = "Medication";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** One patient's resources as the export gives them: the Patient, and the rest by type. */
	record PatientRecord(String patientId, ObjectNode patient, Map<String, List<ObjectNode>> byType,
			Map<String, ObjectNode> medications) {
	}

	private final Path folder;

	private final Set<String> types;

	private final Path work;

	private int partitions;

	private final long partitionBytes;

	/**
	 * @param types the resource types to read (what the prefetch templates search for), Medication included or not
	 * @param work a folder for the partition files, emptied and removed by {@link #close}
	 * @param partitionBytes about how much of the files read goes to one partition ({@link #PARTITION_BYTES})
	 */
	BulkDataPopulation(Path folder, Set<String> types, Path work, long partitionBytes) {
		this.folder = folder;
		this.types = types;
		this.work = work;
		this.partitionBytes = partitionBytes;
	}

	/**
	 * Reads the folder into partitions, then gives each patient's record to {@code patients}, a
	 * partition at a time. Fails with the file and line of the first line that is not a FHIR
	 * resource as JSON.
	 */
	void forEachPatient(Consumer<PatientRecord> patients) throws IOException {
		Map<String, List<Path>> files = filesByType();
		if (!files.containsKey("Patient")) {
			throw new IllegalArgumentException(folder + " has no Patient.ndjson: not a FHIR Bulk Data export");
		}
		long bytes = 0;
		for (List<Path> paths : files.values()) {
			for (Path path : paths) {
				bytes += Files.size(path);
			}
		}
		// Each partition holds an open file while the export is read; past MAX_PARTITIONS they grow instead.
		partitions = (int) Math.max(1, Math.min(MAX_PARTITIONS, bytes / partitionBytes + 1));
		Files.createDirectories(work);
		List<BufferedWriter> writers = new ArrayList<>(partitions);
		Map<String, Set<Integer>> medicationPartitions = new HashMap<>();
		try {
			for (int i = 0; i < partitions; i++) {
				writers.add(Files.newBufferedWriter(partitionFile(i), StandardCharsets.UTF_8));
			}
			for (Map.Entry<String, List<Path>> type : files.entrySet()) {
				if (!type.getKey().equals(MEDICATION)) {
					for (Path path : type.getValue()) {
						partitionByPatient(path, writers, medicationPartitions);
					}
				}
			}
			for (Path path : files.getOrDefault(MEDICATION, List.of())) {
				partitionMedications(path, writers, medicationPartitions);
			}
		}
		finally {
			for (BufferedWriter writer : writers) {
				writer.close();
			}
		}
		for (int i = 0; i < partitions; i++) {
			readPartition(partitionFile(i), patients);
			Files.delete(partitionFile(i));
		}
	}

	/** Removes whatever partition files a failed run left behind. */
	void close() throws IOException {
		if (Files.isDirectory(work)) {
			try (Stream<Path> files = Files.list(work)) {
				for (Path file : files.toList()) {
					Files.deleteIfExists(file);
				}
			}
			Files.deleteIfExists(work);
		}
	}

	private Map<String, List<Path>> filesByType() throws IOException {
		Map<String, List<Path>> byType = new LinkedHashMap<>();
		try (Stream<Path> listing = Files.list(folder)) {
			for (Path path : listing.sorted().toList()) {
				String name = path.getFileName().toString();
				if (!name.endsWith(".ndjson") || !Files.isRegularFile(path)) {
					continue;
				}
				String type = name.split("[._-]", 2)[0];
				if (types.contains(type)) {
					byType.computeIfAbsent(type, key -> new ArrayList<>()).add(path);
				}
			}
		}
		return byType;
	}

	private Path partitionFile(int partition) {
		return work.resolve("partition-" + partition + ".tsv");
	}

	private int partitionOf(String patientId) {
		return Math.floorMod(patientId.hashCode(), partitions);
	}

	/** Each line goes to its patient's partition as {@code patientId TAB json}. */
	private void partitionByPatient(Path path, List<BufferedWriter> writers, Map<String, Set<Integer>> medicationPartitions)
			throws IOException {
		forEachLine(path, (line, resource) -> {
			String patientId = patientId(resource);
			if (patientId == null) {
				// Nobody's (a Condition without subject): the service drops it too.
				return;
			}
			int partition = partitionOf(patientId);
			String medication = resource.path("medicationReference").path("reference").asString("");
			if (medication.startsWith(MEDICATION + "/")) {
				medicationPartitions.computeIfAbsent(medication.substring(MEDICATION.length() + 1), id -> new TreeSet<>())
					.add(partition);
			}
			write(writers.get(partition), patientId, line);
		});
	}

	private void partitionMedications(Path path, List<BufferedWriter> writers, Map<String, Set<Integer>> medicationPartitions)
			throws IOException {
		forEachLine(path, (line, resource) -> {
			for (int partition : medicationPartitions.getOrDefault(resource.path("id").asString(""), Set.of())) {
				write(writers.get(partition), "", line);
			}
		});
	}

	private static void write(BufferedWriter writer, String patientId, String line) {
		try {
			writer.write(patientId);
			writer.write('\t');
			writer.write(line);
			writer.newLine();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private interface LineHandler {

		void accept(String line, ObjectNode resource);
	}

	private void forEachLine(Path path, LineHandler handler) throws IOException {
		try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
			String line;
			long number = 0;
			while ((line = reader.readLine()) != null) {
				number++;
				if (line.isBlank()) {
					continue;
				}
				handler.accept(line, resource(line, path, number));
			}
		}
	}

	private static ObjectNode resource(String line, Path path, long number) {
		JsonNode node;
		try {
			node = JSON.readTree(line);
		}
		catch (JacksonException e) {
			throw new IllegalArgumentException(path.getFileName() + " line " + number
					+ ": not a JSON object on one line (NDJSON): " + e.getOriginalMessage());
		}
		if (!(node instanceof ObjectNode resource) || !resource.path("resourceType").isString()) {
			throw new IllegalArgumentException(path.getFileName() + " line " + number + ": not a FHIR resource (no resourceType)");
		}
		if (!resource.path("id").isString()) {
			throw new IllegalArgumentException(path.getFileName() + " line " + number + ": a "
					+ resource.path("resourceType").asString() + " without id");
		}
		return resource;
	}

	/** The id of the patient a resource belongs to: its own for a Patient, else its subject's or patient's. */
	private static String patientId(ObjectNode resource) {
		if (resource.path("resourceType").asString().equals("Patient")) {
			return resource.path("id").asString();
		}
		for (String link : List.of("subject", "patient")) {
			String reference = resource.path(link).path("reference").asString("");
			if (reference.startsWith("Patient/") && reference.length() > "Patient/".length()) {
				return reference.substring("Patient/".length());
			}
		}
		return null;
	}

	private void readPartition(Path file, Consumer<PatientRecord> patients) throws IOException {
		Map<String, List<String>> linesByPatient = new LinkedHashMap<>();
		List<String> medicationLines = new ArrayList<>();
		try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
			String line;
			while ((line = reader.readLine()) != null) {
				int tab = line.indexOf('\t');
				String json = line.substring(tab + 1);
				if (tab == 0) {
					medicationLines.add(json);
				}
				else {
					linesByPatient.computeIfAbsent(line.substring(0, tab), id -> new ArrayList<>()).add(json);
				}
			}
		}
		Map<String, ObjectNode> medications = new HashMap<>();
		for (String json : medicationLines) {
			ObjectNode medication = (ObjectNode) JSON.readTree(json);
			medications.put(medication.path("id").asString(), medication);
		}
		// The order of patients in a partition follows the files; sorted, a run is repeatable.
		List<String> ids = new ArrayList<>(linesByPatient.keySet());
		ids.sort(Comparator.naturalOrder());
		for (String id : ids) {
			PatientRecord record = record(id, linesByPatient.remove(id), medications);
			if (record != null) {
				patients.accept(record);
			}
		}
	}

	/** Null for resources whose Patient the export does not hold: there is no one to call the services for. */
	private static PatientRecord record(String patientId, List<String> lines, Map<String, ObjectNode> medications) {
		ObjectNode patient = null;
		Map<String, List<ObjectNode>> byType = new HashMap<>();
		for (String json : lines) {
			ObjectNode resource = (ObjectNode) JSON.readTree(json);
			String type = resource.path("resourceType").asString();
			if (type.equals("Patient")) {
				patient = resource;
			}
			else {
				byType.computeIfAbsent(type, key -> new ArrayList<>()).add(resource);
			}
		}
		return patient == null ? null : new PatientRecord(patientId, patient, byType, medications);
	}
}
