package org.myositiscds.prefetch;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.myositiscds.cql.CallBudget;
import org.myositiscds.security.FhirServerAllowlist;

/**
 * Reads from the EHR's FHIR server on behalf of one hook call: a GET with the call's access
 * token, following a searchset's next links on the same server. The token is never sent
 * anywhere but the {@code fhirServer} of the call, and never logged. Every request, whatever
 * reads it, is checked against the FHIR server allowlist before it is sent.
 */
public final class FhirServerClient {

	/** How often a fetch waiting for room looks again, as a request body waiting for room does. */
	private static final long ROOM_POLL_MILLIS = 10;

	private final HttpClient httpClient;

	private final FhirContext fhirContext;

	private final int maxPages;

	private final FhirServerAllowlist allowlist;

	/** Where a fetch waiting for room looks again. */
	private final Executor lookAgain;

	public FhirServerClient(FhirContext fhirContext, Executor executor, Duration connectTimeout, int maxPages,
			FhirServerAllowlist allowlist) {
		this.fhirContext = fhirContext;
		this.allowlist = allowlist;
		this.maxPages = maxPages;
		this.lookAgain = CompletableFuture.delayedExecutor(ROOM_POLL_MILLIS, TimeUnit.MILLISECONDS, executor);
		this.httpClient = HttpClient.newBuilder()
			.executor(executor)
			.connectTimeout(connectTimeout)
			.followRedirects(HttpClient.Redirect.NEVER)
			.build();
	}

	/**
	 * The resources a query returns: a read gives one, a search gives every entry of every page.
	 * Started on the thread of a call, it spends the call's {@link CallBudget}: it takes at most
	 * {@code timeout} and no longer than the call has left, ends when the call is stopped, and fails
	 * with {@link FetchFailure#overLimit} once the call's answers together pass its fetch limit;
	 * while the calls under way hold all the room for data, it waits for room (see LimitedBody).
	 */
	public CompletableFuture<List<Resource>> fetch(URI fhirServer, String query, String accessToken, Duration timeout) {
		CallBudget budget = CallBudget.current();
		try {
			return budget.bound(page(resolve(fhirServer, query), fhirServer, accessToken, timeout, budget,
					new ArrayList<>(), new HashSet<>()));
		}
		catch (FetchFailure | CallBudget.Exhausted failure) {
			return CompletableFuture.failedFuture(failure);
		}
	}

	/** The resources of the pages after a prefetched searchset, starting at its next link; as {@link #fetch}. */
	public CompletableFuture<List<Resource>> fetchRemainingPages(URI fhirServer, String nextLink, String accessToken,
			Duration timeout) {
		CallBudget budget = CallBudget.current();
		try {
			return budget.bound(page(sameServer(fhirServer, nextLink), fhirServer, accessToken, timeout, budget,
					new ArrayList<>(), new HashSet<>()));
		}
		catch (FetchFailure | CallBudget.Exhausted failure) {
			return CompletableFuture.failedFuture(failure);
		}
	}

	private CompletableFuture<List<Resource>> page(URI uri, URI fhirServer, String accessToken, Duration timeout,
			CallBudget budget, List<Resource> found, Set<URI> seen) {
		if (!seen.add(uri)) {
			throw new FetchFailure("the server's next links loop");
		}
		if (seen.size() > maxPages) {
			throw new FetchFailure("more than " + maxPages + " pages");
		}
		if (!allowlist.permitsAnyCaller(uri)) {
			throw new FetchFailure("the FHIR server is on no allowlist");
		}
		HttpRequest.Builder request = HttpRequest.newBuilder(uri)
			// Over plain http the client would try an h2c upgrade first, which holds back parallel queries.
			.version("https".equals(uri.getScheme()) ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
			.timeout(budget.remaining(timeout))
			.header("Accept", "application/fhir+json")
			.GET();
		if (accessToken != null) {
			request.header("Authorization", "Bearer " + accessToken);
		}
		return httpClient.sendAsync(request.build(), info -> new LimitedBody(budget, lookAgain))
			.thenCompose(response -> {
				IBaseResource resource = parse(response);
				if (resource instanceof Bundle bundle) {
					bundle.getEntry().stream()
						.filter(entry -> entry.hasResource() && entry.getResource() instanceof Resource)
						.filter(entry -> !entry.hasSearch() || entry.getSearch().getMode() != Bundle.SearchEntryMode.OUTCOME)
						.forEach(entry -> found.add(entry.getResource()));
					Bundle.BundleLinkComponent next = bundle.getLink(Bundle.LINK_NEXT);
					if (next != null && next.hasUrl()) {
						return page(sameServer(fhirServer, next.getUrl()), fhirServer, accessToken, timeout, budget, found,
								seen);
					}
				}
				else {
					found.add((Resource) resource);
				}
				return CompletableFuture.completedFuture(found);
			});
	}

	private IBaseResource parse(HttpResponse<String> response) {
		if (response.statusCode() != 200) {
			throw new FetchFailure("the FHIR server answered HTTP " + response.statusCode(), response.statusCode());
		}
		try {
			IBaseResource resource = fhirContext.newJsonParser().parseResource(response.body());
			if (resource instanceof OperationOutcome) {
				throw new FetchFailure("the FHIR server answered with an OperationOutcome");
			}
			List<String> invalidDates = FhirDateCheck.problems((Resource) resource);
			if (!invalidDates.isEmpty()) {
				throw new FetchFailure("the FHIR server's answer is not valid FHIR: " + invalidDates.get(0)
						+ (invalidDates.size() > 1 ? " (and " + (invalidDates.size() - 1) + " more)" : ""));
			}
			return resource;
		}
		catch (DataFormatException | ClassCastException e) {
			throw new FetchFailure("the FHIR server's answer is not a FHIR JSON resource");
		}
	}

	/**
	 * An answer's body as text, taken from the call's fetch budget as it arrives: the reading stops
	 * as soon as the call has fetched more than it may, so an endless answer is never held whole.
	 * Each part is read only once the call has room for it among the data the calls under way hold
	 * ({@link CallBudget#holdFetched}), and the whole answer is handed on to be parsed only once it
	 * has room for that: until then the reading waits (nothing more is asked of the connection),
	 * looking again every few milliseconds, and gives up when the call is stopped or has ended.
	 */
	private static final class LimitedBody implements HttpResponse.BodySubscriber<String> {

		private final HttpResponse.BodySubscriber<String> text = HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8);

		private final CallBudget budget;

		private final Executor later;

		private Flow.Subscription subscription;

		/** Failed or handed on whole: the text gets nothing more. */
		private boolean over;

		/** A part read but not yet handed on: it waits for room. */
		private List<ByteBuffer> waiting;

		/** The answer has ended; its end is handed on once it has room. */
		private boolean ended;

		/** A look for room is scheduled. */
		private boolean scheduled;

		LimitedBody(CallBudget budget, Executor later) {
			this.budget = budget;
			this.later = later;
		}

		@Override
		public CompletionStage<String> getBody() {
			return text.getBody();
		}

		@Override
		public synchronized void onSubscribe(Flow.Subscription subscription) {
			this.subscription = subscription;
			// The text asks for everything at once; it gets each part when there is room for it.
			text.onSubscribe(new Flow.Subscription() {

				@Override
				public void request(long n) {
				}

				@Override
				public void cancel() {
					subscription.cancel();
				}
			});
			subscription.request(1);
		}

		@Override
		public synchronized void onNext(List<ByteBuffer> buffers) {
			if (over) {
				return;
			}
			long bytes = 0;
			for (ByteBuffer buffer : buffers) {
				bytes += buffer.remaining();
			}
			if (!budget.takeFetchedBytes(bytes)) {
				fail(FetchFailure.overLimit());
				return;
			}
			waiting = buffers;
			handOn();
		}

		@Override
		public synchronized void onError(Throwable failure) {
			if (!over) {
				over = true;
				text.onError(failure);
			}
		}

		@Override
		public synchronized void onComplete() {
			if (!over) {
				ended = true;
				if (!scheduled) {
					handOn();
				}
			}
		}

		private synchronized void lookAgain() {
			scheduled = false;
			handOn();
		}

		private void handOn() {
			if (over) {
				return;
			}
			CallBudget.Stop stop = budget.stopReason();
			if (stop != null || budget.ended()) {
				fail(stop != null ? new CallBudget.Exhausted(stop) : new FetchFailure("the call has ended"));
				return;
			}
			if (waiting != null) {
				if (!budget.holdFetched(false)) {
					waitForRoom();
					return;
				}
				List<ByteBuffer> part = waiting;
				waiting = null;
				text.onNext(part);
				if (!ended) {
					subscription.request(1);
				}
			}
			if (ended) {
				if (!budget.holdFetched(true)) {
					waitForRoom();
					return;
				}
				over = true;
				text.onComplete();
			}
		}

		private void waitForRoom() {
			scheduled = true;
			later.execute(this::lookAgain);
		}

		private void fail(Throwable failure) {
			over = true;
			subscription.cancel();
			text.onError(failure);
		}
	}

	/** A next link is followed only on the server the call named, so the token goes nowhere else. */
	private static URI sameServer(URI fhirServer, String link) {
		URI next = URI.create(link);
		if (!next.isAbsolute()) {
			next = URI.create(withTrailingSlash(fhirServer)).resolve(link);
		}
		if (!next.toString().startsWith(withTrailingSlash(fhirServer)) && !next.toString().equals(fhirServer.toString())) {
			throw new FetchFailure("a next link points outside the FHIR server");
		}
		return next;
	}

	static URI resolve(URI fhirServer, String query) {
		int questionMark = query.indexOf('?');
		String path = questionMark < 0 ? query : query.substring(0, questionMark);
		StringBuilder uri = new StringBuilder(withTrailingSlash(fhirServer)).append(path.replaceFirst("^/", ""));
		if (questionMark >= 0) {
			String separator = "?";
			for (String parameter : query.substring(questionMark + 1).split("&")) {
				if (parameter.isEmpty()) {
					continue;
				}
				int equals = parameter.indexOf('=');
				String name = equals < 0 ? parameter : parameter.substring(0, equals);
				String value = equals < 0 ? "" : parameter.substring(equals + 1);
				uri.append(separator).append(encode(name)).append('=').append(encode(value));
				separator = "&";
			}
		}
		return URI.create(uri.toString());
	}

	private static String encode(String text) {
		// Commas separate OR values in FHIR search; they stay literal.
		return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20").replace("%2C", ",");
	}

	private static String withTrailingSlash(URI uri) {
		String text = uri.toString();
		return text.endsWith("/") ? text : text + "/";
	}

	/** Why a query could not be answered; the message names no patient data. */
	public static final class FetchFailure extends CompletionException {

		private final int httpStatus;

		private final boolean overLimit;

		public FetchFailure(String message) {
			this(message, 0);
		}

		FetchFailure(String message, int httpStatus) {
			this(message, httpStatus, false);
		}

		private FetchFailure(String message, int httpStatus, boolean overLimit) {
			super(message, null);
			this.httpStatus = httpStatus;
			this.overLimit = overLimit;
		}

		/** The call's answers together are larger than it may fetch: a limit of this service, no fault of the server. */
		static FetchFailure overLimit() {
			return new FetchFailure("the answers of the call's queries are larger than its fetch limit", 0, true);
		}

		/** Whether a fetch failed on the call's fetch limit. */
		static boolean isOverLimit(Throwable failure) {
			return causeOf(failure) instanceof FetchFailure fetchFailure && fetchFailure.overLimit;
		}

		/** The HTTP status the server answered with, or 0 when the failure was not an HTTP answer. */
		int httpStatus() {
			return httpStatus;
		}

		/** The failure itself, from the exception a fetch completed with. */
		static Throwable causeOf(Throwable failure) {
			Throwable cause = failure;
			while (cause instanceof CompletionException && !(cause instanceof FetchFailure) && cause.getCause() != null) {
				cause = cause.getCause();
			}
			return cause;
		}

		public static String reasonOf(Throwable failure) {
			Throwable cause = causeOf(failure);
			if (cause instanceof FetchFailure) {
				return cause.getMessage();
			}
			if (cause instanceof java.util.concurrent.TimeoutException
					|| cause instanceof java.net.http.HttpTimeoutException) {
				return "the FHIR server did not answer in time";
			}
			if (cause instanceof IOException) {
				return "the FHIR server could not be reached";
			}
			return "the FHIR server's answer could not be used";
		}
	}
}
