#!/usr/bin/env bash
# The pgpool command line against real processes: -h/--version/illegal options, `stop` in each
# mode (the right signal, waiting until the process is gone), `reload`, and pgpool's exit codes
# when nothing is running. A stand-in process plays the running pgpool: the server itself is not
# built yet, and stop/reload only need a pid file and signals.
. "$PGNG_SRC/regress/lib/testlib.sh"

pgpool=$PGNG_BIN/pgpool
dir=$PGNG_TMP
conf=$dir/pgpool.conf
pidfile=$dir/pgpool.pid
printf "pid_file_name = '%s'\nlogdir = '%s'\n" "$pidfile" "$dir" > "$conf"

# -h: usage on stderr, exit 0; --version likewise; -c is illegal (exit 1) as in pgpool 4.3.5
out=$("$pgpool" -h 2>&1 >/dev/null); rc=$?
assert_eq 0 "$rc" "pgpool -h exit code"
assert_contains "$out" "stop" "usage lists stop"
assert_contains "$out" "--check-config" "usage lists --check-config"
out=$("$pgpool" --version 2>&1 >/dev/null); rc=$?
assert_eq 0 "$rc" "pgpool --version exit code"
assert_contains "$out" "pgpool-II version 4.3.5" "version line"
out=$("$pgpool" -c 2>&1); rc=$?
assert_eq 1 "$rc" "pgpool -c exit code"
assert_contains "$out" "illegal option -- c" "illegal option message"
out=$("$pgpool" -f "$conf" restart 2>&1); rc=$?
assert_eq 1 "$rc" "unknown command word exit code"

# nothing running: stop exits 3, reload exits 1, both say they could not read the pid file
out=$("$pgpool" -f "$conf" -m fast stop 2>&1); rc=$?
assert_eq 3 "$rc" "stop without pid file"
assert_contains "$out" "FATAL:  could not read pid file" "stop without pid file message"
out=$("$pgpool" -f "$conf" reload 2>&1); rc=$?
assert_eq 1 "$rc" "reload without pid file"
assert_contains "$out" "could not read pid file" "reload without pid file message"

# start_standin SIGNAL: a process that records which signal reached it, then exits after a short
# shutdown (so that stop has to wait); writes its pid in pgpool's format (digits + NUL).
start_standin()
{
	rm -f "$dir/got"
	# perl, because a background bash cannot trap SIGINT/SIGQUIT (ignored for async jobs)
	perl -e '
		my $log = shift;
		sub note { open(my $f, ">>", $log); print $f "$_[0]\n"; close($f); }
		$SIG{HUP} = sub { note("HUP") };
		for my $s (qw(TERM INT QUIT)) {
			$SIG{$s} = sub { note($s); select(undef, undef, undef, 0.5); exit 0 };
		}
		open(my $r, ">", "$log.ready"); close($r);
		for (1 .. 600) { select(undef, undef, undef, 0.1) }
	' "$dir/got" &
	standin=$!
	wait_for "test -e '$dir/got.ready'" 30 "stand-in process ready"
	rm -f "$dir/got.ready"
	printf '%d\0' "$standin" > "$pidfile"
}

for mode in smart:TERM fast:INT immediate:QUIT; do
	start_standin
	out=$("$pgpool" -f "$conf" -m "${mode%%:*}" stop 2>&1); rc=$?
	assert_eq 0 "$rc" "stop -m ${mode%%:*} exit code"
	assert_contains "$out" "stop request sent to pgpool (pid: $standin). waiting for termination..." "stop message"
	assert_contains "$out" "done." "stop waits until done"
	kill -0 "$standin" 2>/dev/null && fail "stop -m ${mode%%:*} returned while pid $standin still runs"
	wait "$standin" 2>/dev/null
	assert_eq "${mode##*:}" "$(cat "$dir/got")" "signal for -m ${mode%%:*}"
done

start_standin
out=$("$pgpool" -f "$conf" reload 2>&1); rc=$?
assert_eq 0 "$rc" "reload exit code"
wait_for "grep -q HUP '$dir/got'" 10 "reload sends SIGHUP"
kill -0 "$standin" 2>/dev/null || fail "reload must not stop pgpool"

# a start while the pid file names a live process is refused, as pgpool does
out=$("$pgpool" -n -f "$conf" -F /dev/null 2>&1); rc=$?
assert_eq 1 "$rc" "start while running exit code"
assert_contains "$out" "pid file found. is another pgpool($standin) is running?" "start while running message"
kill -TERM "$standin"; wait "$standin" 2>/dev/null
exit 0
