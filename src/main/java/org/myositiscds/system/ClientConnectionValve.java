package org.myositiscds.system;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import jakarta.servlet.ServletException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;
import org.myositiscds.hooks.BoundedCalls;

/**
 * Lets a call learn whether its client is still there. The Servlet API says nothing of a client
 * that closes the connection while the service works (Tomcat notices only when the answer is
 * written), so this gives each request a probe ({@link BoundedCalls#CLIENT_CONNECTED}) that asks
 * Tomcat for a non-blocking read: once the whole body has been read, anything readable means the
 * client has closed the connection (or, which EHR clients do not do, sent its next request before
 * the answer to this one).
 */
final class ClientConnectionValve extends ValveBase {

	ClientConnectionValve() {
		super(true);
	}

	@Override
	public void invoke(Request request, Response response) throws IOException, ServletException {
		org.apache.coyote.Request exchange = request.getCoyoteRequest();
		request.setAttribute(BoundedCalls.CLIENT_CONNECTED, (BooleanSupplier) () -> connected(exchange));
		getNext().invoke(request, response);
	}

	private static boolean connected(org.apache.coyote.Request exchange) {
		AtomicBoolean ioAllowed = new AtomicBoolean(true);
		exchange.action(ActionCode.IS_IO_ALLOWED, ioAllowed);
		if (!ioAllowed.get()) {
			return false;
		}
		// A read that meets the end of the stream makes Tomcat report one byte available.
		exchange.action(ActionCode.AVAILABLE, Boolean.TRUE);
		return exchange.getAvailable() == 0;
	}
}
