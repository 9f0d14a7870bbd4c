#!/usr/bin/env bash
# SIP benchmark: authenticated REGISTER/s, complete calls/s and memory per
# 1,000 active calls on a Switchboard node, and the same scenarios against
# Kamailio (bench/sip/kamailio.cfg) when it is installed.
# Usage: bench/sip/run.sh [users] [sipp processes] [seconds per step]
# Rates to try: REG_RATES, CALL_RATES (totals over all processes, calls/s);
# HOLD: calls held up at once for the memory figure; PROFILE=1 writes CPU
# profiles of the node at PROF_REG and PROF_CALL (default: the highest rates).
set -uo pipefail
cd "$(dirname "$0")/../.."
USERS=${1:-1000}
PROCS=${2:-2}
STEP=${3:-10}
REG_RATES=${REG_RATES:-"500 1000 1500 2000 3000 4000"}
CALL_RATES=${CALL_RATES:-"100 200 300 400 600 800 1000 1500"}
HOLD=${HOLD:-2000}
PROFILE=${PROFILE:-0}
PASS=Secret123
here=bench/sip
work=$(mktemp -d); [ -n "${KEEP:-}" ] && echo "## work dir $work"
OUT=${OUT:-$work}
trap 'kill $(jobs -p) 2>/dev/null; sleep 0.5; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
command -v sipp >/dev/null || { echo "sipp is not installed (apt-get install sip-tester)"; exit 1; }
[ "$USERS" -le 8000 ] || { echo "at most 8000 users (extensions 1000-9999)"; exit 1; }
echo "## machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(go version | cut -d' ' -f3), sipp $(sipp -v 2>&1 | grep -o 'v[0-9.]*' | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
go build -o "$work/sbnode" ./cmd/switchboard || exit 1

http=18490 sip=15090 pprof=16090 kam=25090
data="$work/data"
"$work/sbnode" serve --data "$data" --http "127.0.0.1:$http" --sip "127.0.0.1:$sip" --pprof "127.0.0.1:$pprof" \
	--api-per-minute 100000000 >"$work/serve.out" 2>"$work/serve.err" &
node=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$http/readyz" >/dev/null && break; sleep 0.1; done
ADMIN=$(cat "$data/admin.token")
api() { # method path token [json]
	curl -sf -X "$1" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' ${4:+-d "$4"} "http://127.0.0.1:$http$2"
}
id() { sed -n 's/.*"id":"\([^"]*\)".*/\1/p' | head -1; }
acct=$(api POST /api/accounts "$ADMIN" '{"name":"SIP Bench","type":"reseller"}' | id)
uid=$(api POST /api/users "$ADMIN" "{\"account_id\":\"$acct\",\"username\":\"sipbench\",\"password\":\"pw-sipbench-secret\",\"role\":\"admin\"}" | id)
TOKEN=$(api POST /api/tokens "$ADMIN" "{\"user_id\":\"$uid\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] || { echo "could not create the bench account"; cat "$work/serve.err"; exit 1; }

# Callers c00001.., callees d00001.., extension 1000+i rings d<i>.
t0=$(date +%s.%N)
export -f api id; export http TOKEN PASS
mkpeer() {
	i=$1
	api POST /api/peers "$TOKEN" "{\"friendly_name\":\"caller $i\",\"host_type\":\"dynamic\",\"username\":\"c$i\",\"password\":\"$PASS\",\"callerid_mode\":\"device\"}" >/dev/null || echo "peer c$i failed" >&2
	d=$(api POST /api/peers "$TOKEN" "{\"friendly_name\":\"callee $i\",\"host_type\":\"dynamic\",\"username\":\"d$i\",\"password\":\"$PASS\",\"callerid_mode\":\"device\"}" | id)
	api POST /api/extensions "$TOKEN" "{\"extension\":$((1000 + 10#$i)),\"friendly_name\":\"desk $i\",\"peer_ids\":[\"$d\"]}" >/dev/null || echo "extension $i failed" >&2
}
export -f mkpeer
seq -f %05g 1 "$USERS" | xargs -P 4 -I{} bash -c 'mkpeer {}'
printf '## %d callers, %d callees and %d extensions created through the API in %.1fs\n' "$USERS" "$USERS" "$USERS" "$(echo "$(date +%s.%N) - $t0" | bc)"

# Injection files: callers split over the SIPp processes, callees over the
# UAS processes (one per SIPp process, on port 16100+p).
for p in $(seq 0 $((PROCS - 1))); do
	echo SEQUENTIAL >"$work/reg$p.csv"; echo SEQUENTIAL >"$work/callee$p.csv"
	echo SEQUENTIAL >"$work/call$p.csv"; echo SEQUENTIAL >"$work/ext$p.csv"
done
for i in $(seq 1 "$USERS"); do
	n=$(printf %05d "$i"); p=$((i % PROCS)); q=$(((i / PROCS) % PROCS))
	echo "c$n;[authentication username=c$n password=$PASS]" >>"$work/reg$p.csv"
	echo "d$n;[authentication username=d$n password=$PASS]" >>"$work/callee$q.csv"
	echo "c$n;d$n;[authentication username=c$n password=$PASS]" >>"$work/call$p.csv"
	echo "c$n;$((1000 + i));[authentication username=c$n password=$PASS]" >>"$work/ext$p.csv"
done

rss() { grep -E "^$2:" "/proc/$1/status" | awk '{print $2}'; } # kB

# step NAME TARGET RATE CALLS_PER_PROC SCENARIO CSV_PREFIX [sipp args]: PROCS
# SIPp processes at RATE/PROCS each; prints the achieved rate and succeeds
# when no call failed.
step() {
	local name=$1 target=$2 rate=$3 m=$4 sf=$5 csv=$6; shift 6
	local pids=() fail=0 s e pid p f
	s=$(date +%s.%N)
	for p in $(seq 0 $((PROCS - 1))); do
		(cd "$work" && exec sipp "$target" -sf "$OLDPWD/$here/$sf" -inf "$work/$csv$p.csv" -i 127.0.0.1 -p $((16200 + p)) \
			-r "$(echo "scale=2; $rate / $PROCS" | bc)" -m "$m" -l 100000 -timeout $((STEP * 4 + 60)) -timeout_error -nostdin \
			-trace_err -error_file "$work/$name-$rate-$p.err" -trace_stat -stf "$work/$name-$rate-$p.stat" "$@" >"$work/$name-$rate-$p.out" 2>&1) &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do wait "$pid" || fail=1; done
	e=$(date +%s.%N)
	local failed=0
	for p in $(seq 0 $((PROCS - 1))); do
		f=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "FailedCall(C)") c = i } END { print $c }' "$work/$name-$rate-$p.stat" 2>/dev/null)
		failed=$((failed + ${f:-0}))
	done
	ACHIEVED=$(echo "scale=0; $m * $PROCS / ($e - $s - ${HOLDSEC:-0})" | bc)
	printf '   %-10s target %5s/s  achieved %5s/s  failed %s\n' "$name" "$rate" "$ACHIEVED" "$([ $fail = 0 ] && echo 0 || echo "${failed:-?} (exit $fail)")"
	[ $fail = 0 ]
}

# sweep NAME TARGET RATES SCENARIO CSV [args]: the highest achieved rate of
# the steps without failure, stopping at the first failing step or once
# the achieved rate falls below 90% of the target.
sweep() {
	local name=$1 target=$2 rates=$3 sf=$4 csv=$5; shift 5
	BEST=0
	for r in $rates; do
		step "$name" "$target" "$r" $((r * STEP / PROCS)) "$sf" "$csv" "$@" || break
		[ "$ACHIEVED" -gt "$BEST" ] && BEST=$ACHIEVED
		[ "$ACHIEVED" -lt $((r * 9 / 10)) ] && break
	done
}

# register_callees TARGET: each UAS process's callees register from its port.
register_callees() {
	for p in $(seq 0 $((PROCS - 1))); do
		(cd "$work" && sipp "$1" -sf "$OLDPWD/$here/register.xml" -inf "$work/callee$p.csv" -i 127.0.0.1 -p $((16100 + p)) \
			-r 200 -m $(($(wc -l <"$work/callee$p.csv") - 1)) -timeout 60 -timeout_error -nostdin >/dev/null 2>&1) ||
			echo "   callee registration $p failed"
	done
}
start_uas() {
	UAS=()
	for p in $(seq 0 $((PROCS - 1))); do
		(cd "$work" && exec sipp -sf "$OLDPWD/$here/uas.xml" -i 127.0.0.1 -p $((16100 + p)) -nostdin -l 100000 \
			-trace_err -error_file "$work/uas-$1-$p.err" >/dev/null 2>&1) &
		UAS+=($!)
	done
	sleep 0.5
}
stop_uas() { for pid in "${UAS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done; }

# bench LABEL TARGET PID: REGISTER and call sweeps, then HOLD calls held up.
bench() {
	local label=$1 target=$2 pid=$3
	echo "## $label: REGISTER (401, REGISTER with credentials, 200), $PROCS SIPp processes, ${STEP}s per rate"
	sweep reg "$target" "$REG_RATES" register.xml reg
	eval "${label}_REG=$BEST"
	register_callees "$target"
	start_uas "$label"
	echo "## $label: $HOLD calls held up at once"
	local before hold_rate=100
	before=$(rss "$pid" VmRSS)
	local holdsec=$((HOLD / hold_rate + 15))
	HOLDSEC=0 step hold "$target" $hold_rate $((HOLD / PROCS)) uac.xml call -d $((holdsec * 1000)) >/dev/null &
	local hp=$!
	sleep $((HOLD / hold_rate + 5))
	local during hwm
	during=$(rss "$pid" VmRSS); hwm=$(rss "$pid" VmHWM)
	if [ "$label" = switchboard ]; then
		active=$(curl -sf "http://127.0.0.1:$pprof/debug/pprof/goroutine?debug=1" | head -1)
		echo "   node: $active"
	fi
	wait $hp && held=ok || held=failed
	printf '   RSS before %d MB, with %d calls up %d MB (peak %d MB): %.1f MB per 1,000 calls; the held calls %s\n' \
		$((before / 1024)) "$HOLD" $((during / 1024)) $((hwm / 1024)) "$(echo "($during - $before) / 1024 * 1000 / $HOLD" | bc -l)" "$held"
	eval "${label}_MEM=$(echo "($during - $before) / 1024 * 1000 / $HOLD" | bc -l)"
	echo "## $label: calls by username (INVITE, 407, ACK, INVITE, 100, 180, 200, ACK, BYE, 200), no talk time"
	sweep call "$target" "$CALL_RATES" uac.xml call -d 0
	eval "${label}_CALL=$BEST"
	stop_uas
}

bench switchboard "127.0.0.1:$sip" "$node"
echo "## switchboard: calls by extension at the best username rate"
start_uas ext
step ext "127.0.0.1:$sip" "${switchboard_CALL:-100}" $((${switchboard_CALL:-100} * STEP / PROCS)) uac.xml ext -d 0
stop_uas
if [ "$PROFILE" = 1 ]; then
	top=${PROF_REG:-$(echo $REG_RATES | awk '{print $NF}')}
	curl -sf -o "$OUT/register.pprof" "http://127.0.0.1:$pprof/debug/pprof/profile?seconds=$((STEP - 2))" &
	step regprof "127.0.0.1:$sip" "$top" $((top * STEP / PROCS)) register.xml reg; wait $!
	start_uas prof
	top=${PROF_CALL:-$(echo $CALL_RATES | awk '{print $NF}')}
	curl -sf -o "$OUT/call.pprof" "http://127.0.0.1:$pprof/debug/pprof/profile?seconds=$((STEP - 2))" &
	step callprof "127.0.0.1:$sip" "$top" $((top * STEP / PROCS)) uac.xml call -d 0; wait $!
	stop_uas
	echo "## CPU profiles: $OUT/register.pprof $OUT/call.pprof (go tool pprof -top $OUT/switchboard.bin FILE)"
	cp "$work/sbnode" "$OUT/switchboard.bin" 2>/dev/null
fi
errs=$(grep -ciE 'level=(error|warn)|panic' "$work/serve.err")
blocks=$(grep -ciE 'block' "$work/serve.err")
echo "## node log: $errs warnings/errors, $blocks lines about blocking; node RSS now $(($(rss "$node" VmRSS) / 1024)) MB, peak $(($(rss "$node" VmHWM) / 1024)) MB"
grep -iE 'level=(error|warn)|panic' "$work/serve.err" | sed 's/time=[^ ]* //' | sort | uniq -c | sort -rn | head -5
kill "$node"; wait "$node" 2>/dev/null

KAM=$(command -v kamailio || ls /usr/sbin/kamailio 2>/dev/null)
if [ -n "$KAM" ]; then
	db="$work/kamdb"; mkdir -p "$db"
	printf 'table_name(str) table_version(int)\nsubscriber:7\nlocation:9\n' >"$db/version"
	{ echo 'id(int,auto) username(str) domain(str,null) password(str) ha1(str,null) ha1b(str,null)'
		for i in $(seq 1 "$USERS"); do n=$(printf %05d "$i"); echo "$((2 * i - 1)):c$n:127.0.0.1:$PASS::"; echo "$((2 * i)):d$n:127.0.0.1:$PASS::"; done
	} >"$db/subscriber"
	"$KAM" -f "$here/kamailio.cfg" -A "DBURL=\"text://$db\"" -l "udp:127.0.0.1:$kam" -P "$work/kam.pid" -m 512 -M 16 \
		-w "$work" -DD -E >"$work/kam.log" 2>&1 &
	kpid=$!
	sleep 2
	if kill -0 $kpid 2>/dev/null; then
		bench kamailio "127.0.0.1:$kam" "$kpid"
		echo "   (Kamailio's RSS is its main process only; its children share memory)"
	else
		echo "## kamailio did not start:"; tail -20 "$work/kam.log"
	fi
	kill $kpid 2>/dev/null; wait $kpid 2>/dev/null
else
	echo "## kamailio is not installed: no ratio"
fi

echo "## summary ($(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(go version | cut -d' ' -f3), load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "   switchboard: ${switchboard_REG} REGISTER/s, ${switchboard_CALL} calls/s, $(printf %.1f "${switchboard_MEM:-0}") MB per 1,000 active calls"
if [ -n "${kamailio_REG:-}" ]; then
	echo "   kamailio:    ${kamailio_REG} REGISTER/s, ${kamailio_CALL} calls/s"
	echo "   ratio switchboard/kamailio: REGISTER $(echo "scale=2; $switchboard_REG / ($kamailio_REG + 0.0001)" | bc), calls $(echo "scale=2; $switchboard_CALL / ($kamailio_CALL + 0.0001)" | bc)"
fi
