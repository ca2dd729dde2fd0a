#!/usr/bin/env bash
# PCP: every pcp_* tool against pgpool-ng, output shapes, messages and exit codes compared with
# pgpool-II 4.3.5's captures (regress/golden/pcp_*.txt); values cross-checked with SHOW pool_*;
# with Debian's /usr/sbin/pcp_* present, their output against pgpool-ng must equal ours; wrong
# password, unreachable server, the Unix socket; detach/attach seen by SHOW pool_nodes; graceful
# detach waits for sessions within recovery_timeout; reload rereads pgpool.conf and pcp.conf; a PCP
# process killed is replaced; the 65th connection is refused; 1,000 fuzzed packets leave the server
# serving; pcp_stop_pgpool stops pgpool-ng.
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
. "$PGNG_SRC/regress/lib/pcp.sh"
require_bin pgpool pg_md5 pcp_node_count pcp_node_info pcp_health_check_stats pcp_proc_count \
	pcp_proc_info pcp_pool_status pcp_attach_node pcp_detach_node pcp_promote_node \
	pcp_recovery_node pcp_reload_config pcp_stop_pgpool pcp_watchdog_info regress/tools/pcpfuzz

PCP_USER=pcpadmin
pgpool_write_conf "num_init_children = 4" "max_pool = 2" "log_min_messages = info" "recovery_timeout = 5"
pcp_auth_setup
pgpool_start
wait_for "'$PGNG_BIN/pcp_node_count' -h 127.0.0.1 -p $PCP_PORT -U $PCP_USER -w" 10 "PCP answers"
pool_psql "SELECT 1" >/dev/null
B=$PGNG_BIN

# bg_session SQL: runs SQL through pgpool-ng in psql in the background; SESSION_PID is psql's pid
bg_session()
{
	PGCONNECT_TIMEOUT=10 "$PGNG_PG_BIN/psql" -X -A -t -q -h 127.0.0.1 -p "$PGPOOL_PORT" \
		-U "$PGNG_PG_SUPERUSER" -d postgres -c "$1" >/dev/null 2>&1 &
	SESSION_PID=$!
	register_pid "$SESSION_PID"
}

# ---- read-only commands, golden shapes ----
pcp_run "$B" pcp_node_count;                 pcp_expect_shape pcp_node_count.txt
assert_eq 3 "$PCP_OUT" "node count"
pcp_run "$B" pcp_node_info;                  pcp_expect_shape pcp_node_info-all.txt
pcp_run "$B" pcp_node_info -a;               pcp_expect_shape pcp_node_info-a.txt
pcp_run "$B" pcp_node_info -n 0;             pcp_expect_shape pcp_node_info-n0.txt
pcp_run "$B" pcp_node_info -v;               pcp_expect_shape pcp_node_info-v.txt
pcp_run "$B" pcp_node_info -v -n 1;          pcp_expect_shape pcp_node_info-v-n1.txt
pcp_run "$B" pcp_node_info -n 7;             pcp_expect_shape pcp_node_info-bad-node.txt
pcp_run "$B" pcp_node_info -n 200;           pcp_expect_shape pcp_node_info-bad-node-200.txt
pcp_run "$B" pcp_node_info -n -5;            pcp_expect_shape pcp_node_info-negative-node.txt
pcp_run "$B" pcp_node_info -n abc;           pcp_expect_shape pcp_node_info-node-abc.txt
pcp_run "$B" pcp_health_check_stats -n 0;    pcp_expect_shape pcp_health_check_stats-n0.txt
pcp_run "$B" pcp_health_check_stats -v -n 0; pcp_expect_shape pcp_health_check_stats-v-n0.txt
pcp_run "$B" pcp_health_check_stats -n 7;    pcp_expect_shape pcp_health_check_stats-bad-node.txt
pcp_run "$B" pcp_health_check_stats;         pcp_expect_shape pcp_health_check_stats-nonode.txt
pcp_run "$B" pcp_proc_count;                 pcp_expect_shape pcp_proc_count.txt
pcp_run "$B" pcp_proc_count -v;              pcp_expect_shape pcp_proc_count-v.txt
pcp_run "$B" pcp_proc_info -a;               pcp_expect_shape pcp_proc_info-a.txt
pcp_run "$B" pcp_proc_info -P 1;             pcp_expect_shape pcp_proc_info-bad-pid.txt
pcp_run "$B" pcp_watchdog_info;              pcp_expect_shape pcp_watchdog_info-wd-off.txt
pcp_run "$B" pcp_watchdog_info -v;           pcp_expect_shape pcp_watchdog_info-v-wd-off.txt
pcp_run "$B" pcp_recovery_node -n 2;         pcp_expect_shape pcp_recovery_node-node-up.txt
pcp_run "$B" pcp_recovery_node -n 7;         pcp_expect_shape pcp_recovery_node-bad-node.txt
pcp_run "$B" pcp_promote_node -n 7;          pcp_expect_shape pcp_promote_node-bad-node.txt
pcp_run "$B" pcp_reload_config -s foo;       pcp_expect_shape pcp_reload_config-s-bad.txt
pcp_run "$B" pcp_stop_pgpool -m bogus;       pcp_expect_shape pcp_stop_pgpool-bad-mode.txt
pcp_run "$B" pcp_stop_pgpool -s bogus;       pcp_expect_shape pcp_stop_pgpool-bad-scope.txt

# the process list: every pid pcp_proc_count gives is a child, and -v -a -P shows its 2 x 3 slots
pids=$("$B/pcp_proc_count" -h 127.0.0.1 -p "$PCP_PORT" -U "$PCP_USER" -w)
assert_eq "$(pgpool_children | sort -n | tr '\n' ' ')" "$(echo "$pids" | tr ' ' '\n' | grep . | sort -n | tr '\n' ' ')" \
	"pcp_proc_count lists the children"
first=$(echo "$pids" | cut -d' ' -f1)
pcp_run "$B" pcp_proc_info -v -a -P "$first"
pcp_expect_shape pcp_proc_info-v-a-P.txt
assert_eq 6 "$(printf '%s\n' "$PCP_OUT" | grep -c "^PID *: $first\$")" "6 slots of child $first"
# without -a only connected slots: a session running a statement is one of them
bg_session "SELECT pg_sleep(60)"
sleeper=$SESSION_PID
wait_for "'$B/pcp_proc_info' -h 127.0.0.1 -p $PCP_PORT -U $PCP_USER -w | grep -q 'Execute command'" 15 \
	"pcp_proc_info shows the running session"
pcp_run "$B" pcp_proc_info -v
printf '%s\n' "$PCP_OUT" | grep -q '^Connected *: 1$' || fail "pcp_proc_info shows no connected slot"
printf '%s\n' "$PCP_OUT" | grep '^Connected' | grep -qv ': 1$' && fail "pcp_proc_info without -a shows an unconnected slot"
printf '%s\n' "$PCP_OUT" | grep -q '^Database *: postgres$' || fail "pcp_proc_info: the session's database"
kill "$sleeper" 2>/dev/null
wait "$sleeper" 2>/dev/null

# values agree with SHOW: node info (weight, status, pg_status, role, pg_role, repl. state) ...
pcp_run "$B" pcp_node_info
assert_eq "$(pool_psql "SHOW pool_nodes" | awk -F'|' '{ printf "%s %s %s %s %s %s %s\n", $6, $4, $5, $7, $8,
		$12 == "" ? "none" : $12, $13 == "" ? "none" : $13 }')" \
	"$(printf '%s\n' "$PCP_OUT" | cut -d' ' -f4-8,10-11)" "pcp_node_info = SHOW pool_nodes"
assert_eq primary "$(printf '%s\n' "$PCP_OUT" | sed -n 1p | cut -d' ' -f7)" "node 0 is pgpool's primary"
# ... health-check stats, pool status (names, values, descriptions)
pcp_run "$B" pcp_health_check_stats -n 1
assert_eq "$(pool_psql "SHOW pool_health_check_stats" | sed -n 2p | tr '|' ' ')" "$PCP_OUT" \
	"pcp_health_check_stats -n 1 = SHOW pool_health_check_stats row 1"
pcp_run "$B" pcp_pool_status
assert_eq "$(golden_part pcp_pool_status.txt stdout | sed -n 's/^name : //p' | tr '\n' ' ')" \
	"$(printf '%s\n' "$PCP_OUT" | sed -n 's/^name : //p' | tr '\n' ' ')" "pcp_pool_status items, in pgpool's order"
assert_eq "$(pool_psql "SHOW pool_status" | grep -v '^memqcache_stats_start_time')" \
	"$(printf '%s\n' "$PCP_OUT" | awk '/^name : / { n = substr($0, 8) } /^value: / { v = substr($0, 8) }
		/^desc : / { if (n != "memqcache_stats_start_time") print n "|" v "|" substr($0, 8) }')" \
	"pcp_pool_status = SHOW pool_status"
pcp_run "$B" pcp_pool_status -v
assert_eq "$(golden_part pcp_pool_status-v.txt stdout | grep -c '^Name \[')" \
	"$(printf '%s\n' "$PCP_OUT" | grep -c '^Name \[')" "pcp_pool_status -v item count"

# ---- detach, attach (the table every session reads) ----
pcp_run "$B" pcp_detach_node -n 2;             pcp_expect_shape pcp_detach_node.txt
pcp_run "$B" pcp_node_info -n 2;               pcp_expect_shape pcp_node_info-n2-detached.txt
assert_eq "3 down" "$(echo "$PCP_OUT" | cut -d' ' -f3,5)" "node 2 down after detach"
assert_eq down "$(pool_psql "SHOW pool_nodes" | awk -F'|' '$1 == 2 { print $4 }')" "SHOW pool_nodes sees the detach"
pcp_run "$B" pcp_node_info -v -n 2;            pcp_expect_shape pcp_node_info-v-n2-detached.txt
pcp_run "$B" pcp_health_check_stats -n 2;      pcp_expect_shape pcp_health_check_stats-n2-detached.txt
pcp_run "$B" pcp_detach_node -n 2;             pcp_expect_shape pcp_detach_node-already-down.txt
pcp_run "$B" pcp_attach_node -n 2;             pcp_expect_shape pcp_attach_node.txt
pcp_run "$B" pcp_node_info -n 2
case "$(echo "$PCP_OUT" | cut -d' ' -f3,5)" in
	"1 waiting" | "2 up") ;;
	*) fail "node 2 after attach: $PCP_OUT" ;;
esac
pcp_run "$B" pcp_attach_node -v -n 2;          pcp_expect_shape pcp_attach_node-v.txt
pcp_run "$B" pcp_detach_node -v -g -n 2;       pcp_expect_shape pcp_detach_node-v-g.txt
pcp_run "$B" pcp_attach_node 2;                pcp_expect_shape pcp_attach_node-already-up.txt
# pgpool-ng refuses node ids that are not configured (pgpool-II "succeeds" and runs a failover)
pcp_run "$B" pcp_attach_node -n 7
assert_contains "$PCP_ERR" "node id 7 is not configured" "attach of an unconfigured node"
pcp_run "$B" pcp_detach_node 7;                pcp_expect_shape pcp_detach_node-bad-node-positional.txt
# promote and recovery change the cluster: 146 and 147 run them. Without recovery_user, recovery
# fails as pgpool's does when it cannot connect to the main node.
pcp_run "$B" pcp_detach_node -n 2
pcp_run "$B" pcp_recovery_node -n 2;           pcp_expect_shape pcp_recovery_node-no-recovery-cmd.txt
pcp_run "$B" pcp_attach_node -n 2

# ---- reload: pgpool.conf changes reach the PCP process (and the children) ----
pcp_run "$B" pcp_reload_config;                pcp_expect_shape pcp_reload_config.txt
echo "client_idle_limit = 123" >>"$PGPOOL_DIR/pgpool.conf"
pcp_run "$B" pcp_reload_config -v -s local;    pcp_expect_shape pcp_reload_config-v-s-local.txt
wait_for "'$B/pcp_pool_status' -h 127.0.0.1 -p $PCP_PORT -U $PCP_USER -w | grep -A1 -x 'name : client_idle_limit' | grep -qx 'value: 123'" \
	10 "client_idle_limit reloaded"
pcp_run "$B" pcp_reload_config -s cluster;     pcp_expect_shape pcp_reload_config-s-cluster.txt

# pcp.conf is reread on reload: a new user can log in
echo "newadmin:$("$B/pg_md5" newpass)" >>"$PGPOOL_DIR/pcp.conf"
echo "127.0.0.1:$PCP_PORT:newadmin:newpass" >>"$PCPPASSFILE"
PCP_USER=newadmin pcp_run "$B" pcp_node_count
assert_eq 1 "$PCP_RC" "newadmin cannot log in before the reload"
pcp_run "$B" pcp_reload_config
wait_for "'$B/pcp_node_count' -h 127.0.0.1 -p $PCP_PORT -U newadmin -w" 10 "newadmin logs in after the reload"

# ---- connection and authentication failures ----
echo "127.0.0.1:$PCP_PORT:$PCP_USER:wrong" >"$PGNG_TMP/badpass"
chmod 600 "$PGNG_TMP/badpass"
PCPPASSFILE=$PGNG_TMP/badpass pcp_run "$B" pcp_node_count
pcp_expect_shape pcp_node_count-wrong-password.txt
PCP_USER=nosuchuser pcp_run "$B" pcp_node_count
pcp_expect_shape pcp_node_count-unknown-user.txt
PCP_PORT=$(free_port) pcp_run "$B" pcp_node_count
pcp_expect_shape pcp_node_count-unreachable.txt
port=$(free_port)
PCP_OUT=$("$B/pcp_node_count" -p "$port" -U "$PCP_USER" -w 2>"$PGNG_TMP/err")
PCP_RC=$?
PCP_ERR=$(cat "$PGNG_TMP/err")
pcp_expect_shape pcp_node_count-unix-socket-missing.txt
echo "*:*:$PCP_USER:secret" >>"$PCPPASSFILE"
assert_eq 3 "$("$B/pcp_node_count" -h "$PGPOOL_DIR" -p "$PCP_PORT" -U "$PCP_USER" -w)" "node count over the Unix socket"
grep -q "authentication failed for user \"$PCP_USER\"" "$PGPOOL_DIR/log" || fail "the failed login is not logged"

# ---- Debian's pcp_* against pgpool-ng: the same output as ours ----
if [ -x /usr/sbin/pcp_node_info ]; then
	# sessions change what two runs see: compare with every child waiting for a client
	wait_for "! '$B/pcp_proc_info' -h 127.0.0.1 -p $PCP_PORT -U $PCP_USER -w -a | grep -qv 'Wait for connection'" \
		30 "every child waits for a client"
	# the restart countdown moves between two runs; the rest must be byte for byte the same
	same()
	{
		local ours theirs
		ours=$("$B/$1" -h 127.0.0.1 -p "$PCP_PORT" -U "$PCP_USER" -w "${@:2}" 2>&1; echo "rc=$?")
		theirs=$("/usr/sbin/$1" -h 127.0.0.1 -p "$PCP_PORT" -U "$PCP_USER" -w "${@:2}" 2>&1; echo "rc=$?")
		ours=$(printf '%s' "$ours" | sed -E 's/\([0-9]+:[0-9]+ before/(before/')
		theirs=$(printf '%s' "$theirs" | sed -E 's/\([0-9]+:[0-9]+ before/(before/')
		# where Debian's tool prints an error and exits 0, ours exits 1
		case "$theirs" in *"ERROR: "*"rc=0" | *"Invalid node-id"*"rc=0") theirs="${theirs%rc=0}rc=1" ;; esac
		[ "$ours" = "$theirs" ] || fail "Debian's $* differs from ours (< Debian, > pgpool-ng):
$(diff <(printf '%s\n' "$theirs") <(printf '%s\n' "$ours") | head -20)"
	}
	same pcp_node_count
	same pcp_node_count -v
	same pcp_node_info
	same pcp_node_info -v -n 1
	same pcp_node_info -n 7
	same pcp_health_check_stats -n 0
	same pcp_health_check_stats -v -n 2
	same pcp_proc_count -v
	same pcp_proc_info -a
	same pcp_proc_info -v -P "$first"
	same pcp_proc_info -P 1
	same pcp_pool_status
	same pcp_pool_status -v
	same pcp_watchdog_info -v
	same pcp_recovery_node -n 7
	same pcp_promote_node -n 7
	same pcp_reload_config -s cluster
	deb()
	{
		"/usr/sbin/$1" -h 127.0.0.1 -p "$PCP_PORT" -U "$PCP_USER" -w "${@:2}" 2>&1
		echo "rc=$?"
	}
	assert_eq "pcp_detach_node -- Command Successful rc=0" "$(deb pcp_detach_node -n 2 | tr '\n' ' ' | sed 's/ $//')" \
		"Debian's pcp_detach_node"
	assert_contains "$(deb pcp_detach_node -n 2)" "node id : 2 status: [3] is not valid for failover" \
		"Debian's pcp_detach_node of a node that is down"
	assert_eq "pcp_attach_node -- Command Successful rc=0" "$(deb pcp_attach_node -n 2 | tr '\n' ' ' | sed 's/ $//')" \
		"Debian's pcp_attach_node"
	PCPPASSFILE=$PGNG_TMP/badpass same pcp_node_count
	note "Debian's pcp_* tools print the same as ours against pgpool-ng"
else
	note "skipped the comparison with Debian's pcp_* tools: /usr/sbin/pcp_node_info is not installed (apt-get install pgpool2)"
fi

# ---- graceful detach ----
# -g waits for the sessions to end, at most recovery_timeout (5 s here)
bg_session "SELECT pg_sleep(3)"
sleeper=$SESSION_PID
wait_for "'$B/pcp_proc_info' -h 127.0.0.1 -p $PCP_PORT -U $PCP_USER -w | grep -q 'Execute command'" 15 \
	"the 3 s session runs"
t0=$(date +%s%N)
pcp_run "$B" pcp_detach_node -g -n 2
waited=$((($(date +%s%N) - t0) / 1000000))
assert_eq "pcp_detach_node -- Command Successful" "$PCP_OUT" "graceful detach with a session"
[ "$waited" -ge 1000 ] || fail "pcp_detach_node -g returned after $waited ms, before the session ended"
wait "$sleeper" 2>/dev/null
pcp_run "$B" pcp_attach_node -n 2
bg_session "SELECT pg_sleep(30)"
sleeper=$SESSION_PID
wait_for "'$B/pcp_proc_info' -h 127.0.0.1 -p $PCP_PORT -U $PCP_USER -w | grep -q 'Execute command'" 15 \
	"the 30 s session runs"
t0=$(date +%s%N)
pcp_run "$B" pcp_detach_node -g -n 2
waited=$((($(date +%s%N) - t0) / 1000000))
assert_eq "pcp_detach_node -- Command Successful" "$PCP_OUT" "graceful detach bounded by recovery_timeout"
[ "$waited" -ge 4500 ] && [ "$waited" -lt 15000 ] || fail "pcp_detach_node -g took $waited ms (recovery_timeout 5 s)"
grep -q "sessions still open after 5 s; detaching node 2 anyway" "$PGPOOL_DIR/log" || fail "the cut-short wait is not logged"
kill "$sleeper" 2>/dev/null
wait "$sleeper" 2>/dev/null
pcp_run "$B" pcp_attach_node -n 2

# ---- a killed PCP process is replaced; bad packets and fuzzing leave it serving ----
pcp_pid=$(pgpool_pcp_pid)
[ -n "$pcp_pid" ] || fail "no PCP process among pgpool-ng's children"
kill -9 "$pcp_pid"
wait_for "[ -n \"\$(pgpool_pcp_pid)\" ] && [ \"\$(pgpool_pcp_pid)\" != $pcp_pid ] && '$B/pcp_node_count' -h 127.0.0.1 -p $PCP_PORT -U $PCP_USER -w" \
	15 "PCP process replaced after kill -9"
# at most 64 connections at once: the 65th gets FATAL, and the server serves again once they go
conns=()
for i in $(seq 64); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$PCP_PORT" || fail "connection $i refused"
	conns+=("$fd")
done
wait_for "[ \$(pgrep -P \$(pgpool_pcp_pid) | wc -l) -ge 64 ]" 20 "64 PCP workers"
exec {fd}<>"/dev/tcp/127.0.0.1/$PCP_PORT"
reply=$(timeout 5 cat <&"$fd" | tr '\0' '|')
exec {fd}<&-
assert_contains "$reply" "too many PCP connections" "the 65th connection is refused"
for fd in "${conns[@]}"; do
	exec {fd}<&-
done
wait_for "'$B/pcp_node_count' -h 127.0.0.1 -p $PCP_PORT -U $PCP_USER -w" 15 "served again after the 64 connections closed"
# a request before authentication: FATAL and the connection closes
exec 3<>"/dev/tcp/127.0.0.1/$PCP_PORT"
printf 'L\0\0\0\004' >&3
reply=$(timeout 5 cat <&3 | tr '\0' '|')
exec 3<&-
assert_contains "$reply" "authentication is required" "unauthenticated request refused"
SEED=${PGNG_FUZZ_SEED:-$(date +%s)}
note "pcp fuzz seed $SEED (rerun with PGNG_FUZZ_SEED=$SEED)"
timeout 150 "$B/regress/tools/pcpfuzz" 127.0.0.1 "$PCP_PORT" "$PCP_USER" secret "$SEED" 1000 120 100 >"$PGNG_TMP/fuzz.out" 2>&1
rc=$?
cat "$PGNG_TMP/fuzz.out" >&2
[ $rc -eq 0 ] || fail "pcpfuzz failed (exit $rc, seed $SEED)"
assert_contains "$(cat "$PGNG_TMP/fuzz.out")" "pcpfuzz: 1000 cases" "all 1000 fuzz cases ran"
if grep -q "by signal" "$PGPOOL_DIR/log"; then
	grep -v "pid: $pcp_pid exits by signal 9" "$PGPOOL_DIR/log" | grep -q "by signal" &&
		fail "a process died by a signal: $(grep "by signal" "$PGPOOL_DIR/log" | head -3)"
fi
# the fuzzer's authenticated requests may have detached every node: attach them back first
for n in 0 1 2; do
	"$B/pcp_attach_node" -h 127.0.0.1 -p "$PCP_PORT" -U "$PCP_USER" -w -n $n >/dev/null 2>&1
done
assert_eq 1 "$(pool_psql "SELECT 1")" "sessions served after the fuzzing"

# ---- pcp_stop_pgpool ----
pcp_run "$B" pcp_stop_pgpool -v -m fast;       pcp_expect_shape pcp_stop_pgpool.txt
wait_for "! kill -0 $PGPOOL_PID" 15 "pgpool-ng stopped by pcp_stop_pgpool"
PGPOOL_PID=
pcp_run "$B" pcp_node_count;                   pcp_expect_shape pcp_node_count-after-stop.txt
exit 0
