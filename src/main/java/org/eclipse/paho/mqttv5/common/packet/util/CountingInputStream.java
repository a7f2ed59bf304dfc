package org.eclipse.paho.mqttv5.common.packet.util;

import io.tidegate.mqtt.ByteCountingInputStream;
import java.io.InputStream;

/** Stands in for Paho's class of this name, with reads of many bytes at once: see {@link ByteCountingInputStream}. */
public class CountingInputStream extends ByteCountingInputStream {
    public CountingInputStream(InputStream inputStream) {
        super(inputStream);
    }
}
