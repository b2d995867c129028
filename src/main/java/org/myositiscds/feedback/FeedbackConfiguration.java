package org.myositiscds.feedback;

import java.nio.file.Path;
import java.time.Clock;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.StringUtils;
import tools.jackson.databind.json.JsonMapper;

/**
 * The feedback store: its database, the card recorder the hook path reports to, and the parts
 * behind the feedback endpoint. The schema is Flyway's ({@code db/migration}), run at start.
 */
@Configuration(proxyBeanMethods = false)
class FeedbackConfiguration {

	/**
	 * {@code spring.datasource.url} when set (PostgreSQL in production); else an H2 file database
	 * in the data directory. WRITE_DELAY=0 makes H2 write each commit to the file before the commit
	 * returns (its default keeps commits in memory for up to half a second, which a crash would
	 * lose). DB_CLOSE_ON_EXIT=FALSE leaves closing to Spring, after the card recorder has written out.
	 */
	@Bean
	@ConfigurationProperties("spring.datasource.hikari")
	HikariDataSource dataSource(DataSourceProperties properties, FeedbackProperties feedback) {
		DataDirectory.secure(feedback.dataDir());
		String url = StringUtils.hasText(properties.getUrl()) ? properties.getUrl() : h2Url(feedback.dataDir());
		return properties.initializeDataSourceBuilder().type(HikariDataSource.class).url(url).build();
	}

	static String h2Url(Path dataDir) {
		return "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("feedback")
				+ ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
	}

	/** Once Flyway has created the database file: 0600 like the rest of the data directory. */
	@Bean
	SmartInitializingSingleton dataDirectoryPermissions(FeedbackProperties feedback) {
		return () -> DataDirectory.secure(feedback.dataDir());
	}

	@Bean
	PatientHasher patientHasher(FeedbackProperties properties) {
		DataDirectory.secure(properties.dataDir());
		return PatientHasher.fromConfiguration(properties.patientHashKey(), properties.dataDir());
	}

	/** Boot's JdbcTemplate, because it is made after Flyway has migrated the schema. */
	@Bean
	FeedbackStore feedbackStore(JdbcTemplate jdbcTemplate, PlatformTransactionManager transactionManager) {
		return new FeedbackStore(jdbcTemplate, new TransactionTemplate(transactionManager));
	}

	@Bean
	FeedbackReport feedbackReport(JdbcClient jdbcClient) {
		return new FeedbackReport(jdbcClient);
	}

	@Bean
	FeedbackParser feedbackParser(JsonMapper jsonMapper, Clock clock) {
		return new FeedbackParser(jsonMapper, clock);
	}

	@Bean
	RememberedOverrides rememberedOverrides(JdbcClient jdbcClient, PatientHasher hasher) {
		return new RememberedOverrides(jdbcClient, hasher);
	}

	/** Closed by Spring before the data source, so the cards still queued are written. */
	@Bean(destroyMethod = "close")
	CardRecorder cardRecorder(FeedbackProperties properties, PatientHasher hasher, FeedbackStore store) {
		return new CardRecorder(properties.cardQueueCapacity(), hasher, store::recordCards);
	}
}
