package io.massmessage.relay.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/** Asks a service process's HTTP endpoints (health, metrics) on 127.0.0.1; -1 or "" when it does not answer. */
public final class HttpProbe {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private HttpProbe() {}

    public static int status(int port, String path) {
        try {
            return HTTP.send(request(port, path), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    public static String body(int port, String path) {
        try {
            return HTTP.send(request(port, path), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }

    /** Asks {@code path} until it answers {@code status} or {@code limit} passes; returns whether it did. */
    public static boolean await(int port, String path, int status, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (status(port, path) == status) {
                return true;
            }
            LockSupport.parkNanos(200_000_000L);
        }
        return false;
    }

    private static HttpRequest request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5))
                .build();
    }
}
