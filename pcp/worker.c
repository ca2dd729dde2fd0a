/*
 * A PCP worker (see worker.h): the request loop, authentication and the protocol-level errors.
 * Bad packets end the connection with an error reply and a log line; nothing else is affected.
 */
#include "pcp/worker.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "common/log.h"
#include "common/ps_title.h"
#include "common/util.h"
#include "net/sock.h"
#include "shmem/shmem.h"

void
pcp_worker_error(pcp_worker *w, const char *message, const char *detail)
{
	pcp_msg_error(&w->out, 'E', "ERROR", message, detail);
	if (detail)
		log_error("PCP %s: %s (%s)", w->peer, message, detail);
	else
		log_error("PCP %s: %s", w->peer, message);
}

void
pcp_worker_complete(pcp_worker *w, char kind)
{
	const char *tag = "CommandComplete";

	pcp_msg_strings(&w->out, kind, &tag, 1);
}

bool
pcp_read_int_field(pcp_reader *r, int *out)
{
	const char *s = pcp_read_str(r);

	if (!s)
		return false;
	*out = (int) strtol(s, NULL, 10);
	return true;
}

int
pcp_node_status(int node)
{
	shm_backend_table t;

	if (shm_backends_snapshot(&t) == 0)
		return -1;
	return t.nodes[node].status;
}

static bool
send_salt(pcp_worker *w)
{
	if (getrandom(w->salt, sizeof(w->salt), 0) != (ssize_t) sizeof(w->salt))
	{
		for (size_t i = 0; i < sizeof(w->salt); i++)
			w->salt[i] = (unsigned char) random();
	}
	pcp_msg_begin(&w->out, 'm');
	pcp_msg_add_bytes(&w->out, w->salt, sizeof(w->salt));
	pcp_msg_end(&w->out);
	w->salt_sent = true;
	return true;
}

/* pgpool answers a wrong password and an unknown user alike, and closes. */
static bool
check_password(pcp_worker *w, pcp_reader *r)
{
	const char *user = pcp_read_str(r);
	const char *answer = user ? pcp_read_str(r) : NULL;
	const char *ok = "AuthenticationOK";
	char		msg[256];

	if (!answer || !w->salt_sent)
	{
		pcp_msg_error(&w->out, 'E', "FATAL", "invalid authentication packet", NULL);
		log_error("PCP %s: invalid authentication packet", w->peer);
		return false;
	}
	if (pcp_users_verify(w->users, user, w->salt, answer) != PCP_USERS_AUTH_OK)
	{
		snprintf(msg, sizeof(msg), "authentication failed for user \"%s\"", user);
		pcp_msg_error(&w->out, 'E', "FATAL", msg, "username and/or password does not match");
		log_warning("PCP %s: authentication failed for user \"%s\"", w->peer, user);
		return false;
	}
	str_copy(w->user, user, sizeof(w->user));
	w->authenticated = true;
	pcp_msg_strings(&w->out, 'r', &ok, 1);
	ps_title_set("PCP: processing command request (%s %s)", w->user, w->peer);
	return true;
}

/* Unauthenticated: only the salt request and the password are allowed. */
static bool
dispatch_unauthenticated(pcp_worker *w, char kind, pcp_reader *r)
{
	if (kind == 'M')
		return send_salt(w);
	if (kind == 'R')
		return check_password(w, r);
	pcp_msg_error(&w->out, 'E', "FATAL", "authentication is required", NULL);
	log_error("PCP %s: request 0x%02x before authentication; connection closed", w->peer,
			  (unsigned char) kind);
	return false;
}

static bool
dispatch(pcp_worker *w, const pcp_packet *pkt)
{
	pcp_reader	r;
	pcp_handler handler;
	char		msg[64];

	pcp_reader_init(&r, pkt->payload, pkt->len);
	if (!w->authenticated)
		return dispatch_unauthenticated(w, pkt->kind, &r);
	handler = pcp_info_handler(pkt->kind);
	if (!handler)
		handler = pcp_action_handler(pkt->kind);
	if (handler)
		return handler(w, &r);
	if ((unsigned char) pkt->kind >= 0x20 && (unsigned char) pkt->kind < 0x7f)
		snprintf(msg, sizeof(msg), "unknown PCP packet type \"%c\"", pkt->kind);
	else
		snprintf(msg, sizeof(msg), "unknown PCP packet type 0x%02x", (unsigned char) pkt->kind);
	pcp_worker_error(w, msg, "the connection is closed");
	return false;
}

/* Sends what is queued; false when the client cannot take it. */
static bool
flush(pcp_worker *w)
{
	pcp_io_status st;

	if (w->out.len == 0)
		return true;
	st = pcp_buf_send_with_deadline(w->fd, &w->out, net_deadline_after(PCP_WORKER_SEND_TIMEOUT_MS));
	pcp_buf_reset(&w->out);
	if (st != PCP_IO_OK)
		log_warning("PCP %s: could not send the reply: %s", w->peer, pcp_io_status_text(st));
	if (w->signal_parent && shm_parent_pid() > 0)
		kill(shm_parent_pid(), w->signal_parent);
	w->signal_parent = 0;
	return st == PCP_IO_OK;
}

/* The packet a read problem calls for, if any, and its log line. */
static void
report_read_failure(pcp_worker *w, pcp_io_status st)
{
	if (st == PCP_IO_EOF)
		return;
	if (st == PCP_IO_BAD_LENGTH)
	{
		pcp_msg_error(&w->out, 'E', "FATAL", "invalid PCP packet length", NULL);
		log_error("PCP %s: invalid packet length; connection closed", w->peer);
		return;
	}
	if (st == PCP_IO_TIMEOUT && !w->authenticated)
		log_warning("PCP %s: authentication timed out", w->peer);
	else
		log_warning("PCP %s: %s; connection closed", w->peer, pcp_io_status_text(st));
}

static int64_t
read_deadline(const pcp_worker *w, int64_t auth_deadline)
{
	int64_t		d = w->authenticated ? net_deadline_after(PCP_WORKER_IDLE_TIMEOUT_MS) : auth_deadline;

	return d < w->end_of_life_ms ? d : w->end_of_life_ms;
}

static void
serve(pcp_worker *w)
{
	int			auth_s = w->cfg->authentication_timeout > 0 ? w->cfg->authentication_timeout : 60;
	int64_t		auth_deadline = net_deadline_after(auth_s * 1000);

	for (;;)
	{
		pcp_packet	pkt;
		pcp_io_status st;
		bool		keep;

		st = pcp_packet_recv_with_deadline(w->fd, PCP_MAX_PAYLOAD, read_deadline(w, auth_deadline),
										   &pkt);
		if (st != PCP_IO_OK)
		{
			report_read_failure(w, st);
			flush(w);
			return;
		}
		if (pkt.kind == 'X')
		{
			pcp_packet_free(&pkt);
			return;
		}
		keep = dispatch(w, &pkt);
		pcp_packet_free(&pkt);
		if (!flush(w) || !keep)
			return;
	}
}

void
pcp_worker_main(int fd, const char *peer, const pool_config *cfg, const pcp_users *users)
{
	pcp_worker	w;

	memset(&w, 0, sizeof(w));
	w.fd = fd;
	w.cfg = cfg;
	w.users = users;
	w.end_of_life_ms = net_deadline_after(PCP_WORKER_LIFETIME_MS);
	str_copy(w.peer, peer, sizeof(w.peer));
	pcp_buf_init(&w.out);
	signal(SIGHUP, SIG_IGN);	/* reloads are the PCP server's business */
	log_set_process_name("pcp_child");
	ps_title_set("PCP: new connection (%s)", peer);
	net_set_nonblocking(fd);
	serve(&w);
	pcp_buf_free(&w.out);
	close(fd);
	_exit(0);
}
