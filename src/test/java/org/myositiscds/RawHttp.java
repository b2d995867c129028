package org.myositiscds;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * HTTP/1.1 written by hand over a socket, for what {@link java.net.http.HttpClient} will not send:
 * a forged Host header, a body sent a byte at a time.
 */
public final class RawHttp {

	private RawHttp() {
	}

	public record Response(int status, String headers, String body) {

		public JsonNode json() {
			return TestJson.read(body);
		}
	}

	/** One request with {@code Connection: close}; the answer read to the end. */
	public static Response exchange(int port, String method, String path, Map<String, String> headers, String body)
			throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
			socket.setSoTimeout(30_000);
			byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
			StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
			headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
			if (!headers.containsKey("Host")) {
				head.append("Host: localhost:").append(port).append("\r\n");
			}
			head.append("Content-Length: ").append(content.length).append("\r\nConnection: close\r\n\r\n");
			OutputStream out = socket.getOutputStream();
			out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
			out.write(content);
			out.flush();
			return read(socket.getInputStream());
		}
	}

	public static Response read(InputStream in) throws IOException {
		byte[] all = in.readAllBytes();
		String latin = new String(all, StandardCharsets.ISO_8859_1);
		int end = latin.indexOf("\r\n\r\n");
		String head = end < 0 ? latin : latin.substring(0, end);
		byte[] body = end < 0 ? new byte[0] : java.util.Arrays.copyOfRange(all, end + 4, all.length);
		if (head.toLowerCase().contains("transfer-encoding: chunked")) {
			body = unchunk(body);
		}
		return new Response(Integer.parseInt(head.substring(9, 12)), head, new String(body, StandardCharsets.UTF_8));
	}

	private static byte[] unchunk(byte[] chunked) {
		java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
		String latin = new String(chunked, StandardCharsets.ISO_8859_1);
		int at = 0;
		while (at < latin.length()) {
			int lineEnd = latin.indexOf("\r\n", at);
			int size = Integer.parseInt(latin.substring(at, lineEnd).trim(), 16);
			if (size == 0) {
				break;
			}
			body.write(chunked, lineEnd + 2, size);
			at = lineEnd + 2 + size + 2;
		}
		return body.toByteArray();
	}
}
