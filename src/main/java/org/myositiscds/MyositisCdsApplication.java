package org.myositiscds;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class MyositisCdsApplication {

	public static void main(String[] args) {
		SpringApplication.run(MyositisCdsApplication.class, args);
	}
}
