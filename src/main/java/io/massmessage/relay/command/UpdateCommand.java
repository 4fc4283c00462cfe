package io.massmessage.relay.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;

/**
 * A validated "update mass message" command (CONTRACT §2).
 *
 * @param providerOptions provider-specific fields passed through as they are; never {@code null}
 * @param messageKey the key that orders commands: one message of one account of one provider, always
 *     {@code provider:account:messageId} whatever is passed (made once: the pipeline asks for it several times per
 *     command)
 */
public record UpdateCommand(
        String commandId,
        String provider,
        String account,
        String messageId,
        Instant issuedAt,
        MessageUpdate update,
        ObjectNode providerOptions,
        String messageKey) {

    public UpdateCommand(String commandId, String provider, String account, String messageId, Instant issuedAt,
            MessageUpdate update, ObjectNode providerOptions) {
        this(commandId, provider, account, messageId, issuedAt, update, providerOptions, null);
    }

    public UpdateCommand {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(update, "update");
        Objects.requireNonNull(providerOptions, "providerOptions");
        messageKey = provider + ":" + account + ":" + messageId;
    }

    /**
     * This command followed by {@code later}, a command of the same message, as one command: {@code later}'s update
     * fields and provider options override this one's (CONTRACT §2). It keeps this command's id and takes the newer
     * {@code issuedAt}.
     */
    public UpdateCommand then(UpdateCommand later) {
        if (!messageKey().equals(later.messageKey())) {
            throw new IllegalArgumentException("commands of different messages are never merged");
        }
        ObjectNode options = providerOptions.deepCopy();
        options.setAll(later.providerOptions.deepCopy());
        Instant newer = issuedAt == null || later.issuedAt != null && later.issuedAt.isAfter(issuedAt)
                ? later.issuedAt
                : issuedAt;
        return new UpdateCommand(commandId, provider, account, messageId, newer, update.then(later.update), options);
    }

    /**
     * What makes a command sent again under the same id the same command (CONTRACT §2, idempotency): its message
     * and its {@code issuedAt}, as a 64-bit hash, never 0. A redelivery or a CRM's resend keeps both; an id reused for
     * another message, or for a decision issued at another time, names a different command. The update's fields
     * do not count: a resend that rewrites the text is still the command the CRM already issued.
     */
    public long identity() {
        long hash = 1_125_899_906_842_597L;
        for (String part : new String[]{provider, account, messageId}) {
            for (int i = 0; i < part.length(); i++) {
                hash = 31 * hash + part.charAt(i);
            }
            hash = 31 * hash + ':';
        }
        if (issuedAt != null) {
            hash = 31 * hash + issuedAt.getEpochSecond();
            hash = 31 * hash + issuedAt.getNano();
        }
        return hash == 0 ? 1 : hash;
    }
}
