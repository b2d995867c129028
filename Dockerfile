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

# Run: a JRE only, as a user without privileges. JDK 25's ahead-of-time cache (JEP 483, 514, 515)
# halves the start-up: classes come loaded and linked, and the hot methods come profiled
# (docs/performance.md). The jar is extracted because the cache needs plain jars on the class path.
# -Dspring.aot.enabled=true starts the context from the bean definitions the build generated for the
# production configuration (pom.xml's process-aot, no profile): no configuration classes parsed, no
# conditions evaluated at start ("Cold start (this session)"). The postgres profile runs with it too (it
# only sets the database's address); the demo profile does not (its FHIR server's beans are not there).
FROM eclipse-temurin:25-jre
RUN useradd --system --uid 10001 --home /app cds && mkdir -p /app/data && chown -R cds /app
WORKDIR /app
COPY --from=build /src/target/myositis-cds.jar /tmp/myositis-cds.jar
RUN java -Djarmode=tools -jar /tmp/myositis-cds.jar extract --destination /app/jar && rm /tmp/myositis-cds.jar
# Training run: the service starts as in production (knowledge loaded, every service's example
# evaluated by the warm-up, one sent through the HTTP port), is stopped once ready, and the JVM
# writes the cache as it exits (bin/training-run).
COPY bin/training-run /tmp/training-run
RUN /tmp/training-run 8081 java -Xmx224m -XX:+UseSerialGC -XX:TrimNativeHeapInterval=5000 \
      -XX:AOTCacheOutput=/app/myositis-cds.aot -Dspring.aot.enabled=true \
      -jar /app/jar/myositis-cds.jar --myositis-cds.feedback.data-dir=/tmp/training \
      --myositis-cds.public-base-url=http://localhost:8080 \
    && rm -rf /tmp/training /tmp/training-run
USER 10001
ENV MYOSITIS_CDS_FEEDBACK_DATA_DIR=/app/data
EXPOSE 8080
# A fixed heap, not a share of the container's memory: 224 MB of heap, the serial collector and the
# C heap trimmed every 5 s (memory the JVM freed, given back to the system) keep the process under
# 512 MB resident under load (docs/performance.md, "Memory"); the training run uses the same flags
# so that the cache applies.
ENTRYPOINT ["java", "-XX:AOTCache=/app/myositis-cds.aot", "-Dspring.aot.enabled=true", "-Xmx224m", "-XX:+UseSerialGC", "-XX:TrimNativeHeapInterval=5000", "-jar", "/app/jar/myositis-cds.jar"]
