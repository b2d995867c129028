package org.myositiscds.bench;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * One keep-alive HTTP/1.1 connection for a closed-loop client: the request is sent as bytes built
 * before the timed phase ({@link #post}), the answer is read by its framing (Content-Length or
 * chunked) into a reused buffer, and its cards are counted by scanning for the rule extension,
 * without a JSON tree. The JDK's HttpClient cost the generator about 2 ms of CPU per call at
 * saturation (docs/performance.md, "Throughput (this session)"): CPU the service on the same two
 * cores did not get. A connection the service closes (Connection: close after its keep-alive
 * limit) is opened again for the next request; a request that fails is not retried, it is
 * counted as an error by the caller.
 */
final class KeepAliveClient implements AutoCloseable {

	/** The answer: its status, its number of cards, and its body (the first {@code length} bytes). */
	record Response(int status, int cards, byte[] body, int length) {
	}

	/** How each card names its rule in the service's answer (CardAssembler writes it compact). */
	private static final byte[] RULE_KEY = "\"myositis-cds.rule\":\"".getBytes(StandardCharsets.US_ASCII);

	private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

	private static final int READ_TIMEOUT_MILLIS = 30_000;

	private final InetSocketAddress address;

	private Socket socket;

	private OutputStream out;

	private InputStream in;

	private final byte[] readBuffer = new byte[16 * 1024];

	private int readAt;

	private int readEnd;

	private byte[] body = new byte[64 * 1024];

	KeepAliveClient(URI target) {
		this.address = new InetSocketAddress(target.getHost(), target.getPort());
	}

	/** The whole POST of a JSON body to the target, head and body, ready to write. */
	static byte[] post(URI target, byte[] json) {
		byte[] head = ("POST " + target.getRawPath() + " HTTP/1.1\r\nHost: " + target.getHost() + ":" + target.getPort()
				+ "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: " + json.length
				+ "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
		byte[] request = Arrays.copyOf(head, head.length + json.length);
		System.arraycopy(json, 0, request, head.length, json.length);
		return request;
	}

	/** Sends a request built by {@link #post} and reads its whole answer; the body is valid until the next call. */
	Response send(byte[] request) throws IOException {
		if (socket == null) {
			open();
		}
		try {
			out.write(request);
			out.flush();
			return read();
		}
		catch (IOException e) {
			close();
			throw e;
		}
	}

	/** Counts the cards in an answer the way {@link #send} does, for checking against a full parse. */
	static int cards(byte[] body, int length, Map<String, Integer> byRule) {
		int cards = 0;
		for (int at = indexOf(body, length, RULE_KEY, 0); at >= 0; at = indexOf(body, length, RULE_KEY, at)) {
			at += RULE_KEY.length;
			int end = at;
			while (end < length && body[end] != '"') {
				end++;
			}
			if (byRule != null) {
				byRule.merge(new String(body, at, end - at, StandardCharsets.UTF_8), 1, Integer::sum);
			}
			cards++;
			at = end;
		}
		return cards;
	}

	private void open() throws IOException {
		Socket opened = new Socket();
		try {
			opened.setTcpNoDelay(true);
			opened.connect(address, CONNECT_TIMEOUT_MILLIS);
			opened.setSoTimeout(READ_TIMEOUT_MILLIS);
			socket = opened;
			out = opened.getOutputStream();
			in = opened.getInputStream();
			readAt = 0;
			readEnd = 0;
		}
		catch (IOException e) {
			opened.close();
			throw e;
		}
	}

	private Response read() throws IOException {
		String statusLine = line();
		if (!statusLine.startsWith("HTTP/1.1 ") || statusLine.length() < 12) {
			throw new IOException("Not an HTTP/1.1 answer: " + statusLine);
		}
		int status = Integer.parseInt(statusLine.substring(9, 12));
		long contentLength = -1;
		boolean chunked = false;
		boolean closes = false;
		for (String header = line(); !header.isEmpty(); header = line()) {
			int colon = header.indexOf(':');
			String name = colon < 0 ? header : header.substring(0, colon).trim();
			String value = colon < 0 ? "" : header.substring(colon + 1).trim();
			if (name.equalsIgnoreCase("Content-Length")) {
				contentLength = Long.parseLong(value);
			}
			else if (name.equalsIgnoreCase("Transfer-Encoding")) {
				chunked = value.equalsIgnoreCase("chunked");
			}
			else if (name.equalsIgnoreCase("Connection")) {
				closes = value.equalsIgnoreCase("close");
			}
		}
		int length;
		if (chunked) {
			length = 0;
			for (int size = Integer.parseInt(chunkSize(line()), 16); size > 0; size = Integer.parseInt(chunkSize(line()), 16)) {
				length = readBody(length, size);
				line();
			}
			for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
				// Trailers carry nothing the count needs.
			}
		}
		else if (contentLength >= 0) {
			length = readBody(0, Math.toIntExact(contentLength));
		}
		else {
			throw new IOException("An answer with neither Content-Length nor chunked framing cannot be kept alive");
		}
		if (closes) {
			close();
		}
		return new Response(status, cards(body, length, null), body, length);
	}

	private static String chunkSize(String line) {
		int extension = line.indexOf(';');
		return (extension < 0 ? line : line.substring(0, extension)).trim();
	}

	/** Appends {@code count} body bytes after {@code length}; the new length. */
	private int readBody(int length, int count) throws IOException {
		if (length + count > body.length) {
			body = Arrays.copyOf(body, Math.max(length + count, body.length * 2));
		}
		int at = length;
		int end = length + count;
		while (at < end) {
			if (readAt == readEnd) {
				fill();
			}
			int n = Math.min(end - at, readEnd - readAt);
			System.arraycopy(readBuffer, readAt, body, at, n);
			readAt += n;
			at += n;
		}
		return end;
	}

	/** A CRLF-terminated line of the head, without its CRLF. */
	private String line() throws IOException {
		StringBuilder line = new StringBuilder();
		while (true) {
			if (readAt == readEnd) {
				fill();
			}
			byte b = readBuffer[readAt++];
			if (b == '\n') {
				int end = line.length();
				return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
			}
			line.append((char) (b & 0xff));
		}
	}

	private void fill() throws IOException {
		int n = in.read(readBuffer);
		if (n < 0) {
			throw new EOFException("The service closed the connection mid-answer");
		}
		readAt = 0;
		readEnd = n;
	}

	private static int indexOf(byte[] bytes, int length, byte[] pattern, int from) {
		byte first = pattern[0];
		for (int i = from; i <= length - pattern.length; i++) {
			if (bytes[i] != first) {
				continue;
			}
			int j = 1;
			while (j < pattern.length && bytes[i + j] == pattern[j]) {
				j++;
			}
			if (j == pattern.length) {
				return i;
			}
		}
		return -1;
	}

	@Override
	public void close() throws IOException {
		Socket closing = socket;
		socket = null;
		if (closing != null) {
			closing.close();
		}
	}
}
