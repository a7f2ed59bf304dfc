package io.tidegate.mqtt;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * One thread that runs what it is given in the order given, for a subscriber that reads each message
 * on the client's callback thread while the message before it is being applied here: the two
 * processors of a small machine share a message's work, and the store still takes messages one at a
 * time in the order they came. At most {@link #CAPACITY} wait; {@link #execute} blocks beyond that, so
 * a broker that sends faster than the store applies is held back by the client's own flow control (QoS 0
 * included) rather than by memory.
 */
final class InOrderWorker implements AutoCloseable {
    static final int CAPACITY = 256;
    private static final Runnable STOP = () -> { };

    private final BlockingQueue<Runnable> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final Thread thread;

    InOrderWorker(String name) {
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs {@code task} after everything given before it; waits while {@link #CAPACITY} are waiting. */
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
