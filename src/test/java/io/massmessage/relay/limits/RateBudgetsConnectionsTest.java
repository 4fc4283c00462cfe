package io.massmessage.relay.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.massmessage.relay.provider.RateLimitInfo;
import io.massmessage.relay.testing.ManualTimers;
import io.massmessage.relay.testing.VirtualTime;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A provider's connections counted by {@link RateBudgets}, on virtual time with a simulated
 * provider: a slot is spent only with a free connection, so sends keep the budget's spacing after the
 * pool was stuck; a key waiting for budget holds no connection; keys take free connections in turn;
 * cancelled commands give theirs back.
 */
class RateBudgetsConnectionsTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final RateBudgets.Limits SIX_HUNDRED = new RateBudgets.Limits(600, 0);
    private static final RateBudgets.Limits UNBOUNDED = new RateBudgets.Limits(60_000_000, 0);

    private final VirtualTime time = new VirtualTime(T0);
    private final ManualTimers loop = new ManualTimers(time);

    /** A send seen by the simulated provider: which key, when. */
    private record Send(String key, long at) {}

    private final List<Send> sends = new ArrayList<>();
    private final List<UniEmitter<? super String>> stuck = new ArrayList<>();
    private boolean providerStuck;

    /** The provider: answers {@code latencyMs} after a send, or, while stuck, only when {@link #unstick} is called. */
    private Uni<String> provider(String key, long latencyMs) {
        sends.add(new Send(key, time.millis()));
        if (providerStuck) {
            return Uni.createFrom().emitter(stuck::add);
        }
        return loop.after(Duration.ofMillis(latencyMs)).replaceWith("200");
    }

    private void unstick() {
        providerStuck = false;
        List<UniEmitter<? super String>> answered = new ArrayList<>(stuck);
        stuck.clear();
        answered.forEach(e -> e.complete("200"));
    }

    private Cancellable submit(RateBudgets budgets, String key, RateBudgets.Limits limits, long latencyMs,
            List<RateBudgets.Reservation> results) {
        return budgets.send("fansly", key, limits, time.instant().plusSeconds(3_600),
                slot -> slot.granted() ? provider(key, latencyMs).replaceWith(slot) : Uni.createFrom().item(slot))
                .subscribe().with(results::add);
    }

    private static int mostInAnyWindow(List<Send> sends, long windowMs) {
        int most = 0;
        int from = 0;
        for (int to = 0; to < sends.size(); to++) {
            while (sends.get(from).at() <= sends.get(to).at() - windowMs) {
                from++;
            }
            most = Math.max(most, to - from + 1);
        }
        return most;
    }

    @Test
    void aPoolThatWasStuckDoesNotSendAKeysWaitingSlotsInABurst() {
        // 600/min with 1 % headroom: one slot per 101 ms. Two connections, both stuck for 30 s.
        ProviderConnections connections = new ProviderConnections(provider -> 2);
        RateBudgets budgets = new RateBudgets(time, loop, 0.01, connections);
        List<RateBudgets.Reservation> done = new ArrayList<>();
        providerStuck = true;
        for (int i = 0; i < 1_200; i++) {
            submit(budgets, "k", SIX_HUNDRED, 50, done);
        }
        loop.advanceTo(T0.plusSeconds(30));
        assertThat(sends).as("only the two connections' sends while the provider is stuck").hasSize(2);
        assertThat(connections.inUse("fansly")).isEqualTo(2);
        assertThat(connections.keysWaiting("fansly")).isEqualTo(1);

        unstick();
        loop.advanceTo(T0.plusSeconds(300));

        assertThat(done).hasSize(1_200).allMatch(RateBudgets.Reservation::granted);
        // no burst when the pool frees: within any second at most the spacing's 10 plus the catch-up of
        // half the headroom (300 ms, 3 slots), where slots spent while the pool was stuck would have gone
        // out 40 a second (two connections, 50 ms each)
        assertThat(mostInAnyWindow(sends, 1_000)).isLessThanOrEqualTo(13);
        assertThat(mostInAnyWindow(sends, 60_000)).isLessThanOrEqualTo(600);
        assertThat(connections.inUse("fansly")).isZero();
        assertThat(connections.keysWaiting("fansly")).isZero();
    }

    @Test
    void controlAPoolOutsideTheBudgetSendsTheSlotsSpentWhileStuckInABurst() {
        // the arrangement before 2026-11-24, kept as the control of the test above: slots spent without
        // a connection, then a FIFO wait in the HTTP client's own pool of two
        RateBudgets budgets = new RateBudgets(time, loop, 0.01, new ProviderConnections(provider -> Integer.MAX_VALUE));
        ArrayDeque<Runnable> poolQueue = new ArrayDeque<>();
        int[] free = {2};
        Runnable freed = () -> {
            Runnable next = poolQueue.pollFirst();
            if (next == null) {
                free[0]++;
            } else {
                next.run();
            }
        };
        List<RateBudgets.Reservation> done = new ArrayList<>();
        providerStuck = true;
        for (int i = 0; i < 1_200; i++) {
            budgets.send("fansly", "k", SIX_HUNDRED, time.instant().plusSeconds(3_600),
                    slot -> Uni.createFrom().<RateBudgets.Reservation>emitter(e -> {
                        Runnable go = () -> provider("k", 50).subscribe().with(answer -> {
                            e.complete(slot);
                            freed.run();
                        });
                        if (free[0] > 0) {
                            free[0]--;
                            go.run();
                        } else {
                            poolQueue.addLast(go);
                        }
                    })).subscribe().with(done::add);
        }
        loop.advanceTo(T0.plusSeconds(30));
        unstick();
        loop.advanceTo(T0.plusSeconds(300));
        assertThat(done).hasSize(1_200);
        assertThat(mostInAnyWindow(sends, 1_000)).as("the slots spent while stuck go out 40 a second")
                .isGreaterThanOrEqualTo(35);
    }

    @Test
    void aKeyWaitingForItsBudgetHoldsNoConnectionAndOtherKeysKeepSending() {
        ProviderConnections connections = new ProviderConnections(provider -> 1);
        RateBudgets budgets = new RateBudgets(time, loop, 0.0, connections);
        List<RateBudgets.Reservation> done = new ArrayList<>();
        submit(budgets, "closed", SIX_HUNDRED, 10, done);
        loop.advanceTo(T0.plusMillis(20));
        budgets.observe("fansly", "closed", new RateLimitInfo(600L, 0L, null, null, 30_000L, null), true);
        for (int i = 0; i < 5; i++) {
            submit(budgets, "closed", SIX_HUNDRED, 10, done);
            submit(budgets, "open", SIX_HUNDRED, 10, done);
        }
        loop.advanceTo(T0.plusSeconds(10));
        assertThat(sends.stream().filter(s -> s.key().equals("open")).count()).isEqualTo(5);
        assertThat(sends.stream().filter(s -> s.key().equals("closed")).count()).as("only the send before the 429")
                .isEqualTo(1);
        assertThat(connections.inUse("fansly")).isZero();

        loop.advanceTo(T0.plusSeconds(40));
        assertThat(sends.stream().filter(s -> s.key().equals("closed")).mapToLong(Send::at).skip(1))
                .hasSize(5).allMatch(at -> at >= T0.toEpochMilli() + 30_020);
        assertThat(done).hasSize(11).allMatch(RateBudgets.Reservation::granted);
    }

    @Test
    void busyKeysTakeFreeConnectionsInTurn() {
        ProviderConnections connections = new ProviderConnections(provider -> 1);
        RateBudgets budgets = new RateBudgets(time, loop, 0.0, connections);
        List<RateBudgets.Reservation> done = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            submit(budgets, "a", UNBOUNDED, 10, done);
        }
        for (int i = 0; i < 100; i++) {
            submit(budgets, "b", UNBOUNDED, 10, done);
        }
        loop.advanceTo(T0.plusSeconds(60));
        assertThat(done).hasSize(200);
        // "a" came first with 100 commands; once "b" waits too, they alternate instead of "a" sending all of its own
        List<String> order = sends.stream().map(Send::key).toList();
        assertThat(order.subList(0, 2)).containsExactly("a", "a");
        for (int i = 2; i < 198; i += 2) {
            assertThat(order.subList(i, i + 2)).as("sends %d and %d", i, i + 1).containsExactly("b", "a");
        }
        assertThat(order.subList(198, 200)).containsExactly("b", "b");
        assertThat(mostInAnyWindow(sends, 10)).as("one connection: one send per 10 ms answer").isEqualTo(1);
    }

    @Test
    void cancelledCommandsGiveTheirConnectionBackAndLeaveTheQueue() {
        ProviderConnections connections = new ProviderConnections(provider -> 1);
        RateBudgets budgets = new RateBudgets(time, loop, 0.0, connections);
        List<RateBudgets.Reservation> done = new ArrayList<>();
        providerStuck = true;
        Cancellable sending = submit(budgets, "k", UNBOUNDED, 10, done);
        Cancellable waiting = submit(budgets, "k", UNBOUNDED, 10, done);
        assertThat(sends).hasSize(1);
        assertThat(budgets.waiting()).isEqualTo(1);

        waiting.cancel();
        assertThat(budgets.waiting()).isZero();
        sending.cancel();
        assertThat(connections.inUse("fansly")).isZero();

        providerStuck = false;
        submit(budgets, "k", UNBOUNDED, 10, done);
        loop.advanceTo(T0.plusSeconds(1));
        assertThat(sends).as("the third command got the connection back at once").hasSize(2);
        assertThat(done).hasSize(1);
        assertThat(connections.inUse("fansly")).isZero();
    }

    @Test
    void aSlotIsSpentOnlyWithAConnectionSoAStuckPoolTurnsWaitsIntoRefusalsNotLateSends() {
        // the deadline covers the wait for a connection too: commands that cannot send in time end refused
        ProviderConnections connections = new ProviderConnections(provider -> 1);
        RateBudgets budgets = new RateBudgets(time, loop, 0.0, connections);
        List<RateBudgets.Reservation> done = new ArrayList<>();
        providerStuck = true;
        budgets.send("fansly", "k", UNBOUNDED, time.instant().plusSeconds(60),
                slot -> provider("k", 10).replaceWith(slot)).subscribe().with(done::add);
        budgets.send("fansly", "k", UNBOUNDED, time.instant().plusSeconds(5),
                slot -> Uni.createFrom().item(slot)).subscribe().with(done::add);
        loop.advanceTo(T0.plusSeconds(7));
        assertThat(done).singleElement().satisfies(refused -> assertThat(refused.granted()).isFalse());
        assertThat(budgets.waiting()).isZero();
        unstick();
        assertThat(done).hasSize(2);
        assertThat(connections.inUse("fansly")).isZero();
    }
}
