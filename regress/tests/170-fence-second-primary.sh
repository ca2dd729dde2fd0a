#!/usr/bin/env bash
# Fencing a second primary: a hung primary (kill -STOP) is failed over by builtin_failover; when it
# wakes up (kill -CONT) it is still a writable primary beside the new one. The sr check makes it
# read-only (ALTER SYSTEM SET default_transaction_read_only = on), ends the sessions open on it (one
# opened before the hang here),
# and logs it once for recovery. pcp_recovery_node -n 0 rebuilds it as a standby that is not
# read-only; promoted later (pcp_promote_node -s) with the setting on, the promotion resets it, and
# the old primary of that switchover is fenced in turn. The driver rebuilds the cluster afterwards.
# shellcheck source=regress/lib/testlib.sh
. "$PGNG_SRC/regress/lib/testlib.sh"
# shellcheck source=regress/lib/pgpool.sh
. "$PGNG_SRC/regress/lib/pgpool.sh"
. "$PGNG_SRC/regress/lib/pcp.sh"
# shellcheck source=regress/lib/failover.sh
. "$PGNG_SRC/regress/lib/failover.sh"
require_bin pgpool pg_md5 pcp_recovery_node pcp_promote_node

PCP_USER=pcpadmin
pgpool_write_conf "health_check_period = 1" "health_check_timeout = 3" "health_check_max_retries = 0" \
	"sr_check_period = 1" "builtin_failover = on" "failover_command = ''" "follow_primary_command = ''" \
	"recovery_user = '$PGNG_PG_SUPERUSER'" "recovery_timeout = 120"
pcp_auth_setup
pgpool_start -D

pcp()
{
	timeout 280 "$PGNG_BIN/$1" -h 127.0.0.1 -p "$PCP_PORT" -U "$PCP_USER" -w "${@:2}" 2>&1
}

fence_lines()
{
	grep -c "fence: node $1 (127.0.0.1:$2) is a second primary" "$PGPOOL_DIR/log"
}

wait_for "[ \"\$(node_field 1 12)\" = streaming ] && [ \"\$(node_field 2 12)\" = streaming ]" 60 \
	"sr check sees both standbys streaming"
pool_psql "DROP TABLE IF EXISTS regress_170; CREATE TABLE regress_170 (id int primary key); INSERT INTO regress_170 VALUES (1)" ||
	fail "create table"
assert_eq off "$(psql_at "$PGNG_PG_PORT0" "SHOW default_transaction_read_only")" "node0 writable before"

# A client of the primary: short queries in one session, hung with the primary, woken with it,
# until it is ended.
SESSION_LOG=$PGNG_TMP/session.log
(
	yes "SELECT 'tick', pg_sleep(0.2);" | head -n 600 |
		"$PGNG_PG_BIN/psql" -X -A -t -h 127.0.0.1 -p "$PGNG_PG_PORT0" -U "$PGNG_PG_SUPERUSER" \
			-d postgres >"$SESSION_LOG" 2>&1
) &
SESSION_PID=$!
register_pid "$SESSION_PID"
wait_for "[ \$(grep -c tick $SESSION_LOG) -ge 3 ]" 30 "the session on node0 runs"

kill_node STOP 0
# shellcheck disable=SC2064
trap "kill -CONT $KILL_NODE_PIDS 2>/dev/null" EXIT
wait_for "[ \"\$(node_field 0 4)\" = down ]" 30 "hung primary detached"
wait_for "[ \"\$(node_field 1 7)\" = primary ] || [ \"\$(node_field 2 7)\" = primary ]" 60 "a standby becomes the primary"
new=1
[ "$(node_field 2 7)" = primary ] && new=2
new_port_var=PGNG_PG_PORT$new
NEW_PORT=${!new_port_var}
pool_psql "INSERT INTO regress_170 VALUES (2)" || fail "write after the failover"

# shellcheck disable=SC2086
kill -CONT $KILL_NODE_PIDS
trap - EXIT
CONT_AT=$(date +%s.%N)

wait_for "[ \"\$(psql_at $PGNG_PG_PORT0 'SHOW default_transaction_read_only')\" = on ]" 30 \
	"the old primary is made read-only"
note "old primary read-only $(echo "$(date +%s.%N) - $CONT_AT" | bc) s after kill -CONT"
wait_for "! kill -0 $SESSION_PID" 30 "the session on the old primary is ended"
note "session: $(grep -c tick "$SESSION_LOG") queries, then: $(grep -v tick "$SESSION_LOG" | head -3 | tr '\n' ' ')"
assert_contains "$(cat "$SESSION_LOG")" "terminating connection due to administrator command" \
	"the session was terminated"
[ "$(grep -c tick "$SESSION_LOG")" -lt 600 ] || fail "the session ran to its end"

assert_eq f "$(psql_at "$PGNG_PG_PORT0" "SELECT pg_is_in_recovery()")" "the old primary still runs as a primary"
assert_eq 1 "$(psql_at "$PGNG_PG_PORT0" "SELECT count(*) FROM regress_170")" "reads still work on the old primary"
out=$(psql_at "$PGNG_PG_PORT0" "INSERT INTO regress_170 VALUES (-1)" 2>&1) && fail "a direct INSERT on the old primary worked"
assert_contains "$out" "read-only transaction" "a direct INSERT on the old primary"
line=$(grep "fence: node 0 " "$PGPOOL_DIR/log")
note "$line"
assert_contains "$line" "is a second primary beside primary node $new: made read-only" "the fence line"
assert_contains "$line" "recover it with pcp_recovery_node -n 0" "the fence line names pcp_recovery_node"
[[ $line =~ made\ read-only,\ ([0-9]+)\ sessions\ ended ]] || fail "no session count in the fence line"
[ "${BASH_REMATCH[1]}" -ge 1 ] || fail "the fence line ends ${BASH_REMATCH[1]} sessions"
rounds_until=$((SECONDS + 4))
wait_for "[ \$SECONDS -ge $rounds_until ]" 10 "four more sr check rounds"
assert_eq 1 "$(fence_lines 0 "$PGNG_PG_PORT0")" "the fence is logged once"
assert_not_contains "$(grep 'fence:' "$PGPOOL_DIR/log" | grep -v 'made read-only')" "fence" "no fence errors"
assert_eq down "$(node_field 0 4)" "the old primary stays detached"
pool_psql "INSERT INTO regress_170 VALUES (3)" || fail "write through pgpool-ng beside the fenced node"

# Recovery: the primary's postgresql.auto.conf comes with pg_rewind/pg_basebackup, so the rebuilt
# standby is not read-only.
out=$(pcp pcp_recovery_node -n 0)
assert_eq "pcp_recovery_node -- Command Successful" "$out" "recovery of node 0"
assert_eq t "$(psql_at "$PGNG_PG_PORT0" "SELECT pg_is_in_recovery()")" "node0 runs as a standby"
assert_eq off "$(psql_at "$PGNG_PG_PORT0" "SHOW default_transaction_read_only")" "node0 not read-only after recovery"
grep -q default_transaction_read_only "$PGNG_PG_DATA0/postgresql.auto.conf" &&
	fail "default_transaction_read_only left in node0's postgresql.auto.conf"
wait_for "[ \"\$(node_field 0 4)\" != down ] && [ \"\$(node_field 0 12)\" = streaming ]" 60 \
	"node0 attached and streaming"
assert_eq standby "$(node_field 0 7)" "node0 is a standby"

# A promotion resets the setting: set it on the standby node0 by hand, switch over to node0.
psql_at "$PGNG_PG_PORT0" "ALTER SYSTEM SET default_transaction_read_only = on" || fail "set read-only on node0"
psql_at "$PGNG_PG_PORT0" "SELECT pg_reload_conf()" >/dev/null || fail "reload node0"
wait_for "[ \"\$(psql_at $PGNG_PG_PORT0 'SHOW default_transaction_read_only')\" = on ]" 30 "node0 read-only"
wait_for "[ \"\$(psql_at $PGNG_PG_PORT0 'SELECT count(*) FROM regress_170')\" = 3 ]" 30 "node0 replays every write"
out=$(pcp pcp_promote_node -s -n 0)
assert_eq "pcp_promote_node -- Command Successful" "$out" "switchover to node0"
assert_eq f "$(psql_at "$PGNG_PG_PORT0" "SELECT pg_is_in_recovery()")" "node0 promoted"
wait_for "[ \"\$(psql_at $PGNG_PG_PORT0 'SHOW default_transaction_read_only')\" = off ]" 30 \
	"the promotion resets default_transaction_read_only"
wait_for "[ \"\$(node_field 0 7)\" = primary ]" 30 "node0 shown as the primary"
pool_psql "INSERT INTO regress_170 VALUES (4)" || fail "write through pgpool-ng on the promoted node0"
# the switchover's old primary keeps running, detached: a second primary, fenced in turn
wait_for "[ \"\$(psql_at $NEW_PORT 'SHOW default_transaction_read_only')\" = on ]" 30 \
	"the switchover's old primary node$new is made read-only"
assert_eq 1 "$(fence_lines "$new" "$NEW_PORT")" "node$new's fence logged once"
pgpool_stop fast
exit 0
