package io.tidegate.mqtt;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * One thread that runs what it is given in the order given: a stage of the subscriber's pipeline (reading
 * messages, then applying them), so the stages run at once on the processors of a small machine and the
 * store still takes messages one at a time in the order they came. At most {@code capacity} wait;
 * {@link #execute} blocks beyond that, so a broker that sends faster than the store applies is held back
 * by the client's own flow control (QoS 0 included) rather than by memory.
 *
 * <p>A stage that feeds the next one ({@link #handOn}) gives it what its tasks handed on in batches: all that the
 * tasks run back to back handed on, up to {@code batch}, as one task of the next stage, given once this stage has
 * nothing more waiting or the batch is full. A stage that is waiting for work sleeps, and waking it costs both
 * threads a system call: per message, when the next stage is the faster one, and most of a drain's handing over.
 */
final class InOrderWorker implements AutoCloseable {
    private static final Runnable STOP = () -> { };

    private final BlockingQueue<Runnable> queue;
    private final Thread thread;
    private final InOrderWorker next;
    private final int batch;
    /** What the tasks run since the last batch handed on; on this worker's thread only. */
    private final List<Runnable> handedOn;

    /** The last stage: it hands nothing on. */
    InOrderWorker(String name, int capacity) {
        this(name, capacity, null, 1);
    }

    /** A stage whose tasks hand tasks on to {@code next} ({@link #handOn}), given to it in batches of at most {@code batch}. */
    InOrderWorker(String name, int capacity, InOrderWorker next, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1: " + batch);
        }
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.next = next;
        this.batch = batch;
        this.handedOn = new ArrayList<>(batch);
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs {@code task} after everything given before it; waits while as many as the capacity are waiting. */
    void execute(Runnable task) {
        boolean interrupted = false;
        while (true) {
            try {
                queue.put(task);
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the task is not dropped: its message's acknowledgement depends on it
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * From a task this worker runs: {@code task} runs on the next stage, after everything handed on before it. It is
     * given to the next stage with the batch it belongs to, at the latest once this stage has nothing more waiting.
     */
    void handOn(Runnable task) {
        if (next == null) {
            throw new IllegalStateException("the last stage hands nothing on");
        }
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("handOn is for the tasks of " + thread.getName());
        }
        handedOn.add(task);
    }

    private void run() {
        while (true) {
            Runnable task;
            try {
                task = queue.take();
            } catch (InterruptedException e) {
                continue; // only close() ends this thread, after what was given
            }
            if (task == STOP) {
                giveBatch();
                return;
            }
            task.run();
            if (!handedOn.isEmpty() && (handedOn.size() >= batch || queue.isEmpty())) {
                giveBatch();
            }
        }
    }

    private void giveBatch() {
        if (handedOn.isEmpty()) {
            return;
        }
        // a plain array and loop, and a lone task given as itself: handing every batch on as List.copyOf(...)
        // with forEach took 2-19 % more processor time per message in 11 of 12 side-by-side drains
        Runnable[] tasks = handedOn.toArray(new Runnable[0]);
        handedOn.clear();
        next.execute(tasks.length == 1 ? tasks[0] : () -> {
            for (Runnable task : tasks) {
                task.run();
            }
        });
    }

    /** Runs what was given before, then ends the thread; waits for it. */
    @Override
    public void close() {
        execute(STOP);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
