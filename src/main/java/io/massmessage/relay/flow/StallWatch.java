package io.massmessage.relay.flow;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Tells a wedged command from one that waits by design. Every command in the pipeline is watched from the
 * moment it is taken until it is acknowledged, handed back or dead-lettered, and says which of the two it is
 * doing ({@link Progress}). One that has been <em>working</em> longer than {@code relay.stall-limit} is
 * stalled (its stage has a time bound far shorter, so something lost its completion): liveness turns DOWN.
 * Commands that wait (an open breaker through a long provider outage, a 429 budget, the broker away) are
 * never stalled: restarting the pod would not make them go faster, and would stop the healthy providers'
 * commands on the same partitions too.
 */
public final class StallWatch {

    private final Clock clock;
    private final Set<Watched> watched = ConcurrentHashMap.newKeySet();

    public StallWatch(Clock clock) {
        this.clock = clock;
    }

    /**
     * Starts watching a command (waiting at first); {@code what} names it in the health report, and is asked
     * only then: nothing is formatted for the commands that never stall.
     */
    public Watched begin(Supplier<String> what) {
        Watched command = new Watched(what);
        watched.add(command);
        return command;
    }

    /** The command working the longest, if it has been working for more than {@code limit}; else null. */
    public Stalled stalled(Duration limit) {
        long now = clock.millis();
        Stalled worst = null;
        for (Watched command : watched) {
            long since = command.since;
            if (!command.waiting && now - since > limit.toMillis() && (worst == null || since < worst.sinceMillis())) {
                worst = new Stalled(command.what.get(), since, now - since);
            }
        }
        return worst;
    }

    /** Commands watched now. */
    public int size() {
        return watched.size();
    }

    /** A command working for too long: its name, since when (epoch millis) and for how long. */
    public record Stalled(String what, long sinceMillis, long forMillis) {}

    /** One watched command. */
    public final class Watched implements Progress {
        private final Supplier<String> what;
        private volatile boolean waiting = true;
        private volatile long since = clock.millis();

        private Watched(Supplier<String> what) {
            this.what = what;
        }

        @Override
        public void waiting() {
            since = clock.millis();
            waiting = true;
        }

        @Override
        public void working() {
            since = clock.millis();
            waiting = false;
        }

        /** The command is finished here: no longer watched. */
        public void ended() {
            watched.remove(this);
        }
    }
}
