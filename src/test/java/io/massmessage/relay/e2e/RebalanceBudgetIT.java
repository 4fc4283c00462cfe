package io.massmessage.relay.e2e;

import static io.massmessage.relay.testing.Commands.command;
import static io.massmessage.relay.testing.Commands.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.massmessage.relay.testing.KafkaTestClient;
import io.massmessage.relay.testing.OutcomeRecords;
import io.massmessage.relay.testing.ProcessStack;
import io.massmessage.relay.testing.ServiceProcess;
import io.massmessage.relay.testing.Topics;
import io.massmessage.simulator.Latency;
import io.massmessage.simulator.ProviderSimulator;
import io.massmessage.simulator.SimulatorSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Budgets move with partitions: four budget-bound Fansly keys, a backlog, one replica; a second
 * replica joins (a rebalance moves partitions to it), then the first leaves (SIGTERM). No key ever
 * goes over its rate in any 10-second window, the provider answers no 429, and every command ends
 * with an outcome.
 */
class RebalanceBudgetIT {

    private static final int KEYS = 4;
    private static final long PER_MINUTE = 3_000; // 50 a second per key
    private static final int PER_KEY = 1_200;
    /** relay.rate-limit.headroom's default. */
    private static final double HEADROOM = 0.01;

    private record Sample(long nanos, Map<String, Long> counts) {}

    @Test
    void aMovedBudgetIsNeverExceeded() throws Exception {
        SimulatorSettings settings = new SimulatorSettings();
        settings.latency = new Latency.Uniform(20, 60);
        settings.perMinute.put("fansly", PER_MINUTE);
        try (ProcessStack stack = ProcessStack.start(settings, "rebalance-test")) {
            ProviderSimulator simulator = stack.simulator();
            KafkaTestClient client = stack.client();
            Path logs = stack.logs();
            Map<String, String> props = stack.serviceProperties();
            props.put("providers.fansly.requests-per-minute", String.valueOf(PER_MINUTE));
            props.put("relay.rate-limit.max-wait", "600s");
            List<Map.Entry<String, String>> records = new ArrayList<>();
            for (int k = 0; k < KEYS; k++) {
                settings.extraKeys.add("rebalance-key-" + k);
                props.put("providers.fansly.accounts.fyr" + k + ".api-key", "rebalance-key-" + k);
            }
            for (int i = 0; i < PER_KEY * KEYS; i++) {
                String account = "fyr" + (i % KEYS);
                records.add(Map.entry(key("fansly", account),
                        command("rb-" + i, "fansly", account, "m" + (i % 400), "{\"text\":\"x\"}")));
            }
            client.sendAll(Topics.COMMANDS, records);

            // the provider's per-account counts, sampled each second on a thread of their own
            List<Sample> samples = new CopyOnWriteArrayList<>();
            var sampler = Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleAtFixedRate(
                    () -> samples.add(new Sample(System.nanoTime(), simulator.counters().byAccount())),
                    0, 1, TimeUnit.SECONDS);
            long start = System.nanoTime();
            String answeredByFirst;
            try (ServiceProcess first = ServiceProcess.start(props, logs.resolve("replica-1.log"))) {
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(8));
                answeredByFirst = OutcomeRecords.commandIds(client).get(0); // before any partition moved
                try (ServiceProcess second = ServiceProcess.start(props, logs.resolve("replica-2.log"))) {
                    // the second replica joins: a rebalance moves partitions, and their budgets, to it
                    LockSupport.parkNanos(start + TimeUnit.SECONDS.toNanos(20) - System.nanoTime());
                    first.stop(); // the rest move to the second replica
                    Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                            .until(() -> OutcomeRecords.distinctCommandIds(client).size() >= PER_KEY * KEYS);
                    // the CRM sends a command again that the first replica answered before the moves: its id is
                    // known to the second, which owns every partition now, so it is answered, not sent
                    int index = Integer.parseInt(answeredByFirst.substring("rb-".length()));
                    String account = "fyr" + (index % KEYS);
                    client.send(Topics.COMMANDS, key("fansly", account), command(answeredByFirst, "fansly", account,
                            "m" + (index % 400), "{\"text\":\"sent again\"}"));
                    // and a retry older than what the first replica applied to that message: superseded (stale guard)
                    client.send(Topics.COMMANDS, key("fansly", account), "{\"commandId\":\"rb-stale\",\"provider\":"
                            + "\"fansly\",\"account\":\"" + account + "\",\"messageId\":\"m" + (index % 400)
                            + "\",\"issuedAt\":\"2026-11-22T09:00:00Z\",\"update\":{\"text\":\"stale\"}}");
                    Awaitility.await().atMost(Duration.ofSeconds(60))
                            .until(() -> OutcomeRecords.commandIds(client).stream()
                                    .filter(answeredByFirst::equals).count() >= 2
                                    && OutcomeRecords.commandIds(client).contains("rb-stale"));
                    second.stop();
                }
            } finally {
                sampler.shutdownNow();
            }
            int seconds = (int) TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            List<Map<String, Long>> perSecond = samples.stream().map(Sample::counts).toList();
            long fansly429 = simulator.counters().byProviderStatus().getOrDefault("fansly 429", 0L);
            List<String> all = OutcomeRecords.commandIds(client);
            int worst = 0;
            for (int k = 0; k < KEYS; k++) {
                String account = "fansly:fyr" + k;
                StringBuilder series = new StringBuilder(account + " per second:");
                for (int i = 1; i < perSecond.size(); i++) {
                    series.append(' ').append(perSecond.get(i).getOrDefault(account, 0L)
                            - perSecond.get(i - 1).getOrDefault(account, 0L));
                }
                System.out.println(series);
                for (int from = 0; from + 10 < samples.size(); from++) {
                    long sent = samples.get(from + 10).counts().getOrDefault(account, 0L)
                            - samples.get(from).counts().getOrDefault(account, 0L);
                    double elapsed = (samples.get(from + 10).nanos() - samples.get(from).nanos()) / 1e9;
                    // normalised to exactly 10 s, so a late sample cannot pass for a burst
                    worst = (int) Math.max(worst, Math.round(sent * 10 / Math.max(elapsed, 10.0)));
                }
            }
            System.out.printf("rebalance test: %d commands, %d s, %d outcome events (%d distinct), %d provider calls, "
                    + "most sends of one key in 10 s: %d (budget %d), 429s: %d%n", PER_KEY * KEYS, seconds, all.size(),
                    OutcomeRecords.distinctCommandIds(client).size(), simulator.counters().total(), worst,
                    PER_MINUTE / 6, fansly429);

            assertThat(OutcomeRecords.distinctCommandIds(client)).hasSize(PER_KEY * KEYS + 1);
            assertThat(client.seen(r -> r.topic().equals(Topics.FAILED)).stream()
                    .map(r -> new String(r.value(), StandardCharsets.UTF_8)).filter(v -> v.contains("\"rb-stale\"")))
                    .as("the stale retry after the moves").singleElement().asString()
                    .contains("\"category\":\"superseded\"");
            List<String> again = client.seen(r -> !r.topic().equals(Topics.DEAD_LETTER)).stream()
                    .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .filter(v -> v.contains("\"" + answeredByFirst + "\"") && v.contains("\"duplicateOf\"")).toList();
            assertThat(again).as("the command sent again after the moves is answered with its earlier outcome")
                    .hasSize(1);
            assertThat(simulator.counters().updatesByMessage().values().stream().flatMap(List::stream))
                    .as("and never reaches the provider").doesNotContain("sent again").doesNotContain("stale");
            // The new owner skips replayed records already answered (ReplayCheck), and a revocation waits (up to
            // 5 s) for the outcomes already being published, none starting after it; a repeat would need a
            // publish slower than that (0 in six runs on 2026-11-30; 17-119 before the check existed).
            assertThat(all.size() - 2 - PER_KEY * KEYS).as("outcome events repeated by the moves")
                    .isLessThanOrEqualTo(10);
            assertThat(fansly429).as("429s from the provider").isZero();
            // What the relay promises in 10 s: its even share (the limit less 1 % headroom), plus the stall
            // time it may make up (half the headroom of a minute, 0.3 s), plus one send at each of the two
            // handovers. Two replicas sending at once would double the share.
            double evenRate = PER_MINUTE / 60.0 * (1 - HEADROOM);
            int promised = (int) Math.ceil(evenRate * 10 + evenRate * HEADROOM * 30 + 2);
            assertThat(promised).isLessThan((int) (PER_MINUTE / 6) + 20);
            assertThat(worst).as("most requests of one key in any 10 s").isLessThanOrEqualTo(promised);
        }
    }
}
