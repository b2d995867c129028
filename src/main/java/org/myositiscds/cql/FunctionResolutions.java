package org.myositiscds.cql;

import java.lang.reflect.Field;
import java.util.IdentityHashMap;
import java.util.Map;

import org.hl7.elm.r1.FunctionDef;
import org.hl7.elm.r1.FunctionRef;
import org.opencds.cqf.cql.engine.execution.Cache;
import org.opencds.cqf.cql.engine.execution.CqlEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which function each call of the compiled libraries names, kept from one evaluation to the next.
 * The engine (cqframework 4.4) resolves a function call once per evaluation when the ELM gives its
 * signature, and keeps the answer in a map keyed by the call's ELM node, whose hash walks the
 * node's whole expression tree at every call: together about a tenth of a rituximab evaluation
 * (docs/performance.md, "CPU per call (engine)"). With a signature the answer depends on the
 * compiled library alone, so each evaluation is lent the answers found so far in a map keyed by
 * node identity, and what it found is kept for the next.
 * <p>
 * The engine has no setting for this map: it is replaced through its private field. If an engine
 * upgrade renames it, evaluation goes on with the engine's own map (slower, the same values), and
 * {@code FunctionResolutionsTests} fails so that the upgrade finds out.
 */
final class FunctionResolutions {

	private static final Logger LOG = LoggerFactory.getLogger(FunctionResolutions.class);

	/** More than the libraries have calls: a bound in case the ELM nodes were not the same objects each time. */
	private static final int MOST = 20_000;

	private static final Field FUNCTION_CACHE = functionCacheField();

	private final Map<FunctionRef, FunctionDef> known = new IdentityHashMap<>();

	static boolean available() {
		return FUNCTION_CACHE != null;
	}

	/** Gives the engine, before it evaluates, the resolutions of the earlier evaluations. */
	Map<FunctionRef, FunctionDef> lendTo(CqlEngine engine) {
		if (FUNCTION_CACHE == null) {
			return null;
		}
		Map<FunctionRef, FunctionDef> lent;
		synchronized (known) {
			lent = new IdentityHashMap<>(known);
		}
		try {
			FUNCTION_CACHE.set(engine.getCache(), lent);
			return lent;
		}
		catch (IllegalAccessException e) {
			return null;
		}
	}

	/** Keeps what the engine resolved in an evaluation it was lent {@code lent} for. */
	void keep(Map<FunctionRef, FunctionDef> lent) {
		if (lent == null) {
			return;
		}
		synchronized (known) {
			if (lent.size() > known.size() && lent.size() <= MOST) {
				known.putAll(lent);
			}
		}
	}

	int size() {
		synchronized (known) {
			return known.size();
		}
	}

	private static Field functionCacheField() {
		try {
			Field field = Cache.class.getDeclaredField("functionCache");
			if (!Map.class.isAssignableFrom(field.getType())) {
				throw new NoSuchFieldException("functionCache is a " + field.getType());
			}
			field.setAccessible(true);
			return field;
		}
		catch (NoSuchFieldException | RuntimeException e) {
			LOG.warn("The CQL engine's function cache cannot be shared between evaluations ({}); each evaluation "
					+ "resolves its function calls again", e.toString());
			return null;
		}
	}
}
