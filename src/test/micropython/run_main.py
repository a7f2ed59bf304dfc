"""Runs a MicroPython device program under CPython, for tests: the modules of this directory stand in for
MicroPython's machine, network, esp32 and umqtt.simple, and the device's config.py comes from a
directory the test writes.

    python3 -u run_main.py CONFIG_DIR MAIN_PY [--max-sleeps N]

The device's sleeps are real, but counted: the (N+1)th raises KeyboardInterrupt, as Ctrl-C on the board's
REPL does, so a device program runs a bounded number of loops and a probe a test lost ends by itself.
Like a board whose program stops, the process then ends without an MQTT DISCONNECT.
"""
import argparse
import os
import runpy
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("config_dir")
parser.add_argument("main")
parser.add_argument("--max-sleeps", type=int, default=600)
args = parser.parse_args()

# The device's config.py first, then these stand-ins (this script's directory) before anything installed.
sys.path[0:1] = [os.path.abspath(args.config_dir), os.path.dirname(os.path.abspath(__file__))]

real_sleep = time.sleep
sleeps = 0


def counted_sleep(seconds):
    global sleeps
    if sleeps == args.max_sleeps:
        raise KeyboardInterrupt("%d sleeps" % sleeps)
    sleeps += 1
    real_sleep(seconds)


time.sleep = counted_sleep
try:
    runpy.run_path(args.main, run_name="__main__")
except KeyboardInterrupt as stop:
    print("run_main: interrupted after", stop)
