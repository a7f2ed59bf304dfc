#!/usr/bin/env bash
# Runs Tidegate's whole test suite on a Debian machine: installs the programs the tests start
# (Mosquitto, Prometheus, the upstream Pushgateway, Chromium and its driver for the web page, curl,
# systemd-analyze, Python's Prometheus and MQTT clients for the device examples, docker-compose to
# check docker-compose.yml offline), when missing, then runs `mvn -B verify`.
set -euo pipefail
cd "$(dirname "$0")"

packages=(mosquitto mosquitto-clients prometheus prometheus-pushgateway curl systemd python3-prometheus-client
  python3-paho-mqtt chromium chromium-driver docker-compose nodejs)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update
  for package in "${missing[@]}"; do
    # docker-compose recommends the Docker engine, which no test needs (none runs here)
    recommends=""
    [ "$package" = docker-compose ] && recommends="--no-install-recommends"
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y $recommends "$package"
  done
fi
# The Debian packages start their services on install; the tests start their own on free ports.
for service in mosquitto prometheus prometheus-pushgateway; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$service" 2>/dev/null; then
    echo "test.sh: note: $service service is running; tests use their own instances on free ports"
  fi
done

exec mvn -B verify "$@"
