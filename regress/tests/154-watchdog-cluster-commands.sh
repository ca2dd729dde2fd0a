#!/usr/bin/env bash
# Cluster-wide PCP commands: three pgpool-ng nodes on 127.0.0.1 with the watchdog. pcp_reload_config
# -s c on one node reloads all three; -s l only that one. pcp_stop_pgpool -m fast -s c on one node
# stops all three (bounded); afterwards nobody is left running.
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
. "$PGNG_SRC/regress/lib/watchdog.sh"
. "$PGNG_SRC/regress/lib/wd_loopback.sh"
require_bin pgpool pg_md5 pcp_watchdog_info pcp_reload_config pcp_stop_pgpool

WD_AUTHKEY=regress-154
wd_lo_ports
wd_pcp_setup

start_node() { wd_lo_start_node "$1"; }
reloads() { grep -c "reloaded configuration file" "${DIR[$1]}/log"; }
pcp() { local tool=$1 node=$2; shift 2; timeout 10 "$PGNG_BIN/$tool" -h 127.0.0.1 -p "${PCP[node]}" -U "$WD_PCP_USER" -w "$@"; }

for i in 0 1 2; do start_node "$i"; done
watch_until 'one_leader && [ "$(count_state STANDBY)" = 2 ]' 20000 "no single leader with two standbys"

# local reload: only node 1
before=("$(reloads 0)" "$(reloads 1)" "$(reloads 2)")
pcp pcp_reload_config 1 -s l >/dev/null || fail "pcp_reload_config -s l failed"
wait_for "[ \$(reloads 1) -gt ${before[1]} ]" 10 "node 1 did not reload"
watch_for 2000
assert_eq "${before[0]} ${before[2]}" "$(reloads 0) $(reloads 2)" "-s l reloads node 1 only"

# cluster reload from node 1: all three
before=("$(reloads 0)" "$(reloads 1)" "$(reloads 2)")
pcp pcp_reload_config 1 -s c >/dev/null || fail "pcp_reload_config -s c failed"
for i in 0 1 2; do
	wait_for "[ \$(reloads $i) -gt ${before[i]} ]" 10 "pcp_reload_config -s c: node $i did not reload"
done
watch_for 2000
for i in 0 1 2; do
	assert_eq "$(( before[i] + 1 ))" "$(reloads "$i")" "pcp_reload_config -s c: node $i reloaded once"
done
note "pcp_reload_config -s c on node 1: each of the three nodes reloaded once; -s l: node 1 only"

# cluster stop from node 2
t0=$(now_ms)
pcp pcp_stop_pgpool 2 -m fast -s c >/dev/null || fail "pcp_stop_pgpool -s c failed"
for i in 0 1 2; do
	wait_for "! kill -0 ${PID[i]} 2>/dev/null" 20 "pcp_stop_pgpool -s c: node $i still runs"
done
note "pcp_stop_pgpool -m fast -s c on node 2: all three nodes stopped within $(( $(now_ms) - t0 )) ms"
for i in 0 1; do
	grep -q "node 2 asks every node for a fast stop" "${DIR[i]}/log" || fail "node $i did not log the cluster stop"
done
for i in 0 1 2; do PID[i]=; done
