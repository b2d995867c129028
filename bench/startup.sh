#!/usr/bin/env bash
# Cold start of the packaged jar, several times (docs/performance.md, "Start-up and the jar"):
# from launching `java -jar` to the readiness probe answering UP, then the first request
# (rituximab-order-sign's example) after it, then the resident memory; one line per run. The CPU
# seconds the JVM used until ready, and the CPU milliseconds each of the two requests cost it, are
# given too: on a shared machine they vary less than the wall times.
#
#   bench/startup.sh                                  # 5 runs of target/myositis-cds.jar
#   bench/startup.sh -n 3 -j other.jar -- -Xmx224m -XX:+UseSerialGC
#   bench/startup.sh -J /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -a -- -Xmx224m -XX:+UseSerialGC
#   bench/startup.sh -c -- -Xmx224m -XX:+UseSerialGC      # JDK 17 with an application class-data archive
#   bench/startup.sh -n 1 -v -- -Xmx224m -XX:+UseSerialGC   # CPU per thread and the log's steps
#   bench/startup.sh -J /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -a -s -P default -- -Xmx224m ...   # as the container
#   bench/startup.sh -n 1 -a -k /tmp/aot -J .../java -- -Xmx224m ... -XX:CompileThresholdScaling=2   # reuse a cache
#
# -J: the java binary (default: java on the PATH).
# -x: the jar extracted first (`-Djarmode=tools extract`, as the Dockerfile runs it): plain jars on the
#     class path instead of the launcher's nested jars.
# -a: JDK 25's ahead-of-time cache, as the Dockerfile builds it: the jar is extracted (the cache needs
#     plain jars on the class path), one training run writes the cache (bin/training-run: stopped once
#     ready, after the warm-ups; not counted), then every run starts with it. Same JVM options in both.
# -c: class-data sharing for the application's classes (AppCDS, JDK 13 and newer), as README's optional step:
#     the jar extracted, one training run writes the archive (-XX:ArchiveClassesAtExit), then every run
#     maps it (-XX:SharedArchiveFile).
# -s: Spring's ahead-of-time processing (-Dspring.aot.enabled=true, in the training run too): the jar must
#     have been processed for the profile it runs in (pom.xml's aot.profiles: none by default, the container's
#     production configuration; mvn -DskipTests -Daot.profiles=demo package for the demo profile).
# -P: the profile, demo (default) or default (production: the first request then gets 401, it carries
#     no JWT; the start is the container's).
# -k: keep the extracted jar and the cache or archive in this folder, and reuse them when they are there
#     already: runs with other run-time options (compiler thresholds, warm-up rounds) can then be
#     alternated against one cache, trained once. Delete the folder after rebuilding the jar.
# -v: after each run, the CPU seconds until ready per JVM thread group (compiler, GC, main, knowledge
#     loader ...) and the service log's lines with their time since launch.
#
# The service runs in the demo profile unless -P says otherwise (as the load test starts it: no JWT needed) on a random
# port on 127.0.0.1, with its data in a fresh temporary folder that is removed afterwards.
# Readiness is polled every 20 ms, with curl only once the management port accepts connections (a
# curl per poll would take CPU from the start being measured).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
runs=5
jar="$root/target/myositis-cds.jar"
java=java
aot=""
cds=""
extract=""
verbose=""
spring_aot=""
keep=""
profile=demo
while [ $# -gt 0 ]; do
	case "$1" in
		-n) runs="$2"; shift 2 ;;
		-j) jar="$2"; shift 2 ;;
		-J) java="$2"; shift 2 ;;
		-a) aot=1; extract=1; shift ;;
		-c) cds=1; extract=1; shift ;;
		-x) extract=1; shift ;;
		-k) keep="$2"; shift 2 ;;
		-s) spring_aot=1; shift ;;
		-P) profile="$2"; shift 2 ;;
		-v) verbose=1; shift ;;
		--) shift; break ;;
		*) echo "usage: $0 [-n runs] [-j jar] [-J java] [-x] [-a] [-c] [-s] [-P demo|default] [-k folder] [-v] [-- JVM options]" >&2; exit 2 ;;
	esac
done
example="$root/hooks/examples/rituximab-order-sign.json"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

now_ms() { date +%s%3N; }

service_args() { # port data-dir
	if [ "$profile" = demo ]; then
		echo --spring.profiles.active=demo
	else
		echo --myositis-cds.public-base-url=http://127.0.0.1:"$1"
	fi
	echo --server.port="$1" --management.server.port="$(($1 + 1))" --myositis-cds.feedback.data-dir="$2"
}

jvm_options=("$@")
[ -z "$spring_aot" ] || jvm_options=(-Dspring.aot.enabled=true "${jvm_options[@]}")
store="${keep:-$work}"
if [ -n "$extract" ]; then
	if [ ! -f "$store/jar/$(basename "$jar")" ]; then
		mkdir -p "$store"
		"$java" -Djarmode=tools -jar "$jar" extract --destination "$store/jar" > /dev/null
	fi
	jar="$store/jar/$(basename "$jar")"
fi
train() { # the option that writes the file, the option that reads it, the file
	local port training_start
	if [ -f "$3" ]; then
		echo "$(basename "$3"): $(du -m "$3" | cut -f1) MB, kept from an earlier training run"
		jvm_options=("$2=$3" "${jvm_options[@]}")
		return
	fi
	port=$((20000 + RANDOM % 20000))
	training_start=$(now_ms)
	# shellcheck disable=SC2046
	if ! "$root/bin/training-run" $((port + 1)) "$java" "${jvm_options[@]}" "$1=$3" \
		-jar "$jar" $(service_args "$port" "$work/training"); then
		exit 1
	fi
	echo "$(basename "$3"): $(du -m "$3" | cut -f1) MB, training run $(( ($(now_ms) - training_start) / 1000 )) s"
	jvm_options=("$2=$3" "${jvm_options[@]}")
}
if [ -n "$aot" ]; then
	train -XX:AOTCacheOutput -XX:AOTCache "$store/app.aot"
fi
if [ -n "$cds" ]; then
	train -XX:ArchiveClassesAtExit -XX:SharedArchiveFile "$store/app.jsa"
fi

# The CPU seconds of each thread of $1, summed by name with digits removed (http-nio-...-exec-1 to 16
# together), except the compilers' (C1 and C2 apart).
threads_cpu() {
	local tick
	tick="$(getconf CLK_TCK)"
	for stat in /proc/"$1"/task/*/stat; do
		cat "$stat" 2>/dev/null || true
		echo
	done | awk -v tick="$tick" 'NF {
		name = $0; sub(/^[0-9]+ \(/, "", name); sub(/\) [A-Z] .*/, "", name); if (name !~ /^C[12] Comp/) gsub(/[0-9]+/, "", name);
		rest = $0; sub(/.*\) /, "", rest); split(rest, f, " ");
		cpu[name] += (f[12] + f[13]) / tick }
		END { for (n in cpu) if (cpu[n] >= 0.05) printf "    %6.2f s  %s\n", cpu[n], n }' | sort -rn
}

# The CPU nanoseconds of the threads of $1 alive now (schedstat: finer than the clock ticks of stat),
# for the CPU each request costs the service, JIT compilation included; load on the machine changes
# it much less than the request's wall time.
cpu_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ns += $1} END {printf "%.0f", ns}'
}

for run in $(seq "$runs"); do
	port=$((20000 + RANDOM % 20000))
	data="$(mktemp -d)"
	start=$(now_ms)
	# shellcheck disable=SC2046
	"$java" "${jvm_options[@]}" -jar "$jar" $(service_args "$port" "$data/data") > "$data/service.log" 2>&1 &
	pid=$!
	ready=""
	while kill -0 "$pid" 2>/dev/null; do
		if (exec 3<>"/dev/tcp/127.0.0.1/$((port + 1))") 2>/dev/null \
			&& curl -sf -m 5 "http://127.0.0.1:$((port + 1))/actuator/health/readiness" 2>/dev/null | grep -q UP; then
			ready=$(( $(now_ms) - start ))
			cpu=$(awk -v tick="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / tick}' "/proc/$pid/stat")
			[ -z "$verbose" ] || threads="$(threads_cpu "$pid")"
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
	before=$(cpu_ns "$pid")
	first=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H 'Content-Type: application/json' \
		--data-binary @"$example" "http://127.0.0.1:$port/cds-services/rituximab-order-sign")
	between=$(cpu_ns "$pid")
	second=$(curl -s -o /dev/null -w '%{time_total}' -H 'Content-Type: application/json' \
		--data-binary @"$example" "http://127.0.0.1:$port/cds-services/rituximab-order-sign")
	after=$(cpu_ns "$pid")
	first_cpu=$(( (between - before) / 1000000 ))
	second_cpu=$(( (after - between) / 1000000 ))
	rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status")
	started=$(grep -o 'Started [A-Za-z]* in [0-9.]* seconds' "$data/service.log" | head -1 || true)
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	awk -v run="$run" -v ready="$ready" -v first="$first" -v second="$second" -v rss="$rss" -v started="$started" -v cpu="$cpu" \
		-v first_cpu="$first_cpu" -v second_cpu="$second_cpu" 'BEGIN {
		split(first, f, " ");
		printf "run %d: ready %.2f s (%s s of CPU), first request %.0f ms (HTTP %s, %d ms of CPU), second %.0f ms (%d ms of CPU), RSS %d MB (%s)\n",
			run, ready / 1000, cpu, f[2] * 1000, f[1], first_cpu, second * 1000, second_cpu, rss, started }'
	if [ -n "$verbose" ]; then
		echo "  CPU until ready, by thread:"
		echo "$threads"
		echo "  the log (seconds since launch):"
		# Spring's lines start with an ISO time; the rest (banner, warnings) are left out.
		awk -v start="$start" '/^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T/ {
			cmd = "date -d \"" $1 "\" +%s%3N"; cmd | getline ms; close(cmd);
			line = $0; sub(/^.* --- \[[^]]*\] \[ *[^]]*\] /, "", line);
			printf "    %6.2f  %s\n", (ms - start) / 1000, substr(line, 1, 150) }' "$data/service.log"
	fi
	rm -rf "$data"
done
