"""MicroPython's esp32 module as the probe uses it, for running it under CPython in tests."""


def raw_temperature():
    return 70.7  # Fahrenheit, as the ESP32's sensor reports it: 21.5 °C
