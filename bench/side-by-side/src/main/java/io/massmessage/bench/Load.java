package io.massmessage.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The side-by-side benchmark's feed and stopwatch. It sees a peer only through the topics, so it measures the relay
 * and the Parallel Consumer peer alike.
 *
 * <pre>
 * reset PARTITIONS                      every consumer group and topic deleted; the contract's five topics and the
 *                                       relay's two state topics made again, PARTITIONS each
 * produce N MESSAGES ACCOUNT KEYS RUN   N OnlyFansAPI commands of ACCOUNT round-robin over MESSAGES message ids, keyed
 *                                       by message ("message") or by account ("account"), ids RUN-SEQ
 * drain N TIMEOUT_S                     the outcome topics read from the start until N outcomes: duplicates, order
 *                                       per message, first to last outcome
 * </pre>
 */
public final class Load {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BOOTSTRAP = System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:29092");

    private Load() {
    }

    public static void main(String[] args) throws Exception {
        switch (args.length == 0 ? "" : args[0]) {
            case "reset" -> reset(Integer.parseInt(args[1]));
            case "produce" -> produce(Integer.parseInt(args[1]), Integer.parseInt(args[2]), args[3],
                    args[4].equals("account"), args[5]);
            case "drain" -> drain(Integer.parseInt(args[1]), Long.parseLong(args[2]));
            default -> throw new IllegalArgumentException(
                    "usage: reset PARTITIONS | produce N MESSAGES ACCOUNT message|account RUN | drain N TIMEOUT_S");
        }
    }

    private static void reset(int partitions) throws Exception {
        List<String> topics = new ArrayList<>(List.of(Topics.COMMANDS, Topics.DEAD_LETTER));
        topics.addAll(Topics.OUTCOMES);
        topics.addAll(Topics.STATE);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", BOOTSTRAP))) {
            for (ConsumerGroupListing group : admin.listConsumerGroups().all().get()) {
                // a stopped peer's member stays in its group until its session ends
                untilAccepted(() -> admin.deleteConsumerGroups(List.of(group.groupId())).all().get(),
                        GroupNotEmptyException.class);
            }
            Set<String> existing = admin.listTopics().names().get();
            admin.deleteTopics(topics.stream().filter(existing::contains).toList()).all().get();
            for (String topic : topics) {
                // a deleted topic's name stays taken for a moment
                untilAccepted(() -> admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all()
                        .get(), TopicExistsException.class);
            }
        }
    }

    private static void produce(int n, int messages, String account, boolean accountKeys, String run) {
        Instant issued = Instant.now();
        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", BOOTSTRAP),
                new StringSerializer(), new StringSerializer())) {
            for (int seq = 0; seq < n; seq++) {
                String message = Integer.toString(1_000_000 + seq % messages);
                String command = "{\"commandId\":\"" + run + "-" + seq + "\",\"provider\":\"onlyfansapi\",\"account\":\""
                        + account + "\",\"messageId\":\"" + message + "\",\"issuedAt\":\"" + issued.plusMillis(seq)
                        + "\",\"update\":{\"text\":\"update " + seq + "\"}}";
                String key = "onlyfansapi:" + account + (accountKeys ? "" : ":" + message);
                producer.send(new ProducerRecord<>(Topics.COMMANDS, key, command));
            }
        }
    }

    private static void drain(int n, long timeoutSeconds) throws Exception {
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", BOOTSTRAP),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : Topics.OUTCOMES) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<String, Long> lastByMessage = new HashMap<>();
            Set<String> ids = new HashSet<>();
            long first = Long.MAX_VALUE;
            long last = 0;
            long deadline = System.currentTimeMillis() + timeoutSeconds * 1000;
            int count = 0;
            int notSucceeded = 0;
            int outOfOrder = 0;
            while (count < n && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    count++;
                    first = Math.min(first, record.timestamp());
                    last = Math.max(last, record.timestamp());
                    notSucceeded += record.topic().equals(Topics.SUCCEEDED) ? 0 : 1;
                    String id = JSON.readTree(record.value()).path("commandId").asText();
                    ids.add(id);
                    long seq = Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
                    Long previous = lastByMessage.put(record.key(), seq);
                    outOfOrder += previous != null && previous > seq ? 1 : 0;
                }
            }
            long span = Math.max(1, last - first);
            System.out.printf("drained %d/%d (not succeeded %d, duplicates %d, out of order %d) in %d ms, %.1f cmd/s%n",
                    count, n, notSucceeded, count - ids.size(), outOfOrder, span, (count - 1) * 1000.0 / span);
            if (count < n) {
                System.exit(1);
            }
        }
    }

    private interface AdminCall {
        void run() throws Exception;
    }

    /** Repeats {@code call} while it fails with {@code passing}, for up to a minute. */
    private static void untilAccepted(AdminCall call, Class<? extends Exception> passing) throws Exception {
        for (int attempt = 1;; attempt++) {
            try {
                call.run();
                return;
            } catch (ExecutionException e) {
                if (!passing.isInstance(e.getCause()) || attempt == 300) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }
}
