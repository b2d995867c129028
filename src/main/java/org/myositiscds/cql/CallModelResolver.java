package org.myositiscds.cql;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.opencds.cqf.cql.engine.model.ModelResolver;

/**
 * The shared model resolver as one evaluation sees it, with each FHIR date, dateTime and instant
 * converted to a CQL value once. The libraries read an Observation's time many times per call
 * (filtering, sorting, the "days since" of each rule), and the engine converts the FHIR element
 * again at each read, through a {@link java.util.Calendar}: a tenth of a call's evaluation
 * (docs/performance.md, "CPU per call (engine)"). The engine never changes a value it reads (its
 * operators make new ones), and it already shares values between uses through expression caching.
 * One instance per evaluation, on one thread: the request's resources are not changed while the
 * CQL runs, and the map goes with the call.
 */
final class CallModelResolver implements ModelResolver {

	private final ModelResolver shared;

	private final Map<Object, Object> convertedDates = new IdentityHashMap<>();

	CallModelResolver(ModelResolver shared) {
		this.shared = shared;
	}

	@Override
	public Object resolvePath(Object target, String path) {
		if (target instanceof BaseDateTimeType && "value".equals(path)) {
			Object converted = convertedDates.get(target);
			if (converted == null && !convertedDates.containsKey(target)) {
				converted = shared.resolvePath(target, path);
				convertedDates.put(target, converted);
			}
			return converted;
		}
		return shared.resolvePath(target, path);
	}

	@Override
	public String getPackageName() {
		return shared.getPackageName();
	}

	@Override
	public void setPackageName(String packageName) {
		shared.setPackageName(packageName);
	}

	@Override
	public List<String> getPackageNames() {
		return shared.getPackageNames();
	}

	@Override
	public void setPackageNames(List<String> packageNames) {
		shared.setPackageNames(packageNames);
	}

	@Override
	public Object getContextPath(String contextType, String targetType) {
		return shared.getContextPath(contextType, targetType);
	}

	@Override
	public Class<?> resolveType(String typeName) {
		return shared.resolveType(typeName);
	}

	@Override
	public Class<?> resolveType(Object value) {
		return shared.resolveType(value);
	}

	@Override
	public Boolean is(Object value, Class<?> type) {
		return shared.is(value, type);
	}

	@Override
	public Object as(Object value, Class<?> type, boolean isStrict) {
		return shared.as(value, type, isStrict);
	}

	@Override
	public Object createInstance(String typeName) {
		return shared.createInstance(typeName);
	}

	@Override
	public void setValue(Object target, String path, Object value) {
		shared.setValue(target, path, value);
	}

	@Override
	public Boolean objectEqual(Object left, Object right) {
		return shared.objectEqual(left, right);
	}

	@Override
	public Boolean objectEquivalent(Object left, Object right) {
		return shared.objectEquivalent(left, right);
	}

	@Override
	public String resolveId(Object target) {
		return shared.resolveId(target);
	}
}
