package org.eclipse.paho.client.mqttv3.internal.wire;

import io.tidegate.mqtt.ByteCountingInputStream;
import java.io.InputStream;

/** Stands in for Paho's class of this name, with reads of many bytes at once: see {@link ByteCountingInputStream}. */
public class CountingInputStream extends ByteCountingInputStream {
    public CountingInputStream(InputStream in) {
        super(in);
    }
}
