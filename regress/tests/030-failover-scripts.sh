#!/usr/bin/env bash
# The sample failover_command and follow_primary_command scripts do their job on a real cluster, called
# the way pgpool calls them: the primary dies, failover.sh promotes node1, follow_primary.sh re-points
# the running standby node2 over libpq and rebuilds the dead old primary node0 (its data directory is
# on this host) as a standby of node1. The driver rebuilds the original cluster afterwards.
# shellcheck source=regress/lib/testlib.sh
. "$PGNG_SRC/regress/lib/testlib.sh"

for s in failover follow_primary; do
	cp "$PGNG_SRC/sample-configs/$s.sh.sample" "$PGNG_TMP/$s.sh"
	chmod 0755 "$PGNG_TMP/$s.sh"
done
export PGBIN="$PGNG_PG_BIN" PROMOTE_USER="$PGNG_PG_SUPERUSER" SUPERUSER="$PGNG_PG_SUPERUSER"
export REPL_USER="$PGNG_PG_SUPERUSER" PCP_USER="" FOLLOW_WAIT=60
H=127.0.0.1
P0=$PGNG_PG_PORT0 P1=$PGNG_PG_PORT1 P2=$PGNG_PG_PORT2
D0=$PGNG_PG_DATA0 D1=$PGNG_PG_DATA1 D2=$PGNG_PG_DATA2

psql_at "$P0" "CREATE TABLE regress_030 (id int); INSERT INTO regress_030 VALUES (1)" || fail "write on node0"
wait_for "[ \"\$(psql_at $P2 'SELECT count(*) FROM regress_030')\" = 1 ]" 60 "node2 replays node0's write"

# A standby detached: nothing to promote.
out=$(run_as_os_user "$PGNG_TMP/failover.sh" 2 "$H" "$P2" "$D2" 0 "$H" 0 0 "$P0" "$D0" "$H" "$P0" 2>&1) ||
	fail "failover.sh for a standby failed: $out"
assert_contains "$out" "nothing to promote" "failover.sh leaves things alone when a standby goes"
assert_eq f "$(psql_at "$P0" 'SELECT pg_is_in_recovery()')" "node0 still primary"

# The primary dies; pgpool picks node1 as the new main node.
run_as_os_user "$PGNG_PG_BIN/pg_ctl" stop -m immediate -D "$D0" >/dev/null || fail "cannot stop node0"
out=$(run_as_os_user "$PGNG_TMP/failover.sh" 0 "$H" "$P0" "$D0" 1 "$H" 0 0 "$P1" "$D1" "$H" "$P0" 2>&1) ||
	fail "failover.sh failed: $out"
note "$out"
assert_eq f "$(psql_at "$P1" 'SELECT pg_is_in_recovery()')" "node1 promoted"

# node2 follows node1 (re-pointed over libpq).
out=$(run_as_os_user "$PGNG_TMP/follow_primary.sh" 2 "$H" "$P2" "$D2" 1 "$H" 0 0 "$P1" "$D1" 2>&1) ||
	fail "follow_primary.sh for node2 failed: $out"
note "$out"
psql_at "$P1" "INSERT INTO regress_030 VALUES (2)" || fail "write on the new primary"
wait_for "[ \"\$(psql_at $P2 'SELECT count(*) FROM regress_030')\" = 2 ]" 60 "node2 replays node1's write"

# The dead old primary is rebuilt from node1 and streams from it.
out=$(run_as_os_user "$PGNG_TMP/follow_primary.sh" 0 "$H" "$P0" "$D0" 1 "$H" 0 0 "$P1" "$D1" 2>&1) ||
	fail "follow_primary.sh for the old primary failed: $out"
note "$out"
assert_eq t "$(psql_at "$P0" 'SELECT pg_is_in_recovery()')" "old primary is now a standby"
psql_at "$P1" "INSERT INTO regress_030 VALUES (3)" || fail "second write on the new primary"
wait_for "[ \"\$(psql_at $P0 'SELECT count(*) FROM regress_030')\" = 3 ]" 60 "node0 replays node1's write"
assert_eq 2 "$(psql_at "$P1" "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" \
	"both standbys stream from node1"
