package io.tidegate.format;

import io.tidegate.format.Refusal.Reason;

/**
 * The bounds of SPEC §7 a push body can pass on its own: how many series it may have
 * ({@code --push.max-series}), how many labels one series may have ({@code --push.max-labels-per-series}),
 * and how many characters a label name and a label value may have ({@code --push.max-label-name-length},
 * {@code --push.max-label-value-length}). The readers of every format check them as they read and stop at
 * the first series or label past one, so a body of a million labels or series costs no more than reading
 * up to the bound; the store checks every write again once the grouping key is applied (its labels and
 * {@code instance} count too). This is the one place that words what passing them means. It also carries
 * which names a body may use ({@link NameValidation}, {@code --push.enable-utf8-names}), so every reader
 * that is given the bounds reads names by the same rule.
 */
public record BodyLimits(int maxSeries, int maxLabelsPerSeries, int maxLabelNameLength, int maxLabelValueLength,
        NameValidation names) {
    /** No bound at all: what a reader that is given none checks. */
    public static final BodyLimits NONE = new BodyLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE,
            Integer.MAX_VALUE);

    public BodyLimits {
        if (maxSeries < 1 || maxLabelsPerSeries < 1 || maxLabelNameLength < 1 || maxLabelValueLength < 1) {
            throw new IllegalArgumentException("--push.max-series, --push.max-labels-per-series, "
                    + "--push.max-label-name-length and --push.max-label-value-length must be at least 1");
        }
        if (names == null) {
            throw new IllegalArgumentException("names must be given");
        }
    }

    /** With legacy names only (no {@code --push.enable-utf8-names}). */
    public BodyLimits(int maxSeries, int maxLabelsPerSeries, int maxLabelNameLength, int maxLabelValueLength) {
        this(maxSeries, maxLabelsPerSeries, maxLabelNameLength, maxLabelValueLength, NameValidation.LEGACY);
    }

    /** These bounds, the names of {@code validation} accepted. */
    public BodyLimits withNames(NameValidation validation) {
        return new BodyLimits(maxSeries, maxLabelsPerSeries, maxLabelNameLength, maxLabelValueLength, validation);
    }

    /** Why a push with more series than the bound is refused (a reader stops at the first one too many). */
    public Refusal tooManySeries() {
        return new Refusal(Reason.TOO_MANY_SERIES, "the push has more than " + maxSeries + " series (--push.max-series)");
    }

    /** Whether {@code label}'s name and value are within their lengths. */
    public boolean fits(Label label) {
        return label.name().length() <= maxLabelNameLength && label.value().length() <= maxLabelValueLength;
    }

    /**
     * Why {@code label}, which does not {@link #fits fit}, is refused: its name's or its value's length, the
     * bound and its flag; {@code where} names what the label belongs to ({@code series of "x"}).
     */
    public Refusal oversized(String where, Label label) {
        if (label.name().length() > maxLabelNameLength) {
            return new Refusal(Reason.OVERSIZED_LABELS, "a label name in the " + where + " has "
                    + label.name().length() + " characters, more than " + maxLabelNameLength
                    + " (--push.max-label-name-length): " + Names.quote(abbreviate(label.name())));
        }
        return new Refusal(Reason.OVERSIZED_LABELS, "the value of label " + Names.quote(abbreviate(label.name()))
                + " in the " + where + " has " + label.value().length() + " characters, more than "
                + maxLabelValueLength + " (--push.max-label-value-length)");
    }

    /** {@code series of "x"}: where a label of a series of family {@code familyName} is, for {@link #oversized}. */
    public static String seriesOf(String familyName) {
        return "series of " + Names.quote(familyName);
    }

    /** Why a series of {@code familyName} with {@code count} labels, more than the bound, is refused. */
    public Refusal tooManyLabels(String familyName, int count) {
        return new Refusal(Reason.OVERSIZED_LABELS, "a series of " + Names.quote(familyName) + " has " + count
                + " labels, more than " + maxLabelsPerSeries + " (--push.max-labels-per-series)");
    }

    /**
     * Why a series of {@code familyName} is refused whose labels a reader stopped reading at the first past the
     * bound: how many more there were is not known, only that there were more.
     */
    public Refusal tooManyLabelsRead(String familyName) {
        return new Refusal(Reason.OVERSIZED_LABELS, "a series of " + Names.quote(familyName) + " has more than "
                + maxLabelsPerSeries + " labels (--push.max-labels-per-series)");
    }

    /** The start of a name too long to quote whole in a message. */
    private static String abbreviate(String name) {
        return name.length() <= 64 ? name : name.substring(0, 64) + "...";
    }
}
