package org.myositiscds.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.converter.HttpMessageNotWritableException;

/** Which failures to write an answer are service faults. */
class ErrorResponsesTests {

	private final ErrorResponses responses = new ErrorResponses();

	@Test
	void anAnswerThatCannotBeWrittenToAClosedConnectionIsNoFault() {
		var closed = new HttpMessageNotWritableException("Could not write JSON",
				new IOException("ServletOutputStream failed to write: the response has been closed"));
		assertThat(responses.notWritable(closed)).as("nothing to write to").isNull();
	}

	@Test
	void anAnswerThatCannotBeSerialisedIsStillAFault() {
		var unserialisable = new HttpMessageNotWritableException("Could not write JSON",
				new IllegalStateException("no serializer"));
		var answer = responses.notWritable(unserialisable);
		assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
		assertThat(answer.getBody().error()).isEqualTo("internal_error");
	}
}
