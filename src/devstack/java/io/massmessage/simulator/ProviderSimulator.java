package io.massmessage.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A non-blocking HTTP server that behaves like the update-mass-message endpoints of OnlyFansAPI,
 * FansMetric and the Fansly API as their documents describe them: routes, authentication, body
 * rules, scheduled-message state, per-key rate budgets in each provider's dialect, credits, and
 * injectable latency and faults. Admin API under {@code /_sim/}: {@code GET counters},
 * {@code POST reset}, {@code GET|PUT settings}, {@code POST deliver/{provider}/{account}/{id}}.
 *
 * <p>Message ids beginning with {@code missing} do not exist (404); any other id is created on
 * first sight, scheduled in the future. A delivered message, or one whose send time has passed,
 * cannot be edited.
 */
public final class ProviderSimulator implements AutoCloseable {

    static final String ONLYFANSAPI = "onlyfansapi";
    static final String FANSMETRIC = "fansmetric";
    static final String FANSLY = "fansly";
    private static final Pattern OF_PATH = Pattern.compile("/api/([^/]+)/mass-messaging/([^/]+)");
    private static final Pattern FM_PATH = Pattern.compile("/v1/([^/]+)/mass-messages/queue/([^/]+)");
    private static final Pattern FY_PATH = Pattern.compile("/api/fansly/([^/]+)/mass-messaging/scheduled/([^/]+)");
    private static final Pattern DELIVER = Pattern.compile("/_sim/deliver/([^/]+)/([^/]+)/([^/]+)");
    private static final int MAX_FM_BODY = 1024 * 1024;

    private final Vertx vertx;
    private final HttpServer server;
    private final SimulatorSettings settings;
    private final SimulatorCounters counters = new SimulatorCounters();
    private final Clock clock;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Random random = new Random();
    private final Map<String, RateWindow> windows = new ConcurrentHashMap<>();
    private final Map<String, ScheduledMessage> messages = new ConcurrentHashMap<>();
    private final Map<String, Long> credits = new ConcurrentHashMap<>();

    private ProviderSimulator(Vertx vertx, SimulatorSettings settings, Clock clock) {
        this.vertx = vertx;
        this.settings = settings;
        this.clock = clock;
        // Plain HTTP/1.1 only: no WebSocket compression handler and no h2c upgrade check in each
        // connection's pipeline: the benchmark's harness shares the cores with the service it measures
        this.server = vertx.createHttpServer(new HttpServerOptions().setIdleTimeout(0).setMaxInitialLineLength(8192)
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                .setHttp2ClearTextEnabled(false));
    }

    /** Starts a simulator on loopback {@code port} (0 picks a free one); blocks the calling thread until it listens. */
    public static ProviderSimulator start(Vertx vertx, int port, SimulatorSettings settings, Clock clock) {
        return start(vertx, port, settings, clock, "127.0.0.1");
    }

    /** Starts a simulator on {@code host:port}; blocks the calling thread until it listens. */
    public static ProviderSimulator start(Vertx vertx, int port, SimulatorSettings settings, Clock clock, String host) {
        ProviderSimulator simulator = new ProviderSimulator(vertx, settings, clock);
        simulator.server.requestHandler(simulator::handle);
        try {
            simulator.server.listen(port, host).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("simulator could not listen on port " + port, e);
        }
        return simulator;
    }

    public int port() {
        return server.actualPort();
    }

    /** {@code http://127.0.0.1:port}: the base URL of all three providers. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    public SimulatorCounters counters() {
        return counters;
    }

    public SimulatorSettings settings() {
        return settings;
    }

    /** Marks a message delivered: further updates are refused as not editable. */
    public void deliver(String provider, String account, String id) {
        message(provider, account, id).delivered = true;
    }

    private void handle(HttpServerRequest request) {
        String path = request.path();
        if (path.startsWith("/_sim/")) {
            request.body().onSuccess(body -> admin(request, path, body));
            return;
        }
        Route route = route(path);
        String host = request.getHeader("Host");
        if (route == null
                || host != null && !host.equals("127.0.0.1:" + port()) && !host.equals("localhost:" + port())) {
            counters.unrouted(host + " " + request.uri());
        }
        if (route == null) {
            request.response().setStatusCode(404).putHeader("Content-Type", "application/json")
                    .end("{\"message\":\"Not found\"}");
            return;
        }
        counters.opened(route.provider, route.account);
        request.body().onComplete(body -> {
            double dice = random.nextDouble();
            SimulatorSettings s = settings;
            if (dice < s.hangRate) {
                request.connection().closeHandler(v -> counters.closed(route.provider, route.account, 0));
                return; // never answered: the client's timeout must fire
            }
            long delay = Math.max(0, s.latency.sampleMs(random));
            Runnable answer = () -> {
                if (dice < s.hangRate + s.resetRate) {
                    counters.closed(route.provider, route.account, 0);
                    request.connection().close();
                    return;
                }
                Reply reply = s.unavailable.contains(route.provider) ? error(route, 503, "Service Unavailable")
                        : dice < s.hangRate + s.resetRate + s.serverErrorRate
                                ? error(route, 500, "Server Error")
                                : body.succeeded() ? apply(route, request, body.result())
                                        : error(route, 400, "Unreadable body");
                send(request.response(), route, reply);
            };
            if (delay == 0) {
                answer.run();
            } else {
                vertx.setTimer(delay, id -> answer.run());
            }
        });
    }

    private void send(HttpServerResponse response, Route route, Reply reply) {
        counters.closed(route.provider, route.account, reply.status);
        response.setStatusCode(reply.status).putHeader("Content-Type", "application/json");
        reply.headers.forEach(response::putHeader);
        response.end(reply.body.toString());
    }

    private Reply apply(Route route, HttpServerRequest request, Buffer raw) {
        String key = presentedKey(route.provider, request);
        if (key == null) {
            return error(route, 401, route.provider.equals(FANSMETRIC) ? "Invalid API key" : "Unauthenticated.");
        }
        long now = clock.millis();
        long perMinute = settings.perMinute.getOrDefault(route.provider, 1000L);
        long perDay = settings.perDay.getOrDefault(route.provider, 50_000L);
        RateWindow window = windows.computeIfAbsent(route.provider + "|" + key,
                k -> route.provider.equals(FANSLY) ? RateWindow.sliding() : RateWindow.fixed());
        long waitMs;
        long remainingMinute;
        long remainingDay;
        synchronized (window) {
            waitMs = window.tryAcquire(now, perMinute, perDay);
            remainingMinute = window.remainingMinute(now, perMinute);
            remainingDay = window.remainingDay(now, perDay);
        }
        Limits limits = new Limits(perMinute, remainingMinute, perDay, remainingDay);
        if (waitMs >= 0) {
            return limited(route, limits, waitMs);
        }
        if (route.provider.equals(FANSMETRIC) && raw.length() > MAX_FM_BODY) {
            return error(route, 413, "Payload too large");
        }
        JsonNode body;
        try {
            body = mapper.readTree(raw.getBytes());
        } catch (Exception e) {
            return error(route, 400, "The request body must be valid JSON.");
        }
        if (body == null || !body.isObject()) {
            return error(route, 400, "The request body must be a JSON object.");
        }
        String invalid = validate(route.provider, (ObjectNode) body);
        if (invalid != null) {
            return withLimits(route, error(route, 400, invalid), limits);
        }
        if (route.id.startsWith("missing")) {
            return withLimits(route, error(route, 404, "Mass message not found."), limits);
        }
        ScheduledMessage message = message(route.provider, route.account, route.id);
        synchronized (message) {
            if (message.delivered || message.sendAtMs <= now) {
                Reply refused = route.provider.equals(FANSMETRIC) ? error(route, 409, "Cannot edit a delivered message")
                        : route.provider.equals(FANSLY) ? fanslyFailure("message already sent")
                                : error(route, 400, "Message already sent and cannot be edited.");
                return withLimits(route, refused, limits);
            }
            message.apply(route.provider, (ObjectNode) body);
            counters.applied(route.provider + ":" + route.account + ":" + route.id, marker(body), clock.millis());
        }
        long balance = credits.merge(key, 1L, Long::sum);
        return success(route, message, limits, balance);
    }

    /** The accepted key the request authenticates with, in the provider's scheme; {@code null} if none. */
    private String presentedKey(String provider, HttpServerRequest request) {
        String bearer = request.getHeader("Authorization");
        String fromBearer = bearer != null && bearer.startsWith("Bearer ") ? bearer.substring(7) : null;
        String fromHeader = request.getHeader("x-api-key");
        String presented = switch (provider) {
            case ONLYFANSAPI -> fromBearer;
            case FANSMETRIC -> fromBearer != null ? fromBearer : fromHeader;
            default -> fromHeader;
        };
        boolean accepted = presented != null
                && (presented.equals(settings.apiKeys.get(provider)) || settings.extraKeys.contains(presented));
        return accepted ? presented : null;
    }

    /** The provider's documented body rules; a message for the 400 answer, or {@code null}. */
    private static String validate(String provider, ObjectNode body) {
        switch (provider) {
            case ONLYFANSAPI -> {
                if (!body.path("text").isTextual()) {
                    return "The text field is required.";
                }
                JsonNode price = body.get("price");
                if (price != null && !price.isNull()) {
                    if (!price.isIntegralNumber()) {
                        return "The price field must be an integer.";
                    }
                    int p = price.intValue();
                    if (p != 0 && (p < 3 || p > 200)) {
                        return "The price field must be 0 or between 3 and 200.";
                    }
                    if (p != 0 && body.path("mediaFiles").size() == 0) {
                        return "The media files field is required when price is not 0.";
                    }
                }
                var media = new HashSet<String>();
                body.path("mediaFiles").forEach(m -> media.add(m.asText()));
                for (JsonNode preview : body.path("previews")) {
                    if (!media.contains(preview.asText())) {
                        return "All previews must also exist in the mediaFiles array.";
                    }
                }
                return null;
            }
            case FANSMETRIC -> {
                JsonNode price = body.get("price");
                if (price != null && !price.isNull() && !price.isTextual()) {
                    return "price must be a string";
                }
                return null;
            }
            default -> {
                if (!body.path("content").isTextual() || body.path("content").asText().isBlank()) {
                    return "content is required";
                }
                JsonNode at = body.get("scheduledFor");
                if (at != null && !at.isIntegralNumber()) {
                    return "scheduledFor must be an epoch timestamp in milliseconds";
                }
                return null;
            }
        }
    }

    private Reply success(Route route, ScheduledMessage message, Limits limits, long used) {
        if (route.provider.equals(FANSLY)) {
            ObjectNode envelope = mapper.createObjectNode().put("statusCode", 201).put("message", "Success");
            envelope.putObject("data").put("status_code", 200).putObject("data")
                    .put("success", true).put("response", "broadcast updated");
            envelope.put("timestamp", Instant.ofEpochMilli(clock.millis()).toString());
            return withLimits(route, new Reply(200, envelope, Map.of()), limits);
        }
        ObjectNode body = mapper.createObjectNode();
        ObjectNode data = body.putObject("data");
        data.put("id", message.numericId).put("date", Instant.ofEpochMilli(message.sendAtMs).toString())
                .put("isReady", true).put("isDone", false).put("total", -1).put("pending", 0)
                .put("canUnsend", true).put("unsendSeconds", 1_000_000).put("hasError", false)
                .put("isCanceled", false).put("isCouplePeopleMedia", false);
        ObjectNode meta = body.putObject("_meta");
        meta.putObject("_credits").put("used", 1).put("balance", 1_000_000_000L - used).put("note", "Always");
        meta.putObject("_rate_limits").put("limit_minute", limits.perMinute).put("limit_day", limits.perDay)
                .put("remaining_minute", limits.remainingMinute).put("remaining_day", limits.remainingDay);
        return withLimits(route, new Reply(200, body, Map.of()), limits);
    }

    private Reply limited(Route route, Limits limits, long waitMs) {
        String seconds = String.valueOf(Math.max(1, (waitMs + 999) / 1000));
        switch (route.provider) {
            case FANSLY -> {
                ObjectNode envelope = envelope(429, "Too Many Requests");
                return withLimits(route, new Reply(429, envelope, Map.of("X-RateLimit-Retry-After", seconds)), limits);
            }
            case FANSMETRIC -> {
                ObjectNode body = mapper.createObjectNode().put("error", "Rate limit exceeded");
                body.putObject("_meta").putObject("_rate_limits").put("limit_minute", limits.perMinute)
                        .put("remaining_minute", 0).put("limit_day", limits.perDay)
                        .put("remaining_day", limits.remainingDay);
                return new Reply(429, body, Map.of()); // FansMetric sends no Retry-After
            }
            default -> {
                ObjectNode body = mapper.createObjectNode().put("message", "Too Many Attempts.");
                return withLimits(route, new Reply(429, body, Map.of("Retry-After", seconds)), limits);
            }
        }
    }

    private Reply withLimits(Route route, Reply reply, Limits limits) {
        Map<String, String> headers = new HashMap<>(reply.headers);
        if (route.provider.equals(ONLYFANSAPI)) {
            headers.put("x-rate-limit-limit-minute", String.valueOf(limits.perMinute));
            headers.put("x-rate-limit-remaining-minute", String.valueOf(limits.remainingMinute));
            headers.put("x-rate-limit-limit-day", String.valueOf(limits.perDay));
            headers.put("x-rate-limit-remaining-day", String.valueOf(limits.remainingDay));
        } else if (route.provider.equals(FANSLY)) {
            headers.put("X-RateLimit-Limit", String.valueOf(limits.perMinute));
            headers.put("X-RateLimit-Remaining", String.valueOf(limits.remainingMinute));
            headers.put("X-RateLimit-Plan", settings.fanslyPlan);
        }
        return new Reply(reply.status, reply.body, headers);
    }

    private Reply error(Route route, int status, String message) {
        return switch (route.provider) {
            case FANSMETRIC -> new Reply(status, mapper.createObjectNode().put("error", message), Map.of());
            case FANSLY -> new Reply(status, envelope(status, message), Map.of());
            default -> new Reply(status, mapper.createObjectNode().put("message", message), Map.of());
        };
    }

    private Reply fanslyFailure(String response) {
        ObjectNode envelope = envelope(200, "Success");
        envelope.putObject("data").put("status_code", 200).putObject("data").put("success", false).put("response",
                response);
        return new Reply(200, envelope, Map.of());
    }

    private ObjectNode envelope(int status, String message) {
        ObjectNode envelope = mapper.createObjectNode().put("statusCode", status).put("message", message);
        envelope.putNull("data");
        envelope.put("timestamp", Instant.ofEpochMilli(clock.millis()).toString());
        return envelope;
    }

    private static String marker(JsonNode body) {
        for (String field : new String[]{"text", "content", "scheduledDate", "scheduledFor"}) {
            if (body.hasNonNull(field)) {
                return body.get(field).asText();
            }
        }
        return "-";
    }

    private ScheduledMessage message(String provider, String account, String id) {
        return messages.computeIfAbsent(provider + ":" + account + ":" + id,
                k -> new ScheduledMessage(clock.millis() + 7 * 86_400_000L, Math.abs((long) k.hashCode())));
    }

    private void admin(HttpServerRequest request, String path, Buffer body) {
        HttpServerResponse response = request.response().putHeader("Content-Type", "application/json");
        try {
            if (path.equals("/_sim/counters")) {
                response.end(mapper.writeValueAsString(Map.of("total", counters.total(),
                        "maxConcurrent", counters.maxConcurrent(), "concurrent", counters.concurrent(),
                        "byProviderStatus", counters.byProviderStatus(), "byAccount", counters.byAccount(),
                        "updatesByMessage", counters.updatesByMessage())));
            } else if (path.equals("/_sim/reset")) {
                counters.reset();
                response.end("{}");
            } else if (path.equals("/_sim/settings")) {
                if (request.method().name().equals("PUT")) {
                    SimulatorAdmin.update(settings, mapper.readTree(body.getBytes()));
                }
                response.end(mapper.writeValueAsString(settings.describe()));
            } else {
                Matcher deliver = DELIVER.matcher(path);
                if (deliver.matches()) {
                    deliver(deliver.group(1), deliver.group(2), deliver.group(3));
                    response.end("{}");
                } else {
                    response.setStatusCode(404).end("{\"error\":\"no such admin path\"}");
                }
            }
        } catch (Exception e) {
            response.setStatusCode(400)
                    .end(mapper.createObjectNode().put("error", String.valueOf(e.getMessage())).toString());
        }
    }

    private static Route route(String path) {
        Matcher m = FY_PATH.matcher(path);
        if (m.matches()) {
            return new Route(FANSLY, m.group(1), m.group(2));
        }
        m = OF_PATH.matcher(path);
        if (m.matches()) {
            return new Route(ONLYFANSAPI, m.group(1), m.group(2));
        }
        m = FM_PATH.matcher(path);
        return m.matches() ? new Route(FANSMETRIC, m.group(1), m.group(2)) : null;
    }

    /** Stops listening; blocks until closed. */
    @Override
    public void close() {
        try {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // closing is best effort
        }
    }

    private record Route(String provider, String account, String id) {}

    private record Reply(int status, JsonNode body, Map<String, String> headers) {}

    private record Limits(long perMinute, long remainingMinute, long perDay, long remainingDay) {}

    /** One scheduled mass message, as the provider holds it. */
    private static final class ScheduledMessage {
        long sendAtMs;
        final long numericId;
        boolean delivered;

        ScheduledMessage(long sendAtMs, long numericId) {
            this.sendAtMs = sendAtMs;
            this.numericId = numericId;
        }

        void apply(String provider, ObjectNode body) {
            if (provider.equals(FANSLY) && body.path("scheduledFor").isIntegralNumber()) {
                sendAtMs = body.get("scheduledFor").longValue();
            } else if (body.path("scheduledDate").isTextual()) {
                try {
                    sendAtMs = OffsetDateTime.parse(body.get("scheduledDate").asText()).toInstant().toEpochMilli();
                } catch (Exception ignored) {
                    // an unreadable date leaves the send time as it was, as the provider would refuse it
                }
            }
        }
    }
}
