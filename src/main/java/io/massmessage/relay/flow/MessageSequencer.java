package io.massmessage.relay.flow;

import io.smallrye.mutiny.Uni;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs work for the same key one at a time, in the order {@link #run} was called, and work for
 * different keys concurrently. Each call chains behind the previous call's completion for its key;
 * nothing waits on a thread. The map holds only keys with work pending, so it stays as small as
 * the number of messages in flight.
 */
public final class MessageSequencer {

    private final ConcurrentHashMap<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    /**
     * Queues {@code work} behind earlier work for {@code key}. Calls for one key must come from one
     * thread at a time (the stream's emissions are serial), which fixes their order.
     */
    public <T> Uni<T> run(String key, Supplier<Uni<T>> work) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletableFuture<Void> previous = tails.put(key, done);
        Uni<Void> turn = previous == null ? Uni.createFrom().voidItem() : Uni.createFrom().completionStage(previous);
        return turn.chain(work::get)
                .onTermination().invoke(() -> {
                    tails.remove(key, done);
                    done.complete(null);
                });
    }
}
