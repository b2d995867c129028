package org.myositiscds.cql;

import java.lang.reflect.Constructor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.opencds.cqf.cql.engine.data.SystemDataProvider;

/**
 * The engine's system data provider looks types up as classes of its runtime package and has no
 * class for {@code System.Any}. The card contract types suggestion resources as Any (a lab order
 * and a medication order are different tuples), so Any resolves to {@link Object} here.
 * <p>
 * The engine looks the class up by name ({@code Class.forName}) and finds its constructor again at
 * every instance the CQL builds (each {@code Code} and {@code Concept} of FHIRHelpers'
 * conversions): a twentieth of a rituximab evaluation (docs/performance.md, "CPU per call (Java,
 * this session)"). A name gives the same class every time, so both are kept; a name that does not
 * resolve fails each time as in the engine.
 */
final class AnyTypeSystemDataProvider extends SystemDataProvider {

	static final String SYSTEM_MODEL_URI = "urn:hl7-org:elm-types:r1";

	private final Map<String, Class<?>> types = new ConcurrentHashMap<>();

	private final Map<Class<?>, Constructor<?>> constructors = new ConcurrentHashMap<>();

	@Override
	public Class<?> resolveType(String typeName) {
		if (typeName == null) {
			return super.resolveType(null);
		}
		Class<?> type = types.get(typeName);
		if (type == null) {
			type = "Any".equals(typeName) ? Object.class : super.resolveType(typeName);
			types.put(typeName, type);
		}
		return type;
	}

	@Override
	public Object createInstance(String typeName) {
		Class<?> type = resolveType(typeName);
		try {
			Constructor<?> constructor = constructors.get(type);
			if (constructor == null) {
				constructor = type.getDeclaredConstructor();
				constructors.put(type, constructor);
			}
			return constructor.newInstance();
		}
		catch (ReflectiveOperationException | RuntimeException | ExceptionInInitializerError e) {
			// The engine's own attempt, and its own message for what cannot be built.
			return super.createInstance(typeName);
		}
	}
}
