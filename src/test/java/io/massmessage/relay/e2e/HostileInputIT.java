package io.massmessage.relay.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.massmessage.relay.testing.ConsumerLag;
import io.massmessage.relay.testing.HostilePayloads;
import io.massmessage.relay.testing.KafkaTestClient;
import io.massmessage.relay.testing.OutcomeRecords;
import io.massmessage.relay.testing.ProcessStack;
import io.massmessage.relay.testing.ServiceProcess;
import io.massmessage.relay.testing.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * Seeded hostile records ({@link HostilePayloads}: random bytes, invalid UTF-8, tombstones, wrong types,
 * huge and non-finite numbers, deep nesting, duplicate keys, trailing garbage, BOMs and comments, path
 * characters in ids, forged headers, echoed field names, nulls, oversize payloads of 1.2 and 3.2 MB on a
 * command topic that takes them) interleaved with valid commands, against the packaged service: every
 * record gets exactly one outcome or dead letter, every valid command succeeds, the group's lag reaches
 * 0, the service is never restarted and stays live, and no request reaches anything but a documented
 * route. Prints the answers per class. {@code -Dhostile.payloads} sets the count (1,000 in the default
 * run, 10,000 with {@code -Pfaults}); {@code -Dhostile.seed} the seed.
 */
class HostileInputIT {

    private static final Pattern PORT = Pattern.compile("Listening on: http://[^:]+:(\\d+)");

    @Test
    void everyRecordEndsOnceWhateverItsBytes() throws Exception {
        int hostileCount = Integer.getInteger("hostile.payloads", 1_000);
        long seed = Long.getLong("hostile.seed", 20261201L);
        String run = UUID.randomUUID().toString().substring(0, 6);
        HostilePayloads generator = new HostilePayloads(seed, run);
        try (ProcessStack stack = ProcessStack.start(OutcomeRecords.unlimitedProviders(), "hostile-test")) {
            try (var admin = stack.kafka().admin()) {
                admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, Topics.COMMANDS),
                        List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", String.valueOf(4 << 20)),
                                AlterConfigOp.OpType.SET))))
                        .all().get();
            }
            List<HostilePayloads.Payload> payloads = new ArrayList<>();
            for (int i = 0; i < hostileCount; i++) {
                if (i % 10 == 0) {
                    payloads.add(generator.valid(i / 10));
                }
                payloads.add(generator.next());
            }
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (HostilePayloads.Payload payload : payloads) {
                var record = new ProducerRecord<>(Topics.COMMANDS, payload.key().getBytes(StandardCharsets.UTF_8),
                        payload.value());
                payload.headers()
                        .forEach((name, value) -> record.headers().add(name, value.getBytes(StandardCharsets.UTF_8)));
                records.add(record);
            }
            KafkaTestClient client = stack.client();
            List<RecordMetadata> landed = client.sendRecords(records);
            Map<String, Integer> indexOf = new HashMap<>();
            for (int i = 0; i < landed.size(); i++) {
                indexOf.put(landed.get(i).partition() + "@" + landed.get(i).offset(), i);
            }

            Path log = stack.logs().resolve("service.log");
            long started = System.nanoTime();
            try (ServiceProcess service = ServiceProcess.start(stack.serviceProperties(), log)) {
                await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    client.poll();
                    return answers(client).size() >= payloads.size() || !service.isAlive();
                });
                // anything past the expected count would be a second answer: give it a moment to show
                await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
                client.poll();
                assertThat(service.isAlive()).as("the service never stopped").isTrue();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(
                        () -> assertThat(ConsumerLag.of(stack.kafka(), "mass-message-relay", Topics.COMMANDS)).as("lag")
                                .isZero());
                int port = port(log);
                HttpResponse<String> live = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/q/health/live")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(live.statusCode()).as(live.body()).isEqualTo(200);
                service.stop();
            }
            long seconds = (System.nanoTime() - started) / 1_000_000_000L;

            Map<Integer, List<ConsumerRecord<byte[], byte[]>>> byRecord = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> answer : answers(client)) {
                Integer index = indexOf.get(origin(answer));
                assertThat(index).as("an answer names a record sent: %s", origin(answer)).isNotNull();
                byRecord.computeIfAbsent(index, k -> new ArrayList<>()).add(answer);
            }
            Map<String, int[]> table = new TreeMap<>(); // kind -> records, dead letters, succeeded, failed, truncated
            List<String> wrong = new ArrayList<>();
            for (int i = 0; i < payloads.size(); i++) {
                HostilePayloads.Payload payload = payloads.get(i);
                List<ConsumerRecord<byte[], byte[]>> got = byRecord.getOrDefault(i, List.of());
                int[] row = table.computeIfAbsent(payload.kind(), k -> new int[5]);
                row[0]++;
                if (got.size() != 1) {
                    wrong.add(payload.kind() + " #" + i + ": " + got.size() + " answers");
                    continue;
                }
                ConsumerRecord<byte[], byte[]> answer = got.get(0);
                if (answer.topic().equals(Topics.DEAD_LETTER)) {
                    row[1]++;
                    if (answer.headers().lastHeader("dead-letter-truncated") != null) {
                        row[4]++;
                    }
                    String reason = header(answer, "dead-letter-reason");
                    if (reason.length() > 4096 || reason.equals("forged") || count(answer, "dead-letter-offset") != 1
                            || count(answer, "dead-letter-reason") != 1 || count(answer, "relay-command-offset") != 0) {
                        wrong.add(payload.kind() + " #" + i + ": dead letter headers "
                                + reason.substring(0, Math.min(80, reason.length())));
                    }
                } else if (answer.topic().equals(Topics.SUCCEEDED)) {
                    row[2]++;
                } else {
                    row[3]++;
                }
                if (payload.kind().equals("valid") && !answer.topic().equals(Topics.SUCCEEDED)) {
                    wrong.add("valid #" + i + " ended on " + answer.topic());
                }
            }
            System.out.printf("hostile input (seed %d): %d records (%d hostile, %d valid), %d s%n", seed,
                    payloads.size(),
                    hostileCount, payloads.size() - hostileCount, seconds);
            System.out.printf("%-20s %8s %12s %10s %7s %10s%n", "class", "records", "dead letters", "succeeded",
                    "failed", "truncated");
            table.forEach((kind, row) -> System.out.printf("%-20s %8d %12d %10d %7d %10d%n", kind, row[0], row[1],
                    row[2], row[3], row[4]));
            System.out.printf("provider requests off the documented routes: %d %s%n",
                    stack.simulator().counters().unroutedCount(),
                    stack.simulator().counters().unrouted());

            assertThat(wrong).as("records without exactly one proper answer").isEmpty();
            assertThat(stack.simulator().counters().unrouted()).as("requests off the documented routes").isEmpty();
            assertThat(Files.readString(log)).as("the command stream never stopped")
                    .doesNotContain("the command stream");
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> answers(KafkaTestClient client) {
        return client.seen(r -> true);
    }

    /** The command record an answer names: {@code partition@offset}. */
    private static String origin(ConsumerRecord<byte[], byte[]> answer) {
        boolean dead = answer.topic().equals(Topics.DEAD_LETTER);
        return header(answer, dead ? "dead-letter-partition" : "relay-command-partition") + "@"
                + header(answer, dead ? "dead-letter-offset" : "relay-command-offset");
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header first = record.headers().headers(name).iterator().hasNext()
                ? record.headers().headers(name).iterator().next()
                : null;
        return first == null ? "" : new String(first.value(), StandardCharsets.UTF_8);
    }

    private static int count(ConsumerRecord<byte[], byte[]> record, String name) {
        int n = 0;
        for (Header ignored : record.headers().headers(name)) {
            n++;
        }
        return n;
    }

    private static int port(Path log) throws Exception {
        Matcher matcher = PORT.matcher(Files.readString(log));
        if (!matcher.find()) {
            throw new IllegalStateException("no port in " + log);
        }
        return Integer.parseInt(matcher.group(1));
    }
}
