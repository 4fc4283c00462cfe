package io.massmessage.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.confluent.parallelconsumer.ParallelConsumerOptions;
import io.confluent.parallelconsumer.ParallelConsumerOptions.ProcessingOrder;
import io.confluent.parallelconsumer.vertx.VertxParallelEoSStreamProcessor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What a team would write instead of the relay: Confluent's Parallel Consumer with its Vert.x module, ordered by
 * Kafka key, {@code PEER_CONCURRENCY} records at once. Each record is one non-blocking OnlyFansAPI {@code PUT} (the
 * contract's mapping of {@code text}, {@code price} and {@code scheduledAt}) whose outcome is on the broker before
 * the record counts as done, so offsets commit at least once, as the relay's do. It validates nothing and neither
 * retries nor rate-limits: per command it does less than the relay.
 */
public final class ParallelConsumerPeer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ParallelConsumerPeer() {
    }

    public static void main(String[] args) {
        String bootstrap = env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:29092");
        String base = env("PROVIDERS_ONLYFANSAPI_BASE_URL", "http://127.0.0.1:18081");
        String key = env("PROVIDERS_ONLYFANSAPI_API_KEY", "bench-key");
        int concurrency = Integer.parseInt(env("PEER_CONCURRENCY", "512"));
        var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "side-by-side-peer", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(),
                new StringDeserializer());
        var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(), new StringSerializer());
        Vertx vertx = Vertx.vertx();
        // the Web Client's own pool (5 per host by default) would otherwise be the concurrency
        WebClient http = WebClient.create(vertx, new WebClientOptions().setMaxPoolSize(concurrency));
        var processor = new VertxParallelEoSStreamProcessor<String, String>(vertx, http,
                ParallelConsumerOptions.<String, String>builder().consumer(consumer).ordering(ProcessingOrder.KEY)
                        .maxConcurrency(concurrency).build());
        processor.subscribe(List.of(Topics.COMMANDS));
        processor.vertxFuture(context -> {
            JsonNode command = read(context.value());
            String account = command.path("account").asText();
            String message = command.path("messageId").asText();
            return http.putAbs(base + "/api/" + segment(account) + "/mass-messaging/" + segment(message))
                    .bearerTokenAuthentication(key).putHeader("Content-Type", "application/json")
                    .sendBuffer(Buffer.buffer(body(command.path("update"))))
                    .compose(response -> send(producer, outcome(command, response.statusCode())));
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            processor.closeDrainFirst();
            producer.close();
        }));
    }

    private static String body(JsonNode update) {
        ObjectNode body = JSON.createObjectNode();
        for (String field : List.of("text", "price")) {
            if (update.has(field)) {
                body.set(field, update.get(field));
            }
        }
        if (update.has("scheduledAt")) {
            body.set("scheduledDate", update.get("scheduledAt"));
        }
        return body.toString();
    }

    private static ProducerRecord<String, String> outcome(JsonNode command, int status) {
        boolean ok = status >= 200 && status < 300;
        ObjectNode event = JSON.createObjectNode().put("commandId", command.path("commandId").asText())
                .put("provider", command.path("provider").asText()).put("account", command.path("account").asText())
                .put("messageId", command.path("messageId").asText()).put("outcome", ok ? "succeeded" : "failed")
                .put("httpStatus", status);
        return new ProducerRecord<>(ok ? Topics.SUCCEEDED : Topics.FAILED, command.path("provider").asText() + ":"
                + command.path("account").asText() + ":" + command.path("messageId").asText(), event.toString());
    }

    private static Future<Void> send(KafkaProducer<String, String> producer, ProducerRecord<String, String> record) {
        Promise<Void> sent = Promise.promise();
        producer.send(record, (metadata, failure) -> {
            if (failure == null) {
                sent.complete();
            } else {
                sent.fail(failure);
            }
        });
        return sent.future();
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
