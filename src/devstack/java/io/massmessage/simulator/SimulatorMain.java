package io.massmessage.simulator;

import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Locale;

/**
 * Runs the provider simulator on its own, e.g. in the compose stack of {@code deploy/}:
 * {@code java -cp 'target/quarkus-app/lib/main/*:target/mass-message-relay-0.1.0-SNAPSHOT-simulator.jar'
 * io.massmessage.simulator.SimulatorMain} (what {@code deploy/simulator.Dockerfile} runs).
 * Environment: {@code SIM_PORT} (8089), {@code SIM_LATENCY} ({@code fixed:0}, {@code uniform:100-500},
 * {@code lognormal:200,0.5}), {@code SIM_SERVER_ERROR_RATE}, {@code SIM_RESET_RATE}, {@code SIM_HANG_RATE},
 * {@code SIM_KEY_<PROVIDER>} (the key each provider accepts). Everything can change later through
 * {@code PUT /_sim/settings}.
 */
public final class SimulatorMain {

    private SimulatorMain() {}

    public static void main(String[] args) {
        SimulatorSettings settings = new SimulatorSettings();
        settings.latency = Latency.parse(env("SIM_LATENCY", "fixed:0"));
        settings.serverErrorRate = Double.parseDouble(env("SIM_SERVER_ERROR_RATE", "0"));
        settings.resetRate = Double.parseDouble(env("SIM_RESET_RATE", "0"));
        settings.hangRate = Double.parseDouble(env("SIM_HANG_RATE", "0"));
        for (String provider : settings.apiKeys.keySet()) {
            String key = System.getenv("SIM_KEY_" + provider.toUpperCase(Locale.ROOT));
            if (key != null && !key.isBlank()) {
                settings.apiKeys.put(provider, key);
            }
        }
        Vertx vertx = Vertx.vertx();
        ProviderSimulator simulator = ProviderSimulator.start(vertx, Integer.parseInt(env("SIM_PORT", "8089")),
                settings, Clock.systemUTC(), env("SIM_HOST", "0.0.0.0"));
        System.out.println(
                "provider simulator listening on port " + simulator.port() + " (latency " + settings.latency + ")");
        // Vert.x's event-loop threads keep the JVM alive; the hook closes the server on SIGTERM or Ctrl-C.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulator.close();
            vertx.close();
        }));
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
