#!/bin/sh
# A private Cyrus IMAP (Debian's cyrus-imapd + cyrus-caldav, 3.6 on
# bookworm) serving CalDAV on loopback, to run the benchmark's workload
# against another server (README, Benchmark): `npm run bench -- --url ...`.
# Everything lives in $CYRUS_BENCH_DIR (default /tmp/cyrus-bench): its own
# imapd.conf and cyrus.conf, mail spool, SASL password file with one admin
# (cyrus) and one user (benchuser); the system's Cyrus configuration is not
# touched. Run as root (Cyrus's master drops to the `cyrus` user).
#
#   apt-get install cyrus-imapd cyrus-caldav cyrus-admin sasl2-bin
#   sh bench/cyrus.sh start     # prints the bench command
#   sh bench/cyrus.sh stop      # stops it and deletes the directory
set -eu
DIR=${CYRUS_BENCH_DIR:-/tmp/cyrus-bench}
HTTP_PORT=${CYRUS_BENCH_HTTP_PORT:-8008}
IMAP_PORT=${CYRUS_BENCH_IMAP_PORT:-11143}
USER_NAME=benchuser
USER_PW=bench-cyrus-pw
ADMIN_PW=bench-cyrus-admin
BIN=/usr/lib/cyrus/bin

stop() {
  if [ -f "$DIR/run/master.pid" ]; then
    kill "$(cat "$DIR/run/master.pid")" 2>/dev/null || true
    sleep 2
  fi
  rm -rf "$DIR"
}

start() {
  [ -x "$BIN/master" ] && [ -x "$BIN/httpd" ] || { echo "no Cyrus: apt-get install cyrus-imapd cyrus-caldav cyrus-admin sasl2-bin" >&2; exit 1; }
  stop
  mkdir -p "$DIR/lib/db" "$DIR/lib/socket" "$DIR/lib/log" "$DIR/spool" "$DIR/sieve" "$DIR/run/proc" "$DIR/run/lock" "$DIR/run/socket"
  cat > "$DIR/imapd.conf" <<CONF
configdirectory: $DIR/lib
proc_path: $DIR/run/proc
mboxname_lockpath: $DIR/run/lock
defaultpartition: default
partition-default: $DIR/spool
sievedir: $DIR/sieve
admins: cyrus
altnamespace: no
unixhierarchysep: no
allowplaintext: yes
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $DIR/sasldb2
sasl_mech_list: PLAIN LOGIN
httpmodules: caldav
httpallowcompress: no
lmtpsocket: $DIR/run/socket/lmtp
idlesocket: $DIR/run/socket/idle
notifysocket: $DIR/run/socket/notify
syslog_prefix: cyrus-bench
CONF
  # The services need -C: master does not hand its configuration down.
  cat > "$DIR/cyrus.conf" <<CONF
START {
  recover cmd="ctl_cyrusdb -C $DIR/imapd.conf -r"
}
SERVICES {
  imap cmd="imapd -C $DIR/imapd.conf" listen="127.0.0.1:$IMAP_PORT" prefork=0
  http cmd="httpd -C $DIR/imapd.conf" listen="127.0.0.1:$HTTP_PORT" prefork=0
}
EVENTS {
  checkpoint cmd="ctl_cyrusdb -C $DIR/imapd.conf -c" period=30
}
DAEMON {
}
CONF
  # SASL looks users up in the realm of the host name.
  realm=$(hostname)
  printf '%s' "$ADMIN_PW" | saslpasswd2 -p -c -f "$DIR/sasldb2" -u "$realm" cyrus
  printf '%s' "$USER_PW" | saslpasswd2 -p -c -f "$DIR/sasldb2" -u "$realm" "$USER_NAME"
  chown -R cyrus:mail "$DIR"
  chmod 640 "$DIR/sasldb2"
  "$BIN/master" -C "$DIR/imapd.conf" -M "$DIR/cyrus.conf" -p "$DIR/run/master.pid" -d
  for _ in $(seq 1 50); do
    if printf 'lm\n' | cyradm --user cyrus --password "$ADMIN_PW" --port "$IMAP_PORT" 127.0.0.1 >/dev/null 2>&1; then break; fi
    sleep 0.2
  done
  # The user's mailbox; the calendar home under /dav/calendars/user/<name>/ follows on first use.
  printf 'cm user.%s\n' "$USER_NAME" | cyradm --user cyrus --password "$ADMIN_PW" --port "$IMAP_PORT" 127.0.0.1
  curl -sf -o /dev/null -u "$USER_NAME:$USER_PW" -X PROPFIND -H 'Depth: 0' "http://127.0.0.1:$HTTP_PORT/dav/calendars/user/$USER_NAME/" ||
    { echo "Cyrus does not answer CalDAV on 127.0.0.1:$HTTP_PORT" >&2; exit 1; }
  echo "Cyrus CalDAV on http://127.0.0.1:$HTTP_PORT; run:"
  echo "  npm run bench -- --url http://127.0.0.1:$HTTP_PORT --user $USER_NAME --password $USER_PW --home /dav/calendars/user/$USER_NAME/"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: sh bench/cyrus.sh start|stop" >&2; exit 2 ;;
esac
