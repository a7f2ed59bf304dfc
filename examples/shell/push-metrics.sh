#!/bin/sh
# push-metrics.sh: pushes a few facts about this server to Tidegate, from cron.
#
# Install it as /usr/local/bin/push-metrics.sh and run it every 5 minutes from /etc/cron.d/push-metrics:
#
#   TIDEGATE_URL=http://tidegate.example.org:9091
#   */5 * * * * root /usr/local/bin/push-metrics.sh
#
# It pushes, as the group {job="server", instance="<hostname>"}:
#   server_disk_used_ratio{mountpoint}              how full each file system of $DISKS is (0 to 1)
#   server_load1                                    the 1-minute load average
#   server_backup_last_success_timestamp_seconds    when $BACKUP_STAMP was last touched, left out when it is
#                                                   missing (have the backup job touch it when it succeeds)
#
# TTL: a push lives for $TTL (sent as the Push-TTL header); a server that stops pushing disappears from
# /metrics once it runs out. Make it 3 times the cron interval (15m for every 5 minutes): one late or
# missed run is tolerated, two in a row are not.
#
# A failed push (Tidegate unreachable, or the push refused) is an exit status other than 0 and a line on
# standard error saying why, which cron mails to MAILTO. Needs curl 7.76 or newer (--fail-with-body).
#
# "push-metrics.sh --delete" deletes this server's group at once, for when it is decommissioned.
set -eu

TIDEGATE_URL=${TIDEGATE_URL:-http://localhost:9091}
JOB=${JOB:-server}
INSTANCE=${INSTANCE:-$(hostname)}
TTL=${TTL:-15m}
DISKS=${DISKS:-/}
BACKUP_STAMP=${BACKUP_STAMP:-/var/backups/last-success}

group_url="$TIDEGATE_URL/metrics/job/$JOB/instance/$INSTANCE"

metrics() {
    echo '# HELP server_disk_used_ratio Share of the file system in use, as df counts it.'
    echo '# TYPE server_disk_used_ratio gauge'
    for disk in $DISKS; do
        # df -P: one line per file system, fields 3 and 4 are used and available 1K blocks
        df -P "$disk" | awk -v disk="$disk" 'NR == 2 { printf "server_disk_used_ratio{mountpoint=\"%s\"} %.4f\n", disk, $3 / ($3 + $4) }'
    done
    echo '# HELP server_load1 Load average over the last minute.'
    echo '# TYPE server_load1 gauge'
    echo "server_load1 $(cut -d ' ' -f 1 /proc/loadavg)"
    if [ -e "$BACKUP_STAMP" ]; then
        echo '# HELP server_backup_last_success_timestamp_seconds When the last backup succeeded.'
        echo '# TYPE server_backup_last_success_timestamp_seconds gauge'
        echo "server_backup_last_success_timestamp_seconds $(stat -c %Y "$BACKUP_STAMP")"
    fi
}

# send METHOD [curl options]: sends the request to the group's URL; a failure ends the script with a line
# on standard error that has Tidegate's answer (or curl's reason when there is none).
send() {
    method=$1
    shift
    if ! answer=$(curl --silent --show-error --fail-with-body --max-time 10 --retry 2 -X "$method" "$@" "$group_url" 2>&1); then
        echo "push-metrics.sh: $method $group_url failed: $(printf '%s' "$answer" | tr '\n' ' ')" >&2
        exit 1
    fi
}

if [ "${1:-}" = "--delete" ]; then
    send DELETE
else
    body=$(metrics)
    printf '%s\n' "$body" | send PUT -H "Push-TTL: $TTL" --data-binary @-
fi
