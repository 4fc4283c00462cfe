package io.massmessage.relay.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.massmessage.relay.testing.OutcomeRecords;
import io.massmessage.relay.testing.ProcessStack;
import io.massmessage.relay.testing.ServiceProcess;
import io.massmessage.relay.testing.Topics;
import io.massmessage.simulator.ProviderSimulator;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The service killed (SIGKILL) three times under load, at 25, 50 and 75 % of 100,000 commands over 3,000
 * messages of 30 accounts at the three providers, and restarted each time. Every command ends with exactly
 * one outcome, the provider is called again only for what was in flight at a kill, and every message's last
 * applied update is its newest command's.
 */
class ServiceKillIT {

    private static final int COMMANDS = Integer.getInteger("faults.kill.commands", 100_000);

    @Test
    void threeKillsLoseNothingAnswerNothingTwiceAndKeepTheNewestUpdate() throws Exception {
        Load load = new Load("kill", COMMANDS, 3_000, 30);
        long started = System.nanoTime();
        try (ProcessStack stack = ProcessStack.start(OutcomeRecords.unlimitedProviders(), "fault-suite/kill");
                Ledger ledger = new Ledger(stack.kafka().bootstrapServers())) {
            ProviderSimulator simulator = stack.simulator();
            Map<String, String> props = ServiceProcess.withSimulatorBudgets(stack.serviceProperties(), simulator);
            // a killed consumer sends no LeaveGroup: its partitions move when its session times out
            props.put("mp.messaging.incoming.commands.session.timeout.ms", "6000");
            props.put("mp.messaging.incoming.commands.heartbeat.interval.ms", "1000");
            Set<String> sent;
            try (Feeder feeder = new Feeder(stack.kafka().bootstrapServers(), Topics.COMMANDS, load.all(), 0)) {
                assertThat(feeder.await(5, TimeUnit.MINUTES)).isTrue();
                sent = Set.copyOf(feeder.acknowledged());
            }
            assertThat(sent).hasSize(COMMANDS);

            long inFlightAtKills = 0;
            for (int run = 1; run <= 3; run++) {
                long target = (long) COMMANDS * run / 4;
                try (ServiceProcess service = ServiceProcess.start(props,
                        stack.logs().resolve("run-" + run + ".log"))) {
                    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
                    while (ledger.poll().answered() < target && System.nanoTime() < deadline) {
                        assertThat(service.isAlive()).as("run %d is alive", run).isTrue();
                    }
                    service.kill();
                }
                // the simulator counts a request once it answered it: let it answer what the killed service had open
                long quiet = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (simulator.counters().concurrent() > 0 && System.nanoTime() < quiet) {
                    ledger.poll();
                }
                ledger.poll();
                inFlightAtKills = simulator.counters().total() - ledger.answeredWithCall();
                System.out.printf("kill %d at %,d of %,d answered; provider calls %,d (%,d without a visible answer)%n",
                        run,
                        ledger.answered(), COMMANDS, simulator.counters().total(), inFlightAtKills);
            }
            try (ServiceProcess last = ServiceProcess.start(props, stack.logs().resolve("run-4.log"))) {
                assertThat(ledger.awaitAnswered(sent, Duration.ofMinutes(10))).as("every command answered").isTrue();
                ledger.settle(Duration.ofSeconds(3));
                last.stop();
            }
            long repeated = ledger.repeatedCalls(simulator.counters().total(), sent);
            String finalState = FaultReport.finalState(load.finalTexts(), simulator.counters().updatesByMessage());
            FaultReport.add(new FaultReport.Row("service SIGKILLed 3 times (at 25/50/75 %), restarted", COMMANDS,
                    ledger.withoutAnswer(sent), ledger.duplicates(), repeated, finalState,
                    Duration.ofNanos(System.nanoTime() - started)));
            System.out.println("answers by kind: " + ledger.kinds());

            assertThat(ledger.withoutAnswer(sent)).as("commands without an outcome").isZero();
            assertThat(ledger.duplicates()).as("outcomes published twice").isZero();
            assertThat(repeated).as("provider calls repeated: at most those without a visible answer at the last kill")
                    .isBetween(0L, inFlightAtKills);
            assertThat(finalState).startsWith("yes");
        }
    }
}
