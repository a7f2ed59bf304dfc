package io.tidegate.format;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * An immutable list of labels shared by many series (a group's key-only labels: its push-time gauges and
 * every series a device pushed without labels of its own), which keeps its {@code a="x",b="y"} text once
 * made, so a scrape renders those labels once per group rather than once per series and write. Equal to
 * any list of the same labels.
 */
public final class LabelList extends AbstractList<Label> implements RandomAccess {
    private final Label[] labels;
    private volatile byte[] textPairs;

    private LabelList(Label[] labels) {
        this.labels = labels;
    }

    /** The labels as given (the caller no longer changes the array). */
    public static List<Label> of(Label[] labels) {
        return new LabelList(labels);
    }

    @Override
    public Label get(int index) {
        return labels[index];
    }

    @Override
    public int size() {
        return labels.length;
    }

    /** {@code a="x",b="y"} as the text formats write it; made on first use (two at once may both make it: same bytes). */
    byte[] textPairs() {
        byte[] text = textPairs;
        if (text == null) {
            ByteBuilder out = new ByteBuilder(labels.length * 24);
            TextLines.appendEachLabelPair(out, this);
            text = out.toByteArray();
            textPairs = text;
        }
        return text;
    }
}
