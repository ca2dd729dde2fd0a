#!/usr/bin/env bash
# pcp_promote_node without -s changes only pgpool-ng's view, as pgpool: node N is shown primary and
# every other node down, PostgreSQL promotes nothing. With -g the answer waits until the open
# sessions have ended (bounded by recovery_timeout). Debian's pcp_promote_node when installed.
# shellcheck source=regress/lib/testlib.sh
. "$PGNG_SRC/regress/lib/testlib.sh"
# shellcheck source=regress/lib/pgpool.sh
. "$PGNG_SRC/regress/lib/pgpool.sh"
. "$PGNG_SRC/regress/lib/pcp.sh"
# shellcheck source=regress/lib/failover.sh
. "$PGNG_SRC/regress/lib/failover.sh"
require_bin pgpool pg_md5 pcp_promote_node

PCP_USER=pcpadmin
# no health or sr check: they would correct the view this test sets by hand
pgpool_write_conf "health_check_period = 0" "sr_check_period = 0" "recovery_timeout = 60" \
	"log_min_messages = info"
pcp_auth_setup
pgpool_start -D

promote=$PGNG_BIN/pcp_promote_node
[ -x /usr/sbin/pcp_promote_node ] && promote=/usr/sbin/pcp_promote_node
note "promote with $promote"

# a session open for 3 s: -g answers only after it has ended
( pool_psql "SELECT pg_sleep(3)" >/dev/null 2>&1 ) &
register_pid $!
wait_for "[ \"\$(psql_at $PGNG_PG_PORT0 \"SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(3)' AND state = 'active'\")\" = 1 ]" 30 \
	"the session runs"
t0=$(date +%s%N)
out=$(timeout 120 "$promote" -h 127.0.0.1 -p "$PCP_PORT" -U "$PCP_USER" -w -g -n 2 2>&1)
ms=$((($(date +%s%N) - t0) / 1000000))
note "pcp_promote_node -g -n 2 answered after $ms ms: $out"
assert_eq "pcp_promote_node -- Command Successful" "$out" "promote answer"
[ "$ms" -ge 1500 ] || fail "-g answered after $ms ms, before the open session ended"
assert_eq primary "$(node_field 2 7)" "node 2 shown primary"
assert_eq "down down" "$(node_field 0 4) $(node_field 1 4)" "every other node shown down"
assert_eq t "$(psql_at "$PGNG_PG_PORT2" "SELECT pg_is_in_recovery()")" "PostgreSQL promoted nothing"
assert_eq f "$(psql_at "$PGNG_PG_PORT0" "SELECT pg_is_in_recovery()")" "node0 still runs as the primary"
grep -q "failover: request [0-9]*: promote node 2" "$PGPOOL_DIR/log" ||
	fail "the promote did not go through the failover process"

# promoting a node that is down is answered with success and changes nothing, as pgpool
out=$(timeout 120 "$promote" -h 127.0.0.1 -p "$PCP_PORT" -U "$PCP_USER" -w -n 0 2>&1)
assert_eq "pcp_promote_node -- Command Successful" "$out" "promote of a down node"
assert_eq "down primary" "$(node_field 0 4) $(node_field 2 7)" "the view is unchanged"
# an unconfigured node is an error with a non-zero exit
timeout 60 "$PGNG_BIN/pcp_promote_node" -h 127.0.0.1 -p "$PCP_PORT" -U "$PCP_USER" -w -n 7 >"$PGNG_TMP/bad.out" 2>&1 &&
	fail "promote of node 7 exited 0: $(cat "$PGNG_TMP/bad.out")"
assert_contains "$(cat "$PGNG_TMP/bad.out")" "node id 7 is not valid" "promote of an unconfigured node"
pgpool_stop fast
exit 0
