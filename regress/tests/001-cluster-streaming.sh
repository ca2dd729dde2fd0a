#!/usr/bin/env bash
# The test cluster itself: both standbys stream from the primary (quorum-synchronous) and see its data.
# shellcheck source=regress/lib/testlib.sh
. "$PGNG_SRC/regress/lib/testlib.sh"

rows=$(psql_at "$PGNG_PG_PORT0" \
	"SELECT application_name, state, sync_state FROM pg_stat_replication ORDER BY application_name") ||
	fail "cannot query pg_stat_replication on the primary"
note "pg_stat_replication: $rows"
assert_eq 2 "$(printf '%s\n' "$rows" | grep -c '|streaming|')" "two standbys streaming"
assert_contains "$rows" "node1|streaming|" "node1 streams"
assert_contains "$rows" "node2|streaming|" "node2 streams"
while IFS='|' read -r app state sync; do
	case "$sync" in
	sync | quorum | potential) ;;
	*) fail "standby $app ($state) has sync_state '$sync', expected sync, quorum or potential" ;;
	esac
done <<<"$rows"

for port in "$PGNG_PG_PORT1" "$PGNG_PG_PORT2"; do
	assert_eq t "$(psql_at "$port" 'SELECT pg_is_in_recovery()')" "server on port $port is a standby"
done
assert_eq f "$(psql_at "$PGNG_PG_PORT0" 'SELECT pg_is_in_recovery()')" "node0 is the primary"

# A table written on the primary shows up on both standbys.
psql_at "$PGNG_PG_PORT0" "CREATE TABLE regress_001 (id int); INSERT INTO regress_001 VALUES (1), (2), (3)" ||
	fail "cannot write on the primary"
for port in "$PGNG_PG_PORT1" "$PGNG_PG_PORT2"; do
	wait_for "[ \"\$(psql_at $port 'SELECT count(*) FROM regress_001')\" = 3 ]" 60 \
		"the table created on the primary is visible on the standby at port $port"
done
psql_at "$PGNG_PG_PORT0" "DROP TABLE regress_001" || fail "cannot drop the test table"
