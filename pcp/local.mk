# pcp: the PCP server (a process forked by pgpool's main process, a worker per connection), the
# client library and the pcp_* tools.
libpgng_a_SOURCES += pcp/wire.c pcp/wire.h pcp/server.c pcp/server.h pcp/worker.c pcp/worker.h \
	pcp/commands_info.c pcp/commands_watchdog.c pcp/commands_action.c pcp/client.c pcp/client.h \
	pcp/pcppass.c pcp/pcppass.h pcp/commands_recovery.c pcp/commands_forward.c
# online recovery (pcp_recovery_node): listed here because only the PCP worker starts it
libpgng_a_SOURCES += main/recovery.c main/recovery.h main/recovery_steps.c main/recovery_script.c main/recovery_exec.c \
	main/recovery_exec.h
libpgng_a_SOURCES += pcp/tool.c pcp/tool.h pcp/wd_info.c pcp/wd_info.h

PCP_TOOLS = pcp_node_count pcp_node_info pcp_health_check_stats pcp_proc_count pcp_proc_info \
	pcp_pool_status pcp_attach_node pcp_detach_node pcp_promote_node pcp_recovery_node \
	pcp_reload_config pcp_stop_pgpool pcp_watchdog_info
bin_PROGRAMS += $(PCP_TOOLS)
PCP_TOOL_LDADD = $(PGNG_LIBS)
pcp_node_count_SOURCES = pcp/tools/pcp_node_count.c tools/tool_common.c tools/tool_common.h
pcp_node_count_LDADD = $(PCP_TOOL_LDADD)
pcp_node_info_SOURCES = pcp/tools/pcp_node_info.c tools/tool_common.c tools/tool_common.h
pcp_node_info_LDADD = $(PCP_TOOL_LDADD)
pcp_health_check_stats_SOURCES = pcp/tools/pcp_health_check_stats.c tools/tool_common.c tools/tool_common.h
pcp_health_check_stats_LDADD = $(PCP_TOOL_LDADD)
pcp_proc_count_SOURCES = pcp/tools/pcp_proc_count.c tools/tool_common.c tools/tool_common.h
pcp_proc_count_LDADD = $(PCP_TOOL_LDADD)
pcp_proc_info_SOURCES = pcp/tools/pcp_proc_info.c tools/tool_common.c tools/tool_common.h
pcp_proc_info_LDADD = $(PCP_TOOL_LDADD)
pcp_pool_status_SOURCES = pcp/tools/pcp_pool_status.c tools/tool_common.c tools/tool_common.h
pcp_pool_status_LDADD = $(PCP_TOOL_LDADD)
pcp_attach_node_SOURCES = pcp/tools/pcp_attach_node.c tools/tool_common.c tools/tool_common.h
pcp_attach_node_LDADD = $(PCP_TOOL_LDADD)
pcp_detach_node_SOURCES = pcp/tools/pcp_detach_node.c tools/tool_common.c tools/tool_common.h
pcp_detach_node_LDADD = $(PCP_TOOL_LDADD)
pcp_promote_node_SOURCES = pcp/tools/pcp_promote_node.c tools/tool_common.c tools/tool_common.h
pcp_promote_node_LDADD = $(PCP_TOOL_LDADD)
pcp_recovery_node_SOURCES = pcp/tools/pcp_recovery_node.c tools/tool_common.c tools/tool_common.h
pcp_recovery_node_LDADD = $(PCP_TOOL_LDADD)
pcp_reload_config_SOURCES = pcp/tools/pcp_reload_config.c tools/tool_common.c tools/tool_common.h
pcp_reload_config_LDADD = $(PCP_TOOL_LDADD)
pcp_stop_pgpool_SOURCES = pcp/tools/pcp_stop_pgpool.c tools/tool_common.c tools/tool_common.h
pcp_stop_pgpool_LDADD = $(PCP_TOOL_LDADD)
pcp_watchdog_info_SOURCES = pcp/tools/pcp_watchdog_info.c tools/tool_common.c tools/tool_common.h
pcp_watchdog_info_LDADD = $(PCP_TOOL_LDADD)

check_PROGRAMS += unit/test_pcp
unit_test_pcp_SOURCES = unit/test_pcp.c tools/tool_common.c tools/tool_common.h
unit_test_pcp_CFLAGS = $(UNIT_CFLAGS)
unit_test_pcp_LDADD = $(UNIT_LDADD)
TESTS += unit/test_pcp

# The PCP fuzzer regress/tests/145-pcp.sh runs.
check_PROGRAMS += regress/tools/pcpfuzz
regress_tools_pcpfuzz_SOURCES = regress/tools/pcpfuzz.c
regress_tools_pcpfuzz_LDADD = $(PGNG_LIBS)

# The pgpool_recovery PostgreSQL extension (configure --with-pgpool-recovery), built by PGXS in the
# build tree from extension/pgpool_recovery and installed into PostgreSQL's directories.
EXTRA_DIST += extension/pgpool_recovery/Makefile extension/pgpool_recovery/pgpool_recovery.c \
	extension/pgpool_recovery/pgpool_recovery.control extension/pgpool_recovery/pgpool_recovery--1.4.sql
if WITH_PGPOOL_RECOVERY
PGPOOL_RECOVERY_MAKE = $(MAKE) -C extension/pgpool_recovery \
	-f $(abs_top_srcdir)/extension/pgpool_recovery/Makefile \
	VPATH=$(abs_top_srcdir)/extension/pgpool_recovery PG_CONFIG=$(PGXS_PG_CONFIG) with_llvm=no
all-local: pgpool-recovery-extension
pgpool-recovery-extension:
	$(MKDIR_P) extension/pgpool_recovery
	$(PGPOOL_RECOVERY_MAKE)
install-data-local:
	$(PGPOOL_RECOVERY_MAKE) install
clean-local:
	-$(PGPOOL_RECOVERY_MAKE) clean
endif
