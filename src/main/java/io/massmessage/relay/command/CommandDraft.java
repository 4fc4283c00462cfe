package io.massmessage.relay.command;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The parts of a command a provider checks against its own rules. A part that already failed the
 * generic checks is {@code null}; {@code providerOptions} is never {@code null}.
 */
public record CommandDraft(String account, String messageId, MessageUpdate update, ObjectNode providerOptions) {}
