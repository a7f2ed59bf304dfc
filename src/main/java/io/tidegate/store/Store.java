package io.tidegate.store;

import io.tidegate.key.GroupingKey;
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
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The single source of truth: every group Tidegate holds. Every ingest path changes it through
 * {@link #write}, one write at a time, so a DELETE followed by a PUT is applied in that order.
 * Work that depends only on the write itself (labels, encoding for scrapes) happens before the
 * lock is taken; under the lock a write costs lookups proportional to its own size, never to the
 * size of the store. Readers take no lock at all: groups are immutable and replaced whole in a
 * concurrent sorted map, so a scrape sees each group either before or after a write, never half
 * of one, and never makes a push wait however large the store is.
 */
public final class Store implements GroupWriter {
    private final Clock clock;
    private final boolean checkConsistency;
    private final Function<String, MetricType> ownFamilyTypes;
    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentSkipListMap<GroupingKey, Group> groups = new ConcurrentSkipListMap<>();
    // the same groups by hash, for writers: a lookup in the sorted map costs a cache miss per level
    private final Map<GroupingKey, Group> groupsByKey = new HashMap<>();
    private final Map<String, FamilySlot> families = new HashMap<>();
    private final KeyShapes shapes = new KeyShapes();
    private final TreeSet<Expiry> expiries = new TreeSet<>();
    private final Map<GroupingKey, Expiry> scheduled = new HashMap<>();
    private final long tombstoneMillis;
    private long expirySequence;
    private WriteLog writeLog = WriteLog.NONE;
    // written under the lock, read without it
    private volatile int groupCount;
    private volatile long seriesCount;
    private volatile long expiredGroups;
    private volatile long expiredFamilies;

    /**
     * @param ownFamilyTypes the type of Tidegate's own metric family of a name, or null; a push
     *     may add series to one of those only with the same type
     * @param tombstoneMillis how long an expired group leaves its {@code push_expired_time_seconds}
     *     behind; 0 for not at all
     */
    private volatile WriteLimits limits = WriteLimits.DEFAULTS;

    public Store(Clock clock, boolean checkConsistency, Function<String, MetricType> ownFamilyTypes,
            long tombstoneMillis) {
        this.clock = clock;
        this.checkConsistency = checkConsistency;
        this.ownFamilyTypes = ownFamilyTypes;
        this.tombstoneMillis = tombstoneMillis;
    }

    public Store(Clock clock, boolean checkConsistency, Function<String, MetricType> ownFamilyTypes) {
        this(clock, checkConsistency, ownFamilyTypes, 0);
    }

    /** The bounds every write from now on must keep ({@link WriteLimits#DEFAULTS} until this is called). */
    public void limitTo(WriteLimits limits) {
        this.limits = limits;
    }

    /**
     * When a group next has something expire: the sweep's schedule, ordered by time, then by when
     * it was scheduled (cheap to compare when a hundred thousand share one deadline).
     */
    private record Expiry(long atMillis, long sequence, Group group) implements Comparable<Expiry> {
        @Override
        public int compareTo(Expiry other) {
            int byTime = Long.compare(atMillis, other.atMillis);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    @Override
    public WriteOutcome write(WriteRequest request) {
        return write(request, null);
    }

    /**
     * Applies {@code request}; when it applied, runs {@code onApplied} under the writer lock, so
     * whatever that records reaches the {@link WriteLog} in order with the write and is made durable
     * with it (the MQTT ingest's retained-message memory). Returns once the change is durable.
     */
    public WriteOutcome write(WriteRequest request, Runnable onApplied) {
        return write(request, onApplied, null);
    }

    /**
     * As {@link #write(WriteRequest, Runnable)}, but returns as soon as the write is applied and runs
     * {@code whenDurable} once it is on disk (at once without persistence; never after a disk
     * failure), so the MQTT ingest acknowledges a message when it is durable without waiting for it.
     * Null waits instead.
     */
    public WriteOutcome write(WriteRequest request, Runnable onApplied, Runnable whenDurable) {
        long now = clock.millis();
        GroupingKey key = request.key();
        WriteLog log;
        long position;
        WriteOutcome outcome;
        if (request.verb() == Verb.DELETE) {
            lock.lock();
            try {
                if (removeGroup(key)) {
                    writeLog.deleted(key);
                }
                if (onApplied != null) {
                    onApplied.run();
                }
                log = writeLog;
                position = log.position();
            } finally {
                lock.unlock();
            }
            finish(log, position, whenDurable);
            return WriteOutcome.applied();
        }
        WriteLimits.Violation overLimit = limits.check(request);
        if (overLimit != null) {
            return refusedOverLimit(overLimit, whenDurable);
        }
        List<StoredFamily> prepared = new ArrayList<>(request.families().size());
        String problem = prepare(request, now, prepared);
        lock.lock();
        try {
            Group current = groupsByKey.get(key);
            overLimit = current == null ? limits.checkNewGroup(groupCount) : null;
            if (overLimit != null) {
                outcome = WriteOutcome.overLimit(overLimit);
            } else {
                if (problem == null) {
                    problem = problemWithStored(request, current, prepared, now);
                }
                if (problem != null) {
                    recordFailure(key, current, request, now);
                    outcome = WriteOutcome.rejected(problem);
                } else {
                    commit(request, current, prepared, now);
                    if (onApplied != null) {
                        onApplied.run();
                    }
                    outcome = WriteOutcome.applied();
                }
            }
            log = writeLog;
            position = log.position();
        } finally {
            lock.unlock();
        }
        if (overLimit != null) {
            return refusedOverLimit(overLimit, whenDurable);
        }
        finish(log, position, whenDurable);
        return outcome;
    }

    /** A write over a bound stored nothing, so there is nothing to wait for: {@code whenDurable} runs at once. */
    private static WriteOutcome refusedOverLimit(WriteLimits.Violation violation, Runnable whenDurable) {
        if (whenDurable != null) {
            whenDurable.run();
        }
        return WriteOutcome.overLimit(violation);
    }

    /**
     * Whether {@code request} would be applied now, without applying it: the same checks as
     * {@link #write}, against what the store holds at this moment. A write that would be refused
     * records its failure time, as a refused write does; one that would apply changes nothing. For a
     * write that is applied elsewhere first (replicated through the MQTT broker), so that what this
     * instance can already tell is refused before it leaves.
     */
    public WriteOutcome check(WriteRequest request) {
        if (request.verb() == Verb.DELETE) {
            return WriteOutcome.applied();
        }
        WriteLimits.Violation overLimit = limits.check(request);
        if (overLimit != null) {
            return WriteOutcome.overLimit(overLimit);
        }
        long now = clock.millis();
        List<StoredFamily> prepared = new ArrayList<>(request.families().size());
        String problem = prepare(request, now, prepared);
        WriteLog log;
        long position;
        lock.lock();
        try {
            Group current = groupsByKey.get(request.key());
            overLimit = current == null ? limits.checkNewGroup(groupCount) : null;
            if (overLimit != null) {
                return WriteOutcome.overLimit(overLimit);
            }
            if (problem == null) {
                problem = problemWithStored(request, current, prepared, now);
            }
            if (problem == null) {
                return WriteOutcome.applied();
            }
            recordFailure(request.key(), current, request, now);
            log = writeLog;
            position = log.position();
        } finally {
            lock.unlock();
        }
        log.awaitDurable(position);
        return WriteOutcome.rejected(problem);
    }

    /** Fills {@code prepared} with the families as the group will hold them; returns what makes the write invalid, or null. */
    private static String prepare(WriteRequest request, long now, List<StoredFamily> prepared) {
        String problem = SeriesRules.timestampsPresent(request.families().values());
        if (problem != null) {
            return problem;
        }
        long writtenAt = request.timeGiven(now);
        for (MetricFamily pushed : request.families().values()) {
            if (PushTimes.isOwnGauge(pushed.name())) {
                continue; // the group's own gauges replace these, as upstream does
            }
            long ttl = request.ttls().forFamily(pushed.name());
            prepared.add(new StoredFamily(GroupingLabels.apply(pushed, request.key()), writtenAt,
                    Ttls.deadline(writtenAt, ttl), ttl));
        }
        return null;
    }

    private String problemWithStored(WriteRequest request, Group current, List<StoredFamily> prepared, long now) {
        String problem = pushedFailureTimeConflict(request, current, now);
        return problem != null ? problem : conflictWithStored(request.key(), current, prepared, now);
    }

    private static void finish(WriteLog log, long position, Runnable whenDurable) {
        if (whenDurable == null) {
            log.awaitDurable(position);
        } else {
            log.whenDurable(position, whenDurable);
        }
    }

    /** Removes every group. */
    public void wipe() {
        WriteLog log;
        long position;
        lock.lock();
        try {
            for (GroupingKey key : new ArrayList<>(groups.keySet())) {
                removeGroup(key);
            }
            writeLog.wiped();
            log = writeLog;
            position = log.position();
        } finally {
            lock.unlock();
        }
        log.awaitDurable(position);
    }

    /** From now on, reports every change a write makes to {@code log}. */
    public void journalTo(WriteLog log) {
        lock.lock();
        try {
            writeLog = log;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Puts back a group as it was kept on disk, checks and times as they were. Families whose
     * deadline passed meanwhile expire at once, as the sweep would have expired them, so a restart
     * never serves them again (a tombstone appears if it is still due).
     */
    public void restore(Group group) {
        long now = clock.millis();
        lock.lock();
        try {
            replaceGroup(groupsByKey.get(group.key()), group);
            if (group.nextExpiryMillis() <= now) {
                expire(group, now);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Every group held, tombstones and families past their deadline included, as one consistent
     * cut: {@code atCut} runs under the writer lock, between two writes, just before the copy.
     */
    public List<Group> cut(Runnable atCut) {
        lock.lock();
        try {
            atCut.run();
            return new ArrayList<>(groups.values());
        } finally {
            lock.unlock();
        }
    }

    /** The live groups as they are now (no family past its deadline), in grouping-key order. */
    public List<Group> groups() {
        long now = clock.millis();
        List<Group> live = new ArrayList<>();
        for (Group group : groups.values()) {
            if (group.isLiveAt(now)) {
                live.add(group.liveAt(now));
            }
        }
        return live;
    }

    /** Groups held, tombstones included. */
    public int groupCount() {
        return groupCount;
    }

    /** Whether a group (or its tombstone) is held under {@code key}; without the lock, so as of a moment ago. */
    public boolean holds(GroupingKey key) {
        return groups.containsKey(key);
    }

    public long seriesCount() {
        return seriesCount;
    }

    /**
     * Writes a whole scrape: every family once, in name order, its series from all groups together
     * (groups in grouping-key order), with Tidegate's own families ({@code own}) merged in by name
     * (their help and type win). It copies the parts encoded when each family was written.
     */
    public void scrape(WireFormat wireFormat, List<MetricFamily> own, OutputStream out) throws IOException {
        long now = clock.millis();
        Map<String, ScrapedFamily> byName = new HashMap<>();
        for (Group group : groups.values()) {
            if (group.deadlineMillis() <= now) {
                continue; // all of it expired: the sweep has not freed it yet
            }
            for (StoredFamily family : group.families().values()) {
                if (!family.isLiveAt(now)) {
                    continue;
                }
                MetricFamily data = family.family();
                ScrapedFamily scraped = byName.computeIfAbsent(family.name(),
                        name -> new ScrapedFamily(name, data.type(), new ArrayList<>()));
                // a family whose only holder changed its type while this scrape ran: leave it for the next
                if (scraped.type == data.type()) {
                    scraped.adopt(data.help());
                    scraped.parts.add(family.rendered(wireFormat));
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

    /** One family of a scrape being gathered: the first non-empty help seen names it, as at push time. */
    private static final class ScrapedFamily {
        final String name;
        final MetricType type;
        final List<byte[]> parts;
        String help;

        ScrapedFamily(String name, MetricType type, List<byte[]> parts) {
            this.name = name;
            this.type = type;
            this.parts = parts;
        }

        void adopt(String candidateHelp) {
            if (help == null || (help.isEmpty() && candidateHelp != null)) {
                help = candidateHelp;
            }
        }
    }

    private String conflictWithStored(GroupingKey key, Group current, List<StoredFamily> prepared, long now) {
        for (StoredFamily storedFamily : prepared) {
            MetricFamily family = storedFamily.family();
            MetricType ownType = ownFamilyTypes.apply(family.name());
            if (ownType != null && ownType != family.type()) {
                return "gathered metric family " + family.name() + " has type " + family.type() + " but should have "
                        + ownType;
            }
            FamilySlot slot = families.get(family.name());
            StoredFamily own = current == null ? null : current.family(family.name());
            boolean heldByOthers = slot != null && slot.holdersOtherThan(own) > 0;
            String othersHelp = heldByOthers && checkConsistency ? slot.helpOfOthers(own) : null;
            boolean helpConflict = othersHelp != null && FamilySlot.hasHelp(family.help())
                    && !othersHelp.equals(family.help());
            if (heldByOthers && (slot.type() != family.type() || helpConflict)) {
                // the counts include families past their deadline that the sweep has not removed yet
                heldByOthers = liveHolderExists(family.name(), key, now);
            }
            // refused even when unchecked: a type conflict would corrupt every scrape
            if (heldByOthers && slot.type() != family.type()) {
                return describeFamily(family) + " is not a " + slot.type();
            }
            String invalid = SeriesRules.check(family);
            if (invalid != null) {
                return invalid;
            }
            if (heldByOthers && helpConflict) {
                return "metric family " + SeriesRules.quote(family.name()) + " has help "
                        + SeriesRules.quote(family.help()) + ", but other groups have help "
                        + SeriesRules.quote(othersHelp);
            }
            String duplicate = checkConsistency ? duplicateInOtherGroup(key, family, now) : null;
            if (duplicate != null) {
                return duplicate;
            }
        }
        if (checkConsistency && current == null) {
            MetricFamily pushTime = PushTimes.pushTime(key, 0, StoredFamily.NEVER).family();
            return duplicateInOtherGroup(key, pushTime, now);
        }
        return null;
    }

    /**
     * Upstream keeps a pushed {@code push_failure_time_seconds} when the group already has one, so
     * one of another type clashes with the gauge; everywhere else the group's own gauge replaces it.
     */
    private static String pushedFailureTimeConflict(WriteRequest request, Group current, long now) {
        MetricFamily pushed = request.families().get(PushTimes.PUSH_FAILURE_TIME);
        if (pushed == null || pushed.type() == MetricType.GAUGE || pushed.metrics().isEmpty()
                || liveOrNull(current, now) == null) {
            return null;
        }
        return SeriesRules.describe(pushed.name(), pushed.metrics().get(0)) + " is not a GAUGE";
    }

    /** Whether a group other than {@code key} holds {@code name} live: a scan, for the rare conflict path only. */
    private boolean liveHolderExists(String name, GroupingKey key, long now) {
        for (Group group : groups.values()) {
            StoredFamily family = group.family(name);
            if (family != null && family.isLiveAt(now) && !group.key().equals(key)) {
                return true;
            }
        }
        return false;
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
                Group other = groupsByKey.get(candidate);
                StoredFamily theirs = other == null ? null : other.family(family.name());
                if (theirs != null && theirs.isLiveAt(now) && theirs.containsSeries(metric.labels())) {
                    return SeriesRules.describe(family.name(), metric)
                            + " was collected before with the same name and label values (in group " + candidate + ")";
                }
            }
        }
        return null;
    }

    private void commit(WriteRequest request, Group current, List<StoredFamily> prepared, long now) {
        GroupingKey key = request.key();
        Group old = liveOrNull(current, now);
        Map<String, StoredFamily> next = new HashMap<>();
        if (old != null && request.verb() == Verb.POST) {
            old.families().forEach((name, family) -> {
                if (!PushTimes.isOwnGauge(name)) {
                    next.put(name, family);
                }
            });
        }
        for (StoredFamily family : prepared) {
            next.put(family.name(), family);
        }
        long writtenAt = request.timeGiven(now);
        long deadline = groupDeadline(next, writtenAt, request.ttls().pushMillis());
        next.put(PushTimes.PUSH_TIME, PushTimes.pushTime(key, writtenAt, deadline));
        long failedAt = PushTimes.millisOf(old == null ? null : old.family(PushTimes.PUSH_FAILURE_TIME));
        next.put(PushTimes.PUSH_FAILURE_TIME, PushTimes.pushFailureTime(key, failedAt, deadline));
        if (deadline != StoredFamily.NEVER) {
            next.put(PushTimes.EXPIRY_TIME, PushTimes.expiryTime(key, writtenAt, deadline));
        }
        Group written = new Group(key, next, request.source(), deadline, false);
        replaceGroup(current, written);
        writeLog.written(written);
    }

    private void recordFailure(GroupingKey key, Group current, WriteRequest request, long now) {
        Group old = liveOrNull(current, now);
        Map<String, StoredFamily> next = new HashMap<>();
        long deadline;
        Source source;
        if (old != null) {
            next.putAll(old.families());
            deadline = old.deadlineMillis();
            source = old.source();
        } else {
            deadline = Ttls.deadline(now, request.ttls().pushMillis());
            source = request.source();
            next.put(PushTimes.PUSH_TIME, PushTimes.pushTime(key, 0, deadline));
            if (deadline != StoredFamily.NEVER) {
                next.put(PushTimes.EXPIRY_TIME, PushTimes.expiryTime(key, now, deadline));
            }
        }
        next.put(PushTimes.PUSH_FAILURE_TIME, PushTimes.pushFailureTime(key, now, deadline));
        Group written = new Group(key, next, source, deadline, false);
        replaceGroup(current, written);
        writeLog.written(written);
    }

    /** The latest deadline among the group's own families; with none, the push's TTL decides. */
    private static long groupDeadline(Map<String, StoredFamily> families, long now, long pushTtlMillis) {
        if (families.isEmpty()) {
            return Ttls.deadline(now, pushTtlMillis);
        }
        long latest = 0;
        for (StoredFamily family : families.values()) {
            latest = Math.max(latest, family.deadlineMillis());
        }
        return latest;
    }

    /** A group a write may build on: not a tombstone, not expired (even if the sweep is late). */
    private static Group liveOrNull(Group group, long now) {
        return group != null && group.isLiveAt(now) ? group : null;
    }

    private void replaceGroup(Group old, Group next) {
        if (old != null) {
            unindex(old);
        } else {
            shapes.add(next.key());
            groupCount++;
        }
        long series = seriesCount;
        for (StoredFamily family : next.families().values()) {
            families.computeIfAbsent(family.name(), name -> new FamilySlot(name, family.family().type())).add(family);
            series += family.seriesCount();
        }
        seriesCount = series;
        long nextExpiry = next.nextExpiryMillis();
        if (nextExpiry != StoredFamily.NEVER) {
            Expiry expiry = new Expiry(nextExpiry, expirySequence++, next);
            expiries.add(expiry);
            scheduled.put(next.key(), expiry);
        }
        groupsByKey.put(next.key(), next);
        groups.put(next.key(), next); // last: readers see the group once it is fully indexed
    }

    /**
     * Removes what has expired by {@code now}: at most {@code maxGroups} groups' worth under one
     * hold of the lock, and fewer (at least one) when a write is waiting for it, so a push waits
     * for the expiry of one group, never for a batch, even during a mass expiry. Returns how many
     * groups it looked at; call again until that is 0.
     */
    public int expireDue(int maxGroups) {
        long now = clock.millis();
        int handled = 0;
        lock.lock();
        try {
            while (handled < maxGroups && !expiries.isEmpty() && expiries.first().atMillis() <= now) {
                Expiry due = expiries.pollFirst();
                scheduled.remove(due.group().key());
                expire(due.group(), now); // the group stored now: every replacement reschedules
                handled++;
                if (lock.hasQueuedThreads()) {
                    break;
                }
            }
        } finally {
            lock.unlock();
        }
        return handled;
    }

    /** When the sweep next has work, or {@link StoredFamily#NEVER}. */
    public long nextExpiryMillis() {
        lock.lock();
        try {
            return expiries.isEmpty() ? StoredFamily.NEVER : expiries.first().atMillis();
        } finally {
            lock.unlock();
        }
    }

    private void expire(Group group, long now) {
        if (group.tombstone()) {
            removeGroup(group.key());
            return;
        }
        if (group.deadlineMillis() <= now) {
            expiredGroups++;
            expiredFamilies += countOwnFamilies(group.families());
            removeGroup(group.key());
            if (tombstoneMillis > 0) {
                StoredFamily expiredTime = PushTimes.expiredTime(group.key(), group.deadlineMillis(),
                        group.deadlineMillis() + tombstoneMillis);
                replaceGroup(null, new Group(group.key(), Map.of(PushTimes.EXPIRED_TIME, expiredTime), group.source(),
                        expiredTime.deadlineMillis(), true));
            }
            return;
        }
        Map<String, StoredFamily> live = new HashMap<>();
        group.families().forEach((name, family) -> {
            if (family.isLiveAt(now)) {
                live.put(name, family);
            }
        });
        expiredFamilies += countOwnFamilies(group.families()) - countOwnFamilies(live);
        replaceGroup(group, new Group(group.key(), live, group.source(), group.deadlineMillis(), false));
    }

    private static int countOwnFamilies(Map<String, StoredFamily> families) {
        int count = 0;
        for (String name : families.keySet()) {
            if (!PushTimes.isOwnGauge(name)) {
                count++;
            }
        }
        return count;
    }

    public long expiredGroups() {
        return expiredGroups;
    }

    public long expiredFamilies() {
        return expiredFamilies;
    }

    /** Whether there was a group to remove. */
    private boolean removeGroup(GroupingKey key) {
        if (groupsByKey.remove(key) == null) {
            return false;
        }
        Group old = groups.remove(key);
        if (old != null) {
            unindex(old);
            shapes.remove(key);
            groupCount--;
        }
        return true;
    }

    private void unindex(Group group) {
        Expiry expiry = scheduled.remove(group.key());
        if (expiry != null) {
            expiries.remove(expiry);
        }
        long series = seriesCount;
        for (StoredFamily family : group.families().values()) {
            FamilySlot slot = families.get(family.name());
            slot.remove(family);
            if (slot.isEmpty()) {
                families.remove(family.name());
            }
            series -= family.seriesCount();
        }
        seriesCount = series;
    }
}
