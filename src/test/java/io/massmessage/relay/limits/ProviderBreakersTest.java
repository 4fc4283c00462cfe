package io.massmessage.relay.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.massmessage.relay.testing.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-provider breaker on virtual time. */
class ProviderBreakersTest {

    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private final VirtualTime time = new VirtualTime(T0);
    private final ProviderBreakers breakers = new ProviderBreakers(time, time, 3, Duration.ofSeconds(30));

    private void permit(String provider) {
        breakers.permit(provider).await().indefinitely();
    }

    @Test
    void opensAfterTheThresholdOfFaultsInARowAndHoldsCallsForTheCoolDown() {
        breakers.record("fansly", true);
        breakers.record("fansly", true);
        permit("fansly");
        assertThat(time.asked).isEmpty();
        breakers.record("fansly", true);
        assertThat(breakers.states()).containsEntry("fansly", ProviderBreakers.State.open);
        assertThat(breakers.reopensAt("fansly")).isEqualTo(T0.plusSeconds(30));
        permit("fansly"); // waits, then is the probe
        assertThat(time.asked).containsExactly(Duration.ofSeconds(30));
        assertThat(breakers.states()).containsEntry("fansly", ProviderBreakers.State.half_open);
    }

    @Test
    void aSuccessfulProbeClosesItAndAFailedOneOpensItAgain() {
        for (int i = 0; i < 3; i++) {
            breakers.record("fansly", true);
        }
        permit("fansly");
        breakers.record("fansly", true); // the probe failed
        assertThat(breakers.states()).containsEntry("fansly", ProviderBreakers.State.open);
        permit("fansly");
        breakers.record("fansly", false); // the probe got an answer
        assertThat(breakers.states()).containsEntry("fansly", ProviderBreakers.State.closed);
        assertThat(time.asked).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(30));
    }

    @Test
    void anyAnswerThatIsNotATransientFaultResetsTheCount() {
        breakers.record("fansly", true);
        breakers.record("fansly", true);
        breakers.record("fansly", false);
        breakers.record("fansly", true);
        breakers.record("fansly", true);
        assertThat(breakers.states()).containsEntry("fansly", ProviderBreakers.State.closed);
    }

    @Test
    void aProbeThatEndsWithoutAnAnswerLetsTheNextCallerProbe() {
        for (int i = 0; i < 3; i++) {
            breakers.record("fansly", true);
        }
        long probe = breakers.permit("fansly").await().indefinitely();
        assertThat(probe).as("the first caller after the cool-down is the probe").isPositive();
        breakers.release("fansly", probe); // e.g. no budget slot: it never reached the provider
        long next = breakers.permit("fansly").await().indefinitely();
        assertThat(next).as("a new probe at once, not a wait for an answer that never comes").isPositive()
                .isNotEqualTo(probe);
        assertThat(time.asked).containsExactly(Duration.ofSeconds(30));
    }

    @Test
    void otherProvidersAreUnaffected() {
        for (int i = 0; i < 3; i++) {
            breakers.record("fansly", true);
        }
        permit("onlyfansapi");
        assertThat(time.asked).isEmpty();
        breakers.record("onlyfansapi", false);
        assertThat(breakers.states()).isEqualTo(Map.of("fansly", ProviderBreakers.State.open,
                "onlyfansapi", ProviderBreakers.State.closed));
    }
}
