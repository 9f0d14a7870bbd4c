#!/usr/bin/env bash
# Measures POST /api/rate alone under wrk against a node whose default
# tariff holds a generated deck. Usage: bench/http_rate.sh [prefixes] [seconds] [connections]
set -uo pipefail
cd "$(dirname "$0")/.."
PREFIXES=${1:-1000000}
SECONDS_=${2:-15}
CONNS=${3:-64}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
echo "## machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(go version | cut -d' ' -f3), load $(cut -d' ' -f1-3 /proc/loadavg)"
go build -o "$work/switchboard" ./cmd/switchboard
go run ./bench/gen -deck "$work/deck.csv" -calls "$work/calls.csv" -prefixes "$PREFIXES" -n 100000
port=18474
data="$work/data"
"$work/switchboard" serve --data "$data" --http "127.0.0.1:$port" --sip off --api-per-minute 100000000 >"$work/serve.out" 2>"$work/serve.err" &
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
TOKEN=$(cat "$data/admin.token")
curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/csv' --data-binary @"$work/deck.csv" \
	"http://127.0.0.1:$port/api/call_rates/import?mode=replace" >/dev/null || { echo "import failed"; exit 1; }
tail -n 100000 "$work/calls.csv" | cut -d, -f2 | grep -E '^[+0-9]+$' >"$work/dests.txt"
curl -sf -H "Authorization: Bearer $TOKEN" -d '{"destination":"442071234567","duration":60}' "http://127.0.0.1:$port/api/rate" >/dev/null || true
echo "## POST /api/rate, wrk -t2 -c$CONNS -d${SECONDS_}s, $PREFIXES-prefix tariff"
SB_TOKEN=$TOKEN SB_DESTS="$work/dests.txt" wrk -t2 -c"$CONNS" -d"${SECONDS_}s" --latency -s bench/rate.lua "http://127.0.0.1:$port" |
	grep -E 'Requests/sec|Latency|99%|50%|Non-2xx'
