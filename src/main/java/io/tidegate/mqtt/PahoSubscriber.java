package io.tidegate.mqtt;

import java.time.Clock;
import io.tidegate.mqtt.PahoClient.PahoFailure;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The version-independent half of a subscriber: startup, the guards Paho needs after a reconnect
 * (resubscribe, since a broker that lost the session silently sends nothing more; announce online
 * again, since the Last Will may have said offline), acknowledging after the handler, and the log.
 * It subscribes at every connect, the first included, also when the broker kept the session: only a
 * SUBSCRIBE brings the retained messages, which a restarted Tidegate may lack.
 *
 * <p>Subscriptions: the topic scheme's filters, plus the mapping rules' ({@link #subscribeMappings}),
 * which a reload changes on the live connection: new filters are subscribed (the broker then sends
 * their retained messages), dropped ones unsubscribed. Every change after the start happens on one
 * thread, in order, so a reload and a reconnect never interleave their SUBSCRIBE and UNSUBSCRIBE.
 *
 * <p>After a full disk ({@link #redeliverUnacknowledged}): the messages of a connection given up so the
 * broker delivers them again belong to an older <em>delivery</em>; they are neither applied nor
 * acknowledged once it is over, so what comes again is applied once, in the order it first came.
 */
final class PahoSubscriber implements MqttSubscriber, PahoClient.Events {
    private static final Logger log = LoggerFactory.getLogger(MqttSubscriber.class);
    /** How soon after a connect the broker closing it again counts as the session going to another client. */
    static final long TAKEN_OVER_WITHIN_MILLIS = 3_000;

    private final PahoClient client;
    private final MqttSettings settings;
    private final AtomicLong reconnects = new AtomicLong();
    /** Subscribing from Paho's callback thread would wait for that same thread: it deadlocks. */
    private final ExecutorService subscriptions = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "tidegate-mqtt-resubscribe");
        thread.setDaemon(true);
        return thread;
    });
    private volatile MessageHandler handler;
    /**
     * From start, the two stages after the client's callback thread, each one thread taking messages in arrival order:
     * reading each message, then the store's part of it. The callback thread only hands a message on: Paho holds at
     * most 10 messages between its receiving thread and its callback thread, so a callback that did the reading
     * kept the receiving thread waiting for room, and the stages woke each other for every message (a backlog
     * drained a quarter to two fifths slower). At most {@link #IN_FLIGHT} messages are between the client and the
     * store, half in each stage.
     */
    private volatile InOrderWorker reads;
    private volatile InOrderWorker storeSteps;
    static final int IN_FLIGHT = 256;
    /**
     * The most read messages the store's stage is given at once ({@link InOrderWorker#handOn}). It is the faster stage and
     * sleeps whenever it has caught up; given each message alone, it was woken for nearly every one (the wake-ups 8 % of a
     * drain's processor time in a profile). Its queue holds {@code IN_FLIGHT / 2 / APPLY_BATCH} batches, so still at most
     * half of {@link #IN_FLIGHT} messages.
     */
    static final int APPLY_BATCH = 16;
    private volatile boolean closing;
    private volatile boolean started;
    private volatile boolean takenOver;
    private final Clock clock;
    private volatile long connectedAtMillis;
    private int takeovers; // drops in a row that look like a takeover; on the client's callback thread only
    private boolean lostSinceConnected; // on the client's callback thread only
    private volatile List<String> mappingFilters = List.of();
    private volatile List<String> discoveryFilters = List.of();
    /** What this connection's session is subscribed to, as far as Tidegate knows; on the subscriptions thread after start. */
    private Set<String> subscribed = Set.of();
    /** Which delivery a message belongs to: a new one starts when the broker is to deliver again what is unacknowledged. */
    private volatile long delivery;
    /** From just before writes are taken again after a full disk until the new delivery: no message is applied. */
    private volatile boolean holding;
    /** QoS 1 messages of this delivery not acknowledged yet. */
    private final AtomicLong unacknowledged = new AtomicLong();

    PahoSubscriber(PahoClient client, MqttSettings settings, Clock clock) {
        this.clock = clock;
        this.client = client;
        this.settings = settings;
    }

    @Override
    public void start(MessageHandler handler) {
        this.handler = handler;
        this.storeSteps = new InOrderWorker("tidegate-mqtt-apply", IN_FLIGHT / 2 / APPLY_BATCH);
        this.reads = new InOrderWorker("tidegate-mqtt-read", IN_FLIGHT / 2, storeSteps, APPLY_BATCH);
        try {
            client.connect(this);
            List<String> filters = wanted();
            client.subscribe(filters);
            subscribed = new LinkedHashSet<>(filters);
            started = true;
            // discovery's topics may have changed with the retained configs that came since the subscription
            subscriptions.submit(this::followMappings);
            client.publish(settings.statusTopic(), PahoClient.ONLINE.getBytes(StandardCharsets.US_ASCII), true);
        } catch (PahoFailure e) {
            close();
            throw new MqttStartException("cannot subscribe to MQTT broker " + settings.url() + " with MQTT "
                    + client.protocol() + ": " + e.getMessage(), e.protocolRefused());
        }
        log.atInfo().addKeyValue("url", settings.url()).addKeyValue("protocol", client.protocol())
                .addKeyValue("client_id", settings.clientId()).addKeyValue("topic_filters", String.join(",", wanted()))
                .log("subscribed to MQTT broker");
    }

    @Override
    public void arrived(MqttMessage message, int messageId) {
        long arrivedIn = delivery;
        boolean awaitsAcknowledgement = message.qos() > 0;
        if (awaitsAcknowledgement) {
            unacknowledged.incrementAndGet();
        }
        AtomicBoolean acknowledged = new AtomicBoolean();
        Runnable acknowledge = () -> {
            // a message of a delivery that is over comes again: that one is acknowledged, not this one
            if (acknowledged.compareAndSet(false, true) && arrivedIn == delivery) {
                if (awaitsAcknowledgement) {
                    unacknowledged.decrementAndGet();
                }
                acknowledge(message, messageId);
            }
        };
        reads.execute(() -> read(message, arrivedIn, acknowledge));
    }

    /** On the read stage: reads the message while the one before it is applied, then hands it to the store's stage. */
    private void read(MqttMessage message, long arrivedIn, Runnable acknowledge) {
        Runnable apply;
        try {
            MessageHandler.Step step = handler.prepare(message);
            apply = () -> step.finish(acknowledge);
        } catch (RuntimeException e) {
            apply = () -> unhandled(message, e, acknowledge); // acknowledged in order with the messages before it
        }
        Runnable applyRead = apply;
        reads.handOn(() -> {
            if (holding || arrivedIn != delivery) {
                return; // left unacknowledged: the broker delivers it again, in order with those it held back
            }
            try {
                applyRead.run();
            } catch (RuntimeException e) {
                unhandled(message, e, acknowledge);
            }
        });
    }

    private static void unhandled(MqttMessage message, RuntimeException e, Runnable acknowledge) {
        log.atError().addKeyValue("topic", message.topic()).addKeyValue("err", e.toString())
                .log("MQTT message could not be handled; acknowledging it all the same");
        acknowledge.run();
    }

    private void acknowledge(MqttMessage message, int messageId) {
        try {
            client.acknowledge(messageId, message.qos());
        } catch (PahoFailure e) {
            // The broker sends it again after the reconnect, as for any message not acknowledged.
            log.atDebug().addKeyValue("topic", message.topic()).addKeyValue("err", e.getMessage())
                    .log("MQTT acknowledgement not sent");
        }
    }

    @Override
    public void connected(boolean reconnect) {
        connectedAtMillis = clock.millis();
        lostSinceConnected = false;
        if (!reconnect || closing) {
            return;
        }
        reconnects.incrementAndGet();
        subscriptions.execute(() -> {
            try {
                List<String> filters = wanted();
                List<String> dropped = new ArrayList<>(subscribed);
                dropped.removeAll(filters);
                if (!dropped.isEmpty()) {
                    client.unsubscribe(dropped); // a session the broker kept still has them
                }
                client.subscribe(filters);
                subscribed = new LinkedHashSet<>(filters);
                client.publish(settings.statusTopic(), PahoClient.ONLINE.getBytes(StandardCharsets.US_ASCII), true);
                log.atInfo().addKeyValue("url", settings.url()).log("reconnected to MQTT broker and resubscribed");
            } catch (PahoFailure e) {
                // The connection went again; the next reconnect comes back here.
                log.atWarn().addKeyValue("url", settings.url()).addKeyValue("err", e.getMessage())
                        .log("reconnected to MQTT broker but could not resubscribe");
            }
        });
    }

    /**
     * Holds back every message from just before {@code takeWrites} until the broker delivers again what
     * is unacknowledged; when nothing is, there is nothing to deliver again and the hold ends at once.
     * Otherwise it reconnects on the subscriptions thread; a connection that is down already is left to
     * the automatic reconnect, which brings the same redelivery.
     */
    @Override
    public void redeliverUnacknowledged(Runnable takeWrites) {
        if (!started || closing || takenOver) {
            takeWrites.run();
            return;
        }
        holding = true;
        try {
            takeWrites.run();
        } finally {
            long left = unacknowledged.get();
            if (left == 0) {
                holding = false;
            } else {
                log.atInfo().addKeyValue("url", settings.url()).addKeyValue("unacknowledged", left)
                        .log("writes are taken again; reconnecting to MQTT broker so it delivers again the messages "
                                + "left unacknowledged while they were refused");
                try {
                    subscriptions.execute(this::reconnectForRedelivery);
                } catch (RejectedExecutionException e) {
                    holding = false; // closing: nothing more is delivered anyway
                }
            }
        }
    }

    private void reconnectForRedelivery() {
        if (closing) {
            return;
        }
        if (!client.isConnected()) {
            newDelivery(); // the connection went: the automatic reconnect brings what is unacknowledged
            return;
        }
        AtomicBoolean disconnected = new AtomicBoolean();
        try {
            client.reconnect(() -> {
                disconnected.set(true);
                newDelivery();
            });
        } catch (PahoFailure e) {
            log.atWarn().addKeyValue("url", settings.url()).addKeyValue("err", e.getMessage())
                    .log("could not reconnect to MQTT broker for it to deliver again what is unacknowledged; "
                            + "the next reconnect does");
            if (!disconnected.get()) {
                newDelivery();
            }
        }
    }

    /** While no message can arrive: the messages before are over, the broker delivers them again. */
    private void newDelivery() {
        unacknowledged.set(0);
        delivery++;
        holding = false;
    }

    /** The scheme's filters, the mapping rules' and discovery's, each once. */
    private List<String> wanted() {
        LinkedHashSet<String> filters = new LinkedHashSet<>(settings.topicFilters());
        filters.addAll(mappingFilters);
        filters.addAll(discoveryFilters);
        return new ArrayList<>(filters);
    }

    @Override
    public void subscribeMappings(List<String> filters) {
        mappingFilters = List.copyOf(filters);
        if (!started || closing) {
            return;
        }
        try {
            subscriptions.submit(this::followMappings).get(2L * PahoClient.TIME_TO_WAIT_SECONDS + 1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            log.atWarn().addKeyValue("err", e.toString()).log("MQTT subscriptions not changed; the next reconnect changes them");
        }
    }

    @Override
    public void subscribeDiscovery(List<String> filters) {
        discoveryFilters = List.copyOf(filters);
        if (!started || closing) {
            return; // the start subscribes to them
        }
        try {
            subscriptions.submit(this::followMappings); // never waited for: called while a message is read
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** Subscribes to the new filters and unsubscribes from the dropped ones, on the live connection. */
    private void followMappings() {
        if (!client.isConnected()) {
            return; // the reconnect subscribes to what is wanted then
        }
        List<String> filters = wanted();
        List<String> added = new ArrayList<>(filters);
        added.removeAll(subscribed);
        List<String> dropped = new ArrayList<>(subscribed);
        dropped.removeAll(filters);
        try {
            if (!added.isEmpty()) {
                client.subscribe(added);
            }
            if (!dropped.isEmpty()) {
                client.unsubscribe(dropped);
            }
            subscribed = new LinkedHashSet<>(filters);
            if (!added.isEmpty() || !dropped.isEmpty()) {
                log.atInfo().addKeyValue("subscribed", String.join(",", added))
                        .addKeyValue("unsubscribed", String.join(",", dropped)).log("MQTT subscriptions changed");
            }
        } catch (PahoFailure e) {
            log.atWarn().addKeyValue("err", e.getMessage()).addKeyValue("subscribe", String.join(",", added))
                    .addKeyValue("unsubscribe", String.join(",", dropped))
                    .log("MQTT subscriptions not changed; the next reconnect changes them");
        }
    }

    @Override
    public void lost(String reason) {
        dropped(reason, false);
    }

    @Override
    public void takenOver(String reason) {
        dropped(reason, true);
    }

    /**
     * Another client with this client id connected, and the broker gave it Tidegate's session: the
     * broker says so (MQTT 5, reason code 0x8E), or closes a connection it accepted less than
     * {@value #TAKEN_OVER_WITHIN_MILLIS} ms before (MQTT 3.1.1 has no reason codes, and Mosquitto
     * closes the older connection without one for MQTT 5 too). Once may be a mistake or a broker
     * restarting, and Tidegate reconnects; a second time in a row, right after reconnecting, the two
     * are fighting over the session (each reconnect taking it back, splitting the devices' messages
     * between them), so Tidegate gives it up, stops reconnecting and says so.
     */
    private void dropped(String reason, boolean reportedTakenOver) {
        long connectedForMillis = clock.millis() - connectedAtMillis;
        if (!lostSinceConnected) { // one connection is dropped once, however many ways Paho reports it
            lostSinceConnected = true;
            boolean quick = connectedForMillis < TAKEN_OVER_WITHIN_MILLIS;
            takeovers = quick ? takeovers + 1 : reportedTakenOver ? 1 : 0;
        }
        if (closing || takenOver) {
            return;
        }
        if (takeovers >= 2) {
            takenOver = true;
            log.atError().addKeyValue("url", settings.url()).addKeyValue("client_id", settings.clientId())
                    .addKeyValue("err", reason)
                    .log("another MQTT client with this client id is connected, so the broker gave it Tidegate's "
                            + "session again; not reconnecting: give each Tidegate its own --mqtt.client-id and "
                            + "restart this one");
            // not on Paho's callback thread, which closing the client waits for
            subscriptions.execute(client::close);
            return;
        }
        log.atWarn().addKeyValue("url", settings.url()).addKeyValue("err", reason)
                .log(reportedTakenOver ? "MQTT broker gave Tidegate's session to another client with this client id; "
                        + "reconnecting" : "lost connection to MQTT broker; reconnecting");
    }

    @Override
    public boolean isConnected() {
        return !takenOver && client.isConnected();
    }

    @Override
    public void publish(Publication publication) {
        try {
            client.publish(publication);
        } catch (PahoFailure e) {
            throw new MqttPublishException(e.getMessage());
        }
    }

    @Override
    public boolean speaksMqtt5() {
        return client.protocol().equals("5");
    }

    @Override
    public long reconnects() {
        return reconnects.get();
    }

    @Override
    public String describe() {
        return settings.url() + " (MQTT " + client.protocol() + ")";
    }

    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        subscriptions.shutdownNow();
        if (client.isConnected()) {
            try {
                client.publish(settings.statusTopic(), PahoClient.OFFLINE.getBytes(StandardCharsets.US_ASCII), true);
            } catch (PahoFailure e) {
                log.atWarn().addKeyValue("err", e.getMessage()).log("could not announce offline on MQTT");
            }
        }
        client.close();
        // the messages taken before the close are read, then applied (their acknowledgements go nowhere)
        InOrderWorker reading = reads;
        if (reading != null) {
            reading.close();
        }
        InOrderWorker steps = storeSteps;
        if (steps != null) {
            steps.close();
        }
    }
}
