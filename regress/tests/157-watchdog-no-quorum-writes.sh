#!/usr/bin/env bash
# Writes refused without watchdog quorum: three pgpool-ng nodes on 127.0.0.1 with the watchdog in
# front of the regress cluster. All up: an INSERT through node 0 works. Nodes 1 and 2 killed (node 0
# has no quorum): within a bound, INSERT through node 0 fails with SQLSTATE 25006 and pgpool-ng's
# message (simple and extended protocol), nothing is written, SELECT works, and a session opened
# before the loss goes on reading after a refused write (also inside a transaction block). Nodes 1
# and 2 back: INSERT works again in the same long-lived session and in new ones.
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
. "$PGNG_SRC/regress/lib/watchdog.sh"
. "$PGNG_SRC/regress/lib/wd_loopback.sh"
require_bin pgpool pg_md5 pcp_watchdog_info
require_cmd pgbench

DEADTIME=3
MSG="pgpool-ng: this node has no watchdog quorum; writes are refused (reads still served)"
wd_pcp_setup
WD_AUTHKEY=regress-157
WD_DEADTIME=$DEADTIME
wd_lo_ports

start_node() { wd_lo_start_node "$1" "sr_check_period = 0"; }

# on0 SQL: psql through node 0 (verbose errors: the SQLSTATE is printed), stdout and stderr.
on0() { PGCONNECT_TIMEOUT=5 timeout 20 psql -XAtq -v VERBOSITY=verbose -h 127.0.0.1 -p "${PORT[0]}" \
	-U "$PGNG_PG_SUPERUSER" -d postgres -c "$1" 2>&1; }
rows() { psql_at "$PGNG_PG_PORT0" "SELECT count(*) FROM wgate"; }
insert_refused() { out=$(on0 "INSERT INTO wgate VALUES (1)"); [[ $out == *"25006: $MSG"* ]]; }
insert_works() { out=$(on0 "INSERT INTO wgate VALUES (1)"); [ -z "$out" ]; }
# extended protocol: pgbench -M extended, one transaction of one statement
pgb() { echo "$1" >"$PGNG_TMP/pgb.sql"; PGCONNECT_TIMEOUT=5 timeout 20 pgbench -n -M extended -t 1 \
	-h 127.0.0.1 -p "${PORT[0]}" -U "$PGNG_PG_SUPERUSER" -f "$PGNG_TMP/pgb.sql" postgres 2>&1; }

# a long-lived session through node 0: lines go in through a fifo, each batch ends with a marker
LS_OUT=$PGNG_TMP/ls.out
mkfifo "$PGNG_TMP/ls.in"
: >"$LS_OUT"
ls_open()
{
	timeout 250 psql -XAtq -v VERBOSITY=verbose -h 127.0.0.1 -p "${PORT[0]}" -U "$PGNG_PG_SUPERUSER" \
		-d postgres <"$PGNG_TMP/ls.in" >"$LS_OUT" 2>&1 &
	LS_PID=$!
	register_pid "$LS_PID"
	exec 7>"$PGNG_TMP/ls.in"
}
LS_N=0
# ls_run SQL...: runs the lines in the session; LS is what they printed
ls_run()
{
	local from
	LS_N=$((LS_N + 1))
	from=$(( $(wc -l <"$LS_OUT") + 1 ))
	printf '%s\n' "$@" "\\echo mark-$LS_N" >&7
	wait_for "grep -qx mark-$LS_N '$LS_OUT'" 30 "the long-lived session did not answer: $*"
	LS=$(tail -n +"$from" "$LS_OUT" | grep -vx "mark-$LS_N")
}

psql_at "$PGNG_PG_PORT0" "DROP TABLE IF EXISTS wgate; DROP SEQUENCE IF EXISTS wgate_seq; CREATE TABLE wgate (i int); CREATE SEQUENCE wgate_seq" >/dev/null
for i in 0 1 2; do start_node "$i"; done
watch_until 'one_leader && [ "$(count_state STANDBY)" = 2 ]' 30000 "no single leader with two standbys"
assert_eq "" "$(on0 "INSERT INTO wgate VALUES (1)")" "quorum: INSERT through node 0 works"
ls_open
ls_run "INSERT INTO wgate VALUES (1);" "SELECT count(*) FROM wgate;"
assert_eq 2 "$LS" "quorum: the long-lived session writes and reads"
note "all three up: INSERT through node 0 works"

# ---- nodes 1 and 2 gone: node 0 has no quorum ----
kill_node 1
kill_node 2
t0=$KILLED_AT
out=
wait_for insert_refused $(( DEADTIME * 4 + 10 )) "INSERT through node 0 not refused without quorum"
out=$(on0 "INSERT INTO wgate VALUES (1)")
assert_contains "$out" "25006: $MSG" "no quorum: INSERT refused"
before=$(rows)
note "no quorum: INSERT refused $(( $(now_ms) - t0 )) ms after the second kill: $out"
assert_eq "$before" "$(on0 "SELECT count(*) FROM wgate")" "no quorum: SELECT through node 0 works"
out=$(on0 "UPDATE wgate SET i = 2")
assert_contains "$out" "25006: $MSG" "no quorum: UPDATE refused"
out=$(on0 "CREATE TABLE wgate2 (i int)")
assert_contains "$out" "25006: $MSG" "no quorum: DDL refused"
out=$(on0 "SELECT nextval('wgate_seq')")
assert_contains "$out" "25006: $MSG" "no quorum: nextval refused"
out=$(pgb "INSERT INTO wgate VALUES (3);")
assert_contains "$out" "$MSG" "no quorum: extended-protocol INSERT refused (pgbench -M extended)"
out=$(pgb "SELECT count(*) FROM wgate;")
assert_contains "$out" "number of failed transactions: 0" "no quorum: extended-protocol SELECT works: $out"
assert_eq "$before" "$(rows)" "no quorum: no row was written"

ls_run "INSERT INTO wgate VALUES (4);" "SELECT count(*) FROM wgate;"
assert_contains "$LS" "25006: $MSG" "long-lived session: its INSERT is refused"
assert_contains "$LS" "$before" "long-lived session: reads after the refused write"
ls_run "BEGIN;" "SELECT 1;" "INSERT INTO wgate VALUES (5);" "SELECT 2;" "ROLLBACK;" "SELECT 3;"
assert_contains "$LS" "25006: $MSG" "transaction block: the INSERT is refused"
assert_contains "$LS" "25P02" "transaction block: the transaction failed with the refusal"
assert_contains "$LS" "3" "after ROLLBACK the session reads again"
assert_eq "$before" "$(rows)" "no quorum: still no row written"
note "no quorum: writes refused (simple and extended), reads served, the long-lived session goes on"

# ---- nodes 1 and 2 back ----
start_node 1
start_node 2
t0=$(now_ms)
wait_for insert_works 40 "INSERT through node 0 still refused after nodes 1 and 2 came back"
note "quorum back: INSERT through node 0 works $(( $(now_ms) - t0 )) ms after the restart"
ls_run "INSERT INTO wgate VALUES (6);" "SELECT count(*) FROM wgate WHERE i = 6;"
assert_eq 1 "$LS" "long-lived session: writes again once the quorum is back"
out=$(pgb "INSERT INTO wgate VALUES (7);")
assert_contains "$out" "number of failed transactions: 0" "extended-protocol INSERT works again: $out"
# (the pgpool-ng nodes started since hold the fifo open too: \q, not the end of input, ends psql)
printf '\\q\n' >&7
exec 7>&-
wait_for "! kill -0 $LS_PID 2>/dev/null" 10 "the long-lived session did not end"
psql_at "$PGNG_PG_PORT0" "DROP TABLE wgate; DROP SEQUENCE wgate_seq" >/dev/null
for i in 0 1 2; do kill_node "$i"; done
