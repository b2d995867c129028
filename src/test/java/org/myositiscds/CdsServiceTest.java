package org.myositiscds;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.annotation.AliasFor;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.TestPropertySource;

/**
 * The whole service on a random port, with a {@link CdsHooksClient} to inject that calls it over
 * HTTP and checks every answer against the CDS Hooks 2.0 contract.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@Import(CdsServiceTest.Client.class)
// The feedback store's H2 file and patient hash key go to target/, never ./data of the work tree.
@TestPropertySource(properties = "myositis-cds.feedback.data-dir=target/test-data")
public @interface CdsServiceTest {

	@AliasFor(annotation = SpringBootTest.class, attribute = "properties")
	String[] properties() default {};

	@TestConfiguration(proxyBeanMethods = false)
	class Client {

		@Bean
		@Lazy
		CdsHooksClient cdsHooksClient(@Value("${local.server.port}") int port) {
			return new CdsHooksClient(port);
		}
	}
}
