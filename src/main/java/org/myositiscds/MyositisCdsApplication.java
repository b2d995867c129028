package org.myositiscds;

import org.myositiscds.authoring.AuthoringCommands;
import org.myositiscds.impact.ImpactCommand;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class MyositisCdsApplication {

	public static void main(String[] args) {
		if (args.length > 0 && AuthoringCommands.COMMANDS.contains(args[0])) {
			System.exit(AuthoringCommands.run(args, System.out, System.err));
		}
		if (args.length > 0 && ImpactCommand.NAME.equals(args[0])) {
			System.exit(ImpactCommand.run(args, System.out, System.err));
		}
		SpringApplication.run(MyositisCdsApplication.class, args);
	}
}
