package io.massmessage.relay.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packaged application ({@code target/quarkus-app}) holds the Kafka client but none of the broker's jars,
 * which only the tests and {@code ./mvnw quarkus:dev} use ({@code provided} scope, {@code devstack.KraftBroker}).
 */
class PackagedApplicationIT {

    @Test
    void theBrokerOfTheTestsAndOfDevModeIsNotPackaged() throws Exception {
        Path lib = Path.of("target", "quarkus-app", "lib", "main");
        List<String> jars;
        try (Stream<Path> files = Files.list(lib)) {
            jars = files.map(file -> file.getFileName().toString()).toList();
        }
        assertThat(jars).as("the Kafka client is packaged").anyMatch(jar -> jar.startsWith("org.apache.kafka.kafka-clients-"));
        assertThat(jars).as("no broker jar is packaged").noneMatch(jar -> jar.startsWith("org.apache.kafka.kafka_2.13-")
                || jar.startsWith("org.apache.kafka.kafka-metadata-") || jar.startsWith("org.apache.kafka.kafka-server-")
                || jar.startsWith("org.apache.kafka.kafka-raft-") || jar.startsWith("org.scala-lang."));
    }
}
