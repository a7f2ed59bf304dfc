package io.tidegate.store;

import io.tidegate.format.MetricFamily;
import io.tidegate.format.NameEscaping;
import io.tidegate.format.MetricType;
import io.tidegate.format.WireFormat;
import io.tidegate.key.GroupingKey;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What readers read (scrapes, the JSON API, the web page): the store's groups as of one reading of
 * its clock, {@link #atMillis}, with the store's counts. Every family is live or expired by that one
 * instant however long the reading takes, so two parts of one answer never disagree about what has
 * expired, and a family past its deadline is hidden exactly from its deadline on, whether the sweep
 * has freed it yet or not.
 *
 * <p>Taking a snapshot copies nothing and takes no lock: it reads the store's concurrent sorted map
 * of immutable groups, so a reader never makes a push wait and a scrape of a hundred thousand groups
 * costs no copy of them. Each group is seen whole, before or after any write, never half of one; a
 * write applied while a reader walks the groups may or may not show in that walk.
 */
public final class StoreSnapshot {
    private final Collection<Group> held;
    private final long atMillis;
    private final int groupCount;
    private final long seriesCount;
    private final long expiredGroups;
    private final long expiredFamilies;
    private final List<OfflineGroup> recentExpiries;
    private final Function<GroupingKey, Group> heldUnder;
    private final boolean keepsTombstones;

    /**
     * @param held the store's groups in grouping-key order, tombstones and families past their deadline included
     * @param recentExpiries the last groups that expired without leaving a tombstone, newest first
     * @param heldUnder the group held under a key now, or null
     * @param keepsTombstones whether an expired group leaves a tombstone ({@code --ttl.tombstone})
     */
    StoreSnapshot(Collection<Group> held, long atMillis, int groupCount, long seriesCount, long expiredGroups,
            long expiredFamilies, List<OfflineGroup> recentExpiries, Function<GroupingKey, Group> heldUnder,
            boolean keepsTombstones) {
        this.keepsTombstones = keepsTombstones;
        this.recentExpiries = recentExpiries;
        this.heldUnder = heldUnder;
        this.held = held;
        this.atMillis = atMillis;
        this.groupCount = groupCount;
        this.seriesCount = seriesCount;
        this.expiredGroups = expiredGroups;
        this.expiredFamilies = expiredFamilies;
    }

    /** The instant the snapshot reads the store at: what expired by then is not in it. */
    public long atMillis() {
        return atMillis;
    }

    /** The live groups (no tombstones, no family past its deadline), in grouping-key order. */
    public List<Group> groups() {
        List<Group> live = new ArrayList<>();
        for (Group group : held) {
            if (group.isLiveAt(atMillis)) {
                live.add(group.liveAt(atMillis));
            }
        }
        return live;
    }

    /**
     * The groups that went offline, latest deadline first: with {@code --ttl.tombstone}, every
     * tombstone held; without, the last {@value RecentExpiries#CAPACITY} groups that expired. Either
     * way also a group past its deadline that the sweep has not expired yet, and never a key pushed
     * again since (it is back).
     */
    public List<OfflineGroup> offline() {
        List<OfflineGroup> offline = new ArrayList<>();
        for (Group group : held) {
            if (group.tombstone()) {
                if (group.deadlineMillis() > atMillis) {
                    long expiredAt = group.expiredTimeMillis();
                    offline.add(new OfflineGroup(group.key(), group.source(), group.pushTimeMillis(),
                            expiredAt == Group.ABSENT ? group.deadlineMillis() : expiredAt, group.deadlineMillis()));
                }
            } else if (group.deadlineMillis() <= atMillis) {
                offline.add(new OfflineGroup(group.key(), group.source(), group.pushTimeMillis(), group.deadlineMillis(),
                        StoredFamily.NEVER));
            }
        }
        for (OfflineGroup expired : recentExpiries) {
            if (heldUnder.apply(expired.key()) == null) {
                offline.add(expired);
            }
        }
        offline.sort(Comparator.comparingLong(OfflineGroup::deadlineMillis).reversed()
                .thenComparing(OfflineGroup::key));
        return offline;
    }

    /** Whether an expired group leaves a tombstone ({@code --ttl.tombstone}), which {@link #offline} then lists. */
    public boolean keepsTombstones() {
        return keepsTombstones;
    }

    /** Groups held, tombstones included. */
    public int groupCount() {
        return groupCount;
    }

    /** Series held, each group's push time gauges included. */
    public long seriesCount() {
        return seriesCount;
    }

    /** Groups removed so far because all their families passed their deadlines. */
    public long expiredGroups() {
        return expiredGroups;
    }

    /** Pushed families removed so far because they passed their deadlines. */
    public long expiredFamilies() {
        return expiredFamilies;
    }

    /**
     * Writes a whole scrape: every family once, in name order, its series from all groups together
     * (groups in grouping-key order), with Tidegate's own families ({@code own}) merged in by name
     * (their help and type win). It copies the parts encoded when each family was written.
     */
    public void scrape(WireFormat wireFormat, List<MetricFamily> own, OutputStream out) throws IOException {
        scrape(wireFormat, NameEscaping.DEFAULT, own, out);
    }

    /**
     * {@link #scrape(WireFormat, List, OutputStream)} with names that are not legacy-valid written as
     * {@code escaping} says (expfmt escapes each family as it encodes it: families are gathered and ordered by
     * their names as stored, and written under their escaped names). Tidegate's own families are all legacy.
     */
    public void scrape(WireFormat wireFormat, NameEscaping escaping, List<MetricFamily> own, OutputStream out)
            throws IOException {
        Map<String, ScrapedFamily> byName = new HashMap<>();
        for (Group group : held) {
            if (group.deadlineMillis() <= atMillis) {
                continue; // all of it expired: the sweep has not freed it yet
            }
            for (StoredFamily family : group.pushedFamilies().values()) {
                if (family.isLiveAt(atMillis)) {
                    add(byName, family, wireFormat, escaping);
                }
            }
            for (StoredFamily gauge : group.ownGauges()) {
                // a tombstone shows only when it expired; its last push time is for the Offline view
                if (!group.tombstone() || gauge.name().equals(PushTimes.EXPIRED_TIME)) {
                    add(byName, gauge, wireFormat, escaping);
                }
            }
        }
        List<ScrapedFamily> stored = new ArrayList<>(byName.values());
        stored.sort((a, b) -> a.name.compareTo(b.name));
        var format = wireFormat.format();
        List<MetricFamily> ownSorted = new ArrayList<>(own);
        ownSorted.sort((a, b) -> a.name().compareTo(b.name()));
        int storedIndex = 0;
        int ownIndex = 0;
        while (storedIndex < stored.size() || ownIndex < ownSorted.size()) {
            ScrapedFamily next = storedIndex < stored.size() ? stored.get(storedIndex) : null;
            MetricFamily mine = ownIndex < ownSorted.size() ? ownSorted.get(ownIndex) : null;
            int order = next == null ? 1 : mine == null ? -1 : next.name.compareTo(mine.name());
            if (order < 0) {
                format.writeFamily(next.writtenName, next.help, next.type, next.parts, out);
                storedIndex++;
                continue;
            }
            List<byte[]> parts = new ArrayList<>();
            parts.add(format.renderSeries(mine));
            if (order == 0) {
                parts.addAll(next.parts);
                storedIndex++;
            }
            format.writeFamily(mine.name(), mine.help(), mine.type(), parts, out);
            ownIndex++;
        }
        format.writeEnd(out);
    }

    private static void add(Map<String, ScrapedFamily> byName, StoredFamily family, WireFormat wireFormat,
            NameEscaping escaping) {
        MetricFamily data = family.family();
        ScrapedFamily scraped = byName.computeIfAbsent(family.name(),
                name -> new ScrapedFamily(name, family.writtenName(escaping), data.type(), new ArrayList<>()));
        // a family whose only holder changed its type while this scrape ran: leave it for the next
        if (scraped.type == data.type()) {
            scraped.adopt(data.help());
            scraped.parts.add(family.rendered(wireFormat, escaping));
        }
    }

    /**
     * One family of a scrape being gathered. Groups may push it with different help texts; it is served
     * with the first non-empty one in grouping-key order, the same on every scrape and every replica.
     * Upstream takes them all too and serves one group's help, whichever its map iteration reaches first
     * (storage/diskmetricstore.go, GetMetricFamilies; its TestHelpStringFix accepts either text).
     */
    private static final class ScrapedFamily {
        final String name;
        final String writtenName; // the name escaped as the scrape asks
        final MetricType type;
        final List<byte[]> parts;
        String help;

        ScrapedFamily(String name, String writtenName, MetricType type, List<byte[]> parts) {
            this.name = name;
            this.writtenName = writtenName;
            this.type = type;
            this.parts = parts;
        }

        void adopt(String candidateHelp) {
            if (help == null || (help.isEmpty() && candidateHelp != null)) {
                help = candidateHelp;
            }
        }
    }
}
