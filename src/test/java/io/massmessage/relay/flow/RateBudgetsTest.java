package io.massmessage.relay.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.massmessage.relay.provider.RateLimitInfo;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Budgets per key on an injected clock: evenly spaced, never over the limit in any window, corrected by the provider. */
class RateBudgetsTest {

    private static final long T0 = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli();
    private final AtomicLong now = new AtomicLong(T0);
    private final Clock clock = new Clock() {
        @Override
        public long millis() {
            return now.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    };
    private final RateBudgets budgets = new RateBudgets(clock, 0.0);
    private static final RateBudgets.Limits SIX_HUNDRED = new RateBudgets.Limits(600, 0);

    @Test
    void spacesAKeysRequestsEvenlyInsteadOfBursting() {
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            waits.add(budgets.reserve("fansly", "k", SIX_HUNDRED, 60_000).waitMs());
        }
        assertThat(waits).containsExactly(0L, 100L, 200L, 300L, 400L);
    }

    @Test
    void neverSendsMoreThanTheLimitInAnySlidingMinute() {
        RateBudgets.Limits limits = new RateBudgets.Limits(600, 0);
        ArrayDeque<Long> window = new ArrayDeque<>();
        int maxInWindow = 0;
        for (int i = 0; i < 3_000; i++) {
            RateBudgets.Reservation slot = budgets.reserve("fansly", "k", limits, 600_000);
            assertThat(slot.granted()).isTrue();
            long sendAt = slot.at().toEpochMilli();
            now.set(sendAt); // the command sends at its slot
            window.addLast(sendAt);
            while (window.peekFirst() <= sendAt - 60_000) {
                window.pollFirst();
            }
            maxInWindow = Math.max(maxInWindow, window.size());
        }
        assertThat(maxInWindow).isEqualTo(600);
        assertThat(now.get() - T0).as("3,000 requests at 600/min take about 5 minutes").isBetween(299_000L, 300_000L);
    }

    @Test
    void headroomLeavesAShareOfTheLimitUnused() {
        RateBudgets withHeadroom = new RateBudgets(clock, 0.02);
        withHeadroom.reserve("fansly", "k", new RateBudgets.Limits(1000, 0), 60_000);
        assertThat(withHeadroom.reserve("fansly", "k", new RateBudgets.Limits(1000, 0), 60_000).waitMs()).isEqualTo(61); // 60 000 / 980
    }

    @Test
    void keysAreIndependent() {
        budgets.reserve("fansly", "a", SIX_HUNDRED, 60_000);
        assertThat(budgets.reserve("fansly", "b", SIX_HUNDRED, 60_000).waitMs()).isZero();
        assertThat(budgets.reserve("onlyfansapi", "a", SIX_HUNDRED, 60_000).waitMs()).isZero();
        assertThat(budgets.reserve("fansly", "a", SIX_HUNDRED, 60_000).waitMs()).isEqualTo(100);
    }

    @Test
    void aSlotBeyondTheMaximumWaitIsRefusedWithoutSpendingIt() {
        for (int i = 0; i < 10; i++) {
            budgets.reserve("fansly", "k", SIX_HUNDRED, 60_000);
        }
        RateBudgets.Reservation refused = budgets.reserve("fansly", "k", SIX_HUNDRED, 500);
        assertThat(refused.granted()).isFalse();
        assertThat(refused.waitMs()).isEqualTo(1_000);
        assertThat(refused.at()).isEqualTo(Instant.ofEpochMilli(T0 + 1_000));
        assertThat(budgets.reserve("fansly", "k", SIX_HUNDRED, 60_000).waitMs()).isEqualTo(1_000);
    }

    @Test
    void a429ClosesTheKeyForAsLongAsTheProviderSays() {
        budgets.reserve("fansly", "k", SIX_HUNDRED, 60_000);
        budgets.observe("fansly", "k", new RateLimitInfo(600L, 0L, null, null, 30_000L, null), true);
        assertThat(budgets.reserve("fansly", "k", SIX_HUNDRED, 60_000).waitMs()).isEqualTo(30_000);
    }

    @Test
    void a429WithoutAWaitClosesTheKeyUntilTheNextMinute() {
        now.set(T0 + 15_000);
        budgets.reserve("fansmetric", "k", SIX_HUNDRED, 60_000);
        budgets.observe("fansmetric", "k", new RateLimitInfo(1000L, 0L, null, null, null, null), true);
        assertThat(budgets.reserve("fansmetric", "k", SIX_HUNDRED, 60_000).waitMs()).isEqualTo(45_000);
    }

    @Test
    void adoptsTheLimitTheProviderReports() {
        budgets.reserve("fansly", "k", SIX_HUNDRED, 60_000);
        budgets.observe("fansly", "k", new RateLimitInfo(60L, 59L, null, null, null, null), false);
        budgets.reserve("fansly", "k", SIX_HUNDRED, 60_000);
        assertThat(budgets.reserve("fansly", "k", SIX_HUNDRED, 60_000).waitMs()).isEqualTo(100 + 1_000);
    }

    @Test
    void anExhaustedDayWaitsForTheNextUtcDay() {
        RateBudgets.Limits twoADay = new RateBudgets.Limits(600, 2);
        budgets.reserve("onlyfansapi", "k", twoADay, 60_000);
        budgets.reserve("onlyfansapi", "k", twoADay, 60_000);
        RateBudgets.Reservation third = budgets.reserve("onlyfansapi", "k", twoADay, 60_000);
        assertThat(third.granted()).isFalse();
        assertThat(third.at()).isEqualTo(Instant.parse("2026-11-23T00:00:00Z"));
        budgets.observe("onlyfansapi", "k", new RateLimitInfo(null, null, 50_000L, 0L, null, null), false);
        assertThat(budgets.reserve("onlyfansapi", "k", twoADay, 60_000).granted()).isFalse();
    }
}
