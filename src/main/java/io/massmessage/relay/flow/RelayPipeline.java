package io.massmessage.relay.flow;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.massmessage.relay.command.CommandParser;
import io.massmessage.relay.command.InvalidCommandException;
import io.massmessage.relay.command.UpdateCommand;
import io.massmessage.relay.config.Channels;
import io.massmessage.relay.config.RelayConfig;
import io.massmessage.relay.history.AppliedUpdates;
import io.massmessage.relay.intake.HandedBackException;
import io.massmessage.relay.intake.PendingBounds;
import io.massmessage.relay.intake.ReplayCheck;
import io.massmessage.relay.intake.TakenRecord;
import io.massmessage.relay.logging.CommandLog;
import io.massmessage.relay.metrics.RelayMetrics;
import io.massmessage.relay.outcome.DeadLetterWriter;
import io.massmessage.relay.outcome.EarlierOutcomes;
import io.massmessage.relay.outcome.Origin;
import io.massmessage.relay.outcome.Outcome;
import io.massmessage.relay.outcome.OutcomePublisher;
import io.massmessage.relay.outcome.RecordRef;
import io.massmessage.relay.provider.ErrorCategory;
import io.massmessage.relay.tracing.CommandSpans;
import io.opentelemetry.context.Context;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * The relay: commands in, one outcome or one dead letter out per command.
 *
 * <p>Each record is parsed and validated first; an invalid one is written, unchanged and with the reason, to
 * the dead-letter topic ({@link DeadLetterWriter}) and acknowledged once it is there. A valid one waits for earlier
 * commands of the same message ({@link MessageSequencer}), is applied by {@link CommandProcessor},
 * its outcome published, and only then acknowledged, so its offset is committed (throttled
 * strategy) only after the outcome is on the broker. {@link PendingBounds} bounds the records polled
 * and not finished, per partition, and pauses a partition at its share of {@code relay.max-pending}; each
 * record is handled through its {@link TakenRecord}, which knows whether its partition is still owned.
 * {@link StallWatch} follows every command from taken to acknowledged, so liveness can tell a stuck one from
 * one waiting by design.
 */
@ApplicationScoped
public class RelayPipeline {

    private static final Logger LOG = Logger.getLogger(RelayPipeline.class);
    /**
     * The line per outcome (and per repeat or coalesced request), off by default: the outcome topics are the
     * record, and a JSON line per command costs a large share of its CPU. On with
     * {@code quarkus.log.category."io.massmessage.relay.outcomes".level=INFO}.
     */
    static final Logger OUTCOMES = Logger.getLogger("io.massmessage.relay.outcomes");

    private final Multi<Message<byte[]>> commands;
    private final CommandParser parser;
    private final MessageSequencer sequencer;
    private final CommandProcessor processor;
    private final OutcomePublisher publisher;
    private final RelayConfig config;
    /** Dead-letter causes beyond the kinds of invalid payloads. */
    static final String UNPUBLISHED = "unpublished";
    static final String INTERNAL = "internal";

    private volatile boolean draining;
    private volatile boolean stopping;
    private volatile String streamStopped;
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final RelayMetrics metrics;
    private volatile Cancellable subscription;
    /** The commands being processed, cancelled when the service stops. */
    private final Set<Cancellable> running = ConcurrentHashMap.newKeySet();

    private final PendingBounds bounds;
    private final Vertx vertx;
    private final CommandSpans spans;
    private final ReplayCheck replays;
    private final DeadLetterWriter deadLetters;
    private final AppliedUpdates applied;
    private final StallWatch watch;
    private final EarlierOutcomes earlierOutcomes;
    private final Coalescer coalescer;
    private final ObjectMapper mapper;
    private final PipelineLoop loop;

    public RelayPipeline(@Channel(Channels.COMMANDS) Multi<Message<byte[]>> commands, CommandParser parser,
            MessageSequencer sequencer, CommandProcessor processor, OutcomePublisher publisher, RelayConfig config,
            RelayMetrics metrics, PendingBounds bounds, Vertx vertx, CommandSpans spans, ReplayCheck replays,
            DeadLetterWriter deadLetters, StallWatch watch, AppliedUpdates applied, EarlierOutcomes earlierOutcomes,
            ObjectMapper mapper, Coalescer coalescer) {
        this.coalescer = coalescer;
        this.loop = new PipelineLoop(vertx.getDelegate());
        this.earlierOutcomes = earlierOutcomes;
        this.mapper = mapper;
        this.watch = watch;
        this.applied = applied;
        this.deadLetters = deadLetters;
        this.replays = replays;
        this.metrics = metrics;
        this.spans = spans;
        this.vertx = vertx;
        this.bounds = bounds;
        metrics.gauge("relay.commands.pending", "Records taken from Kafka and not finished", pending::get);
        this.commands = commands;
        this.parser = parser;
        this.sequencer = sequencer;
        this.processor = processor;
        this.publisher = publisher;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        // No bound on the stream itself: the bound is per partition (PendingBounds pauses partitions at
        // their share), so a partition whose commands wait for budget never takes the slots of the others.
        vertx.setPeriodic(500, 500, timer -> bounds.reconcile());
        consume();
    }

    /** Subscribes to the command stream: the consumer joins its group and the records start coming. */
    private void consume() {
        if (stopping || draining) {
            return;
        }
        // Each command is its own subscription rather than an inner of merge(): Mutiny's flatMap walks all
        // of its inners on every completion, which with thousands pending is costly (docs/decisions).
        subscription = commands.subscribe().with(this::take,
                failure -> stopped("the command stream failed: " + failure, failure),
                () -> stopped("the command stream completed", null));
    }

    private void stopped(String why, Throwable failure) {
        if (draining) {
            return; // the service is stopping: the stream ends with it
        }
        streamStopped = why;
        LOG.error(why + "; liveness is DOWN so the pod is restarted", failure);
    }

    /** Why the command stream stopped while the service runs, or null while it runs (health: liveness and readiness). */
    public String streamStopped() {
        return streamStopped;
    }

    /**
     * Takes a record as the connector delivers it: in the lane of its partition now (so a revocation before its turn
     * hands it back), then hands it to the pipeline's own event loop ({@link PipelineLoop}), in order.
     */
    private void take(Message<byte[]> record) {
        TakenRecord taken;
        try {
            IncomingKafkaRecordMetadata<?, ?> kafka = record.getMetadata(IncomingKafkaRecordMetadata.class)
                    .orElseThrow();
            taken = countInLane(new TopicPartition(kafka.getTopic(), kafka.getPartition()), kafka.getOffset(), record);
        } catch (RuntimeException | LinkageError | StackOverflowError defect) {
            taken = null; // processed on the loop, where the defect shows again and dead-letters the record
        }
        TakenRecord inLane = taken;
        loop.execute(() -> process(record, inLane));
    }

    /** Counts {@code record} in the lane of its partition (against its share of the pending bound). */
    private TakenRecord countInLane(TopicPartition partition, long offset, Message<byte[]> record) {
        return bounds.take(partition, offset, record.getPayload() == null ? -1 : record.getPayload().length);
    }

    private void process(Message<byte[]> record, TakenRecord taken) {
        AtomicReference<Cancellable> self = new AtomicReference<>();
        Uni<Void> work;
        try {
            work = handle(record, taken);
        } catch (RuntimeException | LinkageError | StackOverflowError defect) {
            // nothing one record does may stop the stream: whatever went wrong, the record gets its dead letter
            work = internalFailure(record, defect);
        }
        Cancellable processing = work
                .onTermination().invoke(() -> {
                    Cancellable finished = self.getAndSet(ENDED);
                    if (finished != null) {
                        running.remove(finished);
                    }
                })
                .subscribe()
                .with(done -> {}, failure -> LOG.error("a record could not be acknowledged or dead-lettered", failure));
        running.add(processing);
        if (!self.compareAndSet(null, processing)) {
            running.remove(processing); // it finished before it was registered
        }
    }

    /**
     * The relay failed on a record in a way no rule foresaw (a defect): it is dead-lettered with cause
     * {@value #INTERNAL} and the failure's class, and the stream goes on. Its record is not finished: what
     * failed may have left it counted, which the next rebalance clears.
     */
    private Uni<Void> internalFailure(Message<byte[]> record, Throwable failure) {
        IncomingKafkaRecordMetadata<?, ?> kafka = record.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
        LOG.errorf(failure, "record %s-%d@%d could not be processed; dead-lettering it", kafka.getTopic(),
                kafka.getPartition(), kafka.getOffset());
        metrics.deadLettered(INTERNAL);
        TopicPartition partition = new TopicPartition(kafka.getTopic(), kafka.getPartition());
        return deadLetter(record, kafka, bounds.take(partition, kafka.getOffset(), -1), INTERNAL,
                "the relay could not process this record (" + failure.getClass().getSimpleName() + ")");
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
        stopping = true;
        Cancellable current = subscription;
        if (current != null) {
            current.cancel();
        }
        running.forEach(Cancellable::cancel);
    }

    /**
     * Counts the record in progress before it looks at {@code draining}: a shutdown that sees none in progress
     * (it sets the flag, then reads the count) never misses one that went past the check.
     */
    private Uni<Void> handle(Message<byte[]> record, TakenRecord inLane) {
        pending.incrementAndGet();
        if (draining) {
            left();
            // never acknowledged: stays uncommitted for the partition's next owner
            return Uni.createFrom().nothing();
        }
        Uni<Void> work;
        try {
            work = handleTaken(record, inLane);
        } catch (RuntimeException | LinkageError | StackOverflowError defect) {
            left();
            throw defect;
        }
        return work.onTermination().invoke(this::left);
    }

    /** A record in progress finished (answered, dead-lettered, handed back or cancelled). */
    private void left() {
        if (pending.decrementAndGet() == 0 && draining) {
            drained.complete(null);
        }
    }

    private Uni<Void> handleTaken(Message<byte[]> record, TakenRecord inLane) {
        metrics.consumed();
        IncomingKafkaRecordMetadata<?, ?> kafka = record.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
        // counted against its partition's share when it was polled (PollCounter); leaves it when finished
        TopicPartition partition = new TopicPartition(kafka.getTopic(), kafka.getPartition());
        TakenRecord taken = inLane != null ? inLane : countInLane(partition, kafka.getOffset(), record);
        CommandSpans.CommandSpan span = spans.start(kafka.getTopic(), kafka.getPartition(), kafka.getOffset(),
                kafka.getHeaders());
        Context trace = span.context();
        UpdateCommand command;
        try {
            command = parser.parse(record.getPayload());
        } catch (InvalidCommandException invalid) {
            if (replays.alreadyAnswered(partition, kafka.getOffset(), null)) {
                return skipAnswered(record, taken, span); // its dead letter is on the topic already
            }
            LOG.infof("dead letter (%s) of %s-%d@%d: %s", invalid.kind(), kafka.getTopic(), kafka.getPartition(),
                    kafka.getOffset(), invalid.getMessage());
            metrics.deadLettered(invalid.kind().name());
            span.deadLettered(invalid.kind().name(), invalid.getMessage());
            return deadLetter(record, kafka, taken, invalid.kind().name(), invalid.getMessage())
                    .onTermination().invoke(taken::finish);
        }
        ReplayCheck.Earlier earlier = replays.earlier(partition, kafka.getOffset(), command.messageKey());
        if (earlier != ReplayCheck.Earlier.NOTHING) {
            if (LOG.isDebugEnabled()) {
                CommandLog.with(command, trace,
                        () -> LOG.debugf("replayed command %s was answered before the replay; not sent again",
                                command.commandId()));
            }
            return earlier == ReplayCheck.Earlier.APPLIED ? skipApplied(record, taken, span, partition, command)
                    : skipAnswered(record, taken, span);
        }
        Origin origin = new Origin(kafka.getTopic(), kafka.getPartition(), kafka.getOffset());
        StallWatch.Watched watched = watch.begin(() -> origin.topic() + "-" + origin.partition() + "@" + origin.offset()
                + " (command " + command.commandId() + ")");
        Coalescer.Waiting waiting = coalescer.enter(command);
        Answering answering = new Answering(command, partition, origin, taken, trace, span, watched);
        return sequencer.run(command.messageKey(), () -> {
            watched.working();
            if (waiting != null && !waiting.start()) {
                // an earlier command's request carried this one: its outcome is that request's
                return Uni.createFrom().completionStage(waiting.carried())
                        .onItemOrFailure().transformToUni((carried, failure) -> failure == null
                                ? carriedOutcome(answering, carried, waiting.carriedBy())
                                : answer(answering, null));
            }
            return answer(answering, waiting);
        })
                .onTermination().invoke(watched::waiting)
                .onItemOrFailure().transformToUni((done, failure) -> {
                    if (failure instanceof HandedBackException || failure != null && !taken.owned()) {
                        // neither acked nor dead-lettered: the partition's new owner processes it
                        taken.finish();
                        CommandLog.with(command, trace, () -> LOG.debugf("command %s handed back: its partition moved",
                                command.commandId()));
                        span.handedBack();
                        return Uni.createFrom().voidItem();
                    }
                    if (failure != null) {
                        String cause = failure instanceof OutcomePublisher.UnpublishableException ? UNPUBLISHED
                                : INTERNAL;
                        String reason = failure instanceof OutcomePublisher.UnpublishableException
                                ? "its outcome could not be published: " + failure.getMessage()
                                : "the relay could not process this command (" + failure.getClass().getSimpleName()
                                        + ")";
                        CommandLog.with(command, trace, () -> LOG.errorf(failure,
                                "command %s could not be completed; dead-lettering it", command.commandId()));
                        metrics.deadLettered(cause);
                        span.deadLettered(cause, reason);
                        return deadLetter(record, kafka, taken, cause, reason).onTermination().invoke(taken::finish);
                    }
                    taken.finish();
                    return Uni.createFrom().completionStage(record::ack);
                })
                .onTermination().invoke(watched::ended);
    }

    /** One command being answered: what the steps of its answer share. */
    private record Answering(UpdateCommand command, TopicPartition partition, Origin origin, TakenRecord taken,
            Context trace, CommandSpans.CommandSpan span, StallWatch.Watched watched) {}

    /**
     * Answers a command at its turn: a repeat of its id's earlier outcome (idempotency), {@code superseded} (stale
     * guard), or the provider's answer to its request, which may carry the commands waiting behind it
     * ({@code waiting}, coalescing). Completes once the outcome is published.
     */
    private Uni<Void> answer(Answering answering, Coalescer.Waiting waiting) {
        UpdateCommand command = answering.command();
        TopicPartition partition = answering.partition();
        Optional<AppliedUpdates.Answered> earlier = applied.answeredBefore(partition, command);
        if (earlier.isPresent()) {
            answering.watched().waiting();
            return repeat(answering, earlier.get());
        }
        Optional<Instant> newer = applied.newerApplied(partition, command);
        Coalescer.Head head = waiting == null ? null
                : waiting.head().admitting(unsettled(partition));
        Uni<Outcome> processing = newer.isPresent()
                ? Uni.createFrom().item(superseded(command, newer.get()))
                : processor.process(command, answering.trace(), answering.watched(),
                        head == null ? Coalescing.NONE : head);
        return guard(processing, command, answering.taken())
                .invoke(outcome -> {
                    if (head != null && !head.absorbed().isEmpty() && OUTCOMES.isInfoEnabled()) {
                        CommandLog.with(command, answering.trace(), () -> OUTCOMES.infof(
                                "command %s's request carried %d later commands of its message", command.commandId(),
                                head.absorbed().size()));
                    }
                })
                .call(outcome -> finish(answering, outcome, null, head == null ? command : head.newest()))
                .onTermination().invoke((outcome, failure, cancelled) -> {
                    if (head != null) {
                        head.ended(outcome, failure);
                    }
                })
                .replaceWithVoid();
    }

    /**
     * Whether a command of {@code partition} is still to be sent: no earlier outcome answered its id for good and no
     * newer update of its message was applied (what a request may carry, coalescing).
     */
    private Predicate<UpdateCommand> unsettled(TopicPartition partition) {
        return command -> applied.answeredBefore(partition, command).isEmpty()
                && applied.newerApplied(partition, command).isEmpty();
    }

    /** Publishes, as its own, the outcome of the request that carried this command (coalescing). */
    private Uni<Void> carriedOutcome(Answering answering, Outcome carried, String carriedBy) {
        metrics.coalesced(answering.command().provider());
        return finish(answering, carried.carriedFor(answering.command()), carriedBy, answering.command())
                .replaceWithVoid();
    }

    /**
     * Logs, publishes (recording {@code appliedAs} for the stale guard when it succeeded) and counts one outcome;
     * {@code coalescedInto} names the command whose request carried it, or is {@code null}.
     */
    private Uni<Outcome> finish(Answering answering, Outcome outcome, String coalescedInto, UpdateCommand appliedAs) {
        if (OUTCOMES.isInfoEnabled()) {
            CommandLog.with(answering.command(), answering.trace(), () -> log(outcome, coalescedInto));
        }
        answering.watched().waiting(); // published until the broker takes it, however long it is away
        return publish(answering, outcome, coalescedInto, appliedAs)
                .invoke(() -> {
                    metrics.outcome(outcome);
                    answering.span().ended(outcome.name(), category(outcome));
                })
                .replaceWith(outcome);
    }

    /**
     * Writes the record's dead letter and acknowledges the record once it is on the broker. While it is
     * being written, a revocation of its partition waits for it (as for an outcome); if the partition is
     * taken away before it lands, the record is handed back unacknowledged for the next owner.
     */
    private Uni<Void> deadLetter(Message<byte[]> record, IncomingKafkaRecordMetadata<?, ?> kafka, TakenRecord taken,
            String cause, String reason) {
        DeadLetterWriter.DeadLetter letter = new DeadLetterWriter.DeadLetter(kafka.getTopic(), kafka.getPartition(),
                kafka.getOffset(), (byte[]) kafka.getKey(), record.getPayload(), kafka.getHeaders(), cause, reason);
        return taken.publish(() -> deadLetters.write(letter, keepTrying(taken)))
                .onItemOrFailure().transformToUni((done, failure) -> failure == null
                        ? Uni.createFrom().completionStage(record::ack)
                        : Uni.createFrom().voidItem()); // handed back: no longer this replica's partition
    }

    /**
     * Ends a command's processing as handed back when a rebalance takes its partition away (at once
     * if it already has): the cancelled processing leaves its key's budget queue without spending a
     * slot, or its request is abandoned, and nothing more is sent for it here.
     */
    private Uni<Outcome> guard(Uni<Outcome> processing, UpdateCommand command, TakenRecord taken) {
        // A hand-made race: Uni.combine().any() cancels the loser through CompletableFutures, which builds two
        // exceptions with full stack traces per command (docs/decisions).
        return Uni.createFrom().emitter(emitter -> {
            AtomicReference<Cancellable> work = new AtomicReference<>();
            Runnable unregister = taken
                    .onRevoked(() -> emitter.fail(new HandedBackException("command " + command.commandId())));
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

    private static final Cancellable ENDED = () -> {};

    /** Whether a write for {@code taken} should still be retried: its partition is owned and the service runs. */
    private BooleanSupplier keepTrying(TakenRecord taken) {
        return () -> taken.owned() && !stopping;
    }

    /**
     * Publishes the outcome unless the command's partition was revoked meanwhile (then it is handed back:
     * the next owner sends it again, and this replica publishes nothing behind the revocation's back).
     */
    private Uni<Void> publish(Answering answering, Outcome outcome, String coalescedInto, UpdateCommand appliedAs) {
        TopicPartition partition = answering.partition();
        BooleanSupplier keepTrying = keepTrying(answering.taken());
        // What was applied is recorded for the stale guard beside its outcome, both sent at once (one produce round
        // trip before the outcome, not two): after a crash between the two a replay either finds the guard's record,
        // or finds the outcome succeeded and records it again (skipApplied). The answer is recorded for idempotency
        // once the outcome is on the broker, where its offset is known.
        return answering.taken().publish(() -> publishAndRecord(outcome, coalescedInto, answering.trace(),
                answering.origin(), partition, appliedAs, keepTrying));
    }

    /**
     * Publishes the outcome and records, beside it, what was applied (stale guard) and, once it is on the broker, the
     * answer (idempotency).
     */
    private Uni<Void> publishAndRecord(Outcome outcome, String coalescedInto, Context trace, Origin origin,
            TopicPartition partition, UpdateCommand appliedAs, BooleanSupplier keepTrying) {
        Uni<RecordRef> published = publisher.publish(outcome, coalescedInto, trace, origin, keepTrying);
        Uni<RecordRef> recorded = outcome instanceof Outcome.Succeeded
                ? bothWritten(applied.applied(partition, appliedAs, keepTrying), published)
                : published;
        return recorded.chain(at -> applied.answered(partition, outcome, at, keepTrying));
    }

    /**
     * Where the outcome landed once both writes ended, or the failure of either (the outcome's first). Neither is
     * abandoned for the other's failure: a revocation waits for what is still on its way ({@link TakenRecord#publish}).
     */
    static Uni<RecordRef> bothWritten(Uni<Void> guard, Uni<RecordRef> outcome) {
        return Uni.combine().all()
                .unis(guard.onItemOrFailure().transform((done, failure) -> Optional.ofNullable(failure)),
                        outcome.onItemOrFailure().transform((at, failure) -> failure != null ? failure : at))
                .asTuple().chain(both -> {
                    if (both.getItem2() instanceof Throwable failure) {
                        return Uni.createFrom().failure(failure);
                    }
                    return both.getItem1().isPresent() ? Uni.createFrom().failure(both.getItem1().get())
                            : Uni.createFrom().item((RecordRef) both.getItem2());
                });
    }

    /**
     * Answers a command whose id an earlier outcome already answered for good (CONTRACT §2): that outcome record is
     * read back and published again, unchanged but for {@code duplicateOf}, and nothing is sent to the provider. A
     * record no longer readable is stood in for by what the relay remembers of it (outcome and category).
     */
    private Uni<Void> repeat(Answering answering, AppliedUpdates.Answered earlier) {
        UpdateCommand command = answering.command();
        return earlierOutcomes.read(earlier.record(), command.commandId())
                .chain(found -> {
                    ObjectNode event = found.orElseGet(() -> remembered(command, earlier));
                    event.set("duplicateOf", mapper.valueToTree(earlier.record()));
                    return answering.taken().publish(() -> publisher.republish(earlier.outcome(),
                            command.messageKey(), event, answering.trace(), answering.origin(),
                            keepTrying(answering.taken())));
                })
                .invoke(() -> {
                    metrics.duplicate(command.provider(), earlier.outcome());
                    answering.span().ended(earlier.outcome(), earlier.category());
                    if (OUTCOMES.isInfoEnabled()) {
                        CommandLog.with(command, answering.trace(), () -> OUTCOMES.infof(
                                "outcome %s repeated for command %s: its id was answered by %s-%d@%d",
                                earlier.outcome(),
                                command.commandId(), earlier.record().topic(), earlier.record().partition(),
                                earlier.record().offset()));
                    }
                })
                .replaceWithVoid();
    }

    /** An earlier outcome as far as the relay remembers it, when its record can no longer be read. */
    private ObjectNode remembered(UpdateCommand command, AppliedUpdates.Answered earlier) {
        ObjectNode event = mapper.createObjectNode().put("commandId", command.commandId())
                .put("provider", command.provider()).put("account", command.account())
                .put("messageId", command.messageId()).put("outcome", earlier.outcome()).put("attempts", 0)
                .put("occurredAt", Instant.ofEpochMilli(earlier.recordedAtMs()).toString()).put("durationMs", 0);
        if (earlier.category() != null) {
            event.putObject("error").put("category", earlier.category()).put("detail",
                    "this command id was answered before (" + earlier.outcome() + ", " + earlier.category()
                            + "); that outcome record could no longer be read");
        }
        if (command.issuedAt() != null) {
            event.put("issuedAt", command.issuedAt().toString());
        }
        return event;
    }

    /** The outcome of a command older than an update already applied to its message (CONTRACT §2): not sent. */
    static Outcome superseded(UpdateCommand command, Instant newer) {
        return Outcome.Failed.of(command, 0, 0, ErrorCategory.superseded, "an update of this message issued at "
                + newer + " was already applied; this command was issued at " + command.issuedAt());
    }

    /**
     * Acknowledges a replayed command whose outcome {@code succeeded} an earlier owner already published, once the
     * stale guard records it as applied (a no-op when the guard's record landed too); at its message's turn, so
     * the guard's topic keeps the newest of its message's updates last.
     */
    private Uni<Void> skipApplied(Message<byte[]> record, TakenRecord taken, CommandSpans.CommandSpan span,
            TopicPartition partition, UpdateCommand command) {
        return sequencer.run(command.messageKey(),
                () -> taken.publish(() -> applied.applied(partition, command, keepTrying(taken))))
                .onItemOrFailure().transformToUni((done, failure) -> {
                    if (failure == null) {
                        return skipAnswered(record, taken, span);
                    }
                    taken.finish(); // handed back: the partition's next owner replays it
                    span.handedBack();
                    return Uni.createFrom().voidItem();
                });
    }

    /** Acknowledges a replayed record whose outcome or dead letter an earlier owner already published ({@link ReplayCheck}). */
    private Uni<Void> skipAnswered(Message<byte[]> record, TakenRecord taken, CommandSpans.CommandSpan span) {
        metrics.replaySkipped();
        span.alreadyAnswered();
        return Uni.createFrom().completionStage(record::ack).onTermination().invoke(taken::finish);
    }

    static String category(Outcome outcome) {
        return outcome instanceof Outcome.Failed failed ? failed.category().name() : null;
    }

    private static void log(Outcome outcome, String coalescedInto) {
        UpdateCommand c = outcome.command();
        String category = outcome instanceof Outcome.Failed f ? f.category().name() : "-";
        OUTCOMES.infof(
                "outcome %s provider=%s account=%s message=%s category=%s attempts=%d durationMs=%d commandId=%s%s",
                outcome.name(), c.provider(), c.account(), c.messageId(), category, outcome.attempts(),
                outcome.durationMs(), c.commandId(), coalescedInto == null ? "" : " coalescedInto=" + coalescedInto);
    }
}
