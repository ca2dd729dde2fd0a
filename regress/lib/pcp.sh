# shellcheck shell=bash
# Running pcp_* tools against pgpool-ng and comparing with the captures of pgpool-II 4.3.5 in
# regress/golden/pcp_*.txt (command line, "--- stdout", "--- stderr", "--- exit code: N").
#   pcp_run BIN TOOL ARGS...     runs BIN/TOOL -h 127.0.0.1 -p $PCP_PORT -U $PCP_USER -w ARGS;
#                                sets PCP_OUT, PCP_ERR, PCP_RC
#   pcp_expect_shape GOLDEN      fails unless PCP_OUT/PCP_ERR/PCP_RC have the golden file's shape
#   pcp_auth_setup               after pgpool_write_conf: PCP_PORT from its pgpool.conf, a pcp.conf
#                                with ${PCP_USER:=pcpadmin} / secret, and PCPPASSFILE for it
# Needs PCP_PORT, PCP_USER and PCPPASSFILE.

PCP_GOLDEN=$PGNG_SRC/regress/golden

pcp_auth_setup()
{
	: "${PCP_USER:=pcpadmin}"
	PCP_PORT=$(sed -n 's/^pcp_port = //p' "$PGPOOL_DIR/pgpool.conf" | tail -n 1)
	echo "$PCP_USER:$("$PGNG_BIN/pg_md5" secret)" >"$PGPOOL_DIR/pcp.conf"
	export PCPPASSFILE=$PGNG_TMP/pcppass
	echo "127.0.0.1:$PCP_PORT:$PCP_USER:secret" >"$PCPPASSFILE"
	chmod 600 "$PCPPASSFILE"
}

pcp_run()
{
	local bin=$1 tool=$2
	shift 2
	PCP_OUT=$(timeout 60 "$bin/$tool" -h 127.0.0.1 -p "$PCP_PORT" -U "$PCP_USER" -w "$@" 2>"$PGNG_TMP/pcp.err")
	PCP_RC=$?
	PCP_ERR=$(cat "$PGNG_TMP/pcp.err")
}

# golden_part FILE stdout|stderr
golden_part()
{
	awk -v want="--- $2" '/^--- / { on = ($0 == want); next } on' "$PCP_GOLDEN/$1"
}

golden_rc()
{
	sed -n 's/^--- exit code: //p' "$PCP_GOLDEN/$1"
}

# expected_rc PGPOOL_RC PGPOOL_STDERR: pgpool-ng's exit code where pgpool-II's was RC. pgpool-II
# exits 0 after printing an error (the server's ERROR, an invalid node id); pgpool-ng exits 1.
expected_rc()
{
	if [ "$1" = 0 ] && [ -n "$2" ]; then echo 1; else echo "$1"; fi
}

# What does not change between runs and hosts: a "Label :" line keeps its label, any other line
# becomes its number of single-space-separated tokens once times (with the restart countdown) and
# child states count as one token each. Values vary; layouts must not.
pcp_shape()
{
	sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}( \([0-9]+:[0-9]+ before process restarting\))?/TIME/g;
		s/Wait for connection|Idle in transaction|Execute command/STATUS/g' |
		awk '/^[A-Za-z][A-Za-z ]*(\[ *[0-9]+\])?: / || /^[A-Za-z][A-Za-z ]* : / {
				sub(/:.*/, ":"); gsub(/[0-9]+/, "N"); print; next }
			{ print "tokens=" split($0, t, / /) }'
}

# Messages keep their words; numbers, paths and ports are normalised.
pcp_norm()
{
	sed -E 's#"/[^"]*"#"PATH"#g; s/[0-9]+/N/g'
}

# shape_of TEXT: pcp_shape of TEXT ("" for no output); trailing blank lines do not count.
shape_of()
{
	[ -z "$1" ] || printf '%s\n' "$1" | pcp_shape
}

pcp_expect_shape()
{
	local golden=$1 want got
	want=$(golden_part "$golden" stdout)
	[ "$(shape_of "$want")" = "$(shape_of "$PCP_OUT")" ] || fail "$golden: stdout shape differs:
--- pgpool-II
$(printf '%s\n' "$want" | head -20)
--- pgpool-ng
$(printf '%s\n' "$PCP_OUT" | head -20)"
	want=$(golden_part "$golden" stderr)
	want=$(printf '%s' "$want" | pcp_norm)
	got=$(printf '%s' "$PCP_ERR" | pcp_norm)
	[ "$want" = "$got" ] || fail "$golden: stderr differs: pgpool-II [$want] pgpool-ng [$got]"
	assert_eq "$(expected_rc "$(golden_rc "$golden")" "$(golden_part "$golden" stderr)")" "$PCP_RC" \
		"$golden: exit code"
}
