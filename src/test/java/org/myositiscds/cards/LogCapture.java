package org.myositiscds.cards;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/** What CardAssembler logs while it is open: its repairs of cards that break the contract. */
public final class LogCapture implements AutoCloseable {

	private final Logger logger = (Logger) LoggerFactory.getLogger(CardAssembler.class);

	private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

	public LogCapture() {
		appender.start();
		logger.addAppender(appender);
	}

	public List<String> errors() {
		return messages(Level.ERROR);
	}

	public List<String> warnings() {
		return messages(Level.WARN);
	}

	/** Every warning and error: each is a repair the knowledge should not have needed. */
	public List<String> repairs() {
		return appender.list.stream()
			.filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
			.map(ILoggingEvent::getFormattedMessage)
			.toList();
	}

	private List<String> messages(Level level) {
		return appender.list.stream()
			.filter(event -> event.getLevel().equals(level))
			.map(ILoggingEvent::getFormattedMessage)
			.toList();
	}

	@Override
	public void close() {
		logger.detachAppender(appender);
	}
}
