package org.myositiscds.knowledge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the knowledge folder (cql/, fhir-resources/valueset/, hooks/) and reloads the knowledge
 * when a file changes, after the changes settle (an editor saves in several steps).
 */
public final class KnowledgeWatcher implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(KnowledgeWatcher.class);

	private static final long SETTLE_MILLIS = 300;

	private final KnowledgeBase knowledgeBase;

	private final WatchService watchService;

	private final Thread thread;

	public KnowledgeWatcher(KnowledgeBase knowledgeBase) {
		this.knowledgeBase = knowledgeBase;
		Path folder = knowledgeBase.folder();
		if (folder == null) {
			throw new IllegalStateException("myositis-cds.knowledge.watch is set but empty: name the project folder");
		}
		try {
			this.watchService = FileSystems.getDefault().newWatchService();
			for (Path watched : List.of(folder.resolve("cql"), folder.resolve("fhir-resources/valueset"), folder.resolve("hooks"))) {
				if (Files.isDirectory(watched)) {
					watched.register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
							StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
				}
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot watch " + folder, e);
		}
		this.thread = new Thread(this::watch, "knowledge-watcher");
		this.thread.setDaemon(true);
		this.thread.start();
		log.info("Watching {} for changes to the CQL, value sets and service definitions", folder);
	}

	private void watch() {
		try {
			while (true) {
				WatchKey key = watchService.take();
				key.pollEvents();
				key.reset();
				// Let the rest of a save arrive, then reload once.
				WatchKey more;
				while ((more = watchService.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) != null) {
					more.pollEvents();
					more.reset();
				}
				knowledgeBase.reload();
			}
		}
		catch (InterruptedException | ClosedWatchServiceException e) {
			// Shutting down.
		}
	}

	@Override
	public void close() throws IOException {
		watchService.close();
		thread.interrupt();
	}
}
