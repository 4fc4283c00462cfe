package io.massmessage.relay.flow;

import io.massmessage.relay.command.UpdateCommand;

/**
 * Lets a request about to be sent carry the commands of its message that wait behind it (CONTRACT §2, coalescing).
 * {@link CommandProcessor} asks each time a slot of the key's budget is granted, so what arrived while the request
 * waited for the budget, an open breaker or a backoff travels with it.
 */
@FunctionalInterface
public interface Coalescing {

    /** The command to send now: {@code sending} itself, or its merge with commands waiting behind it. */
    UpdateCommand absorb(UpdateCommand sending);

    /** Sends each command alone. */
    Coalescing NONE = sending -> sending;
}
