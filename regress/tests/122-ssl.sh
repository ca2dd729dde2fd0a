#!/usr/bin/env bash
# TLS between clients and pgpool-ng: sslmode=require (the client leg, seen with psql's \conninfo),
# disable, verify-full against our own CA (127.0.0.1 in the server certificate's SAN) and against
# the wrong CA, the pool_hba `cert` method (CN = user: in; another CN or no certificate: out),
# hostssl/hostnossl matching, SCRAM-SHA-256-PLUS channel binding (channel_binding=require), ssl = on
# in front of a backend with ssl = off (it answers 'N' and the backend leg stays plain) and with
# ssl = on (TLS, verified against ssl_ca_cert; another CA: refused with the reason), ssl = off
# (and ssl = on with an unreadable certificate): sslmode=require fails with "server does not support
# SSL". After each failure the pooler still serves and no backend connection is left behind.
. "$PGNG_SRC/regress/lib/testlib.sh"
. "$PGNG_SRC/regress/lib/pgpool.sh"
require_bin pgpool
command -v openssl >/dev/null 2>&1 || skip "the openssl command is not installed (scripts/deps.sh installs it)"
. "$PGNG_SRC/regress/lib/auth.sh"

baseline=$(auth_backends)
auth_database regress_ssl
export PGDATABASE=regress_ssl
auth_role certuser '' md5
auth_role sslonly '' md5
auth_role plainonly '' md5
auth_role scramcb scramcbpw scram-sha-256
auth_pg_hba "host all scramcb 127.0.0.1/32 scram-sha-256"

# --- certificates: a CA, the server's (SAN IP 127.0.0.1), clients with CN certuser and otheruser ----
C=$PGNG_TMP/certs
mkdir -p "$C"
ossl()
{
	openssl "$@" >>"$C/openssl.log" 2>&1 || fail "openssl $1 failed: $(tail -5 "$C/openssl.log")"
}
newkey=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
ossl req -x509 "${newkey[@]}" -keyout "$C/ca.key" -out "$C/ca.crt" -days 2 -subj "/CN=pgpool-ng regress CA"
ossl req -x509 "${newkey[@]}" -keyout "$C/other-ca.key" -out "$C/other-ca.crt" -days 2 -subj "/CN=some other CA"
printf 'subjectAltName = IP:127.0.0.1, DNS:localhost\nextendedKeyUsage = serverAuth\n' >"$C/server.ext"
printf 'extendedKeyUsage = clientAuth\n' >"$C/client.ext"
ossl req -new "${newkey[@]}" -keyout "$C/server.key" -out "$C/server.csr" -subj "/CN=127.0.0.1"
ossl x509 -req -in "$C/server.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" -CAcreateserial -days 2 \
	-extfile "$C/server.ext" -out "$C/server.crt"
for cn in certuser otheruser; do
	ossl req -new "${newkey[@]}" -keyout "$C/$cn.key" -out "$C/$cn.csr" -subj "/CN=$cn"
	ossl x509 -req -in "$C/$cn.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" -CAcreateserial -days 2 \
		-extfile "$C/client.ext" -out "$C/$cn.crt"
done
chmod 0600 "$C"/*.key

# spsql CONNINFO SQL: psql through pgpool-ng with extra connection options; stdout+stderr, status kept
spsql()
{
	PGCONNECT_TIMEOUT=10 PGPASSWORD=${SPSQL_PASSWORD:-} "$PGNG_PG_BIN/psql" -w -X -A -t -q \
		"host=127.0.0.1 port=$PGPOOL_PORT dbname=regress_ssl sslrootcert=$C/none.crt $1" -c "$2" 2>&1
}
# ssl_ok WHAT CONNINFO SQL EXPECTED
ssl_ok()
{
	local out
	out=$(spsql "$2" "$3") || fail "$1: psql failed: $out"
	assert_eq "$4" "$out" "$1"
}
# ssl_fails WHAT CONNINFO NEEDLE...
ssl_fails()
{
	local what=$1 conninfo=$2 out needle
	shift 2
	out=$(spsql "$conninfo" "SELECT 'should not get here'") && fail "$what: should have failed, got: $out"
	for needle in "$@"; do
		assert_contains "$out" "$needle" "$what"
	done
	note "ok: $what: $(echo "$out" | head -3 | tr '\n' ' ')"
}
su=$PGNG_PG_SUPERUSER

cat >"$PGNG_TMP/pool_hba.conf" <<EOF
hostssl    all  certuser   127.0.0.1/32  cert
hostssl    all  sslonly    127.0.0.1/32  trust
hostnossl  all  sslonly    127.0.0.1/32  reject
hostnossl  all  plainonly  127.0.0.1/32  trust
hostssl    all  scramcb    127.0.0.1/32  scram-sha-256
host       all  $su        127.0.0.1/32  trust
EOF
ssl_conf=("ssl = on" "ssl_cert = '$C/server.crt'" "ssl_key = '$C/server.key'" "ssl_ca_cert = '$C/ca.crt'")
mkdir -p "$PGPOOL_DIR"
cp "$PGNG_TMP/pool_hba.conf" "$PGPOOL_DIR/pool_hba.conf"
pgpool_write_conf "num_init_children = 2" "max_pool = 4" "enable_pool_hba = on" \
	"pool_passwd = 'pool_passwd'" "${ssl_conf[@]}"
printf 'scramcb:TEXTscramcbpw\n' >"$PGPOOL_DIR/pool_passwd"
pgpool_start

# --- the client leg is TLS; the backend (ssl = off) answered 'N' and its leg is plain ------------------
out=$(spsql "user=$su sslmode=require" '\conninfo') || fail "sslmode=require: $out"
assert_contains "$out" "SSL connection (protocol: TLSv1.3" "sslmode=require gives a TLS client leg"
note "conninfo: $out"
assert_eq "off" "$(psql_at "$PGNG_PG_PORT0" "SHOW ssl")" "test premise: PostgreSQL runs with ssl = off"
ssl_ok "backend leg stays plain when PostgreSQL says N" "user=$su sslmode=require" \
	"SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()" "f"
out=$(spsql "user=$su sslmode=disable" '\conninfo') || fail "sslmode=disable: $out"
assert_not_contains "$out" "SSL connection" "sslmode=disable gives a plain client leg"
ssl_ok "sslmode=disable works with ssl = on" "user=$su sslmode=disable" "SELECT 1" "1"

# --- verify-full against our CA (IP SAN), and against another CA -------------------------------------
ssl_ok "verify-full with our CA" "user=$su sslmode=verify-full sslrootcert=$C/ca.crt" "SELECT 'verified'" "verified"
ssl_fails "verify-full with another CA" "user=$su sslmode=verify-full sslrootcert=$C/other-ca.crt" \
	"certificate verify failed"
ssl_fails "verify-full with a host name not in the certificate" \
	"user=$su sslmode=verify-full sslrootcert=$C/ca.crt hostaddr=127.0.0.1 host=pgpool.invalid" \
	"server certificate for" "does not match host name"
auth_still_serving "after failed TLS handshakes"

# --- cert method ----------------------------------------------------------------------------------------------
ssl_ok "cert, CN = user" "user=certuser sslmode=verify-full sslrootcert=$C/ca.crt sslcert=$C/certuser.crt sslkey=$C/certuser.key" \
	"SELECT current_user" "certuser"
ssl_fails "cert, CN of another user" "user=certuser sslmode=require sslcert=$C/otheruser.crt sslkey=$C/otheruser.key" \
	'FATAL:  certificate authentication failed for user "certuser"' \
	'DETAIL:  certificate common name "otheruser" does not match the user name'
ssl_fails "cert, no client certificate" "user=certuser sslmode=require sslcert=$C/none.crt" \
	'FATAL:  certificate authentication failed for user "certuser"'
ssl_fails "cert line is hostssl: no TLS, no match" "user=certuser sslmode=disable" \
	'FATAL:  client authentication failed' \
	'no pool_hba.conf entry for host "127.0.0.1", user "certuser", database "regress_ssl", SSL off'
auth_wait_backends 1 "usename = 'certuser'" "certuser has its one cached backend"

# --- hostssl / hostnossl ------------------------------------------------------------------------------------
ssl_ok "hostssl trust over TLS" "user=sslonly sslmode=require" "SELECT current_user" "sslonly"
ssl_fails "hostnossl reject without TLS" "user=sslonly sslmode=disable" \
	'pool_hba.conf rejects connection for host "127.0.0.1", user "sslonly", database "regress_ssl", SSL off'
ssl_ok "hostnossl trust without TLS" "user=plainonly sslmode=disable" "SELECT current_user" "plainonly"
ssl_fails "hostnossl does not match TLS" "user=plainonly sslmode=require" \
	'no pool_hba.conf entry for host "127.0.0.1", user "plainonly", database "regress_ssl", SSL on'

# --- raw: GSSENCRequest gets N, then SSLRequest S; severity and SQLSTATE over TLS ------------------
if command -v python3 >/dev/null 2>&1; then
	probe="python3 $PGNG_SRC/regress/lib/pg_auth_probe.py"
	out=$($probe --gssenc --ssl 127.0.0.1 "$PGPOOL_PORT" "$su" regress_ssl 2>&1)
	assert_eq "$(printf 'GSSENC N\nSSL S\nTLS TLSv1.3\nAUTH ok\nREADY')" "$out" "GSSENCRequest, then SSLRequest, then a session in TLS"
	out=$($probe --ssl 127.0.0.1 "$PGPOOL_PORT" certuser regress_ssl 2>&1)
	assert_contains "$out" 'ERROR S=FATAL C=28000 M=certificate authentication failed for user "certuser"' \
		"cert failure: FATAL 28000 as PostgreSQL"
else
	note "python3 is missing: the raw GSSENCRequest/SQLSTATE checks are skipped"
fi

# --- SCRAM-SHA-256-PLUS: channel binding to our certificate ------------------------------------------
SPSQL_PASSWORD=scramcbpw ssl_ok "channel_binding=require" "user=scramcb sslmode=require channel_binding=require" \
	"SELECT current_user" "scramcb"
SPSQL_PASSWORD=scramcbpw ssl_ok "channel_binding=require, cached backend" \
	"user=scramcb sslmode=verify-full sslrootcert=$C/ca.crt channel_binding=require" "SELECT current_user" "scramcb"
SPSQL_PASSWORD=wrong ssl_fails "channel binding, wrong password" "user=scramcb sslmode=require channel_binding=require" \
	'FATAL:  SCRAM authentication failed for user "scramcb"'
SPSQL_PASSWORD=scramcbpw ssl_ok "channel_binding=disable over TLS (plain SCRAM-SHA-256)" \
	"user=scramcb sslmode=require channel_binding=disable" "SELECT current_user" "scramcb"
auth_wait_backends 1 "usename = 'scramcb'" "scramcb has its one cached backend"
auth_still_serving "after the TLS sessions"
pgpool_stop fast
auth_wait_backends "$baseline" "true" "every backend closed after pgpool-ng stopped"

# --- ssl = off: pgpool-ng answers N --------------------------------------------------------------------------
pgpool_write_conf "num_init_children = 2" "enable_pool_hba = on" "ssl = off"
pgpool_start
ssl_fails "ssl = off, sslmode=require" "user=$su sslmode=require" "server does not support SSL, but SSL was required"
out=$(spsql "user=$su" '\conninfo') || fail "ssl = off, sslmode=prefer: $out"
assert_not_contains "$out" "SSL connection" "ssl = off: sslmode=prefer goes on in plain text"
if command -v python3 >/dev/null 2>&1; then
	out=$(python3 "$PGNG_SRC/regress/lib/pg_auth_probe.py" --gssenc --ssl 127.0.0.1 "$PGPOOL_PORT" "$su" regress_ssl 2>&1)
	assert_eq "$(printf 'GSSENC N\nSSL N\nAUTH ok\nREADY')" "$out" "ssl = off: N to both, then a plain session"
fi
auth_still_serving "with ssl = off"
pgpool_stop fast

# --- ssl = on but the certificate cannot be read: it starts, says why in its log, and answers N -------
pgpool_write_conf "num_init_children = 2" "enable_pool_hba = on" "ssl = on" \
	"ssl_cert = '$C/missing.crt'" "ssl_key = '$C/server.key'"
pgpool_start
ssl_fails "ssl = on without a usable certificate" "user=$su sslmode=require" \
	"server does not support SSL, but SSL was required"
auth_still_serving "with an unusable certificate"
assert_contains "$(cat "$PGPOOL_DIR/log")" "missing.crt" "the log names the certificate it could not use"
pgpool_stop fast
auth_wait_backends "$baseline" "true" "every backend closed after pgpool-ng stopped"

# --- PostgreSQL with ssl = on: the backend leg is TLS too, verified against ssl_ca_cert -----------------
run_as_os_user sh -c "umask 077; cat >'$PGNG_PG_DATA0/pgng-server.crt'" <"$C/server.crt"
run_as_os_user sh -c "umask 077; cat >'$PGNG_PG_DATA0/pgng-server.key'" <"$C/server.key"
auth_pg_set ssl_cert_file pgng-server.crt
auth_pg_set ssl_key_file pgng-server.key
auth_pg_set ssl on
assert_eq "on" "$(psql_at "$PGNG_PG_PORT0" "SHOW ssl")" "PostgreSQL now runs with ssl = on"
pgpool_write_conf "num_init_children = 2" "max_pool = 4" "enable_pool_hba = on" \
	"pool_passwd = 'pool_passwd'" "${ssl_conf[@]}"
pgpool_start
ssl_ok "backend leg is TLS when PostgreSQL says S" "user=$su sslmode=require" \
	"SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()" "t"
ssl_ok "backend leg is TLS for a plain client leg too" "user=$su sslmode=disable" \
	"SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()" "t"
SPSQL_PASSWORD=scramcbpw ssl_ok "SCRAM-SHA-256-PLUS to pgpool-ng, SCRAM to PostgreSQL over TLS" \
	"user=scramcb sslmode=require channel_binding=require" \
	"SELECT current_user || ' ' || ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()" "scramcb true"
pgpool_stop fast
# a backend certificate ssl_ca_cert does not vouch for: no session, and the reason
pgpool_write_conf "num_init_children = 2" "enable_pool_hba = on" "ssl = on" \
	"ssl_cert = '$C/server.crt'" "ssl_key = '$C/server.key'" "ssl_ca_cert = '$C/other-ca.crt'"
"$PGNG_BIN/pgpool" -n -f "$PGPOOL_DIR/pgpool.conf" -F "$PGPOOL_DIR/pcp.conf" -a "$PGPOOL_DIR/pool_hba.conf" \
	>>"$PGPOOL_DIR/log" 2>&1 &
PGPOOL_PID=$!
register_pid "$PGPOOL_PID"
wait_for "spsql 'user=$su sslmode=disable' 'SELECT 1' | grep -q 'failed to connect to the PostgreSQL backend'" 30 \
	"pgpool-ng refuses a backend whose certificate does not verify"
ssl_fails "backend certificate from another CA" "user=$su sslmode=require" \
	'FATAL:  failed to connect to the PostgreSQL backend' 'certificate verify failed'
pgpool_stop fast
auth_wait_backends "$baseline" "true" "every backend closed after pgpool-ng stopped"
exit 0
