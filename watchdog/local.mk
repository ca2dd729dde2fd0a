# watchdog: the watchdog process (membership, UDP heartbeat, leased-vote election, quorum) and the
# parent's handle on it; it publishes the cluster view in shared memory (shmem/watchdog.c).
libpgng_a_SOURCES += watchdog/wire.c watchdog/wire.h watchdog/election.c watchdog/election.h \
	watchdog/membership.c watchdog/membership.h watchdog/heartbeat.c watchdog/heartbeat.h \
	watchdog/escalation.c watchdog/escalation.h watchdog/process.c watchdog/launcher.c \
	watchdog/watchdog.h watchdog/vip_lease.c watchdog/vip_lease.h watchdog/vip.c watchdog/vip.h \
	watchdog/vip_cmd.c watchdog/vip_cmd.h watchdog/netlink.c watchdog/netlink.h \
	watchdog/garp.c watchdog/garp.h watchdog/consensus.c watchdog/consensus.h \
	watchdog/consensus_leader.c watchdog/consensus_leader.h watchdog/cluster_command.c \
	watchdog/cluster_command.h watchdog/backend_sync.c watchdog/backend_sync.h \
	watchdog/node_request.c watchdog/node_request.h

check_PROGRAMS += unit/test_watchdog
unit_test_watchdog_SOURCES = unit/test_watchdog.c unit/test_watchdog_election.c \
	unit/test_watchdog_vip.c unit/test_watchdog_consensus.c unit/test_watchdog_node_request.c \
	unit/test_watchdog.h
unit_test_watchdog_CFLAGS = $(UNIT_CFLAGS)
unit_test_watchdog_LDADD = $(UNIT_LDADD)
TESTS += unit/test_watchdog
