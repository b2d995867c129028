package org.myositiscds.authoring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The files an informaticist edits, watched: cql/ (with the test cases under cql/tests/),
 * fhir-resources/ and hooks/, every folder under them included.
 */
final class ProjectWatcher implements AutoCloseable {

	/** Folders watched, from the project folder. */
	static final List<String> FOLDERS = List.of("cql", "fhir-resources", "hooks");

	/**
	 * An editor saves in several steps (a temporary file, a rename, a touch): wait this long after
	 * the last event before acting once. Short, because the whole loop should take seconds.
	 */
	private static final long SETTLE_MILLIS = 100;

	private final Path root;

	private final WatchService watchService;

	ProjectWatcher(Path root) {
		this.root = root.toAbsolutePath().normalize();
		try {
			this.watchService = FileSystems.getDefault().newWatchService();
			for (String folder : FOLDERS) {
				register(this.root.resolve(folder));
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot watch " + root, e);
		}
	}

	private void register(Path folder) throws IOException {
		if (!Files.isDirectory(folder)) {
			return;
		}
		try (Stream<Path> folders = Files.walk(folder)) {
			for (Path each : folders.filter(Files::isDirectory).toList()) {
				each.register(watchService, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
						StandardWatchEventKinds.ENTRY_DELETE);
			}
		}
	}

	/**
	 * Waits for a change and for the save to settle; returns the files changed, from the project
	 * folder (e.g. {@code cql/HBVScreening.cql}). A new folder is watched from then on.
	 * @throws InterruptedException when the thread is interrupted: time to stop
	 */
	Set<Path> next() throws InterruptedException {
		Set<Path> changed = new TreeSet<>();
		collect(watchService.take(), changed);
		WatchKey more;
		while ((more = watchService.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) != null) {
			collect(more, changed);
		}
		return changed;
	}

	private void collect(WatchKey key, Set<Path> changed) {
		Path folder = (Path) key.watchable();
		for (WatchEvent<?> event : key.pollEvents()) {
			if (event.context() instanceof Path name) {
				Path file = folder.resolve(name);
				if (Files.isDirectory(file)) {
					try {
						register(file);
					}
					catch (IOException e) {
						throw new UncheckedIOException("Cannot watch " + file, e);
					}
				}
				else {
					changed.add(root.relativize(file));
				}
			}
		}
		key.reset();
	}

	@Override
	public void close() throws IOException {
		watchService.close();
	}
}
