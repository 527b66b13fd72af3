#!/usr/bin/env bash
# Full mutual TLS handshakes per second of server CPU time: mtlsdoctor
# serve against nginx (ssl_verify_client on), openssl s_server
# (-Verify 2 -verify_return_error) and the Node demo server, with the same
# ECDSA P-256 and RSA 2048 certificates from mtlsdoctor gen.
#
#   bench/handshakes.sh                 # 10 s per run, 3 rounds
#   SECONDS_PER_RUN=5 ROUNDS=1 SERVERS="serve nginx" bench/handshakes.sh
#
# Each server runs on CPU 0 and each client on CPU 1. Per round and
# server, two runs follow each other:
#   sequential  one openssl s_time -new client, a full handshake per
#               connection, with the client certificate
#   parallel    bench/loadclient with 8 connections in flight
# The server's CPU time is user plus system time from /proc/PID/stat
# before and after each run; peak RSS is VmHWM at the end of the round.
# The rounds interleave the servers, and the summary shows medians.
# Before the runs, the Go benchmark in bench/floor_test.go measures the
# cryptographic floor of one handshake on the servers' CPU.
# Results: $WORK/results.tsv, $WORK/floor.txt and $WORK/summary.md (WORK
# is printed first).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-$(mktemp -d /tmp/mtlsdoctor-bench.XXXXXX)}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
ROUNDS=${ROUNDS:-3}
KEYS=${KEYS:-"ecdsa-p256 rsa-2048"}
SERVERS=${SERVERS:-"serve nginx s_server node node-strict"}
PARALLEL=${PARALLEL:-8}
# Ports below the Linux ephemeral range, so that no test's client port
# collides with them.
PORT=${PORT:-24431}

# shellcheck source=common.sh
. "$REPO/bench/common.sh"
require go openssl nginx node taskset curl awk

echo "bench: working in $WORK" >&2
trap stop_server EXIT
build

# The cryptographic floor, on the servers' CPU (bench/floor_test.go).
echo "bench: measuring the cryptographic floor of a handshake" >&2
(cd "$REPO" && taskset -c "$SERVER_CPU" go test -run '^$' -bench HandshakeCrypto -benchtime 2s -count 3 ./bench/) \
	>"$WORK/floor.txt" || die "go test -bench HandshakeCrypto failed; see $WORK/floor.txt"

RESULTS="$WORK/results.tsv"
printf 'key\tserver\tmode\tround\thandshakes\twall_s\tcpu_s\tpeak_rss_kib\n' >"$RESULTS"

# check_server NAME CERT_DIR PORT makes sure that the server verifies
# client certificates: a request with the client certificate gets 200,
# and one without gets no 200 (a failed handshake, or nginx's 400 and the
# Node demo's 401).
check_server() {
	local code
	code=$(taskset -c "$CLIENT_CPU" curl -s -o "$WORK/logs/check-$1.txt" -w '%{http_code}' --max-time 10 \
		--cacert "$2/test-ca-crt.pem" --cert "$2/client-crt.pem" --key "$2/client-key.pem" \
		"https://127.0.0.1:$3/") || true
	[ "$code" = 200 ] || die "$1 responded with HTTP $code to a request with a valid client certificate; see $WORK/logs"
	code=$(taskset -c "$CLIENT_CPU" curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
		--cacert "$2/test-ca-crt.pem" "https://127.0.0.1:$3/") || true
	[ "$code" != 200 ] || die "$1 responded with HTTP 200 to a request without a client certificate, so it does not verify clients"
}

# run_sequential DIR prints the number of connections of one s_time run.
run_sequential() {
	taskset -c "$CLIENT_CPU" openssl s_time -connect "127.0.0.1:$PORT" -new \
		-cert "$1/client-crt.pem" -key "$1/client-key.pem" -CAfile "$1/test-ca-crt.pem" \
		-time "$SECONDS_PER_RUN" 2>&1 | tee -a "$WORK/logs/s_time.txt" |
		awk '/connections in .*s;/ {print $1; exit}' || true
}

# run_parallel DIR prints the number of handshakes of one load client run.
run_parallel() {
	taskset -c "$CLIENT_CPU" "$WORK/bin/loadclient" -addr "127.0.0.1:$PORT" \
		-cert "$1/client-crt.pem" -key "$1/client-key.pem" -ca "$1/test-ca-crt.pem" \
		-c "$PARALLEL" -duration "${SECONDS_PER_RUN}s" 2>>"$WORK/logs/loadclient.txt" |
		tee -a "$WORK/logs/loadclient.txt" | sed -n 's/.*handshakes=\([0-9]*\).*/\1/p' || true
}

for round in $(seq "$ROUNDS"); do
	for key in $KEYS; do
		dir=$(gen_certs "$key")
		for server in $SERVERS; do
			start_server "$server" "$dir" "$PORT"
			check_server "$server" "$dir" "$PORT"
			rows=()
			for mode in sequential parallel; do
				ticks0=$(cpu_ticks $SERVER_PIDS)
				t0=$(now_ns)
				if [ "$mode" = sequential ]; then
					count=$(run_sequential "$dir")
				else
					count=$(run_parallel "$dir")
				fi
				t1=$(now_ns)
				ticks1=$(cpu_ticks $SERVER_PIDS)
				wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')
				cpu=$(awk -v a="$ticks0" -v b="$ticks1" -v hz="$CLK_TCK" 'BEGIN {printf "%.2f", (b - a) / hz}')
				rows+=("$key	$server	$mode	$round	${count:-0}	$wall	$cpu")
				echo "bench: round $round $key $server $mode: ${count:-0} handshakes, ${wall} s wall, ${cpu} s server CPU" >&2
			done
			rss=$(peak_rss_kib $SERVER_PIDS)
			for row in "${rows[@]}"; do
				printf '%s\t%s\n' "$row" "$rss" >>"$RESULTS"
			done
			stop_server
		done
	done
done

"$REPO/bench/summarize.sh" "$RESULTS" "$WORK/floor.txt" | tee "$WORK/summary.md"
