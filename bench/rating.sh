#!/usr/bin/env bash
# Measures the rating engine against the targets of BENCHMARKS.md: prefix
# lookup and in-memory rating (go test -bench), `switchboard rate` end to end
# on 10M calls against a 1M-prefix deck, importing a 1M-row deck over the API
# on SQLite (and PostgreSQL when SWITCHBOARD_TEST_POSTGRES is set), and
# POST /api/rate under wrk. Usage: bench/rating.sh [calls] [prefixes]
set -uo pipefail
cd "$(dirname "$0")/.."
CALLS=${1:-10000000}
PREFIXES=${2:-1000000}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

echo "## machine"
echo "$(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(go version | cut -d' ' -f3)"

echo "## go test -bench (rating engine)"
go test -run XXX -bench 'Match|Cost|Rate1M|NewDeck' -benchmem -benchtime 2s ./internal/rating/ | grep -E '^Benchmark|^ok' || echo 'rating benchmarks failed'

go build -o "$work/switchboard" ./cmd/switchboard
go run ./bench/gen -deck "$work/deck.csv" -calls "$work/calls.csv" -prefixes "$PREFIXES" -n "$CALLS"
echo "## switchboard rate: $CALLS calls against $PREFIXES prefixes"
/usr/bin/time -f "wall %e s, max RSS %M KB" "$work/switchboard" rate --stats --rates "$work/deck.csv" --calls "$work/calls.csv" >"$work/rated.csv" 2>"$work/rate.err" || true
grep -E '^(deck|calls|wall)' "$work/rate.err"
echo "## every rated row against the big.Rat reference and a map-probing matcher"
go run ./bench/verify -deck "$work/deck.csv" -rated "$work/rated.csv"

port=18473
serve() { # serve DBURL: starts a node on a fresh data dir, sets TOKEN
	local data="$work/data-$RANDOM"
	"$work/switchboard" serve --data "$data" --db "$1" --http "127.0.0.1:$port" --api-per-minute 100000000 >"$work/serve.out" 2>"$work/serve.err" &
	for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
	TOKEN=$(cat "$data/admin.token")
}
import() { # import LABEL: times a replace import of the deck
	local t0 t1
	t0=$(date +%s.%N)
	curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/csv' --data-binary @"$work/deck.csv" \
		"http://127.0.0.1:$port/api/call_rates/import?mode=replace" >"$work/import.json"
	t1=$(date +%s.%N)
	echo "import $PREFIXES rows on $1: $(echo "$t1 - $t0" | bc) s ($(cat "$work/import.json"))"
}
stop() { kill "$(jobs -p)" 2>/dev/null || true; wait 2>/dev/null || true; }

echo "## deck import over the API"
serve ""
import sqlite
if command -v wrk >/dev/null; then
	head -n 100001 "$work/calls.csv" | tail -n 100000 | cut -d, -f2 | grep -E '^[+0-9]+$' >"$work/dests.txt"
	curl -sf -H "Authorization: Bearer $TOKEN" -d '{"destination":"442071234567","duration":60}' "http://127.0.0.1:$port/api/rate" >/dev/null || true
	echo "## POST /api/rate with wrk (SQLite node, $PREFIXES-prefix tariff)"
	SB_TOKEN=$TOKEN SB_DESTS="$work/dests.txt" wrk -t2 -c64 -d15s --latency -s bench/rate.lua "http://127.0.0.1:$port" | grep -E 'Requests/sec|Latency|99%|50%|Non-2xx'
else
	echo "(wrk not installed: apt-get install wrk to measure POST /api/rate)"
fi
stop
if [ -n "${SWITCHBOARD_TEST_POSTGRES:-}" ]; then
	schema="bench_$RANDOM"
	psql "$SWITCHBOARD_TEST_POSTGRES" -qc "CREATE SCHEMA $schema"
	sep='?'; [[ "$SWITCHBOARD_TEST_POSTGRES" == *\?* ]] && sep='&'
	serve "${SWITCHBOARD_TEST_POSTGRES}${sep}search_path=$schema"
	import postgres
	stop
	psql "$SWITCHBOARD_TEST_POSTGRES" -qc "DROP SCHEMA $schema CASCADE"
fi
