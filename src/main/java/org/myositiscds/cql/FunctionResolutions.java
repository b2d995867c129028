package org.myositiscds.cql;

import java.lang.reflect.Field;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

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
 * node identity, and what it found is kept for the next. The answers found so far are shared, not
 * copied, with each evaluation (a copy of a few thousand entries per call was a hundredth of a
 * call): an evaluation reads them and writes only its own new answers beside them.
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

	/** Never changed once published: a new answer publishes a new map. */
	private volatile Map<FunctionRef, FunctionDef> known = new IdentityHashMap<>();

	static boolean available() {
		return FUNCTION_CACHE != null;
	}

	/** Gives the engine, before it evaluates, the resolutions of the earlier evaluations. */
	Map<FunctionRef, FunctionDef> lendTo(CqlEngine engine) {
		if (FUNCTION_CACHE == null) {
			return null;
		}
		Lent lent = new Lent(known);
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
		if (!(lent instanceof Lent found) || found.own.isEmpty()) {
			return;
		}
		synchronized (this) {
			Map<FunctionRef, FunctionDef> before = known;
			if (before.size() + found.own.size() <= MOST) {
				Map<FunctionRef, FunctionDef> after = new IdentityHashMap<>(before);
				after.putAll(found.own);
				known = after;
			}
		}
	}

	int size() {
		return known.size();
	}

	/**
	 * The map one evaluation's engine uses: the shared answers, read only, and its own new ones.
	 * The engine only asks {@code containsKey}, {@code get} and {@code put}; the rest reads both.
	 */
	private static final class Lent extends AbstractMap<FunctionRef, FunctionDef> {

		private final Map<FunctionRef, FunctionDef> shared;

		private final Map<FunctionRef, FunctionDef> own = new IdentityHashMap<>();

		Lent(Map<FunctionRef, FunctionDef> shared) {
			this.shared = shared;
		}

		@Override
		public boolean containsKey(Object key) {
			return shared.containsKey(key) || own.containsKey(key);
		}

		@Override
		public FunctionDef get(Object key) {
			FunctionDef own = this.own.get(key);
			return own != null ? own : shared.get(key);
		}

		@Override
		public FunctionDef put(FunctionRef key, FunctionDef value) {
			FunctionDef before = get(key);
			own.put(key, value);
			return before;
		}

		@Override
		public Set<Entry<FunctionRef, FunctionDef>> entrySet() {
			Map<FunctionRef, FunctionDef> both = new IdentityHashMap<>(shared);
			// Its own answers last: they win, as a put does.
			both.putAll(own);
			return Collections.unmodifiableMap(both).entrySet();
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
