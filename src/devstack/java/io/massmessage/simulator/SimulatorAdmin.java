package io.massmessage.simulator;

import com.fasterxml.jackson.databind.JsonNode;

/** Applies a settings change from the admin API: any subset of the fields of {@link SimulatorSettings}. */
final class SimulatorAdmin {

    private SimulatorAdmin() {}

    static void update(SimulatorSettings settings, JsonNode change) {
        if (change.hasNonNull("latency")) {
            settings.latency = Latency.parse(change.get("latency").asText());
        }
        if (change.hasNonNull("serverErrorRate")) {
            settings.serverErrorRate = change.get("serverErrorRate").asDouble();
        }
        if (change.hasNonNull("resetRate")) {
            settings.resetRate = change.get("resetRate").asDouble();
        }
        if (change.hasNonNull("hangRate")) {
            settings.hangRate = change.get("hangRate").asDouble();
        }
        if (change.hasNonNull("fanslyPlan")) {
            settings.fanslyPlan = change.get("fanslyPlan").asText();
        }
        if (change.has("unavailable")) {
            settings.unavailable.clear();
            change.get("unavailable").forEach(name -> settings.unavailable.add(name.asText()));
        }
        change.path("perMinute").fields()
                .forEachRemaining(e -> settings.perMinute.put(e.getKey(), e.getValue().asLong()));
        change.path("perDay").fields().forEachRemaining(e -> settings.perDay.put(e.getKey(), e.getValue().asLong()));
        change.path("apiKeys").fields().forEachRemaining(e -> settings.apiKeys.put(e.getKey(), e.getValue().asText()));
    }
}
