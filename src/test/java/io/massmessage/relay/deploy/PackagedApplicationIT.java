package io.massmessage.relay.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.massmessage.relay.testing.HttpProbe;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packaged application ({@code target/quarkus-app}) holds the relay and the Kafka client, and nothing of the
 * development stack: no broker jar ({@code provided} scope), no class of {@code src/devstack/java} (the provider
 * simulator, the in-JVM broker, the dev-mode stack). The simulator ships as its own jar, which runs on the packaged
 * libraries (as {@code deploy/simulator.Dockerfile} runs it).
 */
class PackagedApplicationIT {

    private static final Path APP = Path.of("target", "quarkus-app");

    @Test
    void theBrokerOfTheTestsAndOfDevModeIsNotPackaged() throws Exception {
        List<String> jars;
        try (Stream<Path> files = Files.list(APP.resolve("lib").resolve("main"))) {
            jars = files.map(file -> file.getFileName().toString()).toList();
        }
        assertThat(jars).as("the Kafka client is packaged")
                .anyMatch(jar -> jar.startsWith("org.apache.kafka.kafka-clients-"));
        assertThat(jars).as("no broker jar is packaged").noneMatch(jar -> jar.startsWith("org.apache.kafka.kafka_2.13-")
                || jar.startsWith("org.apache.kafka.kafka-metadata-")
                || jar.startsWith("org.apache.kafka.kafka-server-")
                || jar.startsWith("org.apache.kafka.kafka-raft-") || jar.startsWith("org.scala-lang."));
    }

    @Test
    void thePackagedApplicationHoldsNoSimulatorOrDevStackClass() throws Exception {
        List<String> relayClasses = new ArrayList<>();
        List<String> devClasses = new ArrayList<>();
        try (Stream<Path> files = Files.walk(APP)) {
            for (Path jar : files.filter(file -> file.toString().endsWith(".jar")).toList()) {
                try (JarFile contents = new JarFile(jar.toFile())) {
                    contents.stream().map(entry -> entry.getName()).forEach(name -> {
                        if (name.startsWith("io/massmessage/relay/") && name.endsWith(".class")) {
                            relayClasses.add(name);
                        } else if (name.startsWith("io/massmessage/simulator/")
                                || name.startsWith("io/massmessage/devstack/")) {
                            devClasses.add(jar.getFileName() + "!" + name);
                        }
                    });
                }
            }
        }
        assertThat(relayClasses).as("the relay itself is packaged")
                .contains("io/massmessage/relay/flow/RelayPipeline.class");
        assertThat(devClasses).as("simulator and dev-stack classes in target/quarkus-app").isEmpty();
    }

    @Test
    void theSimulatorJarRunsOnThePackagedLibraries() throws Exception {
        Path simulatorJar;
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            simulatorJar = files.filter(file -> file.getFileName().toString().endsWith("-simulator.jar")).findFirst()
                    .orElseThrow();
        }
        int port = freePort();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", APP.resolve("lib").resolve("main") + "/*" + File.pathSeparator + simulatorJar,
                "io.massmessage.simulator.SimulatorMain")
                .redirectErrorStream(true)
                .redirectOutput(Path.of("target", "simulator-jar.log").toFile());
        builder.environment().put("SIM_PORT", Integer.toString(port));
        builder.environment().put("SIM_HOST", "127.0.0.1");
        Process simulator = builder.start();
        try {
            assertThat(HttpProbe.await(port, "/_sim/counters", 200, Duration.ofSeconds(30)))
                    .as("the simulator answers its admin API; its log is target/simulator-jar.log").isTrue();
            assertThat(HttpProbe.body(port, "/_sim/counters")).contains("\"total\"");
        } finally {
            simulator.destroyForcibly().waitFor();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
