package org.myositiscds.cql;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import kotlinx.io.Buffer;
import kotlinx.io.Source;
import org.cqframework.cql.cql2elm.LibrarySourceProvider;
import org.hl7.elm.r1.VersionedIdentifier;

/** Finds an included library as {@code <folder>/<LibraryName>.cql}. */
final class FolderLibrarySourceProvider implements LibrarySourceProvider {

	private final Path folder;

	FolderLibrarySourceProvider(Path folder) {
		this.folder = folder;
	}

	@Override
	public Source getLibrarySource(VersionedIdentifier identifier) {
		Path file = folder.resolve(identifier.getId() + ".cql");
		if (!Files.isRegularFile(file)) {
			return null;
		}
		try {
			Buffer buffer = new Buffer();
			buffer.write(Files.readAllBytes(file), 0, (int) Files.size(file));
			return buffer;
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
