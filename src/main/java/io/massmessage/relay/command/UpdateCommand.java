package io.massmessage.relay.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;

/**
 * A validated "update mass message" command (CONTRACT §2).
 *
 * @param providerOptions provider-specific fields passed through as they are; never {@code null}
 */
public record UpdateCommand(
        String commandId,
        String provider,
        String account,
        String messageId,
        Instant issuedAt,
        MessageUpdate update,
        ObjectNode providerOptions) {

    public UpdateCommand {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(update, "update");
        Objects.requireNonNull(providerOptions, "providerOptions");
    }

    /** The key that orders commands: one message of one account of one provider. */
    public String messageKey() {
        return provider + ":" + account + ":" + messageId;
    }
}
