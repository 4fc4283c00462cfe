package io.massmessage.relay.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.massmessage.relay.outcome.OutcomeSender;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rehearsal's broker, to the relay's own (idempotent, acks=all) producer: every record acknowledged, none kept. */
class LoopbackBrokerTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.closeAndAwait();
    }

    @Test
    void acknowledgesEveryRecordWithOffsetsCountedPerPartition() {
        LoopbackBroker broker = LoopbackBroker.start(vertx).await().atMost(Duration.ofSeconds(10));
        OutcomeSender sender = OutcomeSender.rehearsing(broker.bootstrapServers(), Duration.ofSeconds(5));
        try {
            List<Uni<RecordMetadata>> sends = new ArrayList<>();
            for (int n = 0; n < 1_000; n++) {
                // keyed records on three topics, and some to a partition named by the sender, as the history's are
                Integer partition = n % 5 == 0 ? n % LoopbackBroker.PARTITIONS : null;
                sends.add(sender.send(new ProducerRecord<>("topic-" + n % 3, partition, "key-" + n % 97,
                        "{\"n\":" + n + "}")));
            }
            List<RecordMetadata> acknowledged = Uni.join().all(sends).andFailFast().await()
                    .atMost(Duration.ofSeconds(30));
            Map<String, List<Long>> offsets = new HashMap<>();
            acknowledged
                    .forEach(at -> offsets.computeIfAbsent(at.topic() + "-" + at.partition(), p -> new ArrayList<>())
                            .add(at.offset()));
            assertThat(offsets.keySet()).hasSizeGreaterThan(3);
            offsets.values().forEach(each -> assertThat(each).isSorted().startsWith(0L).doesNotHaveDuplicates()
                    .last().isEqualTo((long) each.size() - 1));
            assertThat(broker.records()).isEqualTo(1_000);
        } finally {
            sender.close();
        }
    }

    @Test
    void aSenderWithoutItsBrokerFailsSoon() {
        LoopbackBroker broker = LoopbackBroker.start(vertx).await().atMost(Duration.ofSeconds(10));
        String address = broker.bootstrapServers();
        broker.close().await().atMost(Duration.ofSeconds(10));
        OutcomeSender sender = OutcomeSender.rehearsing(address, Duration.ofMillis(500));
        try {
            assertThatThrownBy(() -> sender.send(new ProducerRecord<>("topic", "key", "value")).await()
                    .atMost(Duration.ofSeconds(10))).hasMessageContaining("500 ms");
        } finally {
            sender.close();
        }
    }
}
