package org.myositiscds.knowledge;

import java.time.Instant;

import org.myositiscds.cql.CqlEvaluator;

/**
 * Everything the service knows at one moment: the compiled CQL with its value sets, the services
 * that use it, and the guidance pages built from it. Immutable; a reload builds a new one, and a
 * call uses the one that was current when it started.
 *
 * @param origin where it was read from: the jar, or a folder being watched
 */
public record Knowledge(CqlEvaluator evaluator, ServiceCatalog services, GuidancePages guidance, String origin,
		Instant loadedAt) {
}
