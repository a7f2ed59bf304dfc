package io.tidegate.store;

import io.tidegate.key.GroupingKey;
import io.tidegate.format.BodyLimits;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import io.tidegate.format.NameValidation;
import io.tidegate.format.Names;
import java.time.Clock;
import java.time.Instant;
import java.io.UncheckedIOException;
import java.util.AbstractCollection;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The single source of truth: every group Tidegate holds. Every change goes through one door,
 * {@link #apply}, as a {@link StoreCommand}: a client's write, the admin wipe, a group restored from
 * disk, a failure time, the sweep's expiry. Commands are applied one at a time, so a DELETE followed
 * by a PUT is applied in that order. Work that depends only on the write itself (labels, encoding
 * for scrapes) happens before the lock is taken; under the lock a write costs lookups proportional
 * to its own size, never to the size of the store. Readers take no lock at all: they read a
 * {@link #snapshot}, in which groups are immutable and replaced whole in a concurrent sorted map, so
 * a scrape sees each group either before or after a write, never half of one, and never makes a
 * push wait however large the store is.
 */
public final class Store implements GroupWriter {
    /** Where one key's group is held: written under the writer lock, read by anyone. */
    private static final class Slot {
        volatile Group group;

        Slot(Group group) {
            this.group = group;
        }
    }

    private final Clock clock;
    private final boolean checkConsistency;
    private final Function<String, MetricType> ownFamilyTypes;
    private final ReentrantLock lock = new ReentrantLock();
    // readers walk the sorted map; a write that replaces a group only swaps its slot's group, so the
    // sorted map (a cache miss per level) changes only when a key comes or goes
    private final ConcurrentSkipListMap<GroupingKey, Slot> groups = new ConcurrentSkipListMap<>();
    // the same slots by hash, for writers (under the lock) and for preparing a write (off it, see prepareFamilies)
    private final Map<GroupingKey, Slot> groupsByKey = new ConcurrentHashMap<>();
    private final Collection<Group> groupsView = new AbstractCollection<>() {
        @Override
        public Iterator<Group> iterator() {
            Iterator<Slot> slots = groups.values().iterator();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return slots.hasNext();
                }

                @Override
                public Group next() {
                    return slots.next().group;
                }
            };
        }

        @Override
        public int size() {
            return groups.size();
        }
    };
    private final Map<String, FamilySlot> families = new HashMap<>();
    private final KeyShapes shapes = new KeyShapes();
    private final ExpiryQueue expiries;
    private final long tombstoneMillis;
    private final RecentExpiries recentExpiries = new RecentExpiries(); // kept while tombstones are off
    private volatile WriteLog writeLog = WriteLog.NONE; // written under the lock; volatile for readiness checks
    /**
     * A change reported to the WriteLog, with what its key held before ({@code replaced}, null for
     * nothing; every group for a wipe, {@code wiped}), kept until the log is durable past
     * {@code position}, to be reverted if it never is.
     */
    private static final class Undo {
        final GroupingKey key;
        final Group replaced;
        final List<Group> wiped;
        long position; // set once the change is reported, under the writer lock

        Undo(GroupingKey key, Group replaced, List<Group> wiped) {
            this.key = key;
            this.replaced = replaced;
            this.wiped = wiped;
        }

        long position() {
            return position;
        }

        GroupingKey key() {
            return key;
        }

        Group replaced() {
            return replaced;
        }

        List<Group> wiped() {
            return wiped;
        }
    }

    // under the writer lock: the changes the log may yet abandon, oldest first; and those of the change
    // being applied, until its position is known
    private final ArrayDeque<Undo> notYetDurable = new ArrayDeque<>();
    private final List<Undo> beingReported = new ArrayList<>(2);
    private final WriteLimits limits;
    // written under the lock, read without it
    private volatile int groupCount;
    private volatile long seriesCount;
    private volatile long heapBytes; // as HeapEstimate counts it: what --store.max-bytes bounds
    private volatile long expiredGroups;
    private volatile long expiredFamilies;

    /**
     * @param ownFamilyTypes the type of Tidegate's own metric family of a name, or null; a push
     *     may add series to one of those only with the same type
     * @param tombstoneMillis how long an expired group leaves its {@code push_expired_time_seconds}
     *     behind; 0 for not at all
     * @param limits the bounds every write must keep
     * @param expiries the sweep's schedule, empty, which this store keeps from now on
     */
    public Store(Clock clock, boolean checkConsistency, Function<String, MetricType> ownFamilyTypes,
            long tombstoneMillis, WriteLimits limits, ExpiryQueue expiries) {
        this.clock = clock;
        this.checkConsistency = checkConsistency;
        this.ownFamilyTypes = ownFamilyTypes;
        this.tombstoneMillis = tombstoneMillis;
        this.limits = limits;
        this.expiries = expiries;
    }

    /** The bounds on one series' labels this store keeps, for the parsers to stop at as they read a body. */
    public BodyLimits bodyLimits() {
        return limits.body();
    }

    /** Within the {@link WriteLimits#DEFAULTS}. */
    public Store(Clock clock, boolean checkConsistency, Function<String, MetricType> ownFamilyTypes,
            long tombstoneMillis, ExpiryQueue expiries) {
        this(clock, checkConsistency, ownFamilyTypes, tombstoneMillis, WriteLimits.DEFAULTS, expiries);
    }

    /** Without tombstones, within the {@link WriteLimits#DEFAULTS}. */
    public Store(Clock clock, boolean checkConsistency, Function<String, MetricType> ownFamilyTypes,
            ExpiryQueue expiries) {
        this(clock, checkConsistency, ownFamilyTypes, 0, expiries);
    }

    /** The bounds every write must keep. */
    public WriteLimits limits() {
        return limits;
    }

    /**
     * The heap the groups held take, their renderings for scrapes included, as {@link HeapEstimate}
     * counts it: what {@code --store.max-bytes} bounds.
     */
    public long heapBytes() {
        return heapBytes;
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

    /** Applies {@code request} through {@link #apply} and returns once it is durable. */
    @Override
    public WriteOutcome write(WriteRequest request) {
        return apply(request, null, null);
    }

    /** Applies {@code command} and returns once what it changed is durable, with the store's answer. */
    public <R> R apply(StoreCommand<R> command) {
        return apply(command, null, null);
    }

    /**
     * The one door: applies {@code command} under the writer lock, in turn with every other change,
     * and answers as the command says ({@link WriteOutcome}, or how many groups {@link
     * StoreCommand.ExpireDue} looked at). What must outlive a restart (a write or its failure time, a
     * delete, a wipe) is reported to the {@link WriteLog} under the lock, in the order applied, and
     * waited for after the lock is released; a restore and the sweep's expiry report nothing, since
     * loading restores, and expires again, from what is on disk. While the log cannot make anything
     * durable ({@link WriteLog#failure}, a full disk) every such change is refused before it is applied
     * ({@link WriteOutcome#notDurable}); one the log loses is reverted ({@link StoreCommand.Revert}) and
     * answered so, never applied in memory alone.
     *
     * @param onApplied run under the writer lock once the command is applied (never for a refused
     *     write), so whatever it records reaches the WriteLog in order with the change and is made
     *     durable with it (the MQTT ingest's retained-message memory); null for nothing
     * @param whenDurable null to return once the change is durable; otherwise the store returns as
     *     soon as the change is applied and runs this once it is on disk, so the MQTT ingest
     *     acknowledges a message when it is durable without waiting for it. It runs at once without
     *     persistence and for what leaves nothing to keep on disk (a write over a bound, the sweep's
     *     expiry, which loading repeats from the same deadlines); never after a disk failure.
     */
    @SuppressWarnings("unchecked") // each command's record fixes R: Integer for ExpireDue, WriteOutcome for the rest
    public <R> R apply(StoreCommand<R> command, Runnable onApplied, Runnable whenDurable) {
        long now = clock.millis();
        Object answer;
        if (command instanceof Prepared write && write.verdict != null) {
            answer = push(write, onApplied, whenDurable);
        } else if (command instanceof Prepared write) {
            answer = apply(write.request, onApplied, whenDurable);
        } else if (command instanceof WriteRequest request) {
            answer = switch (request.verb()) {
                case PUT, POST -> push(prepare(request), onApplied, whenDurable);
                case DELETE -> underLock(() -> delete(request.key()), true, onApplied, whenDurable);
                case WIPE -> underLock(this::wipe, true, onApplied, whenDurable);
            };
        } else if (command instanceof StoreCommand.Restore restore) {
            answer = underLock(() -> restore(restore.group(), now), false, onApplied, whenDurable);
        } else if (command instanceof StoreCommand.Adopt adopt) {
            answer = adopt(adopt.group(), now, onApplied, whenDurable);
        } else if (command instanceof StoreCommand.Revert revert) {
            answer = revert(revert.abandon());
        } else {
            answer = expireDue(((StoreCommand.ExpireDue) command).maxGroups(), now, onApplied, whenDurable);
        }
        return (R) answer;
    }

    /**
     * A write read ahead of the writer lock by {@link #prepare}: for a writer that reads its next write
     * on one thread while the store applies the one before on another (the MQTT ingest). Applied
     * through {@link #apply} as the request itself would be, at the time it was prepared.
     */
    public static final class Prepared implements StoreCommand<WriteOutcome> {
        private final WriteRequest request;
        private final long preparedAt;
        private final List<StoredFamily> families;
        private final Verdict verdict; // null for a DELETE or WIPE: nothing to read ahead

        private Prepared(WriteRequest request, long preparedAt, List<StoredFamily> families, Verdict verdict) {
            this.request = request;
            this.preparedAt = preparedAt;
            this.families = families;
            this.verdict = verdict;
        }

        public WriteRequest request() {
            return request;
        }
    }

    /**
     * Does, without the lock, what a PUT or POST needs before it can be judged against the groups: its
     * bounds, its families with the grouping key applied, their deadlines from this instant of the store's
     * clock. Of what the store holds it reads only the key's group, for label lists to share (see
     * {@link #prepareFamilies}); nothing judged depends on it. Thread-safe; {@link #apply} the result to
     * write it.
     */
    public Prepared prepare(WriteRequest request) {
        long now = clock.millis();
        if (request.verb() == Verb.DELETE || request.verb() == Verb.WIPE) {
            return new Prepared(request, now, List.of(), null);
        }
        List<StoredFamily> prepared = new ArrayList<>(request.families().size());
        Verdict verdict = prepare(request, now, prepared);
        return new Prepared(request, now, prepared, verdict);
    }

    /** A PUT or POST, prepared: checked, then applied or refused (a refusal records the failure time, as upstream does). */
    private WriteOutcome push(Prepared write, Runnable onApplied, Runnable whenDurable) {
        WriteRequest request = write.request;
        long now = write.preparedAt;
        List<StoredFamily> prepared = write.families;
        Verdict verdict = write.verdict;
        WriteLog log = WriteLog.NONE;
        long position = 0;
        if (verdict.overLimit() == null) {
            lock.lock();
            try {
                String notDurable = writeLog.failure();
                if (notDurable != null) {
                    return WriteOutcome.notDurable(notDurable); // applied nothing, acknowledges nothing
                }
                Group current = held(request.key());
                verdict = judge(request, current, prepared, verdict.problem(), now);
                if (verdict.overLimit() == null) {
                    if (verdict.problem() == null) {
                        commit(current, verdict.written());
                        if (onApplied != null) {
                            onApplied.run();
                        }
                    } else {
                        recordFailure(request.key(), current, request, now);
                    }
                    log = writeLog;
                    position = reportedUpTo(log);
                }
            } finally {
                lock.unlock();
            }
        }
        if (verdict.overLimit() == null) {
            WriteOutcome lost = finish(log, position, whenDurable);
            if (lost != null) {
                return lost;
            }
        } else if (whenDurable != null) {
            whenDurable.run(); // a write over a bound stored nothing, so there is nothing to wait for
        }
        return verdict.outcome();
    }

    /**
     * Applies a change that cannot be refused (a delete, a wipe, a restore) under the
     * writer lock, then runs {@code onApplied}; returns once durable, as {@link #apply} says. A change
     * that must outlive a restart ({@code kept}: a delete, a wipe) is refused, changing nothing, while
     * the log cannot make anything durable.
     */
    private WriteOutcome underLock(Runnable change, boolean kept, Runnable onApplied, Runnable whenDurable) {
        WriteLog log;
        long position;
        lock.lock();
        try {
            String notDurable = kept ? writeLog.failure() : null;
            if (notDurable != null) {
                return WriteOutcome.notDurable(notDurable);
            }
            change.run();
            if (onApplied != null) {
                onApplied.run();
            }
            log = writeLog;
            position = reportedUpTo(log);
        } finally {
            lock.unlock();
        }
        WriteOutcome lost = finish(log, position, whenDurable);
        return lost != null ? lost : WriteOutcome.applied();
    }

    /**
     * Under the writer lock, once a change is reported: how far the log reaches with it. What undoes
     * the change is kept, with that position, until the log is durable past it.
     */
    private long reportedUpTo(WriteLog log) {
        long position = log.position();
        if (log != WriteLog.NONE) {
            long durable = log.durablePosition();
            while (!notYetDurable.isEmpty() && notYetDurable.peekFirst().position() <= durable) {
                notYetDurable.pollFirst();
            }
            for (Undo undo : beingReported) {
                undo.position = position;
                notYetDurable.addLast(undo);
            }
        }
        beingReported.clear();
        return position;
    }

    /** Under the writer lock: {@code key} held {@code replaced} (null for nothing) before the change reported now. */
    private void reporting(GroupingKey key, Group replaced) {
        if (writeLog != WriteLog.NONE) {
            beingReported.add(new Undo(key, replaced, null));
        }
    }

    /** {@link StoreCommand.Revert}: puts back what each change the log abandoned replaced, newest first. */
    private int revert(LongSupplier abandon) {
        lock.lock();
        try {
            long durable = abandon.getAsLong();
            int reverted = 0;
            while (!notYetDurable.isEmpty() && notYetDurable.peekLast().position() > durable) {
                Undo undo = notYetDurable.pollLast();
                if (undo.wiped() != null) {
                    for (Group group : undo.wiped()) {
                        putBack(group.key(), group);
                    }
                } else {
                    putBack(undo.key(), undo.replaced());
                }
                reverted++;
            }
            return reverted;
        } finally {
            lock.unlock();
        }
    }

    private void putBack(GroupingKey key, Group replaced) {
        if (replaced == null) {
            removeGroup(key);
        } else {
            replaceGroup(held(key), replaced);
        }
    }

    /**
     * Why a PUT or POST cannot be applied: over one of the {@link WriteLimits} (it stores nothing),
     * or a problem with the write or with what is stored (its failure time is recorded); neither
     * when it can be applied.
     *
     * @param written the group the write makes, once judged against what is held and found to fit;
     *     null before that, and for a write that does not
     */
    private record Verdict(WriteLimits.Violation overLimit, String problem, Group written) {
        static final Verdict FITS = new Verdict(null, null, null);

        Verdict(WriteLimits.Violation overLimit, String problem) {
            this(overLimit, problem, null);
        }

        WriteOutcome outcome() {
            return overLimit != null ? WriteOutcome.overLimit(overLimit)
                    : problem != null ? WriteOutcome.rejected(problem) : WriteOutcome.applied();
        }
    }

    /**
     * What a PUT or POST can tell about itself before the lock: the bounds it passes on its own,
     * else what makes it invalid, having filled {@code prepared} with its families as the group will
     * hold them.
     */
    private Verdict prepare(WriteRequest request, long now, List<StoredFamily> prepared) {
        WriteLimits.Violation overLimit = limits.check(request);
        if (overLimit != null) {
            return new Verdict(overLimit, null);
        }
        String problem = prepareFamilies(request, now, prepared, limits.names(), held(request.key()));
        return problem == null ? Verdict.FITS : new Verdict(null, problem);
    }

    /**
     * The rest of the verdict on a prepared PUT or POST, against {@code current} (what its key holds):
     * under the writer lock, changing nothing. The bounds on series and heap held are judged on the
     * group the write makes, against what its key holds now, so a write counts only what it adds; a
     * refused write that would leave a new group behind with its failure time counts that group.
     */
    private Verdict judge(WriteRequest request, Group current, List<StoredFamily> prepared, String problem, long now) {
        WriteLimits.Violation overLimit = current == null ? limits.checkNewGroup(groupCount) : null;
        if (overLimit != null) {
            return new Verdict(overLimit, null);
        }
        if (problem == null) {
            adoptHeldTypes(request, prepared);
            problem = problemWithStored(request, current, prepared, now);
        }
        if (problem != null) {
            overLimit = current == null
                    ? limits.checkHeld(seriesCount, heapBytes, failureGroup(request.key(), request.source(), now), null)
                    : null;
            return new Verdict(overLimit, overLimit == null ? problem : null);
        }
        Group written = written(request, current, prepared, now);
        overLimit = limits.checkHeld(seriesCount, heapBytes, written, current);
        return overLimit != null ? new Verdict(overLimit, null) : new Verdict(null, null, written);
    }

    /**
     * Gives each family whose payload gave it no type ({@link WriteRequest#typeNotGiven}) the type the
     * store holds for its name, so a device publishing a bare number after a text line without
     * {@code # TYPE} (or the other way round) never trips over a type it did not choose. Under the
     * writer lock, since the type held can change between two writes; a family is rendered again only
     * when its type changes. A type a plain sample cannot have (a summary, a histogram) is not taken:
     * the write is refused as inconsistent, as one that gave a type would be.
     */
    private void adoptHeldTypes(WriteRequest request, List<StoredFamily> prepared) {
        if (request.typeNotGiven().isEmpty()) {
            return;
        }
        for (int i = 0; i < prepared.size(); i++) {
            StoredFamily family = prepared.get(i);
            if (!request.typeNotGiven().contains(family.name())) {
                continue;
            }
            MetricType held = heldType(family.name());
            if (held != null && held != family.family().type() && isPlainSampleType(held)
                    && isPlainSampleType(family.family().type())) {
                prepared.set(i, family.withType(held));
            }
        }
    }

    /**
     * The type the groups hold for this name, or null for none. Not the type of one of Tidegate's own
     * families: a device's payload does not join those by leaving out its type.
     */
    private MetricType heldType(String name) {
        FamilySlot slot = families.get(name);
        return slot == null ? null : slot.type();
    }

    private static boolean isPlainSampleType(MetricType type) {
        return type == MetricType.GAUGE || type == MetricType.COUNTER || type == MetricType.UNTYPED;
    }

    /**
     * Whether {@code request} would be applied now, without applying it: the same checks as
     * {@link #apply}, against what the store holds at this moment, and it changes nothing at all.
     * For a write that is applied elsewhere first (replicated through the MQTT broker), so that what
     * this instance can already tell is refused before it leaves. A caller that refuses the write on
     * this answer and wants the refusal recorded, as a refused write records its failure time, writes
     * the request: it is refused again, and recorded.
     */
    public WriteOutcome check(WriteRequest request) {
        if (request.verb() == Verb.DELETE || request.verb() == Verb.WIPE) {
            return WriteOutcome.applied();
        }
        Prepared write = prepare(request);
        Verdict verdict = write.verdict;
        if (verdict.overLimit() == null) {
            lock.lock();
            try {
                verdict = judge(request, held(request.key()), write.families, verdict.problem(), write.preparedAt);
            } finally {
                lock.unlock();
            }
        }
        return verdict.outcome();
    }

    /**
     * Fills {@code prepared} with the families as the group will hold them; returns what makes the write invalid, or null.
     *
     * @param held the group the key held a moment ago, or null: read off the lock only to share label lists equal
     *     to its series' ({@link GroupingLabels}), which are the same whichever group a racing write leaves
     */
    private static String prepareFamilies(WriteRequest request, long now, List<StoredFamily> prepared,
            NameValidation names, Group held) {
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
            StoredFamily heldFamily = held == null ? null : held.pushedFamilies().get(pushed.name());
            MetricFamily keyed = GroupingLabels.apply(pushed, request.key(), heldFamily == null ? null : heldFamily.family());
            StoredFamily family = new StoredFamily(keyed, writtenAt,
                    Ttls.deadline(writtenAt, ttl), ttl);
            family.seriesProblem(names, heldFamily); // checked here, off the lock; the judgement under it reads the answer
            prepared.add(family);
        }
        return null;
    }

    private String problemWithStored(WriteRequest request, Group current, List<StoredFamily> prepared, long now) {
        String problem = pushedFailureTimeConflict(request, current, now);
        return problem != null ? problem : conflictWithStored(request.key(), current, prepared, now);
    }

    /** Waits for, or hands on, the change's durability; the answer for a change the log lost (reverted), else null. */
    private static WriteOutcome finish(WriteLog log, long position, Runnable whenDurable) {
        if (whenDurable != null) {
            log.whenDurable(position, whenDurable);
            return null;
        }
        try {
            log.awaitDurable(position);
            return null;
        } catch (UncheckedIOException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return WriteOutcome.notDurable(cause.getMessage() != null ? cause.getMessage() : cause.toString());
        }
    }

    private void delete(GroupingKey key) {
        Group held = held(key);
        if (removeGroup(key)) {
            reporting(key, held);
            writeLog.deleted(key);
        }
    }

    private void wipe() {
        List<Group> held = new ArrayList<>(groupsView);
        for (GroupingKey key : new ArrayList<>(groups.keySet())) {
            removeGroup(key);
        }
        recentExpiries.clear();
        if (writeLog != WriteLog.NONE) {
            beingReported.add(new Undo(null, null, held));
        }
        writeLog.wiped();
    }

    /** {@link StoreCommand.Restore}: reports nothing to the log, since the group comes from it. */
    private void restore(Group group, long now) {
        replaceGroup(held(group.key()), group);
        if (group.nextExpiryMillis() <= now) {
            expire(group, now);
        }
    }

    /** {@link StoreCommand.Adopt}: taken, as a write is reported, unless held already or expired. */
    private Adoption adopt(Group state, long now, Runnable onApplied, Runnable whenDurable) {
        if (state.tombstone() || !state.isLiveAt(now)) {
            runNow(whenDurable);
            return Adoption.EXPIRED;
        }
        Group offered = state.liveAt(now);
        Adoption adoption;
        WriteLog log = WriteLog.NONE;
        long position = 0;
        lock.lock();
        try {
            String notDurable = writeLog.failure();
            if (notDurable != null) {
                return Adoption.refused(WriteOutcome.notDurable(notDurable).refusal());
            }
            Group current = held(offered.key());
            adoption = judgeAdoption(offered, current, now);
            if (adoption == Adoption.ADOPTED) {
                replaceGroup(current, offered);
                reporting(offered.key(), current);
                writeLog.written(offered);
                if (onApplied != null) {
                    onApplied.run();
                }
                log = writeLog;
                position = reportedUpTo(log);
            }
        } finally {
            lock.unlock();
        }
        if (adoption == Adoption.ADOPTED) {
            WriteOutcome lost = finish(log, position, whenDurable);
            if (lost != null) {
                return Adoption.refused(lost.refusal());
            }
        } else {
            runNow(whenDurable);
        }
        return adoption;
    }

    /** Whether {@code offered} replaces {@code current}, under the writer lock, changing nothing. */
    private Adoption judgeAdoption(Group offered, Group current, long now) {
        if (current != null && current.isLiveAt(now)) {
            long held = current.pushTimeMillis();
            long given = offered.pushTimeMillis();
            if (held > given || held == given && current.families().keySet().containsAll(offered.families().keySet())) {
                return Adoption.HELD;
            }
        }
        WriteLimits.Violation overLimit = current == null ? limits.checkNewGroup(groupCount) : null;
        if (overLimit != null) {
            return Adoption.refused(overLimit.refusal());
        }
        // the gauges' shapes were checked when the group was decoded (Group's constructor)
        List<StoredFamily> pushed = new ArrayList<>(offered.pushedFamilies().values());
        String problem = offered.hasPushTime() ? null : "the group has no " + PushTimes.PUSH_TIME;
        if (problem == null) {
            problem = SeriesRules.timestampsPresent(pushed.stream().map(StoredFamily::family).toList());
        }
        if (problem == null) {
            problem = conflictWithStored(offered.key(), current, pushed, now);
        }
        if (problem != null) {
            return Adoption.refused(WriteOutcome.rejected(problem).refusal());
        }
        overLimit = limits.checkHeld(seriesCount, heapBytes, offered, current);
        return overLimit == null ? Adoption.ADOPTED : Adoption.refused(overLimit.refusal());
    }

    private static void runNow(Runnable whenDurable) {
        if (whenDurable != null) {
            whenDurable.run(); // nothing changed, so nothing to wait for
        }
    }

    /** The group held under {@code key} right now, tombstone or past its deadline included; null for none. */
    public Group group(GroupingKey key) {
        Slot slot = groups.get(key);
        return slot == null ? null : slot.group;
    }

    /** What {@code key} holds, for a writer under the lock. */
    private Group held(GroupingKey key) {
        Slot slot = groupsByKey.get(key);
        return slot == null ? null : slot.group;
    }

    /**
     * Every group held, tombstones and families past their deadline included, as one consistent
     * cut: {@code atCut} runs under the writer lock, between two writes, just before the copy.
     */
    public List<Group> cut(Runnable atCut) {
        lock.lock();
        try {
            atCut.run();
            return new ArrayList<>(groupsView);
        } finally {
            lock.unlock();
        }
    }

    /**
     * What readers read: the groups as of this instant of the store's clock, with its counts. Costs
     * no copy and no lock, however many groups are held.
     */
    public StoreSnapshot snapshot() {
        return new StoreSnapshot(groupsView, clock.millis(), groupCount, seriesCount, expiredGroups,
                expiredFamilies, recentExpiries.newestFirst(), this::group, tombstoneMillis > 0);
    }

    private String conflictWithStored(GroupingKey key, Group current, List<StoredFamily> prepared, long now) {
        for (StoredFamily storedFamily : prepared) {
            MetricFamily family = storedFamily.family();
            StoredFamily own = current == null ? null : current.family(family.name());
            if (own != null && own.isLiveAt(now) && own.family().type() == family.type()) {
                // the group holds this family live, of this type: every other live holder agrees with it (the
                // write that stored it was checked), so only the series are left to check
                String invalid = storedFamily.seriesProblem(limits.names());
                if (invalid != null) {
                    return invalid;
                }
                String duplicate = checkConsistency ? duplicateInOtherGroup(key, family, now) : null;
                if (duplicate != null) {
                    return duplicate;
                }
                continue;
            }
            MetricType ownType = ownFamilyTypes.apply(family.name());
            if (ownType != null && ownType != family.type()) {
                return "gathered metric family " + family.name() + " has type " + family.type() + " but should have "
                        + ownType;
            }
            // a help text that differs from other groups' is no conflict: upstream takes both and serves one
            // (its storage test TestHelpStringFix), and so does the scrape here (see StoreSnapshot#scrape)
            FamilySlot slot = families.get(family.name());
            boolean heldByOthers = slot != null && slot.holdersOtherThan(own) > 0;
            GroupingKey holder = null;
            if (heldByOthers && slot.type() != family.type()) {
                // the counts include families past their deadline that the sweep has not removed yet
                holder = liveHolder(family.name(), key, now);
                heldByOthers = holder != null;
            }
            // refused even when unchecked: a type conflict would corrupt every scrape
            if (heldByOthers && slot.type() != family.type()) {
                return describeFamily(family) + " is not a " + slot.type() + " (in group " + holder + ")";
            }
            String invalid = storedFamily.seriesProblem(limits.names());
            if (invalid != null) {
                return invalid;
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

    /** A group other than {@code key} that holds {@code name} live, or null: a scan, for the rare conflict path only. */
    private GroupingKey liveHolder(String name, GroupingKey key, long now) {
        for (Group group : groupsView) {
            StoredFamily family = group.family(name);
            if (family != null && family.isLiveAt(now) && !group.key().equals(key)) {
                return group.key();
            }
        }
        return null;
    }

    private static String describeFamily(MetricFamily family) {
        return family.metrics().isEmpty()
                ? "metric family " + Names.quote(family.name())
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
                Group other = held(candidate);
                StoredFamily theirs = other == null ? null : other.family(family.name());
                if (theirs != null && theirs.isLiveAt(now) && theirs.containsSeries(metric.labels())) {
                    return SeriesRules.describe(family.name(), metric)
                            + " was collected before with the same name and label values (in group " + candidate + ")";
                }
            }
        }
        return null;
    }

    /** The group a PUT or POST found to fit makes of {@code current}: changes nothing. */
    private static Group written(WriteRequest request, Group current, List<StoredFamily> prepared, long now) {
        GroupingKey key = request.key();
        Group old = liveOrNull(current, now);
        // most writes name the families the group holds: its arrays of names are kept
        Map<String, StoredFamily> next = old == null ? null
                : old.sortedFamilies().replacing(prepared, request.verb() == Verb.POST);
        if (next == null) {
            next = new HashMap<>();
            if (old != null && request.verb() == Verb.POST) {
                next.putAll(old.pushedFamilies());
            }
            for (StoredFamily family : prepared) {
                next.put(family.name(), family);
            }
        }
        long writtenAt = request.timeGiven(now);
        long deadline = groupDeadline(next, writtenAt, request.ttls().pushMillis());
        // a failure came before this success: never later than it (see recordFailure, which may have put it 1 ms on)
        long failedAt = old == null ? 0 : Math.min(writtenAt, Math.max(0, old.failureTimeMillis()));
        return new Group(key, next, request.source(), deadline, false, writtenAt, failedAt, Group.ABSENT, current);
    }

    private void commit(Group current, Group written) {
        replaceGroup(current, written);
        reporting(written.key(), current);
        writeLog.written(written);
    }

    /**
     * A refused PUT or POST records its failure time, as upstream does, and changes nothing else: a
     * live group keeps its families and its deadline; a key with no live group gets one holding only
     * {@code push_time_seconds} 0 and the failure time (as upstream), which carries no deadline, no
     * {@code push_expiry_time_seconds} and never expires into a tombstone, since nothing was ever
     * delivered there to go offline. A refusal starts no clock. A group past its deadline expires
     * first, as the sweep would expire it; its tombstone, if any, stays as it is.
     */
    private void recordFailure(GroupingKey key, Group current, WriteRequest request, long now) {
        Group before = current;
        if (current != null && !current.tombstone() && current.deadlineMillis() <= now) {
            expire(current, now);
            current = held(key);
        }
        if (current != null && current.tombstone()) {
            return; // the device delivered nothing since it went offline: its tombstone still says so
        }
        Group written;
        if (current != null) {
            // Refused in the millisecond of the last success, which it came after (writes are in order): upstream's
            // nanosecond clock tells the two apart, a millisecond does not, and last_push_successful (failure time
            // <= push time) would read true. The failure time is put 1 ms on, less than the clock's own rounding.
            long pushedAt = current.pushTimeMillis();
            long failedAt = pushedAt > 0 && now <= pushedAt ? pushedAt + 1 : now;
            written = new Group(key, current.pushedFamilies(), current.source(), current.deadlineMillis(), false,
                    pushedAt, failedAt, Group.ABSENT, current);
        } else {
            written = failureGroup(key, request.source(), now);
        }
        replaceGroup(current, written);
        reporting(key, before);
        writeLog.written(written);
    }

    /**
     * What a refused write leaves where no group was: {@code push_time_seconds} 0 and the failure time,
     * with no deadline.
     */
    private static Group failureGroup(GroupingKey key, Source source, long now) {
        return new Group(key, FamilyMap.EMPTY, source, StoredFamily.NEVER, false, 0, now, Group.ABSENT, null);
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
        heapBytes += next.heapBytes() - (old == null ? 0 : old.heapBytes());
        if (old != null) {
            seriesCount += reindex(old.sortedFamilies(), next.sortedFamilies())
                    + Integer.bitCount(next.gaugeKinds()) - Integer.bitCount(old.gaugeKinds());
        } else {
            shapes.add(next.key());
            groupCount++;
            for (StoredFamily family : next.pushedFamilies().values()) {
                index(family);
            }
            seriesCount += next.seriesCount();
        }
        long nextExpiry = next.nextExpiryMillis();
        if (nextExpiry != StoredFamily.NEVER) {
            expiries.add(next, nextExpiry); // in place of what the old group had scheduled
        } else if (old != null) {
            expiries.remove(old.key());
        }
        if (old != null) {
            groupsByKey.get(next.key()).group = next; // last: readers see the group once it is fully indexed
        } else {
            Slot slot = new Slot(next);
            groupsByKey.put(next.key(), slot);
            groups.put(next.key(), slot);
        }
    }

    /** {@link StoreCommand.ExpireDue}: expiry reports nothing to the log, since loading repeats it from the deadlines. */
    private int expireDue(int maxGroups, long now, Runnable onApplied, Runnable whenDurable) {
        int handled = 0;
        lock.lock();
        try {
            Group due;
            while (handled < maxGroups && (due = expiries.pollDue(now)) != null) {
                expire(due, now); // the group stored now: every replacement reschedules
                handled++;
                if (lock.hasQueuedThreads()) {
                    break;
                }
            }
            if (onApplied != null) {
                onApplied.run();
            }
        } finally {
            lock.unlock();
        }
        if (whenDurable != null) {
            whenDurable.run();
        }
        return handled;
    }

    /**
     * Why writes are refused now, since the {@link WriteLog} cannot make them durable (a full disk: the
     * file and the system's error), or null while they are taken.
     */
    public String notDurableReason() {
        return writeLog.failure();
    }

    /**
     * Why and since when writes are refused, since the {@link WriteLog} cannot make them durable (a full
     * disk), or null while they are taken.
     */
    public WriteLog.Failure writesRefused() {
        WriteLog log = writeLog;
        Instant since = log.failingSince(); // written before the reason
        String reason = log.failure();
        return reason == null ? null : new WriteLog.Failure(reason, since);
    }

    /** When the sweep next has work, or {@link StoredFamily#NEVER}. */
    public long nextExpiryMillis() {
        lock.lock();
        try {
            return expiries.nextMillis();
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
            expiredFamilies += group.pushedFamilies().size();
            removeGroup(group.key());
            long lastPush = group.pushTimeMillis();
            if (tombstoneMillis > 0) {
                long until = group.deadlineMillis() + tombstoneMillis;
                replaceGroup(null, new Group(group.key(), FamilyMap.EMPTY, group.source(), until, true,
                        lastPush == 0 ? Group.ABSENT : lastPush, Group.ABSENT, group.deadlineMillis(), null));
            } else {
                recentExpiries.add(new OfflineGroup(group.key(), group.source(), lastPush, group.deadlineMillis(),
                        StoredFamily.NEVER));
            }
            return;
        }
        Map<String, StoredFamily> live = group.liveFamilies(now);
        expiredFamilies += group.pushedFamilies().size() - live.size();
        replaceGroup(group, group.withPushed(live));
    }

    /** Whether there was a group to remove. */
    private boolean removeGroup(GroupingKey key) {
        Slot removed = groupsByKey.remove(key);
        if (removed == null) {
            return false;
        }
        groups.remove(key);
        Group old = removed.group;
        if (old != null) {
            heapBytes -= old.heapBytes();
            unindex(old);
            shapes.remove(key);
            groupCount--;
        }
        return true;
    }

    private void unindex(Group group) {
        expiries.remove(group.key());
        for (StoredFamily family : group.pushedFamilies().values()) {
            unindex(family);
        }
        seriesCount -= group.seriesCount();
    }

    /**
     * Moves the family index from a group's families {@code before} a write to those {@code after} it,
     * walking both in name order: a family written again with its type as before leaves its
     * name's slot as it was, so a device writing the same families again costs no index update. Returns
     * the change in series held.
     */
    private long reindex(FamilyMap before, FamilyMap after) {
        long change = 0;
        int i = 0;
        int j = 0;
        while (i < before.size() || j < after.size()) {
            int order = i == before.size() ? 1 : j == after.size() ? -1 : compareNames(before.nameAt(i), after.nameAt(j));
            if (order < 0) {
                unindex(before.familyAt(i));
                change -= before.familyAt(i++).seriesCount();
            } else if (order > 0) {
                index(after.familyAt(j));
                change += after.familyAt(j++).seriesCount();
            } else {
                StoredFamily was = before.familyAt(i++);
                StoredFamily is = after.familyAt(j++);
                if (was.family().type() != is.family().type()) {
                    unindex(was);
                    index(is);
                }
                change += is.seriesCount() - was.seriesCount();
            }
        }
        return change;
    }

    private static int compareNames(String a, String b) {
        return a == b ? 0 : a.compareTo(b);
    }

    private void index(StoredFamily family) {
        families.computeIfAbsent(family.name(), name -> new FamilySlot(name, family.family().type())).add(family);
    }

    private void unindex(StoredFamily family) {
        FamilySlot slot = families.get(family.name());
        slot.remove(family);
        if (slot.isEmpty()) {
            families.remove(family.name());
        }
    }
}
