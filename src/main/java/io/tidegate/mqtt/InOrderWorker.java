package io.tidegate.mqtt;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * One thread that runs what it is given in the order given: a stage of the subscriber's pipeline (reading
 * messages, then applying them), so the stages run at once on the processors of a small machine and the
 * store still takes messages one at a time in the order they came. At most {@code capacity} wait;
 * {@link #execute} blocks beyond that, so a broker that sends faster than the store applies is held back
 * by the client's own flow control (QoS 0 included) rather than by memory.
 */
final class InOrderWorker implements AutoCloseable {
    private static final Runnable STOP = () -> { };

    private final BlockingQueue<Runnable> queue;
    private final Thread thread;

    InOrderWorker(String name, int capacity) {
        queue = new ArrayBlockingQueue<>(capacity);
        thread = new Thread(this::run, name);
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

    private void run() {
        while (true) {
            Runnable task;
            try {
                task = queue.take();
            } catch (InterruptedException e) {
                continue; // only close() ends this thread, after what was given
            }
            if (task == STOP) {
                return;
            }
            task.run();
        }
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
