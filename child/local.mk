# The preforked children: accept loop, sessions, connection cache, relay.
libpgng_a_SOURCES += child/child.c child/child.h child/session.c child/session.h \
	child/startup.c child/backend_connect.c child/credentials.c child/credentials.h \
	child/client_auth.c child/client_auth_scram.c child/client_auth.h child/relay.c \
	child/reset.c child/session_params.c child/pool.c child/pool.h child/msgio.c child/msgio.h \
	child/cancel.c child/cancel.h child/router.c child/router.h \
	child/backend_error.c child/backend_error.h child/backend_shutdown.c child/backend_shutdown.h \
	child/write_gate.c child/write_gate.h child/node_loss.c child/node_loss.h child/relay_nodes.c

# Load-balance node choice.
libpgng_a_SOURCES += child/lb_select.c child/lb_select.h child/stmt_count.c child/stmt_count.h
check_PROGRAMS += unit/test_lb_select
unit_test_lb_select_SOURCES = unit/test_lb_select.c
unit_test_lb_select_CFLAGS = $(UNIT_CFLAGS)
unit_test_lb_select_LDADD = $(UNIT_LDADD)
TESTS += unit/test_lb_select
# The commands pgpool-ng answers itself: SHOW pool_*, PGPOOL SHOW / SET / RESET.
libpgng_a_SOURCES += child/intercept.c child/intercept.h child/intercept_internal.h \
	child/intercept_show_nodes.c child/intercept_show_status.c child/intercept_show_procs.c

check_PROGRAMS += unit/test_intercept
unit_test_intercept_SOURCES = unit/test_intercept.c unit/test_intercept_show.c \
	unit/test_intercept_pgpool.c unit/test_intercept.h
unit_test_intercept_CFLAGS = $(UNIT_CFLAGS)
unit_test_intercept_LDADD = $(UNIT_LDADD)
TESTS += unit/test_intercept

# Statement routing over several nodes: where a unit runs, and what it changes in the session.
libpgng_a_SOURCES += child/route.c child/route_state.c child/route.h child/route_policy.c \
	child/route_policy.h child/relay_route.c child/relay_internal.h
check_PROGRAMS += unit/test_route
unit_test_route_SOURCES = unit/test_route.c
unit_test_route_CFLAGS = $(UNIT_CFLAGS)
unit_test_route_LDADD = $(UNIT_LDADD)
TESTS += unit/test_route
# Writes refused on a watchdog node without quorum.
check_PROGRAMS += unit/test_write_gate
unit_test_write_gate_SOURCES = unit/test_write_gate.c
unit_test_write_gate_CFLAGS = $(UNIT_CFLAGS)
unit_test_write_gate_LDADD = $(UNIT_LDADD)
TESTS += unit/test_write_gate
# Whether a session survives the loss of a node of its connection set.
check_PROGRAMS += unit/test_node_loss
unit_test_node_loss_SOURCES = unit/test_node_loss.c
unit_test_node_loss_CFLAGS = $(UNIT_CFLAGS)
unit_test_node_loss_LDADD = $(UNIT_LDADD)
TESTS += unit/test_node_loss
# failover_on_backend_shutdown: the shutdown notice and the probe's verdict on the server.
check_PROGRAMS += unit/test_backend_shutdown
unit_test_backend_shutdown_SOURCES = unit/test_backend_shutdown.c
unit_test_backend_shutdown_CFLAGS = $(UNIT_CFLAGS)
unit_test_backend_shutdown_LDADD = $(UNIT_LDADD)
TESTS += unit/test_backend_shutdown
