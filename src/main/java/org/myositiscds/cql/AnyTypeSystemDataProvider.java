package org.myositiscds.cql;

import org.opencds.cqf.cql.engine.data.SystemDataProvider;

/**
 * The engine's system data provider looks types up as classes of its runtime package and has no
 * class for {@code System.Any}. The card contract types suggestion resources as Any (a lab order
 * and a medication order are different tuples), so Any resolves to {@link Object} here.
 */
final class AnyTypeSystemDataProvider extends SystemDataProvider {

	static final String SYSTEM_MODEL_URI = "urn:hl7-org:elm-types:r1";

	@Override
	public Class<?> resolveType(String typeName) {
		return "Any".equals(typeName) ? Object.class : super.resolveType(typeName);
	}
}
