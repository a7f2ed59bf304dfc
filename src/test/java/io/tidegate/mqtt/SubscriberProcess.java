package io.tidegate.mqtt;

import io.tidegate.cli.MqttFlags;
import io.tidegate.cli.Flags;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * Tidegate's subscriber in a JVM of its own, for tests that kill it as a crash would: started with
 * {@code --mqtt.*} flags, it prints {@code started}, then {@code arrived <topic> <payload>} per
 * message; with {@code --block} as first argument its handler never returns, so nothing is acknowledged.
 */
public final class SubscriberProcess {
    private SubscriberProcess() {}

    public static void main(String[] args) throws Exception {
        boolean block = args.length > 0 && args[0].equals("--block");
        String[] flagArgs = block ? java.util.Arrays.copyOfRange(args, 1, args.length) : args;
        Flags flags = new Flags();
        Flags.commandLine(flags).parseArgs(flagArgs);
        CountDownLatch never = new CountDownLatch(1);
        MqttSubscriber subscriber = MqttSubscriber.of(MqttFlags.settings(flags).orElseThrow());
        subscriber.start((message, acknowledge) -> {
            System.out.println("arrived " + message.topic() + " " + new String(message.payload(), StandardCharsets.UTF_8));
            System.out.flush();
            if (block) {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            acknowledge.run();
            return MqttOutcome.written(null, null);
        });
        System.out.println("started");
        System.out.flush();
        never.await();
    }
}
