#!/usr/bin/env bash
# Tidegate's whole stack, natively on loopback, without Docker: the Tidegate jar, Debian's mosquitto
# with the repository's mosquitto/ configuration (users, passwords and ACL included), and Debian's
# prometheus with the repository's prometheus/ configuration and alert rules. Then 50 simulated
# room-temperature probes report: some publish JSON over MQTT (each its own MQTT user, a retained
# message, an empty retained Last Will, an MQTT 5 message expiry as their time to live), the others push
# over HTTP with a Push-TTL header. After a while some go silent (their groups expire once their TTL
# has passed) and some die without a DISCONNECT (SIGKILL: Mosquitto publishes their Last Will and
# Tidegate deletes their group at once); the Prometheus alert TidegateDeviceOffline fires for both.
#
#   examples/demo.sh                      runs until Ctrl-C, then stops everything it started
#   DEMO_DURATION=120 examples/demo.sh    runs two minutes
#
# Needs Java 17 and the Debian packages mosquitto, mosquitto-clients, prometheus and curl. Settings
# (environment variables, defaults in brackets):
#   TIDEGATE_JAR          the jar to run [target/tidegate.jar, built with Maven when missing]
#   DEMO_TIDEGATE_PORT    Tidegate's HTTP port [19091]
#   DEMO_MQTT_PORT        Mosquitto's port [11883]
#   DEMO_PROMETHEUS_PORT  Prometheus' port [19090]
#                         (not the usual ports, which Debian's own services may hold)
#   DEMO_PROBES           how many probes, at most 50, the users in mosquitto/passwd [50]
#   DEMO_INTERVAL         seconds between two readings of a probe [5]
#   DEMO_TTL              seconds a reading lives [30]
#   DEMO_TROUBLE_AFTER    seconds after the start when some probes go silent and some die [60]
#   DEMO_DURATION         seconds to run, 0 for until Ctrl-C [0]
#   DEMO_SCRAPE_INTERVAL  Prometheus' scrape and rule evaluation interval [5s]
#   DEMO_STATUS_EVERY     seconds between two progress lines [10]
#   DEMO_DIR              working directory, kept afterwards [a new temporary directory, removed]
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
tidegate_port=${DEMO_TIDEGATE_PORT:-19091}
mqtt_port=${DEMO_MQTT_PORT:-11883}
prometheus_port=${DEMO_PROMETHEUS_PORT:-19090}
probes=${DEMO_PROBES:-50}
interval=${DEMO_INTERVAL:-5}
ttl=${DEMO_TTL:-30}
trouble_after=${DEMO_TROUBLE_AFTER:-60}
duration=${DEMO_DURATION:-0}
scrape_interval=${DEMO_SCRAPE_INTERVAL:-5s}
status_every=${DEMO_STATUS_EVERY:-10}

say() { printf 'demo: %s\n' "$*"; }
die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }

for setting in tidegate_port mqtt_port prometheus_port probes interval ttl trouble_after duration status_every; do
  [[ ${!setting} =~ ^[0-9]+$ ]] || die "$setting must be a whole number, not \"${!setting}\""
done
(( probes >= 1 && probes <= 50 )) || die "DEMO_PROBES must be 1 to 50 (mosquitto/passwd has probe-01 ... probe-50)"
(( interval >= 1 )) || die "DEMO_INTERVAL must be at least 1"

mosquitto_bin=$(command -v mosquitto || echo /usr/sbin/mosquitto)
[ -x "$mosquitto_bin" ] || die "mosquitto not found: apt-get install mosquitto"
for program in java mosquitto_pub prometheus curl; do
  command -v "$program" >/dev/null || die "$program not found (Debian packages: default-jre-headless, mosquitto-clients, prometheus, curl)"
done

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for setting in tidegate_port mqtt_port prometheus_port; do
  if port_in_use "${!setting}"; then
    die "port ${!setting} is in use; choose another with DEMO_${setting^^}"
  fi
done

jar=${TIDEGATE_JAR:-$repo/target/tidegate.jar}
if [ ! -f "$jar" ]; then
  [ -z "${TIDEGATE_JAR:-}" ] || die "TIDEGATE_JAR=$jar does not exist"
  say "building $jar (mvn -B -q package -DskipTests)"
  (cd "$repo" && mvn -B -q package -DskipTests) || die "the build failed"
fi

if [ -n "${DEMO_DIR:-}" ]; then
  dir=$DEMO_DIR
  mkdir -p "$dir"
  keep_dir=1
else
  dir=$(mktemp -d "${TMPDIR:-/tmp}/tidegate-demo.XXXXXX")
  keep_dir=0
fi

# --- what is running, and stopping it -------------------------------------------------------------

services=()          # pids of Mosquitto, Tidegate, Prometheus, in the order they started
service_names=()
declare -A pub_pid   # probe number -> pid of its mosquitto_pub
declare -A pub_fd    # probe number -> file descriptor its readings are written to
sleeper=""

stop_pid() { # pid: TERM, then KILL after 10 s
  local pid=$1 tries=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null && (( tries < 100 )); do
    sleep 0.1
    tries=$((tries + 1))
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  set +e
  trap - EXIT INT TERM
  say "stopping"
  [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null
  for probe in "${!pub_fd[@]}"; do
    exec {pub_fd[$probe]}>&- # end of input: the probe disconnects cleanly
  done
  for probe in "${!pub_pid[@]}"; do
    stop_pid "${pub_pid[$probe]}"
  done
  local i
  for (( i = ${#services[@]} - 1; i >= 0; i-- )); do # Tidegate before its broker
    stop_pid "${services[$i]}"
  done
  wait 2>/dev/null
  if (( keep_dir )); then
    say "logs and data kept in $dir"
  else
    rm -rf "$dir"
  fi
  say "stopped"
}
trap cleanup EXIT
trap 'exit 0' INT TERM
trap '' PIPE # a probe's mosquitto_pub that died must not take the demo with it

wait_until() { # description seconds pid-to-watch log command...
  local what=$1 seconds=$2 pid=$3 log=$4
  shift 4
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$log" >&2
      die "$what exited; its log: $log"
    fi
    (( SECONDS < deadline )) || die "$what not ready after ${seconds}s; its log: $log"
    sleep 0.2
  done
}

# --- Mosquitto, with the repository's configuration, users and ACL ---------------------------------

mkdir -p "$dir/mosquitto-data"
sed -e "s|^listener .*|listener $mqtt_port 127.0.0.1|" \
    -e "s|^password_file .*|password_file $repo/mosquitto/passwd|" \
    -e "s|^acl_file .*|acl_file $repo/mosquitto/acl|" \
    -e "s|^persistence_location .*|persistence_location $dir/mosquitto-data/|" \
    -e "s|^log_dest .*|log_dest file $dir/mosquitto.log|" \
    "$repo/mosquitto/mosquitto.conf" > "$dir/mosquitto.conf"
# Started as root, Mosquitto would switch to the user "mosquitto", who cannot read this directory.
printf 'user %s\nlog_type information\n' "$(id -un)" >> "$dir/mosquitto.conf"
grep -q "^listener $mqtt_port 127.0.0.1$" "$dir/mosquitto.conf" || die "mosquitto/mosquitto.conf has no listener line to rewrite"
"$mosquitto_bin" -c "$dir/mosquitto.conf" > "$dir/mosquitto.out" 2>&1 &
services+=($!) service_names+=(mosquitto)
wait_until mosquitto 10 "$!" "$dir/mosquitto.out" port_in_use "$mqtt_port"
say "mosquitto listening on 127.0.0.1:$mqtt_port (users: mosquitto/passwd, rights: mosquitto/acl)"

# --- Tidegate, subscribed to it as the user "tidegate" ----------------------------------------------

java -Xmn32m -jar "$jar" \
  --web.listen-address="127.0.0.1:$tidegate_port" \
  --mqtt.url="tcp://127.0.0.1:$mqtt_port" \
  --mqtt.username=tidegate \
  --mqtt.password-file="$repo/mosquitto/tidegate-password" \
  --mqtt.client-id=tidegate-demo \
  --persistence.file="$dir/tidegate.db" \
  --ttl.tombstone=10m \
  > "$dir/tidegate.log" 2>&1 &
services+=($!) service_names+=(tidegate)
wait_until tidegate 60 "$!" "$dir/tidegate.log" curl -sf "http://127.0.0.1:$tidegate_port/-/ready"
say "tidegate ready on 127.0.0.1:$tidegate_port, subscribed to mosquitto"

# --- Prometheus, with the repository's configuration and rules --------------------------------------

sed -e "s|tidegate:9091|127.0.0.1:$tidegate_port|" \
    -e "s|^\(  scrape_interval:\).*|\1 $scrape_interval|" \
    -e "s|^\(  evaluation_interval:\).*|\1 $scrape_interval|" \
    "$repo/prometheus/prometheus.yml" > "$dir/prometheus.yml"
cp "$repo/prometheus/tidegate-rules.yml" "$dir/"
grep -q "127.0.0.1:$tidegate_port" "$dir/prometheus.yml" || die "prometheus/prometheus.yml has no target tidegate:9091 to rewrite"
prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/prometheus-data" \
  --web.listen-address="127.0.0.1:$prometheus_port" --log.level=warn > "$dir/prometheus.log" 2>&1 &
services+=($!) service_names+=(prometheus)
wait_until prometheus 30 "$!" "$dir/prometheus.log" curl -sf "http://127.0.0.1:$prometheus_port/-/ready"
say "prometheus ready on 127.0.0.1:$prometheus_port, scraping tidegate every $scrape_interval"

# --- the probes -------------------------------------------------------------------------------------
#
# From here on nothing runs in a command substitution, $(...): bash 5.2 fails to run a signal trap
# that arrives while it parses one, and the demo would not stop cleanly on Ctrl-C.

# Probes 1 .. 3/5 of them publish over MQTT, the rest push over HTTP. Of the MQTT ones, the last sixth
# die and the sixth before them go silent; of the HTTP ones, the last quarter go silent.
mqtt_probes=$((probes * 3 / 5))
dying=$((mqtt_probes / 6))
silent_mqtt=$((mqtt_probes / 6))
silent_http=$(((probes - mqtt_probes) / 4))
first_silent_mqtt=$((mqtt_probes - dying - silent_mqtt + 1))
first_dying=$((mqtt_probes - dying + 1))
first_silent_http=$((probes - silent_http + 1))
rooms=(kitchen hall office bedroom bathroom lab attic cellar garage studio)
declare -A state name topic # probe number -> reporting, silent or dead; its MQTT user name; its topic
for (( i = 1; i <= probes; i++ )); do
  state[$i]=reporting
  printf -v "name[$i]" 'probe-%02d' "$i"
  topic[$i]="metrics/job/room_probe/instance/${name[$i]}/room/${rooms[$((i % ${#rooms[@]}))]}"
done

range() { # variable first last: sets variable to "probe-21..probe-25", "probe-21" or "none"
  if (( $2 > $3 )); then
    printf -v "$1" none
  elif (( $2 == $3 )); then
    printf -v "$1" '%s' "${name[$2]}"
  else
    printf -v "$1" '%s..%s' "${name[$2]}" "${name[$3]}"
  fi
}

reading() { # variable probe: a plausible temperature, different per room, wandering a little
  local tenths=$((190 + ($2 % 7) * 5 + RANDOM % 10))
  printf -v "$1" '%d.%d' $((tenths / 10)) $((tenths % 10))
}

for (( i = 1; i <= mqtt_probes; i++ )); do
  fifo="$dir/${name[$i]}.fifo"
  mkfifo "$fifo"
  # One connection per probe for its whole life, fed a line per reading; its Last Will (an empty
  # retained message on its own topic) is what Mosquitto publishes if it drops off without DISCONNECT.
  mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" -V mqttv5 -q 1 -r -l \
    -i "${name[$i]}" -u "${name[$i]}" -P "demo-${name[$i]}" -t "${topic[$i]}" \
    -D publish message-expiry-interval "$ttl" \
    --will-topic "${topic[$i]}" --will-payload '' --will-retain --will-qos 1 \
    < "$fifo" >> "$dir/probes.log" 2>&1 &
  pub_pid[$i]=$!
  exec {fd}>"$fifo"
  pub_fd[$i]=$fd
  rm "$fifo" # both ends are open; the name is no longer needed
done

publish_readings() {
  local i value http=() answer refused=0
  for (( i = 1; i <= probes; i++ )); do
    [ "${state[$i]}" = reporting ] || continue
    reading value "$i"
    if (( i <= mqtt_probes )); then
      if ! printf '{"room_temperature_celsius": %s}\n' "$value" >&"${pub_fd[$i]}" 2>/dev/null; then
        say "${name[$i]}'s MQTT connection is gone (see $dir/probes.log)"
        state[$i]=dead
      fi
    else
      (( ${#http[@]} == 0 )) || http+=(--next)
      http+=(-s -o /dev/null -w '%{http_code}\n' -X PUT -H "Push-TTL: ${ttl}s"
        --data-binary "# TYPE room_temperature_celsius gauge"$'\n'"room_temperature_celsius $value"$'\n'
        "http://127.0.0.1:$tidegate_port/${topic[$i]}")
    fi
  done
  (( ${#http[@]} > 0 )) || return 0
  curl "${http[@]}" > "$dir/answers" 2>/dev/null || true
  while IFS= read -r answer; do
    [ "$answer" = 200 ] || refused=$((refused + 1))
  done < "$dir/answers"
  (( refused == 0 )) || say "$refused HTTP pushes were not answered 200"
}

make_trouble() {
  local i silent_mqtt_names dying_names silent_http_names
  for (( i = first_silent_mqtt; i < first_dying; i++ )); do
    state[$i]=silent
    exec {pub_fd[$i]}>&- # end of input: mosquitto_pub disconnects cleanly, no Last Will
    unset "pub_fd[$i]"
  done
  for (( i = first_dying; i <= mqtt_probes; i++ )); do
    state[$i]=dead
    kill -KILL "${pub_pid[$i]}" 2>/dev/null || true
    wait "${pub_pid[$i]}" 2>/dev/null || true
    exec {pub_fd[$i]}>&-
    unset "pub_fd[$i]" "pub_pid[$i]"
  done
  for (( i = first_silent_http; i <= probes; i++ )); do
    state[$i]=silent
  done
  range silent_mqtt_names "$first_silent_mqtt" $((first_dying - 1))
  range dying_names "$first_dying" "$mqtt_probes"
  range silent_http_names "$first_silent_http" "$probes"
  say "t=$((SECONDS - started))s: $silent_mqtt_names go silent (MQTT, disconnecting cleanly): gone from Tidegate once their ${ttl}s TTL has passed"
  say "t=$((SECONDS - started))s: $dying_names die (SIGKILL, no DISCONNECT): Mosquitto publishes their Last Will, Tidegate deletes them at once"
  say "t=$((SECONDS - started))s: $silent_http_names go silent (HTTP): gone from Tidegate once their ${ttl}s TTL has passed"
}

prometheus_value() { # variable PromQL: sets variable to the value of the query's single result, 0 for none
  local answer=""
  if ! curl -sf --get --data-urlencode "query=$2" -o "$dir/query.json" \
      "http://127.0.0.1:$prometheus_port/api/v1/query" 2>/dev/null; then
    printf -v "$1" '?'
    return
  fi
  IFS= read -r answer < "$dir/query.json" || true
  if [[ $answer =~ \"value\":\[[^,]*,\"([^\"]*)\"\] ]]; then
    printf -v "$1" '%s' "${BASH_REMATCH[1]}"
  else
    printf -v "$1" 0
  fi
}

status_line() {
  local i reporting=0 silent=0 dead=0 seen offline
  for (( i = 1; i <= probes; i++ )); do
    case ${state[$i]} in reporting) reporting=$((reporting + 1)) ;; silent) silent=$((silent + 1)) ;; *) dead=$((dead + 1)) ;; esac
  done
  prometheus_value seen 'count(room_temperature_celsius)'
  prometheus_value offline 'count(ALERTS{alertname="TidegateDeviceOffline",alertstate="firing"})'
  say "t=$((SECONDS - started))s: probes reporting $reporting, silent $silent, dead $dead |" \
    "Prometheus sees $seen probes, TidegateDeviceOffline firing for $offline"
}

all_services_running() {
  local i
  for i in "${!services[@]}"; do
    if ! kill -0 "${services[$i]}" 2>/dev/null; then
      say "${service_names[$i]} exited; its log is in $dir"
      return 1
    fi
  done
}

range mqtt_names 1 "$mqtt_probes"
range http_names $((mqtt_probes + 1)) "$probes"
say "t=0s: $probes probes start: $mqtt_names publish JSON over MQTT (message expiry ${ttl}s)," \
  "$http_names push over HTTP (Push-TTL: ${ttl}s), a reading every ${interval}s"
say "trouble comes at t=${trouble_after}s; look at:"
say "  Tidegate's page      http://127.0.0.1:$tidegate_port/"
say "  Prometheus alerts    http://127.0.0.1:$prometheus_port/alerts"
say "  readings             http://127.0.0.1:$prometheus_port/graph?g0.expr=room_temperature_celsius&g0.tab=0"
say "  PromQL: push_expiry_time_seconds - time()     (seconds each probe has left)"
say "          time() - push_time_seconds            (seconds since each probe's last reading)"
say "          push_expired_time_seconds             (tombstones of the probes that expired)"
say "  the ACL: mosquitto_pub -p $mqtt_port -u probe-01 -P demo-probe-01 -t metrics/job/room_probe/instance/probe-02 -m 'x 1'"
say "           is dropped by Mosquitto; -P wrong is refused at connect"
say "Ctrl-C stops everything"

started=$SECONDS
troubled=0
next_status=0
while all_services_running; do
  if (( ! troubled && SECONDS - started >= trouble_after )); then
    make_trouble
    troubled=1
  fi
  publish_readings
  if (( SECONDS - started >= next_status )); then
    status_line
    next_status=$((SECONDS - started + status_every))
  fi
  if (( duration > 0 && SECONDS - started >= duration )); then
    say "t=$((SECONDS - started))s: DEMO_DURATION reached"
    exit 0
  fi
  sleep "$interval" &
  sleeper=$!
  wait "$sleeper" || true
  sleeper=""
done
keep_dir=1 # for the log of the service that exited
exit 1
