package io.massmessage.relay.provider;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Credits a provider reported for one call ({@code _meta._credits}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Credits(Long used, Long balance) {}
