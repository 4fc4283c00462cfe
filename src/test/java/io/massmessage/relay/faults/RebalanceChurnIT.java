package io.massmessage.relay.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.massmessage.relay.testing.OutcomeRecords;
import io.massmessage.relay.testing.ProcessStack;
import io.massmessage.relay.testing.ServiceProcess;
import io.massmessage.relay.testing.Topics;
import io.massmessage.simulator.ProviderSimulator;
import io.massmessage.simulator.SimulatorSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Rebalances under load: a second replica joins and leaves (SIGTERM) five times while one replica runs
 * throughout and commands flow. Fansly's keys have a budget the simulator enforces with 429s (one key per
 * account, so one replica owns each budget). Nothing is lost or answered twice, each message's updates reach
 * the provider in order, no key goes over its budget (no 429), and each message ends with its newest update.
 */
class RebalanceChurnIT {

    private static final int COMMANDS = Integer.getInteger("faults.churn.commands", 30_000);
    private static final int PER_SECOND = 300;
    private static final long FANSLY_PER_MINUTE = 1_200;
    private static final int ACCOUNTS = 30;

    @Test
    void fiveJoinsAndLeavesKeepOrderBudgetsAndEveryCommand() throws Exception {
        Load load = new Load("churn", COMMANDS, 1_500, ACCOUNTS);
        long started = System.nanoTime();
        SimulatorSettings settings = OutcomeRecords.unlimitedProviders();
        settings.perMinute.put("fansly", FANSLY_PER_MINUTE);
        try (ProcessStack stack = ProcessStack.start(settings, "fault-suite/churn");
                Ledger ledger = new Ledger(stack.kafka().bootstrapServers())) {
            ProviderSimulator simulator = stack.simulator();
            Map<String, String> props = stack.serviceProperties();
            props.put("providers.fansly.requests-per-minute", String.valueOf(FANSLY_PER_MINUTE));
            for (int a = 0; a < ACCOUNTS; a++) {
                settings.extraKeys.add("churn-key-" + a);
                props.put("providers.fansly.accounts.fychurn" + a + ".api-key", "churn-key-" + a);
            }
            try (ServiceProcess first = ServiceProcess.start(props, stack.logs().resolve("replica-1.log"));
                    Feeder feeder = new Feeder(stack.kafka().bootstrapServers(), Topics.COMMANDS, load.all(),
                            PER_SECOND)) {
                ledger.pollFor(Duration.ofSeconds(10));
                for (int round = 1; round <= 5; round++) {
                    try (ServiceProcess second = ServiceProcess.start(props,
                            stack.logs().resolve("replica-2-round-" + round + ".log"))) {
                        ledger.pollFor(Duration.ofSeconds(8)); // it joins: partitions move to it
                        assertThat(second.stop()).as("round %d: the second replica left on SIGTERM", round).isIn(0,
                                143);
                    }
                    ledger.pollFor(Duration.ofSeconds(5)); // its partitions move back
                }
                assertThat(feeder.await(5, TimeUnit.MINUTES)).isTrue();
                ledger.pollFor(Duration.ofSeconds(2));
                Set<String> sent = Set.copyOf(feeder.acknowledged());
                boolean allAnswered = ledger.awaitAnswered(sent, Duration.ofMinutes(5));
                ledger.settle(Duration.ofSeconds(3));
                first.stop();

                Map<String, List<String>> applied = simulator.counters().updatesByMessage();
                long outOfOrder = applied.values().stream().filter(RebalanceChurnIT::outOfOrder).count();
                long throttled = simulator.counters().byProviderStatus().getOrDefault("fansly 429", 0L);
                long repeated = ledger.repeatedCalls(simulator.counters().total(), sent);
                String finalState = FaultReport.finalState(load.finalTexts(), applied);
                FaultReport.add(new FaultReport.Row("a second replica joins and leaves 5 times under load", sent.size(),
                        ledger.withoutAnswer(sent), ledger.duplicates(), repeated, finalState + ", " + outOfOrder
                                + " out of order, " + throttled + " 429s",
                        Duration.ofNanos(System.nanoTime() - started)));
                System.out.println("answers by kind: " + ledger.kinds() + "; provider answers: "
                        + simulator.counters().byProviderStatus());

                assertThat(sent).hasSize(COMMANDS);
                assertThat(allAnswered).isTrue();
                assertThat(ledger.withoutAnswer(sent)).isZero();
                assertThat(ledger.duplicates()).isZero();
                assertThat(outOfOrder).as("messages whose updates reached the provider out of order").isZero();
                assertThat(throttled).as("429s: a budget exceeded").isZero();
                assertThat(finalState).startsWith("yes");
            }
        }
    }

    /** Whether a message's applied updates ({@code seq-<n>}) ever go back: a repeat of the same update is not. */
    private static boolean outOfOrder(List<String> updates) {
        int last = -1;
        for (String update : updates) {
            int n = Integer.parseInt(update.substring("seq-".length()));
            if (n < last) {
                return true;
            }
            last = n;
        }
        return false;
    }
}
