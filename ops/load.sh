#!/usr/bin/env bash
# HTTP load against the release binary on the demo programme, with wrk (Debian's package):
# 64 connections on 2 threads, each scenario for DURATION seconds; prints requests/s and p99
# beside the targets of issue 5 and writes target/load/results.json.
#
#   ops/load.sh                  # demo at scale 587 (~1,000,000 events); SCALE=60 for a quick run
#   KEEP_DIR=/tmp/kirjuri-load ops/load.sh   # reuse a data directory that already holds the demo
set -euo pipefail
cd "$(dirname "$0")/.."

command -v wrk >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk; }
cargo build --release --quiet
bin="target/release/kirjuri"
scale="${SCALE:-587}"
duration="${DURATION:-20}"
out="target/load"
mkdir -p "$out"

data_dir="${KEEP_DIR:-$(mktemp -d)}"
mkdir -p "$data_dir"
cleanup() {
    if [ -n "${server_pid:-}" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    [ -n "${KEEP_DIR:-}" ] || rm -rf "$data_dir"
}
trap cleanup EXIT
export KIRJURI_DATA_DIR="$data_dir" KIRJURI_LOG_FORMAT=json

if [ ! -s "$data_dir/events.sqlite" ]; then
    echo "load: writing the demo at scale $scale into $data_dir" >&2
    "$bin" demo --scale "$scale" > "$out/demo.txt"
fi
# The demo's ids depend only on its seed; the report names Kuopio's (the default seed's below).
kuopio="$(grep -o 'municipality Kuopio (297): [0-9a-f-]*' "$out/demo.txt" 2>/dev/null | awk '{print $4}' || true)"
[ -n "$kuopio" ] || kuopio="2b28401f-f6a9-418a-9662-544806a0ce79"

KIRJURI_BIND=127.0.0.1:0 "$bin" serve > "$out/serve.out" 2> "$out/serve.log" &
server_pid=$!
address=""
for _ in $(seq 1 600); do
    address="$(sed -n 's/^kirjuri listening on \(http:\/\/[^ ]*\)$/\1/p' "$out/serve.out" | head -n1)"
    [ -n "$address" ] && break
    sleep 0.5
done
[ -n "$address" ] || { echo "load: the server did not start" >&2; cat "$out/serve.log" >&2; exit 1; }
echo "load: waiting for the read models to catch up" >&2
for _ in $(seq 1 1200); do
    curl -sf "$address/health/ready" >/dev/null && break
    sleep 1
done
token="$("$bin" token create --tenant "$kuopio" --role staff --role decision_maker --name "load-$$" --expires 1h 2>/dev/null)"
# An experiment of the demo for the lessons the command scenario identifies, and a practice.
first_entity() {
    curl -sf -H "Authorization: Bearer $token" "$address/api/v1/search?kind=$1&limit=1" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["hits"][0]["entity"])'
}
experiment="$(first_entity experiment)"
practice="$(first_entity practice)"
export MUNICIPALITY="$kuopio" EXPERIMENT="$experiment"

# name | target requests/s | target p99 ms | path | wrk arguments
# The GETs of whole documents accept gzip, as every browser does (the picture is 1.6 MB of JSON).
scenarios=(
    "practice-history|15000|20|/api/v1/practices/$practice/history|--gzip"
    "situational-picture|15000|20|/api/v1/municipalities/$kuopio/picture|--gzip"
    "search|3000|30||-s ops/load/search.lua"
    "post-identify-lesson|5000|50||-s ops/load/identify-lesson.lua"
)
printf '%-28s | %12s | %10s | %10s | %10s | %s\n' scenario "requests/s" target "p99 ms" target met
results="["
for scenario in "${scenarios[@]}"; do
    IFS='|' read -r name target_rps target_p99 path args <<< "$scenario"
    wrk_args=()
    for arg in $args; do
        if [ "$arg" = "--gzip" ]; then wrk_args+=(-H "Accept-Encoding: gzip"); else wrk_args+=("$arg"); fi
    done
    report="$(wrk -t2 -c64 -d"${duration}s" --latency -H "Authorization: Bearer $token" "${wrk_args[@]}" "$address$path")"
    echo "$report" > "$out/$name.txt"
    rps="$(echo "$report" | awk '/^Requests\/sec/ {print $2}')"
    p99="$(echo "$report" | awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}')"
    non2xx="$(echo "$report" | awk '/Non-2xx/ {print $NF}')"
    # Only 2xx answers count: a run with any other answer does not meet its target.
    met="$(awk -v r="$rps" -v p="$p99" -v tr="$target_rps" -v tp="$target_p99" -v bad="${non2xx:-0}" \
        'BEGIN {print (r >= tr && p <= tp && bad == 0) ? "yes" : "NO"}')"
    printf '%-28s | %12s | %10s | %10s | %10s | %s%s\n' "$name" "$rps" "$target_rps" "$p99" "$target_p99" "$met" "${non2xx:+ (non-2xx: $non2xx)}"
    results+="{\"scenario\":\"$name\",\"requests_per_s\":$rps,\"p99_ms\":$p99,\"target_requests_per_s\":$target_rps,\"target_p99_ms\":$target_p99,\"non_2xx\":${non2xx:-0}},"
done
echo "${results%,}]" > "$out/results.json"
echo "load: reports in $out/" >&2
