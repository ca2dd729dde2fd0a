#!/usr/bin/env bash
# Online recovery, built-in mode (recovery_1st_stage_command empty): the primary is killed (kill -9),
# builtin_failover promotes a standby and re-points the other; pcp_recovery_node -n 0 rebuilds the
# old primary as a streaming standby of the new primary (pg_rewind, pg_basebackup when it cannot)
# and attaches it: SHOW pool_nodes shows all three up, writes reach node0. With a
# recovery_1st_stage_command but no pgpool_recovery extension, pgpool's error. The driver rebuilds the
# cluster afterwards.
# shellcheck source=regress/lib/testlib.sh
. "$PGNG_SRC/regress/lib/testlib.sh"
# shellcheck source=regress/lib/pgpool.sh
. "$PGNG_SRC/regress/lib/pgpool.sh"
. "$PGNG_SRC/regress/lib/pcp.sh"
# shellcheck source=regress/lib/failover.sh
. "$PGNG_SRC/regress/lib/failover.sh"
require_bin pgpool pg_md5 pcp_recovery_node pcp_node_info pcp_reload_config

PCP_USER=pcpadmin
conf=("health_check_period = 1" "health_check_timeout = 10" "health_check_max_retries = 0"
	"sr_check_period = 1" "builtin_failover = on" "failover_command = ''" "follow_primary_command = ''"
	"recovery_user = '$PGNG_PG_SUPERUSER'" "recovery_timeout = 120" "log_min_messages = info"
	"load_balance_mode = on" "recovery_1st_stage_command = 'recovery_1st_stage'")
pgpool_write_conf "${conf[@]}"
pcp_auth_setup
pgpool_start -D

pcp()
{
	timeout 280 "$PGNG_BIN/$1" -h 127.0.0.1 -p "$PCP_PORT" -U "$PCP_USER" -w "${@:2}" 2>&1
}

wait_for "[ \"\$(node_field 1 12)\" = streaming ] && [ \"\$(node_field 2 12)\" = streaming ]" 60 \
	"sr check sees both standbys streaming"
pool_psql "DROP TABLE IF EXISTS regress_147; CREATE TABLE regress_147 (id int primary key); INSERT INTO regress_147 VALUES (1)" ||
	fail "create table"

kill_node 9 0
wait_for "[ \"\$(node_field 1 7)\" = primary ] || [ \"\$(node_field 2 7)\" = primary ]" 60 "a standby becomes the primary"
new=1 other=2
[ "$(node_field 2 7)" = primary ] && new=2 other=1
new_port_var=PGNG_PG_PORT$new other_port_var=PGNG_PG_PORT$other
NEW_PORT=${!new_port_var} OTHER_PORT=${!other_port_var}
wait_for "[ \"\$(node_field $other 4)\" != down ]" 90 "node$other follows node$new and is attached"
assert_eq down "$(node_field 0 4)" "the killed primary is down"
pool_psql "INSERT INTO regress_147 VALUES (2)" || fail "write after the failover"

# with recovery_1st_stage_command set, pgpool's way is taken: without the extension and the script
# on the primary it fails with pgpool's error, and node0 stays down (148 runs the scripts)
wait_for "pcp pcp_recovery_node -n 0 | grep -q 'execution of command failed at \"1st stage\"'" 30 \
	"recovery with recovery_1st_stage_command runs it on the primary"
assert_eq down "$(node_field 0 4)" "node0 still down after the failed script recovery"
sed -i '/^recovery_1st_stage_command/d' "$PGPOOL_DIR/pgpool.conf"
pcp pcp_reload_config >/dev/null
# the PCP workers see the reload a moment later: until then the script's error comes back at once
t0=$(date +%s%N)
deadline=$(($(date +%s) + 30))
while :; do
	out=$(pcp pcp_recovery_node -n 0)
	case $out in
		*'1st stage'*) [ "$(date +%s)" -lt "$deadline" ] || fail "reload not seen by PCP" ;;
		*) break ;;
	esac
	t0=$(date +%s%N)
	sleep 0.5
done
took=$((($(date +%s%N) - t0) / 1000000))
note "pcp_recovery_node -n 0 answered after $took ms; $(grep 'recovery' "$PGPOOL_DIR/log" | tail -8)"
assert_eq "pcp_recovery_node -- Command Successful" "$out" "recovery of node 0"
assert_eq t "$(psql_at "$PGNG_PG_PORT0" "SELECT pg_is_in_recovery()")" "node0 runs as a standby"
assert_eq "$NEW_PORT" "$(psql_at "$PGNG_PG_PORT0" "SELECT sender_port FROM pg_stat_wal_receiver WHERE status = 'streaming'")" \
	"node0 streams from the new primary node$new"
assert_eq 1 "$(psql_at "$NEW_PORT" "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'node0' AND state = 'streaming'")" \
	"the new primary sees node0 streaming as node0"
wait_for "[ \"\$(node_field 0 4)\" = up ] || [ \"\$(node_field 0 4)\" = waiting ]" 30 "node0 attached"
# a node is "waiting" until a session connects to it; with load balancing a session connects to all
wait_for "pool_psql 'SELECT 1' >/dev/null && [ \"\$(node_field 0 4)\" = up ]" 30 "node0 up once a session used it"
nodes=$(pool_psql "SHOW pool_nodes" -F '|')
note "$nodes"
for n in 0 1 2; do
	assert_eq up "$(node_field $n 4)" "node$n up in SHOW pool_nodes"
done
assert_eq "primary" "$(node_field "$new" 7)" "node$new is the primary"
assert_eq "standby standby" "$(node_field 0 7) $(node_field "$other" 7)" "node0 and node$other are standbys"
pool_psql "INSERT INTO regress_147 VALUES (3)" || fail "write after the recovery"
wait_for "[ \"\$(psql_at $PGNG_PG_PORT0 'SELECT count(*) FROM regress_147')\" = 3 ]" 30 "node0 replays the new primary's writes"
assert_eq 3 "$(psql_at "$OTHER_PORT" "SELECT count(*) FROM regress_147")" "node$other has every write"
grep -q "recovery: node 0 streams from node $new and is attached" "$PGPOOL_DIR/log" || fail "recovery not logged"
pgpool_stop fast
exit 0
