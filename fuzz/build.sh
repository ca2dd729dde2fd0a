#!/bin/sh
# Builds every fuzz/fuzz_*.c of the source tree into a libFuzzer binary in ./fuzz/ of the build tree.
# The library's sources are compiled with the same sanitizers into fuzz/libpgng-fuzz.a, so a target
# links only what it uses. "make fuzz" sets CC, CPPFLAGS, LIBS, SOURCES and srcdir.
set -e
: "${CC:=clang}"
: "${srcdir:=.}"
FLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"

mkdir -p fuzz/obj
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return d && n; }\n' \
	>fuzz/obj/probe.c
if ! $CC -fsanitize=fuzzer,address,undefined fuzz/obj/probe.c -o fuzz/obj/probe 2>fuzz/obj/probe.log; then
	cat fuzz/obj/probe.log >&2
	echo "make fuzz: '$CC' cannot link -fsanitize=fuzzer. On Debian 12: apt-get install clang-14" \
		"libclang-rt-14-dev (or set FUZZ_CC=... to another clang)." >&2
	exit 1
fi

# True when $1 (an object) is missing or older than any file its .d lists.
stale()
{
	[ -f "$1" ] && [ -f "$1.d" ] || return 0
	for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$1.d"); do
		[ "$dep" -nt "$1" ] && return 0
	done
	return 1
}

# compile SOURCE OBJECT EXTRA-FLAGS
compile()
{
	if stale "$2"; then
		echo "  FUZZCC   $1"
		$CC $FLAGS $3 $CPPFLAGS -MMD -MF "$2.d" -c "$srcdir/$1" -o "$2"
	fi
}

objs=
for src in $SOURCES; do
	case $src in *.c) ;; *) continue ;; esac
	obj=fuzz/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')
	# A library file that does not build with clang only matters to a target that needs it.
	if compile "$src" "$obj" -fsanitize=fuzzer-no-link; then
		objs="$objs $obj"
	else
		echo "make fuzz: skipped $src (does not compile with $CC)" >&2
		rm -f "$obj"
	fi
done
rm -f fuzz/libpgng-fuzz.a
ar rcs fuzz/libpgng-fuzz.a $objs

for src in "$srcdir"/fuzz/fuzz_*.c; do
	[ -f "$src" ] || continue
	name=$(basename "$src" .c)
	compile "fuzz/$name.c" "fuzz/obj/$name.o" -fsanitize=fuzzer-no-link
	echo "  FUZZLD   fuzz/$name"
	$CC $FLAGS -fsanitize=fuzzer "fuzz/obj/$name.o" fuzz/libpgng-fuzz.a $LIBS -o "fuzz/$name"
done
