package org.myositiscds.cards;

import java.math.BigDecimal;
import java.util.Map;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Type;
import org.opencds.cqf.cql.engine.runtime.BaseTemporal;
import org.opencds.cqf.cql.engine.runtime.Code;
import org.opencds.cqf.cql.engine.runtime.Interval;
import org.opencds.cqf.cql.engine.runtime.Quantity;
import org.opencds.cqf.cql.engine.runtime.Tuple;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes a CQL value as JSON: tuples become objects, lists arrays, codes Codings, FHIR resources
 * and FHIR data types their FHIR JSON. Nulls and empty lists are left out, as CDS Hooks and FHIR want.
 */
public final class CqlValueJson {

	private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

	private final FhirContext fhirContext;

	private final JsonMapper jsonMapper;

	public CqlValueJson(FhirContext fhirContext, JsonMapper jsonMapper) {
		this.fhirContext = fhirContext;
		this.jsonMapper = jsonMapper;
	}

	public JsonNode toJson(Object value) {
		return toJson(value, false);
	}

	/** As {@link #toJson(Object)}, but a null tuple element stays as JSON null: in an overlay it removes. */
	JsonNode toOverlayJson(Object value) {
		return toJson(value, true);
	}

	private JsonNode toJson(Object value, boolean keepNulls) {
		if (value == null) {
			return keepNulls ? NODES.nullNode() : null;
		}
		if (value instanceof String text) {
			return NODES.stringNode(text);
		}
		if (value instanceof Boolean flag) {
			return NODES.booleanNode(flag);
		}
		if (value instanceof Integer number) {
			return NODES.numberNode(number);
		}
		if (value instanceof Long number) {
			return NODES.numberNode(number);
		}
		if (value instanceof BigDecimal number) {
			// 1000.0 is written 1000, not 1E+3.
			BigDecimal plain = number.stripTrailingZeros();
			return NODES.numberNode(plain.scale() < 0 ? plain.setScale(0) : plain);
		}
		if (value instanceof Code code) {
			ObjectNode coding = NODES.objectNode();
			putIfPresent(coding, "system", code.getSystem());
			putIfPresent(coding, "code", code.getCode());
			putIfPresent(coding, "display", code.getDisplay());
			return coding;
		}
		if (value instanceof Quantity quantity) {
			ObjectNode json = NODES.objectNode();
			json.set("value", toJson(quantity.getValue(), keepNulls));
			putIfPresent(json, "unit", quantity.getUnit());
			return json;
		}
		if (value instanceof Interval interval) {
			ObjectNode json = NODES.objectNode();
			json.set("low", toJson(interval.getLow(), keepNulls));
			json.set("high", toJson(interval.getHigh(), keepNulls));
			json.put("lowClosed", interval.getLowClosed());
			json.put("highClosed", interval.getHighClosed());
			return json;
		}
		if (value instanceof BaseTemporal temporal) {
			return NODES.stringNode(temporal.toString());
		}
		if (value instanceof Tuple tuple) {
			ObjectNode object = NODES.objectNode();
			for (Map.Entry<String, Object> element : tuple.getElements().entrySet()) {
				JsonNode json = toJson(element.getValue(), keepNulls);
				if (json != null && !(json.isContainer() && json.isEmpty())) {
					object.set(element.getKey(), json);
				}
			}
			return object;
		}
		if (value instanceof Iterable<?> list) {
			ArrayNode array = NODES.arrayNode();
			for (Object item : list) {
				// In an overlay a null element of a list item removes that element; a null item is dropped.
				JsonNode json = item == null ? null : toJson(item, keepNulls);
				if (json != null) {
					array.add(json);
				}
			}
			return array;
		}
		if (value instanceof IBaseResource resource) {
			return jsonMapper.readTree(fhirContext.newJsonParser().encodeResourceToString(resource));
		}
		if (value instanceof Type element) {
			// HAPI writes whole resources only: wrap the element in a Parameters value and unwrap it.
			Parameters wrapper = new Parameters();
			wrapper.addParameter().setName("element").setValue(element);
			JsonNode parameters = jsonMapper.readTree(fhirContext.newJsonParser().encodeResourceToString(wrapper));
			JsonNode parameter = parameters.path("parameter").path(0);
			for (String name : parameter.propertyNames()) {
				if (name.startsWith("value")) {
					return parameter.get(name);
				}
			}
			return null;
		}
		throw new IllegalArgumentException("A CQL value of type " + value.getClass().getSimpleName()
				+ " has no JSON form in the card contract");
	}

	private static void putIfPresent(ObjectNode object, String field, String value) {
		if (value != null) {
			object.put(field, value);
		}
	}
}
