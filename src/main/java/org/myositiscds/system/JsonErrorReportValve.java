package org.myositiscds.system;

import java.io.IOException;
import java.io.Writer;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Tomcat answers some malformed requests itself, before Spring sees them (an encoded slash in the
 * path, a bad header). This valve makes those answers JSON like all others, with no server
 * details and no stack trace.
 */
public final class JsonErrorReportValve extends ErrorReportValve {

	@Override
	protected void report(Request request, Response response, Throwable throwable) {
		int status = response.getStatus();
		if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
			return;
		}
		try {
			response.setContentType("application/json");
			response.setCharacterEncoding("UTF-8");
			Writer writer = response.getReporter();
			if (writer != null) {
				writer.write("{\"error\":\"" + (status < 500 ? "bad_request" : "internal_error")
						+ "\",\"message\":\"The server could not process this request (HTTP " + status + ")\"}");
				writer.flush();
			}
		}
		catch (IOException | IllegalStateException e) {
			// The client is gone or the response is already committed: nothing more to say.
		}
	}
}
