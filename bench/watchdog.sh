#!/usr/bin/env bash
# Watchdog election and VIP takeover times over repeated runs of the regress tests that measure them
# (three network namespaces, keepalive 1 s, deadtime 3 s; needs root). A benchmark, not a test: it
# prints every run's numbers and the best, median and worst per event, and never fails on slow
# numbers.
#
#   bench/watchdog.sh [-r RUNS] [-s]     (default 5 runs; -s adds regress 156, the seed's layout)
# Events, in ms from the event, as the tests note them:
#   151 elect     a leader's link cut: another node leads
#   152 kill9     kill -9 of the leader: a new leader holds the VIP; expiry: the killed leader's own
#                 VIP ran out; cut: its link cut; sigstop: SIGSTOP of its watchdog; cmd-cut: the link
#                 cut with if_up_cmd/if_down_cmd
#   156 seed-vip  the leader's host (with the primary) cut off: a new leader holds the VIP;
#       seed-writes: the first commit through each surviving pooler and the VIP;
#       seed-silence: the longest time a long-lived session heard nothing
# Environment: PGNG_BIN (default <source>/build).
set -u
runs=5
tests="151 152"
while getopts r:s opt; do
	case $opt in
		r) runs=$OPTARG ;;
		s) tests="$tests 156" ;;
		*) echo "usage: $0 [-r RUNS] [-s]" >&2; exit 2 ;;
	esac
done
src=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp)
trap 'rm -f "$out" "$out.run"' EXIT

# events NNN: the event lines of test NNN's last log, "<event> <ms>"
events()
{
	local log
	log=$(ls "$src"/regress/log/"$1"-*.log 2>/dev/null | head -n 1)
	[ -n "$log" ] || return
	sed -n \
		-e 's/^link of leader [0-9] cut: node [0-9] leads \([0-9]*\) ms later.*/elect \1/p' \
		-e 's/^kill -9 of leader [0-9]: its VIP ran out by itself \([0-9]*\) ms later/expiry \1/p' \
		-e 's/^kill -9 of leader [0-9]: node [0-9] leads and holds the VIP \([0-9]*\) ms later.*/kill9 \1/p' \
		-e 's/^link cut of leader [0-9]: node [0-9] leads and holds the VIP \([0-9]*\) ms later.*/cut \1/p' \
		-e 's/^SIGSTOP of the watchdog of leader [0-9]: node [0-9] leads and holds the VIP \([0-9]*\) ms.*/sigstop \1/p' \
		-e 's/^commands: link cut of leader [0-9]: node [0-9] leads and holds the VIP \([0-9]*\) ms.*/cmd-cut \1/p' \
		-e 's/^cut of leader 0 (primary host): node [0-9] leads and holds the VIP \([0-9]*\) ms later.*/seed-vip \1/p' \
		"$log"
	# seconds with two decimals in 156's lines
	sed -n -e 's/^[a-z0-9]*: writes back \([0-9.]*\) s after the cut.*/seed-writes \1/p' \
		-e 's/^session[0-9]: .*longest silence \([0-9.]*\) s;.*/seed-silence \1/p' "$log" |
		awk '{ printf "%s %d\n", $1, $2 * 1000 }'
}

for ((r = 1; r <= runs; r++)); do
	: >"$out.run"
	for t in $tests; do
		if ! "$src/regress/run.sh" "$t" >/dev/null 2>&1; then
			echo "run $r: regress $t failed (see $src/regress/log/)"
			continue
		fi
		events "$t" >>"$out.run"
	done
	echo "run $r: $(tr '\n' ' ' <"$out.run")"
	cat "$out.run" >>"$out"
done
printf '%-13s %6s %6s %6s %6s\n' event samples best median worst
for ev in elect kill9 expiry cut sigstop cmd-cut seed-vip seed-writes seed-silence; do
	mapfile -t v < <(awk -v e="$ev" '$1 == e { print $2 }' "$out" | sort -n)
	[ ${#v[@]} -gt 0 ] || continue
	printf '%-13s %6d %6d %6d %6d\n' "$ev" "${#v[@]}" "${v[0]}" "${v[$(( ${#v[@]} / 2 ))]}" "${v[-1]}"
done
