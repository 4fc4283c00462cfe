package io.massmessage.relay.faults;

import io.massmessage.relay.testing.Commands;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Commands over many messages of many accounts at the three providers. Command {@code i} updates message
 * {@code i % messages} with the text {@code seq-<i / messages>}: each message's newest command is the one
 * whose text the provider must hold at the end (final state), and the provider simulator records the order.
 */
record Load(String prefix, int count, int messages, int accounts) {

    static final String[] PROVIDERS = {"onlyfansapi", "fansmetric", "fansly"};

    /** One command: its record key, its JSON, its id, and the message (as the simulator names it) it updates. */
    record Command(String key, String json, String id, String message) {}

    Command command(int i) {
        int m = i % messages;
        String provider = PROVIDERS[m % 3];
        int a = m % accounts;
        String account = switch (provider) {
            case "onlyfansapi" -> "acct_" + prefix + a;
            case "fansmetric" -> String.valueOf(1_000_000 + a);
            default -> "fy" + prefix + a;
        };
        String messageId = provider.equals("fansmetric") ? String.valueOf(5_000_000 + m) : "m" + m;
        String id = prefix + "-" + i;
        return new Command(Commands.key(provider, account),
                Commands.command(id, provider, account, messageId, "{\"text\":\"seq-" + (i / messages) + "\"}"),
                id, provider + ":" + account + ":" + messageId);
    }

    List<Command> all() {
        List<Command> all = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            all.add(command(i));
        }
        return all;
    }

    /** For each message (as the simulator names it), the text it must end with: its newest command's. */
    Map<String, String> finalTexts() {
        Map<String, String> texts = new HashMap<>();
        for (int i = Math.max(0, count - messages); i < count; i++) {
            texts.put(command(i).message(), "seq-" + (i / messages));
        }
        return texts;
    }
}
