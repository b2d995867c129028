package org.myositiscds.hooks;

import org.myositiscds.knowledge.ServiceDefinition;
import java.util.Collection;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.myositiscds.cards.Card;
import org.myositiscds.cql.CallBudget;
import org.myositiscds.security.JwtAuthenticationFilter;
import org.myositiscds.system.ServiceAddress;
import org.myositiscds.system.WarmUpCall;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

/** The CDS Hooks 2.0 endpoints: discovery and service calls. */
@RestController
@RequestMapping(path = "/cds-services", produces = MediaType.APPLICATION_JSON_VALUE)
class CdsServicesController {

	/** Past the deadline by this much, the container's own timeout would answer: never reached while the timer runs. */
	private static final long ASYNC_TIMEOUT_MARGIN_MILLIS = 10_000;

	private final CdsServiceInvoker invoker;

	private final ServiceAddress address;

	private final BoundedCalls calls;

	CdsServicesController(CdsServiceInvoker invoker, ServiceAddress address, BoundedCalls calls) {
		this.invoker = invoker;
		this.address = address;
		this.calls = calls;
	}

	record Discovery(Collection<ServiceDefinition> services) {
	}

	record CdsResponse(List<Card> cards) {
	}

	@GetMapping
	Discovery discovery() {
		return new Discovery(invoker.services());
	}

	/**
	 * The body is read as bytes so that malformed JSON gets this service's own 400, not the framework's.
	 * The call is worked on by {@link BoundedCalls}; the request thread is not held meanwhile, and a
	 * client that closes the connection stops the work. The start-up's own calls ({@link WarmUpCall})
	 * are rehearsed: answered the same, recorded nowhere.
	 */
	@PostMapping("/{id}")
	DeferredResult<CdsResponse> call(@PathVariable String id, @RequestBody(required = false) byte[] body,
			@RequestAttribute(name = JwtAuthenticationFilter.ISSUER, required = false) String issuer,
			@RequestAttribute(name = BodyReadFilter.ARRIVED, required = false) Long arrived,
			@RequestAttribute(name = BoundedCalls.CLIENT_CONNECTED, required = false) BooleanSupplier connected,
			@RequestAttribute(name = WarmUpCall.REHEARSAL, required = false) Boolean rehearsal) {
		BoundedCalls.Call<List<Card>> call = calls.start(
				() -> rehearsal != null ? invoker.rehearse(id, body) : invoker.call(id, body, address.baseUrl(), issuer),
				body == null ? 0 : body.length, arrived == null ? System.nanoTime() : arrived, connected);
		DeferredResult<CdsResponse> result = new DeferredResult<>(
				calls.deadline().toMillis() + ASYNC_TIMEOUT_MARGIN_MILLIS);
		result.onError(failure -> call.clientGone());
		result.onTimeout(() -> result.setErrorResult(new CallBudget.Exhausted(CallBudget.Stop.DEADLINE)));
		call.answer().whenComplete((cards, failure) -> {
			if (failure == null) {
				result.setResult(new CdsResponse(cards));
			}
			else {
				result.setErrorResult(failure);
			}
		});
		return result;
	}
}
