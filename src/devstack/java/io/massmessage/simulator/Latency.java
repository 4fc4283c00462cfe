package io.massmessage.simulator;

import java.util.Random;

/** How long the simulator takes to answer. */
public sealed interface Latency {

    /** A delay in milliseconds, drawn from this distribution. */
    long sampleMs(Random random);

    /** Always {@code ms}. */
    record Fixed(long ms) implements Latency {
        @Override
        public long sampleMs(Random random) {
            return ms;
        }
    }

    /** Uniform in [{@code minMs}, {@code maxMs}]. */
    record Uniform(long minMs, long maxMs) implements Latency {
        @Override
        public long sampleMs(Random random) {
            return minMs + (long) (random.nextDouble() * (maxMs - minMs + 1));
        }
    }

    /** Log-normal with the given median and shape {@code sigma}: a long tail, like real APIs. */
    record LogNormal(long medianMs, double sigma) implements Latency {
        @Override
        public long sampleMs(Random random) {
            return Math.round(medianMs * Math.exp(sigma * random.nextGaussian()));
        }
    }

    /**
     * Parses {@code fixed:300}, {@code uniform:100-500} or {@code lognormal:200,0.5}; a bare
     * number is fixed.
     */
    public static Latency parse(String spec) {
        String s = spec.trim();
        if (s.startsWith("uniform:")) {
            String[] range = s.substring(8).split("-");
            return new Uniform(Long.parseLong(range[0].trim()), Long.parseLong(range[1].trim()));
        }
        if (s.startsWith("lognormal:")) {
            String[] parts = s.substring(10).split(",");
            return new LogNormal(Long.parseLong(parts[0].trim()), Double.parseDouble(parts[1].trim()));
        }
        return new Fixed(Long.parseLong(s.startsWith("fixed:") ? s.substring(6).trim() : s));
    }
}
