#!/usr/bin/env bash
# Cold start of the packaged jar, several times (docs/performance.md, "Start-up and the jar"):
# from launching `java -jar` to the readiness probe answering UP, then the first request
# (rituximab-order-sign's example) after it, then the resident memory; one line per run. The CPU
# seconds the JVM used until ready are given too: on a shared machine they vary less than the wall time.
#
#   bench/startup.sh                                  # 5 runs of target/myositis-cds.jar
#   bench/startup.sh -n 3 -j other.jar -- -Xmx256m -XX:+UseSerialGC
#
# The service runs in the demo profile (as the load test starts it: no JWT needed) on a random
# port on 127.0.0.1, with its data in a fresh temporary folder that is removed afterwards.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
runs=5
jar="$root/target/myositis-cds.jar"
while [ $# -gt 0 ]; do
	case "$1" in
		-n) runs="$2"; shift 2 ;;
		-j) jar="$2"; shift 2 ;;
		--) shift; break ;;
		*) echo "usage: $0 [-n runs] [-j jar] [-- JVM options]" >&2; exit 2 ;;
	esac
done
example="$root/hooks/examples/rituximab-order-sign.json"

now_ms() { date +%s%3N; }

for run in $(seq "$runs"); do
	port=$((20000 + RANDOM % 20000))
	data="$(mktemp -d)"
	start=$(now_ms)
	java "$@" -jar "$jar" --spring.profiles.active=demo --server.port="$port" \
		--management.server.port="$((port + 1))" --myositis-cds.feedback.data-dir="$data/data" > "$data/service.log" 2>&1 &
	pid=$!
	ready=""
	while kill -0 "$pid" 2>/dev/null; do
		if curl -sf -m 1 "http://127.0.0.1:$((port + 1))/actuator/health/readiness" 2>/dev/null | grep -q UP; then
			ready=$(( $(now_ms) - start ))
			cpu=$(awk -v tick="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / tick}' "/proc/$pid/stat")
			break
		fi
		sleep 0.02
	done
	if [ -z "$ready" ]; then
		echo "run $run: the service exited before it was ready; its log:" >&2
		tail -20 "$data/service.log" >&2
		rm -rf "$data"
		exit 1
	fi
	first=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H 'Content-Type: application/json' \
		--data-binary @"$example" "http://127.0.0.1:$port/cds-services/rituximab-order-sign")
	second=$(curl -s -o /dev/null -w '%{time_total}' -H 'Content-Type: application/json' \
		--data-binary @"$example" "http://127.0.0.1:$port/cds-services/rituximab-order-sign")
	rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status")
	started=$(grep -o 'Started [A-Za-z]* in [0-9.]* seconds' "$data/service.log" | head -1 || true)
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	rm -rf "$data"
	awk -v run="$run" -v ready="$ready" -v first="$first" -v second="$second" -v rss="$rss" -v started="$started" -v cpu="$cpu" 'BEGIN {
		split(first, f, " ");
		printf "run %d: ready %.2f s (%s s of CPU), first request %.0f ms (HTTP %s), second %.0f ms, RSS %d MB (%s)\n",
			run, ready / 1000, cpu, f[2] * 1000, f[1], second * 1000, rss, started }'
done
