/*
 * Watchdog messages between pgpool-ng nodes: the one place that turns them into bytes and back.
 * pgpool-ng's own format (not pgpool-II's), every message authenticated with HMAC-SHA256 over
 * wd_authkey; handlers work on the decoded wd_msg only.
 */
#ifndef PGNG_WATCHDOG_WIRE_H
#define PGNG_WATCHDOG_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* 2: the failover votes after the names; 3: the backend view; 4: a node request for the leader at the end */
#define WD_WIRE_VERSION 4
#define WD_WIRE_MAX_SIZE 512	/* no valid message is longer; UDP datagrams and TCP frames alike */
#define WD_WIRE_NAME_MAX 127	/* node and host names, without the terminating zero */
#define WD_WIRE_HMAC_SIZE 32
#define WD_WIRE_VOTE_BYTES 16	/* one bit per backend, CFG_MAX_BACKENDS = 128 */

typedef enum
{
	WD_MSG_HEARTBEAT = 1,		/* UDP, every wd_heartbeat_keepalive and at once on a change */
	WD_MSG_INFO_REQUEST = 2,	/* TCP, a peer asks for our state (and gives its own) */
	WD_MSG_INFO = 3				/* TCP, the answer */
} wd_msg_type;

/* What every message says about its sender. */
typedef struct wd_msg
{
	uint8_t		type;			/* wd_msg_type */
	int32_t		node_id;		/* the sender's watchdog node id (its hostnameN) */
	uint64_t	boot_id;		/* random per start of the sender's watchdog process */
	uint64_t	seq;			/* increases with every message of one boot_id */
	int32_t		priority;		/* wd_priority */
	int32_t		state;			/* wd_node_state of the sender, pgpool's numbers */
	int32_t		vote_for;		/* node the sender supports as leader, -1: none */
	uint32_t	vote_lease_ms;	/* how long that support holds from receipt */
	int32_t		leader_id;		/* node the sender takes as leader, -1: none */
	int64_t		start_time;		/* epoch seconds the sender's watchdog started */
	uint16_t	pgpool_port;
	uint16_t	wd_port;
	char		node_name[WD_WIRE_NAME_MAX + 1];
	char		host_name[WD_WIRE_NAME_MAX + 1];
	/* backends the sender's health check found down lately (bit b of byte b / 8): its failover votes */
	uint8_t		down_votes[WD_WIRE_VOTE_BYTES];
	/* a cluster-wide command (pcp_stop_pgpool -s c, pcp_reload_config -s c), repeated for a while */
	uint8_t		command;		/* wd_cluster_cmd, 0: none */
	uint32_t	command_id;		/* increases with every command of one boot_id */
	int64_t		command_time;	/* epoch seconds the command was given */
	/* the sender's backend view, which the standby nodes take from the leader */
	uint8_t		backend_count;	/* backends it covers (at most 8 * WD_WIRE_VOTE_BYTES), 0: none */
	int32_t		backend_primary;	/* primary node id, -1: none known */
	uint8_t		backend_up[WD_WIRE_VOTE_BYTES];	/* bit b: backend b is up (not down) */
	/* a PCP node request a standby sends its leader (watchdog/node_request.h), repeated for a while */
	uint8_t		request;		/* shm_failover_kind (1 down, 2 up, 3 promote), 0: none */
	int32_t		request_node;	/* the backend, -1 with no request */
	uint32_t	request_flags;	/* WD_WIRE_REQUEST_FLAGS bits only */
	uint32_t	request_id;		/* increases with every request of one boot_id */
	int64_t		request_time;	/* epoch seconds PCP was asked */
	int32_t		request_to;		/* the leader it is for (only that node acts on it), -1: none */
} wd_msg;

/* The failover request flags a node request may carry: SHM_FO_SWITCHOVER, SHM_FO_GRACEFUL. */
#define WD_WIRE_REQUEST_FLAGS 0x3u

typedef enum
{
	WD_WIRE_OK = 0,
	WD_WIRE_SHORT,				/* fewer bytes than the header or the length says */
	WD_WIRE_BAD_MAGIC,
	WD_WIRE_BAD_VERSION,
	WD_WIRE_BAD_TYPE,
	WD_WIRE_BAD_LENGTH,			/* length field disagrees with the bytes, or over the maximum */
	WD_WIRE_BAD_FIELD,			/* a field out of range, a name too long or not text */
	WD_WIRE_BAD_HMAC,			/* not signed with our wd_authkey */
	WD_WIRE_TOO_BIG				/* encoding: the message does not fit the buffer */
} wd_wire_status;

/*
 * Encodes msg, signed with key (key_len 0: an empty key, as with wd_authkey = ''), into buf.
 * Returns the number of bytes, or -(wd_wire_status) on failure.
 */
int			wd_wire_encode(const wd_msg *msg, const char *key, size_t key_len,
						   uint8_t *buf, size_t buf_size);

/*
 * Decodes len bytes into out after checking the signature. Never reads past len. On WD_WIRE_OK,
 * *used is the message's size (a TCP stream may hold more).
 */
wd_wire_status wd_wire_decode(const uint8_t *buf, size_t len, const char *key, size_t key_len,
							  wd_msg *out, size_t *used);

/* Bytes of a complete message starting at buf, 0 if the header is not all there, -1 if invalid. */
int			wd_wire_frame_length(const uint8_t *buf, size_t len);

const char *wd_wire_status_name(wd_wire_status status);

#endif
