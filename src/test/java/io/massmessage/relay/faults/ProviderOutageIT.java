package io.massmessage.relay.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.massmessage.relay.testing.Commands;
import io.massmessage.relay.testing.EmbeddedKafka;
import io.massmessage.relay.testing.HttpProbe;
import io.massmessage.relay.testing.OutcomeRecords;
import io.massmessage.relay.testing.ProcessStack;
import io.massmessage.relay.testing.ServiceProcess;
import io.massmessage.relay.testing.Topics;
import io.massmessage.simulator.ProviderSimulator;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One provider down for 15 minutes (every Fansly request answered 503) while OnlyFansAPI and FansMetric are
 * healthy, their accounts on the same partitions, commands flowing for all three. Fansly's commands wait behind
 * its open breaker; the other providers' outcomes keep coming every minute; liveness stays UP (no pod restart);
 * commands whose send time passes meanwhile end {@code expired}; once Fansly is back every waiting command ends.
 * {@code -Dfaults.provider-outage=PT15M} sets the outage.
 */
class ProviderOutageIT {

    private static final Duration OUTAGE = Duration.parse(System.getProperty("faults.provider-outage", "PT15M"));
    private static final Duration LEAD = Duration.ofSeconds(30);
    private static final int PER_SECOND = 6;
    private static final int EXPIRING = 30;

    private record Probe(long atMillis, int live) {}

    @Test
    void aLongProviderOutageIsNotAPodFailure() throws Exception {
        int count = (int) (PER_SECOND * (LEAD.plus(OUTAGE).toSeconds() + 60));
        Load load = new Load("outage", count, 600, 30);
        long started = System.nanoTime();
        ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor();
        try (ProcessStack stack = ProcessStack.start(OutcomeRecords.unlimitedProviders(), "fault-suite/outage");
                Ledger ledger = new Ledger(stack.kafka().bootstrapServers())) {
            ProviderSimulator simulator = stack.simulator();
            int port = EmbeddedKafka.freePort();
            Map<String, String> props = stack.serviceProperties();
            props.put("quarkus.http.port", String.valueOf(port));
            List<Probe> probes = new CopyOnWriteArrayList<>();
            Set<String> expiring = new HashSet<>();
            long outageFrom;
            long outageTo;
            try (ServiceProcess service = ServiceProcess.start(props, stack.logs().resolve("service.log"));
                    Feeder feeder = new Feeder(stack.kafka().bootstrapServers(), Topics.COMMANDS, load.all(),
                            PER_SECOND)) {
                assertThat(HttpProbe.await(port, "/q/health/ready", 200, Duration.ofSeconds(60)))
                        .as("the service started").isTrue();
                prober.scheduleAtFixedRate(() -> probes.add(new Probe(System.currentTimeMillis(),
                        HttpProbe.status(port, "/q/health/live"))), 0, 5, TimeUnit.SECONDS);
                ledger.pollFor(LEAD);
                simulator.settings().unavailable.add("fansly");
                outageFrom = System.currentTimeMillis();
                System.out.printf("fansly answers 503 from now for %s%n", OUTAGE);
                ledger.pollFor(Duration.ofSeconds(60));
                // commands due in two minutes: the outage outlasts their send time
                String due = Instant.now().plus(Duration.ofMinutes(2)).toString();
                for (int i = 0; i < EXPIRING; i++) {
                    String account = "fyoutage" + (i % 30);
                    String id = "outage-due-" + i;
                    expiring.add(id);
                    stack.client().send(Topics.COMMANDS, Commands.key("fansly", account),
                            Commands.command(id, "fansly", account,
                                    "due" + i, "{\"text\":\"due\",\"scheduledAt\":\"" + due + "\"}"));
                }
                ledger.pollFor(OUTAGE.minusSeconds(60));
                simulator.settings().unavailable.clear();
                outageTo = System.currentTimeMillis();
                System.out.println("fansly answers again");
                assertThat(feeder.await(5, TimeUnit.MINUTES)).isTrue();
                ledger.pollFor(Duration.ofSeconds(5));
                Set<String> sent = new HashSet<>(feeder.acknowledged());
                sent.addAll(expiring);
                boolean allAnswered = ledger.awaitAnswered(sent, Duration.ofMinutes(10));
                ledger.settle(Duration.ofSeconds(3));
                prober.shutdownNow();
                boolean aliveThroughout = service.isAlive();
                service.stop();

                Map<String, Long> kinds = ledger.kinds();
                long succeeded = kinds.entrySet().stream().filter(e -> e.getKey().startsWith("succeeded "))
                        .mapToLong(Map.Entry::getValue).sum();
                long applied = simulator.counters().updatesByMessage().values().stream().mapToLong(List::size).sum();
                Map<String, String> expected = load.finalTexts();
                String finalState = FaultReport.finalState(expected, simulator.counters().updatesByMessage());
                FaultReport.add(new FaultReport.Row("fansly answers 503 for " + OUTAGE.toMinutes()
                        + " min, the other providers healthy on the same partitions", sent.size(),
                        ledger.withoutAnswer(sent),
                        ledger.duplicates(), applied - succeeded, finalState,
                        Duration.ofNanos(System.nanoTime() - started)));
                long firstMinute = outageFrom / 60_000 + 1;
                long lastMinute = outageTo / 60_000 - 1;
                StringBuilder perMinute = new StringBuilder();
                long leanest = Long.MAX_VALUE;
                for (long minute = firstMinute; minute <= lastMinute; minute++) {
                    long healthy = healthyIn(ledger.perMinute(), minute);
                    leanest = Math.min(leanest, healthy);
                    perMinute.append(healthy).append(' ');
                }
                System.out.println("answers by kind: " + kinds);
                System.out.println("OnlyFansAPI and FansMetric outcomes in each full minute of the outage: "
                        + perMinute.toString().trim());
                System.out.println("fansly calls: " + simulator.counters().byProviderStatus());

                assertThat(aliveThroughout).as("the service was never restarted").isTrue();
                assertThat(probes).as("liveness probes").hasSizeGreaterThan((int) (OUTAGE.toSeconds() / 5) - 2)
                        .allSatisfy(p -> assertThat(p.live()).as("liveness at %s", Instant.ofEpochMilli(p.atMillis()))
                                .isEqualTo(200));
                assertThat(leanest).as("the healthy providers' outcomes in the leanest minute of the outage")
                        .isPositive();
                assertThat(allAnswered).as("every command ended once fansly was back").isTrue();
                assertThat(ledger.withoutAnswer(sent)).isZero();
                assertThat(ledger.duplicates()).isZero();
                assertThat(kinds.getOrDefault("failed fansly expired", 0L))
                        .as("commands past their send time end expired")
                        .isGreaterThanOrEqualTo(EXPIRING);
                assertThat(kinds.keySet()).as("a fansly outcome is never a permanent refusal")
                        .filteredOn(kind -> kind.startsWith("failed fansly"))
                        .allSatisfy(
                                kind -> assertThat(kind).isIn("failed fansly unavailable", "failed fansly expired"));
                assertThat(kinds.keySet()).as("the healthy providers only succeed")
                        .filteredOn(kind -> kind.startsWith("failed ")
                                && !kind.startsWith("failed fansly"))
                        .isEmpty();
                assertThat(finalState).startsWith("yes");
            }
        } finally {
            prober.shutdownNow();
        }
    }

    private static long healthyIn(Map<String, Long> perMinute, long minute) {
        return perMinute.entrySet().stream().filter(e -> e.getKey().endsWith(" " + minute)
                && (e.getKey().contains(" onlyfansapi ") || e.getKey().contains(" fansmetric ")))
                .mapToLong(Map.Entry::getValue).sum();
    }
}
