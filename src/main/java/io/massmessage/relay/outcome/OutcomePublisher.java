package io.massmessage.relay.outcome;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.massmessage.relay.config.Channels;
import io.massmessage.relay.config.RelayConfig;
import io.massmessage.relay.tracing.CommandSpans;
import io.opentelemetry.context.Context;
import org.apache.kafka.common.header.internals.RecordHeaders;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Clock;
import java.time.ZoneOffset;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Publishes outcome events, as JSON written here with Jackson, to the topic of their outcome, keyed
 * {@code {provider}:{account}:{messageId}}. The returned Uni completes once the broker has
 * acknowledged the record (acks=all), so a command's offset is committed only after its outcome is safe.
 *
 * <p>Each record is also a CloudEvent in the Kafka binary mode: the body stays the JSON of CONTRACT §3,
 * and the connector writes {@code ce_specversion}, {@code ce_id}, {@code ce_type}, {@code ce_source},
 * {@code ce_subject}, {@code ce_time} and {@code content-type} headers. {@code ce_type} is
 * {@value #TYPE_PREFIX}{@code <outcome>}, {@code ce_source} is {@code relay.cloud-events-source};
 * {@code ce_id} is the command's id, so a replayed command's outcome carries the same id and
 * CloudEvents consumers can drop the duplicate; {@code ce_subject} is the record key.
 */
@Singleton
public final class OutcomePublisher {

    /** The CloudEvents type of an outcome record, followed by the outcome's name. */
    public static final String TYPE_PREFIX = "io.massmessage.relay.update.";

    private final MutinyEmitter<String> succeeded;
    private final MutinyEmitter<String> failed;
    private final MutinyEmitter<String> rateLimited;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final URI source;
    private final CommandSpans spans;

    public OutcomePublisher(
            @Channel(Channels.SUCCEEDED) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER) MutinyEmitter<String> succeeded,
            @Channel(Channels.FAILED) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER) MutinyEmitter<String> failed,
            @Channel(Channels.RATE_LIMITED) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER) MutinyEmitter<String> rateLimited,
            ObjectMapper mapper, Clock clock, RelayConfig config, CommandSpans spans) {
        this.spans = spans;
        this.succeeded = succeeded;
        this.failed = failed;
        this.rateLimited = rateLimited;
        this.mapper = mapper;
        this.clock = clock;
        this.source = URI.create(config.cloudEventsSource());
    }

    /**
     * Publishes the outcome as part of the command's trace (the record carries the {@code traceparent}
     * of the command's span, {@link CommandSpans}) and names the command record it answers
     * ({@code origin}, see {@link Origin}; null when not known); completes when the broker has it.
     */
    public Uni<Void> publish(Outcome outcome, Context trace, Origin origin) {
        OutcomeEvent event = OutcomeEvent.of(outcome, clock.instant());
        String json;
        try {
            json = mapper.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        String key = outcome.command().messageKey();
        RecordHeaders headers = new RecordHeaders();
        spans.inject(trace, headers);
        if (origin != null) {
            origin.writeTo(headers);
        }
        Message<String> message = Message.of(json)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).withHeaders(headers).build())
                .addMetadata(OutgoingCloudEventMetadata.builder()
                        .withId(event.commandId())
                        .withType(TYPE_PREFIX + event.outcome())
                        .withSource(source)
                        .withSubject(key)
                        .withTimestamp(event.occurredAt().atZone(ZoneOffset.UTC))
                        .withDataContentType("application/json")
                        .build());
        return emitterFor(outcome).sendMessage(message);
    }

    private MutinyEmitter<String> emitterFor(Outcome outcome) {
        if (outcome instanceof Outcome.Succeeded) {
            return succeeded;
        }
        return outcome instanceof Outcome.RateLimited ? rateLimited : failed;
    }
}
