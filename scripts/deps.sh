#!/usr/bin/env bash
# Installs the Debian 12 packages needed to build and test pgpool-ng, only those missing, and makes
# sure no packaged PostgreSQL or pgpool service is left running (tests run their own clusters).
# Idempotent: when everything is installed it only asks dpkg and returns.
set -euo pipefail

PACKAGES=(
	build-essential autoconf automake libtool pkg-config
	libpq-dev libssl-dev libmemcached-dev libpcap-dev libcunit1-dev libpg-query-dev
	postgresql-15 postgresql-client-15 postgresql-server-dev-15
	pgpool2
	clang valgrind
	procps util-linux passwd gzip ca-certificates openssl python3
)
# Services the packages above may start on installation.
SERVICES=(postgresql pgpool2)

installed()
{
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for p in "${PACKAGES[@]}"; do
	installed "$p" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: run as root, or: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
log=$(mktemp /tmp/pgng-deps.XXXXXX)
trap 'rm -f "$log"' EXIT

# Ask invoke-rc.d not to start services during installation (the Debian way: policy-rc.d exit 101),
# unless the administrator already has a policy in place.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	own_policy=1
fi

export DEBIAN_FRONTEND=noninteractive
rc=0
if ! apt-get -qq update >"$log" 2>&1 ||
	! apt-get -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends install "${missing[@]}" >>"$log" 2>&1; then
	rc=1
fi
[ $own_policy -eq 1 ] && rm -f "$policy"
if [ $rc -ne 0 ]; then
	echo "deps: apt-get failed; its output:" >&2
	tail -n 40 "$log" >&2
	exit 1
fi

# Whatever got started anyway (systemd starts units regardless of policy-rc.d on some set-ups) is
# stopped and kept from starting at boot: pgpool-ng's tests and demo run their own servers.
for svc in "${SERVICES[@]}"; do
	if [ -d /run/systemd/system ]; then
		systemctl stop "$svc" >/dev/null 2>&1 || true
		systemctl disable "$svc" >/dev/null 2>&1 || true
	elif [ -x "/etc/init.d/$svc" ]; then
		"/etc/init.d/$svc" stop >/dev/null 2>&1 || true
	fi
done
if command -v pg_lsclusters >/dev/null 2>&1; then
	pg_lsclusters -h 2>/dev/null | while read -r ver name _ status _; do
		case "$status" in
		online*) pg_ctlcluster "$ver" "$name" stop >/dev/null 2>&1 || true ;;
		esac
	done
fi
echo "deps: done"
