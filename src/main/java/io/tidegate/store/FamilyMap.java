package io.tidegate.store;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A group's families by name, in name order, immutable: two arrays sorted by name. A lookup in a
 * small group compares the name's hash against an array of hashes (one cache line) before it touches
 * a family; a large one searches the names by halves. Lighter than a tree of entries, and a write
 * looks families up by name several times.
 */
final class FamilyMap extends AbstractMap<String, StoredFamily> {
    private static final int SCANNED = 16; // up to this many, the hashes are scanned
    static final FamilyMap EMPTY = new FamilyMap(new String[0], new StoredFamily[0]);

    private final String[] names;
    private final StoredFamily[] families;
    private final int[] hashes;
    private final long seriesCount;
    private final long heapBytes;

    private FamilyMap(String[] names, StoredFamily[] families) {
        this(names, families, names.length <= SCANNED ? hashesOf(names) : null);
    }

    private FamilyMap(String[] names, StoredFamily[] families, int[] hashes) {
        this.names = names;
        this.families = families;
        long series = 0;
        long bytes = 0;
        for (StoredFamily family : families) {
            series += family.seriesCount();
            bytes += family.heapBytes();
        }
        this.seriesCount = series;
        this.heapBytes = bytes;
        this.hashes = hashes;
    }

    private static int[] hashesOf(String[] names) {
        int[] hashes = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            hashes[i] = names[i].hashCode();
        }
        return hashes;
    }

    /**
     * These names with {@code written} in place of the families of the same names, sharing this map's arrays of
     * names and hashes: what a device writing the families it wrote before makes, without a map to fill and sort.
     * With {@code keepOthers} (a POST) the families {@code written} does not name stay; without (a PUT)
     * {@code written} must name every one. Null when {@code written} has a name this map lacks, or, without
     * {@code keepOthers}, lacks one it has.
     */
    FamilyMap replacing(List<StoredFamily> written, boolean keepOthers) {
        if (!keepOthers && written.size() != names.length) {
            return null;
        }
        StoredFamily[] next = keepOthers ? families.clone() : new StoredFamily[names.length];
        for (int w = 0; w < written.size(); w++) {
            StoredFamily family = written.get(w);
            int i = indexOf(family.name());
            if (i < 0) {
                return null;
            }
            next[i] = family;
        }
        return new FamilyMap(names, next, hashes); // written names each at most once: a PUT's fill them all
    }

    /** The same mappings, in name order; {@code families} itself when it is one already. */
    static FamilyMap of(Map<String, StoredFamily> families) {
        if (families instanceof FamilyMap map) {
            return map;
        }
        if (families.isEmpty()) {
            return EMPTY;
        }
        @SuppressWarnings("unchecked")
        Map.Entry<String, StoredFamily>[] entries = families.entrySet().toArray(new Map.Entry[0]);
        Arrays.sort(entries, Map.Entry.comparingByKey());
        String[] names = new String[entries.length];
        StoredFamily[] values = new StoredFamily[entries.length];
        for (int i = 0; i < entries.length; i++) {
            names[i] = entries[i].getKey();
            values[i] = entries[i].getValue();
        }
        return new FamilyMap(names, values);
    }

    /** Series in all the families, summed once when the map is built. */
    long seriesCount() {
        return seriesCount;
    }

    /** The heap all the families take ({@link StoredFamily#heapBytes}), summed once when the map is built. */
    long heapBytes() {
        return heapBytes;
    }

    private int indexOf(Object key) {
        if (!(key instanceof String name)) {
            return -1;
        }
        if (hashes != null) {
            int hash = name.hashCode();
            for (int i = 0; i < hashes.length; i++) {
                if (hashes[i] == hash && names[i].equals(name)) {
                    return i;
                }
            }
            return -1;
        }
        int found = Arrays.binarySearch(names, name);
        return found >= 0 ? found : -1;
    }

    /** The {@code i}th name in name order. */
    String nameAt(int i) {
        return names[i];
    }

    /** The family of {@link #nameAt}{@code (i)}. */
    StoredFamily familyAt(int i) {
        return families[i];
    }

    @Override
    public StoredFamily get(Object key) {
        int i = indexOf(key);
        return i < 0 ? null : families[i];
    }

    @Override
    public boolean containsKey(Object key) {
        return indexOf(key) >= 0;
    }

    @Override
    public int size() {
        return names.length;
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super StoredFamily> action) {
        for (int i = 0; i < names.length; i++) {
            action.accept(names[i], families[i]);
        }
    }

    @Override
    public Collection<StoredFamily> values() {
        return Collections.unmodifiableList(Arrays.asList(families));
    }

    @Override
    public Set<Entry<String, StoredFamily>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, StoredFamily>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < names.length;
                    }

                    @Override
                    public Entry<String, StoredFamily> next() {
                        if (next >= names.length) {
                            throw new NoSuchElementException();
                        }
                        Entry<String, StoredFamily> entry = new SimpleImmutableEntry<>(names[next], families[next]);
                        next++;
                        return entry;
                    }
                };
            }

            @Override
            public int size() {
                return names.length;
            }
        };
    }
}
