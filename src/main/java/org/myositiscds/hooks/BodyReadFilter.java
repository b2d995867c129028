package org.myositiscds.hooks;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Reads a call's body before any thread works on the call, so that slow clients cannot hold the
 * server's threads. The bytes are read with the Servlet API's non-blocking input (no thread waits
 * while they trickle in); once all have arrived, the request is dispatched on a thread with its
 * body in memory. A body not received within the time limit gets 408, one over the size limit
 * 413, and when too many bodies are being received at once a new one gets 503 at once. Runs after
 * the JWT check: in production a caller without a valid token is refused before any of its body is
 * read.
 */
public final class BodyReadFilter implements Filter {

	private static final String BODY = BodyReadFilter.class.getName() + ".body";

	/** When the request arrived ({@link System#nanoTime()}, a Long): a call's deadline counts from then. */
	public static final String ARRIVED = "org.myositiscds.hooks.BodyReadFilter.arrived";

	private final long maxBytes;

	private final Duration timeout;

	private final int maxPending;

	private final ScheduledExecutorService timer;

	private final AtomicInteger pending = new AtomicInteger();

	/**
	 * @param timeout the time a client has to send the whole body
	 * @param maxPending how many bodies may be arriving at once
	 * @param timer runs the deadlines (one thread is enough: it only answers 408)
	 */
	public BodyReadFilter(long maxBytes, Duration timeout, int maxPending, ScheduledExecutorService timer) {
		this.maxBytes = maxBytes;
		this.timeout = timeout;
		this.maxPending = maxPending;
		this.timer = timer;
	}

	@Override
	public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
		HttpServletRequest request = (HttpServletRequest) req;
		HttpServletResponse response = (HttpServletResponse) res;
		if (request.getAttribute(BODY) instanceof byte[] body) {
			request.removeAttribute(BODY);
			chain.doFilter(new BodyInMemory(request, body), response);
			return;
		}
		if (request.getDispatcherType() == DispatcherType.REQUEST) {
			request.setAttribute(ARRIVED, System.nanoTime());
		}
		if (request.getDispatcherType() != DispatcherType.REQUEST || !"POST".equals(request.getMethod())
				|| request.getContentLengthLong() == 0 || !request.isAsyncSupported()) {
			chain.doFilter(request, response);
			return;
		}
		if (pending.incrementAndGet() > maxPending) {
			pending.decrementAndGet();
			refuse(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "busy",
					"Too many requests are being received at once; send it again shortly");
			return;
		}
		AsyncContext async = request.startAsync();
		async.setTimeout(0);
		ServletInputStream in = request.getInputStream();
		Reception reception = new Reception(request, async, in);
		reception.deadline = timer.schedule(reception::timedOut, timeout.toMillis(), TimeUnit.MILLISECONDS);
		in.setReadListener(reception);
	}

	/** One body arriving. Exactly one of dispatch, 408, 413 or a dropped connection ends it. */
	private final class Reception implements ReadListener {

		private final HttpServletRequest request;

		private final AsyncContext async;

		private final ServletInputStream in;

		private final ByteArrayOutputStream body = new ByteArrayOutputStream();

		private final AtomicBoolean ended = new AtomicBoolean();

		private volatile ScheduledFuture<?> deadline;

		Reception(HttpServletRequest request, AsyncContext async, ServletInputStream in) {
			this.request = request;
			this.async = async;
			this.in = in;
		}

		@Override
		public void onDataAvailable() throws IOException {
			byte[] buffer = new byte[8192];
			while (!ended.get() && in.isReady()) {
				int read;
				try {
					read = in.read(buffer);
				}
				catch (RequestSizeLimitFilter.TooLarge e) {
					read = -2;
				}
				if (read == -1) {
					return;
				}
				if (read == -2 || body.size() + read > maxBytes) {
					end(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
							"The body is larger than " + maxBytes + " bytes");
					return;
				}
				body.write(buffer, 0, read);
			}
		}

		@Override
		public void onAllDataRead() {
			if (settle()) {
				request.setAttribute(BODY, body.toByteArray());
				async.dispatch();
			}
		}

		/** The client stopped sending, or the connection failed: answered if it still can be. */
		@Override
		public void onError(Throwable failure) {
			end(HttpServletResponse.SC_REQUEST_TIMEOUT, "request_timeout", "The body could not be read to its end");
		}

		void timedOut() {
			end(HttpServletResponse.SC_REQUEST_TIMEOUT, "request_timeout",
					"The body did not arrive within " + timeout.toSeconds() + " s");
		}

		private void end(int status, String error, String message) {
			if (!settle()) {
				return;
			}
			try {
				refuse((HttpServletResponse) async.getResponse(), status, error, message);
			}
			catch (IOException | IllegalStateException e) {
				// The client is gone: nothing more to say.
			}
			finally {
				async.complete();
			}
		}

		private boolean settle() {
			if (!ended.compareAndSet(false, true)) {
				return false;
			}
			pending.decrementAndGet();
			ScheduledFuture<?> timeout = deadline;
			if (timeout != null) {
				timeout.cancel(false);
			}
			return true;
		}
	}

	/** The connection is closed after a refusal: the rest of the body is not waited for. */
	private static void refuse(HttpServletResponse response, int status, String error, String message) throws IOException {
		response.setStatus(status);
		response.setContentType("application/json");
		response.setHeader("Connection", "close");
		byte[] json = ("{\"error\":\"" + error + "\",\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
		response.setContentLength(json.length);
		response.getOutputStream().write(json);
		response.flushBuffer();
	}

	/** The request as the controllers see it: its body read already. */
	private static final class BodyInMemory extends HttpServletRequestWrapper {

		private final byte[] body;

		BodyInMemory(HttpServletRequest request, byte[] body) {
			super(request);
			this.body = body;
		}

		@Override
		public ServletInputStream getInputStream() {
			ByteArrayInputStream bytes = new ByteArrayInputStream(body);
			return new ServletInputStream() {

				@Override
				public int read() {
					return bytes.read();
				}

				@Override
				public int read(byte[] buffer, int offset, int length) {
					return bytes.read(buffer, offset, length);
				}

				@Override
				public boolean isFinished() {
					return bytes.available() == 0;
				}

				@Override
				public boolean isReady() {
					return true;
				}

				@Override
				public void setReadListener(ReadListener listener) {
					throw new IllegalStateException("The body has been read already");
				}
			};
		}

		@Override
		public int getContentLength() {
			return body.length;
		}

		@Override
		public long getContentLengthLong() {
			return body.length;
		}
	}
}
