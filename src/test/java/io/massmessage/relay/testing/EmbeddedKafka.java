package io.massmessage.relay.testing;

import io.massmessage.devstack.KraftBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;

/**
 * A real Apache Kafka broker in KRaft mode (combined broker and controller, one node) inside this
 * JVM, from the Maven Central jars. Starts in a few seconds; data lives in a temporary folder.
 *
 * <p>Uses Kafka's internal server APIs ({@link KafkaRaftServer}, {@link Formatter}): recheck them
 * on every Kafka version bump. Every replication factor and min ISR is 1, or the group coordinator
 * waits forever for replicas that do not exist.
 */
public final class EmbeddedKafka implements TestBroker {

    /** Held so the levels stick: the broker logs every partition change at INFO. */
    private static final List<Logger> QUIET = Stream.of("kafka", "org.apache.kafka", "state.change.logger")
            .map(Logger::getLogger).toList();

    static {
        QUIET.forEach(logger -> logger.setLevel(Level.WARNING));
    }

    private final Path dataDir;
    private final int brokerPort;
    private final KafkaRaftServer server;
    private final Secured secured;

    private EmbeddedKafka(Path dataDir, int brokerPort, KafkaRaftServer server, Secured secured) {
        this.dataDir = dataDir;
        this.brokerPort = brokerPort;
        this.server = server;
        this.secured = secured;
    }

    /**
     * A SASL_SSL listener beside the plaintext one: its port, the truststore clients need (PKCS12, with the
     * certificate generated for this broker, valid for 127.0.0.1), that truststore's password, and one SCRAM-SHA-512
     * user with its password. Tests set up topics over the plaintext port and point the service at this one.
     */
    public record Secured(int port, Path truststore, String truststorePassword, String user, String password) {
        public String bootstrapServers() {
            return "127.0.0.1:" + port;
        }

        /** The client settings, as the environment variables the service documents, for {@code password}. */
        public Map<String, String> environment(String password) {
            return Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", bootstrapServers(),
                    "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                    "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                    "KAFKA_SASL_JAAS_CONFIG",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                            + user + "\" password=\"" + password + "\";",
                    "KAFKA_SSL_TRUSTSTORE_LOCATION", truststore.toString(),
                    "KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12",
                    "KAFKA_SSL_TRUSTSTORE_PASSWORD", truststorePassword);
        }
    }

    /**
     * Starts a fresh broker with a SASL_SSL listener too: a key pair and certificate generated now with the JDK's
     * keytool, SCRAM-SHA-512 for user {@code user}, whose credentials are set once the broker is up.
     */
    public static EmbeddedKafka startSecured(int partitions, String user, String password) {
        try {
            Path dir = Files.createTempDirectory("mmr-kafka-tls-");
            String storePassword = "store-" + Uuid.randomUuid();
            Path keystore = dir.resolve("broker.p12");
            Path certificate = dir.resolve("broker.crt");
            Path truststore = dir.resolve("truststore.p12");
            keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                    "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", storePassword, "-keypass",
                    storePassword);
            keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", keystore.toString(), "-storepass",
                    storePassword,
                    "-file", certificate.toString());
            keytool("-importcert", "-noprompt", "-alias", "broker", "-file", certificate.toString(),
                    "-keystore", truststore.toString(), "-storetype", "PKCS12", "-storepass", storePassword);
            int securedPort = freePort();
            Properties extra = new Properties();
            extra.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
            extra.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            extra.put("listener.name.sasl_ssl.ssl.keystore.location", keystore.toString());
            extra.put("listener.name.sasl_ssl.ssl.keystore.password", storePassword);
            extra.put("listener.name.sasl_ssl.ssl.key.password", storePassword);
            extra.put("listener.name.sasl_ssl.ssl.keystore.type", "PKCS12");
            Secured secured = new Secured(securedPort, truststore, storePassword, user, password);
            EmbeddedKafka kafka = start(dir, freePort(), partitions, secured, extra);
            try (Admin admin = kafka.admin()) {
                admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512,
                                8192),
                        password))).all().get(30, TimeUnit.SECONDS);
            }
            return kafka;
        } catch (Exception e) {
            throw new IllegalStateException("could not start the secured embedded Kafka broker", e);
        }
    }

    /** The SASL_SSL listener, or null if this broker has none. */
    public Secured secured() {
        return secured;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + out);
        }
    }

    /** Formats a fresh log directory and starts the broker; returns once it answers metadata requests. */
    public static EmbeddedKafka start(int partitions) {
        try {
            Path dir = Files.createTempDirectory("mmr-kafka-");
            return start(dir, freePort(), partitions);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a broker on {@code brokerPort} with data in {@code dataDir}, formatting it if it is new. */
    public static EmbeddedKafka start(Path dataDir, int brokerPort, int partitions) {
        return start(dataDir, brokerPort, partitions, null, new Properties());
    }

    /** Starts a broker on {@code brokerPort} and {@code controllerPort}, with data in {@code dataDir}: restartable as it was. */
    public static EmbeddedKafka start(Path dataDir, int brokerPort, int controllerPort, int partitions) {
        Properties extra = new Properties();
        extra.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        return start(dataDir, brokerPort, partitions, null, extra);
    }

    private static EmbeddedKafka start(Path dataDir, int brokerPort, int partitions, Secured secured,
            Properties extra) {
        try {
            int controllerPort = extra.containsKey("controller.quorum.voters")
                    ? Integer.parseInt(extra.getProperty("controller.quorum.voters").replaceAll(".*:", ""))
                    : freePort();
            Properties props = new Properties();
            if (secured != null) {
                String listener = ",SASL_SSL://127.0.0.1:" + secured.port();
                props.put("listeners",
                        "PLAINTEXT://127.0.0.1:" + brokerPort + listener + ",CONTROLLER://127.0.0.1:" + controllerPort);
                props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + listener);
            }
            props.putAll(extra);
            KafkaRaftServer server = KraftBroker.start(dataDir, brokerPort, controllerPort, partitions, props);
            EmbeddedKafka kafka = new EmbeddedKafka(dataDir, brokerPort, server, secured);
            kafka.awaitReady();
            return kafka;
        } catch (Exception e) {
            throw new IllegalStateException("could not start the embedded Kafka broker", e);
        }
    }

    @Override
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    public int port() {
        return brokerPort;
    }

    @Override
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    private void awaitReady() throws Exception {
        try (Admin admin = admin()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                }
            }
        }
    }

    /** Stops the broker, keeping its data. */
    public void stop() {
        server.shutdown();
        server.awaitShutdown();
    }

    /** Stops the broker and deletes its data. */
    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temporary folder is harmless
        }
    }

    /** A port nothing listens on now. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
