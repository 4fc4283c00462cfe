package io.massmessage.relay.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.massmessage.relay.outcome.Origin;
import io.massmessage.relay.testing.Commands;
import io.massmessage.relay.testing.KafkaTestClient;
import io.massmessage.relay.testing.OutcomeRecords;
import io.massmessage.relay.testing.ProcessStack;
import io.massmessage.relay.testing.ServiceProcess;
import io.massmessage.relay.testing.Topics;
import io.massmessage.simulator.ProviderSimulator;
import io.massmessage.simulator.SimulatorSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * Kills the packaged service with SIGKILL in the middle of a few thousand commands, restarts it,
 * and shows every command still ends with exactly one outcome; only the commands in flight at the kill
 * reach the provider twice. Reports both figures.
 */
class CrashRecoveryIT {

    private static final int COMMANDS = 3000;
    private static final int MESSAGES = 300;
    private static final int INVALID = COMMANDS / 100;

    @Test
    void everyCommandGetsAnOutcomeAfterAKillAndRestart() throws Exception {
        SimulatorSettings settings = OutcomeRecords.unlimitedProviders();
        try (ProcessStack stack = ProcessStack.start(settings, "crash-test")) {
            ProviderSimulator simulator = stack.simulator();
            KafkaTestClient client = stack.client();
            Path logs = stack.logs();
            Map<String, String> props = stack.serviceProperties();
            // The killed consumer leaves no LeaveGroup behind: the broker frees its partitions only when
            // its session times out (Kafka's default is 45 s). A short session keeps the test quick.
            props.put("mp.messaging.incoming.commands.session.timeout.ms", "6000");
            props.put("mp.messaging.incoming.commands.heartbeat.interval.ms", "1000");

            // every 100th record is not JSON: its dead letter must not be written twice either
            List<Map.Entry<String, String>> feed = new ArrayList<>();
            List<Map.Entry<String, String>> load = Commands.sequencedLoad("crash", COMMANDS, MESSAGES);
            for (int i = 0; i < load.size(); i++) {
                feed.add(load.get(i));
                if (i % 100 == 99) {
                    feed.add(Map.entry(load.get(i).getKey(), "not json " + i));
                }
            }
            client.sendAll(Topics.COMMANDS, feed);

            long firstStart = System.nanoTime();
            int seenAtKill;
            String staleMessage;
            String staleAccount;
            String answeredId;
            try (ServiceProcess first = ServiceProcess.start(props, logs.resolve("run-1.log"))) {
                await().atMost(Duration.ofSeconds(120))
                        .until(() -> OutcomeRecords.commandIds(client).size() >= COMMANDS / 3);
                List<String> answeredBeforeKill = OutcomeRecords.commandIds(client);
                seenAtKill = answeredBeforeKill.size();
                first.kill();
                // a message the killed service applied: the restarted one must still know (stale guard)
                int applied = Integer.parseInt(answeredBeforeKill.get(0).substring("crash-".length())) % MESSAGES;
                staleMessage = "m" + applied;
                staleAccount = "acct_crash" + (applied % 20);
                answeredId = answeredBeforeKill.get(0);
            }
            // the simulator counts a request when it answers it: let it answer what the killed service had open
            await().atMost(Duration.ofSeconds(10)).until(() -> simulator.counters().concurrent() == 0);
            long callsAtKill = simulator.counters().total();
            // A kill between an outcome and the stale guard's record, sent beside it, forged (a kill rarely lands in
            // that window): a command whose outcome succeeded is on the broker, uncommitted, with no guard record.
            String forgedKey = Commands.key("onlyfansapi", "acct_forged");
            RecordMetadata forged = client.sendRecords(List.of(new ProducerRecord<>(Topics.COMMANDS, utf8(forgedKey),
                    utf8(Commands.command("crash-forged", "onlyfansapi", "acct_forged", "m-forged",
                            "{\"text\":\"forged\"}")))))
                    .get(0);
            RecordHeaders origin = new RecordHeaders();
            new Origin(Topics.COMMANDS, forged.partition(), forged.offset()).writeTo(origin);
            client.sendRecords(List.of(new ProducerRecord<>(Topics.SUCCEEDED, null, utf8(forgedKey),
                    utf8("{\"commandId\":\"crash-forged\",\"provider\":\"onlyfansapi\",\"account\":\"acct_forged\","
                            + "\"messageId\":\"m-forged\",\"outcome\":\"succeeded\"}"),
                    origin)));
            try (ServiceProcess second = ServiceProcess.start(props, logs.resolve("run-2.log"))) {
                await().atMost(Duration.ofSeconds(300))
                        .until(() -> OutcomeRecords.distinctCommandIds(client).size() >= COMMANDS);
                // let the restarted service finish anything it replays before counting
                await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> true);
                // a retry older than what the killed service applied to its message: superseded, never sent
                client.send(Topics.COMMANDS, Commands.key("onlyfansapi", staleAccount),
                        "{\"commandId\":\"crash-stale\",\"provider\":\"onlyfansapi\",\"account\":\"" + staleAccount
                                + "\",\"messageId\":\"" + staleMessage
                                + "\",\"issuedAt\":\"2026-11-22T09:00:00Z\",\"update\":{\"text\":\"stale\"}}");
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> OutcomeRecords.distinctCommandIds(client).contains("crash-stale"));
                // older than the forged command: the replay that skipped it recorded it for the guard
                client.send(Topics.COMMANDS, forgedKey, Commands.command("crash-forged-stale", "onlyfansapi",
                        "acct_forged", "m-forged", Commands.ISSUED_AT.minusSeconds(3600), "{\"text\":\"stale\"}"));
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> OutcomeRecords.distinctCommandIds(client).contains("crash-forged-stale"));
                // a command the killed service answered, sent again: answered with that outcome, not sent (idempotency)
                Map.Entry<String, String> original = load.stream()
                        .filter(e -> e.getValue().contains("\"" + answeredId + "\"")).findFirst().orElseThrow();
                client.send(Topics.COMMANDS, original.getKey(),
                        original.getValue().replace("\"text\":\"seq-", "\"text\":\"again-seq-"));
                await().atMost(Duration.ofSeconds(60)).until(
                        () -> OutcomeRecords.commandIds(client).stream().filter(answeredId::equals).count() >= 2);
                second.stop();
            }
            long seconds = (System.nanoTime() - firstStart) / 1_000_000_000L;
            List<String> all = OutcomeRecords.commandIds(client);
            Set<String> distinct = OutcomeRecords.distinctCommandIds(client);
            long calls = simulator.counters().total();
            List<String> repeated = client.seen(r -> !r.topic().equals(Topics.DEAD_LETTER)).stream()
                    .map(r -> new String(r.value(), StandardCharsets.UTF_8)).filter(v -> v.contains("\"duplicateOf\""))
                    .toList();
            int duplicates = all.size() - repeated.size() - distinct.size();
            List<String> deadLetters = client.seen(r -> r.topic().equals(Topics.DEAD_LETTER)).stream()
                    .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
            System.out.printf("crash test: %d commands, %d outcomes seen before the kill (%d provider calls), "
                    + "%d outcome events in all for %d distinct commands (%d duplicates), %d provider calls in all "
                    + "(%d repeated), %d dead letters for %d invalid records, %d s%n", COMMANDS, seenAtKill,
                    callsAtKill,
                    all.size(), distinct.size(), duplicates, calls, calls - COMMANDS,
                    deadLetters.size(), INVALID, seconds);

            assertThat(distinct).as("the load, the stale retry, the forged command and its stale retry")
                    .hasSize(COMMANDS + 3);
            assertThat(repeated).as("the command sent again got its earlier outcome, marked duplicateOf").hasSize(1)
                    .allMatch(v -> v.contains("\"" + answeredId + "\"") && v.contains("\"succeeded\""));
            String stale = client.seen(r -> r.topic().equals(Topics.FAILED)).stream()
                    .map(r -> new String(r.value(), StandardCharsets.UTF_8)).filter(v -> v.contains("\"crash-stale\""))
                    .findFirst().orElseThrow();
            assertThat(stale).as("the restarted service read back what the killed one applied")
                    .contains("\"category\":\"superseded\"").contains("\"attempts\":0");
            assertThat(
                    client.seen(r -> new String(r.value(), StandardCharsets.UTF_8).contains("\"crash-forged-stale\""))
                            .stream().map(r -> r.topic() + " " + new String(r.value(), StandardCharsets.UTF_8)))
                    .as("a replayed succeeded command whose guard record was lost is recorded again")
                    .singleElement().asString().startsWith(Topics.FAILED + " ").contains("\"category\":\"superseded\"");
            assertThat(OutcomeRecords.commandIds(client).stream().filter("crash-forged"::equals))
                    .as("the forged command, already answered, is not answered again").hasSize(1);
            assertThat(deadLetters).as("each invalid record dead-lettered once").hasSize(INVALID)
                    .doesNotHaveDuplicates();
            assertThat(calls).isGreaterThanOrEqualTo(COMMANDS);
            assertThat(simulator.counters().updatesByMessage().values().stream().flatMap(List::stream))
                    .as("the stale retries never reached the provider").doesNotContain("stale")
                    .as("nor the replayed forged command").doesNotContain("forged")
                    .as("nor the command sent again").noneMatch(update -> update.startsWith("again-"));
            // The restarted service skips the replayed records whose outcome the killed one had published
            // (ReplayCheck): no command is answered twice, and only what was in flight at the kill is sent again.
            assertThat(duplicates).as("outcome events repeated after the restart").isZero();
            assertThat(calls - COMMANDS).as("provider calls repeated: at most those made and not answered at the kill")
                    .isLessThanOrEqualTo(callsAtKill - seenAtKill);
            assertThat(Files.readString(logs.resolve("run-2.log"))).as("the restarted service's replay check ran")
                    .contains("replay check: ");
            // Order per message survives the replay: each message's last applied update is its last command.
            simulator.counters().updatesByMessage()
                    .forEach((message, updates) -> assertThat(updates.get(updates.size() - 1)).as(message)
                            .isEqualTo("seq-" + (COMMANDS / MESSAGES - 1)));
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
