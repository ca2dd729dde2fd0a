# shellcheck shell=bash
# Network namespaces on a private bridge, made and always removed by the test itself (needs root):
#   . "$PGNG_SRC/regress/lib/netns.sh"
#   netns_setup 3 10.213.151          # namespaces NETNS[0..2] with addresses NETNS_IP[i] = 10.213.151.1i
#   netns_cut 1 / netns_heal 1        # link of namespace 1 down / up (its bridge port)
# Nothing leaves the bridge: no address on the host side, no routing, no NAT. netns_teardown runs on
# exit (also after a failure, Ctrl-C or SIGTERM): it kills what still runs inside the namespaces (by
# pid) and deletes them and the bridge.

NETNS_TAG=p$$
NETNS_BRIDGE=
NETNS=()
NETNS_IP=()

netns_teardown()
{
	local ns pid
	for ns in "${NETNS[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -9 "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	[ -z "$NETNS_BRIDGE" ] || ip link del "$NETNS_BRIDGE" 2>/dev/null
	NETNS=()
	NETNS_BRIDGE=
}

# netns_forget_stale: namespaces and bridges of earlier runs whose test process is gone.
netns_forget_stale()
{
	local ns owner link
	for ns in $(ip netns list 2>/dev/null | awk '/^pgng-p[0-9]+-[0-9]+/ { print $1 }'); do
		owner=${ns#pgng-p}
		owner=${owner%%-*}
		kill -0 "$owner" 2>/dev/null && continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	for link in $(ip -o link show type bridge 2>/dev/null | awk -F': ' '/ brp[0-9]+/ { print $2 }'); do
		owner=${link#brp}
		owner=${owner%%@*}
		kill -0 "$owner" 2>/dev/null || ip link del "$link" 2>/dev/null
	done
}

# netns_setup COUNT PREFIX: COUNT namespaces on one bridge, addresses PREFIX.11, PREFIX.12, ...
netns_setup()
{
	local count=$1 prefix=$2 i ns
	[ "$(id -u)" -eq 0 ] || skip "network namespaces need root"
	command -v ip >/dev/null || skip "no ip command"
	netns_forget_stale
	trap netns_teardown EXIT
	trap 'netns_teardown; exit 130' INT
	trap 'netns_teardown; exit 143' TERM
	NETNS_BRIDGE=br$NETNS_TAG
	ip link add "$NETNS_BRIDGE" type bridge 2>/dev/null || skip "cannot create a bridge"
	ip link set "$NETNS_BRIDGE" up
	for ((i = 0; i < count; i++)); do
		ns=pgng-$NETNS_TAG-$i
		ip netns add "$ns" || fail "cannot create namespace $ns"
		NETNS[i]=$ns
		NETNS_IP[i]=$prefix.$((11 + i))
		ip link add "vh$NETNS_TAG$i" type veth peer name "vn$NETNS_TAG$i" || fail "cannot create veth"
		ip link set "vn$NETNS_TAG$i" netns "$ns"
		ip link set "vh$NETNS_TAG$i" master "$NETNS_BRIDGE" up
		ip -n "$ns" link set lo up
		ip -n "$ns" addr add "${NETNS_IP[i]}/24" dev "vn$NETNS_TAG$i"
		ip -n "$ns" link set "vn$NETNS_TAG$i" up
	done
}

# netns_cut I / netns_heal I: the link of namespace I goes down / up (its port on the bridge).
netns_cut() { ip link set "vh$NETNS_TAG$1" down; }
netns_heal() { ip link set "vh$NETNS_TAG$1" up; }
