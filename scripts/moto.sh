#!/usr/bin/env bash
# moto.sh start|stop|endpoint runs the moto server (DynamoDB, SQS, SSM) the tests talk to, in
# the background on a free loopback port. start writes .tools/moto.pid and .tools/moto.port and
# returns once moto answers; stop ends it; endpoint prints its URL.
# Install moto first with scripts/tools.sh (make tools).
set -euo pipefail
cd "$(dirname "$0")/.."

pidfile=.tools/moto.pid
portfile=.tools/moto.port
logfile=.tools/moto.log
bin=.tools/venv/bin/moto_server
# moto_server.py serialises DynamoDB requests, as DynamoDB serialises conditional writes.
launcher=scripts/moto_server.py
py=.tools/venv/bin/python

running() {
	[[ -f $pidfile ]] || return 1
	local pid
	pid=$(cat "$pidfile")
	kill -0 "$pid" 2>/dev/null && grep -q moto_server "/proc/$pid/cmdline" 2>/dev/null
}

endpoint() { echo "http://127.0.0.1:$(cat "$portfile")"; }

# answers reports whether an HTTP server answers at $1 (any status counts).
answers() {
	"$py" - "$1" <<'PY'
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1] + "/moto-api/", timeout=1)
except urllib.error.HTTPError:
    pass
except Exception:
    sys.exit(1)
PY
}

start() {
	if running; then
		echo "moto: already running at $(endpoint)"
		return
	fi
	if [[ ! -x $bin ]]; then
		echo "moto: $bin is missing: run scripts/tools.sh (make tools) first" >&2
		exit 1
	fi
	local port started
	port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	started=${EPOCHREALTIME/./}
	nohup "$py" "$launcher" -H 127.0.0.1 -p "$port" >"$logfile" 2>&1 &
	echo $! >"$pidfile"
	echo "$port" >"$portfile"
	for _ in $(seq 600); do
		if answers "http://127.0.0.1:$port"; then
			echo "moto: listening at http://127.0.0.1:$port (pid $(cat "$pidfile"), up in $(((${EPOCHREALTIME/./} - started) / 1000)) ms)"
			return
		fi
		if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
			echo "moto: exited during start-up:" >&2
			cat "$logfile" >&2
			rm -f "$pidfile" "$portfile"
			exit 1
		fi
		sleep 0.1
	done
	echo "moto: no answer on port $port after 60s" >&2
	stop
	exit 1
}

stop() {
	if running; then
		local pid
		pid=$(cat "$pidfile")
		kill "$pid"
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
		echo "moto: stopped (pid $pid)"
	fi
	rm -f "$pidfile" "$portfile"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
endpoint)
	running || { echo "moto: not running" >&2; exit 1; }
	endpoint
	;;
*)
	echo "usage: $0 start|stop|endpoint" >&2
	exit 2
	;;
esac
