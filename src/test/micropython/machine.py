"""The parts of MicroPython's machine module the probe uses, for running it under CPython in tests."""


def unique_id():
    return b"\x24\x6f\x28\x0a\xbc\xde"  # an ESP32's MAC-derived id


class WDT:
    """Fed but never fires: a probe that hangs in a test is caught by the test's own timeout."""

    def __init__(self, id=0, timeout=5000):
        self.timeout = timeout

    def feed(self):
        pass
