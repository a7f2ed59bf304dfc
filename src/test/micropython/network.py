"""MicroPython's network module as the probe uses it, for running it under CPython in tests: a station
interface that is connected once asked to join a network, with a fixed signal strength."""

STA_IF = 0


class WLAN:
    def __init__(self, interface):
        self._active = False
        self._ssid = None

    def active(self, is_active=None):
        if is_active is not None:
            self._active = is_active
        return self._active

    def connect(self, ssid, password):
        if not self._active:
            raise OSError("Wifi Not Started")
        self._ssid = ssid

    def isconnected(self):
        return self._ssid is not None

    def status(self, parameter):
        if parameter != "rssi":
            raise ValueError("unknown status parameter " + parameter)
        return -61
