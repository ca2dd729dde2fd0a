#!/usr/bin/env bash
# The commands pgpool-ng answers itself: every SHOW pool_* and PGPOOL SHOW/SET/RESET through
# pgpool-ng, checked for pgpool-II 4.3.5's column names and order (golden/show-*.txt,
# golden/rowdesc-*.txt), row counts, value shapes and error texts; and, when Debian's pgpool2 is
# installed, side by side with pgpool-II: same headers, same pool_status and PGPOOL SHOW ALL items.
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
require_bin pgpool
require_cmd python3


pgpool_write_conf "health_check_period = 2" "sr_check_period = 2" "load_balance_mode = on" \
	"backend_weight0 = 1" "backend_weight1 = 1" "backend_weight2 = 1" \
	"wd_ipc_socket_dir = '$PGPOOL_DIR'"
pgpool_start

# show PORT SQL...: psql -A -F '|' with headers and row counts, each SQL its own command.
show()
{
	local port=$1 sql
	shift
	local -a args=()
	for sql in "$@"; do
		args+=(-c "$sql")
	done
	PGCONNECT_TIMEOUT=10 "$PGNG_PG_BIN/psql" -X -A -F '|' -h 127.0.0.1 -p "$port" \
		-U "$PGNG_PG_SUPERUSER" -d postgres "${args[@]}" 2>&1
}

# header OUTPUT: its first line; rows OUTPUT: the N of its last "(N rows)".
header()
{
	printf '%s\n' "$1" | head -1
}
rows()
{
	printf '%s\n' "$1" | sed -n 's/^(\([0-9]*\) rows\{0,1\})$/\1/p' | tail -1
}

# raw_probe PORT MODE SQL: the messages of one Query (MODE simple) or of Parse/Bind/Describe/
# Execute/Sync (MODE extended), one line each: "T name:attnum:typeoid:typlen:typmod ...",
# "D <count>" (data rows, summed), "C tag", "E sqlstate message", "Z status".
raw_probe()
{
	python3 - "$1" "$2" "$3" "$PGNG_PG_SUPERUSER" <<'PY'
import socket, struct, sys
port, mode, sql, user = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
s = socket.create_connection(("127.0.0.1", port), timeout=10)
def recv(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b
def read():
    h = recv(5)
    return h[:1], recv(struct.unpack("!I", h[1:])[0] - 4)
def msg(k, body):
    return k + struct.pack("!I", len(body) + 4) + body
params = b"user\0" + user.encode() + b"\0database\0postgres\0\0"
s.sendall(struct.pack("!II", len(params) + 8, 196608) + params)
while read()[0] != b"Z":
    pass
q = sql.encode() + b"\0"
if mode == "simple":
    s.sendall(msg(b"Q", q))
else:
    s.sendall(msg(b"P", b"\0" + q + b"\0\0") + msg(b"B", b"\0\0\0\0\0\0\0\0") +
              msg(b"D", b"P\0") + msg(b"E", b"\0\0\0\0\0") + msg(b"S", b""))
rows = 0
while True:
    k, b = read()
    if k == b"T":
        n, off, cols = struct.unpack("!h", b[:2])[0], 2, []
        for _ in range(n):
            end = b.index(b"\0", off)
            name = b[off:end].decode()
            tab, att, typ, tlen, tmod, fmt = struct.unpack("!IhIhih", b[end + 1:end + 19])
            cols.append("%s:%d:%d:%d:%d" % (name, att, typ, tlen, tmod))
            off = end + 19
        print("T " + " ".join(cols))
    elif k == b"D":
        rows += 1
    elif k == b"C":
        print("D %d" % rows)
        print("C " + b[:-1].decode())
    elif k == b"E":
        f = dict((x[:1], x[1:]) for x in b.decode().split("\0") if x)
        print("E %s %s" % (f.get("C"), f.get("M")))
    elif k == b"Z":
        print("Z " + b.decode())
        break
s.sendall(msg(b"X", b""))
PY
}

# ---- column headers (golden/show-*.txt) and row counts ----
declare -A HEADER=(
	[pool_nodes]="node_id|hostname|port|status|pg_status|lb_weight|role|pg_role|select_cnt|load_balance_node|replication_delay|replication_state|replication_sync_state|last_status_change"
	[pool_status]="item|value|description"
	[pool_processes]="pool_pid|start_time|client_connection_count|database|username|backend_connection_time|pool_counter|status"
	[pool_pools]="pool_pid|start_time|client_connection_count|pool_id|backend_id|database|username|backend_connection_time|client_connection_time|client_disconnection_time|client_idle_duration|majorversion|minorversion|pool_counter|pool_backendpid|pool_connected|status"
	[pool_version]="pool_version"
	[pool_backend_stats]="node_id|hostname|port|status|role|select_cnt|insert_cnt|update_cnt|delete_cnt|ddl_cnt|other_cnt|panic_cnt|fatal_cnt|error_cnt"
	[pool_health_check_stats]="node_id|hostname|port|status|role|last_status_change|total_count|success_count|fail_count|skip_count|retry_count|average_retry_count|max_retry_count|max_duration|min_duration|average_duration|last_health_check|last_successful_health_check|last_skip_health_check|last_failed_health_check"
	[pool_cache]="num_cache_hits|num_selects|cache_hit_ratio|num_hash_entries|used_hash_entries|num_cache_entries|used_cache_entries_size|free_cache_entries_size|fragment_cache_entries_size"
)
declare -A ROWS=([pool_nodes]=3 [pool_status]=160 [pool_processes]=4 [pool_pools]=24 [pool_version]=1
	[pool_backend_stats]=3 [pool_health_check_stats]=3 [pool_cache]=1)
SHOWS="pool_nodes pool_status pool_processes pool_pools pool_version pool_backend_stats pool_health_check_stats pool_cache"

for cmd in $SHOWS; do
	out=$(show "$PGPOOL_PORT" "SHOW $cmd")
	assert_eq "${HEADER[$cmd]}" "$(header "$out")" "SHOW $cmd: columns"
	assert_eq "${ROWS[$cmd]}" "$(rows "$out")" "SHOW $cmd: rows"
	# one RowDescription (pgpool-II sends two for pool_processes and pool_version)
	assert_eq 1 "$(printf '%s\n' "$out" | grep -cxF "${HEADER[$cmd]}")" "SHOW $cmd: one header"
	probe=$(raw_probe "$PGPOOL_PORT" simple "SHOW $cmd")
	assert_eq 1 "$(printf '%s\n' "$probe" | grep -c '^T ')" "SHOW $cmd: one RowDescription"
	# every column: attnum = index, type OID 0, typlen -1, typmod 0 (golden/rowdesc-*.txt)
	printf '%s\n' "$probe" | sed -n 's/^T //p' | tr ' ' '\n' |
		awk -F: '$2 != NR - 1 || $3 != 0 || $4 != -1 || $5 != 0 { bad = 1 } END { exit bad }' ||
		fail "SHOW $cmd: RowDescription fields: $probe"
	assert_contains "$probe" "C SELECT ${ROWS[$cmd]}" "SHOW $cmd: tag"
done

# ---- value shapes ----
TS='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}'
# check_shape SQL REGEX: every data row of SQL (psql -At) matches the extended regular expression.
check_shape()
{
	local out bad
	out=$(pool_psql "$1" -F '|') || fail "$1: $out"
	bad=$(printf '%s\n' "$out" | grep -Evx -e "$2" | head -3)
	[ -z "$bad" ] || fail "$1: rows not shaped like ${2}: $bad"
}
check_shape "SHOW pool_nodes" "[0-2]\|127\.0\.0\.1\|[0-9]+\|(up|down|waiting|unused)\|(up|down|unknown)\|0\.333333\|(primary|standby|unknown)\|(primary|standby|unknown)\|[0-9]+\|(true|false)\|[0-9]+\|[a-z]*\|[a-z]*\|($TS)?"
assert_eq 1 "$(pool_psql "SHOW pool_nodes" -F '|' | grep -c '|true|')" "exactly one load_balance_node"
check_shape "SHOW pool_backend_stats" "[0-2]\|127\.0\.0\.1\|[0-9]+\|[a-z]+\|[a-z]+(\|[0-9]+){9}"
check_shape "SHOW pool_health_check_stats" "[0-2]\|127\.0\.0\.1\|[0-9]+\|[a-z]+\|[a-z]+\|($TS)?(\|[0-9]+){5}\|[0-9]+\.[0-9]{6}(\|[0-9]+){3}\|[0-9]+\.[0-9]{6}(\|($TS)?){4}"
check_shape "SHOW pool_processes" "[0-9]+\|($TS( \([0-9]+:[0-5][0-9] before process restarting\))?)?\|[0-9]+\|[^|]*\|[^|]*\|($TS)?\|[0-9]*\|(Wait for connection|Idle|Idle in transaction|Execute command)"
check_shape "SHOW pool_pools" "[0-9]+\|($TS( \([0-9]+:[0-5][0-9] before process restarting\))?)?\|[0-9]+\|[01]\|[0-2]\|[^|]*\|[^|]*(\|($TS)?){3}(\|[0-9]+){6}\|(Wait for connection|Idle|Idle in transaction|Execute command)"
assert_contains "$(pool_psql "SHOW pool_processes" -F '|')" "|postgres|$PGNG_PG_SUPERUSER|" "this session in pool_processes"
assert_contains "$(pool_psql "SHOW pool_processes" -F '|')" "|Execute command" "the SHOW's own child executes"
check_shape "SHOW pool_version" "4\.3\.5 \(pgpool-ng [0-9.a-z~-]+\)"
assert_eq "0|0|0.00|0|0|0|0|0|0" "$(pool_psql "SHOW pool_cache" -F '|')" "SHOW pool_cache"
status=$(pool_psql "SHOW pool_status" -F '|')
assert_contains "$status" "backend_clustering_mode|1|" "pool_status: raw enum"
assert_contains "$status" "port|$PGPOOL_PORT|" "pool_status: port"
assert_contains "$status" "load_balance_mode|1|" "pool_status: raw boolean"
assert_contains "$status" "memqcache_total_size|67108864|" "pool_status: bytes"
assert_contains "$status" "backend_weight2|0.333333|" "pool_status: normalised weight"
printf '%s\n' "$status" | grep -Eq '^backend_status0\|(up|waiting|down)\|' || fail "pool_status: backend_status0"
printf '%s\n' "$status" | awk -F'|' 'length($3) > 79 { exit 1 }' || fail "pool_status: description over 79 characters"

# ---- PGPOOL SHOW ----
out=$(show "$PGPOOL_PORT" "PGPOOL SHOW ALL")
assert_eq "item|value|description" "$(header "$out")" "PGPOOL SHOW ALL: columns"
assert_eq 196 "$(rows "$out")" "PGPOOL SHOW ALL: rows (3 backends, watchdog off)"
assert_eq "backend_hostname0|127.0.0.1" "$(printf '%s\n' "$out" | sed -n 2p | cut -d'|' -f1,2)" "PGPOOL SHOW ALL: first row"
assert_contains "$out" "health_check_password|*****|" "PGPOOL SHOW ALL: secrets hidden"
assert_contains "$out" "child_life_time|5min|" "PGPOOL SHOW ALL: units"
out=$(show "$PGPOOL_PORT" "PGPOOL SHOW backend")
assert_eq 18 "$(rows "$out")" "PGPOOL SHOW backend: rows"
assert_eq "$(printf 'load_balance_mode\non\n(1 row)')" "$(show "$PGPOOL_PORT" "PGPOOL SHOW load_balance_mode")" "PGPOOL SHOW load_balance_mode"
assert_eq "$(printf 'backend_hostname0\n127.0.0.1\n(1 row)')" "$(show "$PGPOOL_PORT" "PGPOOL SHOW backend_hostname0")" "PGPOOL SHOW backend_hostname0"
assert_contains "$(show "$PGPOOL_PORT" "PGPOOL SHOW no_such_param")" 'ERROR:  config variable "no_such_param" not found' "PGPOOL SHOW unknown"

# ---- PGPOOL SET / RESET (golden/pgpool-set-reset.txt, pgpool-set-errors.txt) ----
out=$(show "$PGPOOL_PORT" "PGPOOL SHOW client_idle_limit" "PGPOOL SET client_idle_limit = 300" \
	"PGPOOL SHOW client_idle_limit" "PGPOOL RESET client_idle_limit" "PGPOOL SHOW client_idle_limit" \
	"PGPOOL SET client_idle_limit TO 5" "PGPOOL RESET ALL" "PGPOOL SHOW client_idle_limit")
expected="client_idle_limit
0
(1 row)
SET
client_idle_limit
5min
(1 row)
SET
client_idle_limit
0
(1 row)
SET
RESET
client_idle_limit
0
(1 row)"
assert_eq "$expected" "$out" "PGPOOL SET / RESET sequence"
# session-local: another session still sees the file's value
out=$(show "$PGPOOL_PORT" "PGPOOL SET client_idle_limit = 300" "PGPOOL SHOW client_idle_limit")
assert_contains "$out" "5min" "SET in this session"
assert_eq "$(printf 'client_idle_limit\n0\n(1 row)')" "$(show "$PGPOOL_PORT" "PGPOOL SHOW client_idle_limit")" "SET is session-local"
out=$(show "$PGPOOL_PORT" "PGPOOL SET port = 1234" "PGPOOL SET no_such_param = 1" \
	"PGPOOL SET client_idle_limit = 'abc'" "PGPOOL RESET port" "PGPOOL SET load_balance_mode = off")
assert_contains "$out" 'ERROR:  invalid Context, value for parameter "port" cannot be changed' "SET port"
assert_contains "$out" 'ERROR:  unrecognized configuration parameter "no_such_param"' "SET unknown"
assert_contains "$out" 'ERROR:  invalid value for parameter "client_idle_limit": "abc"' "SET bad value"
assert_contains "$out" 'ERROR:  invalid Context, value for parameter "load_balance_mode" cannot be changed' "SET load_balance_mode"
assert_contains "$(raw_probe "$PGPOOL_PORT" simple "PGPOOL SET port = 1")" "E XX000 invalid Context" "errors are XX000"

# ---- syntax variants (golden/show-syntax-variants.txt) and what is not ours ----
out=$(PGCONNECT_TIMEOUT=10 "$PGNG_PG_BIN/psql" -X -At -h 127.0.0.1 -p "$PGPOOL_PORT" -U "$PGNG_PG_SUPERUSER" \
	-d postgres -c 'show POOL_NODES;' -c '  Show  pool_version ; ' -c 'begin' -c 'show pool_version' \
	-c 'commit' -c 'pgpool show LOAD_BALANCE_MODE;' 2>&1)
assert_eq 3 "$(printf '%s\n' "$out" | grep -c '^[0-2]|127.0.0.1|')" "show POOL_NODES;"
assert_eq 2 "$(printf '%s\n' "$out" | grep -c '^4\.3\.5 (pgpool-ng ')" "show pool_version, also in a transaction"
assert_contains "$out" "BEGIN" "begin"
assert_contains "$out" "COMMIT" "commit after SHOW inside a transaction"
assert_eq "on" "$(printf '%s\n' "$out" | tail -1)" "pgpool show LOAD_BALANCE_MODE;"
assert_contains "$(show "$PGPOOL_PORT" "SHOW pool_foo")" 'unrecognized configuration parameter "pool_foo"' "SHOW pool_foo goes to PostgreSQL"
assert_contains "$(show "$PGPOOL_PORT" "PGPOOL FOO")" 'syntax error at or near "PGPOOL"' "PGPOOL FOO goes to PostgreSQL"
assert_contains "$(raw_probe "$PGPOOL_PORT" extended "SHOW pool_nodes")" 'E 42704 unrecognized configuration parameter "pool_nodes"' "extended protocol is not intercepted"
assert_contains "$(raw_probe "$PGPOOL_PORT" extended "PGPOOL SHOW load_balance_mode")" 'E 42601 syntax error at or near "PGPOOL"' "extended protocol PGPOOL SHOW"
assert_eq 1 "$(pool_psql "SELECT 1")" "the session works after all that"

# ---- side by side with pgpool-II ----
if [ ! -x "$PGPOOL_II" ]; then
	note "pgpool-II comparison skipped: $PGPOOL_II is not installed (Debian package pgpool2)"
	exit 0
fi
pgpool2_start

for cmd in $SHOWS; do
	ng=$(header "$(show "$PGPOOL_PORT" "SHOW $cmd")")
	ii=$(header "$(show "$II_PORT" "SHOW $cmd")")
	assert_eq "$ii" "$ng" "SHOW $cmd: same columns as pgpool-II"
done
for what in ALL backend load_balance_mode; do
	assert_eq "$(header "$(show "$II_PORT" "PGPOOL SHOW $what")")" \
		"$(header "$(show "$PGPOOL_PORT" "PGPOOL SHOW $what")")" "PGPOOL SHOW $what: same columns as pgpool-II"
done
# items: the first column, without pgpool-II's continuation line of memqcache_stats_start_time
items()
{
	show "$1" "$2" | sed '1d;$d' | cut -d'|' -f1 | grep -v '^$'
}
assert_eq "$(items "$II_PORT" "SHOW pool_status")" "$(items "$PGPOOL_PORT" "SHOW pool_status")" "SHOW pool_status: pgpool-II's items in its order"
assert_eq "$(items "$II_PORT" "PGPOOL SHOW ALL")" "$(items "$PGPOOL_PORT" "PGPOOL SHOW ALL")" "PGPOOL SHOW ALL: pgpool-II's items in its order"
# values: the same configuration gives the same user-facing values, ports and directories aside
values()
{
	show "$1" "PGPOOL SHOW ALL" | sed '1d;$d' | cut -d'|' -f1,2 |
		grep -Ev '^(port|pcp_port|socket_dir|pcp_socket_dir|wd_ipc_socket_dir|pid_file_name|logdir)\|'
}
diff <(values "$II_PORT") <(values "$PGPOOL_PORT") >"$PGNG_TMP/values.diff" ||
	fail "PGPOOL SHOW ALL values differ from pgpool-II's (< pgpool-II, > pgpool-ng): $(cat "$PGNG_TMP/values.diff")"
pgpool2_stop
exit 0
