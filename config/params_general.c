/*
 * Table rows for listening, authentication, SSL, the process pool and logging. Facts (names,
 * defaults, ranges, contexts, units) are pgpool-II 4.3's; the descriptions are ours.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "config/params_internal.h"

static const cfg_enum_option log_standby_delay_options[] = {
	{"always", CFG_LSD_ALWAYS},
	{"if_over_threshold", CFG_LSD_IF_OVER_THRESHOLD},
	{"none", CFG_LSD_NONE},
	{NULL, 0}
};

static const cfg_enum_option syslog_facility_options[] = {
	{"LOCAL0", 0}, {"LOCAL1", 1}, {"LOCAL2", 2}, {"LOCAL3", 3},
	{"LOCAL4", 4}, {"LOCAL5", 5}, {"LOCAL6", 6}, {"LOCAL7", 7},
	{NULL, 0}
};

static const cfg_enum_option log_error_verbosity_options[] = {
	{"terse", CFG_ERRV_TERSE},
	{"default", CFG_ERRV_DEFAULT},
	{"verbose", CFG_ERRV_VERBOSE},
	{NULL, 0}
};

/* "debug" is an old spelling of debug2; it is accepted but listed after the real names. */
static const cfg_enum_option message_level_options[] = {
	{"debug5", CFG_MSG_DEBUG5},
	{"debug4", CFG_MSG_DEBUG4},
	{"debug3", CFG_MSG_DEBUG3},
	{"debug2", CFG_MSG_DEBUG2},
	{"debug1", CFG_MSG_DEBUG1},
	{"info", CFG_MSG_INFO},
	{"notice", CFG_MSG_NOTICE},
	{"warning", CFG_MSG_WARNING},
	{"error", CFG_MSG_ERROR},
	{"log", CFG_MSG_LOG},
	{"fatal", CFG_MSG_FATAL},
	{"panic", CFG_MSG_PANIC},
	{"debug", CFG_MSG_DEBUG2},
	{NULL, 0}
};

/* log_destination: a comma list of "stderr" and "syslog". */
static char *
check_log_destination(const char *value, char **normalised)
{
	char	   *copy = xstrdup(value);
	char	   *save = NULL;
	char	   *err = NULL;
	int			n = 0;

	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
	{
		str_trim(tok);
		if (strcmp(tok, "stderr") != 0 && strcmp(tok, "syslog") != 0)
		{
			err = xasprintf("unknown destination \"%s\"; allowed: stderr, syslog", tok);
			break;
		}
		n++;
	}
	if (!err && n == 0)
		err = xstrdup("at least one of stderr, syslog is required");
	free(copy);
	*normalised = NULL;
	return err;
}

#define C_INIT CFG_CONTEXT_INIT
#define C_RELOAD CFG_CONTEXT_RELOAD
#define C_SESSION CFG_CONTEXT_SESSION

/*
 * Default directories are those of Debian's pgpool2 4.3.5 build (the reference installation):
 * sockets in /var/run/postgresql, logs in /var/log/postgresql.
 */
const cfg_param cfg_params_general[] = {
	/* listening */
	CFG_STRING(listen_addresses, C_INIT, "localhost", 0,
			   "Addresses (or *) on which client connections are accepted."),
	CFG_INT(port, C_INIT, "9999", 1024, 65535, 0, "TCP port for client connections."),
	CFG_STRING(socket_dir, C_INIT, "/var/run/postgresql", 0,
			   "Directory of the Unix socket for client connections."),
	CFG_INT(reserved_connections, C_INIT, "0", 0, INT_MAX, 0,
			"Connection slots kept back: when fewer are free, new clients are refused."),
	CFG_STRING(pcp_listen_addresses, C_INIT, "localhost", 0,
			   "Addresses (or *) on which PCP connections are accepted."),
	CFG_INT(pcp_port, C_INIT, "9898", 1024, 65535, 0, "TCP port for PCP connections."),
	CFG_STRING(pcp_socket_dir, C_INIT, "/var/run/postgresql", 0,
			   "Directory of the Unix socket for PCP connections."),
	CFG_INT(listen_backlog_multiplier, C_INIT, "2", 1, INT_MAX, 0,
			"listen() queue length as a multiple of num_init_children."),
	CFG_BOOL(serialize_accept, C_INIT, "off",
			 "Let only one idle child at a time wait in accept()."),

	/* authentication */
	CFG_BOOL(enable_pool_hba, C_RELOAD, "off", "Check clients against pool_hba.conf."),
	CFG_STRING(pool_passwd, C_INIT, "pool_passwd", CFG_SECRET,
			   "Password file for client authentication (empty: none)."),
	CFG_INT(authentication_timeout, C_INIT, "60", 0, INT_MAX, CFG_UNIT_S,
			"Longest time a client may take to authenticate (0: no limit)."),
	CFG_BOOL(allow_clear_text_frontend_auth, C_RELOAD, "off",
			 "Ask clients for a clear text password when pool_passwd has none for them."),

	/* SSL */
	CFG_BOOL(ssl, C_INIT, "off", "Accept and make SSL connections."),
	CFG_STRING(ssl_key, C_INIT, "", 0, "SSL private key file."),
	CFG_STRING(ssl_cert, C_INIT, "", 0, "SSL certificate file."),
	CFG_STRING(ssl_ca_cert, C_INIT, "", 0, "File of trusted CA certificates (PEM)."),
	CFG_STRING(ssl_ca_cert_dir, C_INIT, "", 0, "Directory of trusted CA certificates."),
	CFG_STRING(ssl_crl_file, C_INIT, "", 0, "Certificate revocation list file."),
	CFG_STRING(ssl_ciphers, C_INIT, "HIGH:MEDIUM:+3DES:!aNULL", 0,
			   "OpenSSL cipher list allowed for SSL connections."),
	CFG_BOOL(ssl_prefer_server_ciphers, C_INIT, "off",
			 "Prefer our cipher order over the client's."),
	CFG_STRING(ssl_ecdh_curve, C_INIT, "prime256v1", 0, "Curve used for ECDH key exchange."),
	CFG_STRING(ssl_dh_params_file, C_INIT, "", 0, "File with Diffie-Hellman parameters."),
	CFG_STRING(ssl_passphrase_command, C_INIT, "", 0,
			   "Command that prints the passphrase of an encrypted SSL key."),

	/* the process pool */
	CFG_INT(num_init_children, C_INIT, "32", 1, INT_MAX, 0,
			"Number of child processes, i.e. of concurrent client sessions."),
	CFG_INT(max_pool, C_INIT, "4", 0, INT_MAX, 0,
			"Cached backend connection sets per child (one per user/database pair)."),
	CFG_INT(child_life_time, C_INIT, "300", 0, INT_MAX, CFG_UNIT_S,
			"An idle child is replaced after this long (0: never)."),
	CFG_INT(child_max_connections, C_INIT, "0", 0, INT_MAX, 0,
			"A child is replaced after serving this many clients (0: never)."),
	CFG_INT(connection_life_time, C_INIT, "0", 0, INT_MAX, CFG_UNIT_S,
			"Cached backend connections are closed after this long unused (0: never)."),
	CFG_INT(client_idle_limit, C_SESSION, "0", 0, INT_MAX, CFG_UNIT_S,
			"A client idle for this long is disconnected (0: never)."),
	CFG_BOOL(connection_cache, C_INIT, "on", "Keep backend connections for reuse."),
	CFG_LIST(reset_query_list, C_RELOAD, "ABORT;DISCARD ALL", ";",
			 "Statements run on a cached connection when its client leaves."),

	/* logging */
	{.name = "log_destination", .type = CFG_TYPE_STRING, .context = C_RELOAD,
		.default_value = "stderr", .store = CFG_STORE_GLOBAL,
		.offset = offsetof(pool_config, log_destination), .check = check_log_destination,
	.description = "Where the log goes: stderr, syslog, or both separated by a comma."},
	CFG_STRING(log_line_prefix, C_RELOAD, "%m: %a pid %p: ", 0,
			   "printf-like prefix of every log line."),
	CFG_BOOL(log_connections, C_RELOAD, "off", "Log each client connection."),
	CFG_BOOL(log_disconnections, C_RELOAD, "off", "Log the end of each client session."),
	CFG_BOOL(log_hostname, C_RELOAD, "off", "Log client host names rather than addresses."),
	CFG_BOOL(log_statement, C_SESSION, "off", "Log every statement a client sends."),
	CFG_BOOL(log_per_node_statement, C_SESSION, "off",
			 "Log every statement with the backend node it is sent to."),
	CFG_BOOL(log_client_messages, C_SESSION, "off", "Log every protocol message from clients."),
	CFG_ENUM(log_standby_delay, C_RELOAD, "if_over_threshold", log_standby_delay_options,
			 "When to log the replication delay of standbys."),
	{.name = "syslog_facility", .type = CFG_TYPE_ENUM, .context = C_RELOAD,
		.flags = CFG_RAW_AS_NAME, .default_value = "LOCAL0", .options = syslog_facility_options,
		.store = CFG_STORE_GLOBAL, .offset = offsetof(pool_config, syslog_facility),
	.description = "syslog facility used when logging to syslog."},
	CFG_STRING(syslog_ident, C_RELOAD, "pgpool", 0, "Program name given to syslog."),
	CFG_ENUM(log_error_verbosity, C_SESSION, "default", log_error_verbosity_options,
			 "How much detail error messages carry."),
	CFG_ENUM(client_min_messages, C_SESSION, "notice", message_level_options,
			 "Lowest message level sent to clients."),
	CFG_ENUM(log_min_messages, C_SESSION, "warning", message_level_options,
			 "Lowest message level written to the log."),
	CFG_BOOL(logging_collector, C_INIT, "off",
			 "Run a logger process that writes stderr output to files."),
	CFG_STRING(log_directory, C_INIT, "/tmp/pgpool_logs", 0,
			   "Directory of the logging collector's files."),
	CFG_STRING(log_filename, C_INIT, "pgpool-%Y-%m-%d_%H%M%S.log", 0,
			   "strftime pattern of the logging collector's file names."),
	CFG_INT(log_file_mode, C_INIT, "0600", 0, INT_MAX, 0,
			"Permissions of log files (octal when written with a leading 0)."),
	CFG_BOOL(log_truncate_on_rotation, C_INIT, "off",
			 "Overwrite rather than append when time-based rotation reuses a file name."),
	CFG_INT(log_rotation_age, C_INIT, "1d", 10, INT_MAX, CFG_UNIT_MIN,
			"Start a new log file after this long."),
	CFG_INT(log_rotation_size, C_INIT, "10MB", 1, INT_MAX, CFG_UNIT_KB,
			"Start a new log file after this much output."),

	/* files */
	CFG_STRING(pid_file_name, C_INIT, "/var/run/postgresql/pgpool.pid", 0,
			   "File holding the main process id."),
	CFG_STRING(logdir, C_INIT, "/var/log/postgresql", 0,
			   "Directory of the pgpool_status file."),
	{.name = NULL}
};
