package io.massmessage.relay.provider;

/** Why a command failed (CONTRACT §3 {@code error.category}). */
public enum ErrorCategory {
    /** The provider refused the request as invalid (400, 413, 422 and other client errors). */
    rejected,
    /** Credentials missing, wrong or not allowed (401, 402, 403). */
    unauthorized,
    /** The account or message does not exist (404). */
    not_found,
    /** The message can no longer be edited: sent, delivered or gone (409, 410, or the provider says so). */
    not_editable,
    /** The provider cannot reach the creator's account right now (424). */
    account_unavailable,
    /** The provider did not answer usefully within the retry budget (5xx, timeouts, connection faults). */
    unavailable,
    /** No API key is configured for that provider and account. */
    unconfigured_account,
    /** The command's deadline passed before it could be sent. */
    expired,
    /** An update of the message with a newer {@code issuedAt} was already applied; this one was not sent. */
    superseded
}
