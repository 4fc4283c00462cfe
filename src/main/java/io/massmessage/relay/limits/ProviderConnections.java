package io.massmessage.relay.limits;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * Each provider's connections as a count, as many as its HTTP pool has. {@link RateBudgets} spends a key's slot
 * only together with one of them, so the request is sent at once and the spacing of the slots is the spacing of
 * the sends. A key whose slot has come takes a free connection, or queues (at most once) and is served in turn
 * as connections come back, so a busy key cannot crowd out the others. Grants run outside the lock and never
 * recurse: a connection given back while this thread is already granting is handed on by the loop that is
 * running.
 */
public final class ProviderConnections {

    private final ToIntFunction<String> poolSize;
    private final Map<String, Pool> pools = new ConcurrentHashMap<>();

    /** @param poolSize requests each provider may have open at once (its HTTP pool's size) */
    public ProviderConnections(ToIntFunction<String> poolSize) {
        this.poolSize = poolSize;
    }

    /** {@code provider}'s pool. */
    Pool of(String provider) {
        return pools.computeIfAbsent(provider, p -> new Pool(poolSize.applyAsInt(p)));
    }

    /** API keys of {@code provider} whose next command waits for a free connection. */
    public int keysWaiting(String provider) {
        Pool pool = pools.get(provider);
        return pool == null ? 0 : pool.queued();
    }

    /** Connections of {@code provider} held by commands now. */
    public int inUse(String provider) {
        Pool pool = pools.get(provider);
        return pool == null ? 0 : pool.inUse();
    }

    /** One connection taken from a pool; giving it back twice gives it back once. */
    static final class Permit {
        private final Pool pool;
        private final AtomicBoolean given = new AtomicBoolean();

        private Permit(Pool pool) {
            this.pool = pool;
        }

        void giveBack() {
            if (given.compareAndSet(false, true)) {
                pool.giveBack();
            }
        }
    }

    /** One provider's connections. */
    static final class Pool {
        private final int capacity;
        private final ArrayDeque<Consumer<Permit>> queue = new ArrayDeque<>();
        private int inUse;
        private boolean granting;

        private Pool(int capacity) {
            this.capacity = Math.max(1, capacity);
        }

        /** A free connection if one is free and no key is queued for one; otherwise null. */
        synchronized Permit tryTake() {
            if (inUse < capacity && queue.isEmpty()) {
                inUse++;
                return new Permit(this);
            }
            return null;
        }

        /** Queues {@code waiter} for the next free connection, which it is given. */
        void await(Consumer<Permit> waiter) {
            synchronized (this) {
                queue.addLast(waiter);
            }
            grantFree();
        }

        private void giveBack() {
            synchronized (this) {
                inUse--;
            }
            grantFree();
        }

        private void grantFree() {
            synchronized (this) {
                if (granting) {
                    return; // the loop running now hands it on
                }
                granting = true;
            }
            while (true) {
                Consumer<Permit> next;
                synchronized (this) {
                    if (inUse >= capacity || queue.isEmpty()) {
                        granting = false;
                        return;
                    }
                    inUse++;
                    next = queue.pollFirst();
                }
                next.accept(new Permit(this));
            }
        }

        synchronized int queued() {
            return queue.size();
        }

        synchronized int inUse() {
            return inUse;
        }
    }
}
