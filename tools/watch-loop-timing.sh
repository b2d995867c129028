#!/bin/sh
# Times the authoring loop (docs/authoring.md, "How fast"): starts `bin/authoring test --watch`
# on a copy of the knowledge, then edits a library N times (default 10), each time waiting for
# the result line, and prints each edit-save-result time and their median.
# usage: tools/watch-loop-timing.sh [Library] [edits]
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
library=${1:-HBVScreening}
edits=${2:-10}
copy=$(mktemp -d)
out="$copy/watch.log"
cp -r "$root/cql" "$root/fhir-resources" "$root/hooks" "$copy/"
# A library without cases of its own (MyositisCommon): every library's cases.
scope=""
[ -d "$root/cql/tests/$library" ] && scope="--library $library"
"$root/bin/authoring" test $scope --watch --project "$copy" >"$out" 2>&1 &
watcher=$!
trap 'kill $watcher 2>/dev/null; rm -rf "$copy"' EXIT
until grep -q '^Watching' "$out"; do sleep 0.2; done
results() { grep -c ' passed, ' "$out"; }
times=""
i=1
while [ "$i" -le "$edits" ]; do
  before=$(results)
  start=$(date +%s%N)
  printf '\n// edit %s\n' "$i" >>"$copy/cql/$library.cql"
  while [ "$(results)" -le "$before" ]; do sleep 0.02; done
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "edit $i: $ms ms ($(grep ' passed, ' "$out" | tail -1))"
  times="$times $ms"
  i=$((i + 1))
done
echo "$times" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {m = NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; print "median of " NR " edits: " m " ms"}'
