package io.massmessage.relay.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PipelineLoopTest {

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(4));

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void tasksRunInOrderOnALoopOtherThanTheDeliveringOne() throws Exception {
        PipelineLoop loop = new PipelineLoop(vertx);
        List<Integer> ran = new CopyOnWriteArrayList<>();
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        Set<Context> contexts = ConcurrentHashMap.newKeySet();
        List<Context> notDuplicated = new CopyOnWriteArrayList<>();
        CompletableFuture<Thread> delivering = new CompletableFuture<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        int tasks = 10_000;
        vertx.getOrCreateContext().runOnContext(v -> {
            delivering.complete(Thread.currentThread());
            for (int i = 0; i < tasks; i++) {
                int n = i;
                loop.execute(() -> {
                    threads.add(Thread.currentThread());
                    Context current = Vertx.currentContext();
                    contexts.add(current);
                    if (!VertxContext.isDuplicatedContext(current)) {
                        notDuplicated.add(current);
                    }
                    ran.add(n);
                    if (n == tasks - 1) {
                        done.complete(null);
                    }
                });
            }
        });
        done.get(10, TimeUnit.SECONDS);
        assertThat(ran).hasSize(tasks).isSorted();
        assertThat(threads).hasSize(1).doesNotContain(delivering.get());
        assertThat(threads.iterator().next().getName()).startsWith("vert.x-eventloop-thread");
        // a context of its own per task, as per record on the connector's loop: the MDC of one is not another's
        assertThat(notDuplicated).isEmpty();
        assertThat(contexts).hasSize(tasks);
    }

    @Test
    void whatElseIsQueuedOnTheLoopWaitsForOneBatchNotForEveryTask() throws Exception {
        PipelineLoop loop = new PipelineLoop(vertx);
        CompletableFuture<Context> pipelineContext = new CompletableFuture<>();
        Context delivering = vertx.getOrCreateContext();
        delivering.runOnContext(v -> loop.execute(() -> pipelineContext.complete(Vertx.currentContext())));
        Context onTheLoop = pipelineContext.get(10, TimeUnit.SECONDS);
        CountDownLatch handedOver = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        CompletableFuture<Integer> ranBeforeTheOther = new CompletableFuture<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        int tasks = 10_000;
        // handed over once the turn that ran the first task has ended, so that turn takes none of them
        onTheLoop.runOnContext(idle -> delivering.runOnContext(v -> {
            for (int i = 0; i < tasks; i++) {
                int n = i;
                loop.execute(() -> {
                    if (n == 0) {
                        await(handedOver); // the loop is busy until every task and the other one are queued
                    }
                    if (ran.incrementAndGet() == tasks) {
                        done.complete(null);
                    }
                });
            }
            // queued on the loop behind all the tasks handed over, as a response written from a worker thread is
            onTheLoop.runOnContext(other -> ranBeforeTheOther.complete(ran.get()));
            handedOver.countDown();
        }));
        done.get(10, TimeUnit.SECONDS);
        assertThat(ranBeforeTheOther.get(10, TimeUnit.SECONDS)).as("tasks run before the other one")
                .isLessThanOrEqualTo(PipelineLoop.BATCH);
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aTaskThatThrowsStopsNoOther() throws Exception {
        List<Integer> ran = runAll(vertx, new PipelineLoop(vertx), 100, n -> {
            if (n % 10 == 3) {
                throw new IllegalStateException("task " + n);
            }
        });
        assertThat(ran).hasSize(90).isSorted().doesNotContain(3, 13, 93);
    }

    @Test
    void aLoopWithoutAnotherStillRunsEverything() throws Exception {
        Vertx single = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        try {
            assertThat(runAll(single, new PipelineLoop(single), 100, n -> {})).hasSize(100).isSorted();
        } finally {
            single.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Hands {@code tasks} tasks to {@code loop} from a context of {@code on}, task {@code n} running {@code body};
     * returns, once the last has run, those whose body returned, in the order they ran.
     */
    private static List<Integer> runAll(Vertx on, PipelineLoop loop, int tasks, IntConsumer body) throws Exception {
        List<Integer> ran = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        on.getOrCreateContext().runOnContext(v -> {
            for (int i = 0; i < tasks; i++) {
                int n = i;
                loop.execute(() -> {
                    try {
                        body.accept(n);
                        ran.add(n);
                    } finally {
                        if (n == tasks - 1) {
                            done.complete(null);
                        }
                    }
                });
            }
        });
        done.get(10, TimeUnit.SECONDS);
        return ran;
    }
}
