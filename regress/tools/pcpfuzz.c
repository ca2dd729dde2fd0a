/*
 * pcpfuzz: random, truncated and malformed PCP packets at a PCP server, before and after a real
 * login, checking every CHECK cases (and at the end) that a normal request is still answered.
 * Case i depends only on (seed, i). Requests that would stop pgpool or wait (T, t, d, j) are never
 * sent. Builds its bytes by hand, not with pgpool-ng's codec.
 *   pcpfuzz HOST PORT USER PASSWORD SEED CASES MAX_SECONDS CHECK
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "auth/md5.h"

#define CASE_WAIT_MS 50
#define CHECK_WAIT_MS 5000

typedef struct target
{
	const char *host;
	int			port;
	const char *user;
	const char *password;
} target;

static uint64_t rng;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static size_t
below(size_t n)
{
	return n ? (size_t) (rnd() % n) : 0;
}

static int
dial(const target *t)
{
	struct sockaddr_in sin;
	int			fd = socket(AF_INET, SOCK_STREAM, 0);
	struct timeval tv = {2, 0};

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t) t->port);
	inet_pton(AF_INET, t->host, &sin.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *) &sin, sizeof(sin)) != 0)
	{
		close(fd);
		return -1;
	}
	return fd;
}

static void
put_packet(int fd, char kind, const void *payload, size_t len)
{
	uint8_t		buf[5 + 4096];
	uint32_t	n = htonl((uint32_t) len + 4);

	if (len > 4096)
		len = 4096;
	buf[0] = (uint8_t) kind;
	memcpy(buf + 1, &n, 4);
	memcpy(buf + 5, payload, len);
	if (send(fd, buf, 5 + len, MSG_NOSIGNAL) < 0)
	{
		/* the server may already have closed: that is allowed */
	}
}

/* Reads one packet (kind, payload) within the socket timeout; -1 on EOF or error. */
static int
get_packet(int fd, char *kind, uint8_t *payload, size_t size, size_t *len)
{
	uint8_t		hdr[5];
	uint32_t	n;

	if (recv(fd, hdr, 5, MSG_WAITALL) != 5)
		return -1;
	memcpy(&n, hdr + 1, 4);
	n = ntohl(n);
	if (n < 4 || n - 4 > size)
		return -1;
	*kind = (char) hdr[0];
	*len = n - 4;
	return *len == 0 || recv(fd, payload, *len, MSG_WAITALL) == (ssize_t) *len ? 0 : -1;
}

/* M, then R with the md5 answer; true on 'r'. */
static int
login(int fd, const target *t)
{
	uint8_t		in[256];
	char		stored[MD5_HEX_LEN + 1], inner[MD5_HEX_LEN + 1], answer[MD5_HEX_LEN + 1];
	char		out[512];
	size_t		len;
	char		kind;
	int			n;

	put_packet(fd, 'M', "", 0);
	if (get_packet(fd, &kind, in, sizeof(in), &len) != 0 || kind != 'm' || len < 4)
		return 0;
	md5_hex(t->password, strlen(t->password), stored);
	md5_hex_concat(stored, MD5_HEX_LEN, t->user, strlen(t->user), inner);
	md5_hex_concat(inner, MD5_HEX_LEN, in, 4, answer);
	n = snprintf(out, sizeof(out), "%s%c%s", t->user, 0, answer);
	put_packet(fd, 'R', out, (size_t) n + 1);
	return get_packet(fd, &kind, in, sizeof(in), &len) == 0 && kind == 'r';
}

/* A proper login and node count: the server is still serving. */
static int
check_serving(const target *t)
{
	uint8_t		in[256];
	size_t		len;
	char		kind;
	int			fd = dial(t);
	int			ok;

	if (fd < 0)
		return 0;
	ok = login(fd, t);
	if (ok)
	{
		put_packet(fd, 'L', "", 0);
		ok = get_packet(fd, &kind, in, sizeof(in), &len) == 0 && kind == 'l' &&
			len > 16 && memcmp(in, "CommandComplete", 16) == 0;
		put_packet(fd, 'X', "", 0);
	}
	close(fd);
	return ok;
}

static void
random_bytes(uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t) rnd();
}

/* A payload that looks like a request field: numbers in and out of range, junk, maybe no NUL. */
static size_t
random_payload(uint8_t *buf, size_t size)
{
	static const char *const ids[] = {"0", "1", "2", "-1", "7", "128", "-5", "abc", "99999999999",
	"", "2147483648", "1 ", "0x10"};
	size_t		n;

	switch (below(4))
	{
		case 0:
			n = (size_t) snprintf((char *) buf, size, "%s", ids[below(13)]) + 1;
			return below(5) == 0 ? n - 1 : n;	/* sometimes without its NUL */
		case 1:
			n = below(64);
			random_bytes(buf, n);
			return n;
		case 2:
			buf[0] = (uint8_t) "cldfsinx"[below(8)];
			return 1 + below(2);
		default:
			n = below(size < 2000 ? size : 2000);
			memset(buf, 'A' + (int) below(26), n);
			return n;
	}
}

/* Never a request that stops pgpool or waits for sessions. */
static char
random_kind(void)
{
	static const char kinds[] = "LIHNPBWCDJOZARMXEiqz\x01\xff";
	char		k = kinds[below(sizeof(kinds) - 1)];

	return below(6) == 0 ? (char) rnd() : k;
}

static void
send_raw_case(int fd)
{
	uint8_t		buf[512];
	size_t		n = 1 + below(sizeof(buf) - 1);
	uint32_t	claim;

	random_bytes(buf, n);
	switch (below(3))
	{
		case 0:					/* pure noise */
			break;
		case 1:					/* a header claiming more than is sent: truncated */
			claim = htonl((uint32_t) (n + 4 + 1 + below(100)));
			buf[0] = (uint8_t) random_kind();
			memcpy(buf + 1, &claim, 4);
			n = n < 5 ? 5 : n;
			break;
		default:				/* impossible lengths */
		{
			const uint32_t lens[] = {0, 1, 3, 0x7fffffff, 0xfffffffc, 65536 + 5};

			claim = htonl(lens[below(6)]);
			buf[0] = (uint8_t) random_kind();
			memcpy(buf + 1, &claim, 4);
			n = n < 5 ? 5 : n;
		}
	}
	if (send(fd, buf, n, MSG_NOSIGNAL) < 0)
	{
		/* closed early: fine */
	}
}

static void
run_case(const target *t, uint64_t seed, long i)
{
	uint8_t		payload[4096];
	char		kind;
	int			fd;
	struct pollfd pfd;

	rng = (seed ^ ((uint64_t) i * 0x9E3779B97F4A7C15ULL)) | 1;
	for (int k = 0; k < 8; k++)
		rnd();
	fd = dial(t);
	if (fd < 0)
		return;
	if (below(2) == 0 && login(fd, t))
	{
		for (size_t k = 1 + below(3); k > 0; k--)
		{
			kind = random_kind();
			size_t		len;

			while (kind == 'T' || kind == 't' || kind == 'd' || kind == 'j')
				kind = random_kind();
			len = random_payload(payload, sizeof(payload));
			/* detach, promote and recovery act on the cluster: fuzz them on node 9, never configured */
			if ((kind == 'D' || kind == 'J' || kind == 'O') && len >= 2)
			{
				payload[0] = '9';
				payload[1] = below(2) ? '\0' : ' ';
			}
			put_packet(fd, kind, payload, len);
		}
	}
	else if (below(3) == 0)
		put_packet(fd, random_kind(), payload, random_payload(payload, sizeof(payload)));
	else
		send_raw_case(fd);
	pfd.fd = fd;
	pfd.events = POLLIN;
	poll(&pfd, 1, CASE_WAIT_MS);
	close(fd);
}

int
main(int argc, char **argv)
{
	target		t;
	uint64_t	seed;
	long		cases, check, done = 0;
	time_t		stop;

	if (argc != 9)
	{
		fprintf(stderr, "usage: pcpfuzz HOST PORT USER PASSWORD SEED CASES MAX_SECONDS CHECK\n");
		return 2;
	}
	t.host = argv[1];
	t.port = atoi(argv[2]);
	t.user = argv[3];
	t.password = argv[4];
	seed = strtoull(argv[5], NULL, 10);
	cases = atol(argv[6]);
	stop = time(NULL) + atol(argv[7]);
	check = atol(argv[8]) > 0 ? atol(argv[8]) : 100;
	if (!check_serving(&t))
	{
		fprintf(stderr, "pcpfuzz: the server does not answer before fuzzing\n");
		return 1;
	}
	for (long i = 0; i < cases && time(NULL) < stop; i++)
	{
		run_case(&t, seed, i);
		done++;
		if ((i + 1) % check == 0 && !check_serving(&t))
		{
			fprintf(stderr, "pcpfuzz: not served after case %ld (seed %llu)\n", i,
					(unsigned long long) seed);
			return 1;
		}
	}
	if (!check_serving(&t))
	{
		fprintf(stderr, "pcpfuzz: not served after the last case (seed %llu)\n",
				(unsigned long long) seed);
		return 1;
	}
	printf("pcpfuzz: %ld cases\n", done);
	return 0;
}
