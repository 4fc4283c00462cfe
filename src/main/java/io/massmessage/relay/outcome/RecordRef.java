package io.massmessage.relay.outcome;

/** Where a record the relay wrote is: its topic, partition and offset (an outcome's {@code duplicateOf}, CONTRACT §3). */
public record RecordRef(String topic, int partition, long offset) {}
