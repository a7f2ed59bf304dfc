package io.tidegate.format;

/** One label pair of a series. */
public record Label(String name, String value) implements Comparable<Label> {
    @Override
    public int compareTo(Label other) {
        int byName = name.compareTo(other.name);
        return byName != 0 ? byName : value.compareTo(other.value);
    }
}
