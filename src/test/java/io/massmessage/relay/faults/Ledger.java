package io.massmessage.relay.faults;

import io.massmessage.relay.testing.KafkaTestClient;
import io.massmessage.relay.testing.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The CRM's other side: reads the outcome and dead-letter topics as they fill (one pass, through broker
 * outages) and counts, per command id, how many answers it got and of which kind. Not thread-safe: poll it
 * from one thread.
 */
final class Ledger implements AutoCloseable {

    private static final Pattern COMMAND_ID = Pattern.compile("\"commandId\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern PROVIDER = Pattern.compile("\"provider\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern CATEGORY = Pattern.compile("\"category\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern NO_ATTEMPT = Pattern.compile("\"attempts\"\\s*:\\s*0[,}]");
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, Integer> answers = new ConcurrentHashMap<>();
    private final Map<String, Long> byTopic = new ConcurrentHashMap<>();
    private final Map<String, Long> minuteOf = new HashMap<>();
    private final Map<String, Long> kinds = new TreeMap<>();
    private final Set<String> withoutCall = new HashSet<>();
    private long events;

    Ledger(String bootstrapServers) {
        consumer = KafkaTestClient.reader(bootstrapServers);
        List<TopicPartition> partitions = KafkaTestClient.partitions(consumer,
                List.of(Topics.SUCCEEDED, Topics.FAILED, Topics.RATE_LIMITED, Topics.DEAD_LETTER));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads what arrived since the last call (waits up to 200 ms for it). */
    Ledger poll() {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            events++;
            byTopic.merge(record.topic(), 1L, Long::sum);
            String text = record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8);
            Matcher id = COMMAND_ID.matcher(text);
            if (id.find()) {
                answers.merge(id.group(1), 1, Integer::sum);
                if (NO_ATTEMPT.matcher(text).find()) {
                    withoutCall.add(id.group(1));
                }
                String provider = provider(text);
                minuteOf.merge(record.topic() + " " + provider + " " + (record.timestamp() / 60_000), 1L, Long::sum);
                Matcher category = CATEGORY.matcher(text);
                kinds.merge(record.topic().replace("mass-message.update.", "") + " " + provider
                        + (category.find() ? " " + category.group(1) : ""), 1L, Long::sum);
            }
        }
        return this;
    }

    private static String provider(String json) {
        Matcher m = PROVIDER.matcher(json);
        return m.find() ? m.group(1) : "?";
    }

    /** Polls until {@code ids} all have an answer or {@code limit} passes; returns whether they do. */
    boolean awaitAnswered(Set<String> ids, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            poll();
            if (withoutAnswer(ids) == 0) {
                return true;
            }
        }
        return false;
    }

    /** Polls for {@code duration}, counting what arrives meanwhile. */
    void pollFor(Duration duration) {
        settle(duration);
    }

    /** Polls for {@code quiet}: lets anything still on its way (a replay, a late duplicate) arrive. */
    void settle(Duration quiet) {
        long until = System.nanoTime() + quiet.toNanos();
        while (System.nanoTime() < until) {
            poll();
        }
    }

    long withoutAnswer(Set<String> ids) {
        return ids.stream().filter(id -> !answers.containsKey(id)).count();
    }

    /** Answers beyond the first, over all commands. */
    long duplicates() {
        return answers.values().stream().mapToLong(n -> n - 1L).sum();
    }

    long answered() {
        return answers.size();
    }

    /**
     * Provider calls beyond one per command of {@code sent}, from the provider's count of {@code calls}: the
     * commands answered without a call ({@code attempts: 0}, such as those rate-limited by the relay's own budget)
     * are not expected to have one.
     */
    long repeatedCalls(long calls, Set<String> sent) {
        long expected = sent.stream().filter(id -> answers.containsKey(id) && !withoutCall.contains(id)).count();
        return calls - expected;
    }

    /** Commands answered after at least one provider call. */
    long answeredWithCall() {
        return answers.size() - withoutCall.size();
    }

    long events() {
        return events;
    }

    /** Answer records per topic. */
    Map<String, Long> byTopic() {
        return Map.copyOf(byTopic);
    }

    /** Answers per "topic provider [category]", for instance "failed fansly expired". */
    Map<String, Long> kinds() {
        return Map.copyOf(kinds);
    }

    /** Answers per "topic provider minute" (the record's timestamp minute since the epoch). */
    Map<String, Long> perMinute() {
        return Map.copyOf(minuteOf);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
