#!/usr/bin/env bash
# Three failovers in a row with builtin_failover, under a write load each time: the primary is killed
# (kill -9), pgpool-ng promotes a standby and re-points the other; the test rebuilds the dead node as
# a standby of the new primary (pg_basebackup), auto_failback attaches it once it streams; then the new
# primary is killed, and so on. After each failover: 0 acknowledged commits lost, and no standby shown
# up while it does not stream. The driver rebuilds the cluster afterwards.
# shellcheck source=regress/lib/testlib.sh
. "$PGNG_SRC/regress/lib/testlib.sh"
# shellcheck source=regress/lib/pgpool.sh
. "$PGNG_SRC/regress/lib/pgpool.sh"
# shellcheck source=regress/lib/failover.sh
. "$PGNG_SRC/regress/lib/failover.sh"

pgpool_write_conf "health_check_period = 1" "health_check_timeout = 10" "health_check_max_retries = 0" \
	"sr_check_period = 1" "builtin_failover = on" "failover_command = ''" "follow_primary_command = ''" \
	"auto_failback = on" "auto_failback_interval = 1"
pgpool_start -D
pool_psql "DROP TABLE IF EXISTS regress_165; CREATE TABLE regress_165 (id int primary key)" || fail "create table"

port_of()
{
	local v=PGNG_PG_PORT$1
	echo "${!v}"
}
data_of()
{
	local v=PGNG_PG_DATA$1
	echo "${!v}"
}
current_primary()
{
	pool_psql "SHOW pool_nodes" -F '|' | awk -F'|' '$7 == "primary" && $4 != "down" { print $1 }'
}

# rebuild N PRIMARY: node N becomes a fresh standby of PRIMARY, streaming as nodeN on its own port.
rebuild()
{
	local n=$1 p=$2 data
	data=$(data_of "$n")
	rm -rf "$data"
	run_as_os_user "$PGNG_PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$(port_of "$p")" -U "$PGNG_PG_SUPERUSER" \
		-D "$data" -R -X stream --checkpoint=fast --no-sync >"$PGNG_TMP/basebackup$n.log" 2>&1 ||
		fail "pg_basebackup of node$n from node$p: $(tail -3 "$PGNG_TMP/basebackup$n.log")"
	run_as_os_user sh -c "echo \"primary_conninfo = 'host=127.0.0.1 port=$(port_of "$p") user=$PGNG_PG_SUPERUSER application_name=node$n'\" >>'$data/postgresql.auto.conf'"
	run_as_os_user "$PGNG_PG_BIN/pg_ctl" start -w -D "$data" -o "-p $(port_of "$n")" -l "$data/rebuild.log" \
		>/dev/null || fail "start rebuilt node$n"
}

# every node may be a synchronous standby of whichever is primary (the cluster lists node1 and node2
# only, so that a primary node2 would wait for the dead node1 for ever)
for n in 0 1 2; do
	psql_at "$(port_of "$n")" "ALTER SYSTEM SET synchronous_standby_names = 'ANY 1 (node0, node1, node2)'" >/dev/null &&
		psql_at "$(port_of "$n")" "SELECT pg_reload_conf()" >/dev/null || fail "synchronous_standby_names on node$n"
done
wait_for "[ \"\$(node_field 1 12)\" = streaming ] && [ \"\$(node_field 2 12)\" = streaming ]" 30 \
	"both standbys streaming"
for round in 1 2 3; do
	old=$(current_primary)
	[ -n "$old" ] || fail "round $round: no primary"
	load_start regress_165
	kill_node 9 "$old"
	wait_for "[ -n \"\$(current_primary)\" ] && [ \"\$(current_primary)\" != $old ]" 60 "round $round: a new primary"
	wait_for '[ -n "$(back_after)" ]' 60 "round $round: writes succeed again"
	load_stop
	new=$(current_primary)
	note "round $round: node$old killed, node$new promoted, writes back after $(back_after) s;" \
		"$(grep -c ' fail ' "$LOAD_LOG") failed, $(grep -c ' ok ' "$LOAD_LOG") committed"
	assert_eq "" "$(lost_commits regress_165 "$(port_of "$new")" | tr '\n' ' ')" \
		"round $round: acknowledged commits missing on node$new"
	cp "$LOAD_LOG" "$PGNG_TMP/load-round$round.log"
	# the third node follows the new primary by itself
	for n in 0 1 2; do
		[ "$n" = "$old" ] || [ "$n" = "$new" ] && continue
		wait_for "[ \"\$(node_field $n 4)\" != down ] && [ \"\$(node_field $n 12)\" = streaming ]" 60 \
			"round $round: node$n attached and streaming from node$new"
	done
	wait_for "! kill -0 $(echo "$KILL_NODE_PIDS" | cut -d' ' -f1) 2>/dev/null" 10 "round $round: node$old gone"
	rebuild "$old" "$new"
	wait_for "[ \"\$(node_field $old 4)\" != down ] && [ \"\$(node_field $old 12)\" = streaming ]" 60 \
		"round $round: rebuilt node$old attached by auto_failback"
	not_streaming=0
	for n in 0 1 2; do
		[ "$n" = "$new" ] || [ "$(node_field "$n" 4)" = down ] && continue
		[ "$(node_field "$n" 12)" = streaming ] || not_streaming=$((not_streaming + 1))
	done
	assert_eq 0 "$not_streaming" "round $round: standbys shown up while not streaming"
	pool_psql "TRUNCATE regress_165" || fail "round $round: truncate"
done
note "$(pool_psql "SHOW pool_nodes" -F '|')"
pgpool_stop fast
exit 0
