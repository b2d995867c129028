package org.myositiscds.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The browser support's own checks can fail: a page wider than a phone is seen as one. */
class HeadlessChromiumTests {

	@RegisterExtension
	static final HeadlessChromium browser = new HeadlessChromium();

	private static final String PAGE = "data:text/html,<!doctype html><meta name=viewport"
			+ " content='width=device-width'><body style='margin:0'><div style='width:%dpx;height:2000px'>x</div>";

	@Test
	void aPageWiderThanThePhoneNeedsHorizontalScrolling() {
		browser.open(PAGE.formatted(600), 390);
		assertThat(browser.script("return window.innerWidth;")).isEqualTo(390L);
		assertThat(browser.needsHorizontalScrolling()).isTrue();
	}

	@Test
	void aPageThatFitsDoesNot() throws Exception {
		browser.open(PAGE.formatted(300), 390);
		assertThat(browser.needsHorizontalScrolling()).isFalse();
		Path shot = browser.screenshot("headless-chromium-self-test");
		assertThat(Files.size(shot)).isPositive();
		// The whole page, not only the 900 px on screen: PNG height is bytes 20-23 of the header.
		byte[] png = Files.readAllBytes(shot);
		int height = ((png[20] & 0xff) << 24) | ((png[21] & 0xff) << 16) | ((png[22] & 0xff) << 8) | (png[23] & 0xff);
		assertThat(height).isEqualTo(2000);
	}
}
