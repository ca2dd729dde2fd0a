# Sample configuration files and failover scripts, installed into $(sysconfdir) under their .sample
# names so that an upgrade never overwrites a configuration in use: copy and edit them.
dist_sysconf_DATA = \
	sample-configs/pgpool.conf.sample \
	sample-configs/pool_hba.conf.sample \
	sample-configs/pcp.conf.sample \
	sample-configs/failover.sh.sample \
	sample-configs/follow_primary.sh.sample \
	sample-configs/recovery_1st_stage.sample \
	sample-configs/pgpool_remote_start.sample
