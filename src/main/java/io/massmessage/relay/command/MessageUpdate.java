package io.massmessage.relay.command;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * The provider-neutral change to a scheduled mass message (CONTRACT §2). A {@code null} field is
 * not part of the update; an empty list is (it clears the list).
 */
public record MessageUpdate(
        String text,
        Boolean lockedText,
        BigDecimal price,
        List<String> mediaIds,
        List<String> previewIds,
        List<String> userLists,
        List<String> userIds,
        List<String> excludedLists,
        String giphyId,
        Instant scheduledAt) {

    /** The names of the update fields, as they appear in the command JSON. */
    public static final List<String> FIELDS = List.of(
            "text", "lockedText", "price", "mediaIds", "previewIds", "userLists", "userIds",
            "excludedLists", "giphyId", "scheduledAt");
}
