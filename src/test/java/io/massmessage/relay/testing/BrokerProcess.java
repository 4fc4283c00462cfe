package io.massmessage.relay.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The embedded KRaft broker in a process of its own, so the fault suite can stop it hard (SIGKILL) or cleanly
 * (SIGTERM: a controlled shutdown) and start it again on the same log directory and ports, as an operator's
 * broker goes away and comes back. {@link #main} is the process; the static methods drive it from a test.
 */
public final class BrokerProcess implements TestBroker {

    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private final Path log;
    private Process process;
    private int starts;

    private BrokerProcess(Path dataDir, int port, int controllerPort, Path log) {
        this.dataDir = dataDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.log = log;
    }

    /** The broker process: {@code <data dir> <port> <controller port> <partitions>}; runs until it is stopped. */
    public static void main(String[] args) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(Path.of(args[0]), Integer.parseInt(args[1]),
                Integer.parseInt(args[2]),
                Integer.parseInt(args[3]));
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::stop, "broker-shutdown"));
        System.out.println("broker ready on " + kafka.bootstrapServers());
        Thread.currentThread().join();
    }

    /** Starts a broker with a fresh log directory (logs under {@code logDirectory}); returns once it answers. */
    public static BrokerProcess start(Path logDirectory) throws IOException {
        Path data = Files.createTempDirectory("mmr-broker-");
        BrokerProcess broker = new BrokerProcess(data, EmbeddedKafka.freePort(), EmbeddedKafka.freePort(),
                logDirectory.resolve("broker.log"));
        broker.restart();
        return broker;
    }

    /** Starts the broker again on the same log directory and ports; returns once it answers metadata requests. */
    public void restart() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the broker is running");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"), BrokerProcess.class.getName(),
                dataDir.toString(), String.valueOf(port), String.valueOf(controllerPort), "4"));
        starts++;
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        awaitReady(Duration.ofSeconds(60));
    }

    private void awaitReady(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        throw new IllegalStateException("the broker did not start; see " + log, e);
                    }
                }
            }
        }
    }

    /** Kills the broker (SIGKILL): no controlled shutdown, no flush. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Stops the broker cleanly (SIGTERM: a controlled shutdown) and waits for it. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            kill();
        }
    }

    @Override
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** How many times the broker was started. */
    public int starts() {
        return starts;
    }

    @Override
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
