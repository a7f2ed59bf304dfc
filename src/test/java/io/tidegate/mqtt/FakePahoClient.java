package io.tidegate.mqtt;

import io.tidegate.TestClock;
import io.tidegate.cli.Flags;
import io.tidegate.cli.MqttFlags;
import io.tidegate.config.ConfigException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A connected client that records acknowledgements and reconnects. */
final class FakePahoClient implements PahoClient {
    final List<Integer> acknowledged = new CopyOnWriteArrayList<>();
    final AtomicInteger reconnects = new AtomicInteger();
    final AtomicInteger reconnected = new AtomicInteger();
    private final Object gate = new Object();
    private boolean blocked; // guarded by gate

    /** A subscriber over this client, set up for an MQTT 3.1.1 broker, its clock standing at {@code now}. */
    PahoSubscriber subscriber(Instant now) throws ConfigException {
        Flags flags = new Flags();
        Flags.commandLine(flags).parseArgs("--mqtt.url=tcp://127.0.0.1:1", "--mqtt.protocol=3.1.1");
        return new PahoSubscriber(this, MqttFlags.settings(flags).orElseThrow(), new TestClock(now));
    }

    void blockReconnect() {
        synchronized (gate) {
            blocked = true;
        }
    }

    void unblockReconnect() {
        synchronized (gate) {
            blocked = false;
            gate.notifyAll();
        }
    }

    @Override
    public String protocol() {
        return "3.1.1";
    }

    @Override
    public void connect(Events events) {}

    @Override
    public void subscribe(List<String> filters) {}

    @Override
    public void unsubscribe(List<String> filters) {}

    @Override
    public void publish(String topic, byte[] payload, boolean retained) {}

    @Override
    public void acknowledge(int messageId, int qos) {
        acknowledged.add(messageId);
    }

    @Override
    public void reconnect(Runnable whileDisconnected) {
        reconnects.incrementAndGet();
        synchronized (gate) {
            while (blocked) {
                try {
                    gate.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        whileDisconnected.run();
        reconnected.incrementAndGet();
    }

    @Override
    public boolean isConnected() {
        return true;
    }

    @Override
    public void close() {}
}
