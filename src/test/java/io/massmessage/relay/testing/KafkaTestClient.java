package io.massmessage.relay.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A plain Kafka producer and a consumer that reads the result topics from the beginning, for
 * tests and tools. {@link #poll()} accumulates everything read; tests filter by their own ids.
 */
public final class KafkaTestClient implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<ConsumerRecord<byte[], byte[]>> seen = new CopyOnWriteArrayList<>();

    public KafkaTestClient(String bootstrapServers, String... readTopics) {
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, "5",
                // tests send records larger than the default 1 MiB (to topics that take them)
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(8 << 20),
                ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L << 20)),
                new ByteArraySerializer(), new ByteArraySerializer());
        consumer = reader(bootstrapServers);
        List<TopicPartition> partitions = partitions(consumer, List.of(readTopics));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /**
     * The partitions of {@code topics}, waiting (up to 60 s) until the consumer's metadata knows each topic: a topic
     * created a moment ago can be missing from it under load, and a reader assigned no partition of it reads nothing.
     */
    public static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, List<String> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (String topic : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            while (infos.isEmpty() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
                infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            }
            if (infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " has no partitions in the consumer's metadata");
            }
            infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        return partitions;
    }

    /** A consumer of raw records outside any group (assign it partitions), up to 5,000 records a poll; close it. */
    public static KafkaConsumer<byte[], byte[]> reader(String bootstrapServers) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Sends one record and waits for the broker's acknowledgement. */
    public void send(String topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value))
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public void send(String topic, String key, String value) {
        send(topic, key, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one record with the given headers and waits for the broker's acknowledgement. */
    public void send(String topic, String key, String value, Map<String, String> headers) {
        var record = new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
        headers.forEach((name, text) -> record.headers().add(name, text.getBytes(StandardCharsets.UTF_8)));
        try {
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends the records in order, then waits for all acknowledgements; returns where each landed. */
    public List<RecordMetadata> sendRecords(List<ProducerRecord<byte[], byte[]>> records) {
        var futures = records.stream().map(producer::send).toList();
        List<RecordMetadata> landed = new ArrayList<>();
        try {
            for (var future : futures) {
                landed.add(future.get());
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return landed;
    }

    /** Sends many records, then waits for all acknowledgements. */
    public void sendAll(String topic, List<Map.Entry<String, String>> keyedValues) {
        var futures = keyedValues.stream().map(e -> producer.send(new ProducerRecord<>(topic,
                e.getKey().getBytes(StandardCharsets.UTF_8), e.getValue().getBytes(StandardCharsets.UTF_8))))
                .collect(Collectors.toList());
        producer.flush();
        for (var future : futures) {
            try {
                future.get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Reads what has arrived since the last poll; returns everything read so far. */
    public List<ConsumerRecord<byte[], byte[]>> poll() {
        List<ConsumerRecord<byte[], byte[]>> arrived = new ArrayList<>();
        consumer.poll(Duration.ofMillis(200)).forEach(arrived::add);
        // one copy of the list per poll, not per record: with 20,000 outcomes a copy per record was
        // 15 % of the benchmark harness's CPU, on the cores the service under test uses
        seen.addAll(arrived);
        return seen;
    }

    /** Everything read so far that matches. */
    public List<ConsumerRecord<byte[], byte[]>> seen(Predicate<ConsumerRecord<byte[], byte[]>> filter) {
        return seen.stream().filter(filter).collect(Collectors.toList());
    }

    public static String text(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8); // a tombstone reads as empty
    }

    public static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : text(header.value());
    }

    @Override
    public void close() {
        producer.close();
        consumer.close();
    }
}
