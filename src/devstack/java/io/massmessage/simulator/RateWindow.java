package io.massmessage.simulator;

import java.util.ArrayDeque;

/**
 * Per-key request budgets as the providers keep them. {@link #fixed} counts per calendar minute
 * and day (OnlyFansAPI, FansMetric); {@link #sliding} counts the last 60 seconds (Fansly). Not
 * thread-safe: callers hold the key's lock.
 */
final class RateWindow {

    private final boolean sliding;
    private final ArrayDeque<Long> recent = new ArrayDeque<>();
    private long minute = -1;
    private long minuteCount;
    private long day = -1;
    private long dayCount;

    private RateWindow(boolean sliding) {
        this.sliding = sliding;
    }

    static RateWindow fixed() {
        return new RateWindow(false);
    }

    static RateWindow sliding() {
        return new RateWindow(true);
    }

    /**
     * Spends one request at {@code nowMs} if the budget allows.
     *
     * @return a negative number when allowed, else milliseconds until a request would be allowed
     */
    long tryAcquire(long nowMs, long perMinute, long perDay) {
        roll(nowMs);
        if (dayCount >= perDay) {
            return (day + 1) * 86_400_000L - nowMs;
        }
        long used = sliding ? recent.size() : minuteCount;
        if (used >= perMinute) {
            return sliding ? Math.max(1, recent.peekFirst() + 60_000 - nowMs) : (minute + 1) * 60_000 - nowMs;
        }
        if (sliding) {
            recent.addLast(nowMs);
        }
        minuteCount++;
        dayCount++;
        return -1;
    }

    /** Requests left in the current minute window at {@code nowMs}. */
    long remainingMinute(long nowMs, long perMinute) {
        roll(nowMs);
        return Math.max(0, perMinute - (sliding ? recent.size() : minuteCount));
    }

    long remainingDay(long nowMs, long perDay) {
        roll(nowMs);
        return Math.max(0, perDay - dayCount);
    }

    private void roll(long nowMs) {
        long m = nowMs / 60_000;
        if (m != minute) {
            minute = m;
            minuteCount = 0;
        }
        long d = nowMs / 86_400_000L;
        if (d != day) {
            day = d;
            dayCount = 0;
        }
        while (!recent.isEmpty() && recent.peekFirst() <= nowMs - 60_000) {
            recent.pollFirst();
        }
    }
}
