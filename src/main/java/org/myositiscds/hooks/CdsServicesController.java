package org.myositiscds.hooks;

import org.myositiscds.knowledge.ServiceDefinition;
import java.util.Collection;
import java.util.List;

import org.myositiscds.cards.Card;
import org.myositiscds.security.JwtAuthenticationFilter;
import org.myositiscds.system.ServiceAddress;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The CDS Hooks 2.0 endpoints: discovery and service calls. */
@RestController
@RequestMapping(path = "/cds-services", produces = MediaType.APPLICATION_JSON_VALUE)
class CdsServicesController {

	private final CdsServiceInvoker invoker;

	private final ServiceAddress address;

	CdsServicesController(CdsServiceInvoker invoker, ServiceAddress address) {
		this.invoker = invoker;
		this.address = address;
	}

	record Discovery(Collection<ServiceDefinition> services) {
	}

	record CdsResponse(List<Card> cards) {
	}

	@GetMapping
	Discovery discovery() {
		return new Discovery(invoker.services());
	}

	/** The body is read as bytes so that malformed JSON gets this service's own 400, not the framework's. */
	@PostMapping("/{id}")
	CdsResponse call(@PathVariable String id, @RequestBody(required = false) byte[] body,
			@RequestAttribute(name = JwtAuthenticationFilter.ISSUER, required = false) String issuer) {
		return new CdsResponse(invoker.call(id, body, address.baseUrl(), issuer));
	}
}
