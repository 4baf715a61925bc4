#!/usr/bin/env bash
# Server-side render time of every web page on the demo programme, against the release binary,
# with wrk (Debian's package): a signed-in session, 2 connections on 1 thread (so the latency
# is the server's render time, not queueing), DURATION seconds a page. Prints p50 and p99 per
# page beside issue 6's target (p99 ≤ 30 ms), and the same for /health/live — the HTTP stack's
# floor on this machine — with the ratio to it; writes target/render/results.json.
#
#   ops/render.sh                # the demo at scale 1 (what `serve --with-demo` shows)
#   SCALE=20 ops/render.sh       # a larger programme
#   ops/render.sh --json         # the results as JSON on standard output (the table on standard error)
set -euo pipefail
cd "$(dirname "$0")/.."
exec 3>&1
[ "${1:-}" = "--json" ] && exec 1>&2

command -v wrk >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk; }
cargo build --release --quiet
out="target/render"
mkdir -p "$out"
# A copy, so a build running meanwhile cannot replace the binary under the server.
bin="$out/kirjuri"
cp target/release/kirjuri "$bin"
scale="${SCALE:-1}"
duration="${DURATION:-5}"
target_p99=30

data_dir="$(mktemp -d)"
jar="$(mktemp)"
cleanup() {
    if [ -n "${server_pid:-}" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$data_dir" "$jar"
}
trap cleanup EXIT
export KIRJURI_DATA_DIR="$data_dir" KIRJURI_LOG_FORMAT=json

"$bin" demo --scale "$scale" > "$out/demo.txt"
kuopio="$(grep -o 'municipality Kuopio (297): [0-9a-f-]*' "$out/demo.txt" | awk '{print $4}')"
KIRJURI_BIND=127.0.0.1:0 "$bin" serve > "$out/serve.out" 2> "$out/serve.log" &
server_pid=$!
address=""
for _ in $(seq 1 600); do
    address="$(sed -n 's/^kirjuri listening on \(http:\/\/[^ ]*\)$/\1/p' "$out/serve.out" | head -n1)"
    [ -n "$address" ] && break
    sleep 0.5
done
[ -n "$address" ] || { echo "render: the server did not start" >&2; cat "$out/serve.log" >&2; exit 1; }
for _ in $(seq 1 600); do
    curl -sf "$address/health/ready" >/dev/null && break
    sleep 1
done
# Ready means within 10,000 events of the head; measure only once every read model has caught up.
for _ in $(seq 1 600); do
    lagging="$(curl -sf "$address/metrics" | awk '/^kirjuri_projection_lag_events/ && $NF != 0' | wc -l)"
    [ "$lagging" = 0 ] && break
    sleep 1
done

# Every role that has pages of its own: staff, decision-maker, experiment lead, coach, auditor.
token="$("$bin" token create --tenant "$kuopio" --role staff --role decision_maker --role experiment_lead \
    --role coach --role auditor --person hlo-render --name "render-$$" --expires 1h 2>/dev/null)"
# Sign in through the form, as a browser does.
csrf="$(curl -sf -c "$jar" "$address/sign-in" | grep -o 'name="csrf" value="[^"]*"' | head -n1 | sed 's/.*value="\([^"]*\)"/\1/')"
curl -sf -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf=$csrf" --data-urlencode "next=/" \
    --data-urlencode "token=$token" "$address/sign-in"
session="$(awk '$6 == "kirjuri_session" {print $7}' "$jar")"
[ -n "$session" ] || { echo "render: signing in failed" >&2; exit 1; }

first_entity() {
    curl -sf -H "Authorization: Bearer $token" "$address/api/v1/search?kind=$1&limit=1" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["hits"][0]["entity"])'
}
lesson="$(first_entity lesson)"
experiment="$(first_entity experiment)"
practice="$(first_entity practice)"
today="$(date -u +%F)"
year_ago="$(date -u -d '1 year ago' +%F)"

# name | path
pages=(
    "health-live (floor)|/health/live"
    "situational-picture|/"
    "picture-as-of-a-year-ago|/?as_of=$year_ago"
    "search|/search?q=k%C3%A4ytt%C3%B6%C3%B6notto"
    "lesson|/lessons/$lesson"
    "practices|/practices"
    "practice-history|/practices/$practice"
    "experiments|/experiments"
    "experiment|/experiments/$experiment"
    "timeline|/timeline"
    "audit-trail|/audit/practice/$practice"
    "state-as-of|/state/practice/$practice?as_of=$today"
    "diff|/diff/practice/$practice?from=$year_ago&to=$today"
    "access-log|/access-log"
    "forms|/record"
    "form-lesson|/record/identify-lesson"
    "sign-in|/sign-in"
)
printf '%-26s | %8s | %8s | %8s | %10s | %s\n' page "p50 ms" "p99 ms" target "x floor" met
results="["
floor=""
for entry in "${pages[@]}"; do
    IFS='|' read -r name path <<< "$entry"
    status="$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: kirjuri_session=$session" "$address$path")"
    if [ "$status" != 200 ]; then
        printf '%-26s | %s\n' "$name" "answers $status, not measured"
        results+="{\"page\":\"$name\",\"path\":\"$path\",\"status\":$status},"
        continue
    fi
    for _ in $(seq 1 20); do curl -s -o /dev/null -H "Cookie: kirjuri_session=$session" "$address$path"; done # warm up
    report="$(wrk -t1 -c2 -d"${duration}s" --latency -H "Cookie: kirjuri_session=$session" "$address$path")"
    echo "$report" > "$out/$name.txt"
    to_ms='{v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}'
    p50="$(echo "$report" | awk '$1 == "50%" '"$to_ms")"
    p99="$(echo "$report" | awk '$1 == "99%" '"$to_ms")"
    non2xx="$(echo "$report" | awk '/Non-2xx/ {print $NF}')"
    [ -n "$floor" ] || floor="$p99"
    ratio="$(awk -v p="$p99" -v f="$floor" 'BEGIN {printf "%.1f", (f > 0) ? p / f : 0}')"
    met="$(awk -v p="$p99" -v t="$target_p99" -v bad="${non2xx:-0}" 'BEGIN {print (p <= t && bad == 0) ? "yes" : "NO"}')"
    printf '%-26s | %8s | %8s | %8s | %10s | %s%s\n' "$name" "$p50" "$p99" "$target_p99" "$ratio" "$met" "${non2xx:+ (non-2xx: $non2xx)}"
    results+="{\"page\":\"$name\",\"path\":\"$path\",\"p50_ms\":$p50,\"p99_ms\":$p99,\"target_p99_ms\":$target_p99,\"floor_ratio\":$ratio,\"non_2xx\":${non2xx:-0}},"
done
echo "${results%,}]" > "$out/results.json"
[ "${1:-}" = "--json" ] && cat "$out/results.json" >&3
echo "render: reports in $out/ (scale $scale)" >&2
