package io.massmessage.relay.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.massmessage.relay.outcome.RecordRef;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import io.smallrye.mutiny.subscription.UniEmitter;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The stale guard's record and the outcome are written at once ({@link RelayPipeline#bothWritten}): the command goes
 * on only when both writes have ended, whichever fails, so a revocation never lets a partition go while one of them
 * is still on its way.
 */
class BothWrittenTest {

    private static final RecordRef AT = new RecordRef("succeeded", 0, 42);

    @Test
    void endsWithWhereTheOutcomeLandedOnceBothAreWritten() {
        Pending<Void> guard = new Pending<>();
        Pending<RecordRef> outcome = new Pending<>();
        var written = RelayPipeline.bothWritten(guard.uni(), outcome.uni())
                .subscribe().withSubscriber(UniAssertSubscriber.create());

        outcome.emitter.get().complete(AT);
        written.assertNotTerminated(); // the guard's record is on its way
        guard.emitter.get().complete(null);
        written.assertItem(AT);
    }

    @Test
    void aFailedGuardRecordWaitsForTheOutcomeStillOnItsWay() {
        Pending<Void> guard = new Pending<>();
        Pending<RecordRef> outcome = new Pending<>();
        var written = RelayPipeline.bothWritten(guard.uni(), outcome.uni())
                .subscribe().withSubscriber(UniAssertSubscriber.create());

        guard.emitter.get().fail(new IllegalStateException("guard"));
        written.assertNotTerminated(); // the outcome is on its way
        assertThat(outcome.cancelled.get()).as("the outcome's write is not abandoned").isFalse();
        outcome.emitter.get().complete(AT);
        written.assertFailedWith(IllegalStateException.class, "guard");
    }

    @Test
    void theOutcomesFailureComesFirst() {
        Pending<Void> guard = new Pending<>();
        Pending<RecordRef> outcome = new Pending<>();
        var written = RelayPipeline.bothWritten(guard.uni(), outcome.uni())
                .subscribe().withSubscriber(UniAssertSubscriber.create());

        outcome.emitter.get().fail(new IllegalArgumentException("outcome"));
        assertThat(guard.cancelled.get()).as("the guard's write is not abandoned").isFalse();
        guard.emitter.get().fail(new IllegalStateException("guard"));
        written.assertFailedWith(IllegalArgumentException.class, "outcome");
    }

    /** A write that ends when the test says so. */
    private static final class Pending<T> {
        final AtomicReference<UniEmitter<? super T>> emitter = new AtomicReference<>();
        final AtomicReference<Boolean> cancelled = new AtomicReference<>(false);

        Uni<T> uni() {
            return Uni.createFrom().<T>emitter(emitter::set).onCancellation().invoke(() -> cancelled.set(true));
        }
    }
}
