package io.massmessage.relay.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.massmessage.relay.testing.Commands;
import io.massmessage.relay.testing.KafkaTestClient;
import io.massmessage.relay.testing.OutcomeRecords;
import io.massmessage.relay.testing.ProcessStack;
import io.massmessage.relay.testing.ServiceProcess;
import io.massmessage.relay.testing.Topics;
import io.massmessage.simulator.ProviderSimulator;
import io.massmessage.simulator.SimulatorSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM under load: the packaged service stops taking records, finishes what it has taken, commits
 * and exits; a second replica finishes the rest. Every command gets exactly one outcome and exactly
 * one provider call: nothing lost, nothing repeated.
 */
class GracefulShutdownIT {

    private static final int COMMANDS = 3000;
    private static final int MESSAGES = 300;

    @Test
    void sigtermFinishesWhatWasTakenCommitsAndLeavesTheRestToTheNextReplica() throws Exception {
        SimulatorSettings settings = OutcomeRecords.unlimitedProviders();
        try (ProcessStack stack = ProcessStack.start(settings, "shutdown-test")) {
            ProviderSimulator simulator = stack.simulator();
            KafkaTestClient client = stack.client();
            Path logs = stack.logs();
            Map<String, String> props = stack.serviceProperties();
            // a small intake, so that at SIGTERM most commands are still in Kafka for the second replica
            props.put("relay.max-pending", "100");
            props.put("relay.max-in-flight", "100");
            client.sendAll(Topics.COMMANDS, Commands.sequencedLoad("term", COMMANDS, MESSAGES));

            int seenAtTerm;
            Path firstLog = logs.resolve("run-1.log");
            try (ServiceProcess first = ServiceProcess.start(props, firstLog)) {
                await().atMost(Duration.ofSeconds(120))
                        .until(() -> OutcomeRecords.commandIds(client).size() >= COMMANDS / 3);
                seenAtTerm = OutcomeRecords.commandIds(client).size();
                first.stop();
            }
            String shutdownLine = Files.readAllLines(firstLog).stream().filter(l -> l.contains("shutdown: "))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no shutdown report in " + firstLog));
            long callsAtTerm = simulator.counters().total();
            try (ServiceProcess second = ServiceProcess.start(props, logs.resolve("run-2.log"))) {
                await().atMost(Duration.ofSeconds(300))
                        .until(() -> OutcomeRecords.distinctCommandIds(client).size() >= COMMANDS);
                // give the second replica time to answer anything twice, were it going to
                await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> true);
                OutcomeRecords.commandIds(client);
                second.stop();
            }
            List<String> all = OutcomeRecords.commandIds(client);
            System.out.printf("shutdown test: %d commands, %d outcomes before SIGTERM, %d provider calls by the first "
                    + "replica, %d outcome events in all, %d provider calls in all; first replica said: %s%n",
                    COMMANDS, seenAtTerm, callsAtTerm, all.size(), simulator.counters().total(),
                    shutdownLine.substring(shutdownLine.indexOf("shutdown: ")));

            assertThat(OutcomeRecords.distinctCommandIds(client)).hasSize(COMMANDS);
            assertThat(all).as("outcome events, one per command").hasSize(COMMANDS);
            assertThat(simulator.counters().total()).as("provider calls, one per command").isEqualTo(COMMANDS);
            assertThat(client.seen(r -> r.topic().equals(Topics.DEAD_LETTER))).isEmpty();
            assertThat(shutdownLine).contains("0 handed back");
            simulator.counters().updatesByMessage()
                    .forEach((message, updates) -> assertThat(updates.get(updates.size() - 1)).as(message)
                            .isEqualTo("seq-" + (COMMANDS / MESSAGES - 1)));
        }
    }
}
