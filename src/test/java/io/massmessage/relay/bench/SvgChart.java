package io.massmessage.relay.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A minimal SVG line chart: series of y values at x = 0, 1, 2…, and optional horizontal reference lines. */
final class SvgChart {

    private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
            "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#000000"};

    private SvgChart() {}

    static String lines(String title, String xLabel, String yLabel, Map<String, double[]> series,
            Map<String, Double> references) {
        int w = 760;
        int h = 420;
        int left = 70;
        int right = 190;
        int top = 40;
        int bottom = 50;
        double maxX = series.values().stream().mapToInt(v -> v.length).max().orElse(1) - 1;
        double maxY = Math.max(series.values().stream().flatMapToDouble(Arrays::stream).max().orElse(1),
                references.values().stream().mapToDouble(Double::doubleValue).max().orElse(0)) * 1.1;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif' font-size='12'>%n",
                w, h));
        svg.append("<rect width='100%' height='100%' fill='white'/>\n");
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='22' font-size='15'>%s</text>%n", left, title));
        int pw = w - left - right;
        int ph = h - top - bottom;
        svg.append(String.format(Locale.ROOT,
                "<rect x='%d' y='%d' width='%d' height='%d' fill='none' stroke='#999'/>%n", left, top, pw, ph));
        for (int i = 0; i <= 4; i++) {
            double y = maxY * i / 4;
            int py = top + ph - (int) (ph * i / 4.0);
            svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d' text-anchor='end'>%.0f</text>%n", left - 6,
                    py + 4, y));
            svg.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#eee'/>%n", left, py,
                    left + pw, py));
            double x = maxX * i / 4;
            int px = left + (int) (pw * i / 4.0);
            svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d' text-anchor='middle'>%.0f</text>%n", px,
                    top + ph + 18, x));
        }
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d' text-anchor='middle'>%s</text>%n", left + pw / 2,
                h - 8, xLabel));
        svg.append(String.format(Locale.ROOT,
                "<text x='14' y='%d' transform='rotate(-90 14 %d)' text-anchor='middle'>%s</text>%n",
                top + ph / 2, top + ph / 2, yLabel));
        int c = 0;
        int legend = top + 10;
        for (var reference : references.entrySet()) {
            int py = top + ph - (int) (ph * reference.getValue() / maxY);
            svg.append(String.format(Locale.ROOT,
                    "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#d62728' stroke-dasharray='6 4'/>%n",
                    left, py, left + pw, py));
            svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d' fill='#d62728'>%s</text>%n", left + pw + 8,
                    py + 4, reference.getKey()));
        }
        for (var entry : series.entrySet()) {
            String colour = COLOURS[c++ % COLOURS.length];
            StringBuilder points = new StringBuilder();
            double[] ys = entry.getValue();
            for (int i = 0; i < ys.length; i++) {
                double px = left + (maxX == 0 ? 0 : pw * i / maxX);
                double py = top + ph - ph * ys[i] / maxY;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            }
            svg.append(String.format(Locale.ROOT,
                    "<polyline fill='none' stroke='%s' stroke-width='1.5' points='%s'/>%n", colour, points));
            if (series.size() <= 12) {
                svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d' fill='%s'>%s</text>%n", left + pw + 8,
                        legend += 16, colour,
                        entry.getKey()));
            }
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
