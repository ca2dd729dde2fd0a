# shellcheck shell=bash
# One PostgreSQL 15 node per network namespace (the seed's layout: every host runs a database node
# and a pooler). Sourced after testlib.sh and netns.sh, once netns_setup has made NETNS/NETNS_IP:
#   nspg_setup                 node 0 primary in NETNS[0], nodes 1 and 2 streaming standbys from it
#                              (application_name nodeI, synchronous ANY 1), port 5432 in each namespace
#   nspg_psql I SQL            psql as the superuser on node I, from inside its namespace (bounded)
#   nspg_try I SQL             the same, output and errors on stdout, never fails the test
#   nspg_kill I                kill -9 of node I's postmaster and its children
#   nspg_data I                node I's data directory
# The servers run as the OS user of the regress cluster; the driver's own cluster is not touched. The
# namespaces' teardown kills whatever runs in them, so nothing outlives the test.

NSPG_DIR=$PGNG_TMP/nspg
NSPG_PORT=5432

nspg_data() { echo "$NSPG_DIR/data$1"; }

# nspg_as I CMD...: CMD in namespace I as the servers' OS user.
nspg_as()
{
	local node=$1
	shift
	(cd "$NSPG_DIR" && ip netns exec "${NETNS[node]}" runuser -u "$PGNG_OS_USER" -- "$@")
}

nspg_psql()
{
	local node=$1
	ip netns exec "${NETNS[node]}" env PGCONNECT_TIMEOUT=5 timeout 20 "$PGNG_PG_BIN/psql" -X -A -t -q \
		-v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$NSPG_PORT" -U "$PGNG_PG_SUPERUSER" -d postgres -c "$2"
}

nspg_try() { nspg_psql "$1" "$2" 2>&1; return 0; }

nspg_start()
{
	local node=$1
	nspg_as "$node" "$PGNG_PG_BIN/pg_ctl" start -w -t 60 -D "$(nspg_data "$node")" \
		-l "$NSPG_DIR/node$node.log" >/dev/null || {
		tail -n 20 "$NSPG_DIR/node$node.log" >&2
		fail "PostgreSQL node $node does not start in ${NETNS[node]}"
	}
}

nspg_conf()
{
	cat <<EOF

# --- pgpool-ng regress: one node per namespace ---
listen_addresses = '*'
port = $NSPG_PORT
unix_socket_directories = '$NSPG_DIR/sock$1'
max_connections = 100
shared_buffers = 16MB
fsync = off
full_page_writes = off
wal_level = replica
max_wal_senders = 10
wal_keep_size = 64MB
hot_standby = on
synchronous_standby_names = 'ANY 1 (node0, node1, node2)'
logging_collector = off
log_line_prefix = '%m [%p] %q%a '
EOF
}

# nspg_add_standby I: node I made from a base backup of node ${NSPG_SOURCE:-0}, streaming from it.
nspg_add_standby()
{
	local node=$1 data src=${NETNS_IP[${NSPG_SOURCE:-0}]}
	data=$(nspg_data "$node")
	nspg_as "$node" "$PGNG_PG_BIN/pg_basebackup" -h "$src" -p "$NSPG_PORT" \
		-U "$PGNG_PG_SUPERUSER" -D "$data" -R -X stream --checkpoint=fast --no-sync \
		>"$NSPG_DIR/basebackup$node.log" 2>&1 || {
		tail -n 20 "$NSPG_DIR/basebackup$node.log" >&2
		fail "pg_basebackup of node $node failed"
	}
	nspg_as "$node" sh -c "sed -i 's|^unix_socket_directories.*|unix_socket_directories = '\"'$NSPG_DIR/sock$node'\"'|' '$data/postgresql.conf' &&
		echo \"primary_conninfo = 'host=$src port=$NSPG_PORT user=$PGNG_PG_SUPERUSER application_name=node$node'\" >>'$data/postgresql.auto.conf'"
	mkdir -p "$NSPG_DIR/sock$node"
	chown "$PGNG_OS_USER:" "$NSPG_DIR/sock$node"
	nspg_start "$node"
}

nspg_streaming() { [ "$(nspg_psql 0 "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" = 2 ]; }

nspg_setup()
{
	local data subnet=${NETNS_IP[0]%.*}.0/24
	[ -n "${PGNG_OS_USER:-}" ] || fail "PGNG_OS_USER is not set (regress/run.sh picks it)"
	mkdir -p "$NSPG_DIR/sock0"
	chown "$PGNG_OS_USER:" "$NSPG_DIR" "$NSPG_DIR/sock0"
	chmod 0755 "$NSPG_DIR"
	data=$(nspg_data 0)
	nspg_as 0 "$PGNG_PG_BIN/initdb" -D "$data" -U "$PGNG_PG_SUPERUSER" --auth-local=trust \
		--auth-host=trust --no-sync -E UTF8 --locale=C >"$NSPG_DIR/initdb.log" 2>&1 ||
		fail "initdb failed: $(tail -n 5 "$NSPG_DIR/initdb.log")"
	nspg_conf 0 | nspg_as 0 sh -c "cat >>'$data/postgresql.conf'"
	printf 'host all all %s trust\nhost replication all %s trust\n' "$subnet" "$subnet" |
		nspg_as 0 sh -c "cat >>'$data/pg_hba.conf'"
	nspg_start 0
	nspg_add_standby 1
	nspg_add_standby 2
	wait_for nspg_streaming 60 "the standbys in namespaces 1 and 2 do not stream from node 0"
}

nspg_kill()
{
	local pm kids
	pm=$(head -n 1 "$(nspg_data "$1")/postmaster.pid")
	kids=$(pgrep -P "$pm" | tr '\n' ' ')
	# the postmaster first, so that it starts no new child
	kill -9 "$pm" || fail "kill -9 of node $1's postmaster"
	# shellcheck disable=SC2086
	kill -9 $kids 2>/dev/null
	NSPG_KILLED_AT=$(date +%s%3N)
}
