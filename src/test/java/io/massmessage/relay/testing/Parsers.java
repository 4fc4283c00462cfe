package io.massmessage.relay.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.massmessage.relay.command.CommandParser;
import io.massmessage.relay.provider.ProviderAdapter;
import io.massmessage.relay.provider.fansly.FanslyAdapter;
import io.massmessage.relay.provider.fansmetric.FansMetricAdapter;
import io.massmessage.relay.provider.onlyfansapi.OnlyFansApiAdapter;
import java.util.List;
import java.util.Map;

/** The three adapters and a parser over them with the service's default payload limit (1 MiB), as the plain tests use them. */
public final class Parsers {

    public static final ObjectMapper MAPPER = new ObjectMapper();
    public static final OnlyFansApiAdapter ONLYFANSAPI = new OnlyFansApiAdapter(MAPPER);
    public static final FansMetricAdapter FANSMETRIC = new FansMetricAdapter(MAPPER);
    public static final FanslyAdapter FANSLY = new FanslyAdapter(MAPPER);
    public static final Map<String, ProviderAdapter> ADAPTERS = Map.of(
            "onlyfansapi", ONLYFANSAPI, "fansmetric", FANSMETRIC, "fansly", FANSLY);

    private Parsers() {}

    /** A parser accepting payloads of up to 1 MiB for the three providers. */
    public static CommandParser standard() {
        return new CommandParser(1 << 20, ADAPTERS::get, List.of("fansly", "fansmetric", "onlyfansapi"));
    }
}
