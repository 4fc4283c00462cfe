package io.massmessage.relay.outcome;

import io.massmessage.relay.command.InvalidCommandException;
import io.massmessage.relay.config.KafkaClientSettings;
import io.massmessage.relay.config.RelayConfig;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.fault.KafkaDeadLetterQueue;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Writes dead letters: the command record's key and value, unchanged, to the dead-letter topic, with
 * headers saying why and where from (CONTRACT §1). A dead letter always lands:
 * <ul>
 * <li>one the broker (or the producer's {@code max.request.size}) refuses for its size is written again
 * with its value cut, halving until it fits, and {@code dead-letter-truncated: true},
 * {@code dead-letter-original-size} and {@code dead-letter-original-sha256};</li>
 * <li>any other failure (broker away, topic missing, not authorised) is retried with backoff until it
 * lands or the partition is no longer this replica's ({@code keepTrying}): the partition's commit waits,
 * no other partition does.</li>
 * </ul>
 * The relay's own headers come first; the command's headers follow, without any named
 * {@code dead-letter-*} or {@code relay-*}, so a command cannot forge where a dead letter comes from.
 *
 * <p>Why not the connector's dead-letter-queue strategy: it appends the command's headers after its own
 * (a forged {@code dead-letter-offset} is the one {@code lastHeader} reads), cannot truncate, gives up
 * after the producer's delivery timeout, and a single refused record marks its sink's liveness DOWN
 * for the life of the process.
 */
@Singleton
public final class DeadLetterWriter {

    private static final Logger LOG = Logger.getLogger(DeadLetterWriter.class);

    /** Header names: the SmallRye Kafka connector's own where it has one. */
    public static final String REASON = KafkaDeadLetterQueue.DEAD_LETTER_REASON;
    public static final String CAUSE = KafkaDeadLetterQueue.DEAD_LETTER_CAUSE;
    public static final String TOPIC = KafkaDeadLetterQueue.DEAD_LETTER_TOPIC;
    public static final String PARTITION = KafkaDeadLetterQueue.DEAD_LETTER_PARTITION;
    public static final String OFFSET = KafkaDeadLetterQueue.DEAD_LETTER_OFFSET;
    public static final String TRUNCATED = "dead-letter-truncated";
    public static final String ORIGINAL_SIZE = "dead-letter-original-size";
    public static final String ORIGINAL_SHA256 = "dead-letter-original-sha256";

    /** Longest {@code dead-letter-reason}, in characters. */
    public static final int MAX_REASON_CHARS = InvalidCommandException.MAX_REASON_CHARS;
    /** Bytes kept free for key, headers and record overhead when a value is cut to the request limit. */
    private static final int OVERHEAD = 16 * 1024;

    private final RecordSender<byte[], byte[]> sender;
    private final String topic;
    private final int maxRequestBytes;
    private final Backoff backoff;
    private volatile boolean closed;

    @Inject
    public DeadLetterWriter(RelayConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafka,
            @ConfigProperty(name = "mp.messaging.incoming.commands.dead-letter-queue.topic") String topic) {
        this(new KafkaProducer<>(producerConfig(kafka, config.deadLetter())), topic,
                config.deadLetter().maxRequestBytes(),
                new Backoff(config.publishRetry()));
    }

    DeadLetterWriter(Producer<byte[], byte[]> producer, String topic, int maxRequestBytes, Backoff backoff) {
        // KafkaProducer.send blocks while it has no metadata (broker away): never on an event loop
        this.sender = new RecordSender<>(producer, "relay-dead-letter-sender");
        this.topic = topic;
        this.maxRequestBytes = maxRequestBytes;
        this.backoff = backoff;
    }

    static Map<String, Object> producerConfig(Map<String, Object> kafka, RelayConfig.DeadLetter config) {
        Map<String, Object> props = KafkaClientSettings.durableProducer(kafka, "mass-message-relay-dead-letters",
                ByteArraySerializer.class);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, config.maxRequestBytes());
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(32L << 20, 2L * config.maxRequestBytes()));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return props;
    }

    /** Where a dead letter comes from and why. */
    public record DeadLetter(String sourceTopic, int sourcePartition, long sourceOffset, byte[] key, byte[] value,
            Headers commandHeaders, String cause, String reason) {}

    /**
     * Writes the dead letter; completes once the broker has it (a truncated copy if it had to be), or fails
     * with the last error once {@code keepTrying} says no (the partition was taken away, or the service stops).
     */
    public Uni<Void> write(DeadLetter letter, BooleanSupplier keepTrying) {
        return attempt(letter, Shape.whole(letter.value()), keepTrying, 0);
    }

    /**
     * What is sent of a dead letter: the whole value; or its first {@code value.length} bytes ({@code cut});
     * or, when even an empty value was refused, no value and none of the command's headers ({@code bare}).
     */
    private record Shape(byte[] value, boolean cut, boolean bare) {
        static Shape whole(byte[] value) {
            return new Shape(value, false, false);
        }

        int length() {
            return value == null ? 0 : value.length;
        }

        /** The next smaller shape: first cut to what the producer may send, then halved, then bare; null when bare. */
        Shape smaller(int requestLimit) {
            if (bare) {
                return null;
            }
            int length = length();
            if (cut && length == 0) {
                return new Shape(new byte[0], true, true);
            }
            int next = !cut && length > requestLimit ? requestLimit : length / 2;
            return new Shape(value == null ? new byte[0] : Arrays.copyOf(value, next), true, false);
        }
    }

    private Uni<Void> attempt(DeadLetter letter, Shape shape, BooleanSupplier keepTrying, int failures) {
        return sender.send(record(letter, shape)).onFailure().recoverWithUni(failure -> {
            if (closed || !keepTrying.getAsBoolean()) {
                return Uni.createFrom().failure(failure);
            }
            Shape smaller = isTooLarge(failure) ? shape.smaller(Math.max(0, maxRequestBytes - OVERHEAD)) : null;
            if (smaller != null) {
                LOG.warnf("dead letter of %s-%d@%d refused for its size (%d value bytes): writing it cut to %d bytes%s",
                        letter.sourceTopic(), letter.sourcePartition(), letter.sourceOffset(), shape.length(),
                        smaller.length(), smaller.bare() ? ", without the command's headers" : "");
                return attempt(letter, smaller, keepTrying, failures);
            }
            Duration wait = backoff.after(failures);
            LOG.warnf("dead letter of %s-%d@%d not written (%s); retrying in %d ms", letter.sourceTopic(),
                    letter.sourcePartition(), letter.sourceOffset(), failure.getClass().getSimpleName(),
                    wait.toMillis());
            return Uni.createFrom().voidItem().onItem().delayIt().by(wait)
                    .chain(() -> attempt(letter, shape, keepTrying, failures + 1));
        });
    }

    static boolean isTooLarge(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RecordTooLargeException) {
                return true;
            }
        }
        return false;
    }

    private ProducerRecord<byte[], byte[]> record(DeadLetter letter, Shape shape) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON, utf8(bounded(letter.reason(), shape.bare() ? 256 : MAX_REASON_CHARS)));
        headers.add(CAUSE, utf8(letter.cause()));
        headers.add(TOPIC, utf8(letter.sourceTopic()));
        headers.add(PARTITION, utf8(Integer.toString(letter.sourcePartition())));
        headers.add(OFFSET, utf8(Long.toString(letter.sourceOffset())));
        if (shape.cut()) {
            byte[] original = letter.value();
            headers.add(TRUNCATED, utf8("true"));
            headers.add(ORIGINAL_SIZE, utf8(Integer.toString(original == null ? 0 : original.length)));
            headers.add(ORIGINAL_SHA256, utf8(sha256(original)));
        }
        if (letter.commandHeaders() != null && !shape.bare()) {
            for (Header header : letter.commandHeaders()) {
                if (!isReserved(header.key())) {
                    headers.add(header);
                }
            }
        }
        return new ProducerRecord<>(topic, null, letter.key(), shape.value(), headers);
    }

    /** Header names a command record may not bring into its dead letter: the relay's own and the connector's. */
    static boolean isReserved(String name) {
        String lower = name == null ? "" : name.toLowerCase(Locale.ROOT);
        return lower.startsWith("dead-letter-") || lower.startsWith("relay-");
    }

    static String bounded(String reason, int max) {
        if (reason == null) {
            return "";
        }
        return reason.length() <= max ? reason : reason.substring(0, max - 1) + "…";
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String sha256(byte[] value) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(value == null ? new byte[0] : value));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @PreDestroy
    void close() {
        closed = true;
        sender.close();
    }
}
