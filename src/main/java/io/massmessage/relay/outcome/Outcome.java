package io.massmessage.relay.outcome;

import com.fasterxml.jackson.databind.JsonNode;
import io.massmessage.relay.command.UpdateCommand;
import io.massmessage.relay.provider.Credits;
import io.massmessage.relay.provider.ErrorCategory;
import io.massmessage.relay.provider.RateLimitInfo;

/** How one command ended. Exactly one outcome (or one dead letter) per command. */
public sealed interface Outcome {

    UpdateCommand command();

    /** HTTP attempts made, 0 when the command never reached the provider. */
    int attempts();

    /** Time from the start of processing to the end. */
    long durationMs();

    /** The outcome's name on the wire: {@code succeeded}, {@code failed} or {@code rate_limited}. */
    String name();

    /**
     * This outcome as the outcome of {@code other}, a command of the same message whose update this outcome's request
     * carried (coalescing): the same answer, with 0 attempts of its own.
     */
    default Outcome carriedFor(UpdateCommand other) {
        if (this instanceof Succeeded s) {
            return new Succeeded(other, 0, s.durationMs(), s.httpStatus(), s.message(), s.rateLimit(), s.credits());
        }
        if (this instanceof Failed f) {
            return new Failed(other, 0, f.durationMs(), f.httpStatus(), f.category(), f.detail(), f.providerBody(),
                    f.rateLimit(), f.credits());
        }
        RateLimited r = (RateLimited) this;
        return new RateLimited(other, 0, r.durationMs(), r.httpStatus(), r.rateLimit(), r.credits());
    }

    /** The provider applied the update. */
    record Succeeded(UpdateCommand command, int attempts, long durationMs, int httpStatus, JsonNode message,
            RateLimitInfo rateLimit, Credits credits) implements Outcome {
        @Override
        public String name() {
            return "succeeded";
        }
    }

    /**
     * The update was not applied and retrying it as is will not help (or the retry budget is spent).
     *
     * @param httpStatus the provider's last status, {@code null} when none arrived
     * @param providerBody the provider's body, already redacted and truncated, or {@code null}
     */
    record Failed(UpdateCommand command, int attempts, long durationMs, Integer httpStatus, ErrorCategory category,
            String detail, String providerBody, RateLimitInfo rateLimit, Credits credits) implements Outcome {

        /** A failure with nothing from the provider in it (no status, body, limits or credits); see {@link #answered}. */
        public static Failed of(UpdateCommand command, int attempts, long durationMs, ErrorCategory category,
                String detail) {
            return new Failed(command, attempts, durationMs, null, category, detail, null, null, null);
        }

        /** This failure with what the provider's last answer said. */
        public Failed answered(Integer httpStatus, String providerBody, RateLimitInfo rateLimit, Credits credits) {
            return new Failed(command, attempts, durationMs, httpStatus, category, detail, providerBody, rateLimit,
                    credits);
        }

        @Override
        public String name() {
            return "failed";
        }
    }

    /**
     * The key's rate budget (as configured or as the provider reported it) has no slot within the
     * wait we allow; {@code rateLimit.retryAt()} says when one opens. {@code httpStatus} is 429 when
     * the provider refused, {@code null} when the relay foresaw it and sent nothing.
     */
    record RateLimited(UpdateCommand command, int attempts, long durationMs, Integer httpStatus,
            RateLimitInfo rateLimit,
            Credits credits) implements Outcome {
        @Override
        public String name() {
            return "rate_limited";
        }
    }
}
