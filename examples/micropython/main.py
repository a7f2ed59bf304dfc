# A room-temperature probe on an ESP32 running MicroPython, publishing to Tidegate over MQTT.
#
# Copy main.py and config.py (your Wi-Fi, broker and room) to the board, e.g. with
# `mpremote cp main.py config.py :`, and reset it. umqtt.simple ships with MicroPython's ESP32
# firmware; it speaks MQTT 3.1.1, which has no message expiry, so the TTL travels in the payload.
#
# What Tidegate makes of it:
# - the topic metrics/job/room_probe/room/<ROOM> is the grouping key {job="room_probe", room="<ROOM>"};
# - the payload is Prometheus text; its "#!set stale_timeout" line gives the readings a TTL, so a
#   probe that stops publishing disappears TTL_S seconds after its last reading;
# - the Last Will, an empty retained message on the same topic, deletes the group as soon as the broker
#   notices the probe is gone (connection reset, or keep-alive missed: 1.5 keep-alives after the last
#   reading), and clears the retained reading, so nobody gets it later;
# - readings are published retained, so a Tidegate that starts later still gets the last one (it is
#   marked "retained" in /api/v1/metrics until the probe publishes again).
import binascii
import time

import config
import esp32
import machine
import network
from umqtt.simple import MQTTClient, MQTTException

TOPIC = b"metrics/job/room_probe/room/" + config.ROOM.encode()

wlan = network.WLAN(network.STA_IF)
client = MQTTClient(
    client_id=b"probe-" + binascii.hexlify(machine.unique_id()),
    server=config.BROKER,
    port=config.BROKER_PORT,
    user=config.MQTT_USER,
    password=config.MQTT_PASSWORD,
    # umqtt.simple sends no keep-alive pings of its own: each reading is what keeps the connection up.
    keepalive=config.INTERVAL_S + 30,
)
client.set_last_will(TOPIC, b"", retain=True, qos=1)
readings = 0


def join_wifi():
    if wlan.isconnected():
        return
    wlan.active(True)
    wlan.connect(config.WIFI_SSID, config.WIFI_PASSWORD)
    for _ in range(20):
        time.sleep(1)
        if wlan.isconnected():
            return
    raise OSError("cannot join Wi-Fi " + config.WIFI_SSID)


def reading():
    global readings
    readings += 1
    celsius = (esp32.raw_temperature() - 32) / 1.8  # the chip's own sensor; use your DS18B20/BME280 here
    return (
        "#!set stale_timeout = %d\n"
        "# HELP room_temperature_celsius Air temperature measured by the probe.\n"
        "# TYPE room_temperature_celsius gauge\n"
        "room_temperature_celsius %.2f\n"
        "# HELP probe_wifi_rssi_dbm Wi-Fi signal strength at the probe.\n"
        "# TYPE probe_wifi_rssi_dbm gauge\n"
        "probe_wifi_rssi_dbm %d\n"
        "# HELP probe_readings_total Readings published since the probe started; a reset is a reboot.\n"
        "# TYPE probe_readings_total counter\n"
        "probe_readings_total %d\n" % (config.TTL_S, celsius, wlan.status("rssi"), readings)
    ).encode()


# A network call that hangs (umqtt.simple sets no socket timeout) resets the board instead of
# leaving it silent forever; the broker then publishes the Last Will.
watchdog = machine.WDT(timeout=(config.INTERVAL_S + config.RETRY_S + 60) * 1000)
while True:
    try:
        join_wifi()
        client.connect()
        while True:
            client.publish(TOPIC, reading(), retain=True, qos=1)
            watchdog.feed()
            time.sleep(config.INTERVAL_S)
    except (OSError, MQTTException) as error:  # MQTTException: the broker refused the connection
        print("probe: %r, connecting again in %d s" % (error, config.RETRY_S))
        # Close without DISCONNECT: a clean disconnect would tell the broker to drop the Last Will.
        if client.sock:
            client.sock.close()
        watchdog.feed()
        time.sleep(config.RETRY_S)
