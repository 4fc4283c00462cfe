package io.massmessage.relay.outcome;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.massmessage.relay.config.Channels;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.inject.Singleton;
import java.time.Clock;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Publishes outcome events, as JSON written here with Jackson, to the topic of their outcome, keyed
 * {@code {provider}:{account}:{messageId}}. The returned Uni completes once the broker has
 * acknowledged the record (acks=all), so a command's offset is committed only after its outcome is safe.
 */
@Singleton
public final class OutcomePublisher {

    private final MutinyEmitter<String> succeeded;
    private final MutinyEmitter<String> failed;
    private final MutinyEmitter<String> rateLimited;
    private final ObjectMapper mapper;
    private final Clock clock;

    public OutcomePublisher(
            @Channel(Channels.SUCCEEDED) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER) MutinyEmitter<String> succeeded,
            @Channel(Channels.FAILED) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER) MutinyEmitter<String> failed,
            @Channel(Channels.RATE_LIMITED) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER) MutinyEmitter<String> rateLimited,
            ObjectMapper mapper, Clock clock) {
        this.succeeded = succeeded;
        this.failed = failed;
        this.rateLimited = rateLimited;
        this.mapper = mapper;
        this.clock = clock;
    }

    /** Publishes the outcome; completes when the broker has it. */
    public Uni<Void> publish(Outcome outcome) {
        OutcomeEvent event = OutcomeEvent.of(outcome, clock.instant());
        String json;
        try {
            json = mapper.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        String key = outcome.command().messageKey();
        Message<String> message = Message.of(json).addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build());
        return emitterFor(outcome).sendMessage(message);
    }

    private MutinyEmitter<String> emitterFor(Outcome outcome) {
        if (outcome instanceof Outcome.Succeeded) {
            return succeeded;
        }
        return outcome instanceof Outcome.RateLimited ? rateLimited : failed;
    }
}
