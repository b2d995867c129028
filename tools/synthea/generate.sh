#!/usr/bin/env bash
# Generates a Synthea 3.3.0 population as FHIR R4 Bulk Data NDJSON (docs/real-world-data.md).
#
#   tools/synthea/generate.sh                  # the 200 adults the committed fixtures come from
#   tools/synthea/generate.sh 2000             # a larger population, same seed
#   tools/synthea/generate.sh 2000 42 target/synthea-2000   # population, seed, output folder
#
# Maven fetches Synthea from Maven Central on the first run; `mvn verify` never runs this.
# Output: <folder>/fhir/<ResourceType>.ndjson (default folder: target/synthea of the repository).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
population="${1:-200}"
seed="${2:-20261206}"
output="${3:-$root/target/synthea}"
case "$output" in /*) ;; *) output="$root/$output" ;; esac

if [ -e "$output/fhir" ]; then
	# A second run into the same folder could mix two populations in one set of files.
	echo "$output/fhir exists: remove it or name another folder" >&2
	exit 1
fi

mvn -B -q -f "$root/tools/synthea/pom.xml" exec:exec \
	-Dsynthea.population="$population" -Dsynthea.seed="$seed" -Dsynthea.clinicianSeed="$seed" \
	-Dsynthea.output="$output"

# Synthea prints its usage and exits 0 on a bad option: only the files say it worked.
if ! [ -s "$output/fhir/Patient.ndjson" ]; then
	echo "Synthea wrote no $output/fhir/Patient.ndjson" >&2
	exit 1
fi
echo "$(wc -l < "$output/fhir/Patient.ndjson") patients in $output/fhir"
