package io.massmessage.relay.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.massmessage.relay.testing.BrokerProcess;
import io.massmessage.relay.testing.EmbeddedKafka;
import io.massmessage.relay.testing.HttpProbe;
import io.massmessage.relay.testing.OutcomeRecords;
import io.massmessage.relay.testing.ServiceProcess;
import io.massmessage.relay.testing.Topics;
import io.massmessage.simulator.ProviderSimulator;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The broker goes away while commands flow, three times on the same log directory and ports: killed for 5 s,
 * stopped cleanly for 30 s, killed for 3 minutes (longer than the producers' 2-minute delivery timeout). The
 * service is never restarted. Every command ends with exactly one outcome once the broker is back (outcomes
 * computed meanwhile are published then, none becomes a dead letter), readiness says the broker is unreachable
 * while it is away, and liveness stays UP throughout.
 */
class BrokerBounceIT {

    private static final int COMMANDS = Integer.getInteger("faults.bounce.commands", 100_000);
    private static final int PER_SECOND = 400;

    private record Probe(long atNanos, int ready, int live) {}

    /** An outage from {@code fromNanos}; the broker was started again at {@code restartNanos}, answering at {@code toNanos}. */
    private record Outage(String how, long fromNanos, long restartNanos, long toNanos) {}

    @Test
    void theRelayRidesOutBrokerOutagesOfSecondsAndMinutes() throws Exception {
        Load load = new Load("bounce", COMMANDS, 3_000, 30);
        Path logs = Files.createDirectories(Path.of("target", "fault-suite", "bounce"));
        long started = System.nanoTime();
        Vertx vertx = Vertx.vertx();
        ProviderSimulator simulator = ProviderSimulator.start(vertx, 0, OutcomeRecords.unlimitedProviders(),
                Clock.systemUTC());
        ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor();
        try (BrokerProcess broker = BrokerProcess.start(logs)) {
            broker.createTopics(4, Topics.COMMANDS, Topics.SUCCEEDED, Topics.FAILED, Topics.RATE_LIMITED,
                    Topics.DEAD_LETTER);
            int port = EmbeddedKafka.freePort();
            Map<String, String> props = ServiceProcess.withSimulatorBudgets(
                    ServiceProcess.against(broker.bootstrapServers(), simulator), simulator);
            props.put("quarkus.http.port", String.valueOf(port));
            props.put("providers.onlyfansapi.coalesce", "false"); // calls per command are counted (ProcessStack)
            props.put("providers.fansmetric.coalesce", "false");
            props.put("mp.messaging.incoming.commands.session.timeout.ms", "15000"); // as in k8s/
            List<Probe> probes = new CopyOnWriteArrayList<>();
            List<Outage> outages = new ArrayList<>();
            try (Ledger ledger = new Ledger(broker.bootstrapServers());
                    ServiceProcess service = ServiceProcess.start(props, logs.resolve("service.log"));
                    Feeder feeder = new Feeder(broker.bootstrapServers(), Topics.COMMANDS, load.all(), PER_SECOND)) {
                assertThat(HttpProbe.await(port, "/q/health/ready", 200, Duration.ofSeconds(60)))
                        .as("the service started").isTrue();
                prober.scheduleAtFixedRate(
                        () -> probes.add(new Probe(System.nanoTime(), HttpProbe.status(port, "/q/health/ready"),
                                HttpProbe.status(port, "/q/health/live"))),
                        0, 1, TimeUnit.SECONDS);
                ledger.pollFor(Duration.ofSeconds(30));
                outages.add(away(broker, ledger, "killed", Duration.ofSeconds(5)));
                ledger.pollFor(Duration.ofSeconds(25));
                outages.add(away(broker, ledger, "stopped", Duration.ofSeconds(30)));
                ledger.pollFor(Duration.ofSeconds(20));
                outages.add(away(broker, ledger, "killed", Duration.ofMinutes(3)));
                assertThat(feeder.await(10, TimeUnit.MINUTES)).as("the feeder handed over every command").isTrue();
                long sendDeadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
                while (feeder.acknowledged().size() + feeder.failed() < COMMANDS && System.nanoTime() < sendDeadline) {
                    ledger.poll();
                }
                Set<String> sent = Set.copyOf(feeder.acknowledged());
                boolean allAnswered = ledger.awaitAnswered(sent, Duration.ofMinutes(10));
                ledger.settle(Duration.ofSeconds(5));
                prober.shutdownNow();
                boolean aliveThroughout = service.isAlive();
                service.stop();

                long repeated = ledger.repeatedCalls(simulator.counters().total(), sent);
                String finalState = FaultReport.finalState(load.finalTexts(), simulator.counters().updatesByMessage());
                FaultReport.add(
                        new FaultReport.Row("broker killed 5 s, stopped 30 s, killed 3 min (same log dir and port)",
                                sent.size(), ledger.withoutAnswer(sent), ledger.duplicates(), repeated, finalState,
                                Duration.ofNanos(System.nanoTime() - started)));
                System.out.println("answers by kind: " + ledger.kinds() + "; feeder: " + feeder.acknowledged().size()
                        + " acknowledged, " + feeder.failed() + " refused");
                for (Outage outage : outages) {
                    List<Probe> during = probes.stream()
                            .filter(p -> p.atNanos() > outage.fromNanos() && p.atNanos() < outage.toNanos()).toList();
                    System.out.printf("broker %s for %d s: readiness DOWN in %d of %d probes, liveness DOWN in %d%n",
                            outage.how(),
                            TimeUnit.NANOSECONDS.toSeconds(outage.toNanos() - outage.fromNanos()),
                            during.stream().filter(p -> p.ready() == 503).count(), during.size(),
                            during.stream().filter(p -> p.live() != 200).count());
                }

                probes.stream().filter(p -> p.live() != 200)
                        .forEach(p -> System.out.printf("liveness %d at %d s%n", p.live(),
                                TimeUnit.NANOSECONDS.toSeconds(p.atNanos() - started)));
                outages.forEach(o -> System.out.printf("broker %s at %d s, answering again at %d s%n", o.how(),
                        TimeUnit.NANOSECONDS.toSeconds(o.fromNanos() - started),
                        TimeUnit.NANOSECONDS.toSeconds(o.toNanos() - started)));
                assertThat(feeder.failed()).as("commands the broker never took").isZero();
                assertThat(sent).hasSize(COMMANDS);
                assertThat(allAnswered).as("every command answered").isTrue();
                assertThat(ledger.withoutAnswer(sent)).isZero();
                assertThat(ledger.duplicates()).as("outcomes published twice").isZero();
                assertThat(ledger.byTopic().getOrDefault(Topics.DEAD_LETTER, 0L)).as("no outcome became a dead letter")
                        .isZero();
                assertThat(finalState).startsWith("yes");
                assertThat(aliveThroughout).as("the service was never restarted").isTrue();
                assertThat(probes).as("liveness UP throughout").allSatisfy(p -> assertThat(p.live()).isEqualTo(200));
                for (Outage outage : outages.subList(1, outages.size())) {
                    // the health check asks every 5 s and waits 4 s for an answer
                    assertThat(probes.stream()
                            .filter(p -> p.atNanos() > outage.fromNanos() + TimeUnit.SECONDS.toNanos(10)
                                    && p.atNanos() < outage.restartNanos()))
                            .as("readiness while the broker is %s", outage.how())
                            .isNotEmpty().allSatisfy(p -> assertThat(p.ready()).isEqualTo(503));
                }
                assertThat(probes.get(probes.size() - 1).ready()).as("ready again").isEqualTo(200);
            }
        } finally {
            prober.shutdownNow();
            simulator.close();
            vertx.close();
        }
    }

    private static Outage away(BrokerProcess broker, Ledger ledger, String how, Duration duration) throws Exception {
        long from = System.nanoTime();
        if (how.equals("killed")) {
            broker.kill();
        } else {
            broker.stop();
        }
        System.out.printf("broker %s for %d s%n", how, duration.toSeconds());
        LockSupport.parkNanos(from + duration.toNanos() - System.nanoTime());
        // readiness may turn UP as soon as the restarted broker answers, before restart() returns
        long restarting = System.nanoTime();
        broker.restart();
        long back = System.nanoTime();
        ledger.poll();
        return new Outage(how, from, restarting, back);
    }
}
