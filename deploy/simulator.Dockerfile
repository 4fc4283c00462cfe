# Image of the provider simulator alone, for the compose stack (it is not in the relay's image).
# Build the app first: ./mvnw -B package -DskipTests (it writes target/mass-message-relay-<version>-simulator.jar)
FROM eclipse-temurin:17-jre-alpine
RUN addgroup -S sim && adduser -S -G sim -u 10002 sim
WORKDIR /sim
COPY --chown=10002:10002 target/quarkus-app/lib/main/ /sim/lib/
COPY --chown=10002:10002 target/mass-message-relay-*-simulator.jar /sim/simulator.jar
USER 10002
EXPOSE 8089
ENTRYPOINT ["java", "-cp", "/sim/lib/*:/sim/simulator.jar", "io.massmessage.simulator.SimulatorMain"]
