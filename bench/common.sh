# Functions shared by the benchmark scripts. Source it; it expects
# WORK (a scratch folder) and REPO (the repository root) to be set.
#
# Every server listens on 127.0.0.1 only, runs on CPU 0 (taskset -c 0),
# and every client runs on CPU 1, so that the server's CPU time is its own.

SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
CLK_TCK=$(getconf CLK_TCK)

die() {
	echo "bench: $*" >&2
	exit 1
}

require() {
	for tool in "$@"; do
		command -v "$tool" >/dev/null || die "$tool is not installed (see docs/benchmarks.md for the packages)"
	done
}

# build compiles mtlsdoctor and the load client into $WORK/bin.
build() {
	mkdir -p "$WORK/bin"
	(cd "$REPO" && go build -o "$WORK/bin/mtlsdoctor" ./cmd/mtlsdoctor) || die "go build ./cmd/mtlsdoctor failed"
	(cd "$REPO" && go build -o "$WORK/bin/loadclient" ./bench/loadclient) || die "go build ./bench/loadclient failed"
}

# gen_certs KEY_TYPE writes a test PKI of that key type into
# $WORK/certs/KEY_TYPE and prints the folder.
gen_certs() {
	local dir="$WORK/certs/$1"
	if [ ! -f "$dir/server-crt.pem" ]; then
		mkdir -p "$dir"
		"$WORK/bin/mtlsdoctor" gen --dir "$dir" --key-type "$1" --host localhost --host 127.0.0.1 >/dev/null ||
			die "mtlsdoctor gen --key-type $1 failed"
	fi
	echo "$dir"
}

# wait_port PORT waits up to 10 s for a listener on 127.0.0.1:PORT.
wait_port() {
	for _ in $(seq 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# cpu_ticks PID... prints the user plus system time of the processes, in
# clock ticks. /proc/PID/stat fields 14 and 15 count every thread.
cpu_ticks() {
	local total=0 pid fields
	for pid in "$@"; do
		# The command name in field 2 may contain spaces, so cut after
		# ") ": the array then starts at field 3.
		read -ra fields <<<"$(sed 's/.*) //' "/proc/$pid/stat")" || continue
		total=$((total + fields[11] + fields[12]))
	done
	echo "$total"
}

# peak_rss_kib PID... prints the largest VmHWM (peak resident set) of the
# processes, in KiB.
peak_rss_kib() {
	local peak=0 pid kib
	for pid in "$@"; do
		kib=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
		[ "${kib:-0}" -gt "$peak" ] && peak=$kib
	done
	echo "$peak"
}

# now_ns prints the wall clock in nanoseconds.
now_ns() {
	date +%s%N
}

# start_server NAME CERT_DIR PORT starts one of the compared servers on
# SERVER_CPU and sets SERVER_PID (the process to stop) and SERVER_PIDS
# (the processes whose CPU time counts).
start_server() {
	local name=$1 dir=$2 port=$3 log="$WORK/logs/$1-$(basename "$2").log"
	mkdir -p "$WORK/logs"
	case $name in
	serve)
		taskset -c "$SERVER_CPU" "$WORK/bin/mtlsdoctor" serve --addr "127.0.0.1:$port" \
			--cert "$dir/server-crt.pem" --key "$dir/server-key.pem" --client-ca "$dir/test-ca-crt.pem" \
			--log-format text 2>"$log" &
		;;
	nginx)
		write_nginx_conf "$dir" "$port"
		taskset -c "$SERVER_CPU" nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" 2>"$log" &
		;;
	s_server)
		taskset -c "$SERVER_CPU" openssl s_server -accept "127.0.0.1:$port" \
			-cert "$dir/server-crt.pem" -key "$dir/server-key.pem" -CAfile "$dir/test-ca-crt.pem" \
			-Verify 2 -verify_return_error -www -quiet </dev/null >"$log" 2>&1 &
		;;
	node)
		taskset -c "$SERVER_CPU" node "$REPO/bench/node-demo-server.js" "$port" "$dir" >"$log" 2>&1 &
		;;
	node-strict)
		taskset -c "$SERVER_CPU" node "$REPO/bench/node-demo-server.js" "$port" "$dir" strict >"$log" 2>&1 &
		;;
	*)
		die "unknown server $name"
		;;
	esac
	SERVER_PID=$!
	wait_port "$port" || die "$name did not listen on 127.0.0.1:$port; see $log"
	SERVER_PIDS="$SERVER_PID"
	if [ "$name" = nginx ]; then
		SERVER_PIDS="$SERVER_PID $(pgrep -P "$SERVER_PID" | tr '\n' ' ')"
	fi
}

# stop_server stops the server that start_server started.
stop_server() {
	[ -n "${SERVER_PID:-}" ] || return 0
	kill "$SERVER_PID" 2>/dev/null || true
	wait "$SERVER_PID" 2>/dev/null || true
	SERVER_PID=
}

# write_nginx_conf CERT_DIR PORT writes a one-worker nginx configuration
# that requires and verifies a client certificate.
write_nginx_conf() {
	mkdir -p "$WORK/nginx/temp"
	cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/temp/body;
    proxy_temp_path $WORK/nginx/temp/proxy;
    fastcgi_temp_path $WORK/nginx/temp/fastcgi;
    uwsgi_temp_path $WORK/nginx/temp/uwsgi;
    scgi_temp_path $WORK/nginx/temp/scgi;
    server {
        listen 127.0.0.1:$2 ssl;
        ssl_certificate $1/server-crt.pem;
        ssl_certificate_key $1/server-key.pem;
        ssl_client_certificate $1/test-ca-crt.pem;
        ssl_verify_client on;
        ssl_verify_depth 2;
        # nginx enables TLS 1.3 by default only since 1.23.4, and every
        # other server here negotiates TLS 1.3.
        ssl_protocols TLSv1.2 TLSv1.3;
        location / { return 200 "client certificate \$ssl_client_verify\n"; }
    }
}
CONF
}
