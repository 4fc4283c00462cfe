package io.massmessage.relay.intake;

/**
 * A command was not finished here because a rebalance moved its partition to another replica,
 * which processes it from the partition's last commit. Not a failure of the command: it gets no
 * outcome here and no dead letter.
 */
public final class HandedBackException extends RuntimeException {

    /** @param what names what was handed back, e.g. {@code command c-1} */
    public HandedBackException(String what) {
        super(what + " handed back: its partition moved to another replica", null, false, false);
    }
}
