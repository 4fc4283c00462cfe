package io.massmessage.relay.flow;

import io.massmessage.relay.provider.RateLimitInfo;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Request budgets per provider API key, spent evenly: each key gets send slots spaced
 * {@code 60 s / (perMinute × (1 − headroom))} apart, so neither a calendar-minute window
 * (OnlyFansAPI, FansMetric) nor a sliding 60-second window (Fansly) ever sees more than its limit,
 * plus a per-day count. What the provider reports corrects the budget: its stated limits replace
 * the configured ones, {@code remaining = 0} or a 429 closes the key until the provider says (or
 * until the next minute or day). Reservations are quick and never block: the caller waits for its
 * slot with a timer.
 */
public final class RateBudgets {

    /** Configured starting limits of one provider. */
    public record Limits(long perMinute, long perDay) {}

    /**
     * The outcome of asking for a slot.
     *
     * @param granted whether a slot was reserved
     * @param waitMs  how long until the slot (when granted), or until one could be had (when not)
     * @param at      the slot's instant
     */
    public record Reservation(boolean granted, long waitMs, Instant at) {}

    private final Clock clock;
    private final double headroom;
    private final Map<String, Budget> budgets = new ConcurrentHashMap<>();

    /** @param headroom share of the per-minute limit left unused as a margin for network jitter, e.g. 0.01 */
    public RateBudgets(Clock clock, double headroom) {
        this.clock = clock;
        this.headroom = headroom;
    }

    /**
     * Reserves the next slot of {@code apiKey} at {@code provider} if it comes within {@code maxWaitMs};
     * otherwise reserves nothing and says when one would come.
     */
    public Reservation reserve(String provider, String apiKey, Limits limits, long maxWaitMs) {
        Budget budget = budgets.computeIfAbsent(provider + "\u0000" + apiKey, k -> new Budget(limits));
        long now = clock.millis();
        synchronized (budget) {
            double slot = budget.earliest(now);
            long waitMs = (long) Math.floor(slot - now); // under a millisecond early is within the headroom
            if (waitMs > maxWaitMs) {
                return new Reservation(false, waitMs, Instant.ofEpochMilli(now + waitMs));
            }
            budget.spend(slot, headroom);
            return new Reservation(true, waitMs, Instant.ofEpochMilli(now + waitMs));
        }
    }

    /** Corrects the key's budget from what the provider said on an answer; {@code throttled} for a 429. */
    public void observe(String provider, String apiKey, RateLimitInfo info, boolean throttled) {
        Budget budget = budgets.get(provider + "\u0000" + apiKey);
        if (budget == null || info == null) {
            return;
        }
        long now = clock.millis();
        synchronized (budget) {
            budget.learn(info, throttled, now);
        }
    }

    private static final class Budget {
        long perMinute;
        long perDay;
        double nextSlot;
        long closedUntil;
        long day = -1;
        long spentToday;

        Budget(Limits limits) {
            this.perMinute = Math.max(1, limits.perMinute());
            this.perDay = limits.perDay() <= 0 ? Long.MAX_VALUE : limits.perDay();
        }

        double earliest(long now) {
            rollDay(now);
            double slot = Math.max(now, Math.max(nextSlot, closedUntil));
            if (spentToday >= perDay) {
                slot = Math.max(slot, (day + 1) * 86_400_000L);
            }
            return slot;
        }

        void spend(double slot, double headroom) {
            nextSlot = slot + 60_000.0 / (perMinute * (1 - headroom));
            spentToday++;
        }

        void learn(RateLimitInfo info, boolean throttled, long now) {
            if (info.limitMinute() != null && info.limitMinute() > 0) {
                perMinute = info.limitMinute();
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

        private void rollDay(long now) {
            long today = now / 86_400_000L;
            if (today != day) {
                day = today;
                spentToday = 0;
            }
        }
    }
}
