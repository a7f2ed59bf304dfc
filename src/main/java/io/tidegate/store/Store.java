package io.tidegate.store;

import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import io.tidegate.format.WireFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * The single source of truth: every group Tidegate holds. Every ingest path changes it through
 * {@link #write}, one write at a time, so a DELETE followed by a PUT is applied in that order and
 * no reader sees half a write. Work that depends only on the write itself (labels, validation,
 * encoding for scrapes) happens before the lock is taken; under the lock a write costs lookups
 * proportional to its own size, never to the size of the store.
 */
public final class Store {
    private final Clock clock;
    private final boolean checkConsistency;
    private final Function<String, MetricType> ownFamilyTypes;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<GroupingKey, Group> groups = new HashMap<>();
    private final TreeMap<String, FamilySlot> families = new TreeMap<>();
    private final KeyShapes shapes = new KeyShapes();
    private long seriesCount;

    /**
     * @param ownFamilyTypes the type of Tidegate's own metric family of a name, or null; a push
     *     may add series to one of those only with the same type
     */
    public Store(Clock clock, boolean checkConsistency, Function<String, MetricType> ownFamilyTypes) {
        this.clock = clock;
        this.checkConsistency = checkConsistency;
        this.ownFamilyTypes = ownFamilyTypes;
    }

    public WriteOutcome write(WriteRequest request) {
        long now = clock.millis();
        GroupingKey key = request.key();
        if (request.verb() == Verb.DELETE) {
            lock.writeLock().lock();
            try {
                removeGroup(key);
            } finally {
                lock.writeLock().unlock();
            }
            return WriteOutcome.applied();
        }
        List<StoredFamily> prepared = new ArrayList<>(request.families().size());
        String problem = SeriesRules.timestampsPresent(request.families().values());
        if (problem == null) {
            for (MetricFamily pushed : request.families().values()) {
                if (PushTimes.isPushTime(pushed.name())) {
                    continue; // replaced by the group's own push time gauges, as upstream does
                }
                MetricFamily family = GroupingLabels.apply(pushed, key);
                problem = SeriesRules.check(family);
                if (problem != null) {
                    break;
                }
                prepared.add(new StoredFamily(family, now, StoredFamily.NEVER));
            }
        }
        lock.writeLock().lock();
        try {
            if (problem == null) {
                problem = conflictWithStored(key, prepared, now);
            }
            if (problem != null) {
                recordFailure(key, request.source(), now);
                return WriteOutcome.rejected(problem);
            }
            commit(request, prepared, now);
            return WriteOutcome.applied();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Removes every group. */
    public void wipe() {
        lock.writeLock().lock();
        try {
            for (GroupingKey key : new ArrayList<>(groups.keySet())) {
                removeGroup(key);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The live groups, in grouping-key order. */
    public List<Group> groups() {
        lock.readLock().lock();
        try {
            List<Group> live = new ArrayList<>(groups.values());
            live.sort((a, b) -> a.key().compareTo(b.key()));
            return live;
        } finally {
            lock.readLock().unlock();
        }
    }

    public int groupCount() {
        lock.readLock().lock();
        try {
            return groups.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    public long seriesCount() {
        lock.readLock().lock();
        try {
            return seriesCount;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Writes a whole scrape: every family once, in name order, its series from all groups together,
     * with Tidegate's own families ({@code own}) merged in by name (their help and type win).
     * The lock is held only while the encoded parts are collected, not while they are written.
     */
    public void scrape(WireFormat wireFormat, List<MetricFamily> own, OutputStream out) throws IOException {
        List<ScrapedFamily> stored = new ArrayList<>();
        long now = clock.millis();
        lock.readLock().lock();
        try {
            for (FamilySlot slot : families.values()) {
                List<byte[]> parts = new ArrayList<>(slot.byGroup.size());
                for (StoredFamily family : slot.byGroup.values()) {
                    if (family.isLiveAt(now)) {
                        parts.add(family.rendered(wireFormat));
                    }
                }
                if (!parts.isEmpty()) {
                    stored.add(new ScrapedFamily(slot.name, slot.help(), slot.type, parts));
                }
            }
        } finally {
            lock.readLock().unlock();
        }
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
                format.writeFamily(next.name, next.help, next.type, next.parts, out);
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

    private record ScrapedFamily(String name, String help, MetricType type, List<byte[]> parts) {}

    private String conflictWithStored(GroupingKey key, List<StoredFamily> prepared, long now) {
        for (StoredFamily storedFamily : prepared) {
            MetricFamily family = storedFamily.family();
            MetricType ownType = ownFamilyTypes.apply(family.name());
            if (ownType != null && ownType != family.type()) {
                return "metric family " + SeriesRules.quote(family.name()) + " is a " + family.type()
                        + ", but Tidegate's own " + SeriesRules.quote(family.name()) + " is a " + ownType;
            }
            FamilySlot slot = families.get(family.name());
            if (slot != null && slot.heldByOthers(key)) {
                // refused even when unchecked: a type conflict would corrupt every scrape
                if (slot.type != family.type()) {
                    return describeFamily(family) + " is a " + family.type()
                            + ", but other groups hold " + SeriesRules.quote(family.name()) + " as a " + slot.type;
                }
                if (!checkConsistency) {
                    continue;
                }
                String othersHelp = slot.helpOfOthers(key);
                if (othersHelp != null && FamilySlot.hasHelp(family.help()) && !othersHelp.equals(family.help())) {
                    return "metric family " + SeriesRules.quote(family.name()) + " has help "
                            + SeriesRules.quote(family.help()) + ", but other groups have help "
                            + SeriesRules.quote(othersHelp);
                }
            }
            String duplicate = checkConsistency ? duplicateInOtherGroup(key, family, now) : null;
            if (duplicate != null) {
                return duplicate;
            }
        }
        if (checkConsistency && !groups.containsKey(key)) {
            MetricFamily pushTime = PushTimes.pushTime(key, 0).family();
            return duplicateInOtherGroup(key, pushTime, now);
        }
        return null;
    }

    private static String describeFamily(MetricFamily family) {
        return family.metrics().isEmpty()
                ? "metric family " + SeriesRules.quote(family.name())
                : SeriesRules.describe(family.name(), family.metrics().get(0));
    }

    private String duplicateInOtherGroup(GroupingKey key, MetricFamily family, long now) {
        List<String> ownShape = key.labelNames();
        for (List<String> shape : shapes.shapesOf(key.job())) {
            if (shape.equals(ownShape)) {
                continue; // every series carries the key's own values, so this shape names only our group
            }
            for (Metric metric : family.metrics()) {
                GroupingKey candidate = KeyShapes.project(metric.labels(), shape);
                if (candidate == null || candidate.equals(key)) {
                    continue;
                }
                Group other = groups.get(candidate);
                StoredFamily theirs = other == null ? null : other.family(family.name());
                if (theirs != null && theirs.isLiveAt(now) && theirs.containsSeries(metric.labels())) {
                    return SeriesRules.describe(family.name(), metric)
                            + " was collected before with the same name and label values (in group " + candidate + ")";
                }
            }
        }
        return null;
    }

    private void commit(WriteRequest request, List<StoredFamily> prepared, long now) {
        GroupingKey key = request.key();
        Group old = groups.get(key);
        Map<String, StoredFamily> next = new HashMap<>();
        if (old != null && request.verb() == Verb.POST) {
            next.putAll(old.families());
        }
        for (StoredFamily family : prepared) {
            next.put(family.name(), family);
        }
        next.put(PushTimes.PUSH_TIME, PushTimes.pushTime(key, now));
        StoredFamily failure = old == null ? null : old.family(PushTimes.PUSH_FAILURE_TIME);
        next.put(PushTimes.PUSH_FAILURE_TIME, failure != null ? failure : PushTimes.pushFailureTime(key, 0));
        replaceGroup(old, new Group(key, next, request.source()));
    }

    private void recordFailure(GroupingKey key, Source source, long now) {
        Group old = groups.get(key);
        Map<String, StoredFamily> next = new HashMap<>();
        if (old != null) {
            next.putAll(old.families());
        } else {
            next.put(PushTimes.PUSH_TIME, PushTimes.pushTime(key, 0));
        }
        next.put(PushTimes.PUSH_FAILURE_TIME, PushTimes.pushFailureTime(key, now));
        replaceGroup(old, new Group(key, next, old != null ? old.source() : source));
    }

    private void replaceGroup(Group old, Group next) {
        if (old != null) {
            unindex(old);
        } else {
            shapes.add(next.key());
        }
        groups.put(next.key(), next);
        for (StoredFamily family : next.families().values()) {
            FamilySlot slot = families.computeIfAbsent(family.name(), name -> new FamilySlot(name, family.family().type()));
            slot.put(next.key(), family);
            seriesCount += family.seriesCount();
        }
    }

    private void removeGroup(GroupingKey key) {
        Group old = groups.remove(key);
        if (old != null) {
            unindex(old);
            shapes.remove(key);
        }
    }

    private void unindex(Group group) {
        for (StoredFamily family : group.families().values()) {
            FamilySlot slot = families.get(family.name());
            slot.remove(group.key());
            if (slot.isEmpty()) {
                families.remove(family.name());
            }
            seriesCount -= family.seriesCount();
        }
    }
}
