package io.massmessage.relay.command;

/** A provider's own rules for the commands it can take. */
public interface CommandRules {

    /** Records in {@code problems} every way {@code draft} breaks this provider's documented rules. */
    void check(CommandDraft draft, Problems problems);
}
