package io.massmessage.relay.devstack;

import static io.massmessage.relay.testing.Commands.command;
import static io.massmessage.relay.testing.Commands.key;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The local run's sample commands: updates for all three providers, invalid payloads, a message
 * that does not exist, one already sent, a Fansly burst beyond its per-minute budget, and
 * (through the simulator's fault rate) transient errors that are retried.
 */
final class SampleFeed {

    /** Commands whose outcome is a dead letter. */
    static final int INVALID = 4;

    private SampleFeed() {}

    static List<Map.Entry<String, String>> commands(String run) {
        List<Map.Entry<String, String>> feed = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String account = "acct_demo" + (i % 3);
            feed.add(Map.entry(key("onlyfansapi", account), command(run + "-of-" + i, "onlyfansapi", account,
                    String.valueOf(1000 + i % 4),
                    "{\"text\":\"Weekend offer v" + i + "\",\"price\":" + (i % 2 == 0 ? 0 : 15)
                            + ",\"mediaIds\":[\"ofapi_media_" + i + "\"],\"scheduledAt\":\"2030-01-0" + (1 + i % 5)
                            + "T18:00:00Z\"}")));
        }
        for (int i = 0; i < 12; i++) {
            String account = String.valueOf(84_000 + i % 2);
            feed.add(Map.entry(key("fansmetric", account), command(run + "-fm-" + i, "fansmetric", account,
                    String.valueOf(2000 + i % 4), "{\"text\":\"New set <b>" + i + "</b>\",\"price\":9.99,"
                            + "\"excludedLists\":[\"spenders\"]}")));
        }
        for (int i = 0; i < 24; i++) {
            String account = "fy_demo";
            feed.add(Map.entry(key("fansly", account), command(run + "-fy-" + i, "fansly", account, "s" + (i % 6),
                    "{\"text\":\"Fansly drop " + i + "\",\"scheduledAt\":\"2030-02-01T12:00:00Z\"}")));
        }
        feed.add(Map.entry(key("onlyfansapi", "acct_demo0"), command(run + "-missing", "onlyfansapi", "acct_demo0",
                "missing-42", "{\"text\":\"to a message that does not exist\"}")));
        feed.add(Map.entry(key("fansmetric", "84000"), command(run + "-sent", "fansmetric", "84000", "999",
                "{\"text\":\"too late\"}")));
        feed.add(Map.entry("garbage", "this is not JSON"));
        feed.add(Map.entry(key("onlyfansapi", "acct_demo0"),
                command(run + "-badprice", "onlyfansapi", "acct_demo0", "1000",
                        "{\"text\":\"x\",\"price\":2}")));
        feed.add(Map.entry(key("fansly", "fy_demo"), command(run + "-nocontent", "fansly", "fy_demo", "s1",
                "{\"giphyId\":\"abc\"}")));
        feed.add(Map.entry("myspace:x", command(run + "-unknown", "myspace", "x", "1", "{\"text\":\"hi\"}")));
        return feed;
    }
}
