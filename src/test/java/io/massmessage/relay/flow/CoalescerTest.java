package io.massmessage.relay.flow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.massmessage.relay.command.MessageUpdate;
import io.massmessage.relay.command.UpdateCommand;
import io.massmessage.relay.intake.HandedBackException;
import io.massmessage.relay.outcome.Outcome;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which waiting commands a request carries, and what each carried command's turn then gets. */
class CoalescerTest {

    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    private static UpdateCommand command(String id, String provider, String account, String message, Instant issuedAt,
            MessageUpdate update) {
        return new UpdateCommand(id, provider, account, message, issuedAt, update,
                JsonNodeFactory.instance.objectNode());
    }

    private static MessageUpdate text(String text) {
        return new MessageUpdate(text, null, null, null, null, null, null, null, null, null);
    }

    private static UpdateCommand of(String id, String message) {
        return command(id, "onlyfansapi", "acct_1", message, null, text(id));
    }

    /** Coalescing on for every provider but fansly; a merge is valid unless its text is "invalid". */
    private static Coalescer coalescer() {
        return new Coalescer(provider -> !provider.equals("fansly"),
                merged -> !"invalid".equals(merged.update().text()));
    }

    @Test
    void aRequestCarriesTheCommandsOfItsMessageWaitingBehindItAndNothingOfOtherMessages() {
        Coalescer coalescer = coalescer();
        Coalescer.Waiting head = coalescer.enter(of("a1", "m1"));
        Coalescer.Waiting otherMessage = coalescer.enter(of("b1", "m2"));
        Coalescer.Waiting a2 = coalescer.enter(of("a2", "m1"));
        Coalescer.Waiting otherAccount = coalescer.enter(command("c1", "onlyfansapi", "acct_2", "m1", null, text("c")));
        Coalescer.Waiting otherProvider = coalescer.enter(command("d1", "fansmetric", "acct_1", "m1", null, text("d")));
        Coalescer.Waiting a3 = coalescer.enter(of("a3", "m1"));

        assertThat(head.start()).isTrue();
        Coalescer.Head request = head.head().admitting(next -> true);
        UpdateCommand sent = request.absorb(head.command());
        assertThat(sent.commandId()).as("the merge keeps the head's id").isEqualTo("a1");
        assertThat(sent.update().text()).as("the latest text").isEqualTo("a3");
        assertThat(request.absorbed()).extracting(Coalescer.Waiting::command).extracting(UpdateCommand::commandId)
                .containsExactly("a2", "a3");
        assertThat(a2.carriedBy()).isEqualTo("a1");
        for (Coalescer.Waiting untouched : List.of(otherMessage, otherAccount, otherProvider)) {
            assertThat(untouched.start()).as(untouched.command().commandId()).isTrue();
        }
        assertThat(a2.start()).as("carried: its turn sends nothing").isFalse();
        assertThat(a3.start()).isFalse();

        Outcome outcome = new Outcome.Succeeded(head.command(), 1, 12, 200, null, null, null);
        request.published(outcome);
        assertThat(a2.carried()).isCompletedWithValue(outcome);
        Outcome own = a2.carried().join().carriedFor(a2.command());
        assertThat(own.command().commandId()).isEqualTo("a2");
        assertThat(own.attempts()).isZero();
        assertThat(own.name()).isEqualTo("succeeded");
        assertThat(coalescer.messages()).as("nothing left waiting").isZero();
    }

    @Test
    void absorbingStopsAtTheFirstCommandThatIsStaleInadmissibleOrMakesTheMergeInvalid() {
        Coalescer coalescer = coalescer();
        Coalescer.Waiting head = coalescer.enter(command("h", "onlyfansapi", "acct_1", "m", T0.plusSeconds(10),
                text("h")));
        Coalescer.Waiting older = coalescer.enter(command("old", "onlyfansapi", "acct_1", "m", T0, text("old")));
        Coalescer.Waiting after = coalescer.enter(command("after", "onlyfansapi", "acct_1", "m", T0.plusSeconds(20),
                text("after")));
        head.start();
        Coalescer.Head request = head.head().admitting(next -> true);
        assertThat(request.absorb(head.command())).as("older than the merge: it would be superseded after it")
                .isSameAs(head.command());
        assertThat(older.start()).isTrue();
        Coalescer.Head next = older.head().admitting(command -> !command.commandId().equals("after"));
        assertThat(next.absorb(older.command())).as("not admissible (a duplicate, say)").isSameAs(older.command());
        assertThat(after.start()).isTrue();

        Coalescer.Waiting first = coalescer.enter(of("x1", "n"));
        Coalescer.Waiting breaking = coalescer.enter(command("x2", "onlyfansapi", "acct_1", "n", null,
                text("invalid")));
        Coalescer.Waiting last = coalescer.enter(of("x3", "n"));
        first.start();
        assertThat(first.head().admitting(c -> true).absorb(first.command())).as("the merge would be invalid")
                .isSameAs(first.command());
        assertThat(breaking.start()).isTrue();
        Coalescer.Head fallback = breaking.head().admitting(c -> true);
        assertThat(fallback.absorb(breaking.command()).update().text()).isEqualTo("x3");
        assertThat(last.start()).isFalse();
    }

    @Test
    void theNewestCarriedCommandIsWhatTheStaleGuardRecords() {
        Coalescer coalescer = coalescer();
        Coalescer.Waiting head = coalescer.enter(command("h", "onlyfansapi", "acct_1", "m", T0, text("h")));
        coalescer.enter(command("n1", "onlyfansapi", "acct_1", "m", T0.plusSeconds(5), text("n1")));
        coalescer.enter(command("n2", "onlyfansapi", "acct_1", "m", null, text("n2")));
        head.start();
        Coalescer.Head request = head.head().admitting(c -> true);
        UpdateCommand merged = request.absorb(head.command());
        assertThat(merged.issuedAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(request.newest().commandId()).isEqualTo("n1");
    }

    /** A request of {@code message}'s first command, which carried the one behind it. */
    private record Carrying(UpdateCommand sent, Coalescer.Head request, Coalescer.Waiting carried) {}

    private static Carrying carrying(Coalescer coalescer, String message) {
        Coalescer.Waiting head = coalescer.enter(of("h-" + message, message));
        Coalescer.Waiting carried = coalescer.enter(of("c-" + message, message));
        head.start();
        Coalescer.Head request = head.head().admitting(c -> true);
        request.absorb(head.command());
        return new Carrying(head.command(), request, carried);
    }

    @Test
    void whenTheCarryingCommandEndsWithoutAnOutcomeTheCarriedOnesAreProcessedOnTheirOwn() {
        Carrying m = carrying(coalescer(), "m");
        m.request().abandoned(new IllegalStateException("handed back"));
        assertThat(m.carried().start()).isFalse();
        assertThat(m.carried().carried()).isCompletedExceptionally();
    }

    @Test
    void theCarryingCommandsEndPassesItsOutcomeOnOrFailsTheCarriedOnesAsHandedBackWhenCancelled() {
        Coalescer coalescer = coalescer();
        Carrying answered = carrying(coalescer, "m");
        Outcome outcome = new Outcome.Succeeded(answered.sent(), 1, 12, 200, null, null, null);
        answered.request().ended(outcome, null);
        assertThat(answered.carried().carried()).isCompletedWithValue(outcome);

        Carrying cancelled = carrying(coalescer, "n");
        cancelled.request().ended(null, null);
        assertThat(cancelled.carried().carried()).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(HandedBackException.class);

        Carrying failed = carrying(coalescer, "p");
        IllegalStateException why = new IllegalStateException("broken");
        failed.request().ended(null, why);
        assertThat(failed.carried().carried()).failsWithin(Duration.ZERO).withThrowableThat().withCause(why);
    }

    @Test
    void aProviderWithCoalescingOffIsNeverCoalescedAndNothingIsAbsorbedUntilAdmitted() {
        Coalescer coalescer = coalescer();
        assertThat(coalescer.enter(command("f", "fansly", "fy", "m", null, text("f")))).isNull();
        Coalescer.Waiting head = coalescer.enter(of("h", "m"));
        Coalescer.Waiting behind = coalescer.enter(of("b", "m"));
        head.start();
        assertThat(head.head().absorb(head.command())).as("no admission rule set").isSameAs(head.command());
        assertThat(behind.start()).isTrue();
        assertThat(Set.of(coalescer.messages())).containsExactly(0);
    }

    @Test
    void aMergeTakesTheLaterFieldsAndKeepsTheEarlierOnesItDoesNotName() {
        MessageUpdate earlier = new MessageUpdate("a", true, BigDecimal.TEN, List.of("m1"), List.of("m1"),
                List.of("fans"), null, null, "g", T0);
        MessageUpdate later = new MessageUpdate("b", null, null, List.of(), null, null, List.of("u"), null, null,
                T0.plusSeconds(60));
        assertThat(earlier.then(later)).isEqualTo(new MessageUpdate("b", true, BigDecimal.TEN, List.of(),
                List.of("m1"), List.of("fans"), List.of("u"), null, "g", T0.plusSeconds(60)));
        UpdateCommand first = new UpdateCommand("1", "fansmetric", "7", "9", T0, earlier,
                JsonNodeFactory.instance.objectNode().put("rfTag", "x").put("keep", 1));
        UpdateCommand second = new UpdateCommand("2", "fansmetric", "7", "9", null, later,
                JsonNodeFactory.instance.objectNode().put("rfTag", "y"));
        UpdateCommand merged = first.then(second);
        assertThat(merged.providerOptions().toString()).isEqualTo("{\"rfTag\":\"y\",\"keep\":1}");
        assertThat(merged.issuedAt()).as("the newer issuedAt; none is not newer").isEqualTo(T0);
        assertThat(merged.commandId()).isEqualTo("1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> first.then(of("x", "other")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
