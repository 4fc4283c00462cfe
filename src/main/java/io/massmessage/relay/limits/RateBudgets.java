package io.massmessage.relay.limits;

import io.massmessage.relay.provider.RateLimitInfo;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Request budgets per provider API key, spent evenly. Commands
 * wait for their key in a FIFO queue; a timer releases one every
 * {@code 60 s / (perMinute × (1 − headroom))}, so neither a calendar-minute window (OnlyFansAPI,
 * FansMetric) nor a sliding 60-second window (Fansly) ever sees more than the limit; a per-day count
 * closes the key until the next UTC day.
 *
 * <p>A slot is spent only together with a free connection of the provider ({@link ProviderConnections}),
 * and the request is sent at once, so the spacing of the slots is the spacing of the sends: a command never waits in the HTTP
 * client's pool with its slot already spent (a pool that freed up after a while would otherwise send
 * a key's slots in a burst). A key whose slot has come but finds every connection busy queues, once,
 * for the next free one; keys take free connections in turn, so a busy key cannot crowd out the
 * others, and a key waiting for budget holds no connection.
 *
 * <p>What the provider reports corrects the budget at once for everyone still waiting: its stated
 * limits replace the configured ones; {@code remaining = 0} or a 429 closes the key until the
 * provider's {@code Retry-After}, or the next minute or day. A command that would wait past its
 * deadline is refused at once (or, if the key closes later, when its deadline comes) and says when a
 * slot would open. Waiting blocks no thread.
 */
public final class RateBudgets {

    /** Configured starting limits of one provider. */
    public record Limits(long perMinute, long perDay) {}

    /**
     * The outcome of asking for a slot.
     *
     * @param granted whether the command may send now
     * @param waitMs  how long it waited, for budget and a connection (granted), or would have to wait for budget (refused)
     * @param at      when it was released, or when a slot would open
     */
    public record Reservation(boolean granted, long waitMs, Instant at) {}

    /** Above this many waiters, a key re-checks its waiters' deadlines at most every {@link #SWEEP_EVERY_MS}. */
    private static final int SMALL_QUEUE = 256;
    private static final long SWEEP_EVERY_MS = 100;
    /** While a key waits for a connection, how often its waiters' deadlines are checked. */
    private static final long CONNECTION_WAIT_SWEEP_MS = 1_000;

    private final Clock clock;
    private final Delays delays;
    private final double headroom;
    private final ProviderConnections connections;
    private final Map<String, Budget> budgets = new ConcurrentHashMap<>();

    /**
     * @param headroom    share of the per-minute limit left unused as a margin for network jitter, e.g. 0.01
     * @param connections each provider's connections, one of which every granted slot holds
     */
    public RateBudgets(Clock clock, Delays delays, double headroom, ProviderConnections connections) {
        this.clock = clock;
        this.delays = delays;
        this.headroom = headroom;
        this.connections = connections;
    }

    /**
     * Waits for a slot of {@code apiKey} at {@code provider} and a free connection, at most until
     * {@code deadline}, then runs {@code then} with the reservation: a granted one when the command
     * must send now (the connection is held until {@code then}'s Uni ends, so it should cover the
     * request only), a refused one when no slot comes in time. Cancelling the returned Uni leaves the
     * queue without spending a slot, or cancels {@code then}'s Uni.
     */
    public <T> Uni<T> send(String provider, String apiKey, Limits limits, Instant deadline,
            Function<Reservation, Uni<T>> then) {
        Budget budget = budgets.computeIfAbsent(provider + "\u0000" + apiKey,
                k -> new Budget(provider, fingerprint(apiKey),
                        limits, connections.of(provider)));
        return Uni.createFrom().emitter(emitter -> {
            @SuppressWarnings("unchecked")
            UniEmitter<Object> untyped = (UniEmitter<Object>) emitter;
            @SuppressWarnings("unchecked")
            Function<Reservation, Uni<?>> action = (Function<Reservation, Uni<?>>) (Function<?, ?>) then;
            Waiter waiter = new Waiter(untyped, action, clock.millis(), deadline.toEpochMilli());
            emitter.onTermination(() -> waiter.cancel(budget));
            budget.enter(waiter);
        });
    }

    /** Corrects the key's budget from what the provider said on an answer; {@code throttled} for a 429. */
    public void observe(String provider, String apiKey, RateLimitInfo info, boolean throttled) {
        Budget budget = budgets.get(provider + "\u0000" + apiKey);
        if (budget != null && info != null) {
            budget.learn(info, throttled);
            budget.pumpLater();
        }
    }

    /**
     * One key's budget as the relay sees it, for gauges. {@code key} is a fingerprint (the first 8 hex
     * digits of the key's SHA-256), never the key; {@code remainingToday} is -1 without a daily limit.
     */
    public record KeyView(String provider, String key, long perMinute, long remainingToday, int waiting) {}

    /** Every key's budget now. */
    public List<KeyView> keys() {
        return budgets.values().stream().map(Budget::view).toList();
    }

    /** The first 8 hex digits of the SHA-256 of {@code apiKey}: names a key in metrics without revealing it. */
    public static String fingerprint(String apiKey) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(apiKey.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Commands waiting for a slot now, over all keys. */
    public int waiting() {
        return budgets.values().stream().mapToInt(Budget::waiting).sum();
    }

    /** One command waiting for its slot; once granted, it runs its action, which holds the connection. */
    private static final class Waiter {
        private static final Object CANCELLED = new Object();

        final UniEmitter<Object> emitter;
        final Function<Reservation, Uni<?>> action;
        final long since;
        final long deadline;
        /** null while waiting, then the running action's Cancellable, or CANCELLED. */
        final AtomicReference<Object> state = new AtomicReference<>();
        /** In its key's queue; guarded by the Budget. */
        boolean queued;

        Waiter(UniEmitter<Object> emitter, Function<Reservation, Uni<?>> action, long since, long deadline) {
            this.emitter = emitter;
            this.action = action;
            this.since = since;
            this.deadline = deadline;
        }

        /** Runs the action with a refused reservation (no connection). */
        void refuse(long eta, long now) {
            run(new Reservation(false, eta, Instant.ofEpochMilli(now + eta)), null);
        }

        /** Runs the action with a granted reservation; {@code permit} is given back when the action's Uni ends. */
        void grant(long now, ProviderConnections.Permit permit) {
            run(new Reservation(true, now - since, Instant.ofEpochMilli(now)), permit);
        }

        private void run(Reservation reservation, ProviderConnections.Permit permit) {
            if (state.get() == CANCELLED) {
                giveBack(permit);
                return;
            }
            Uni<?> work;
            try {
                work = action.apply(reservation);
            } catch (RuntimeException e) {
                giveBack(permit);
                emitter.fail(e);
                return;
            }
            if (permit != null) {
                work = work.onTermination().invoke(permit::giveBack);
            }
            Cancellable running = work.subscribe().with(emitter::complete, emitter::fail);
            if (!state.compareAndSet(null, running)) {
                running.cancel(); // cancelled meanwhile: its termination gives the connection back
            }
        }

        /** The command's Uni ended (or was cancelled): leave the queue, or cancel the running action. */
        void cancel(Budget budget) {
            Object before = state.getAndSet(CANCELLED);
            if (before instanceof Cancellable running) {
                running.cancel(); // a no-op once the action has finished
            } else {
                budget.leave(this);
            }
        }

        private static void giveBack(ProviderConnections.Permit permit) {
            if (permit != null) {
                permit.giveBack();
            }
        }
    }

    private final class Budget {
        private final String provider;
        private final String fingerprint;
        private final ProviderConnections.Pool connections;
        private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
        private long perMinute;
        private long perDay;
        private double nextSlot;
        private double lastSent = Double.NEGATIVE_INFINITY;
        private long closedUntil;
        private long day = -1;
        private long spentToday;
        /** A timer is planned for this round (see {@link #timerRound}). */
        private boolean pumping;
        private long timerRound;
        /** Queued at the provider's connections for the head waiter. */
        private boolean awaitingConnection;
        private long nextSweep;

        Budget(String provider, String fingerprint, Limits limits, ProviderConnections.Pool connections) {
            this.provider = provider;
            this.fingerprint = fingerprint;
            this.connections = connections;
            perMinute = Math.max(1, limits.perMinute());
            perDay = limits.perDay() <= 0 ? Long.MAX_VALUE : limits.perDay();
        }

        void enter(Waiter waiter) {
            List<Runnable> done = new ArrayList<>();
            synchronized (this) {
                long now = clock.millis();
                long eta = (long) Math.floor(earliest(now) + queue.size() * interval()) - now;
                ProviderConnections.Permit permit = queue.isEmpty() && eta <= 0 ? connections.tryTake() : null;
                if (permit != null) {
                    spend(now, false);
                    done.add(() -> waiter.grant(now, permit));
                } else if (now + eta > waiter.deadline) {
                    done.add(() -> waiter.refuse(eta, now));
                } else {
                    queue.addLast(waiter);
                    waiter.queued = true;
                    if (eta <= 0) {
                        awaitConnection(done); // the slot has come but every connection is busy
                    }
                    done.add(this::pumpLater); // the next slot, or the next check of the deadlines
                }
            }
            done.forEach(Runnable::run);
        }

        /** A planned timer fired: grant what is due. */
        private void pump(long round) {
            grantDue(null, round);
        }

        /** The provider's connections gave this key one. */
        void connected(ProviderConnections.Permit permit) {
            grantDue(permit, -1);
        }

        /**
         * Refuses waiters whose deadline has passed or cannot be met; while the head's slot has come,
         * grants it with a connection ({@code given}, or a free one), or queues for one; plans the
         * next round.
         */
        private void grantDue(ProviderConnections.Permit given, long round) {
            List<Runnable> done = new ArrayList<>();
            ProviderConnections.Permit spare = given;
            synchronized (this) {
                if (given != null) {
                    awaitingConnection = false;
                }
                if (round == timerRound) {
                    pumping = false;
                }
                long now = clock.millis();
                sweep(now, done);
                while (!queue.isEmpty() && earliest(now) <= now) {
                    ProviderConnections.Permit permit = spare != null ? spare
                            : awaitingConnection ? null : connections.tryTake();
                    spare = null;
                    if (permit == null) {
                        awaitConnection(done);
                        break;
                    }
                    Waiter head = queue.pollFirst();
                    head.queued = false;
                    spend(now, true);
                    done.add(() -> head.grant(now, permit));
                }
                if (!queue.isEmpty()) {
                    done.add(this::pumpLater);
                }
            }
            if (spare != null) {
                spare.giveBack(); // nothing due after all (the key closed, or its waiters left)
            }
            done.forEach(Runnable::run);
        }

        /** Refuses the waiters whose slot would come after their deadline; at most every 100 ms for a long queue. */
        private void sweep(long now, List<Runnable> done) {
            if (queue.size() > SMALL_QUEUE && now < nextSweep) {
                return;
            }
            nextSweep = now + SWEEP_EVERY_MS;
            double slot = earliest(now);
            int ahead = 0;
            for (Iterator<Waiter> it = queue.iterator(); it.hasNext();) {
                Waiter waiter = it.next();
                long eta = (long) Math.floor(slot + ahead * interval()) - now;
                if (now + eta > waiter.deadline) {
                    it.remove();
                    waiter.queued = false;
                    done.add(() -> waiter.refuse(eta, now));
                } else {
                    ahead++;
                }
            }
        }

        private void awaitConnection(List<Runnable> done) {
            if (!awaitingConnection) {
                awaitingConnection = true;
                done.add(() -> connections.await(this::connected));
            }
        }

        /** Plans a timer for the next slot, or, while waiting for a connection, for the next deadline check. */
        private void pumpLater() {
            long delay;
            long round;
            synchronized (this) {
                if (pumping || queue.isEmpty()) {
                    return;
                }
                pumping = true;
                round = ++timerRound;
                long now = clock.millis();
                delay = awaitingConnection ? CONNECTION_WAIT_SWEEP_MS
                        : Math.max(0, (long) Math.ceil(earliest(now) - now));
            }
            delays.after(Duration.ofMillis(delay)).subscribe().with(ignored -> pump(round), failure -> pump(round));
        }

        synchronized void leave(Waiter waiter) {
            if (waiter.queued) {
                queue.remove(waiter);
                waiter.queued = false;
            }
        }

        synchronized int waiting() {
            return queue.size();
        }

        synchronized KeyView view() {
            long remaining = perDay == Long.MAX_VALUE ? -1 : Math.max(0, perDay - spentToday);
            return new KeyView(provider, fingerprint, perMinute, remaining, queue.size());
        }

        /** Takes in what the provider said; the caller then runs {@link #pumpLater} so waiters see it. */
        void learn(RateLimitInfo info, boolean throttled) {
            synchronized (this) {
                long now = clock.millis();
                if (info.limitMinute() != null && info.limitMinute() > 0 && info.limitMinute() != perMinute) {
                    perMinute = info.limitMinute();
                    nextSlot = lastSent + interval(); // re-space from the last send at the true rate
                    pumping = false; // the planned round used the old spacing: plan a new one
                    timerRound++; // and the old timer, when it fires, no longer counts as the planned one
                }
                if (info.limitDay() != null && info.limitDay() > 0) {
                    perDay = info.limitDay();
                }
                if (info.remainingDay() != null && info.remainingDay() <= 0) {
                    closedUntil = Math.max(closedUntil, (now / 86_400_000L + 1) * 86_400_000L);
                }
                boolean minuteSpent = info.remainingMinute() != null && info.remainingMinute() <= 0;
                if (throttled || minuteSpent) {
                    long reopen = info.retryAfterMs() != null ? now + info.retryAfterMs() : (now / 60_000 + 1) * 60_000;
                    closedUntil = Math.max(closedUntil, reopen);
                }
            }
        }

        /** How much lost time is made up: two intervals, or half the headroom of a minute if more. */
        private double catchUp() {
            return Math.max(2 * interval(), headroom * 30_000);
        }

        private double interval() {
            return 60_000.0 / (perMinute * (1 - headroom));
        }

        private double earliest(long now) {
            long today = now / 86_400_000L;
            if (today != day) {
                day = today;
                spentToday = 0;
            }
            double slot = Math.max(now, Math.max(nextSlot, closedUntil));
            if (spentToday >= perDay) {
                slot = Math.max(slot, (day + 1) * 86_400_000L);
            }
            return slot;
        }

        /**
         * Spends a slot at {@code now}. For a busy key (a command that waited in the queue, or one
         * sent just after the previous), the next slot follows
         * the slot it waited for, not the moment the timer fired: a timer a few milliseconds late must
         * not stretch every interval (a busy event
         * loop fires them more than half an interval late, a GC pause longer still). Up to
         * {@link #catchUp} is made up, so a window holds at most that many more sends than the even
         * spacing would, which half the headroom covers; an idle key starts spacing from its first send.
         */
        private void spend(long now, boolean queued) {
            boolean busy = queued || now - lastSent <= catchUp() + interval();
            lastSent = now;
            nextSlot = busy ? Math.max(nextSlot, now - catchUp()) + interval() : now + interval();
            spentToday++;
        }
    }
}
