#!/usr/bin/env bash
# CPU profile of the serve package under handshake load: bench/profserve
# on CPU 0, bench/loadclient on CPU 1, then "go tool pprof -top".
#
#   bench/profile.sh [ecdsa-p256|rsa-2048] [SECONDS]
#
# The profile stays in $WORK/serve-KEY.pprof for "go tool pprof -http".
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-$(mktemp -d /tmp/mtlsdoctor-bench.XXXXXX)}
KEY=${1:-ecdsa-p256}
SECONDS_PER_RUN=${2:-20}
PARALLEL=${PARALLEL:-8}
PORT=${PORT:-24431}

# shellcheck source=common.sh
. "$REPO/bench/common.sh"
require go taskset

echo "bench: working in $WORK" >&2
build
(cd "$REPO" && go build -o "$WORK/bin/profserve" ./bench/profserve) || die "go build ./bench/profserve failed"
dir=$(gen_certs "$KEY")
profile="$WORK/serve-$KEY.pprof"

mkdir -p "$WORK/logs"
taskset -c "$SERVER_CPU" "$WORK/bin/profserve" -addr "127.0.0.1:$PORT" -dir "$dir" -cpuprofile "$profile" \
	2>"$WORK/logs/profserve-$KEY.log" &
SERVER_PID=$!
trap stop_server EXIT
wait_port "$PORT" || die "profserve did not listen on 127.0.0.1:$PORT"

taskset -c "$CLIENT_CPU" "$WORK/bin/loadclient" -addr "127.0.0.1:$PORT" \
	-cert "$dir/client-crt.pem" -key "$dir/client-key.pem" -ca "$dir/test-ca-crt.pem" \
	-c "$PARALLEL" -duration "${SECONDS_PER_RUN}s"
stop_server

go tool pprof -top -nodecount=40 "$WORK/bin/profserve" "$profile" 2>/dev/null
echo
echo "bench: cumulative view:" >&2
go tool pprof -top -cum -nodecount=40 "$WORK/bin/profserve" "$profile" 2>/dev/null
