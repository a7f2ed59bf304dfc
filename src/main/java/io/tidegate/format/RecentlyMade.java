package io.tidegate.format;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Values made lately, by what they were made from, so that what many messages or renderings ask for again is made
 * once: at most a bound of them, all forgotten at once past it (what a reload or a new device leaves behind goes
 * with the rest; nothing is evicted one by one). Safe for any number of threads; two asking at once for a value not
 * made yet may both make it, so a value must be one that making twice gives equal.
 */
public final class RecentlyMade<K, V> {
    private final ConcurrentHashMap<K, V> made = new ConcurrentHashMap<>();
    private final int most;

    public RecentlyMade(int most) {
        this.most = most;
    }

    /** The value made from {@code key}, or null when none was lately. */
    public V get(K key) {
        return made.get(key);
    }

    /** Keeps {@code value} as made from {@code key}, forgetting all the others first when {@code most} are kept. */
    public void put(K key, V value) {
        if (made.size() >= most) {
            made.clear();
        }
        made.put(key, value);
    }

    /** The value made from {@code key}, made by {@code make} and kept when none was lately. */
    public V get(K key, Function<? super K, ? extends V> make) {
        V value = made.get(key);
        if (value == null) {
            value = make.apply(key);
            put(key, value);
        }
        return value;
    }

    /** How many are kept. */
    public int size() {
        return made.size();
    }
}
