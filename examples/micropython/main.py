# A room-temperature probe on an ESP32 running MicroPython, publishing to Tidegate over MQTT.
#
# Copy to the board as main.py together with boot.py-style Wi-Fi set-up, and set the constants
# below. umqtt.simple ships with MicroPython's ESP32 firmware (MQTT 3.1.1).
#
# What Tidegate makes of it:
# - topic metrics/job/room_probe/room/<ROOM> is the grouping key {job="room_probe", room="<ROOM>"};
# - the payload is Prometheus text; its "#!set stale_timeout" line gives the readings a TTL, so a
#   probe that stops publishing (power cut, dead battery) disappears 3 minutes after its last reading;
# - the Last Will, an empty retained message on the same topic, deletes the group the moment the
#   broker notices the probe is gone (keep-alive missed, TCP reset), and clears the retained value;
# - readings are published retained, so a Tidegate that starts later still gets the last one (it is
#   marked "retained" in /api/v1/metrics until the probe publishes again).
import time

import esp32
import machine
import network
from umqtt.simple import MQTTClient

BROKER = "192.0.2.10"  # the machine running Tidegate (embedded broker on :1883) or your broker
ROOM = "kitchen"
INTERVAL_S = 60
TOPIC = b"metrics/job/room_probe/room/" + ROOM.encode()

client = MQTTClient(
    client_id=b"probe-" + machine.unique_id().hex().encode(),
    server=BROKER,
    keepalive=90,
)
client.set_last_will(TOPIC, b"", retain=True, qos=1)


def reading():
    celsius = (esp32.raw_temperature() - 32) / 1.8  # the chip's own sensor; use your DS18B20/BME280 here
    uptime = time.ticks_ms() / 1000
    return (
        "#!set stale_timeout = 180\n"
        "# HELP room_temperature_celsius Air temperature measured by the probe.\n"
        "# TYPE room_temperature_celsius gauge\n"
        "room_temperature_celsius %.2f\n"
        "# TYPE probe_uptime_seconds gauge\n"
        "probe_uptime_seconds %.0f\n" % (celsius, uptime)
    ).encode()


while True:
    try:
        if not network.WLAN(network.STA_IF).isconnected():
            raise OSError("no Wi-Fi")
        client.connect()
        while True:
            client.publish(TOPIC, reading(), retain=True, qos=1)
            time.sleep(INTERVAL_S)
    except OSError:
        # the broker publishes the Last Will for us if the connection died uncleanly; try again later
        time.sleep(10)
