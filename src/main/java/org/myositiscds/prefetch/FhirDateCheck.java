package org.myositiscds.prefetch;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Property;
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

	private static final Pattern DATE = Pattern
		.compile(YEAR + "(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?");

	private static final Pattern DATE_TIME = Pattern
		.compile(YEAR + "(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T" + TIME + ZONE + "?)?)?)?");

	private static final Pattern INSTANT = Pattern
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
	 * Where an element is, as the chain of properties from the resource; spelt out only for an element
	 * that has a problem (building every element's path as text was most of the check's cost).
	 */
	private record Step(Step parent, Property property, int index, Base value) {

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
			String name = property.getName();
			path.append('.').append(name.endsWith("[x]") ? name.replace("[x]", capitalised(value.fhirType())) : name);
			if (property.isList()) {
				path.append('[').append(index).append(']');
			}
		}
	}

	private static void check(Base element, Step step, List<String> problems, String root) {
		if (element instanceof PrimitiveType<?> primitive) {
			String problem = problem(primitive);
			if (problem != null) {
				problems.add((step == null ? root : step.path(root)) + ": " + problem);
			}
			if (!primitive.hasExtension()) {
				// A primitive's other child is its id, a string: only an extension can hold a date.
				return;
			}
		}
		for (Property property : element.children()) {
			if (!property.hasValues()) {
				continue;
			}
			List<Base> values = property.getValues();
			for (int i = 0; i < values.size(); i++) {
				Base value = values.get(i);
				if (value != null) {
					check(value, new Step(step, property, i, value), problems, root);
				}
			}
		}
	}

	private static String problem(PrimitiveType<?> primitive) {
		String text = primitive.getValueAsString();
		if (text == null) {
			return null;
		}
		if (primitive instanceof DateType && !DATE.matcher(text).matches()) {
			return "not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD, without a time of day)";
		}
		if (primitive instanceof InstantType && !INSTANT.matcher(text).matches()) {
			return "not a FHIR instant (YYYY-MM-DDThh:mm:ss with a time zone)";
		}
		if (primitive instanceof DateTimeType && !DATE_TIME.matcher(text).matches()) {
			return "not a FHIR dateTime (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss with a time zone)";
		}
		return null;
	}

	private static String capitalised(String type) {
		return Character.toUpperCase(type.charAt(0)) + type.substring(1);
	}
}
