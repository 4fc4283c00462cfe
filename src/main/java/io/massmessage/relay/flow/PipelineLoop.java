package io.massmessage.relay.flow;

import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The event loop the pipeline works on: one of Vert.x's loops other than the one the Kafka connector delivers the
 * records on. The connector hands over one record at a time and asks for the next through the loop it delivers on
 * (several trips through that loop's task queue per record); when the pipeline's own HTTP and Kafka callbacks
 * filled the same queue, records were taken far more slowly than they were polled (README "Decisions").
 *
 * <p>Tasks run in the order they were handed over, each on a new duplicated context of that loop, as each record
 * did on the connector's: what is kept per command in the context (the MDC of its log lines, its trace) stays with
 * that command. They wait in a queue of their own and run {@value #BATCH} per turn of the loop, so whatever else
 * is queued on the loop (an HTTP answer, a health check's response written from a worker thread) waits for at most
 * one batch, never for every record polled (a backlog of thousands at start, with the JIT still cold).
 *
 * <p>Uses Vert.x's internal {@code createEventLoopContext}, {@code duplicate} and {@code dispatch}: recheck on
 * every Vert.x bump.
 */
final class PipelineLoop {

    /** More than Vert.x has loops (twice the cores by default): it hands them out in turn. */
    private static final int TRIES = 64;
    /** Tasks run per turn of the loop before whatever else is queued on it. */
    static final int BATCH = 32;

    private final VertxInternal vertx;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile ContextInternal context;

    PipelineLoop(Vertx vertx) {
        this.vertx = (VertxInternal) vertx;
    }

    /** Runs {@code task} on a new duplicated context of the pipeline's loop, after every task handed over before it. */
    void execute(Runnable task) {
        tasks.add(task);
        if (scheduled.compareAndSet(false, true)) {
            loop().runOnContext(ignored -> drain());
        }
    }

    /** One turn: up to {@link #BATCH} tasks, then the next turn queued behind what else waits on the loop. */
    private void drain() {
        ContextInternal loop = context;
        for (int i = 0; i < BATCH; i++) {
            Runnable task = tasks.poll();
            if (task == null) {
                break;
            }
            loop.duplicate().dispatch(task);
        }
        if (tasks.isEmpty()) {
            scheduled.set(false);
            // a task added after the poll above and before the flag was cleared found the flag set: take it on
            if (tasks.isEmpty() || !scheduled.compareAndSet(false, true)) {
                return;
            }
        }
        loop.runOnContext(ignored -> drain());
    }

    private ContextInternal loop() {
        ContextInternal loop = context;
        return loop != null ? loop : chosen();
    }

    private synchronized ContextInternal chosen() {
        if (context == null) {
            context = other(ContextInternal.current());
        }
        return context;
    }

    /** A new event-loop context on a loop other than {@code delivering}'s, when Vert.x has another. */
    private ContextInternal other(ContextInternal delivering) {
        ContextInternal candidate = vertx.createEventLoopContext();
        for (int i = 0; delivering != null && candidate.nettyEventLoop() == delivering.nettyEventLoop()
                && i < TRIES; i++) {
            candidate = vertx.createEventLoopContext();
        }
        return candidate;
    }

}
