package io.massmessage.relay.flow;

import io.massmessage.relay.command.CommandParser;
import io.massmessage.relay.command.InvalidCommandException;
import io.massmessage.relay.command.UpdateCommand;
import io.massmessage.relay.config.Channels;
import io.massmessage.relay.config.RelayConfig;
import io.massmessage.relay.logging.CommandLog;
import io.massmessage.relay.metrics.RelayMetrics;
import io.massmessage.relay.outcome.Origin;
import io.massmessage.relay.outcome.Outcome;
import io.massmessage.relay.outcome.OutcomePublisher;
import io.massmessage.relay.tracing.CommandSpans;
import io.opentelemetry.context.Context;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.vertx.mutiny.core.Vertx;
import org.apache.kafka.common.TopicPartition;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * The relay: commands in, one outcome or one dead letter out per command.
 *
 * <p>Each record is parsed and validated first; an invalid one is nacked and the connector's
 * dead-letter-queue strategy forwards it unchanged with the reason. A valid one waits for earlier
 * commands of the same message ({@link MessageSequencer}), is applied by {@link CommandProcessor},
 * its outcome published, and only then acknowledged, so its offset is committed (throttled
 * strategy) only after the outcome is on the broker. {@link PartitionGate} bounds the records polled
 * and not finished, per partition, and pauses a partition at its share of {@code relay.max-pending}.
 */
@ApplicationScoped
public class RelayPipeline {

    private static final Logger LOG = Logger.getLogger(RelayPipeline.class);

    private final Multi<Message<byte[]>> commands;
    private final CommandParser parser;
    private final MessageSequencer sequencer;
    private final CommandProcessor processor;
    private final OutcomePublisher publisher;
    private final RelayConfig config;
    private volatile boolean draining;
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final RelayMetrics metrics;
    private volatile Cancellable subscription;
    /** The commands being processed, cancelled when the service stops. */
    private final Set<Cancellable> running = ConcurrentHashMap.newKeySet();

    private final PartitionGate gate;
    private final Vertx vertx;
    private final CommandSpans spans;
    private final ReplayCheck replays;

    public RelayPipeline(@Channel(Channels.COMMANDS) Multi<Message<byte[]>> commands, CommandParser parser,
            MessageSequencer sequencer, CommandProcessor processor, OutcomePublisher publisher, RelayConfig config,
            RelayMetrics metrics, PartitionGate gate, Vertx vertx, CommandSpans spans, ReplayCheck replays) {
        this.replays = replays;
        this.metrics = metrics;
        this.spans = spans;
        this.vertx = vertx;
        this.gate = gate;
        metrics.gauge("relay.commands.pending", "Valid commands taken from Kafka and not finished", pending::get);
        this.commands = commands;
        this.parser = parser;
        this.sequencer = sequencer;
        this.processor = processor;
        this.publisher = publisher;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        // No bound on the stream itself: the bound is per partition (PartitionGate pauses partitions at
        // their share), so a partition whose commands wait for budget never takes the slots of the others.
        vertx.setPeriodic(500, 500, timer -> gate.reconcile());
        // Each command is its own subscription rather than an inner of merge(): Mutiny's flatMap walks all
        // of its inners on every completion, which with thousands pending was a quarter of the event loop.
        subscription = commands.subscribe().with(this::take, failure -> LOG.error("the command stream stopped", failure));
    }

    private void take(Message<byte[]> record) {
        AtomicReference<Cancellable> self = new AtomicReference<>();
        Cancellable processing = handle(record)
                .onTermination().invoke(() -> {
                    Cancellable finished = self.getAndSet(ENDED);
                    if (finished != null) {
                        running.remove(finished);
                    }
                })
                .subscribe().with(done -> { }, failure -> LOG.error("a command's acknowledgement failed", failure));
        running.add(processing);
        if (!self.compareAndSet(null, processing)) {
            running.remove(processing); // it finished before it was registered
        }
    }

    /**
     * Graceful shutdown, on SIGTERM, before the connector closes: take no further record, let the
     * commands already taken finish (their outcomes published and acknowledged) for up to
     * {@code relay.shutdown-grace}, then let the connector commit and leave the group. Records not
     * taken, and commands still waiting at the deadline, stay uncommitted: the next owner of their
     * partition processes them, so none is lost and none is answered twice.
     */
    void drain(@Observes ShutdownEvent event) {
        // runs on the JVM's shutdown thread, never on an event loop: waiting here blocks nothing else
        draining = true;
        long started = System.nanoTime();
        int atStart = pending.get();
        if (atStart > 0) {
            try {
                drained.get(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // the grace period is over: what is unfinished stays uncommitted
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LOG.infof("shutdown: %d commands were in progress, %d finished in %d ms, %d handed back uncommitted",
                atStart, atStart - pending.get(), (System.nanoTime() - started) / 1_000_000, pending.get());
    }

    @PreDestroy
    void stop() {
        Cancellable current = subscription;
        if (current != null) {
            current.cancel();
        }
        running.forEach(Cancellable::cancel);
    }

    /** Valid commands taken from Kafka and not yet finished. */
    public int pending() {
        return pending.get();
    }

    private Uni<Void> handle(Message<byte[]> record) {
        if (draining) {
            // never acknowledged: stays uncommitted for the partition's next owner
            return Uni.createFrom().nothing();
        }
        metrics.consumed();
        IncomingKafkaRecordMetadata<?, ?> kafka = record.getMetadata(IncomingKafkaRecordMetadata.class).orElse(null);
        // counted against its partition's share when it was polled (PollCounter); leaves it when finished
        TopicPartition partition = kafka == null ? null : new TopicPartition(kafka.getTopic(), kafka.getPartition());
        PartitionGate.Lane lane = partition == null ? null : gate.take(partition);
        long bytes = PollCounter.payloadBytes(record.getPayload() == null ? -1 : record.getPayload().length);
        CommandSpans.CommandSpan span = kafka == null ? spans.start(Channels.COMMANDS, -1, -1, null)
                : spans.start(kafka.getTopic(), kafka.getPartition(), kafka.getOffset(), kafka.getHeaders());
        Context trace = span.context();
        UpdateCommand command;
        try {
            command = parser.parse(record.getPayload());
        } catch (InvalidCommandException invalid) {
            if (partition != null && replays.alreadyAnswered(partition, kafka.getOffset(), null)) {
                return skipAnswered(record, lane, bytes, span); // its dead letter is on the topic already
            }
            LOG.infof("dead letter (%s): %s", invalid.kind(), invalid.getMessage());
            metrics.deadLettered(invalid.kind().name());
            span.deadLettered(invalid.kind().name(), invalid.getMessage());
            return Uni.createFrom().completionStage(() -> record.nack(invalid)).onTermination().invoke(() -> leave(lane, bytes));
        }
        if (partition != null && replays.alreadyAnswered(partition, kafka.getOffset(), command.messageKey())) {
            if (LOG.isDebugEnabled()) {
                CommandLog.with(command, trace, () -> LOG.debugf("replayed command %s was answered before the replay; not sent again",
                        command.commandId()));
            }
            return skipAnswered(record, lane, bytes, span);
        }
        Origin origin = kafka == null ? null : new Origin(kafka.getTopic(), kafka.getPartition(), kafka.getOffset());
        pending.incrementAndGet();
        return sequencer.run(command.messageKey(), () -> guard(processor.process(command, trace), command, lane)
                        .invoke(outcome -> {
                            if (LOG.isInfoEnabled()) {
                                CommandLog.with(command, trace, () -> log(outcome));
                            }
                        })
                        .call(outcome -> publish(outcome, trace, origin, lane))
                        .invoke(outcome -> {
                            metrics.outcome(outcome);
                            span.ended(outcome);
                        }))
                .onItemOrFailure().transformToUni((outcome, failure) -> {
                    if (pending.decrementAndGet() == 0 && draining) {
                        drained.complete(null);
                    }
                    leave(lane, bytes);
                    if (failure instanceof HandedBackException) {
                        // neither acked nor nacked: the partition's new owner processes it
                        CommandLog.with(command, trace, () -> LOG.debug(failure.getMessage()));
                        span.handedBack();
                        return Uni.createFrom().voidItem();
                    }
                    if (failure != null) {
                        CommandLog.with(command, trace, () -> LOG.errorf(failure,
                                "command %s could not be completed; dead-lettering it", command.commandId()));
                        metrics.deadLettered("unpublished");
                        span.deadLettered("unpublished", String.valueOf(failure.getMessage()));
                        return Uni.createFrom().completionStage(() -> record.nack(failure));
                    }
                    return Uni.createFrom().completionStage(record::ack);
                });
    }

    /**
     * Ends a command's processing as handed back when a rebalance takes its partition away (at once
     * if it already has): the cancelled processing leaves its key's budget queue without spending a
     * slot, or its request is abandoned, and nothing more is sent for it here.
     */
    private Uni<Outcome> guard(Uni<Outcome> processing, UpdateCommand command, PartitionGate.Lane lane) {
        if (lane == null) {
            return processing;
        }
        // A hand-made race: Uni.combine().any() cancels the loser through CompletableFutures, which builds two
        // exceptions with full stack traces per command (a tenth of the event loop's time in the benchmark).
        return Uni.createFrom().emitter(emitter -> {
            AtomicReference<Cancellable> work = new AtomicReference<>();
            Runnable unregister = gate.onEnd(lane, () -> emitter.fail(new HandedBackException(command.commandId())));
            emitter.onTermination(() -> {
                unregister.run();
                Cancellable running = work.getAndSet(ENDED);
                if (running != null) {
                    running.cancel(); // a no-op once the processing has finished
                }
            });
            Cancellable running = processing.subscribe().with(emitter::complete, emitter::fail);
            if (!work.compareAndSet(null, running)) {
                running.cancel(); // the epoch ended (or the stream was cancelled) before the processing started
            }
        });
    }

    private static final Cancellable ENDED = () -> { };

    /**
     * Publishes the outcome unless the command's partition was revoked meanwhile (then it is handed back:
     * the next owner sends it again, and this replica publishes nothing behind the revocation's back).
     */
    private Uni<Void> publish(Outcome outcome, Context trace, Origin origin, PartitionGate.Lane lane) {
        if (lane == null) {
            return publisher.publish(outcome, trace, origin);
        }
        if (!gate.publishing(lane)) {
            return Uni.createFrom().failure(new HandedBackException(outcome.command().commandId()));
        }
        return publisher.publish(outcome, trace, origin).onTermination().invoke(() -> gate.published(lane));
    }

    /** Acknowledges a replayed record whose outcome or dead letter an earlier owner already published ({@link ReplayCheck}). */
    private Uni<Void> skipAnswered(Message<byte[]> record, PartitionGate.Lane lane, long bytes, CommandSpans.CommandSpan span) {
        metrics.replaySkipped();
        span.alreadyAnswered();
        return Uni.createFrom().completionStage(record::ack).onTermination().invoke(() -> leave(lane, bytes));
    }

    private void leave(PartitionGate.Lane lane, long bytes) {
        if (lane != null) {
            gate.leave(lane, bytes);
        }
    }

    private static void log(Outcome outcome) {
        UpdateCommand c = outcome.command();
        String category = outcome instanceof Outcome.Failed f ? f.category().name() : "-";
        LOG.infof("outcome %s provider=%s account=%s message=%s category=%s attempts=%d durationMs=%d commandId=%s",
                outcome.name(), c.provider(), c.account(), c.messageId(), category, outcome.attempts(),
                outcome.durationMs(), c.commandId());
    }
}
