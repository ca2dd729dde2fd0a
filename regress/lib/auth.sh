# shellcheck shell=bash
# Helpers for the authentication tests (12x): roles with passwords on the primary, rules put in
# front of the primary's pg_hba.conf, psql through pgpool-ng as any user, and a bounded wait for
# the primary's backend count to come back to a baseline. Source after testlib.sh and pgpool.sh:
#   . "$PGNG_SRC/regress/lib/auth.sh"
#   auth_database regress_auth                 # created now, dropped at the end
#   auth_role md5user secret md5               # LOGIN role, password stored as md5; dropped at the end
#   auth_pg_hba "host all md5user 127.0.0.1/32 md5"   # before the cluster's trust lines; reloads
#   out=$(auth_psql md5user secret "SELECT 1")  # psql through pgpool-ng: stdout+stderr, status kept
# Whatever way the test ends (exit, failure, SIGTERM from the driver), pg_hba.conf is put back and
# reloaded, then the databases and roles made here are dropped.

AUTH_PG_HBA=$PGNG_PG_DATA0/pg_hba.conf
AUTH_PG_HBA_SAVED=$PGNG_TMP/pg_hba.conf.saved
AUTH_ROLES=()
AUTH_DATABASES=()

# auth_pg_reload: reloads the primary's configuration and waits until new sessions see it (the
# configuration load time a new backend reports has changed).
auth_pg_reload()
{
	local before
	before=$(psql_at "$PGNG_PG_PORT0" "SELECT pg_conf_load_time()")
	psql_at "$PGNG_PG_PORT0" "SELECT pg_reload_conf()" >/dev/null
	wait_for "[ \"\$(psql_at $PGNG_PG_PORT0 'SELECT pg_conf_load_time()')\" != '$before' ]" 20 \
		"the primary did not reload its configuration"
}

# auth_pg_hba LINE...: puts LINEs in front of the primary's pg_hba.conf as it was when the test
# started, and reloads. The superuser keeps its trust rule: never name it in LINEs.
auth_pg_hba()
{
	local line
	[ -f "$AUTH_PG_HBA_SAVED" ] || cp -p "$AUTH_PG_HBA" "$AUTH_PG_HBA_SAVED" || fail "cannot save pg_hba.conf"
	{
		echo "# --- added by $PGNG_TEST_NAME (restored when it ends) ---"
		for line in "$@"; do
			echo "$line"
		done
		cat "$AUTH_PG_HBA_SAVED"
	} >"$AUTH_PG_HBA"	# truncating keeps the file's owner and mode
	auth_pg_reload
}

# auth_pg_set NAME VALUE: ALTER SYSTEM on the primary and reload (reset at the end).
auth_pg_set()
{
	psql_at "$PGNG_PG_PORT0" "ALTER SYSTEM SET $1 = '$2'" >/dev/null
	AUTH_PG_SETTINGS+=("$1")
	auth_pg_reload
}
AUTH_PG_SETTINGS=()

# auth_role NAME PASSWORD md5|scram-sha-256: a LOGIN role whose password is stored that way
# (PASSWORD '' gives a role without a password).
auth_role()
{
	local sql="SET password_encryption = '$3'; DROP ROLE IF EXISTS \"$1\"; CREATE ROLE \"$1\" LOGIN"
	[ -n "$2" ] && sql="$sql PASSWORD '$2'"
	psql_at "$PGNG_PG_PORT0" "$sql" >/dev/null || fail "cannot create role $1"
	AUTH_ROLES+=("$1")
}

# auth_database NAME: a database the roles may use; connections to it are cached by pgpool-ng
# (those to postgres, template0/1 and regression never are).
auth_database()
{
	psql_at "$PGNG_PG_PORT0" "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null
	psql_at "$PGNG_PG_PORT0" "CREATE DATABASE \"$1\"" >/dev/null || fail "cannot create database $1"
	AUTH_DATABASES+=("$1")
}

auth_cleanup()
{
	local x
	trap - EXIT TERM INT
	if [ -f "$AUTH_PG_HBA_SAVED" ]; then
		cat "$AUTH_PG_HBA_SAVED" >"$AUTH_PG_HBA"
		rm -f "$AUTH_PG_HBA_SAVED"
		psql_at "$PGNG_PG_PORT0" "SELECT pg_reload_conf()" >/dev/null 2>&1
	fi
	for x in "${AUTH_PG_SETTINGS[@]}"; do
		psql_at "$PGNG_PG_PORT0" "ALTER SYSTEM RESET $x" >/dev/null 2>&1
	done
	[ ${#AUTH_PG_SETTINGS[@]} -gt 0 ] && psql_at "$PGNG_PG_PORT0" "SELECT pg_reload_conf()" >/dev/null 2>&1
	for x in "${AUTH_DATABASES[@]}"; do
		psql_at "$PGNG_PG_PORT0" "DROP DATABASE IF EXISTS \"$x\" WITH (FORCE)" >/dev/null 2>&1
	done
	for x in "${AUTH_ROLES[@]}"; do
		psql_at "$PGNG_PG_PORT0" "DROP ROLE IF EXISTS \"$x\"" >/dev/null 2>&1
	done
}
auth_on_exit()
{
	local rc=$?
	auth_cleanup
	exit "$rc"
}
trap auth_on_exit EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# auth_psql USER PASSWORD SQL [PSQL-ARGS...]: psql through pgpool-ng over TCP as USER (PASSWORD ''
# gives none and -w), database $PGDATABASE (default postgres). Prints stdout and stderr together
# and returns psql's status.
auth_psql()
{
	local user=$1 password=$2 sql=$3
	shift 3
	if [ -n "$password" ]; then
		PGPASSWORD=$password PGCONNECT_TIMEOUT=10 "$PGNG_PG_BIN/psql" -X -A -t -q -v ON_ERROR_STOP=1 \
			-h 127.0.0.1 -p "$PGPOOL_PORT" -U "$user" -d "${PGDATABASE:-postgres}" "$@" -c "$sql" 2>&1
	else
		PGPASSWORD='' PGCONNECT_TIMEOUT=10 "$PGNG_PG_BIN/psql" -w -X -A -t -q -v ON_ERROR_STOP=1 \
			-h 127.0.0.1 -p "$PGPOOL_PORT" -U "$user" -d "${PGDATABASE:-postgres}" "$@" -c "$sql" 2>&1
	fi
}

# auth_ok WHAT USER PASSWORD SQL EXPECTED [PSQL-ARGS...]: the query through pgpool-ng prints EXPECTED.
auth_ok()
{
	local what=$1 user=$2 password=$3 sql=$4 expected=$5 out
	shift 5
	out=$(auth_psql "$user" "$password" "$sql" "$@") || fail "$what: psql failed: $out"
	assert_eq "$expected" "$out" "$what"
}

# auth_fails WHAT USER PASSWORD NEEDLE... : the session through pgpool-ng fails and psql's output
# holds every NEEDLE. The output is left in $AUTH_OUT.
AUTH_OUT=
auth_fails()
{
	local what=$1 user=$2 password=$3 needle
	shift 3
	if AUTH_OUT=$(auth_psql "$user" "$password" "SELECT 'should not get here'"); then
		fail "$what: the session should have failed, got: $AUTH_OUT"
	fi
	for needle in "$@"; do
		assert_contains "$AUTH_OUT" "$needle" "$what"
	done
	note "ok: $what: $(echo "$AUTH_OUT" | head -3 | tr '\n' ' ')"
}

# auth_backends [WHERE]: client backends on the primary other than ours (and the walsenders'),
# optionally restricted by an SQL condition on pg_stat_activity.
auth_backends()
{
	psql_at "$PGNG_PG_PORT0" "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND (${1:-true})"
}

# auth_wait_backends N WHERE MSG: waits (bounded) until auth_backends WHERE is N: no connection
# was leaked by the failures before. On failure lists the backends that are there.
auth_wait_backends()
{
	local deadline=$(($(date +%s) + 20))
	until [ "$(auth_backends "$2")" = "$1" ]; do
		if [ "$(date +%s)" -ge "$deadline" ]; then
			psql_at "$PGNG_PG_PORT0" "SELECT pid, usename, datname, application_name, state, backend_start FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND ($2)" >&2
			fail "$3: $(auth_backends "$2") backend connections after 20 s, expected $1"
		fi
		sleep 0.2
	done
}

# auth_still_serving: the pooler answers the superuser after whatever came before.
auth_still_serving()
{
	assert_eq "1" "$(pool_psql "SELECT 1")" "pgpool-ng keeps serving ($1)"
}
