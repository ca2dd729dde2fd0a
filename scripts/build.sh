#!/usr/bin/env bash
# Builds pgpool-ng out of tree in <source>/build: installs missing packages, regenerates the autotools
# files when they are absent, configures once with --enable-werror, then runs make.
# Extra arguments are passed to make (e.g. scripts/build.sh check).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

scripts/deps.sh

if [ ! -x configure ] || [ ! -f Makefile.in ] || [ ! -f pgng_config.h.in ]; then
	echo "build: running autogen.sh"
	log=$(mktemp /tmp/pgng-autogen.XXXXXX)
	if ! ./autogen.sh >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		exit 1
	fi
	rm -f "$log"
fi
if [ -f config.status ]; then
	echo "build: the source tree is configured in place; run 'make distclean' in $top first" >&2
	exit 1
fi

mkdir -p build
cd build
if [ ! -f Makefile ]; then
	echo "build: configuring in $top/build"
	if ! ../configure --enable-werror >configure.out 2>&1; then
		tail -n 30 configure.out >&2
		echo "build: configure failed; see $top/build/config.log" >&2
		exit 1
	fi
fi
make -j2 "$@"
