# This probe's settings, read by main.py. Kept apart from main.py so that an update of main.py keeps
# them, and so that main.py can be shared without the Wi-Fi password.

WIFI_SSID = "my-network"
WIFI_PASSWORD = "my-password"

BROKER = "192.0.2.10"  # the machine running Tidegate (its embedded broker) or your own MQTT broker
BROKER_PORT = 1883
MQTT_USER = None  # or "probe", with MQTT_PASSWORD, when the broker wants them (Tidegate's embedded
                  # broker does, from another machine, unless run with --mqtt.embedded.allow-anonymous)
MQTT_PASSWORD = None

ROOM = "kitchen"  # the group is {job="room_probe", room="kitchen"}: one room, one probe

INTERVAL_S = 60  # seconds between readings
TTL_S = 3 * INTERVAL_S  # how long a reading stays in Tidegate: one lost reading is tolerated, two are not
RETRY_S = 10  # seconds to wait before connecting again when the network or the broker failed
