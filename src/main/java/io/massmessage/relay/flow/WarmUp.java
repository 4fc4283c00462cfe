package io.massmessage.relay.flow;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.massmessage.relay.command.CommandParser;
import io.massmessage.relay.command.UpdateCommand;
import io.massmessage.relay.config.ProvidersConfig;
import io.massmessage.relay.config.RelayConfig;
import io.massmessage.relay.history.AppliedUpdates;
import io.massmessage.relay.limits.Delays;
import io.massmessage.relay.limits.LimitsBeans;
import io.massmessage.relay.metrics.RelayMetrics;
import io.massmessage.relay.outcome.Origin;
import io.massmessage.relay.outcome.Outcome;
import io.massmessage.relay.outcome.OutcomePublisher;
import io.massmessage.relay.outcome.OutcomeSender;
import io.massmessage.relay.provider.ProviderAdapter;
import io.massmessage.relay.provider.ProviderClient;
import io.massmessage.relay.provider.ProviderRegistry;
import io.massmessage.relay.tracing.CommandSpans;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.mutiny.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jboss.logging.Logger;

/**
 * The rehearsal at start ({@code relay.warm-up.*}): before the relay consumes its first command, synthetic commands
 * of every provider go through the classes a real command goes through (the parser and its rules, the message
 * sequencer, the command processor with its budgets, breakers and retries, the provider's mapping, the Vert.x Web
 * Client and the answer's interpretation, the outcome event and its record), on a pipeline loop of its own, so that
 * the JIT has compiled that code when the backlog arrives: cold, the pipeline took a backlog's first records at a
 * few hundred a second for several seconds (README "Decisions").
 *
 * <p>Nothing of it leaves the process or touches the live state: the providers are a Vert.x HTTP server on the
 * loopback interface answering 200, the budgets, breakers, sequencer, metrics and HTTP client are instances of
 * their own, its spans go to no processor, and the outcomes go through a producer like the live one
 * ({@link OutcomeSender#rehearsing}) to a broker of the rehearsal's own on the loopback interface, which keeps
 * nothing ({@link LoopbackBroker}; without it, to Kafka's mock producer). The consumer and the connector stay cold:
 * they cannot be rehearsed without the relay's broker.
 */
final class WarmUp {

    private static final Logger LOG = Logger.getLogger(WarmUp.class);
    /** The partition the synthetic commands come from, as far as the stale guard is concerned. */
    private static final TopicPartition PARTITION = new TopicPartition("warm-up", 0);
    /** How long the rehearsal's producer waits for its broker before a send fails. */
    private static final Duration PRODUCER_WAIT = Duration.ofSeconds(5);
    private static final String ANSWER = "{\"data\":{\"id\":\"warm-up\"}}";
    /** The accounts of the synthetic commands, by provider: each provider's rules accept them. */
    private static final Map<String, String> ACCOUNTS = Map.of("onlyfansapi", "acct_warmup", "fansmetric", "84000",
            "fansly", "fy_warm_up");

    /**
     * What a rehearsal did: commands run, how many of them succeeded, how many were carried by an earlier command's
     * request (coalescing) and how many published an outcome of their own, how many records its broker acknowledged
     * (0 without one), and how long it took.
     */
    record Result(int commands, int succeeded, int carried, int published, long acknowledged, long millis) {
        static final Result NONE = new Result(0, 0, 0, 0, 0, 0);
    }

    private final Vertx vertx;
    private final RelayConfig config;
    private final List<ProviderAdapter> adapters;
    private final CommandParser parser;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final PipelineLoop loop;

    WarmUp(Vertx vertx, RelayConfig config, List<ProviderAdapter> adapters, CommandParser parser, ObjectMapper mapper,
            Clock clock, PipelineLoop loop) {
        this.vertx = vertx;
        this.config = config;
        this.adapters = adapters;
        this.parser = parser;
        this.mapper = mapper;
        this.clock = clock;
        this.loop = loop;
    }

    /**
     * Rehearses {@code relay.warm-up.commands} commands, at most {@code relay.max-in-flight} at once, for at most
     * {@code relay.warm-up.timeout}; never fails (a rehearsal that goes wrong is logged and ends early).
     */
    Uni<Result> run() {
        int commands = config.warmUp().commands();
        if (commands <= 0) {
            return Uni.createFrom().item(Result.NONE);
        }
        long started = System.nanoTime();
        Counts counts = new Counts();
        AtomicInteger answers = new AtomicInteger();
        HttpServer server = vertx.getDelegate().createHttpServer().requestHandler(request -> request.body()
                .onComplete(body -> answer(request.response(), answers.getAndIncrement())));
        Duration timeout = config.warmUp().timeout();
        AtomicReference<LoopbackBroker> broker = new AtomicReference<>();
        return Uni.createFrom().completionStage(() -> server.listen(0, "127.0.0.1").toCompletionStage())
                .call(listening -> LoopbackBroker.start(vertx).invoke(broker::set).onFailure().recoverWithItem(
                        failure -> {
                            LOG.debugf("no broker for the rehearsal (%s): its outcomes go to a mock producer", failure);
                            return null;
                        }))
                .chain(listening -> rehearse(listening.actualPort(), broker.get(), commands,
                        System.nanoTime() + timeout.toNanos(), counts))
                // the deadline stops new commands; this bounds the ones under way
                .ifNoItem().after(timeout.plusSeconds(5)).fail()
                .onFailure().invoke(failure -> LOG.warnf(
                        "the rehearsal at start did not end well (%s); the relay starts consuming anyway", failure))
                .onItemOrFailure().transformToUni((ended, failure) -> Uni.createFrom()
                        .completionStage(() -> server.close().toCompletionStage()).onFailure().recoverWithNull())
                .call(closed -> broker.get() == null ? Uni.createFrom().voidItem()
                        : broker.get().close().onFailure().recoverWithNull())
                .map(closed -> new Result(counts.ran.get(), counts.succeeded.get(), counts.carried.get(),
                        counts.published.get(), broker.get() == null ? 0 : broker.get().records(),
                        (System.nanoTime() - started) / 1_000_000))
                .invoke(result -> LOG.infof("rehearsal at start: %d synthetic commands, %d succeeded, %d outcomes "
                        + "published (%d taken by its broker), in %d ms", result.commands(), result.succeeded(),
                        result.published(), result.acknowledged(), result.millis()));
    }

    /**
     * The stand-in's {@code n}th answer, in the shapes providers answer in: with a length or chunked (as a proxy in
     * front of one streams it), with the rate-limit headers of either naming or none; so the client's decoding and the
     * relay's reading of those headers are rehearsed each way, not only the way of the first provider it meets.
     */
    private static void answer(HttpServerResponse response, int n) {
        response.putHeader("content-type", "application/json").putHeader("server", "warm-up")
                .putHeader("date", "Thu, 01 Jan 2026 00:00:00 GMT");
        if (n % 3 == 1) {
            response.putHeader("x-rate-limit-limit-minute", "100000000")
                    .putHeader("x-rate-limit-remaining-minute", "99999999");
        } else if (n % 3 == 2) {
            response.putHeader("x-ratelimit-limit", "100000000").putHeader("x-ratelimit-remaining", "99999999");
        }
        if (n % 2 == 0) {
            response.end(ANSWER);
        } else {
            response.setChunked(true).write(ANSWER.substring(0, ANSWER.length() / 2));
            response.end(ANSWER.substring(ANSWER.length() / 2));
        }
    }

    /**
     * Runs up to {@code commands} synthetic commands against the stand-in on {@code port}, at most
     * {@code relay.max-in-flight} at once, none started after {@code deadline} ({@link System#nanoTime()}).
     */
    private Uni<Void> rehearse(int port, LoopbackBroker broker, int commands, long deadline, Counts counts) {
        // as many at once as the live pool has connections: opening a connection is code to compile too (with 64 at
        // once the first second of a backlog opened 512 connections with that code still interpreted)
        int concurrency = Math.max(1, Math.min(config.maxInFlight(), commands));
        ProviderRegistry registry = new ProviderRegistry(adapters, new StandIn("http://127.0.0.1:" + port,
                concurrency));
        // meters and spans of the same classes as the live ones, kept by nobody: a composite registry as Quarkus
        // Micrometer's (Metrics.globalRegistry), and the OpenTelemetry SDK sampling as by default, with no processor
        SdkTracerProvider tracing = SdkTracerProvider.builder()
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(0.1))).build();
        OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(tracing)
                .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
                        W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
                .build();
        ProviderClient client = new ProviderClient(vertx, registry, config, clock, otel);
        // the same wiring as the live ones (LimitsBeans, FlowBeans), as instances of the rehearsal's own
        Delays delays = LimitsBeans.delays(vertx);
        CommandProcessor processor = new CommandProcessor(registry, client, config, delays, clock, FlowBeans.jitter(),
                LimitsBeans.budgets(clock, delays, config, LimitsBeans.connections(client)),
                LimitsBeans.breakers(clock, delays, config), new RelayMetrics(
                        new CompositeMeterRegistry().add(new SimpleMeterRegistry())));
        // the live producer's code, against a broker that keeps nothing (or, without one, Kafka's mock producer)
        OutcomeSender sender = broker == null ? OutcomeSender.discarding()
                : OutcomeSender.rehearsing(broker.bootstrapServers(), PRODUCER_WAIT);
        CommandSpans spans = new CommandSpans(otel);
        OutcomePublisher publisher = new OutcomePublisher(sender, mapper, clock, config, spans);
        AppliedUpdates applied = AppliedUpdates.rehearsing(config, clock, sender, PARTITION.partition());
        Rehearsal rehearsal = new Rehearsal(Coalescer.of(registry, parser), processor, publisher, applied, spans,
                commands, deadline, concurrency, counts);
        for (int i = concurrency; i > 0; i--) {
            loop.execute(rehearsal::step);
        }
        return Uni.createFrom().completionStage(rehearsal.done).onTermination().call(() -> Uni.createFrom()
                .item(() -> {
                    client.close();
                    applied.close();
                    sender.close(); // a real producer's close waits for its thread: never on an event loop
                    tracing.close();
                    return null;
                }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()));
    }

    /** One rehearsal's commands: each of its lanes takes the next command as soon as its last one ended. */
    private final class Rehearsal {
        private final MessageSequencer sequencer = new MessageSequencer();
        private final StallWatch watch = new StallWatch(clock);
        private final Coalescer coalescer;
        private final CommandProcessor processor;
        private final OutcomePublisher publisher;
        private final AppliedUpdates applied;
        private final Predicate<UpdateCommand> unsettled;
        private final CommandSpans spans;
        private final int commands;
        private final long deadline;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger lanes;
        private final Counts counts;
        private final CompletableFuture<Void> done = new CompletableFuture<>();

        Rehearsal(Coalescer coalescer, CommandProcessor processor, OutcomePublisher publisher, AppliedUpdates applied,
                CommandSpans spans, int commands, long deadline, int lanes, Counts counts) {
            this.applied = applied;
            this.unsettled = RelayPipeline.unsettled(applied, PARTITION);
            this.spans = spans;
            this.coalescer = coalescer;
            this.processor = processor;
            this.publisher = publisher;
            this.commands = commands;
            this.deadline = deadline;
            this.lanes = new AtomicInteger(lanes);
            this.counts = counts;
        }

        /** Runs the next synthetic command on the pipeline loop, or ends this lane when none is left. */
        void step() {
            int n = next.getAndIncrement();
            if (n >= commands || System.nanoTime() > deadline) {
                if (lanes.decrementAndGet() == 0) {
                    done.complete(null);
                }
                return;
            }
            counts.ran.incrementAndGet();
            Uni<Outcome> rehearsed;
            try {
                rehearsed = rehearse(parser.parse(synthetic(n)), n);
            } catch (RuntimeException defect) {
                rehearsed = Uni.createFrom().failure(defect);
            }
            rehearsed.subscribe().with(outcome -> {
                if (outcome instanceof Outcome.Succeeded) {
                    counts.succeeded.incrementAndGet();
                }
                loop.execute(this::step);
            }, failure -> {
                LOG.debugf("a synthetic command of the rehearsal failed: %s", failure);
                loop.execute(this::step);
            });
        }

        /**
         * One synthetic command, the way the pipeline takes a live one: watched (a {@link StallWatch} of the
         * rehearsal's own), queued for its message's turn with what it may coalesce with ({@link Coalescer}: the
         * stand-in's providers coalesce or not, so both kinds of request are rehearsed), checked against what the
         * rehearsal's stale guard remembers, processed, published with its guard and answer records.
         */
        private Uni<Outcome> rehearse(UpdateCommand command, int n) {
            StallWatch.Watched watched = watch.begin(() -> "rehearsal command " + n);
            // the command's span, as the pipeline starts it from its record and ends it with its outcome
            CommandSpans.CommandSpan span = spans.start(PARTITION.topic(), PARTITION.partition(), n,
                    new RecordHeaders());
            Coalescer.Waiting waiting = coalescer.enter(command);
            return sequencer.run(command.messageKey(), () -> {
                watched.working();
                if (waiting != null && !waiting.start()) {
                    counts.carried.incrementAndGet();
                    return Uni.createFrom().completionStage(waiting.carried())
                            .invoke(outcome -> span.ended(outcome.name(), RelayPipeline.category(outcome)));
                }
                // as the pipeline answers (RelayPipeline.answer): a command already answered or superseded is not
                // sent (none of the rehearsal's is: their ids and times are new)
                boolean settled = !unsettled.test(command);
                Coalescer.Head head = waiting == null || settled ? null : waiting.head().admitting(unsettled);
                Uni<Outcome> processing = settled
                        ? Uni.createFrom().item(RelayPipeline.superseded(command,
                                applied.newerApplied(PARTITION, command).orElse(command.issuedAt())))
                        : processor.process(command, span.context(), watched, head == null ? Coalescing.NONE : head);
                return processing
                        .call(outcome -> RelayPipeline.publishAndRecord(publisher, applied, outcome, null,
                                span.context(), new Origin(PARTITION.topic(), PARTITION.partition(), n), PARTITION,
                                head == null ? command : head.newest(), () -> false)
                                .invoke(() -> {
                                    counts.published.incrementAndGet();
                                    span.ended(outcome.name(), RelayPipeline.category(outcome));
                                }))
                        .onTermination().invoke((outcome, failure, cancelled) -> {
                            if (head != null) {
                                head.ended(outcome, failure);
                            }
                        });
            }).onTermination().invoke(watched::waiting).onTermination().invoke(watched::ended);
        }
    }

    /** What the rehearsal's commands did, counted as they end. */
    private static final class Counts {
        final AtomicInteger ran = new AtomicInteger();
        final AtomicInteger succeeded = new AtomicInteger();
        final AtomicInteger carried = new AtomicInteger();
        final AtomicInteger published = new AtomicInteger();
    }

    /** The {@code n}th synthetic command: the providers in turn, a thousand messages, each field kind now and then. */
    private byte[] synthetic(int n) {
        String provider = adapters.get(n % adapters.size()).name();
        StringBuilder update = new StringBuilder("{\"text\":\"rehearsal ").append(n).append('"');
        if (n % 4 == 1) {
            update.append(",\"price\":0");
        }
        if (n % 8 == 2) {
            update.append(",\"scheduledAt\":\"").append(Instant.ofEpochSecond(2_000_000_000L + n)).append('"');
        }
        String json = "{\"commandId\":\"warm-up-" + n + "\",\"provider\":\"" + provider + "\",\"account\":\""
                + ACCOUNTS.getOrDefault(provider, "warm_up") + "\",\"messageId\":\"" + (1000 + n % 1000)
                + "\",\"issuedAt\":\"" + clock.instant() + "\",\"update\":" + update + "}}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** Every provider at the loopback stand-in, with a key and no budget to wait for. */
    private record StandIn(String baseUrl, int connections) implements ProvidersConfig {
        @Override
        public Endpoint onlyfansapi() {
            return endpoint("/onlyfansapi");
        }

        @Override
        public Endpoint fansmetric() {
            return endpoint("/fansmetric");
        }

        @Override
        public Endpoint fansly() {
            return endpoint("/fansly");
        }

        @Override
        public boolean allowPlainHttp() {
            return true;
        }

        private Endpoint endpoint(String path) {
            // two of the three coalesce: a request is rehearsed both with the commands behind it and alone
            return new StandInEndpoint(baseUrl + path, connections, !path.equals("/fansmetric"));
        }
    }

    private record StandInEndpoint(String baseUrl, int connections, boolean coalesces)
            implements
                ProvidersConfig.Endpoint {
        @Override
        public Optional<String> apiKey() {
            return Optional.of("warm-up");
        }

        @Override
        public Map<String, ProvidersConfig.Account> accounts() {
            return Map.of();
        }

        @Override
        public Duration connectTimeout() {
            return Duration.ofSeconds(5);
        }

        @Override
        public Duration requestTimeout() {
            return Duration.ofSeconds(5);
        }

        @Override
        public long maxResponseBytes() {
            return 1 << 16;
        }

        @Override
        public Optional<Integer> maxConnections() {
            return Optional.of(connections);
        }

        @Override
        public long requestsPerMinute() {
            return 100_000_000L;
        }

        @Override
        public long requestsPerDay() {
            return 0;
        }

        @Override
        public Optional<Boolean> coalesce() {
            return Optional.of(coalesces);
        }
    }
}
