package org.myositiscds.cql;

/**
 * The names shared by the service and every guideline library: the parameters through which a
 * library sees the hook call, and the expression that returns its cards. A test checks that each
 * library a service uses declares all of them.
 */
public final class GuidelineContract {

	/** {@code parameter "Hook" String}: order-select or order-sign. */
	public static final String HOOK = "Hook";

	/** {@code parameter "Draft Orders" List<Resource>}: every resource of context.draftOrders. */
	public static final String DRAFT_ORDERS = "Draft Orders";

	/** {@code parameter "Selections" List<String>}: context.selections (order-select), else empty. */
	public static final String SELECTIONS = "Selections";

	/** {@code define "Cards"}: a list of MyositisCommon."Card" tuples. */
	public static final String CARDS = "Cards";

	private GuidelineContract() {
	}
}
