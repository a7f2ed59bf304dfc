#!/usr/bin/env python3
"""Checks, from inside a network, that its HTTP services answer, and pushes the results to Tidegate
with the official Prometheus client, for a Prometheus outside that cannot reach them to scrape.

    probe.py --gateway http://tidegate.example.org:9091 nas=http://192.0.2.20/ router=http://192.0.2.1/

pushes, as the group {job="http_probe", instance="<hostname>"}, per target:
    probe_success{target}             1 when the target answered with a 2xx or 3xx status, else 0
    probe_http_status_code{target}    the status it answered, 0 when it did not answer
    probe_duration_seconds{target}    how long the check took

Run it from cron or a systemd timer; the push's TTL (--ttl, sent as Tidegate's Push-TTL header) should
be 3 times that interval, so one missed run is tolerated and a probe that stops is gone from /metrics
after that. A push that fails is exit status 1 and a line on standard error saying why.
"""
import argparse
import os
import socket
import sys
import time
import urllib.error
import urllib.request

from prometheus_client import CollectorRegistry, Gauge, delete_from_gateway, push_to_gateway
from prometheus_client.exposition import default_handler


def with_ttl(ttl):
    """A push handler that adds Tidegate's Push-TTL header; the upstream Pushgateway ignores it."""

    def handler(url, method, timeout, headers, data):
        return default_handler(url, method, timeout, headers + [("Push-TTL", ttl)], data)

    return handler


def check(url, timeout):
    """Returns (HTTP status or 0 when there was no answer, seconds the check took) of one GET."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:  # refused, unreachable, timed out, bad TLS
        status = 0
    return status, time.monotonic() - started


def probe(targets, timeout):
    """Checks every target ({name: url}) and returns the results as a registry ready to push."""
    registry = CollectorRegistry()
    success = Gauge("probe_success", "Whether the target answered with a 2xx or 3xx status.",
                    ["target"], registry=registry)
    status_code = Gauge("probe_http_status_code", "HTTP status the target answered, 0 for none.",
                        ["target"], registry=registry)
    duration = Gauge("probe_duration_seconds", "How long the check of the target took.",
                     ["target"], registry=registry)
    for name, url in targets.items():
        status, seconds = check(url, timeout)
        success.labels(name).set(1 if 200 <= status < 400 else 0)
        status_code.labels(name).set(status)
        duration.labels(name).set(seconds)
    return registry


def target(text):
    name, sep, url = text.partition("=")
    if not sep or not name or not url:
        raise argparse.ArgumentTypeError(f"expected NAME=URL, got {text!r}")
    return name, url


def arguments(description):
    """The command line shared by the HTTP and the MQTT probe."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("targets", nargs="*", type=target, metavar="NAME=URL", help="what to check")
    parser.add_argument("--job", default="http_probe", help="job label of the group (default %(default)s)")
    parser.add_argument("--instance", default=socket.gethostname(),
                        help="instance label of the group (default: this host's name)")
    parser.add_argument("--timeout", type=float, default=5, help="seconds to wait for a target (default 5)")
    return parser


def main():
    parser = arguments(__doc__.split("\n\n")[0])
    parser.add_argument("--gateway", default=os.environ.get("TIDEGATE_URL", "http://localhost:9091"),
                        help="Tidegate's URL (default: $TIDEGATE_URL, else http://localhost:9091)")
    parser.add_argument("--ttl", default="3m", help="how long the results stay (default 3m, for a run a minute)")
    parser.add_argument("--delete", action="store_true", help="delete this probe's group instead, when retiring it")
    args = parser.parse_args()
    grouping_key = {"instance": args.instance}
    try:
        if args.delete:
            delete_from_gateway(args.gateway, job=args.job, grouping_key=grouping_key)
        else:
            push_to_gateway(args.gateway, job=args.job, grouping_key=grouping_key,
                            registry=probe(dict(args.targets), args.timeout), handler=with_ttl(args.ttl))
    except urllib.error.HTTPError as error:
        sys.exit(f"probe.py: push to {args.gateway} refused: {error.code} {error.read().decode().strip()}")
    except OSError as error:
        sys.exit(f"probe.py: push to {args.gateway} failed: {getattr(error, 'reason', error)}")


if __name__ == "__main__":
    main()
