package io.tidegate.store;

import io.tidegate.format.MetricType;
import java.util.HashMap;

/**
 * Every group's copy of one family name, with the type they share and the help text they agree
 * on. This index is what makes a push's consistency check cost the size of the push instead of
 * the size of the store; only writers use it.
 */
final class FamilySlot {
    final String name;
    final MetricType type;
    final HashMap<GroupingKey, StoredFamily> byGroup = new HashMap<>();
    private String help;
    private int groupsWithHelp;

    FamilySlot(String name, MetricType type) {
        this.name = name;
        this.type = type;
    }

    String help() {
        return help;
    }

    /** The help the other groups agree on, or null when they have none (or there are none). */
    String helpOfOthers(GroupingKey key) {
        StoredFamily own = byGroup.get(key);
        boolean ownHasHelp = own != null && hasHelp(own.family().help());
        return groupsWithHelp - (ownHasHelp ? 1 : 0) > 0 ? help : null;
    }

    /** Whether a group other than {@code key} holds this family live at {@code nowMillis}. */
    boolean heldByOthers(GroupingKey key, long nowMillis) {
        for (var entry : byGroup.entrySet()) {
            if (!entry.getKey().equals(key) && entry.getValue().isLiveAt(nowMillis)) {
                return true; // usually the first entry: expired ones are swept within a second
            }
        }
        return false;
    }

    void put(GroupingKey key, StoredFamily family) {
        remove(key);
        byGroup.put(key, family);
        if (hasHelp(family.family().help())) {
            help = family.family().help();
            groupsWithHelp++;
        }
    }

    void remove(GroupingKey key) {
        StoredFamily old = byGroup.remove(key);
        if (old != null && hasHelp(old.family().help()) && --groupsWithHelp == 0) {
            help = null;
        }
    }

    boolean isEmpty() {
        return byGroup.isEmpty();
    }

    static boolean hasHelp(String help) {
        return help != null && !help.isEmpty();
    }
}
