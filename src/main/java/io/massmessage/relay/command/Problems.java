package io.massmessage.relay.command;

import java.util.ArrayList;
import java.util.List;

/** Collects every problem found in one payload, each as "{field}: {what is wrong}". */
public final class Problems {

    private final List<String> list = new ArrayList<>();

    /** Records that {@code field} is wrong, for the given reason. */
    public void add(String field, String reason) {
        list.add(field + ": " + reason);
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    public List<String> list() {
        return List.copyOf(list);
    }
}
