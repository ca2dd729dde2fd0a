#!/bin/sh
# Runs every fuzz/fuzz_* binary built by "make fuzz" for a bounded time (first argument, seconds,
# default 60). Each keeps a growing corpus in fuzz/corpus/<name> of the build tree, seeded from the
# source tree's fuzz/corpus/<name>; a crash leaves its input in fuzz/artifacts/ and fails the run.
: "${srcdir:=.}"
seconds=${1:-60}
status=0
mkdir -p fuzz/artifacts
for bin in fuzz/fuzz_*; do
	[ -x "$bin" ] && [ -f "$bin" ] || continue
	name=$(basename "$bin")
	mkdir -p "fuzz/corpus/$name"
	seeds=
	[ -d "$srcdir/fuzz/corpus/$name" ] && seeds="$srcdir/fuzz/corpus/$name"
	dict=
	[ -f "$srcdir/fuzz/$name.dict" ] && dict="-dict=$srcdir/fuzz/$name.dict"
	echo "fuzz: $name for ${seconds}s"
	if ! "$bin" -max_total_time="$seconds" -print_final_stats=1 -max_len=16384 \
		-artifact_prefix="fuzz/artifacts/$name-" $dict "fuzz/corpus/$name" $seeds \
		>"fuzz/$name.log" 2>&1; then
		echo "fuzz: $name FAILED; see fuzz/$name.log and fuzz/artifacts/" >&2
		status=1
	fi
	grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done)' "fuzz/$name.log" || true
done
exit $status
