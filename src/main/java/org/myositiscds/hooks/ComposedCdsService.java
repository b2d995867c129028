package org.myositiscds.hooks;

import java.util.List;

import org.myositiscds.cards.Card;
import org.myositiscds.knowledge.ServiceCatalog;
import org.myositiscds.knowledge.ServiceDefinition;

/**
 * A CDS service whose cards are those of services of the catalog, called with requests it builds,
 * instead of those of a CQL library of its own (the demo profile's order preview). Discovery lists
 * it after the catalog's services. Its calls and its feedback take the same path as any other
 * service's: JWT, CORS, size limit, validation of the request against its definition, JSON errors,
 * and the cards recorded under its id.
 */
public interface ComposedCdsService {

	/** The service as discovery shows it; its prefetch may be drawn from the catalog's services. */
	ServiceDefinition definition(ServiceCatalog catalog);

	/**
	 * The cards for a call already validated against {@link #definition}.
	 * @param catalog the catalog's services, of the same knowledge snapshot {@code evaluation} uses
	 */
	List<Card> cards(CdsRequest request, ServiceCatalog catalog, CatalogEvaluation evaluation);

	/** Runs one service of the catalog on a request, along the usual path, without recording its cards. */
	@FunctionalInterface
	interface CatalogEvaluation {

		List<Card> cards(ServiceDefinition service, CdsRequest request);
	}
}
