# Shared helpers of the end-to-end benchmark scripts (sourced, not run). Everything runs on loopback; every
# process a script starts is recorded by pid and stopped on exit; the work directory is removed unless KEEP=1.
# Benchmarks never run in `mvn verify`; only each script's `--smoke` run does, as a format check (E2eSmokeIT).

E2E=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH=$(cd "$E2E/.." && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
RESULTS=${RESULTS:-$BENCH/results/e2e}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
W=$(mktemp -d /tmp/vpnlb-e2e.XXXXXX)
PIDS=()
JAVA=${JAVA:-java}
VPNLB_JAVA_OPTS=${VPNLB_JAVA_OPTS:-}
LOOPS=${LOOPS:-$(nproc)}
# VIP and member ports; override with BENCH_PORT if they clash with something else on this machine.
BASE=${BENCH_PORT:-25500}
VIP=127.0.0.1
IKE_PORT=$BASE
NATT_PORT=$((BASE + 1))
MEMBER_IKE_PORT=$((BASE + 100))
MEMBER_NATT_PORT=$((BASE + 101))
MEMBER_A=127.0.3.1
MEMBER_B=127.0.3.2
MEMBERS="$MEMBER_A:$MEMBER_NATT_PORT,$MEMBER_B:$MEMBER_NATT_PORT"

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  local nginx_pid=
  [ -f "$W/nginx.pid" ] && nginx_pid=$(cat "$W/nginx.pid") && kill "$nginx_pid" 2>/dev/null
  for pid in "${PIDS[@]}" $nginx_pid; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  [ "${KEEP:-0}" = 1 ] && log "work directory kept: $W" || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# open_results NAME [TAG]: sets OUT, the path (without .log/.tsv) of this run's output:
# results/e2e/NAME-STAMP[-TAG], or for a --smoke run NAME-smoke in the work directory (removed on exit).
open_results() {
  mkdir -p "$RESULTS"
  OUT=$RESULTS/$1-$STAMP${2:+-$2}
  [ "${SMOKE:-0}" = 1 ] && OUT=$W/$1-smoke
  return 0
}

# Stops the whole script after $1 seconds whatever happens (bounded runtime).
watchdog() {
  ( s=; trap 'kill $s 2>/dev/null; exit 0' TERM
    sleep "$1" & s=$!; wait $s; log "watchdog: ${1}s elapsed, stopping"; kill -TERM $$ ) 2>/dev/null &
  PIDS+=($!)
}

# Installs Debian packages that are missing (root, as on these machines).
ensure_pkgs() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' 2>/dev/null | head -1)" ]; then
    apt-get update -qq
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$W/apt.log" 2>&1 \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
           "${missing[@]}" >"$W/apt.log" 2>&1; } || { cat "$W/apt.log" >&2; return 1; }
}

# The Debian nginx package starts a default server on port 80 where an init system runs; this one is ours only.
ensure_nginx() {
  ensure_pkgs nginx libnginx-mod-stream || return 1
  [ -f /usr/lib/nginx/modules/ngx_stream_module.so ] || { log "nginx stream module missing"; return 1; }
}

build_udpgen() {
  command -v cc >/dev/null || ensure_pkgs gcc libc6-dev
  cc -O2 -pthread -o "$W/udpgen" "$E2E/udpgen.c" || return 1
  UDPGEN=$W/udpgen
}

# Uses a private copy of lb-control/target/vpnlb.jar (built when missing), so that a build running meanwhile in
# the work tree cannot swap or delete the jar between two paths of one run.
ensure_jar() {
  local built=$ROOT/lb-control/target/vpnlb.jar
  if [ ! -f "$built" ]; then
    log "building $built"
    (cd "$ROOT" && mvn -q -B -pl lb-control -am package -DskipTests -DskipFuzz) || return 1
  fi
  JAR=$W/vpnlb.jar
  cp "$built" "$JAR" || return 1
  log "vpnlb.jar of $(date -u -r "$built" +%FT%TZ), $(cd "$ROOT" && git log -1 --format=%h 2>/dev/null) + work tree"
  # BASELINE_JAR=FILE adds the path vpnlb-baseline (epoll) with that jar: a before/after pair in the same run
  if [ -n "${BASELINE_JAR:-}" ]; then
    cp "$BASELINE_JAR" "$W/vpnlb-baseline.jar" || return 1
    log "baseline: $BASELINE_JAR ($(date -u -r "$BASELINE_JAR" +%FT%TZ))"
  fi
}

# Raise the fd limit: every UDP session holds an upstream socket (in vpnlb and in nginx). Without
# CAP_SYS_RESOURCE (as in this sandbox) only up to the hard limit, which then bounds the concurrent sessions.
raise_nofile() { ulimit -n "${1:-1048576}" 2>/dev/null || ulimit -n "$(ulimit -Hn)"; }
nofile_limit() { ( raise_nofile; ulimit -n ); }

# write_vpnlb_config FILE TRANSPORT [TYPE] [IDLE] [MAX_SESSIONS]
write_vpnlb_config() {
  local file=$1 transport=$2 type=${3:-ikev2} idle=${4:-60s} max=${5:-200000}
  local ports="[\"$IKE_PORT:$MEMBER_IKE_PORT\", \"$NATT_PORT:$MEMBER_NATT_PORT\"]"
  [ "$type" = udp ] && ports="[\"$NATT_PORT:$MEMBER_NATT_PORT\"]"
  cat >"$file" <<EOF
transport: $transport
admin: { listen: "127.0.0.1:0", token-file: $W/admin.token }
services:
  - name: bench
    type: $type
    listen: $VIP
    ports: $ports
    pool: members
    session-idle-timeout: $idle
    max-sessions: $max
pools:
  - name: members
    algorithm: maglev
    members:
      - { address: $MEMBER_A }
      - { address: $MEMBER_B }
EOF
}

# start_vpnlb CONFIG NAME [JAR]: runs the balancer with $LOOPS event loops and waits until it serves.
start_vpnlb() {
  local config=$1 name=$2 jar=${3:-$JAR}
  ( raise_nofile; exec $JAVA $VPNLB_JAVA_OPTS -jar "$jar" run --config "$config" --event-loops "$LOOPS" ) \
    >"$W/$name.log" 2>&1 &
  VPNLB_PID=$!
  PIDS+=("$VPNLB_PID")
  for _ in $(seq 1 300); do
    grep -q "vpnlb running" "$W/$name.log" && break
    kill -0 "$VPNLB_PID" 2>/dev/null || { cat "$W/$name.log" >&2; return 1; }
    sleep 0.1
  done
  grep -q "vpnlb running" "$W/$name.log" || { log "vpnlb did not start"; cat "$W/$name.log" >&2; return 1; }
  ADMIN_URL=$(grep -o 'http://127.0.0.1:[0-9]*/' "$W/$name.log" | head -1)
  grep -E "transport|live on" "$W/$name.log" | sed 's/^.*INFO\] //' >&2
}

stop_vpnlb() {
  [ -n "${VPNLB_PID:-}" ] || return 0
  kill "$VPNLB_PID" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$VPNLB_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$VPNLB_PID" 2>/dev/null
  VPNLB_PID=
}

metric() { # metric NAME: sum of a Prometheus series of the running vpnlb
  # The value is the last field: label values may hold spaces (scope="vip 127.0.0.1").
  curl -s -m 10 "${ADMIN_URL}metrics" | awk -v n="$1" '$1 ~ "^"n"({|$)" {s += $NF} END {printf "%.0f\n", s}'
}

# start_nginx WORKERS PROXY_TIMEOUT: nginx stream UDP proxy on the NAT-T VIP port, hash $remote_addr consistent
# over the two members, as in shared/peers/nginx-udp.sh; one SO_REUSEPORT socket per worker.
start_nginx() {
  local workers=$1 timeout=${2:-60s}
  cat >"$W/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes $workers;
worker_rlimit_nofile 1048576;
pid $W/nginx.pid;
error_log $W/nginx-error.log warn;
events { worker_connections 524288; }
stream {
  access_log off;
  upstream natt { hash \$remote_addr consistent; server $MEMBER_A:$MEMBER_NATT_PORT; server $MEMBER_B:$MEMBER_NATT_PORT; }
  server { listen $VIP:$NATT_PORT udp reuseport; proxy_pass natt; proxy_timeout $timeout; }
}
EOF
  nginx -t -q -c "$W/nginx.conf" -e "$W/nginx-error.log" || return 1
  ( raise_nofile; exec nginx -c "$W/nginx.conf" -e "$W/nginx-error.log" -g 'daemon on;' )
  for _ in $(seq 1 50); do [ -s "$W/nginx.pid" ] && break; sleep 0.1; done
  log "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') with $workers worker(s) on UDP $VIP:$NATT_PORT"
}

stop_nginx() {
  [ -f "$W/nginx.pid" ] || return 0
  local pid workers; pid=$(cat "$W/nginx.pid")
  # the workers first: after a graceful stop they would linger with their UDP sessions until proxy_timeout
  workers=$(pgrep -P "$pid")
  kill -QUIT "$pid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" $workers 2>/dev/null
  rm -f "$W/nginx.pid"
}

# The transports vpnlb can run here (io_uring may be disabled by the kernel).
io_uring_ok() {
  [ "$(cat /proc/sys/kernel/io_uring_disabled 2>/dev/null || echo 0)" = 0 ]
}

machine_line() {
  echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), kernel $(uname -r)," \
       "$($JAVA -version 2>&1 | head -1), nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), date $(date -u +%FT%TZ)," \
       "load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

# Extracts key=value from a RESULT line: field LINE KEY
field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k {print $2}'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# Non-zero drop counters of the running vpnlb, as "reason=N ..." summed over listeners.
drops_by_reason() {
  curl -s -m 10 "${ADMIN_URL}metrics" | awk '/^vpnlb_drops_total/ && $NF > 0 {
      match($0, /reason="[^"]*"/); r = substr($0, RSTART + 8, RLENGTH - 9); s[r] += $NF }
    END { for (r in s) printf "%s=%.0f ", r, s[r]; print "" }'
}

# ---- TLS benchmarks (tls-handshakes.sh, tls-throughput.sh) ----------------------------------------------------------
# VIP port of the TLS paths, and the two members on 127.0.3.1: plain TCP (behind terminating balancers) and TLS
# (passthrough and direct).
TLS_PORT=$((BASE + 43))
TLS_MEMBER_PORT=$((BASE + 143))
TLS_MEMBER_TLS_PORT=$((BASE + 144))

build_tlsgen() {
  command -v cc >/dev/null || ensure_pkgs gcc libc6-dev
  ensure_pkgs libssl-dev || return 1
  cc -O2 -pthread -o "$W/tlsgen" "$E2E/tlsgen.c" -lssl -lcrypto || return 1
  TLSGEN=$W/tlsgen
}

# make_certs: $W/ecdsa.pem (P-256) and $W/rsa.pem (2048 bits), self-signed, certificate and key in one PEM file (the
# form both vpnlb's tls.certificate and HAProxy's crt take).
make_certs() {
  local c
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$W/ecdsa.key" -out "$W/ecdsa.crt" \
    -days 30 -subj "/CN=vpn.bench.test" 2>/dev/null || return 1
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/rsa.key" -out "$W/rsa.crt" -days 30 \
    -subj "/CN=vpn.bench.test" 2>/dev/null || return 1
  for c in ecdsa rsa; do cat "$W/$c.crt" "$W/$c.key" >"$W/$c.pem"; done
}

# wait_tcp PORT [ADDR]: until something listens there (ss, no connection made).
wait_tcp() {
  local port=$1 address=${2:-127.0.0.1}
  for _ in $(seq 1 100); do
    ss -Hltn "sport = :$port" 2>/dev/null | grep -q "$address:$port" && return 0
    sleep 0.1
  done
  log "nothing listens on $address:$port"; return 1
}

# start_tls_members: tlsgen members (2 threads each): plain on TLS_MEMBER_PORT, TLS (ECDSA) on TLS_MEMBER_TLS_PORT.
start_tls_members() {
  "$TLSGEN" serve --listen "$MEMBER_A:$TLS_MEMBER_PORT" --threads 2 >"$W/member-plain.log" 2>&1 &
  PIDS+=($!)
  "$TLSGEN" serve --listen "$MEMBER_A:$TLS_MEMBER_TLS_PORT" --threads 2 --cert "$W/ecdsa.pem" \
    >"$W/member-tls.log" 2>&1 &
  PIDS+=($!)
  wait_tcp "$TLS_MEMBER_PORT" "$MEMBER_A" && wait_tcp "$TLS_MEMBER_TLS_PORT" "$MEMBER_A"
}

# write_vpnlb_tls_config FILE TYPE MODE [CERT]: one TCP service on $VIP:$TLS_PORT, transport epoll; MODE terminate
# (to the plain member) or passthrough (to the TLS member); TYPE sstp (SSTP request check and packet inspection in
# terminate mode) or tcp (TLS offload only).
write_vpnlb_tls_config() {
  local file=$1 type=$2 mode=$3 cert=${4:-} member=$TLS_MEMBER_PORT tls
  if [ "$mode" = passthrough ]; then
    member=$TLS_MEMBER_TLS_PORT; tls="{ mode: passthrough }"
  else
    tls="{ mode: $mode, certificate: $cert }"
  fi
  cat >"$file" <<EOF
transport: epoll
admin: { listen: "127.0.0.1:0", token-file: $W/admin.token }
services:
  - name: bench
    type: $type
    listen: $VIP
    ports: ["$TLS_PORT:$member"]
    pool: members
    max-sessions: 100000
    tls: $tls
pools:
  - name: members
    algorithm: least-sessions
    members:
      - { address: $MEMBER_A }
EOF
}

# start_haproxy MODE [CERT]: HAProxy in mode tcp with $LOOPS threads on $VIP:$TLS_PORT; MODE terminate (bind ... ssl
# crt CERT, to the plain member) or passthrough (no TLS, to the TLS member). Foreground (-db), recorded in PIDS.
start_haproxy() {
  local mode=$1 cert=${2:-} bind="bind $VIP:$TLS_PORT" server="$MEMBER_A:$TLS_MEMBER_TLS_PORT"
  if [ "$mode" = terminate ]; then bind="$bind ssl crt $cert"; server="$MEMBER_A:$TLS_MEMBER_PORT"; fi
  cat >"$W/haproxy.cfg" <<EOF
global
  nbthread $LOOPS
  maxconn 8000
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend bench
  $bind
  default_backend members
backend members
  server m1 $server
EOF
  haproxy -c -q -f "$W/haproxy.cfg" || return 1
  ( raise_nofile; exec haproxy -db -f "$W/haproxy.cfg" ) >"$W/haproxy.log" 2>&1 &
  HAPROXY_PID=$!
  PIDS+=("$HAPROXY_PID")
  wait_tcp "$TLS_PORT" "$VIP" || { cat "$W/haproxy.log" >&2; return 1; }
  log "haproxy $(haproxy -v | head -1 | cut -d' ' -f3) ($mode, $LOOPS threads) on $VIP:$TLS_PORT"
}

stop_haproxy() {
  [ -n "${HAPROXY_PID:-}" ] || return 0
  kill "$HAPROXY_PID" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$HAPROXY_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$HAPROXY_PID" 2>/dev/null
  HAPROXY_PID=
}

# The TLS provider vpnlb reported for its terminating service ("BoringSSL" or "JDK TLS provider: ...").
vpnlb_tls_provider() { grep -o 'TLS [a-z]* with .*' "$W/$1.log" | head -1 | sed 's/.*(\(.*\)), SHA-256.*/\1/'; }

# Non-zero TCP drop counters of the running vpnlb, as "reason=N ...".
tcp_drops_by_reason() {
  curl -s -m 10 "${ADMIN_URL}metrics" | awk '/^vpnlb_tcp_drops_total/ && $2 > 0 {
      match($0, /reason="[^"]*"/); r = substr($0, RSTART + 8, RLENGTH - 9); s[r] += $2 }
    END { for (r in s) printf "%s=%.0f ", r, s[r]; print "" }'
}

tls_machine_line() {
  echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))," \
       "kernel $(uname -r), $($JAVA -version 2>&1 | head -1), haproxy $(haproxy -v | head -1 | cut -d' ' -f3)" \
       "on $(openssl version | cut -d' ' -f1-2), date $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

# JIT compilation time of the running vpnlb so far, in seconds (jstat; empty when unavailable).
jit_seconds() { jstat -compiler "$VPNLB_PID" 2>/dev/null | awk 'NR == 2 {print $4}'; }

# jit_settle MIN CMD...: runs CMD (one chunk of the measured load) again and again, at least MIN seconds, until the
# running vpnlb's JIT compiled for less than 1 s during a chunk, or 4 x MIN seconds (at least 60) have passed.
jit_settle() {
  local min=$1 max start=$SECONDS j0 j1; shift
  [ "$min" = 0 ] && return 0
  max=$((min * 4 > 60 ? min * 4 : 60))
  while :; do
    j0=$(jit_seconds); "$@"; j1=$(jit_seconds)
    [ $((SECONDS - start)) -ge "$max" ] && break
    [ $((SECONDS - start)) -ge "$min" ] && awk -v a="$j0" -v b="$j1" 'BEGIN { exit !(b - a < 1) }' && break
  done
  echo "  JIT warm-up $((SECONDS - start))s: ${j1:-?} s of JIT compilation since start, $(awk -v a="$j0" \
    -v b="$j1" 'BEGIN { printf "%.2f", b - a }') s in its last chunk" | tee -a "$OUT.log"
}
