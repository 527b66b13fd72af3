#!/usr/bin/env bash
# Wall time of one "mtlsdoctor probe" against curl with the same client
# certificate and request body (hyperfine), of "probe --audit" against the
# same curl, and the rate and peak memory of "probe --targets" over 1,000
# loopback URLs. The server is mtlsdoctor serve on CPU 0; the clients run
# on CPU 1.
#
#   bench/probe.sh                      # ECDSA P-256 certificates
#   KEY=rsa-2048 RUNS=50 bench/probe.sh
#
# A measurement whose flag this build of probe lacks prints
# "skipped: probe --FLAG not implemented".
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-$(mktemp -d /tmp/mtlsdoctor-bench.XXXXXX)}
KEY=${KEY:-ecdsa-p256}
RUNS=${RUNS:-100}
TARGETS=${TARGETS:-1000}
CONCURRENCY=${CONCURRENCY:-8}
PORT=${PORT:-24441}

# shellcheck source=common.sh
. "$REPO/bench/common.sh"
require go curl hyperfine jq taskset /usr/bin/time

echo "bench: working in $WORK" >&2
trap stop_server EXIT
build
dir=$(gen_certs "$KEY")
bin="$WORK/bin/mtlsdoctor"
url="https://127.0.0.1:$PORT/"
tls_flags="--cert $dir/client-crt.pem --key $dir/client-key.pem --ca $dir/test-ca-crt.pem"

# The Dialogflow ES WebhookRequest that curl posts, the shape probe sends.
cat >"$WORK/es-request.json" <<'JSON'
{"responseId":"7a1f0c3e-2b7d-4c1e-9f4e-1d2c3b4a5f60-a14fa99c","session":"projects/mtlsdoctor-probe/agent/sessions/bench-session","queryResult":{"queryText":"mtlsdoctor probe","parameters":{},"allRequiredParamsPresent":true,"fulfillmentText":"","fulfillmentMessages":[{"text":{"text":[""]}}],"outputContexts":[],"intent":{"name":"projects/mtlsdoctor-probe/agent/intents/00000000-0000-0000-0000-000000000000","displayName":"mtlsdoctor probe"},"intentDetectionConfidence":1,"languageCode":"en"},"originalDetectIntentRequest":{"source":"DIALOGFLOW_CONSOLE","payload":{}}}
JSON
curl_cmd="curl -sS --fail -o /dev/null --cert $dir/client-crt.pem --key $dir/client-key.pem --cacert $dir/test-ca-crt.pem -H Content-Type:application/json --data-binary @$WORK/es-request.json $url"

start_server serve "$dir" "$PORT"
$curl_cmd || die "curl against serve failed"
$bin probe "$url" $tls_flags --output json >/dev/null || die "probe against serve failed"

# has_flag NAME reports whether probe has --NAME. The help text is read
# first: "grep -q" on a pipe would stop early and, under pipefail, fail.
probe_help=$("$bin" probe --help 2>&1 || true)
has_flag() {
	grep -q -- "--$1 " <<<"$probe_help"
}

# compare NAME COMMAND runs COMMAND against curl and prints the ratio of
# the mean wall times.
compare() {
	local json="$WORK/hyperfine-$1.json"
	taskset -c "$CLIENT_CPU" hyperfine -N --warmup 10 --runs "$RUNS" --export-json "$json" \
		--export-markdown "$WORK/hyperfine-$1.md" -n "$1" "$2" -n curl "$curl_cmd" >&2
	jq -r --arg name "$1" '
		(.results[] | select(.command == $name) | .mean) as $a |
		(.results[] | select(.command == "curl") | .mean) as $b |
		"\($name): \($a * 1000 | . * 100 | round / 100) ms, curl: \($b * 1000 | . * 100 | round / 100) ms, ratio \($a / $b | . * 100 | round / 100)"' "$json"
}

compare probe "$bin probe $url $tls_flags --output json"

if has_flag audit; then
	compare probe-audit "$bin probe $url $tls_flags --audit --output json"
else
	echo "skipped: probe --audit not implemented"
fi

if has_flag targets; then
	targets="$WORK/targets.txt"
	for i in $(seq "$TARGETS"); do
		echo "https://127.0.0.1:$PORT/endpoint/$i"
	done >"$targets"
	t0=$(now_ns)
	taskset -c "$CLIENT_CPU" /usr/bin/time -v -o "$WORK/targets-time.txt" \
		"$bin" probe --targets "$targets" $tls_flags --concurrency "$CONCURRENCY" --output json >"$WORK/targets.jsonl" ||
		echo "bench: probe --targets exited with $? (see $WORK/targets.jsonl)" >&2
	t1=$(now_ns)
	ok=$(grep -c '"ok": *true' "$WORK/targets.jsonl" || true)
	rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/targets-time.txt")
	awk -v n="$TARGETS" -v ok="$ok" -v a="$t0" -v b="$t1" -v rss="$rss" -v c="$CONCURRENCY" 'BEGIN {
		s = (b - a) / 1e9
		printf "probe --targets: %d URLs (%d ok) in %.2f s with --concurrency %d: %.0f probes/s, peak RSS %.1f MiB\n", n, ok, s, c, n / s, rss / 1024
	}'
else
	echo "skipped: probe --targets not implemented"
fi
