#!/bin/bash
# Runs the JMH suite with the GC profiler and keeps the JSON under benchmarks/results/.
# usage: benchmarks/run-jmh.sh [--quick] [REGEX]   (default REGEX 'io.vpnlb.*Benchmark')
#   default settings: the annotations (style.md: 2 forks, 5 x 1 s warm-up, 10 x 1 s measurement)
#   --quick: 1 fork, 3 x 1 s warm-up, 5 x 1 s measurement (for iteration; say so when quoting numbers)
# Builds benchmarks/target/benchmarks.jar when missing; runs a copy so that a concurrent build cannot swap it.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ARGS=(); NAME=full
if [ "${1:-}" = --quick ]; then ARGS=(-f 1 -wi 3 -i 5 -w 1 -r 1); NAME=quick; shift; fi
REGEX=${1:-'io.vpnlb.*Benchmark'}
[ -f "$HERE/target/benchmarks.jar" ] || (cd "$HERE/.." && mvn -q -B -o -pl benchmarks -am package -DskipTests)
mkdir -p "$HERE/results"
JAR=$(mktemp /tmp/benchmarks.XXXXXX.jar); trap 'rm -f "$JAR"' EXIT
cp "$HERE/target/benchmarks.jar" "$JAR"
OUT=$HERE/results/jmh-$NAME-$(date -u +%Y%m%dT%H%M%SZ)
java -jar "$JAR" "$REGEX" "${ARGS[@]}" -prof gc -rf json -rff "$OUT.json" | tee "$OUT.log"
python3 "$HERE/jmh-table.py" "$OUT.json" | tee "$OUT.md"
