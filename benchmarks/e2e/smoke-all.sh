#!/bin/bash
# Short smoke run of every end-to-end benchmark script: each must start, run its paths for a fraction of a
# second and print its output format ("smoke: ok"). Measures nothing; takes about 5 minutes. `mvn verify` runs
# the same smoke runs as a test (benchmarks/src/test/.../E2eSmokeIT). Exit 0 only if every script passed.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
pass=0; fail=0
for s in udp-throughput udp-latency new-sessions memory alloc-per-datagram cpu-per-datagram tls-handshakes tls-throughput; do
  if timeout 240 "$HERE/$s.sh" --smoke >"/tmp/vpnlb-smoke-$s.log" 2>&1 && grep -q '^smoke: ok' "/tmp/vpnlb-smoke-$s.log"; then
    echo "ok   $s"; pass=$((pass + 1)); rm -f "/tmp/vpnlb-smoke-$s.log"
  else
    echo "FAIL $s (log: /tmp/vpnlb-smoke-$s.log)"; fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
