# Tidegate in a container: docker build -t tidegate . && docker run -p 9091:9091 -p 1883:1883 tidegate
# (docker-compose.yml runs it with Mosquitto, Prometheus and Grafana.)

# Build stage: the same command as on a workstation, so target/tidegate.jar is the jar the tests check.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
# The dependencies first, in a layer of their own that only a change to pom.xml rebuilds.
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
COPY bin ./bin
COPY build ./build
RUN mvn -B -q package -DskipTests

# Runtime stage: a Java 17 runtime and the jar, nothing else (no Maven, no JDK, no curl).
FROM eclipse-temurin:17-jre
RUN groupadd --system tidegate \
    && useradd --system --gid tidegate --home-dir /data --no-create-home --shell /usr/sbin/nologin tidegate \
    && mkdir /data && chown tidegate:tidegate /data
COPY --from=build /build/target/tidegate.jar /app/tidegate.jar
COPY --from=build /build/bin/tidegate /app/tidegate
# The launcher records the JVM's class archive for this jar and this Java once, here, beside the jar
# (/app/tidegate.jsa): every start of the container then maps it (see README, "Performance").
RUN /app/tidegate --version
USER tidegate
WORKDIR /data
# --persistence.file lives here: groups, deadlines and the MQTT retained-message memory survive a restart.
VOLUME /data
# HTTP API and /metrics; the embedded MQTT broker (used when no --mqtt.url is given).
EXPOSE 9091 1883
# The jar checks itself (GET /-/healthy), so the image needs no HTTP client. With another
# --web.listen-address or a route prefix, override it: healthcheck --url=http://localhost:PORT/PREFIX
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", "-jar", "/app/tidegate.jar", "healthcheck"]
# The launcher: the class archive, the serial collector and a heap that grows with what is stored
# (README, "Running it"); JAVA_OPTS adds JVM options.
ENTRYPOINT ["/app/tidegate"]
CMD ["--persistence.file=/data/tidegate.db"]
