#!/usr/bin/env bash
# Online recovery the pgpool way: pgpool-ng's pgpool_recovery extension (extension/pgpool_recovery,
# built here with PGXS and installed into PostgreSQL 15) runs recovery_1st_stage_command from the
# primary's data directory with pgpool's seven arguments, then pgpool_remote_start; pgpool-ng waits
# for the node and attaches it. Standby node2 is detached and stopped, pcp_recovery_node -n 2 rebuilds
# it with sample-configs/recovery_1st_stage.sample and pgpool_remote_start.sample (ssh replaced by a
# local stand-in; pg_basebackup) and it streams again. Root only (installing the extension);
# skipped without postgresql-server-dev-15.
# shellcheck source=regress/lib/testlib.sh
. "$PGNG_SRC/regress/lib/testlib.sh"
# shellcheck source=regress/lib/pgpool.sh
. "$PGNG_SRC/regress/lib/pgpool.sh"
. "$PGNG_SRC/regress/lib/pcp.sh"
# shellcheck source=regress/lib/failover.sh
. "$PGNG_SRC/regress/lib/failover.sh"
require_bin pgpool pg_md5 pcp_recovery_node pcp_detach_node
PG_CONFIG=$PGNG_PG_BIN/pg_config
[ "$(id -u)" -eq 0 ] || skip "installing the pgpool_recovery extension needs root"
[ -x "$PG_CONFIG" ] && [ -f "$("$PG_CONFIG" --pgxs 2>/dev/null)" ] ||
	skip "PGXS is missing (apt-get install postgresql-server-dev-15)"

cp -r "$PGNG_SRC/extension/pgpool_recovery" "$PGNG_TMP/ext"
make -C "$PGNG_TMP/ext" PG_CONFIG="$PG_CONFIG" with_llvm=no install >"$PGNG_TMP/ext.log" 2>&1 ||
	fail "building the extension: $(tail -5 "$PGNG_TMP/ext.log")"
psql_at "$PGNG_PG_PORT0" "DROP EXTENSION IF EXISTS pgpool_recovery" >/dev/null
PGDATABASE=template1 psql_at "$PGNG_PG_PORT0" "CREATE EXTENSION pgpool_recovery" ||
	fail "CREATE EXTENSION pgpool_recovery"
trap 'PGDATABASE=template1 psql_at "$PGNG_PG_PORT0" "DROP EXTENSION IF EXISTS pgpool_recovery" >/dev/null 2>&1' EXIT

# the scripts live in the primary's data directory and run as its OS user: the sample scripts, with
# a local stand-in for ssh (it runs the remote command here), behind wrappers that keep the arguments
cat >"$PGNG_TMP/fakessh" <<'EOF2'
#!/bin/bash
# ssh stand-in: drop the host, run the command locally
while [ "${1#-}" != "$1" ]; do [ "$1" = -o ] && shift; shift; done
shift
exec bash -c "$*"
EOF2
chmod 755 "$PGNG_TMP/fakessh"
for s in recovery_1st_stage pgpool_remote_start; do
	sed -e "s|^SSH=.*|SSH=$PGNG_TMP/fakessh|" -e "s|^PGBIN=.*|PGBIN=$PGNG_PG_BIN|" \
		"$PGNG_SRC/sample-configs/$s.sample" >"$PGNG_TMP/$s.sample"
	chmod 755 "$PGNG_TMP/$s.sample"
	run_as_os_user sh -c "printf '#!/bin/sh\necho \"\$@\" > $PGNG_TMP/$s.args\nexec $PGNG_TMP/$s.sample \"\$@\"\n' > '$PGNG_PG_DATA0/$s'"
done
chmod 755 "$PGNG_PG_DATA0/recovery_1st_stage" "$PGNG_PG_DATA0/pgpool_remote_start"
chmod 777 "$PGNG_TMP"

PCP_USER=pcpadmin
pgpool_write_conf "sr_check_period = 1" "recovery_user = '$PGNG_PG_SUPERUSER'" \
	"recovery_1st_stage_command = 'recovery_1st_stage'" "recovery_timeout = 90" "log_min_messages = info"
pcp_auth_setup
pgpool_start -D
pcp()
{
	timeout 280 "$PGNG_BIN/$1" -h 127.0.0.1 -p "$PCP_PORT" -U "$PCP_USER" -w "${@:2}" 2>&1
}

pool_psql "DROP TABLE IF EXISTS regress_148; CREATE TABLE regress_148 (id int); INSERT INTO regress_148 VALUES (1)" ||
	fail "create table"
assert_eq "pcp_detach_node -- Command Successful" "$(pcp pcp_detach_node -n 2)" "detach node 2"
run_as_os_user "$PGNG_PG_BIN/pg_ctl" stop -D "$PGNG_PG_DATA2" -m fast -w >/dev/null || fail "stop node2"
pool_psql "INSERT INTO regress_148 VALUES (2)" || fail "write while node2 is down"

t0=$(date +%s%N)
out=$(pcp pcp_recovery_node -n 2)
note "pcp_recovery_node -n 2 answered after $((($(date +%s%N) - t0) / 1000000)) ms"
assert_eq "pcp_recovery_node -- Command Successful" "$out" "recovery of node 2 through the scripts"
assert_eq "$PGNG_PG_DATA0 127.0.0.1 $PGNG_PG_DATA2 $PGNG_PG_PORT0 2 $PGNG_PG_PORT2 127.0.0.1" \
	"$(cat "$PGNG_TMP/recovery_1st_stage.args")" "recovery_1st_stage got pgpool's seven arguments"
assert_eq "127.0.0.1 $PGNG_PG_DATA2" "$(cat "$PGNG_TMP/pgpool_remote_start.args")" "pgpool_remote_start's arguments"
assert_not_contains "$(node_field 2 4)" down "node2 attached"
wait_for "[ \"\$(psql_at $PGNG_PG_PORT2 'SELECT count(*) FROM regress_148')\" = 2 ]" 30 "node2 has the write made while it was down"
wait_for "[ \"\$(psql_at $PGNG_PG_PORT0 \"SELECT count(*) FROM pg_stat_replication WHERE application_name = 'node2' AND state = 'streaming'\")\" = 1 ]" \
	30 "node2 streams from node0 again"

# a failing script: pgpool's error, the node stays down
run_as_os_user sh -c "printf '#!/bin/sh\\nexit 3\\n' > '$PGNG_PG_DATA0/recovery_1st_stage'"
assert_eq "pcp_detach_node -- Command Successful" "$(pcp pcp_detach_node -n 2)" "detach node 2 again"
out=$(pcp pcp_recovery_node -n 2)
assert_contains "$out" 'ERROR:  executing recovery, execution of command failed at "1st stage"' "failing script reported"
assert_contains "$out" 'exit code 3' "the script's exit code in the detail"
assert_eq down "$(node_field 2 4)" "node2 stays detached after the failed recovery"
pcp pcp_attach_node -n 2 >/dev/null
run_as_os_user rm -f "$PGNG_PG_DATA0/recovery_1st_stage" "$PGNG_PG_DATA0/pgpool_remote_start"
pgpool_stop fast
exit 0
