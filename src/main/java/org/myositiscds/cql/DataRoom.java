package org.myositiscds.cql;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The room in the heap that the calls under way share for the request data they work on: their
 * request bodies and the answers they fetch from the EHR's FHIR server. Parsing takes 15 to 25
 * times the bytes parsed, and cannot be stopped midway, so the bytes held at once are bounded
 * rather than the calls: a call takes room before it works on more (see {@link CallBudget}), all
 * it asks or nothing, and gives it back when its work ends.
 */
public final class DataRoom {

	private final long capacity;

	private final AtomicLong held = new AtomicLong();

	public DataRoom(long capacity) {
		this.capacity = capacity;
	}

	public long capacity() {
		return capacity;
	}

	/** The bytes the calls under way hold now. */
	public long held() {
		return held.get();
	}

	/** Takes the bytes if they fit beside those held, else nothing. */
	boolean tryTake(long bytes) {
		while (true) {
			long now = held.get();
			if (now + bytes > capacity) {
				return false;
			}
			if (held.compareAndSet(now, now + bytes)) {
				return true;
			}
		}
	}

	void give(long bytes) {
		held.addAndGet(-bytes);
	}
}
