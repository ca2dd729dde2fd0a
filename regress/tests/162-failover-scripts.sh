#!/usr/bin/env bash
# Failover driven by pgpool's scripts: every process of the primary is killed (kill -9) under a write
# load through pgpool-ng. The health check detaches node0, failover_command (sample failover.sh) gets
# pgpool's placeholders and promotes node1, pgpool-ng finds the new primary, follow_primary_command
# (sample follow_primary.sh) re-points node2, which pgpool-ng attaches once it streams from node1.
# Measured: time from the kill to the first write that succeeds again; every write the client saw
# committed must be on the new primary. The driver rebuilds the cluster afterwards.
# shellcheck source=regress/lib/testlib.sh
. "$PGNG_SRC/regress/lib/testlib.sh"
# shellcheck source=regress/lib/pgpool.sh
. "$PGNG_SRC/regress/lib/pgpool.sh"
# shellcheck source=regress/lib/failover.sh
. "$PGNG_SRC/regress/lib/failover.sh"

for s in failover follow_primary; do
	cp "$PGNG_SRC/sample-configs/$s.sh.sample" "$PGNG_TMP/$s.sh"
	chmod 0755 "$PGNG_TMP/$s.sh"
done
# The scripts run as the servers' OS user (pg_ctl refuses root), with the sample's variables.
cat >"$PGNG_TMP/run.sh" <<EOS
#!/bin/bash
what=\$1; shift
echo "\$*" >>"$PGNG_TMP/\$what.args"
export PGBIN='$PGNG_PG_BIN' PROMOTE_USER='$PGNG_PG_SUPERUSER' SUPERUSER='$PGNG_PG_SUPERUSER'
export REPL_USER='$PGNG_PG_SUPERUSER' PCP_USER='' FOLLOW_WAIT=30
if [ "\$(id -u)" -eq 0 ] && [ '$PGNG_OS_USER' != root ]; then
	exec runuser -u '$PGNG_OS_USER' -- "$PGNG_TMP/\$what.sh" "\$@" >>"$PGNG_TMP/\$what.out" 2>&1
fi
exec "$PGNG_TMP/\$what.sh" "\$@" >>"$PGNG_TMP/\$what.out" 2>&1
EOS
chmod 0755 "$PGNG_TMP/run.sh"
chmod 0777 "$PGNG_TMP"

pgpool_write_conf "health_check_period = 1" "health_check_timeout = 10" "health_check_max_retries = 0" \
	"sr_check_period = 1" "search_primary_node_timeout = 30" \
	"failover_command = '$PGNG_TMP/run.sh failover %d %h %p %D %m %H %M %P %r %R %N %S'" \
	"follow_primary_command = '$PGNG_TMP/run.sh follow_primary %d %h %p %D %m %H %M %P %r %R'"
pgpool_start -D

pool_psql "DROP TABLE IF EXISTS regress_152; CREATE TABLE regress_152 (id int primary key)" || fail "create table"
wait_for "[ \"\$(node_field 2 12)\" = streaming ]" 30 "sr check sees node2 streaming"

load_start regress_152
kill_node 9 0
wait_for "[ \"\$(node_field 1 7)\" = primary ]" 60 "node1 becomes the primary"
wait_for '[ -n "$(back_after)" ]' 60 "writes succeed again"
load_stop
outage=$(back_after)
note "writes succeeded again $outage s after kill -9 of the primary;" \
	"$(grep -c ' fail ' "$LOAD_LOG") failed, $(grep -c ' ok ' "$LOAD_LOG") committed"
[ "$(echo "$outage < 5" | bc)" = 1 ] || fail "writes came back only $outage s after the kill"

# failover_command got pgpool's placeholders
P0=$PGNG_PG_PORT0 P1=$PGNG_PG_PORT1 H=127.0.0.1
assert_eq "0 $H $P0 $PGNG_PG_DATA0 1 $H 0 0 $P1 $PGNG_PG_DATA1 $H $P0" "$(head -n 1 "$PGNG_TMP/failover.args")" \
	"failover_command placeholders %d %h %p %D %m %H %M %P %r %R %N %S"
assert_eq "2 $H $PGNG_PG_PORT2 $PGNG_PG_DATA2 1 $H 0 0 $P1 $PGNG_PG_DATA1" "$(head -n 1 "$PGNG_TMP/follow_primary.args")" \
	"follow_primary_command placeholders for node2"
assert_eq 1 "$(wc -l <"$PGNG_TMP/failover.args")" "failover_command ran once"
assert_eq 1 "$(wc -l <"$PGNG_TMP/follow_primary.args")" "follow_primary_command ran once (node2 only)"

# roles and states after the failover
wait_for "[ \"\$(node_field 2 4)\" != down ] && [ \"\$(node_field 2 12)\" = streaming ]" 60 \
	"node2 attached again and streaming from node1"
note "$(pool_psql "SHOW pool_nodes" -F '|')"
assert_eq "down" "$(node_field 0 4)" "node0 down"
assert_eq "standby" "$(node_field 2 7)" "node2 standby"
assert_eq "$H:$P1" "$(psql_at "$PGNG_PG_PORT2" "SELECT sender_host || ':' || sender_port FROM pg_stat_wal_receiver")" \
	"node2 streams from node1"
assert_eq "down up up" "$(tr '\n' ' ' <"$PGPOOL_DIR/pgpool_status" | sed 's/ $//')" "pgpool_status"

# no acknowledged commit lost: every id the client saw committed is on the new primary
assert_eq "" "$(lost_commits regress_152 "$P1" | tr '\n' ' ')" "acknowledged commits missing on the new primary"
pool_psql "INSERT INTO regress_152 VALUES (-1)" || fail "write through pgpool-ng after the failover"
pgpool_stop fast
exit 0
