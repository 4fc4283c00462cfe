package io.massmessage.relay.provider;

import io.massmessage.relay.command.CommandRules;
import io.massmessage.relay.command.UpdateCommand;
import io.massmessage.relay.config.ProvidersConfig;
import java.time.Instant;

/**
 * One provider's dialect: its rules for commands, the exact request it takes and how to read its
 * answers. Adapters are pure: the HTTP exchange itself is {@link ProviderClient}'s.
 */
public interface ProviderAdapter extends CommandRules {

    /** The provider's name in commands: {@code onlyfansapi}, {@code fansmetric} or {@code fansly}. */
    String name();

    /** This provider's endpoint settings, picked from the configuration of all providers. */
    ProvidersConfig.Endpoint endpoint(ProvidersConfig config);

    /** The request that applies {@code command}, authenticated with {@code apiKey}. */
    ProviderRequest request(UpdateCommand command, String apiKey);

    /** What an answer means. {@code now} is when it arrived. */
    ProviderResponse interpret(HttpReply reply, Instant now);

    /**
     * Whether the provider's update changes only the fields the request names (then two updates sent in turn equal
     * their merge, and waiting commands may be coalesced), rather than replacing the message.
     */
    default boolean partialUpdates() {
        return true;
    }
}
