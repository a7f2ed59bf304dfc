package io.tidegate.format;

/** One label pair of a series. */
public record Label(String name, String value) implements Comparable<Label> {
    @Override
    public int compareTo(Label other) {
        int byName = name.compareTo(other.name);
        return byName != 0 ? byName : value.compareTo(other.value);
    }

    // written out: every lookup of a group compares its key's labels, and these stay plain calls
    @Override
    public boolean equals(Object other) {
        return other instanceof Label label && name.equals(label.name) && value.equals(label.value);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + value.hashCode();
    }
}
