package io.massmessage.relay.health;

import io.massmessage.relay.config.KafkaClientSettings;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Readiness DOWN while the relay cannot reach the broker: every few seconds it asks for the cluster's
 * brokers with the same settings (address, TLS, SASL) as every other client of the relay, and reports why it
 * could not (unreachable, TLS refused, credentials refused), never a secret. Liveness does not follow: the
 * relay resumes by itself when the broker is back, with every outcome it computed meanwhile still to publish.
 */
@Readiness
@ApplicationScoped
public class KafkaBrokerHealthCheck implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(KafkaBrokerHealthCheck.class);
    static final Duration INTERVAL = Duration.ofSeconds(5);
    /** How long one check waits for the broker: an answer is in before the next check starts. */
    private static final int ANSWER_WITHIN_MS = (int) INTERVAL.toMillis() - 1000;
    private static final int MAX_REASON_CHARS = 300;

    private final Map<String, Object> kafka;
    private final Vertx vertx;
    private volatile Admin admin;
    private volatile long timer = -1;
    private volatile String problem = "not checked yet";
    private volatile Instant since = Instant.now();

    public KafkaBrokerHealthCheck(@Identifier("default-kafka-broker") Map<String, Object> kafka, Vertx vertx) {
        this.kafka = kafka;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        Map<String, Object> props = KafkaClientSettings.shared(kafka);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "mass-message-relay-health");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ANSWER_WITHIN_MS);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ANSWER_WITHIN_MS);
        admin = Admin.create(props);
        check();
        timer = vertx.setPeriodic(INTERVAL.toMillis(), id -> check());
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        Admin current = admin;
        if (current != null) {
            current.close(Duration.ofSeconds(1));
        }
    }

    private void check() {
        Admin current = admin;
        if (current == null) {
            return;
        }
        // asynchronous: the Admin client's own thread does the work, nothing waits here
        current.describeCluster(new DescribeClusterOptions().timeoutMs(ANSWER_WITHIN_MS)).nodes()
                .whenComplete((nodes, failure) -> {
                    String now = failure != null ? describe(failure)
                            : nodes.isEmpty() ? "the cluster reports no broker" : null;
                    changed(now);
                });
    }

    private synchronized void changed(String now) {
        String before = problem;
        if (now == null ? before == null : now.equals(before)) {
            return;
        }
        problem = now;
        since = Instant.now();
        if (now == null) {
            LOG.infof("Kafka broker reachable again%s", before == null ? "" : " (was: " + before + ")");
        } else {
            LOG.warnf("Kafka broker not usable: %s; readiness is DOWN until it is, outcomes wait to be published", now);
        }
    }

    /** The failure's kind and Kafka's own words, which name the problem (timeout, TLS, SASL) and never a password. */
    static String describe(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String kind = cause instanceof TimeoutException
                ? "unreachable (no answer within " + ANSWER_WITHIN_MS + " ms)"
                : cause instanceof SaslAuthenticationException
                        ? "SASL authentication refused"
                        : cause instanceof SslAuthenticationException
                                ? "TLS handshake refused"
                                : cause instanceof AuthorizationException
                                        ? "not authorised"
                                        : cause.getClass().getSimpleName();
        String words = cause.getMessage() == null ? "" : ": " + cause.getMessage().replaceAll("\\p{Cntrl}", " ");
        String text = kind + words;
        return text.length() <= MAX_REASON_CHARS ? text : text.substring(0, MAX_REASON_CHARS) + "…";
    }

    @Override
    public HealthCheckResponse call() {
        String current = problem;
        return current == null
                ? HealthCheckResponse.named("kafka-broker").up().withData("since", since.toString()).build()
                : HealthCheckResponse.named("kafka-broker").down().withData("problem", current)
                        .withData("since", since.toString()).build();
    }
}
