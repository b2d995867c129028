package org.myositiscds.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import jakarta.servlet.ServletException;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** Only this process's own call, from this machine, before the service is ready, is a rehearsal. */
class WarmUpCallTests {

	final WarmUpCall warmUpCall = new WarmUpCall();

	static MockHttpServletRequest call(String header, String from) {
		return call("POST", "/cds-services/rituximab-order-sign", header, from);
	}

	static MockHttpServletRequest call(String method, String path, String header, String from) {
		MockHttpServletRequest request = new MockHttpServletRequest(method, path);
		request.setRequestURI(path);
		request.setLocalAddr("127.0.0.1");
		request.setRemoteAddr(from);
		if (header != null) {
			request.addHeader(WarmUpCall.HEADER, header);
		}
		return request;
	}

	boolean rehearsal(MockHttpServletRequest request) throws ServletException, IOException {
		MockFilterChain chain = new MockFilterChain();
		warmUpCall.doFilter(request, new MockHttpServletResponse(), chain);
		assertThat(chain.getRequest()).as("the call always goes on").isSameAs(request);
		return request.getAttribute(WarmUpCall.REHEARSAL) != null;
	}

	@Test
	void theProcesssOwnSecretFromThisMachineMakesARehearsal() throws Exception {
		assertThat(rehearsal(call(warmUpCall.secret(), "127.0.0.1"))).isTrue();
		assertThat(warmUpCall.admitted()).isEqualTo(1);
	}

	@Test
	void anyOtherCallIsNot() throws Exception {
		String secret = warmUpCall.secret();
		assertThat(secret).hasSizeGreaterThanOrEqualTo(43);
		assertThat(rehearsal(call(null, "127.0.0.1"))).isFalse();
		assertThat(rehearsal(call(secret.substring(1), "127.0.0.1"))).isFalse();
		assertThat(rehearsal(call(secret + "x", "127.0.0.1"))).isFalse();
		assertThat(rehearsal(call(secret, "10.1.2.3"))).as("from another machine").isFalse();
		assertThat(rehearsal(call("POST", "/cds-services/rituximab-order-sign/feedback", secret, "127.0.0.1")))
			.as("feedback").isFalse();
		assertThat(rehearsal(call("GET", "/cds-services/rituximab-order-sign", secret, "127.0.0.1"))).isFalse();
		assertThat(new WarmUpCall().secret()).as("each process its own").isNotEqualTo(secret);
		warmUpCall.close();
		assertThat(rehearsal(call(secret, "127.0.0.1"))).as("once closed").isFalse();
		assertThat(warmUpCall.secret()).isNull();
		assertThat(warmUpCall.admitted()).isZero();
	}
}
