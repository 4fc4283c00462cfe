package io.massmessage.relay.metrics;

import io.massmessage.relay.config.Channels;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.consumer.Consumer;
import org.jboss.logging.Logger;

/**
 * The command consumer's own Kafka client metrics (Micrometer's {@link KafkaClientMetrics}), among
 * them consumer lag: {@code kafka_consumer_fetch_manager_records_lag_max} and, per partition,
 * {@code kafka_consumer_fetch_manager_records_lag{topic,partition}}. Micrometer swaps metrics that
 * come and go with the assignment (a client-level metric gives way to its per-partition kind) on each
 * refresh; every {@link #REFRESH} here rather than its default minute, which left the lag unexported
 * for up to a minute after partitions moved. Tags are client,
 * topic and partition: bounded. The connector creates its consumer during start-up, so binding retries each
 * second until the consumer exists.
 */
@ApplicationScoped
public class KafkaClientGauges {

    private static final Logger LOG = Logger.getLogger(KafkaClientGauges.class);

    static final Duration REFRESH = Duration.ofSeconds(5);

    private KafkaClientMetrics bound;
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "kafka-client-metrics-refresh");
        thread.setDaemon(true);
        return thread;
    });

    void bind(@Observes StartupEvent event, KafkaClientService clients, MeterRegistry registry, Vertx vertx) {
        tryBind(clients, registry, vertx);
    }

    /**
     * Binds once the consumer exists, else tries again in a second. A one-shot timer each time: cancelling a
     * periodic timer from its first, immediate run threw in Vert.x (its future not yet set), which left the
     * metrics unbound for the life of the process.
     */
    private void tryBind(KafkaClientService clients, MeterRegistry registry, Vertx vertx) {
        var consumer = clients.getConsumer(Channels.COMMANDS);
        if (consumer == null) {
            vertx.setTimer(1000, timer -> tryBind(clients, registry, vertx));
            return;
        }
        Consumer<?, ?> kafka = consumer.unwrap();
        synchronized (this) {
            bound = new KafkaClientMetrics(kafka, List.of(), refresher, REFRESH);
            bound.bindTo(registry);
        }
        LOG.debug("bound the command consumer's Kafka client metrics");
    }

    synchronized void close(@Observes ShutdownEvent event) {
        if (bound != null) {
            bound.close();
        }
        refresher.shutdownNow();
    }
}
