-- pgpool-ng's pgpool_recovery extension: the functions pgpool's online recovery calls on the primary,
-- with pgpool-II's names and argument lists so that existing recovery scripts keep working.
\echo Use "CREATE EXTENSION pgpool_recovery" to load this file. \quit

CREATE FUNCTION pgpool_recovery(script_name text, remote_host text, remote_data_directory text)
RETURNS bool AS 'MODULE_PATHNAME', 'pgng_recovery' LANGUAGE C STRICT;

CREATE FUNCTION pgpool_recovery(script_name text, remote_host text, remote_data_directory text,
	primary_port text)
RETURNS bool AS 'MODULE_PATHNAME', 'pgng_recovery' LANGUAGE C STRICT;

CREATE FUNCTION pgpool_recovery(script_name text, remote_host text, remote_data_directory text,
	primary_port text, remote_node integer)
RETURNS bool AS 'MODULE_PATHNAME', 'pgng_recovery' LANGUAGE C STRICT;

CREATE FUNCTION pgpool_recovery(script_name text, remote_host text, remote_data_directory text,
	primary_port text, remote_node integer, remote_port text)
RETURNS bool AS 'MODULE_PATHNAME', 'pgng_recovery' LANGUAGE C STRICT;

CREATE FUNCTION pgpool_recovery(script_name text, remote_host text, remote_data_directory text,
	primary_port text, remote_node integer, remote_port text, primary_host text)
RETURNS bool AS 'MODULE_PATHNAME', 'pgng_recovery' LANGUAGE C STRICT;

CREATE FUNCTION pgpool_remote_start(remote_host text, remote_data_directory text)
RETURNS bool AS 'MODULE_PATHNAME', 'pgng_remote_start' LANGUAGE C STRICT;

REVOKE ALL ON FUNCTION pgpool_recovery(text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgpool_recovery(text, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgpool_recovery(text, text, text, text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgpool_recovery(text, text, text, text, integer, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgpool_recovery(text, text, text, text, integer, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION pgpool_remote_start(text, text) FROM PUBLIC;
