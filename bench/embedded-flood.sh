#!/usr/bin/env bash
# How fast a burst of QoS 1 messages published to Tidegate's embedded broker reaches its store:
# starts target/tidegate.jar (embedded broker, no --mqtt.url), publishes N messages with one
# `mosquitto_pub -l` (Debian mosquitto-clients), and waits until Tidegate's own counter
# tidegate_mqtt_messages_received_total says all arrived. Prints publish and total seconds.
#   bench/embedded-flood.sh [messages] [runs]     (defaults: 20000 messages, 3 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
messages=${1:-20000}
runs=${2:-3}
jar=target/tidegate.jar
[ -f "$jar" ] || { echo "embedded-flood: $jar missing; run mvn -B -q package -DskipTests" >&2; exit 2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
work=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
seq 1 "$messages" | sed 's/^/flood_value /' > "$work/lines"
for run in $(seq 1 "$runs"); do
  http=$(free_port); mqtt=$(free_port)
  java -jar "$jar" --web.listen-address=127.0.0.1:$http --mqtt.listen-address=127.0.0.1:$mqtt > "$work/tidegate.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$http/-/ready" > /dev/null && break; sleep 0.25; done
  start=$(date +%s.%N)
  mosquitto_pub -h 127.0.0.1 -p "$mqtt" -t metrics/job/flood -q 1 -l < "$work/lines"
  published=$(date +%s.%N)
  received=0
  while [ "$received" != "$messages" ]; do
    received=$(curl -s "http://127.0.0.1:$http/metrics" | awk '/^tidegate_mqtt_messages_received_total/ {printf "%d", $2}')
    [ "$(echo "$(date +%s.%N) - $start > 300" | bc)" = 1 ] && { echo "run $run: only $received of $messages after 300 s" >&2; exit 1; }
    sleep 0.05
  done
  done_at=$(date +%s.%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  printf 'run %d: %d messages published in %.2f s, all received by Tidegate after %.2f s (%.0f msg/s)\n' "$run" "$messages" \
    "$(echo "$published - $start" | bc)" "$(echo "$done_at - $start" | bc)" "$(echo "$messages / ($done_at - $start)" | bc -l)"
done
