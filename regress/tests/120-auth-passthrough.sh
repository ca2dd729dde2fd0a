#!/usr/bin/env bash
# Authentication through pgpool-ng with enable_pool_hba = off: the client meets the backend's own
# method. md5 and cleartext backends with no pool_passwd entry: the challenge is passed through to
# the first client and replayed (and checked) for every later client of the cached connection.
# SCRAM backends: the password must be in pool_passwd (TEXT, or AES with the key file given by -k);
# pgpool-ng then runs SCRAM with the client itself; without one, allow_clear_text_frontend_auth = on
# asks the client for the password in clear text. An md5 pool_passwd entry: pgpool-ng checks the
# client's md5 answer itself. Trust. After every failure the pooler still serves and no backend
# connection is left behind.
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
. "$PGNG_SRC/regress/lib/auth.sh"
require_bin pgpool pg_md5 pg_enc

baseline=$(auth_backends)
auth_database regress_auth
export PGDATABASE=regress_auth	# cached by pgpool-ng (postgres never is)

auth_role md5user md5pw md5
auth_role clearuser clearpw scram-sha-256
auth_role scramtext scramtextpw scram-sha-256
auth_role scramaes scramaespw scram-sha-256
auth_role scramnone scramnonepw scram-sha-256
auth_role md5pool md5poolpw md5
auth_role trustuser '' md5
auth_pg_hba "host all md5user,md5pool 127.0.0.1/32 md5" \
	"host all clearuser 127.0.0.1/32 password" \
	"host all scramtext,scramaes,scramnone 127.0.0.1/32 scram-sha-256"
# the rules are in force on the primary itself
out=$(PGPASSWORD='' "$PGNG_PG_BIN/psql" -w -X -h 127.0.0.1 -p "$PGNG_PG_PORT0" -U md5user -c "SELECT 1" 2>&1) &&
	fail "md5user logs in to the primary without a password: $out"

# one child, so that every session meets the same connection cache
pgpool_write_conf "num_init_children = 1" "max_pool = 8" "enable_pool_hba = off" \
	"allow_clear_text_frontend_auth = off" "pool_passwd = 'pool_passwd'"
printf 'scramtext:TEXTscramtextpw\n' >"$PGPOOL_DIR/pool_passwd"
"$PGNG_BIN/pg_md5" -m -f "$PGPOOL_DIR/pgpool.conf" -u md5pool md5poolpw >/dev/null ||
	fail "pg_md5 -m could not write pool_passwd"
printf 'the aes key of 120\n' >"$PGNG_TMP/pgpoolkey"
chmod 0600 "$PGNG_TMP/pgpoolkey"
"$PGNG_BIN/pg_enc" -m -k "$PGNG_TMP/pgpoolkey" -f "$PGPOOL_DIR/pgpool.conf" -u scramaes scramaespw >/dev/null ||
	fail "pg_enc -m could not write pool_passwd"
note "pool_passwd: $(cut -c1-24 "$PGPOOL_DIR/pool_passwd" | tr '\n' ' ')"
grep -q '^md5pool:md5' "$PGPOOL_DIR/pool_passwd" || fail "no md5 entry for md5pool"
grep -q '^scramaes:AES' "$PGPOOL_DIR/pool_passwd" || fail "no AES entry for scramaes"
pgpool_start -k "$PGNG_TMP/pgpoolkey"

# pid_of USER PASSWORD: the backend pid a session of USER gets through pgpool-ng
pid_of()
{
	local out
	out=$(auth_psql "$1" "$2" "SELECT pg_backend_pid()") || fail "session of $1 failed: $out"
	echo "$out"
}

# --- md5 backend, no pool_passwd entry: pass-through, then replay on reuse ---------------------
auth_fails "md5 pass-through, wrong password, nothing cached" md5user wrong \
	'FATAL:  password authentication failed for user "md5user"'
auth_fails "md5 pass-through, no password" md5user '' "no password supplied"
auth_wait_backends 0 "usename = 'md5user'" "failed md5 pass-through logins leave no backend"
auth_still_serving "after failed md5 pass-through"
pid1=$(pid_of md5user md5pw)
pid2=$(pid_of md5user md5pw)
assert_eq "$pid1" "$pid2" "the second md5user session reuses the cached backend"
auth_fails "md5 pass-through, wrong password on reuse" md5user wrong \
	'FATAL:  md5 authentication failed for user "md5user"' "password does not match"
auth_fails "md5 pass-through, no password on reuse" md5user '' "no password supplied"
assert_eq "$pid1" "$(pid_of md5user md5pw)" "the cached md5user backend survives failed reuses"
auth_wait_backends 1 "usename = 'md5user'" "md5user keeps exactly its cached backend"
auth_still_serving "after failed md5 reuse"

# --- cleartext ('password') backend, no pool_passwd entry ---------------------------------------
auth_fails "cleartext pass-through, wrong password" clearuser wrong \
	'FATAL:  password authentication failed for user "clearuser"'
auth_wait_backends 0 "usename = 'clearuser'" "failed cleartext pass-through leaves no backend"
pid1=$(pid_of clearuser clearpw)
assert_eq "$pid1" "$(pid_of clearuser clearpw)" "the second clearuser session reuses the cached backend"
auth_fails "cleartext pass-through, wrong password on reuse" clearuser wrong \
	'FATAL:  password authentication failed for user "clearuser"' "password does not match"
auth_fails "cleartext pass-through, no password on reuse" clearuser '' "no password supplied"
assert_eq "$pid1" "$(pid_of clearuser clearpw)" "the cached clearuser backend survives failed reuses"
auth_wait_backends 1 "usename = 'clearuser'" "clearuser keeps exactly its cached backend"
auth_still_serving "after cleartext pass-through"

# --- SCRAM backend, pool_passwd TEXT: pgpool-ng runs SCRAM with the client and with the backend --
auth_fails "SCRAM/TEXT, wrong password, nothing cached" scramtext wrong \
	'FATAL:  SCRAM authentication failed for user "scramtext"'
auth_wait_backends 0 "usename = 'scramtext'" "a failed SCRAM client check leaves no backend"
pid1=$(pid_of scramtext scramtextpw)
assert_eq "$pid1" "$(pid_of scramtext scramtextpw)" "the second scramtext session reuses the cached backend"
auth_fails "SCRAM/TEXT, wrong password on reuse" scramtext wrong \
	'FATAL:  SCRAM authentication failed for user "scramtext"'
auth_fails "SCRAM/TEXT, no password on reuse" scramtext '' "no password supplied"
assert_eq "$pid1" "$(pid_of scramtext scramtextpw)" "the cached scramtext backend survives failed reuses"
auth_wait_backends 1 "usename = 'scramtext'" "scramtext keeps exactly its cached backend"

# --- SCRAM backend, pool_passwd AES (pg_enc, key file given with -k) ------------------------------
auth_fails "SCRAM/AES, wrong password" scramaes wrong \
	'FATAL:  SCRAM authentication failed for user "scramaes"'
pid1=$(pid_of scramaes scramaespw)
assert_eq "$pid1" "$(pid_of scramaes scramaespw)" "the second scramaes session reuses the cached backend"
auth_fails "SCRAM/AES, wrong password on reuse" scramaes wrong \
	'FATAL:  SCRAM authentication failed for user "scramaes"'
auth_wait_backends 1 "usename = 'scramaes'" "scramaes keeps exactly its cached backend"

# --- SCRAM backend, user not in pool_passwd: nothing to log in with -----------------------------
auth_fails "SCRAM, no pool_passwd entry" scramnone scramnonepw \
	'FATAL:  failed to connect to the PostgreSQL backend' \
	'SCRAM authentication of user "scramnone" to backend 0 needs its password: pool_passwd file does not contain an entry for "scramnone"'
assert_contains "$AUTH_OUT" "(allow_clear_text_frontend_auth = on would ask the client for it)" \
	"the detail says how to do without a pool_passwd entry"
auth_wait_backends 0 "usename = 'scramnone'" "a SCRAM user without a password leaves no backend"
auth_still_serving "after SCRAM without pool_passwd entry"

# --- md5 backend, md5 entry in pool_passwd: pgpool-ng checks the client itself --------------------
# (its own wording tells it apart from a pass-through, which would relay PostgreSQL's)
auth_fails "md5 pool_passwd entry, wrong password, nothing cached" md5pool wrong \
	'FATAL:  md5 authentication failed for user "md5pool"' "password does not match"
auth_wait_backends 0 "usename = 'md5pool'" "a failed md5 check before a backend exists leaves none"
pid1=$(pid_of md5pool md5poolpw)
assert_eq "$pid1" "$(pid_of md5pool md5poolpw)" "the second md5pool session reuses the cached backend"
auth_fails "md5 pool_passwd entry, wrong password on reuse" md5pool wrong \
	'FATAL:  md5 authentication failed for user "md5pool"' "password does not match"
auth_wait_backends 1 "usename = 'md5pool'" "md5pool keeps exactly its cached backend"

# --- trust ------------------------------------------------------------------------------------------
pid1=$(pid_of trustuser '')
assert_eq "$pid1" "$(pid_of trustuser '')" "the second trustuser session reuses the cached backend"
auth_ok "trust: a password offered is not needed" trustuser whatever "SELECT current_user" trustuser

# --- the AES key is wrong: SCRAM to the backend cannot get the password, and says why -----------
pgpool_stop fast
auth_wait_backends "$baseline" "true" "every backend closed after pgpool-ng stopped"
printf 'not the key\n' >"$PGNG_TMP/wrongkey"
chmod 0600 "$PGNG_TMP/wrongkey"
pgpool_start -k "$PGNG_TMP/wrongkey"
auth_fails "SCRAM/AES with the wrong key" scramaes scramaespw \
	'SCRAM authentication of user "scramaes" to backend 0 needs its password: the AES password of "scramaes" in pool_passwd cannot be decrypted with the key in'
auth_wait_backends 0 "usename = 'scramaes'" "a SCRAM user with an undecryptable password leaves no backend"
auth_still_serving "after the wrong AES key"
pgpool_stop fast
auth_wait_backends "$baseline" "true" "every backend closed after pgpool-ng stopped"

# --- allow_clear_text_frontend_auth = on: a SCRAM user without pool_passwd entry is asked for its ---
# --- password in clear text, which logs in to the backend and is checked again on reuse -----------
pgpool_write_conf "num_init_children = 1" "max_pool = 8" "enable_pool_hba = off" \
	"allow_clear_text_frontend_auth = on" "pool_passwd = 'pool_passwd'"
pgpool_start -k "$PGNG_TMP/pgpoolkey"
auth_fails "cleartext for SCRAM, wrong password" scramnone wrong \
	'FATAL:  password authentication failed for user "scramnone"'
auth_wait_backends 0 "usename = 'scramnone'" "a refused SCRAM login leaves no backend"
pid1=$(pid_of scramnone scramnonepw)
assert_eq "$pid1" "$(pid_of scramnone scramnonepw)" "the second scramnone session reuses the cached backend"
auth_fails "cleartext for SCRAM, wrong password on reuse" scramnone wrong \
	'FATAL:  password authentication failed for user "scramnone"' "password does not match"
auth_fails "cleartext for SCRAM, no password on reuse" scramnone '' "no password supplied"
assert_eq "$pid1" "$(pid_of scramnone scramnonepw)" "the cached scramnone backend survives failed reuses"
# users with a pool_passwd password still get SCRAM from pgpool-ng
auth_ok "SCRAM/TEXT with allow_clear_text_frontend_auth on" scramtext scramtextpw "SELECT current_user" scramtext
auth_fails "SCRAM/TEXT with allow_clear_text_frontend_auth on, wrong password" scramtext wrong \
	'FATAL:  SCRAM authentication failed for user "scramtext"'
auth_still_serving "with allow_clear_text_frontend_auth"
pgpool_stop fast
auth_wait_backends "$baseline" "true" "every backend closed after pgpool-ng stopped"
exit 0
