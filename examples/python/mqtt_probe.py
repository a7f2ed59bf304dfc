#!/usr/bin/env python3
"""The checks of probe.py, published over MQTT 5 every --interval seconds instead of pushed over HTTP,
for a device that stays connected to a broker (Tidegate's embedded one, or yours).

    mqtt_probe.py --broker tidegate.example.org nas=http://192.0.2.20/ router=http://192.0.2.1/

What Tidegate makes of it:
- the topic metrics/job/http_probe/instance/<hostname> is the grouping key;
- each reading carries the MQTT 5 message expiry interval --ttl (3 times --interval by default): the
  readings' TTL in Tidegate, and how long the broker keeps the retained copy;
- readings are retained, so a Tidegate that starts later gets the last one at once;
- the Last Will, an empty retained message on the same topic, deletes the group as soon as the broker
  notices the probe is gone, and clears the retained reading.
"""
import socket
import sys
import time

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from prometheus_client import generate_latest

from probe import arguments, probe


def main():
    parser = arguments(__doc__.split("\n\n")[0])
    parser.add_argument("--broker", default="localhost", help="MQTT broker host (default %(default)s)")
    parser.add_argument("--port", type=int, default=1883, help="MQTT broker port (default %(default)s)")
    parser.add_argument("--interval", type=float, default=60, help="seconds between readings (default 60)")
    parser.add_argument("--ttl", type=int, help="seconds a reading stays (default: 3 times --interval)")
    args = parser.parse_args()
    ttl = args.ttl or round(3 * args.interval)
    topic = f"metrics/job/{args.job}/instance/{args.instance}"

    # paho-mqtt 2 wants the callback API named; 1.6 (Debian 12) has no such argument. No callbacks are used.
    version = {"callback_api_version": mqtt.CallbackAPIVersion.VERSION2} if hasattr(mqtt, "CallbackAPIVersion") else {}
    client = mqtt.Client(client_id=f"probe-{args.instance}", protocol=mqtt.MQTTv5, **version)
    client.will_set(topic, b"", qos=1, retain=True)
    try:
        client.connect(args.broker, args.port, keepalive=60)
    except OSError as error:
        sys.exit(f"mqtt_probe.py: cannot connect to {args.broker}:{args.port}: {error}")
    client.loop_start()  # keep-alives, acknowledgements and reconnects run in paho's own thread

    expiry = Properties(PacketTypes.PUBLISH)
    expiry.MessageExpiryInterval = ttl
    while True:
        reading = generate_latest(probe(dict(args.targets), args.timeout))
        # While the broker is away paho keeps the reading and sends it once it has reconnected.
        client.publish(topic, reading, qos=1, retain=True, properties=expiry)
        time.sleep(args.interval)


if __name__ == "__main__":
    main()
