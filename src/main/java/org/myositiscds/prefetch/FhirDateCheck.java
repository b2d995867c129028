package org.myositiscds.prefetch;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.BaseRuntimeDeclaredChildDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementCompositeDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementDefinition;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeChildChoiceDefinition;
import ca.uhn.fhir.context.RuntimeChildExtension;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Resource;

/**
 * HAPI's lenient parser takes a {@code date} with a time of day ({@code birthDate
 * "1970-01-01T10:00:00Z"}) and other malformed dates without complaint, and the CQL then reads
 * them wrongly or fails. The dates of a resource, sent in the request or read from the FHIR
 * server, are checked against the FHIR R4 formats instead, naming the element of each one that
 * does not match, never its value.
 * <p>
 * A dateTime with a time but no time zone is accepted, against the letter of FHIR R4: EHR exports
 * often leave the zone out, and the rules only read its day.
 */
public final class FhirDateCheck {

	private static final String YEAR = "([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)";

	private static final String TIME = "([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?";

	private static final String ZONE = "(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))";

	/** HAPI's model of the R4 classes, the same whatever the context that parsed the resource. */
	private static final FhirContext FHIR = FhirContext.forR4Cached();

	/** The child {@code extension} of every R4 element, primitives included. */
	private static final BaseRuntimeChildDefinition PRIMITIVE_EXTENSIONS = ((BaseRuntimeElementCompositeDefinition<?>) FHIR
		.getElementDefinition(org.hl7.fhir.r4.model.Coding.class)).getChildByName("extension");

	static final Pattern DATE = Pattern
		.compile(YEAR + "(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?");

	static final Pattern DATE_TIME = Pattern
		.compile(YEAR + "(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T" + TIME + ZONE + "?)?)?)?");

	static final Pattern INSTANT = Pattern
		.compile(YEAR + "-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T" + TIME + ZONE);

	private FhirDateCheck() {
	}

	/** Each element of the resource whose date does not have its type's format, with what is expected. */
	public static List<String> problems(Resource resource) {
		List<String> problems = new ArrayList<>();
		check(resource, null, problems, resource.fhirType());
		return problems;
	}

	/**
	 * Where an element is, as the chain of children from the resource; spelt out only for an element
	 * that has a problem (building every element's path as text was most of the check's cost).
	 */
	private record Step(Step parent, BaseRuntimeChildDefinition child, int index, IBase value) {

		String path(String root) {
			StringBuilder path = new StringBuilder();
			append(path, root);
			return path.toString();
		}

		private void append(StringBuilder path, String root) {
			if (parent == null) {
				path.append(root);
			}
			else {
				parent.append(path, root);
			}
			path.append('.').append(child.getElementName());
			// A choice (value[x]) is named by its type; extension is a choice too in HAPI's model, not in FHIR's.
			if (child instanceof RuntimeChildChoiceDefinition && !(child instanceof RuntimeChildExtension)) {
				path.append(capitalised(((Base) value).fhirType()));
			}
			if (child.getMax() != 1) {
				path.append('[').append(index).append(']');
			}
		}
	}

	/**
	 * What the check reads of each class: its children, each with the field HAPI keeps it in.
	 * Reading the field directly saves HAPI's accessor a list per value, and the class's model is
	 * looked up once rather than once per element (docs/performance.md "The date check").
	 */
	private record Child(BaseRuntimeChildDefinition definition, Field field) {
	}

	private static final ClassValue<Child[]> CHILDREN = new ClassValue<>() {
		@Override
		protected Child[] computeValue(Class<?> type) {
			BaseRuntimeElementDefinition<?> definition = IBaseResource.class.isAssignableFrom(type)
					? FHIR.getResourceDefinition(type.asSubclass(IBaseResource.class))
					: FHIR.getElementDefinition(type.asSubclass(IBase.class));
			if (!(definition instanceof BaseRuntimeElementCompositeDefinition<?> composite)) {
				return new Child[0];
			}
			return composite.getChildren().stream()
				.map(child -> new Child(child,
						child instanceof BaseRuntimeDeclaredChildDefinition declared ? declared.getField() : null))
				.toArray(Child[]::new);
		}
	};

	/**
	 * Walks the elements through HAPI's model of each class rather than {@code Base.children()},
	 * which builds a description of every possible child of every element, empty or not (a tenth of
	 * a call's garbage, docs/performance.md "CPU per call (Java, this session)"). Every element is
	 * visited: any of them, a primitive too, may carry an extension holding a date.
	 */
	private static void check(IBase element, Step step, List<String> problems, String root) {
		if (element instanceof PrimitiveType<?> primitive) {
			String problem = problem(primitive);
			if (problem != null) {
				problems.add((step == null ? root : step.path(root)) + ": " + problem);
			}
			if (primitive.hasExtension()) {
				// A primitive's other child is its id, a string: only an extension can hold a date.
				checkAll(PRIMITIVE_EXTENSIONS, primitive.getExtension(), step, problems, root);
			}
			return;
		}
		if (!(element instanceof Base)) {
			// The narrative's XHTML: no dates.
			return;
		}
		for (Child child : CHILDREN.get(element.getClass())) {
			if (child.field() == null) {
				checkAll(child.definition(), child.definition().getAccessor().getValues(element), step, problems, root);
				continue;
			}
			Object value = read(child.field(), element);
			if (value instanceof List<?> values) {
				checkAll(child.definition(), values, step, problems, root);
			}
			else if (value != null) {
				checkChild(child.definition(), 0, (IBase) value, step, problems, root);
			}
		}
	}

	/**
	 * Most elements are primitives without extensions and without a problem: their step is made only
	 * when it is needed (one for each element visited was most of the check's garbage).
	 */
	private static void checkChild(BaseRuntimeChildDefinition child, int index, IBase value, Step parent,
			List<String> problems, String root) {
		if (value instanceof PrimitiveType<?> primitive && !primitive.hasExtension() && problem(primitive) == null) {
			return;
		}
		check(value, new Step(parent, child, index, value), problems, root);
	}

	private static Object read(Field field, IBase element) {
		try {
			return field.get(element);
		}
		catch (IllegalAccessException e) {
			// HAPI made its model's fields accessible when it scanned the classes.
			throw new IllegalStateException(e);
		}
	}

	private static void checkAll(BaseRuntimeChildDefinition child, List<?> values, Step step, List<String> problems,
			String root) {
		for (int i = 0; i < values.size(); i++) {
			IBase value = (IBase) values.get(i);
			if (value != null) {
				checkChild(child, i, value, step, problems, root);
			}
		}
	}

	static String problem(PrimitiveType<?> primitive) {
		if (!(primitive instanceof BaseDateTimeType)) {
			return null;
		}
		String text = primitive.getValueAsString();
		if (text == null) {
			return null;
		}
		if (primitive instanceof DateType && !(plainlyValid(text, false, false) || DATE.matcher(text).matches())) {
			return "not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD, without a time of day)";
		}
		if (primitive instanceof InstantType && !(plainlyValid(text, true, true) || INSTANT.matcher(text).matches())) {
			return "not a FHIR instant (YYYY-MM-DDThh:mm:ss with a time zone)";
		}
		if (primitive instanceof DateTimeType && !(plainlyValid(text, true, false) || DATE_TIME.matcher(text).matches())) {
			return "not a FHIR dateTime (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss with a time zone)";
		}
		return null;
	}

	/**
	 * The common shapes, YYYY-MM-DD and YYYY-MM-DDThh:mm:ss[.s][zone], read character by character
	 * (the patterns were a third of the check's time); true only for text the pattern of its type
	 * also matches, anything else is left to the pattern.
	 */
	static boolean plainlyValid(String text, boolean time, boolean zoneRequired) {
		int length = text.length();
		if (length < 10 || !digits(text, 0, 4) || text.startsWith("0000") || text.charAt(4) != '-'
				|| text.charAt(7) != '-' || !inRange(text, 5, 1, 12) || !inRange(text, 8, 1, 31)) {
			return false;
		}
		if (length == 10) {
			return !zoneRequired;
		}
		if (!time || length < 19 || text.charAt(10) != 'T' || text.charAt(13) != ':' || text.charAt(16) != ':'
				|| !inRange(text, 11, 0, 23) || !inRange(text, 14, 0, 59) || !inRange(text, 17, 0, 60)) {
			return false;
		}
		int at = 19;
		if (at < length && text.charAt(at) == '.') {
			int digits = at + 1;
			while (digits < length && isDigit(text.charAt(digits))) {
				digits++;
			}
			if (digits == at + 1) {
				return false;
			}
			at = digits;
		}
		if (at == length) {
			return !zoneRequired;
		}
		if (text.charAt(at) == 'Z') {
			return at + 1 == length;
		}
		return at + 6 == length && (text.charAt(at) == '+' || text.charAt(at) == '-') && text.charAt(at + 3) == ':'
				&& (inRange(text, at + 1, 0, 13) && inRange(text, at + 4, 0, 59)
						|| text.startsWith("14:00", at + 1));
	}

	private static boolean digits(String text, int from, int count) {
		for (int i = from; i < from + count; i++) {
			if (!isDigit(text.charAt(i))) {
				return false;
			}
		}
		return true;
	}

	/** Two digits at {@code at}, between two bounds. */
	private static boolean inRange(String text, int at, int low, int high) {
		if (!digits(text, at, 2)) {
			return false;
		}
		int value = (text.charAt(at) - '0') * 10 + text.charAt(at + 1) - '0';
		return value >= low && value <= high;
	}

	private static boolean isDigit(char c) {
		return c >= '0' && c <= '9';
	}

	private static String capitalised(String type) {
		return Character.toUpperCase(type.charAt(0)) + type.substring(1);
	}
}
