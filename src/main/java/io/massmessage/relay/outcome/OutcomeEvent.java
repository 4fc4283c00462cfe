package io.massmessage.relay.outcome;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.massmessage.relay.provider.Credits;
import io.massmessage.relay.provider.RateLimitInfo;
import java.time.Instant;

/** The outcome event as published on the result topics (CONTRACT §3). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OutcomeEvent(
        String commandId,
        String provider,
        String account,
        String messageId,
        String outcome,
        int attempts,
        Instant occurredAt,
        long durationMs,
        Integer httpStatus,
        JsonNode message,
        Error error,
        RateLimitInfo rateLimit,
        Credits credits,
        Instant issuedAt,
        String coalescedInto,
        RecordRef duplicateOf) {

    /** Why a command failed. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Error(String category, String detail, String providerBody) {}

    /** The event for an outcome that occurred at {@code occurredAt}. */
    public static OutcomeEvent of(Outcome outcome, Instant occurredAt) {
        return of(outcome, occurredAt, null);
    }

    /**
     * The event for an outcome that occurred at {@code occurredAt}; {@code coalescedInto} names the command whose
     * request carried this one (coalescing), or is {@code null}.
     */
    public static OutcomeEvent of(Outcome outcome, Instant occurredAt, String coalescedInto) {
        var command = outcome.command();
        Integer status = null;
        JsonNode message = null;
        Error error = null;
        RateLimitInfo rateLimit = null;
        Credits credits = null;
        if (outcome instanceof Outcome.Succeeded s) {
            status = s.httpStatus();
            message = s.message();
            rateLimit = s.rateLimit();
            credits = s.credits();
        } else if (outcome instanceof Outcome.Failed f) {
            status = f.httpStatus();
            error = new Error(f.category().name(), f.detail(), f.providerBody());
            rateLimit = f.rateLimit();
            credits = f.credits();
        } else if (outcome instanceof Outcome.RateLimited r) {
            status = r.httpStatus();
            rateLimit = r.rateLimit();
            credits = r.credits();
        }
        if (rateLimit != null && rateLimit.isEmpty()) {
            rateLimit = null;
        }
        return new OutcomeEvent(command.commandId(), command.provider(), command.account(), command.messageId(),
                outcome.name(), outcome.attempts(), occurredAt, outcome.durationMs(), status, message, error,
                rateLimit, credits, command.issuedAt(), coalescedInto, null);
    }
}
