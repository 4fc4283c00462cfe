package io.massmessage.relay.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.massmessage.relay.command.MessageUpdate;
import io.massmessage.relay.command.UpdateCommand;
import io.massmessage.relay.provider.Credits;
import io.massmessage.relay.provider.ErrorCategory;
import io.massmessage.relay.provider.RateLimitInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The outcome event carries exactly the fields of CONTRACT §3, nothing more. */
class OutcomeEventTest {

    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final UpdateCommand COMMAND = new UpdateCommand("c-1", "onlyfansapi", "acct_A", "1", null,
            new MessageUpdate("t", null, null, null, null, null, null, null, null, null), MAPPER.createObjectNode());
    private static final RateLimitInfo LIMITS = new RateLimitInfo(1000L, 0L, 50000L, 49942L, 30000L,
            Instant.parse("2026-11-22T10:00:31Z"));

    private static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void aFailureHasTheContractsFieldsAndNoOthers() throws Exception {
        JsonNode event = MAPPER.valueToTree(OutcomeEvent.of(Outcome.Failed.of(COMMAND, 2, 231, ErrorCategory.not_found,
                "HTTP 404").answered(404, "{}", LIMITS, new Credits(1L, 99L)),
                Instant.parse("2026-11-22T10:00:01.234Z")));
        assertThat(fields(event)).containsExactly("commandId", "provider", "account", "messageId", "outcome",
                "attempts",
                "occurredAt", "durationMs", "httpStatus", "error", "rateLimit", "credits");
        assertThat(fields(event.get("error"))).containsExactly("category", "detail", "providerBody");
        assertThat(fields(event.get("rateLimit"))).containsExactly("limitMinute", "remainingMinute", "limitDay",
                "remainingDay", "retryAfterMs", "retryAt");
        assertThat(fields(event.get("credits"))).containsExactly("used", "balance");
        assertThat(event.get("occurredAt").asText()).isEqualTo("2026-11-22T10:00:01.234Z");
        assertThat(event.get("error").get("category").asText()).isEqualTo("not_found");
    }

    @Test
    void aSuccessWithoutRateLimitInformationLeavesItOut() {
        JsonNode event = MAPPER.valueToTree(OutcomeEvent.of(new Outcome.Succeeded(COMMAND, 1, 5, 200,
                MAPPER.createObjectNode().put("id", 123), RateLimitInfo.EMPTY, null), Instant.EPOCH));
        assertThat(fields(event)).containsExactly("commandId", "provider", "account", "messageId", "outcome",
                "attempts",
                "occurredAt", "durationMs", "httpStatus", "message");
        assertThat(event.get("outcome").asText()).isEqualTo("succeeded");
    }
}
