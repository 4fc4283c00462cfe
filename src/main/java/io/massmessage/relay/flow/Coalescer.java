package io.massmessage.relay.flow;

import io.massmessage.relay.command.CommandParser;
import io.massmessage.relay.command.UpdateCommand;
import io.massmessage.relay.intake.HandedBackException;
import io.massmessage.relay.outcome.Outcome;
import io.massmessage.relay.provider.ProviderRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The commands of each message waiting for their turn ({@link MessageSequencer}), so that the request of the one whose
 * turn it is can carry them (CONTRACT §2, coalescing). A command {@link #enter}s when it is taken and leaves when its
 * turn {@link Waiting#start starts}, or when a request ahead of it {@link Head#absorb absorbs} it: its turn then
 * publishes the outcome of that request ({@link Waiting#carried}) instead of sending anything.
 *
 * <p>A request absorbs, in their order, the commands right behind it as long as each is admissible (not stale, not a
 * duplicate: the pipeline decides) and the merge keeps the provider's rules; the first that is not, and all after it,
 * are left to their own turn, where they may absorb those behind them. Commands of different messages never share a
 * queue, so nothing is coalesced across messages, accounts or providers, and outcomes are published in the order the
 * commands came.
 */
final class Coalescer {

    private static final int WAITING = 0;
    private static final int STARTED = 1;
    private static final int ABSORBED = 2;

    private final ConcurrentHashMap<String, ArrayDeque<Waiting>> queues = new ConcurrentHashMap<>();
    private final Predicate<String> enabledFor;
    private final Predicate<UpdateCommand> valid;

    /**
     * @param enabledFor whether a provider's commands may be coalesced ({@code providers.<name>.coalesce})
     * @param valid whether a merged command keeps its provider's rules
     */
    Coalescer(Predicate<String> enabledFor, Predicate<UpdateCommand> valid) {
        this.enabledFor = enabledFor;
        this.valid = valid;
    }

    /** The coalescer of the providers in {@code registry}, their merges checked by {@code parser}'s rules. */
    static Coalescer of(ProviderRegistry registry, CommandParser parser) {
        return new Coalescer(registry::coalesces, merged -> parser.problems(merged).isEmpty());
    }

    /** One command waiting for its turn. */
    final class Waiting {
        private final UpdateCommand command;
        private final AtomicInteger state = new AtomicInteger(WAITING);
        private final CompletableFuture<Outcome> carried = new CompletableFuture<>();
        private volatile String carriedBy;

        private Waiting(UpdateCommand command) {
            this.command = command;
        }

        /**
         * Its turn has come: it leaves the queue. False when a request ahead of it already carried it; its outcome
         * is then {@link #carried}'s.
         */
        boolean start() {
            leave(this);
            return state.compareAndSet(WAITING, STARTED);
        }

        /**
         * The outcome of the request that carried this command, once that request's command has published it; fails
         * if that command ended without an outcome (then this one is processed on its own).
         */
        CompletableFuture<Outcome> carried() {
            return carried;
        }

        /** The id of the command whose request carried this one. */
        String carriedBy() {
            return carriedBy;
        }

        UpdateCommand command() {
            return command;
        }

        /** The request of the command whose turn it is, absorbing those behind it. */
        Head head() {
            return new Head(this);
        }
    }

    /** The command whose turn it is, and what its request carries. */
    final class Head implements Coalescing {
        private final Waiting self;
        private final List<Waiting> absorbed = new ArrayList<>();
        private volatile Predicate<UpdateCommand> admissible = command -> false;

        private Head(Waiting self) {
            this.self = self;
        }

        /** Which commands may be absorbed at all (not stale, not answered before); none until it is set. */
        Head admitting(Predicate<UpdateCommand> admissible) {
            this.admissible = admissible;
            return this;
        }

        @Override
        public UpdateCommand absorb(UpdateCommand sending) {
            if (!enabledFor.test(sending.provider())) {
                return sending;
            }
            UpdateCommand[] merged = {sending};
            queues.computeIfPresent(sending.messageKey(), (key, queue) -> {
                for (Iterator<Waiting> behind = queue.iterator(); behind.hasNext();) {
                    Waiting next = behind.next();
                    UpdateCommand candidate = merged[0].then(next.command);
                    if (olderThan(next.command, merged[0]) || !admissible.test(next.command)
                            || !valid.test(candidate) || !next.state.compareAndSet(WAITING, ABSORBED)) {
                        break;
                    }
                    next.carriedBy = self.command.commandId();
                    merged[0] = candidate;
                    absorbed.add(next);
                    behind.remove();
                }
                return queue.isEmpty() ? null : queue;
            });
            return merged[0];
        }

        /** The commands this request carried, in their order. */
        List<Waiting> absorbed() {
            return absorbed;
        }

        /** The newest of the commands it carried and its own: what the stale guard records as applied. */
        UpdateCommand newest() {
            UpdateCommand newest = self.command;
            for (Waiting carried : absorbed) {
                if (carried.command.issuedAt() != null && (newest.issuedAt() == null
                        || carried.command.issuedAt().isAfter(newest.issuedAt()))) {
                    newest = carried.command;
                }
            }
            return newest;
        }

        /** The request's command published {@code outcome}: each carried command's turn publishes it as its own. */
        void published(Outcome outcome) {
            absorbed.forEach(carried -> carried.carried.complete(outcome));
        }

        /**
         * The request's command ended: with its {@code outcome} ({@link #published}), or without one, failed with
         * {@code failure} or cancelled when that is null ({@link #abandoned}, as handed back).
         */
        void ended(Outcome outcome, Throwable failure) {
            if (outcome != null) {
                published(outcome);
            } else {
                abandoned(failure != null ? failure : new HandedBackException("cancelled"));
            }
        }

        /** The request's command ended without an outcome: each carried command is processed on its own. */
        void abandoned(Throwable why) {
            absorbed.forEach(carried -> carried.carried.completeExceptionally(why));
        }
    }

    /**
     * A command older than the merge would be superseded after it (stale guard): it is not absorbed, and its own turn
     * says so.
     */
    private static boolean olderThan(UpdateCommand next, UpdateCommand merged) {
        return next.issuedAt() != null && merged.issuedAt() != null && next.issuedAt().isBefore(merged.issuedAt());
    }

    /** A command taken, waiting for its turn; {@code null} when its provider's commands are never coalesced. */
    Waiting enter(UpdateCommand command) {
        if (!enabledFor.test(command.provider())) {
            return null;
        }
        Waiting waiting = new Waiting(command);
        queues.compute(command.messageKey(), (key, queue) -> {
            ArrayDeque<Waiting> commands = queue == null ? new ArrayDeque<>() : queue;
            commands.addLast(waiting);
            return commands;
        });
        return waiting;
    }

    private void leave(Waiting waiting) {
        queues.computeIfPresent(waiting.command.messageKey(), (key, queue) -> {
            queue.remove(waiting);
            return queue.isEmpty() ? null : queue;
        });
    }

    /** Messages with commands waiting (for tests and gauges). */
    int messages() {
        return queues.size();
    }
}
