#!/usr/bin/env bash
# A session whose reads go to a standby outlives that standby: when it stops (immediate shutdown,
# like a crash), the session's next statements run on the primary without an error; once the
# standby is back, new sessions use it again. failover_on_backend_shutdown is off: with it on, the
# immediate shutdown's 57P01 notice would fail the standby over (regress 173), and it would stay
# detached.
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
require_bin pgpool

P0=$PGNG_PG_PORT0
P1=$PGNG_PG_PORT1
pgpool_write_conf "num_init_children = 2" "max_pool = 1" "load_balance_mode = on" \
	"backend_weight0 = 0" "backend_weight1 = 1" "backend_weight2 = 0" "failover_on_backend_shutdown = off"
pgpool_start

stop_node1="$PGNG_PG_BIN/pg_ctl -D $PGNG_PG_DATA1 -m immediate -w stop"
start_node1="$PGNG_PG_BIN/pg_ctl -D $PGNG_PG_DATA1 -l $PGNG_TMP/node1.log -w start"
if [ "$(id -u)" -eq 0 ]; then
	stop_node1="su $PGNG_OS_USER -c '$stop_node1'"
	start_node1="su $PGNG_OS_USER -c '$start_node1'"
	chown "$PGNG_OS_USER:" "$PGNG_TMP"
fi

out=$(PGCONNECT_TIMEOUT=10 "$PGNG_PG_BIN/psql" -X -A -t -F ' ' -h 127.0.0.1 -p "$PGPOOL_PORT" \
	-U "$PGNG_PG_SUPERUSER" -d postgres -f - 2>&1 <<EOF
SELECT 'before', inet_server_port();
\! $stop_node1 >/dev/null 2>&1
SELECT 'after', inet_server_port();
SELECT 'again', inet_server_port();
EOF
)
note "$out"
eval "$start_node1" >/dev/null 2>&1 || fail "node1 did not start again"
assert_contains "$out" "before $P1" "the session read from the standby first"
assert_contains "$out" "after $P0" "then, with the standby gone, from the primary"
assert_contains "$out" "again $P0" "and goes on there"
assert_not_contains "$out" "ERROR" "no statement failed"
assert_not_contains "$out" "connection to server was lost" "the session survived"
wait_for "psql_at $P0 \"SELECT 1 FROM pg_stat_replication WHERE application_name = 'node1' AND state = 'streaming'\" | grep -q 1" 60 \
	"node1 did not stream again"
# new sessions (cached connection sets that lost the node reconnect it) read from it again
wait_for "[ \"\$(pool_psql 'SELECT inet_server_port()')\" = $P1 ]" 30 "sessions did not return to node1"
pgpool_stop fast
exit 0
