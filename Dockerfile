# Build: the same command as CI, without the tests (CI runs them).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY cql cql
COPY fhir-resources fhir-resources
COPY hooks hooks
COPY src src
RUN mvn -B -q -DskipTests package

# Run: a JRE only, as a user without privileges.
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home /app cds && mkdir -p /app/data && chown -R cds /app
WORKDIR /app
COPY --from=build /src/target/myositis-cds.jar app.jar
USER 10001
ENV MYOSITIS_CDS_FEEDBACK_DATA_DIR=/app/data
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/app.jar"]
