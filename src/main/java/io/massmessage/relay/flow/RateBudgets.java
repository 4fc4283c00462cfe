package io.massmessage.relay.flow;

import io.massmessage.relay.provider.RateLimitInfo;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Request budgets per provider API key, spent evenly. Commands wait for their key in a FIFO queue;
 * a timer releases one every {@code 60 s / (perMinute × (1 − headroom))}, so neither a
 * calendar-minute window (OnlyFansAPI, FansMetric) nor a sliding 60-second window (Fansly) ever sees
 * more than the limit; a per-day count closes the key until the next UTC day.
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
     * @param waitMs  how long it waited (granted) or would have to wait (refused)
     * @param at      when it was released, or when a slot would open
     */
    public record Reservation(boolean granted, long waitMs, Instant at) {}

    private final Clock clock;
    private final Delays delays;
    private final double headroom;
    private final Map<String, Budget> budgets = new ConcurrentHashMap<>();

    /** @param headroom share of the per-minute limit left unused as a margin for network jitter, e.g. 0.01 */
    public RateBudgets(Clock clock, Delays delays, double headroom) {
        this.clock = clock;
        this.delays = delays;
        this.headroom = headroom;
    }

    /**
     * Waits for a slot of {@code apiKey} at {@code provider}, at most until {@code deadline}. The Uni
     * completes with a granted reservation when the command may send, or a refused one when no slot
     * comes in time.
     */
    public Uni<Reservation> acquire(String provider, String apiKey, Limits limits, Instant deadline) {
        Budget budget = budgets.computeIfAbsent(provider + "\u0000" + apiKey, k -> new Budget(provider, fingerprint(apiKey), limits));
        return Uni.createFrom().emitter(emitter -> budget.enter(new Waiter(emitter, clock.millis(), deadline.toEpochMilli())));
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
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(apiKey.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(hash, 0, 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Commands waiting for a slot now, over all keys. */
    public int waiting() {
        return budgets.values().stream().mapToInt(Budget::waiting).sum();
    }

    private record Waiter(UniEmitter<? super Reservation> emitter, long since, long deadline) {}

    private final class Budget {
        private final String provider;
        private final String fingerprint;
        private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
        private long perMinute;
        private long perDay;
        private double nextSlot;
        private double lastSent = Double.NEGATIVE_INFINITY;
        private long closedUntil;
        private long day = -1;
        private long spentToday;
        private boolean pumping;

        Budget(String provider, String fingerprint, Limits limits) {
            this.provider = provider;
            this.fingerprint = fingerprint;
            perMinute = Math.max(1, limits.perMinute());
            perDay = limits.perDay() <= 0 ? Long.MAX_VALUE : limits.perDay();
        }

        void enter(Waiter waiter) {
            List<Runnable> done = new ArrayList<>();
            synchronized (this) {
                long now = clock.millis();
                long eta = (long) Math.floor(earliest(now) + queue.size() * interval()) - now;
                if (queue.isEmpty() && eta <= 0) {
                    spend(now, false);
                    done.add(() -> waiter.emitter.complete(new Reservation(true, 0, Instant.ofEpochMilli(now))));
                } else if (now + eta > waiter.deadline) {
                    done.add(() -> waiter.emitter.complete(new Reservation(false, eta, Instant.ofEpochMilli(now + eta))));
                } else {
                    queue.addLast(waiter);
                    waiter.emitter.onTermination(() -> leave(waiter));
                    done.add(this::pumpLater);
                }
            }
            done.forEach(Runnable::run);
        }

        /** Releases the head waiter if its slot has come; refuses waiters whose deadline passed; plans the next round. */
        private void pump() {
            List<Runnable> done = new ArrayList<>();
            synchronized (this) {
                pumping = false;
                long now = clock.millis();
                double slot = earliest(now);
                int ahead = 0;
                for (Iterator<Waiter> it = queue.iterator(); it.hasNext(); ) {
                    Waiter waiter = it.next();
                    long eta = (long) Math.floor(slot + ahead * interval()) - now;
                    if (now + eta > waiter.deadline) {
                        it.remove();
                        done.add(() -> waiter.emitter.complete(new Reservation(false, eta, Instant.ofEpochMilli(now + eta))));
                    } else {
                        ahead++;
                    }
                }
                if (!queue.isEmpty() && slot <= now) {
                    Waiter head = queue.pollFirst();
                    spend(now, true);
                    done.add(() -> head.emitter.complete(new Reservation(true, now - head.since, Instant.ofEpochMilli(now))));
                }
                if (!queue.isEmpty()) {
                    done.add(this::pumpLater);
                }
            }
            done.forEach(Runnable::run);
        }

        private void pumpLater() {
            long delay;
            synchronized (this) {
                if (pumping || queue.isEmpty()) {
                    return;
                }
                pumping = true;
                long now = clock.millis();
                delay = Math.max(0, (long) Math.ceil(earliest(now) - now));
            }
            delays.after(Duration.ofMillis(delay)).subscribe().with(ignored -> pump(), failure -> pump());
        }

        private synchronized void leave(Waiter waiter) {
            queue.remove(waiter);
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
         * not stretch every interval (that cost 15 % of the budget when measured, and a busy event
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
