package org.myositiscds.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.myositiscds.PatientScenario.patient;
import static org.myositiscds.PatientScenario.rituximabOrder;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.myositiscds.CdsHooksClient;
import org.myositiscds.CdsServiceTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Slow clients cannot starve the service: 200 connections that each declare a 100 kB body and send
 * one byte a second (loopback only, for a bounded time) hold no thread, a normal call is answered
 * within 2 s meanwhile, and each slow body gets 408 once the body time limit has passed.
 */
@CdsServiceTest(properties = "myositis-cds.http.body-timeout=8s")
class SlowClientsTests {

	static final String SIGN = "hbv-screening-order-sign";

	static final int SLOW_CONNECTIONS = 200;

	@Autowired
	CdsHooksClient client;

	@LocalServerPort
	int port;

	@Test
	void aNormalCallIsAnsweredWithinTwoSecondsWhile200SlowBodiesAreOpen() throws Exception {
		String valid = patient("slow-neighbours").draft(rituximabOrder("rtx-1")).orderSign(SIGN);
		assertThat(client.call(SIGN, valid).status()).as("warm").isEqualTo(200);
		List<Socket> slow = new ArrayList<>();
		Socket quiet = new Socket();
		try {
			quiet.connect(new InetSocketAddress("127.0.0.1", port), 5000);
			quiet.setSoTimeout(20_000);
			quiet.getOutputStream().write(("POST /cds-services/" + SIGN + " HTTP/1.1\r\nHost: localhost\r\n"
					+ "Content-Type: application/json\r\nContent-Length: 102400\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
			for (int i = 0; i < SLOW_CONNECTIONS; i++) {
				Socket socket = new Socket();
				socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
				socket.setSoTimeout(20_000);
				socket.getOutputStream().write(("POST /cds-services/" + SIGN + " HTTP/1.1\r\nHost: localhost\r\n"
						+ "Content-Type: application/json\r\nContent-Length: 102400\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
				slow.add(socket);
			}
			List<Long> millis = new ArrayList<>();
			for (int second = 0; second < 4; second++) {
				Thread.sleep(1000);
				trickle(slow);
				long start = System.nanoTime();
				CdsHooksClient.Answer answer = client.call(SIGN, valid);
				long elapsed = (System.nanoTime() - start) / 1_000_000;
				assertThat(answer.status()).isEqualTo(200);
				assertThat(client.discovery().status()).isEqualTo(200);
				millis.add(elapsed);
			}
			System.out.println("Normal calls while " + SLOW_CONNECTIONS + " slow bodies were open, ms: " + millis);
			assertThat(millis).allMatch(elapsed -> elapsed < 2000);

			byte[] answer = quiet.getInputStream().readNBytes(12);
			assertThat(new String(answer, StandardCharsets.US_ASCII)).as("a body not sent within the limit")
				.isEqualTo("HTTP/1.1 408");
		}
		finally {
			quiet.close();
			for (Socket socket : slow) {
				socket.close();
			}
		}
	}

	/** One more byte of each slow body. */
	private static void trickle(List<Socket> sockets) throws IOException {
		for (Socket socket : sockets) {
			OutputStream out = socket.getOutputStream();
			out.write(' ');
			out.flush();
		}
	}
}
