#!/usr/bin/env bash
# Watchdog election and VIP takeover times over repeated runs of regress 152 (three network
# namespaces, keepalive 1 s, deadtime 3 s; needs root). A benchmark, not a test: it prints every
# run's numbers and the best, median and worst per event, and never fails on slow numbers.
#
#   bench/watchdog.sh [-r RUNS]     (default 5)
# Events (ms from the event to a new leader holding the VIP, as regress 152 notes them): kill -9 of
# the leader, its own VIP running out after the kill, its link cut, SIGSTOP of its watchdog, and the
# same link cut with if_up_cmd/if_down_cmd. Environment: PGNG_BIN (default <source>/build).
set -u
runs=5
while getopts r: opt; do
	case $opt in
		r) runs=$OPTARG ;;
		*) echo "usage: $0 [-r RUNS]" >&2; exit 2 ;;
	esac
done
src=$(cd "$(dirname "$0")/.." && pwd)
log=$src/regress/log/152-watchdog-vip.log
out=$(mktemp)
trap 'rm -f "$out" "$out.run"' EXIT
for ((r = 1; r <= runs; r++)); do
	if ! "$src/regress/run.sh" 152 >/dev/null 2>&1; then
		echo "run $r: regress 152 failed (see $log)"
		continue
	fi
	sed -n -e 's/^kill -9 of leader [0-9]: its VIP ran out by itself \([0-9]*\) ms later/expiry \1/p' \
		-e 's/^kill -9 of leader [0-9]: node [0-9] leads and holds the VIP \([0-9]*\) ms later.*/kill9 \1/p' \
		-e 's/^link cut of leader [0-9]: node [0-9] leads and holds the VIP \([0-9]*\) ms later.*/cut \1/p' \
		-e 's/^SIGSTOP of the watchdog of leader [0-9]: node [0-9] leads and holds the VIP \([0-9]*\) ms.*/sigstop \1/p' \
		-e 's/^commands: link cut of leader [0-9]: node [0-9] leads and holds the VIP \([0-9]*\) ms.*/cmd-cut \1/p' \
		"$log" >"$out.run"
	echo "run $r: $(tr '\n' ' ' <"$out.run")"
	cat "$out.run" >>"$out"
done
printf '%-10s %6s %6s %6s %6s\n' event runs best median worst
for ev in kill9 expiry cut sigstop cmd-cut; do
	mapfile -t v < <(awk -v e="$ev" '$1 == e { print $2 }' "$out" | sort -n)
	[ ${#v[@]} -gt 0 ] || continue
	printf '%-10s %6d %6d %6d %6d\n' "$ev" "${#v[@]}" "${v[0]}" "${v[$(( ${#v[@]} / 2 ))]}" "${v[-1]}"
done
