package io.massmessage.relay.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.massmessage.relay.provider.RateLimitInfo;
import io.massmessage.relay.testing.ManualTimers;
import io.massmessage.relay.testing.VirtualTime;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Budgets per key on virtual time: evenly spaced, never over the limit in any window, corrected by the provider. */
class RateBudgetsTest {

    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final RateBudgets.Limits SIX_HUNDRED = new RateBudgets.Limits(600, 0);
    private final VirtualTime time = new VirtualTime(T0);
    private final RateBudgets budgets = new RateBudgets(time, time, 0.0,
            new ProviderConnections(provider -> Integer.MAX_VALUE));

    private RateBudgets.Reservation acquire(RateBudgets on, String provider, String key, RateBudgets.Limits limits,
            long maxWaitMs) {
        return granted(on, provider, key, limits, time.instant().plusMillis(maxWaitMs)).await().indefinitely();
    }

    /** Asks for a slot with nothing to send: the connection is given back as soon as the slot is granted. */
    static Uni<RateBudgets.Reservation> granted(RateBudgets on, String provider, String key, RateBudgets.Limits limits,
            Instant deadline) {
        return on.send(provider, key, limits, deadline, reservation -> Uni.createFrom().item(reservation));
    }

    /** Adds a send at {@code sentAt} to {@code window}; returns the sends in the minute up to it. */
    private static int sentInTheMinuteUpTo(ArrayDeque<Long> window, long sentAt) {
        window.addLast(sentAt);
        while (window.peekFirst() <= sentAt - 60_000) {
            window.pollFirst();
        }
        return window.size();
    }

    private Instant at(long ms) {
        return T0.plusMillis(ms);
    }

    @Test
    void spacesAKeysRequestsEvenlyInsteadOfBursting() {
        List<Instant> released = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            released.add(acquire(budgets, "fansly", "k", SIX_HUNDRED, 60_000).at());
        }
        assertThat(released).containsExactly(at(0), at(100), at(200), at(300), at(400));
    }

    @Test
    void neverSendsMoreThanTheLimitInAnySlidingMinute() {
        ArrayDeque<Long> window = new ArrayDeque<>();
        int maxInWindow = 0;
        for (int i = 0; i < 3_000; i++) {
            RateBudgets.Reservation slot = acquire(budgets, "fansly", "k", SIX_HUNDRED, 600_000);
            assertThat(slot.granted()).isTrue();
            long sentAt = slot.at().toEpochMilli();
            maxInWindow = Math.max(maxInWindow, sentInTheMinuteUpTo(window, sentAt));
        }
        assertThat(maxInWindow).isEqualTo(600);
        assertThat(time.millis() - T0.toEpochMilli()).as("3,000 requests at 600/min take 5 minutes").isBetween(299_000L,
                300_000L);
    }

    @Test
    void timersThatFireLateDoNotStretchTheSpacing() {
        // every timer fires 3 ms late, as a busy event loop's do
        Delays late = delay -> {
            time.advance(delay.toMillis() + 3);
            return Uni.createFrom().voidItem();
        };
        RateBudgets lateBudgets = new RateBudgets(time, late, 0.0,
                new ProviderConnections(provider -> Integer.MAX_VALUE));
        ArrayDeque<Long> window = new ArrayDeque<>();
        int maxInWindow = 0;
        for (int i = 0; i < 1_200; i++) {
            long sentAt = acquire(lateBudgets, "fansly", "k", SIX_HUNDRED, 600_000).at().toEpochMilli();
            maxInWindow = Math.max(maxInWindow, sentInTheMinuteUpTo(window, sentAt));
        }
        // 1,200 at 600/min take two minutes, not 2 × 1.03 minutes, and no minute holds more than 600
        assertThat(time.millis() - T0.toEpochMilli()).isBetween(119_900L, 120_010L);
        assertThat(maxInWindow).isLessThanOrEqualTo(600);
    }

    @Test
    void stallsAreMadeUpWithinHalfTheHeadroomAndNeverOverTheLimitInAMinute() {
        // 1 % headroom on 600/min: slots 101 ms apart; every 50th timer fires 250 ms late, as in a GC pause
        AtomicInteger timers = new AtomicInteger();
        Delays stalling = delay -> {
            time.advance(delay.toMillis() + (timers.incrementAndGet() % 50 == 0 ? 250 : 0));
            return Uni.createFrom().voidItem();
        };
        RateBudgets withHeadroom = new RateBudgets(time, stalling, 0.01,
                new ProviderConnections(provider -> Integer.MAX_VALUE));
        ArrayDeque<Long> window = new ArrayDeque<>();
        int maxInWindow = 0;
        for (int i = 0; i < 3_000; i++) {
            long sentAt = acquire(withHeadroom, "fansly", "k", SIX_HUNDRED, 600_000).at().toEpochMilli();
            maxInWindow = Math.max(maxInWindow, sentInTheMinuteUpTo(window, sentAt));
        }
        assertThat(maxInWindow).isLessThanOrEqualTo(600);
        // 3,000 slots of 101 ms: the stalls (60 × 250 ms) are made up, so about 303 s, not 318 s
        assertThat(time.millis() - T0.toEpochMilli()).isLessThan(304_000L);
    }

    @Test
    void headroomLeavesAShareOfTheLimitUnused() {
        RateBudgets withHeadroom = new RateBudgets(time, time, 0.02,
                new ProviderConnections(provider -> Integer.MAX_VALUE));
        RateBudgets.Limits thousand = new RateBudgets.Limits(1000, 0);
        acquire(withHeadroom, "fansly", "k", thousand, 60_000);
        assertThat(acquire(withHeadroom, "fansly", "k", thousand, 60_000).at()).isEqualTo(at(62)); // 60 000 / 980 = 61.2
    }

    @Test
    void keysAreIndependent() {
        acquire(budgets, "fansly", "a", SIX_HUNDRED, 60_000);
        assertThat(acquire(budgets, "fansly", "b", SIX_HUNDRED, 60_000).at()).isEqualTo(at(0));
        assertThat(acquire(budgets, "onlyfansapi", "a", SIX_HUNDRED, 60_000).at()).isEqualTo(at(0));
        assertThat(acquire(budgets, "fansly", "a", SIX_HUNDRED, 60_000).at()).isEqualTo(at(100));
    }

    @Test
    void aSlotBeyondTheDeadlineIsRefusedAtOnceWithoutSpendingIt() {
        acquire(budgets, "fansly", "k", SIX_HUNDRED, 60_000);
        RateBudgets.Reservation refused = acquire(budgets, "fansly", "k", SIX_HUNDRED, 50);
        assertThat(refused.granted()).isFalse();
        assertThat(refused.at()).isEqualTo(at(100));
        assertThat(time.asked).isEmpty();
        assertThat(acquire(budgets, "fansly", "k", SIX_HUNDRED, 60_000).at()).isEqualTo(at(100));
    }

    @Test
    void a429ClosesTheKeyForAsLongAsTheProviderSays() {
        acquire(budgets, "fansly", "k", SIX_HUNDRED, 60_000);
        budgets.observe("fansly", "k", new RateLimitInfo(600L, 0L, null, null, 30_000L, null), true);
        assertThat(acquire(budgets, "fansly", "k", SIX_HUNDRED, 60_000).at()).isEqualTo(at(30_000));
    }

    @Test
    void a429WithoutAWaitClosesTheKeyUntilTheNextMinute() {
        time.set(T0.toEpochMilli() + 15_000);
        acquire(budgets, "fansmetric", "k", SIX_HUNDRED, 60_000);
        budgets.observe("fansmetric", "k", new RateLimitInfo(1000L, 0L, null, null, null, null), true);
        assertThat(acquire(budgets, "fansmetric", "k", SIX_HUNDRED, 60_000).at()).isEqualTo(at(60_000));
    }

    @Test
    void anExhaustedDayWaitsForTheNextUtcDay() {
        RateBudgets.Limits twoADay = new RateBudgets.Limits(600, 2);
        acquire(budgets, "onlyfansapi", "k", twoADay, 60_000);
        acquire(budgets, "onlyfansapi", "k", twoADay, 60_000);
        RateBudgets.Reservation third = acquire(budgets, "onlyfansapi", "k", twoADay, 60_000);
        assertThat(third.granted()).isFalse();
        assertThat(third.at()).isEqualTo(Instant.parse("2026-11-23T00:00:00Z"));
    }

    @Test
    void aLowerLimitLearnedFromTheProviderRespacesCommandsAlreadyWaiting() {
        assertThat(releasesAfterLearning(600, 60)).containsExactly(at(0), at(1_000), at(2_000));
    }

    @Test
    void aHigherLimitLearnedFromTheProviderSpeedsUpCommandsAlreadyWaiting() {
        assertThat(releasesAfterLearning(60, 600)).containsExactly(at(0), at(100), at(200));
    }

    /** Three commands arrive together at a key configured for {@code configured}/min; the first answer says {@code reported}/min. */
    private List<Instant> releasesAfterLearning(long configured, long reported) {
        ManualTimers timers = new ManualTimers(time);
        RateBudgets manual = new RateBudgets(time, timers, 0.0, new ProviderConnections(provider -> Integer.MAX_VALUE));
        List<Instant> released = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            granted(manual, "fansly", "k", new RateBudgets.Limits(configured, 0), T0.plusSeconds(60))
                    .subscribe().with(r -> released.add(r.at()));
        }
        assertThat(released).containsExactly(at(0));
        assertThat(manual.waiting()).isEqualTo(2);
        manual.observe("fansly", "k", new RateLimitInfo(reported, reported - 1, null, null, null, null), false);
        timers.advanceTo(T0.plusSeconds(5));
        return released;
    }
}
