package io.massmessage.relay.testing;

import io.massmessage.simulator.ProviderSimulator;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The packaged service ({@code target/quarkus-app/quarkus-run.jar}) run as a separate process. */
public final class ServiceProcess implements AutoCloseable {

    private final Process process;

    private ServiceProcess(Process process) {
        this.process = process;
    }

    /** Properties that point the service at {@code bootstrapServers} and at the simulator for all three providers. */
    public static Map<String, String> against(String bootstrapServers, ProviderSimulator simulator) {
        Map<String, String> props = new HashMap<>();
        props.put("kafka.bootstrap.servers", bootstrapServers);
        for (String provider : List.of("onlyfansapi", "fansmetric", "fansly")) {
            props.put("providers." + provider + ".base-url", simulator.baseUrl());
            props.put("providers." + provider + ".api-key", simulator.settings().apiKeys.get(provider));
        }
        return props;
    }

    /**
     * Sets each provider's configured budget to what the simulator grants, for a test that is not about budgets:
     * until a key's first answer reports its limits, the configured ones are all the relay knows, and a start on a
     * backlog refuses at once what would wait past {@code relay.rate-limit.max-wait} at them.
     */
    public static Map<String, String> withSimulatorBudgets(Map<String, String> props, ProviderSimulator simulator) {
        simulator.settings().perMinute.forEach(
                (provider, perMinute) -> props.put("providers." + provider + ".requests-per-minute",
                        perMinute.toString()));
        simulator.settings().perDay.forEach(
                (provider, perDay) -> props.put("providers." + provider + ".requests-per-day", perDay.toString()));
        return props;
    }

    /** The shipped JVM options, {@code deploy/jvm.options} (which the image starts the service with). */
    public static List<String> shippedJvmOptions() {
        try {
            return Files.readAllLines(Path.of("deploy", "jvm.options")).stream().map(String::trim)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts the packaged service with the shipped JVM options, then {@code jvmOptions}, and
     * {@code properties} as system properties; its output goes to {@code log}.
     */
    public static ServiceProcess start(Map<String, String> properties, Path log, String... jvmOptions)
            throws IOException {
        return start(properties, Map.of(), log, jvmOptions);
    }

    /** As {@link #start(Map, Path, String...)}, with {@code environment} added to the process's environment. */
    public static ServiceProcess start(Map<String, String> properties, Map<String, String> environment, Path log,
            String... jvmOptions) throws IOException {
        File jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toFile();
        if (!jar.isFile()) {
            throw new IllegalStateException(
                    jar + " is missing: package the service first (./mvnw verify runs this test after packaging)");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(shippedJvmOptions());
        command.addAll(List.of(jvmOptions));
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(jar.getPath());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        builder.environment().putAll(environment);
        Process process = builder.start();
        return new ServiceProcess(process);
    }

    /** Kills the process at once (SIGKILL): no shutdown hooks, no final commit. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Asks the process to stop (SIGTERM) and waits for it. */
    public int stop() throws InterruptedException {
        process.destroy();
        return process.waitFor();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
