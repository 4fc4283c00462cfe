package io.massmessage.relay.outcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The hand-over to the sending thread: in order, once per event-loop turn, and nothing left behind at close. */
class RecordSenderTest {

    private final Vertx vertx = Vertx.vertx();
    private final MockProducer<String, String> producer = new MockProducer<>(true, null, new StringSerializer(),
            new StringSerializer());
    private final RecordSender<String, String> sender = new RecordSender<>(producer, "test-sender");

    @AfterEach
    void close() {
        sender.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void recordsHandedOverInOneTurnOfAnEventLoopAreSentAfterItInOrder() throws Exception {
        List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
        CompletableFuture<Integer> sentDuringTheTurn = new CompletableFuture<>();
        vertx.runOnContext(turn -> {
            for (int i = 0; i < 200; i++) {
                sent.add(sender.sendAt(new ProducerRecord<>("outcomes", "key-" + i, "value-" + i))
                        .subscribeAsCompletionStage());
            }
            sentDuringTheTurn.complete(producer.history().size());
        });
        assertThat(sentDuringTheTurn.get(5, TimeUnit.SECONDS)).as("the sending thread waits for the turn's end")
                .isZero();
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        assertThat(producer.history()).extracting(ProducerRecord::value)
                .containsExactlyElementsOf(IntStream.range(0, 200).mapToObj(i -> "value-" + i)
                        .toList());
    }

    @Test
    void recordsHandedOverOffAnEventLoopAndOnOneKeepTheirOrderPerThread() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        List<CompletableFuture<RecordMetadata>> sent = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> looped = new CompletableFuture<>();
        vertx.runOnContext(turn -> {
            for (int i = 0; i < 50; i++) {
                sent.add(sender.sendAt(new ProducerRecord<>("outcomes", "loop", "loop-" + i))
                        .subscribeAsCompletionStage());
            }
            looped.complete(null);
        });
        for (int i = 0; i < 50; i++) {
            sent.add(sender.sendAt(new ProducerRecord<>("outcomes", "main", "main-" + i)).subscribeAsCompletionStage());
        }
        looped.get(5, TimeUnit.SECONDS);
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        producer.history().forEach(record -> order.add(record.value()));
        assertThat(order).hasSize(100);
        assertThat(order.stream().filter(value -> value.startsWith("loop-")))
                .containsExactlyElementsOf(IntStream.range(0, 50).mapToObj(i -> "loop-" + i).toList());
        assertThat(order.stream().filter(value -> value.startsWith("main-")))
                .containsExactlyElementsOf(IntStream.range(0, 50).mapToObj(i -> "main-" + i).toList());
    }

    @Test
    void aClosedSenderFailsWhatIsHandedOver() {
        RecordSender<String, String> closed = new RecordSender<>(new MockProducer<>(true, null,
                new StringSerializer(), new StringSerializer()), "closed-sender");
        closed.close();
        assertThatThrownBy(() -> closed.sendAt(new ProducerRecord<>("outcomes", "k", "v")).await()
                .atMost(Duration.ofSeconds(5))).isInstanceOf(RejectedExecutionException.class);
    }
}
