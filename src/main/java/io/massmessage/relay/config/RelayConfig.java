package io.massmessage.relay.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How the relay processes commands: concurrency, retries, waits and payload limits. */
@ConfigMapping(prefix = "relay")
public interface RelayConfig {

    /**
     * Provider requests open at once, per provider (the size of its connection pool unless
     * {@code providers.<name>.max-connections} says otherwise). Commands for the same message never
     * run concurrently; different messages do, up to this limit.
     */
    @WithDefault("512")
    int maxInFlight();

    /**
     * Records polled from Kafka and not yet finished: queued for the pipeline, in flight, waiting for
     * their key's rate budget or for an earlier command of the same message. Shared out per assigned partition (at least 16
     * each): a partition at its share is paused, alone, until half of it is done (the consumer keeps
     * polling, so it stays in its group). So one throttled account holds back only its own partition,
     * and a waiting command costs memory only, never a connection.
     */
    @WithDefault("4096")
    int maxPending();

    /**
     * Payload bytes of the records counted by {@link #maxPending()}, shared out per assigned partition
     * the same way (at least 64 KiB each): a partition at its share of either bound pauses. With typical
     * commands of a few hundred bytes the count binds first; this one keeps a backlog of large payloads
     * (up to {@link #maxPayloadBytes()} each) from filling the heap.
     */
    @WithDefault("8388608")
    long maxPendingBytes();

    /** Largest accepted command payload in bytes; larger ones are dead-lettered. */
    @WithDefault("1048576")
    int maxPayloadBytes();

    /** Longest provider response body kept (redacted) on a failure outcome. */
    @WithDefault("512")
    int providerBodyMaxChars();

    /**
     * The CloudEvents {@code source} of every outcome record ({@code ce_source} header): a URI
     * reference naming this deployment, so consumers of several relays can tell them apart.
     */
    @WithDefault("/mass-message-relay")
    String cloudEventsSource();

    /** The outcome topics (CONTRACT §1). */
    Topics topics();

    /** Where each outcome is published. */
    interface Topics {
        /** Outcomes {@code succeeded}. */
        @WithDefault("mass-message.update.succeeded")
        String succeeded();

        /** Outcomes {@code failed}. */
        @WithDefault("mass-message.update.failed")
        String failed();

        /** Outcomes {@code rate_limited}. */
        @WithDefault("mass-message.update.rate-limited")
        String rateLimited();
    }

    /**
     * On SIGTERM, how long the commands already taken may take to finish before the relay commits and
     * exits; what is unfinished then is left uncommitted for the next replica. Keep it below the pod's
     * {@code terminationGracePeriodSeconds} with room for the final commit (k8s/ uses 20 s and 40 s).
     */
    @WithDefault("20s")
    Duration shutdownGrace();

    /**
     * How long a command may stay in a stage that ends by itself (validation, its provider request, reading
     * the answer) before liveness reports the pipeline stalled and Kubernetes restarts the pod. Waiting by
     * design never counts: behind an earlier command of its message, for an open breaker (however long the
     * provider is down), for its key's budget, in a retry's backoff, or for the broker to take its outcome.
     * Keep it well above the providers' {@code request-timeout}.
     */
    @WithDefault("5m")
    Duration stallLimit();

    /** Retries of transient faults (5xx, timeouts, connection faults). */
    Retry retry();

    /** Recognising replayed records that an earlier owner of their partition already answered. */
    ReplayCheck replayCheck();

    /**
     * When a partition is assigned, the records after its committed offset will be processed again; those
     * whose outcome (or dead letter) an earlier owner already published (it crashed, or was killed, before
     * committing them) are recognised by reading the outcome and dead-letter topics from the time of the
     * first uncommitted record, and acknowledged without a second provider call or a second outcome.
     */
    interface ReplayCheck {
        /** Whether to look for already answered records at each assignment. */
        @WithDefault("true")
        boolean enabled();

        /** Outcome and dead-letter records read at most per assignment; past that the check covers what it read. */
        @WithDefault("500000")
        int maxRecords();

        /** Longest the check may read at an assignment (it runs on the consumer's polling thread). */
        @WithDefault("15s")
        Duration maxTime();

        /** How far before the first uncommitted command's timestamp to start reading, for clocks that disagree. */
        @WithDefault("30s")
        Duration clockSkew();
    }

    /** Writing dead letters (outcome.DeadLetterWriter). */
    DeadLetter deadLetter();

    /** The stale-update guard (history.AppliedUpdates). */
    StaleGuard staleGuard();

    /**
     * An update whose {@code issuedAt} is older than that of an update already applied to the same message is
     * never applied: it ends {@code failed} with category {@code superseded}, without a provider call (CONTRACT
     * §2). What was applied is kept per message (the newest {@code issuedAt}) in a compacted topic of the
     * relay's own, written to the command's partition number beside the outcome, and read back when a
     * partition is assigned, so the guard holds across restarts and rebalances.
     */
    interface StaleGuard {
        /** Whether the guard is on. */
        @WithDefault("true")
        boolean enabled();

        /**
         * The guard's topic: compacted, at least as many partitions as the command topic (k8s/ creates it with
         * the same 12).
         */
        @WithDefault("mass-message.relay.applied-updates")
        String topic();

        /** How long a message's newest applied {@code issuedAt} is remembered (the topic's retention too). */
        @WithDefault("7d")
        Duration retention();

        /** Longest the guard may read its topic at one assignment (on the consumer's polling thread). */
        @WithDefault("30s")
        Duration rebuildMaxTime();
    }

    /** Idempotent command ids (history.AppliedUpdates, which keeps them in a topic of their own). */
    Idempotency idempotency();

    /**
     * A command whose {@code commandId} already ended {@code succeeded}, or {@code failed} with a permanent
     * category, within the window is not sent again: the earlier outcome is published again with
     * {@code duplicateOf} naming its record (CONTRACT §2). After {@code rate_limited}, {@code expired} or
     * {@code failed}/{@code unavailable} the same id is a legitimate retry. The answers are recorded in a topic
     * of their own ({@code relay.idempotency.topic}) after the outcome is on the broker, and the newest are read
     * back when a partition is assigned.
     */
    interface Idempotency {
        /** Whether commands are deduplicated by {@code commandId}. */
        @WithDefault("true")
        boolean enabled();

        /**
         * The answers' topic: deleted after the window, at least as many partitions as the command topic (k8s/
         * creates it with the same 12).
         */
        @WithDefault("mass-message.relay.answered-commands")
        String topic();

        /** How long an answered {@code commandId} is remembered. */
        @WithDefault("24h")
        Duration window();

        /**
         * Most answered ids one replica remembers, shared evenly by the command partitions it owns; beyond a
         * partition's share its oldest are forgotten first (and counted, {@code relay_idempotency_forgotten}).
         * Each takes about 150 bytes of heap (50,000: about 7.5 MB of the image's 128 MB heap).
         */
        @WithDefault("50000")
        int maxCommands();
    }

    /** Dead letters: one refused for its size is written with its value cut, and says so in its headers. */
    interface DeadLetter {
        /**
         * The dead-letter producer's {@code max.request.size}: at least the largest command record the
         * command topic takes ({@code max.message.bytes}, 4 MiB in k8s/), so a dead letter is cut only when
         * the dead-letter topic itself refuses it.
         */
        @WithDefault("4194304")
        int maxRequestBytes();
    }

    /**
     * Publishing outcomes and dead letters: a record the broker did not take (away, topic missing, not
     * authorised, delivery timeout) is sent again with backoff until it lands, as long as this replica owns
     * the command's partition; only that partition's commit waits meanwhile.
     */
    PublishRetry publishRetry();

    /** Backoff between tries of one outcome or dead letter. */
    interface PublishRetry {
        /** First wait; doubles each time. */
        @WithDefault("200ms")
        Duration initialBackoff();

        /** Longest wait between two tries. */
        @WithDefault("10s")
        Duration maxBackoff();
    }

    /** The per-provider circuit breaker. */
    Breaker breaker();

    /** When a provider counts as down, and how long its commands then wait before one probe. */
    interface Breaker {
        /** Transient faults in a row (over all of the provider's commands) that open the breaker. */
        @WithDefault("20")
        int failureThreshold();

        /** How long an open breaker holds the provider's commands before letting one probe through. */
        @WithDefault("30s")
        Duration coolDown();
    }

    /** Waiting on a provider's rate limit (HTTP 429). */
    RateLimit rateLimit();

    /** Retry policy for transient faults: exponential backoff with full jitter. */
    interface Retry {
        /** Total HTTP attempts for one command, the first included. */
        @WithDefault("5")
        int maxAttempts();

        /** Backoff cap before the first retry; doubles each retry up to {@link #maxBackoff()}. */
        @WithDefault("200ms")
        Duration initialBackoff();

        /** Largest backoff between two attempts. */
        @WithDefault("10s")
        Duration maxBackoff();

        /** No retry starts once this much time has passed since the first attempt. */
        @WithDefault("60s")
        Duration budget();
    }

    /** Waiting for rate budget: spacing requests per API key and honouring the provider's 429s. */
    interface RateLimit {
        /** Total time one command may wait for its key's budget (spacing, 429s) before it ends {@code rate_limited}. */
        @WithDefault("60s")
        Duration maxWait();

        /** Share of each per-minute limit left unused, a margin for network jitter at a sliding-window provider. */
        @WithDefault("0.01")
        double headroom();
    }
}
