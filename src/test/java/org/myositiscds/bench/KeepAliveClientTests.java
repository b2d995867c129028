package org.myositiscds.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/**
 * The closed loop's client: answers framed by length or in chunks are read whole, the connection
 * is kept between requests and opened again after the server closes it, and the cards it counts
 * by scanning are the cards in the body.
 */
class KeepAliveClientTests {

	private static final String TWO_CARDS = "{\"cards\":[{\"summary\":\"a\",\"extension\":{\"myositis-cds.rule\":\"RTX-6\"}},"
			+ "{\"summary\":\"b\",\"extension\":{\"myositis-cds.rule\":\"HBV-1\"}}]}";

	@Test
	void answersByLengthAndInChunksAreReadWholeOnOneConnection() throws Exception {
		String chunked = "HTTP/1.1 200 \r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
				+ "1a;name=value\r\n" + TWO_CARDS.substring(0, 26) + "\r\n" + Integer.toHexString(TWO_CARDS.length() - 26)
				+ "\r\n" + TWO_CARDS.substring(26) + "\r\n0\r\n\r\n";
		try (Server server = new Server(List.of(byLength(200, TWO_CARDS, ""), chunked, byLength(400, "{\"error\":\"x\"}", "")))) {
			byte[] request = KeepAliveClient.post(server.uri(), "{\"hook\":\"order-sign\"}".getBytes(StandardCharsets.UTF_8));
			try (KeepAliveClient client = new KeepAliveClient(server.uri())) {
				KeepAliveClient.Response first = client.send(request);
				assertThat(first.status()).isEqualTo(200);
				assertThat(first.cards()).isEqualTo(2);
				assertThat(new String(first.body(), 0, first.length(), StandardCharsets.UTF_8)).isEqualTo(TWO_CARDS);
				KeepAliveClient.Response second = client.send(request);
				assertThat(second.cards()).isEqualTo(2);
				assertThat(new String(second.body(), 0, second.length(), StandardCharsets.UTF_8)).isEqualTo(TWO_CARDS);
				KeepAliveClient.Response third = client.send(request);
				assertThat(third.status()).isEqualTo(400);
				assertThat(third.cards()).isZero();
			}
			assertThat(server.connections.get()).isEqualTo(1);
			assertThat(server.requests).hasSize(3).allSatisfy(received -> assertThat(received)
				.startsWith("POST /cds-services/x HTTP/1.1\r\n")
				.contains("Content-Length: 21\r\n")
				.endsWith("\r\n\r\n{\"hook\":\"order-sign\"}"));
		}
	}

	@Test
	void aConnectionTheServerClosesIsOpenedAgainForTheNextRequest() throws Exception {
		try (Server server = new Server(List.of(byLength(200, TWO_CARDS, "Connection: close\r\n"), byLength(200, "{\"cards\":[]}", "")))) {
			byte[] request = KeepAliveClient.post(server.uri(), new byte[0]);
			try (KeepAliveClient client = new KeepAliveClient(server.uri())) {
				assertThat(client.send(request).cards()).isEqualTo(2);
				assertThat(client.send(request).cards()).isZero();
			}
			assertThat(server.connections.get()).isEqualTo(2);
		}
	}

	@Test
	void anAnswerCutShortIsAnError() throws Exception {
		try (Server server = new Server(List.of("HTTP/1.1 200 \r\nContent-Length: 100\r\n\r\n{\"cards\":["))) {
			try (KeepAliveClient client = new KeepAliveClient(server.uri())) {
				assertThatThrownBy(() -> client.send(KeepAliveClient.post(server.uri(), new byte[0])))
					.isInstanceOf(IOException.class);
			}
		}
	}

	@Test
	void theScanCountsCardsByRule() {
		byte[] body = TWO_CARDS.getBytes(StandardCharsets.UTF_8);
		Map<String, Integer> byRule = new TreeMap<>();
		assertThat(KeepAliveClient.cards(body, body.length, byRule)).isEqualTo(2);
		assertThat(byRule).containsExactly(Map.entry("HBV-1", 1), Map.entry("RTX-6", 1));
		assertThat(KeepAliveClient.cards(body, 40, null)).as("only the body's first bytes count").isZero();
	}

	private static String byLength(int status, String body, String headers) {
		return "HTTP/1.1 " + status + " \r\nContent-Type: application/json\r\n" + headers + "Content-Length: "
				+ body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
	}

	/**
	 * Answers each request, in order, with the next scripted answer; after an answer that says
	 * Connection: close, or at the end of the script, it closes the connection.
	 */
	private static final class Server implements AutoCloseable {

		final AtomicInteger connections = new AtomicInteger();

		final List<String> requests = new CopyOnWriteArrayList<>();

		private final ServerSocket socket;

		private final Thread thread;

		Server(List<String> answers) throws IOException {
			socket = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
			List<String> script = new ArrayList<>(answers);
			thread = new Thread(() -> {
				try {
					while (!script.isEmpty()) {
						try (Socket connection = socket.accept()) {
							connections.incrementAndGet();
							InputStream in = connection.getInputStream();
							OutputStream out = connection.getOutputStream();
							boolean open = true;
							while (open && !script.isEmpty()) {
								requests.add(readRequest(in));
								String answer = script.remove(0);
								out.write(answer.getBytes(StandardCharsets.UTF_8));
								out.flush();
								open = !answer.contains("Connection: close");
							}
						}
					}
				}
				catch (IOException closed) {
					// The test is over.
				}
			});
			thread.start();
		}

		URI uri() {
			return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/cds-services/x");
		}

		private static String readRequest(InputStream in) throws IOException {
			ByteArrayOutputStream head = new ByteArrayOutputStream();
			while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
				int b = in.read();
				if (b < 0) {
					throw new IOException("closed");
				}
				head.write(b);
			}
			String text = head.toString(StandardCharsets.ISO_8859_1);
			int at = text.indexOf("Content-Length: ") + "Content-Length: ".length();
			int length = Integer.parseInt(text.substring(at, text.indexOf("\r\n", at)));
			return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
		}

		@Override
		public void close() throws Exception {
			socket.close();
			thread.join(5000);
		}
	}
}
