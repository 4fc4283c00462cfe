package io.massmessage.relay.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.massmessage.relay.command.CommandDraft;
import io.massmessage.relay.command.Problems;
import io.massmessage.relay.command.UpdateCommand;
import io.massmessage.relay.config.ProvidersConfig;
import io.massmessage.relay.provider.HttpReply;
import io.massmessage.relay.provider.ProviderAdapter;
import io.massmessage.relay.provider.ProviderRequest;
import io.massmessage.relay.provider.ProviderResponse;
import io.massmessage.relay.provider.RateLimitInfo;
import io.massmessage.relay.provider.fansly.FanslyAdapter;
import io.quarkus.arc.properties.IfBuildProperty;
import jakarta.inject.Singleton;
import java.time.Instant;

/**
 * A fourth provider, {@code faulty}, built only with {@code mmr-test.faulty-provider=true}
 * ({@link PipelineFaultInjectionTest}'s profile): it
 * speaks Fansly's dialect to Fansly's endpoint, and fails at the stage its account names, so every
 * stage of the pipeline can be made to throw by a command.
 */
@IfBuildProperty(name = "mmr-test.faulty-provider", stringValue = "true")
@Singleton
public class FaultyAdapter implements ProviderAdapter {

    static final String IN_CHECK = "throw-in-check";
    static final String IN_REQUEST = "throw-in-request";
    static final String IN_INTERPRET = "throw-in-interpret";
    static final String HUGE_OUTCOME = "huge-outcome";

    private final ObjectMapper mapper = new ObjectMapper();
    private final FanslyAdapter fansly = new FanslyAdapter(mapper);
    private volatile String lastAccount = "";

    @Override
    public String name() {
        return "faulty";
    }

    @Override
    public ProvidersConfig.Endpoint endpoint(ProvidersConfig config) {
        return config.fansly();
    }

    @Override
    public void check(CommandDraft draft, Problems problems) {
        if (draft.account() != null && draft.account().startsWith(IN_CHECK)) {
            throw new IllegalStateException("injected: a rule that throws");
        }
        fansly.check(draft, problems);
    }

    @Override
    public ProviderRequest request(UpdateCommand command, String apiKey) {
        if (command.account().startsWith(IN_REQUEST)) {
            throw new IllegalArgumentException("injected: a request that cannot be built");
        }
        lastAccount = command.account();
        return fansly.request(command, apiKey);
    }

    @Override
    public ProviderResponse interpret(HttpReply reply, Instant now) {
        // the simulator's path names the account; the reply does not, so the test keys one account per stage at a time
        String account = lastAccount;
        if (account.startsWith(IN_INTERPRET)) {
            throw new IllegalStateException("injected: an answer that cannot be read");
        }
        if (account.startsWith(HUGE_OUTCOME)) {
            ObjectNode message = mapper.createObjectNode().put("id", 1).put("pad", "p".repeat(2 << 20));
            return new ProviderResponse.Accepted(200, message, RateLimitInfo.EMPTY, null);
        }
        return fansly.interpret(reply, now);
    }
}
