package io.massmessage.relay.provider;

import io.massmessage.relay.config.ProvidersConfig;
import io.massmessage.relay.config.RelayConfig;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import io.vertx.mutiny.ext.web.codec.BodyCodec;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Clock;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends {@link ProviderRequest}s without blocking, one pooled Vert.x Web Client per provider, and
 * turns every answer or transport fault into a {@link ProviderResponse}. Never fails its Uni for a
 * provider's sake. Each call is a CLIENT span of the command's trace, and the request carries its
 * W3C {@code traceparent}.
 */
@Singleton
public final class ProviderClient {

    // the span attributes' keys made once: a key by name is made anew at each call, recorded span or not
    private static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    private static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("relay.provider");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");

    private final Map<String, Target> targets = new HashMap<>();
    private final Vertx vertx;
    private final Map<String, AtomicInteger> inFlight = new HashMap<>();
    private final Clock clock;
    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final int defaultPoolSize;

    /** A client without tracing. */
    public ProviderClient(Vertx vertx, ProviderRegistry registry, RelayConfig relay, Clock clock) {
        this(vertx, registry, relay, clock, OpenTelemetry.noop());
    }

    @Inject
    public ProviderClient(Vertx vertx, ProviderRegistry registry, RelayConfig relay, Clock clock, OpenTelemetry otel) {
        this.clock = clock;
        this.vertx = vertx;
        this.tracer = otel.getTracer("io.massmessage.relay.provider");
        this.propagator = otel.getPropagators().getTextMapPropagator();
        this.defaultPoolSize = relay.maxInFlight();
        for (ProviderAdapter adapter : registry.all()) {
            ProvidersConfig.Endpoint endpoint = registry.endpoint(adapter);
            targets.put(adapter.name(),
                    Target.create(vertx, endpoint, endpoint.maxConnections().orElse(defaultPoolSize)));
            inFlight.put(adapter.name(), new AtomicInteger());
        }
    }

    /** Sends {@code request} to {@code adapter}'s provider and reads the answer, as a span under {@code trace}. */
    public Uni<ProviderResponse> call(ProviderAdapter adapter, ProviderRequest request, Context trace) {
        Target target = targets.get(adapter.name());
        return Uni.createFrom().deferred(() -> {
            Span span = tracer.spanBuilder(request.method() + " " + adapter.name())
                    .setParent(trace)
                    .setSpanKind(SpanKind.CLIENT)
                    .startSpan();
            if (span.isRecording()) { // most are not (the sampler), which does not look at attributes
                span.setAttribute(HTTP_METHOD, request.method());
                span.setAttribute(SERVER_ADDRESS, target.host);
                span.setAttribute(SERVER_PORT, (long) target.port);
                span.setAttribute(PROVIDER, adapter.name());
            }
            BoundedBody body = new BoundedBody(target.maxResponseBytes);
            // the body arrives as a core Buffer (the codec is a core one): read it as one
            HttpRequest<io.vertx.core.buffer.Buffer> http = target.client
                    .request(HttpMethod.valueOf(request.method()), target.basePath + request.path())
                    .timeout(target.requestTimeoutMs)
                    .as(BodyCodec.<io.vertx.core.buffer.Buffer>newInstance(body));
            request.headers().forEach(http::putHeader);
            propagator.inject(trace.with(span), http, (carrier, name, value) -> carrier.putHeader(name, value));
            var open = inFlight.get(adapter.name());
            open.incrementAndGet();
            return exchange(http, Buffer.buffer(request.body()), body, target.requestTimeoutMs)
                    .map(response -> adapter.interpret(reply(response), clock.instant()))
                    .onFailure().recoverWithItem(ProviderClient::transportFault)
                    .onTermination().invoke(open::decrementAndGet)
                    .invoke(response -> end(span, response));
        });
    }

    /**
     * Sends {@code http} and ends with its answer, or with a {@link TimeoutException} once {@code timeoutMs} have
     * passed: the request timeout bounds the whole exchange, with one timer. The client's own timeout is an idle
     * timeout, which a provider sending a byte every few seconds never reaches; at the deadline the body being read
     * is aborted, and an answer whose headers never end is failed here, since nothing else would end it.
     */
    private Uni<HttpResponse<io.vertx.core.buffer.Buffer>> exchange(HttpRequest<io.vertx.core.buffer.Buffer> http,
            Buffer sent, BoundedBody body, long timeoutMs) {
        return Uni.createFrom().emitter(emitter -> {
            long deadline = vertx.getDelegate().setTimer(timeoutMs, id -> {
                TimeoutException late = new TimeoutException("no complete answer within " + timeoutMs + " ms");
                body.abort(late);
                emitter.fail(late);
            });
            Cancellable sending = http.sendBuffer(sent).subscribe().with(emitter::complete, emitter::fail);
            // answered, failed, timed out or cancelled from downstream (the service stopping); run at once if the
            // answer came before this line
            emitter.onTermination(() -> {
                vertx.getDelegate().cancelTimer(deadline);
                sending.cancel();
            });
        });
    }

    /**
     * How many connections {@code provider}'s pool holds: {@code providers.<name>.max-connections}, or
     * {@code relay.max-in-flight} when unset. The rate budgets hold one of these for every request they let go.
     */
    public int poolSize(String provider) {
        Target target = targets.get(provider);
        return target == null ? defaultPoolSize : target.poolSize();
    }

    /** Requests sent to {@code provider} and not yet answered. */
    public int inFlight(String provider) {
        var open = inFlight.get(provider);
        return open == null ? 0 : open.get();
    }

    private static void end(Span span, ProviderResponse response) {
        if (response.httpStatus() > 0) {
            span.setAttribute(STATUS, (long) response.httpStatus());
        }
        if (!(response instanceof ProviderResponse.Accepted)) {
            span.setStatus(StatusCode.ERROR, response.getClass().getSimpleName().toLowerCase(Locale.ROOT));
        }
        span.end();
    }

    private static HttpReply reply(HttpResponse<io.vertx.core.buffer.Buffer> response) {
        Map<String, String> headers = new HashMap<>();
        response.headers()
                .forEach(entry -> headers.putIfAbsent(entry.getKey().toLowerCase(Locale.ROOT), entry.getValue()));
        io.vertx.core.buffer.Buffer body = response.body();
        return new HttpReply(response.statusCode(), headers, body == null ? "" : body.toString());
    }

    private static ProviderResponse transportFault(Throwable failure) {
        String kind = failure instanceof TimeoutException ? "timeout"
                : failure instanceof BoundedBody.TooLargeException ? "answer too large" : "connection fault";
        String text = failure.getMessage() == null ? "" : failure.getMessage();
        String message = failure.getClass().getSimpleName() + (text.isEmpty() ? ""
                : ": " + (text.length() <= 200 ? text : text.substring(0, 200) + "…"));
        return new ProviderResponse.Transient(0, kind + " (" + message + ")", null, RateLimitInfo.EMPTY, null);
    }

    /** Closes the clients and their connections. */
    @PreDestroy
    public void close() {
        targets.values().forEach(target -> target.client.close());
    }

    private record Target(WebClient client, String host, int port, String basePath, long requestTimeoutMs,
            long maxResponseBytes, int poolSize) {
        static Target create(Vertx vertx, ProvidersConfig.Endpoint endpoint, int poolSize) {
            URI base = URI.create(endpoint.baseUrl());
            boolean ssl = "https".equalsIgnoreCase(base.getScheme());
            int port = base.getPort() > 0 ? base.getPort() : ssl ? 443 : 80;
            String path = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
            WebClientOptions options = new WebClientOptions()
                    .setDefaultHost(base.getHost())
                    .setDefaultPort(port)
                    .setSsl(ssl)
                    .setConnectTimeout((int) endpoint.connectTimeout().toMillis())
                    .setMaxPoolSize(poolSize)
                    .setMaxWaitQueueSize(-1)
                    .setKeepAlive(true)
                    .setUserAgent("mass-message-relay")
                    .setFollowRedirects(false);
            return new Target(WebClient.create(vertx, options), base.getHost(), port, path,
                    endpoint.requestTimeout().toMillis(), endpoint.maxResponseBytes(), poolSize);
        }
    }
}
