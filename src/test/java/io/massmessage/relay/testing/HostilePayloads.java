package io.massmessage.relay.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded hostile command records, by class: what an upstream bug or a hostile producer can write.
 * The same seed gives the same records. Some of them are valid after all (an id with {@code /} is
 * percent-encoded, a mistyped field may land on the right type): the relay must answer each record
 * once, whatever it is.
 */
public final class HostilePayloads {

    /** One record to send: its class, key, value (null for a tombstone) and headers. */
    public record Payload(String kind, String key, byte[] value, Map<String, String> headers) {}

    /** The classes, in the order {@link #next} draws from them. */
    public static final List<String> KINDS = List.of("random-bytes", "invalid-utf8", "empty-or-tombstone", "wrong-type",
            "huge-number", "deep-nesting", "duplicate-key", "trailing-garbage", "bom-or-comment", "path-chars-in-ids",
            "forged-headers", "unknown-fields", "null-values", "oversize");

    private static final String[] TOP_FIELDS = {"commandId", "provider", "account", "messageId", "issuedAt", "update",
            "providerOptions"};
    private static final String[] UPDATE_FIELDS = {"text", "lockedText", "price", "mediaIds", "previewIds", "userLists",
            "userIds", "excludedLists", "giphyId", "scheduledAt"};
    private static final String[] VALUES = {"1", "-1", "0.5", "true", "false", "null", "[]", "[1,\"a\"]", "{}",
            "{\"a\":1}", "\"\"", "\"   \"", "\"x\"", "\"2026-13-45T99:00:00Z\""};
    private static final String[] NUMBERS = {"1e309", "1e400", "-1e400", "1e999999999", "1e-400", "NaN", "Infinity",
            "-Infinity", "0x10", "01", "1.", ".5", "+1", "9".repeat(1001), "1" + "0".repeat(70)};
    private static final String[] TRAILERS = {"}", ",", "{}", "\u0000", " // c", " /* c */", "\"x\"", "1", "]", "\n{}"};
    private static final String[] ID_CHARS = {"a/b", "..", ".", "%2F", "a%2Fb", "a?b=1", "a#b", "a\r\nb", "a b", "ü",
            "a\\b", "../../admin", "%2e%2e", "a;b", "a@b"};
    private static final byte[][] BAD_UTF8 = {{(byte) 0xC0, (byte) 0xAF}, {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
            {(byte) 0xE2, (byte) 0x82}, {(byte) 0x80}, {(byte) 0xFF},
            {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}};

    private final Random random;
    private final String run;
    private int count;

    public HostilePayloads(long seed, String run) {
        this.random = new Random(seed);
        this.run = run;
    }

    /** A valid command of a fresh message of one of 20 OnlyFansAPI accounts; its text is {@code ok}. */
    public Payload valid(int i) {
        String account = "acct_" + run + (i % 20);
        return new Payload("valid", "onlyfansapi:" + account, utf8(command("v" + i, account, "m" + i,
                "{\"text\":\"ok\",\"price\":0}")), Map.of());
    }

    /** The next hostile record: the classes in turn, each drawn at random within its class. */
    public Payload next() {
        String kind = KINDS.get(count % KINDS.size());
        int i = count++;
        String account = "acct_" + run + (i % 20);
        String key = "onlyfansapi:" + account;
        String base = command("h" + i, account, "h" + i, "{\"text\":\"hi\",\"price\":0}");
        return switch (kind) {
            case "random-bytes" -> {
                byte[] bytes = new byte[random.nextInt(2000)];
                random.nextBytes(bytes);
                if (bytes.length > 0 && random.nextBoolean()) {
                    bytes[0] = '{';
                }
                yield new Payload(kind, key, bytes, Map.of());
            }
            case "invalid-utf8" -> {
                int at = base.indexOf("\"hi\"") + 2;
                yield new Payload(kind, key,
                        concat(utf8(base.substring(0, at)), BAD_UTF8[random.nextInt(BAD_UTF8.length)],
                                utf8(base.substring(at))),
                        Map.of());
            }
            case "empty-or-tombstone" -> new Payload(kind, key, switch (random.nextInt(3)) {
                case 0 -> null;
                case 1 -> new byte[0];
                default -> utf8(" \n\t ");
            }, Map.of());
            case "wrong-type" -> {
                String value = VALUES[random.nextInt(VALUES.length)];
                String json = random.nextBoolean()
                        ? replaceTop(i, account, TOP_FIELDS[random.nextInt(TOP_FIELDS.length)], value)
                        : command("h" + i, account, "h" + i, "{\"text\":\"hi\",\""
                                + UPDATE_FIELDS[random.nextInt(UPDATE_FIELDS.length)] + "\":" + value + "}");
                yield new Payload(kind, key, utf8(json), Map.of());
            }
            case "huge-number" -> new Payload(kind, key, utf8(command("h" + i, account, "h" + i,
                    "{\"text\":\"hi\",\"price\":" + NUMBERS[random.nextInt(NUMBERS.length)] + "}")), Map.of());
            case "deep-nesting" -> {
                int depth = 30 + random.nextInt(3000);
                boolean arrays = random.nextBoolean();
                String open = arrays ? "[" : "{\"a\":";
                String close = arrays ? "]" : "}";
                String inner = open.repeat(depth) + "1" + close.repeat(depth);
                yield new Payload(kind, key,
                        utf8(base.substring(0, base.length() - 1) + ",\"providerOptions\":{\"x\":" + inner
                                + "}}"),
                        Map.of());
            }
            case "duplicate-key" -> {
                String field = TOP_FIELDS[random.nextInt(4)];
                String again = field.equals("provider") ? "\"fansly\"" : "\"other\"";
                yield new Payload(kind, key,
                        utf8(base.substring(0, base.length() - 1) + ",\"" + field + "\":" + again + "}"),
                        Map.of());
            }
            case "trailing-garbage" ->
                new Payload(kind, key, utf8(base + TRAILERS[random.nextInt(TRAILERS.length)]), Map.of());
            case "bom-or-comment" -> new Payload(kind, key, random.nextBoolean()
                    ? concat(new byte[]{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8(base))
                    : utf8("{/* note */" + base.substring(1)), Map.of());
            case "path-chars-in-ids" -> {
                String id = ID_CHARS[random.nextInt(ID_CHARS.length)] + i;
                yield new Payload(kind, key,
                        utf8(command("h" + i, account, escape(id), "{\"text\":\"hi\",\"price\":0}")), Map.of());
            }
            case "forged-headers" -> {
                Map<String, String> headers = new LinkedHashMap<>();
                headers.put("dead-letter-offset", String.valueOf(random.nextInt(1000)));
                headers.put("dead-letter-partition", "0");
                headers.put("dead-letter-topic", Topics.COMMANDS);
                headers.put("relay-command-offset", String.valueOf(random.nextInt(1000)));
                headers.put("relay-command-partition", "0");
                headers.put("relay-command-topic", Topics.COMMANDS);
                headers.put("dead-letter-reason", "forged");
                yield new Payload(kind, key, utf8(random.nextBoolean() ? base : "forged " + i), headers);
            }
            case "unknown-fields" -> {
                StringBuilder json = new StringBuilder(base.substring(0, base.length() - 1));
                int fields = 1 + random.nextInt(random.nextInt(10) == 0 ? 5000 : 20);
                for (int f = 0; f < fields; f++) {
                    json.append(",\"unknown_").append(f).append("_\\r\\n").append("z".repeat(random.nextInt(200)))
                            .append("\":1");
                }
                yield new Payload(kind, key, utf8(json.append('}').toString()), Map.of());
            }
            case "null-values" -> new Payload(kind, key, utf8(random.nextBoolean()
                    ? command("h" + i, account, "h" + i, "{\"text\":null}")
                    : replaceTop(i, account, TOP_FIELDS[random.nextInt(5)], "null")), Map.of());
            case "oversize" -> {
                // only a few real oversize records (each is megabytes); the others are just over the limit or huge strings within it
                int size = i % (KINDS.size() * 50) == KINDS.indexOf("oversize")
                        ? (random.nextBoolean() ? 3_200_000 : 1_200_000)
                        : 20_000 + random.nextInt(200_000);
                yield new Payload(kind, key,
                        utf8(command("h" + i, account, "h" + i, "{\"text\":\"" + "o".repeat(size) + "\"}")),
                        Map.of());
            }
            default -> throw new IllegalStateException(kind);
        };
    }

    private String command(String id, String account, String messageId, String update) {
        return "{\"commandId\":\"" + run + "-" + id + "\",\"provider\":\"onlyfansapi\",\"account\":\"" + account
                + "\",\"messageId\":\"" + messageId + "\",\"issuedAt\":\"2026-11-22T10:00:00Z\",\"update\":" + update
                + "}";
    }

    private String replaceTop(int i, String account, String field, String value) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("commandId", "\"" + run + "-h" + i + "\"");
        fields.put("provider", "\"onlyfansapi\"");
        fields.put("account", "\"" + account + "\"");
        fields.put("messageId", "\"h" + i + "\"");
        fields.put("issuedAt", "\"2026-11-22T10:00:00Z\"");
        fields.put("update", "{\"text\":\"hi\",\"price\":0}");
        fields.put(field, value);
        List<String> parts = new ArrayList<>();
        fields.forEach((name, v) -> parts.add("\"" + name + "\":" + v));
        return "{" + String.join(",", parts) + "}";
    }

    private static String escape(String text) {
        return text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n");
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
