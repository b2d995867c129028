package org.myositiscds.cql;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementCompositeDefinition;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeChildChoiceDefinition;
import ca.uhn.fhir.context.RuntimeChildPrimitiveDatatypeDefinition;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseEnumeration;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Resource;
import org.opencds.cqf.cql.engine.fhir.model.R4FhirModelResolver;

/**
 * The engine's R4 model resolver with each property path split once per process, and each
 * property of each FHIR class looked up once per process. The engine's {@code resolvePath}
 * compiles a regular expression to split the path at every property read, and its
 * {@code resolveProperty} then asks, at every read, which kind of element the target is (a
 * resource, a primitive, an enumeration: interface checks), finds the class's definition and the
 * child of that name in HAPI's maps, and for a choice element ({@code value[x]}) walks the
 * definition's children: together a fifth of a rituximab evaluation (docs/performance.md, "CPU per
 * call (engine)" and "CPU per call (Java, this session)"). All of that depends on the target's
 * class and the property's name only, so it is decided once per pair ({@link Property}); what
 * depends on the element itself (its values, whether a primitive has a value, which type a choice
 * holds) is read at each call exactly as the engine reads it. A pair this class does not know
 * how to decide is left to the engine's own {@code resolveProperty} at every read.
 * <p>
 * Each part of a path is read as the engine reads it: {@code name} or {@code name[i]} (the i-th
 * of a repeating element, one digit, as the engine allows).
 */
final class SplitPathModelResolver extends R4FhirModelResolver {

	/**
	 * A part of a path, with the property it named on the class it last met: a path is read on
	 * one class nearly always, so most reads skip the lookup by class.
	 */
	private static final class Step {

		final String name;

		final int index;

		/** The last class met and its property, as one object: a reader sees both or neither. */
		Met last;

		Step(String name, int index) {
			this.name = name;
			this.index = index;
		}
	}

	private record Met(Class<?> type, Property property) {
	}

	private final Map<String, Step[]> steps = new ConcurrentHashMap<>();

	/** The properties of each class, by name: a bounded set (the FHIR classes and the ELM's names). */
	private final ClassValue<Map<String, Property>> properties = new ClassValue<>() {
		@Override
		protected Map<String, Property> computeValue(Class<?> type) {
			return new ConcurrentHashMap<>();
		}
	};

	SplitPathModelResolver(FhirContext fhirContext) {
		super(fhirContext);
	}

	@Override
	public Object resolvePath(Object target, String path) {
		Step[] parts = steps.get(path);
		if (parts == null) {
			parts = steps.computeIfAbsent(path, SplitPathModelResolver::split);
		}
		Object value = target;
		for (Step step : parts) {
			if (value != null) {
				Met last = step.last;
				if (last == null || last.type() != value.getClass()) {
					last = new Met(value.getClass(), property(value, step.name));
					step.last = last;
				}
				value = read(last.property(), value, step.name);
			}
			if (step.index >= 0) {
				value = ((List<?>) value).get(step.index);
			}
		}
		return value;
	}

	@Override
	protected Object resolveProperty(Object target, String path) {
		return target == null ? null : read(property(target, path), target, path);
	}

	private Property property(Object target, String name) {
		Map<String, Property> ofClass = properties.get(target.getClass());
		Property property = ofClass.get(name);
		return property != null ? property : ofClass.computeIfAbsent(name, key -> decide(target, key));
	}

	private Object read(Property property, Object target, String path) {
		return switch (property.kind) {
			case ITSELF -> target;
			case PRIMITIVE_EXTENSIONS -> ((PrimitiveType<?>) target).getExtension();
			case ENUMERATION_CODE -> ((IBaseEnumeration<?>) target).getValueAsString();
			case PRIMITIVE_VALUE -> toJavaPrimitive(((IPrimitiveType<?>) target).getValue(), target);
			case DATE_TIME_VALUE -> dateTime((BaseDateTimeType) target);
			case PRIMITIVE_ITSELF -> toJavaPrimitive(target, target);
			case ABSENT -> null;
			case CHILD -> child(property, (IBase) target);
			case ENGINE -> super.resolveProperty(target, path);
		};
	}

	/** The engine's conversion of a dateTime or instant ({@code toJavaPrimitive}), made without text where it can be. */
	private Object dateTime(BaseDateTimeType target) {
		if (!target.hasValue()) {
			return null;
		}
		Object converted = FhirDateTimes.convert(target);
		return converted != null ? converted : toJavaPrimitive(target.getValue(), target);
	}

	/** The engine's reading of a composite's child, with what depends on the class decided already. */
	private Object child(Property property, IBase target) {
		List<? extends IBase> values = property.child.getAccessor().getValues(target);
		if (values == null || values.isEmpty()) {
			return null;
		}
		IBase first = values.get(0);
		if (property.primitive && (first instanceof PrimitiveType<?> primitive ? !primitive.hasValue()
				: first instanceof IPrimitiveType<?> other && !other.hasValue())) {
			return null;
		}
		if (property.choiceType != null && !first.getClass().getSimpleName().equalsIgnoreCase(property.choiceType)) {
			return null;
		}
		return property.many ? values : first;
	}

	/**
	 * What the engine's {@code resolveProperty} (R4's, then the common one) would do with any target
	 * of this class and this name, in its order of checks.
	 */
	private Property decide(Object target, String path) {
		try {
			if (target instanceof Resource resource && resource.fhirType().equals(path)) {
				return Property.of(Kind.ITSELF);
			}
			if (target instanceof PrimitiveType<?> && path.equals("extension")) {
				return Property.of(Kind.PRIMITIVE_EXTENSIONS);
			}
			if (target instanceof IBaseEnumeration<?> && path.equals("value")) {
				return Property.of(Kind.ENUMERATION_CODE);
			}
			if (!(target instanceof IBase base)) {
				return Property.of(Kind.ENGINE);
			}
			if (base instanceof IPrimitiveType<?>) {
				if (path.equals("value") && (target.getClass() == DateTimeType.class || target.getClass() == InstantType.class)) {
					return Property.of(Kind.DATE_TIME_VALUE);
				}
				return Property.of(path.equals("value") ? Kind.PRIMITIVE_VALUE : Kind.PRIMITIVE_ITSELF);
			}
			BaseRuntimeElementCompositeDefinition<?> definition = resolveRuntimeDefinition(base);
			BaseRuntimeChildDefinition child = definition.getChildByName(path);
			if (child == null) {
				child = resolveChoiceProperty(definition, path);
			}
			if (child == null) {
				return Property.of(Kind.ABSENT);
			}
			// The engine passes the child's value through toJavaPrimitive with the composite as the
			// source, which leaves it as it is unless the composite's class bears a primitive's name.
			if (CONVERTED_NAMES.contains(target.getClass().getSimpleName())) {
				return Property.of(Kind.ENGINE);
			}
			String choiceType = child instanceof RuntimeChildChoiceDefinition choice
					&& !choice.getElementName().equalsIgnoreCase(path)
							? choice.getChildByName(path).getImplementingClass().getSimpleName() : null;
			return new Property(Kind.CHILD, child, child instanceof RuntimeChildPrimitiveDatatypeDefinition, choiceType,
					child.getMax() < 1);
		}
		catch (RuntimeException e) {
			// The engine fails or answers in its own way: leave every such read to it.
			return Property.of(Kind.ENGINE);
		}
	}

	/** The class names the engine's {@code toJavaPrimitive} converts (as sources). */
	private static final Set<String> CONVERTED_NAMES = Set.of("InstantType", "DateTimeType", "DateType", "TimeType",
			"IdType", "Base64BinaryType");

	private enum Kind {
		ITSELF, PRIMITIVE_EXTENSIONS, ENUMERATION_CODE, PRIMITIVE_VALUE, DATE_TIME_VALUE, PRIMITIVE_ITSELF, ABSENT, CHILD,
		ENGINE
	}

	/**
	 * A property of a class: its kind, and for a composite's child the HAPI child, whether it is a
	 * primitive, the type a choice must hold to answer (for a name like {@code valueQuantity}), and
	 * whether it repeats.
	 */
	private record Property(Kind kind, BaseRuntimeChildDefinition child, boolean primitive, String choiceType,
			boolean many) {

		static Property of(Kind kind) {
			return new Property(kind, null, false, null, false);
		}
	}

	private static Step[] split(String path) {
		String[] parts = path.split("\\.");
		Step[] split = new Step[parts.length];
		for (int i = 0; i < parts.length; i++) {
			String part = parts[i];
			int bracket = part.indexOf('[');
			split[i] = bracket < 0 ? new Step(part, -1)
					: new Step(part.replaceAll("\\[\\d]", ""), Character.getNumericValue(part.charAt(bracket + 1)));
		}
		return split;
	}
}
