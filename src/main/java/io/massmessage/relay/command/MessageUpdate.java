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

    /**
     * This update followed by {@code later}, as one update (CONTRACT §2): each field {@code later} names replaces
     * this one's; the fields only this one names stay.
     */
    public MessageUpdate then(MessageUpdate later) {
        return new MessageUpdate(
                later.text != null ? later.text : text,
                later.lockedText != null ? later.lockedText : lockedText,
                later.price != null ? later.price : price,
                later.mediaIds != null ? later.mediaIds : mediaIds,
                later.previewIds != null ? later.previewIds : previewIds,
                later.userLists != null ? later.userLists : userLists,
                later.userIds != null ? later.userIds : userIds,
                later.excludedLists != null ? later.excludedLists : excludedLists,
                later.giphyId != null ? later.giphyId : giphyId,
                later.scheduledAt != null ? later.scheduledAt : scheduledAt);
    }

    /** The names of the update fields, as they appear in the command JSON. */
    public static final List<String> FIELDS = List.of(
            "text", "lockedText", "price", "mediaIds", "previewIds", "userLists", "userIds",
            "excludedLists", "giphyId", "scheduledAt");
}
