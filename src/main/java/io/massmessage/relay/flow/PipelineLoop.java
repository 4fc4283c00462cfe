package io.massmessage.relay.flow;

import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The event loop the pipeline works on: one of Vert.x's loops other than the one the Kafka connector delivers the
 * records on. The connector hands over one record at a time and asks for the next through the loop it delivers on
 * (several trips through that loop's task queue per record); with the pipeline's own HTTP and Kafka callbacks in the
 * same queue, records were taken far more slowly than they were polled (docs/decisions).
 *
 * <p>Tasks run in the order they were handed over, each on a new duplicated context of that loop, as each record
 * did on the connector's: what is kept per command in the context (the MDC of its log lines, its trace) stays with
 * that command. They wait in a queue of their own and are passed to the loop {@value #BATCH} per turn, so whatever
 * else is queued on the loop (an HTTP answer, a health check's response written from a worker thread) waits for at
 * most one batch, never for every record polled (a backlog of thousands at start).
 *
 * <p>Public APIs only: a context made on a thread outside Vert.x is an event-loop context on Vert.x's next loop, so
 * two such contexts are on two loops, and at the first task the one whose thread is not the caller's is the loop.
 */
final class PipelineLoop {

    /** Tasks run per turn of the loop before whatever else is queued on it. */
    static final int BATCH = 32;

    /** Event-loop contexts on different loops (when Vert.x has several), with the thread each runs on. */
    private final Map<Context, Thread> candidates;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile Context context;

    PipelineLoop(Vertx vertx) {
        this.candidates = contextsOnTwoLoops(vertx);
    }

    /** Runs {@code task} on a new duplicated context of the pipeline's loop, after every task handed over before it. */
    void execute(Runnable task) {
        tasks.add(task);
        if (scheduled.compareAndSet(false, true)) {
            loop().runOnContext(ignored -> drain());
        }
    }

    /** One turn: up to {@link #BATCH} tasks, then the next turn queued behind them and what else waits on the loop. */
    private void drain() {
        Context loop = context;
        for (int i = 0; i < BATCH; i++) {
            Runnable task = tasks.poll();
            if (task == null) {
                break;
            }
            VertxContext.createNewDuplicatedContext(loop).runOnContext(ignored -> task.run());
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

    private Context loop() {
        Context loop = context;
        return loop != null ? loop : chosen();
    }

    /** At the first task: a candidate on a loop other than the calling thread's, when Vert.x has another. */
    private synchronized Context chosen() {
        if (context == null) {
            Thread delivering = Thread.currentThread();
            context = candidates.entrySet().stream().filter(candidate -> !candidate.getValue().equals(delivering))
                    .map(Map.Entry::getKey).findFirst().orElseGet(() -> candidates.keySet().iterator().next());
        }
        return context;
    }

    /**
     * Two event-loop contexts, each made on a thread of its own outside Vert.x (where Vert.x makes each new context on
     * its next loop in turn, so on two loops when it has two), each with the thread it runs on.
     */
    private static Map<Context, Thread> contextsOnTwoLoops(Vertx vertx) {
        Map<Context, Thread> made = new ConcurrentHashMap<>();
        CountDownLatch known = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            Thread maker = new Thread(() -> {
                Context candidate = vertx.getOrCreateContext();
                candidate.runOnContext(ignored -> {
                    made.put(candidate, Thread.currentThread());
                    known.countDown();
                });
            }, "pipeline-loop-choice");
            maker.start();
        }
        try {
            if (!known.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("Vert.x ran no task on a new event-loop context within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while choosing the pipeline's loop", e);
        }
        return Map.copyOf(made);
    }
}
