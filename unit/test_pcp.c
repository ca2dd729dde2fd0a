/*
 * Unit tests for pcp/: the packet codec (bytes as pgpool-II 4.3 sends them, captured from Debian's
 * pgpool2), framed I/O over a socket pair, the md5 answer, .pcppass lookup and the tools' flags.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/md5.h"
#include "auth/pcp_users.h"
#include "net/sock.h"
#include "pcp/client.h"
#include "pcp/pcppass.h"
#include "pcp/tool.h"
#include "pcp/wd_info.h"
#include "pcp/wire.h"
#include "unit/runner.h"

static bool
buf_is(const pcp_buf *b, const void *bytes, size_t len)
{
	return b->len == len && memcmp(b->data, bytes, len) == 0;
}

static void
test_encode_strings(void)
{
	pcp_buf		b;
	const char *f[2] = {"CommandComplete", "3"};
	static const char want[] = "l\0\0\0\x16" "CommandComplete\0" "3";

	pcp_buf_init(&b);
	pcp_msg_strings(&b, 'l', f, 2);
	CU_ASSERT(buf_is(&b, want, sizeof(want)));
	pcp_buf_free(&b);
}

/* Two packets in one buffer; the second has a raw int32 (pool status' ArraySize). */
static void
test_encode_int32_and_concat(void)
{
	pcp_buf		b;
	static const char want[] = "X\0\0\0\x04" "b\0\0\0\x12" "ArraySize\0\0\0\0\x98";

	pcp_buf_init(&b);
	pcp_msg_begin(&b, 'X');
	pcp_msg_end(&b);
	pcp_msg_begin(&b, 'b');
	pcp_msg_add_str(&b, "ArraySize");
	pcp_msg_add_int32(&b, 152);
	pcp_msg_end(&b);
	CU_ASSERT(buf_is(&b, want, sizeof(want) - 1));
	pcp_buf_reset(&b);
	CU_ASSERT_EQUAL(b.len, 0);
	pcp_buf_free(&b);
}

/* What pgpool-II sent for pcp_node_info -n 7, byte for byte. */
static void
test_error_packet(void)
{
	static const char pgpool[] = "SERROR\0CXX000\0Minforming node info failed\0"
		"Dinvalid node ID : 7\0Fpcp_worker.c\0L843\0";
	pcp_notice	n;
	pcp_buf		b;

	CU_ASSERT_EQUAL(pcp_notice_parse(pgpool, sizeof(pgpool), &n), 0);
	CU_ASSERT_STRING_EQUAL(n.severity, "ERROR");
	CU_ASSERT_STRING_EQUAL(n.message, "informing node info failed");
	CU_ASSERT_STRING_EQUAL(n.detail, "invalid node ID : 7");
	pcp_buf_init(&b);
	pcp_msg_error(&b, 'E', "FATAL", "authentication failed for user \"x\"", NULL);
	CU_ASSERT_EQUAL(b.data[0], 'E');
	CU_ASSERT_EQUAL(pcp_notice_parse(b.data + 5, b.len - 5, &n), 0);
	CU_ASSERT_STRING_EQUAL(n.severity, "FATAL");
	CU_ASSERT_STRING_EQUAL(n.detail, "");
	/* without the final NUL, or a field cut short: malformed */
	CU_ASSERT_EQUAL(pcp_notice_parse(pgpool, sizeof(pgpool) - 1, &n), -1);
	CU_ASSERT_EQUAL(pcp_notice_parse("Mabc", 4, &n), -1);
	pcp_buf_free(&b);
}

static void
test_header(void)
{
	char		kind;
	size_t		len;
	const uint8_t ok[] = {'I', 0, 0, 0, 6};
	const uint8_t empty[] = {'L', 0, 0, 0, 4};
	const uint8_t short_len[] = {'L', 0, 0, 0, 3};
	const uint8_t huge[] = {'L', 0x7f, 0xff, 0xff, 0xff};
	const uint8_t negative[] = {'L', 0xff, 0xff, 0xff, 0xfc};

	CU_ASSERT_EQUAL(pcp_header_parse(ok, PCP_MAX_PAYLOAD, &kind, &len), PCP_HDR_OK);
	CU_ASSERT_EQUAL(kind, 'I');
	CU_ASSERT_EQUAL(len, 2);
	CU_ASSERT_EQUAL(pcp_header_parse(empty, PCP_MAX_PAYLOAD, &kind, &len), PCP_HDR_OK);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_EQUAL(pcp_header_parse(short_len, PCP_MAX_PAYLOAD, &kind, &len), PCP_HDR_BAD_LENGTH);
	CU_ASSERT_EQUAL(pcp_header_parse(huge, PCP_MAX_PAYLOAD, &kind, &len), PCP_HDR_BAD_LENGTH);
	CU_ASSERT_EQUAL(pcp_header_parse(negative, PCP_MAX_PAYLOAD, &kind, &len), PCP_HDR_BAD_LENGTH);
	CU_ASSERT_EQUAL(pcp_header_parse(ok, 1, &kind, &len), PCP_HDR_BAD_LENGTH);
}

/* The promote payload pgpool's client sends: "7 ", NUL, then the option byte. */
static void
test_reader(void)
{
	static const char promote[] = {'7', ' ', '\0', 's'};
	static const char raw[] = {0, 0, 1, 2};
	pcp_reader	r;
	int32_t		v;

	pcp_reader_init(&r, promote, sizeof(promote));
	CU_ASSERT_STRING_EQUAL(pcp_read_str(&r), "7 ");
	CU_ASSERT_PTR_NULL(pcp_read_str(&r));	/* 's' has no NUL */
	CU_ASSERT_EQUAL(pcp_read_byte(&r), 's');
	CU_ASSERT(pcp_reader_at_end(&r));
	CU_ASSERT_EQUAL(pcp_read_byte(&r), -1);
	CU_ASSERT_PTR_NULL(pcp_read_str(&r));
	pcp_reader_init(&r, raw, sizeof(raw));
	CU_ASSERT_EQUAL(pcp_read_int32(&r, &v), 0);
	CU_ASSERT_EQUAL(v, 258);
	CU_ASSERT_EQUAL(pcp_read_int32(&r, &v), -1);
}

static void
test_io_roundtrip(void)
{
	int			sv[2];
	pcp_buf		b;
	pcp_packet	p;
	const char *f[2] = {"NodeInfo", "127.0.0.1"};

	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	pcp_buf_init(&b);
	pcp_msg_strings(&b, 'i', f, 2);
	pcp_msg_begin(&b, 'X');
	pcp_msg_end(&b);
	CU_ASSERT_EQUAL(pcp_buf_send_with_deadline(sv[0], &b, net_deadline_after(1000)), PCP_IO_OK);
	CU_ASSERT_EQUAL(pcp_packet_recv_with_deadline(sv[1], PCP_MAX_PAYLOAD, net_deadline_after(1000), &p), PCP_IO_OK);
	CU_ASSERT_EQUAL(p.kind, 'i');
	CU_ASSERT_EQUAL(p.len, strlen("NodeInfo") + strlen("127.0.0.1") + 2);
	CU_ASSERT_EQUAL(memcmp(p.payload, "NodeInfo\0" "127.0.0.1", p.len), 0);
	pcp_packet_free(&p);
	CU_ASSERT_EQUAL(pcp_packet_recv_with_deadline(sv[1], PCP_MAX_PAYLOAD, net_deadline_after(1000), &p), PCP_IO_OK);
	CU_ASSERT_EQUAL(p.kind, 'X');
	CU_ASSERT_EQUAL(p.len, 0);
	pcp_packet_free(&p);
	/* nothing more: the deadline ends the wait */
	CU_ASSERT_EQUAL(pcp_packet_recv_with_deadline(sv[1], PCP_MAX_PAYLOAD, net_deadline_after(50), &p), PCP_IO_TIMEOUT);
	pcp_buf_free(&b);
	close(sv[0]);
	close(sv[1]);
}

/* A packet cut in its header or its payload, a bad length, and a clean close. */
static void
test_io_failures(void)
{
	const struct
	{
		const char *bytes;
		size_t		len;
		pcp_io_status want;
	}			cases[] = {
		{"", 0, PCP_IO_EOF},
		{"I\0\0", 3, PCP_IO_TRUNCATED},
		{"I\0\0\0\x08" "12", 7, PCP_IO_TRUNCATED},
		{"I\0\0\0\x02", 5, PCP_IO_BAD_LENGTH},
		{"I\x01\0\0\0", 5, PCP_IO_BAD_LENGTH},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		int			sv[2];
		pcp_packet	p;

		CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
		CU_ASSERT_EQUAL(write(sv[0], cases[i].bytes, cases[i].len), (ssize_t) cases[i].len);
		close(sv[0]);
		CU_ASSERT_EQUAL(pcp_packet_recv_with_deadline(sv[1], PCP_MAX_PAYLOAD, net_deadline_after(1000), &p), cases[i].want);
		CU_ASSERT_PTR_NULL(p.payload);
		close(sv[1]);
	}
}

/* Debian's pcp_node_count (user pcpadmin, password "secret") answered salt 1d 1e b0 79 so. */
static void
test_auth_answer(void)
{
	const unsigned char salt[4] = {0x1d, 0x1e, 0xb0, 0x79};
	char		answer[MD5_HEX_LEN + 1], expected[MD5_HEX_LEN + 1], stored[MD5_HEX_LEN + 1];

	pcp_client_auth_answer("secret", "pcpadmin", salt, answer);
	CU_ASSERT_STRING_EQUAL(answer, "7aa197fcedfe3da056aededf52a11f3c");
	md5_hex("secret", 6, stored);
	pcp_users_expected_answer(stored, "pcpadmin", salt, expected);
	CU_ASSERT_STRING_EQUAL(answer, expected);
	pcp_client_auth_answer("Secret", "pcpadmin", salt, answer);
	CU_ASSERT_STRING_NOT_EQUAL(answer, expected);
}

static void
test_pcppass_text(void)
{
	const char *text =
		"# comment:*:*:nope\n"
		"\n"
		"db1:9898:alice:first\n"
		"db1:9898:alice:second\n"
		"*:9999:*:any-user\n"
		"db\\:2:9898:bob:pa\\:ss\\\\word\r\n"
		"localhost:9898:carol:sock\n"
		"short:9898:dave\n";
	char		pw[64];

	CU_ASSERT(pcppass_lookup_text(text, "db1", "9898", "alice", pw, sizeof(pw)));
	CU_ASSERT_STRING_EQUAL(pw, "first");	/* the first match wins */
	CU_ASSERT(pcppass_lookup_text(text, "elsewhere", "9999", "zed", pw, sizeof(pw)));
	CU_ASSERT_STRING_EQUAL(pw, "any-user");
	CU_ASSERT(pcppass_lookup_text(text, "db:2", "9898", "bob", pw, sizeof(pw)));
	CU_ASSERT_STRING_EQUAL(pw, "pa:ss\\word");
	CU_ASSERT(pcppass_lookup_text(text, NULL, "9898", "carol", pw, sizeof(pw)));
	CU_ASSERT_STRING_EQUAL(pw, "sock");
	CU_ASSERT_FALSE(pcppass_lookup_text(text, "db1", "9898", "mallory", pw, sizeof(pw)));
	CU_ASSERT_FALSE(pcppass_lookup_text(text, "db1", "9897", "alice", pw, sizeof(pw)));
	CU_ASSERT_FALSE(pcppass_lookup_text(text, "short", "9898", "dave", pw, sizeof(pw)));
	CU_ASSERT_FALSE(pcppass_lookup_text(text, "#", "*", "*", pw, sizeof(pw)));
	/* a password longer than the buffer is cut, not overrun */
	CU_ASSERT(pcppass_lookup_text("h:1:u:0123456789", "h", "1", "u", pw, 5));
	CU_ASSERT_STRING_EQUAL(pw, "0123");
}

/* $PCPPASSFILE is read; a file others can read is ignored, as libpq ignores such a .pgpass. */
static void
test_pcppass_file(void)
{
	char	   *path = unit_write_temp_file("127.0.0.1:9898:pcpadmin:secret\n");
	char		pw[64] = "";

	CU_ASSERT_FATAL(path != NULL);
	setenv("PCPPASSFILE", path, 1);
	chmod(path, 0600);
	CU_ASSERT(pcppass_lookup("127.0.0.1", "9898", "pcpadmin", pw, sizeof(pw)));
	CU_ASSERT_STRING_EQUAL(pw, "secret");
	chmod(path, 0644);
	CU_ASSERT_FALSE(pcppass_lookup("127.0.0.1", "9898", "pcpadmin", pw, sizeof(pw)));
	setenv("PCPPASSFILE", "/nonexistent/pcppass", 1);
	CU_ASSERT_FALSE(pcppass_lookup("127.0.0.1", "9898", "pcpadmin", pw, sizeof(pw)));
	unsetenv("PCPPASSFILE");
	unlink(path);
	free(path);
}

static int
parse(const pcp_tool *t, pcp_tool_args *a, int argc, const char **argv)
{
	return pcp_tool_parse(t, argc, (char **) argv, a);
}

/* pgpool's quirks: "-n abc" is node 0; an out-of-range id exits 0; a missing one exits 1. */
static void
test_tool_flags(void)
{
	static const pcp_tool info = {"pcp_node_info", "x", TOOL_OPT_NODE | TOOL_OPT_ALL};
	static const pcp_tool hc = {"pcp_health_check_stats", "x", TOOL_OPT_NODE | TOOL_OPT_NODE_REQUIRED};
	static const pcp_tool stop = {"pcp_stop_pgpool", "x", TOOL_OPT_SCOPE | TOOL_OPT_MODE};
	static const pcp_tool promote = {"pcp_promote_node", "x",
	TOOL_OPT_NODE | TOOL_OPT_NODE_REQUIRED | TOOL_OPT_GRACEFUL | TOOL_OPT_SWITCHOVER};
	const char *a1[] = {"pcp_node_info", "-h", "127.0.0.1", "-p", "27998", "-U", "pcpadmin", "-w", "-n", "abc"};
	const char *a2[] = {"pcp_node_info", "-n", "200"};
	const char *a3[] = {"pcp_health_check_stats", "-w"};
	const char *a4[] = {"pcp_stop_pgpool", "-m", "fast", "-s", "cluster"};
	const char *a5[] = {"pcp_stop_pgpool", "-m", "bogus"};
	const char *a6[] = {"pcp_promote_node", "-s", "-g", "3"};
	const char *a7[] = {"pcp_node_info", "-Z"};
	pcp_tool_args a;

	CU_ASSERT_EQUAL(parse(&info, &a, 10, a1), -1);
	CU_ASSERT_EQUAL(a.node, 0);
	CU_ASSERT_EQUAL(a.conn.port, 27998);
	CU_ASSERT_STRING_EQUAL(a.conn.host, "127.0.0.1");
	CU_ASSERT_STRING_EQUAL(a.conn.user, "pcpadmin");
	CU_ASSERT_EQUAL(a.password_mode, TOOL_PASSWORD_NEVER_ASK);
	/* out of range: an error and exit 1 (pgpool-II exits 0) */
	CU_ASSERT_EQUAL(parse(&info, &a, 3, a2), 1);
	CU_ASSERT_EQUAL(parse(&hc, &a, 2, a3), 1);
	CU_ASSERT_EQUAL(parse(&stop, &a, 5, a4), -1);
	CU_ASSERT_EQUAL(a.mode, 'f');
	CU_ASSERT(a.cluster_scope);
	CU_ASSERT_EQUAL(parse(&stop, &a, 3, a5), 1);
	CU_ASSERT_EQUAL(parse(&promote, &a, 4, a6), -1);
	CU_ASSERT(a.switchover);
	CU_ASSERT(a.graceful);
	CU_ASSERT_EQUAL(a.node, 3);
	CU_ASSERT_EQUAL(parse(&info, &a, 2, a7), 1);
}


/* What Debian's pgpool2 4.3.5 sent (watchdog on, one peer down) and what its pcp_watchdog_info printed. */
static const char wd_doc[] =
	"{\"RemoteNodeCount\":1,\"MemberRemoteNodeCount\":1,\"NodesRequireForQuorum\":2,"
	"\"QuorumStatus\":-1,\"AliveNodeCount\":0,\"Escalated\":0,\"LeaderNodeName\":\"127.0.0.1:28999 Linux vm\","
	"\"LeaderHostName\":\"127.0.0.1\",\"NodeCount\":2,\"WatchdogNodes\": [{\"ID\":0,\"State\":4,"
	"\"Membership\":0,\"MembershipString\":\"MEMBER\",\"NodeName\":\"127.0.0.1:28999 Linux vm\","
	"\"HostName\":\"127.0.0.1\",\"StateName\":\"LEADER\",\"DelegateIP\":\"Not_Set\",\"WdPort\":28900,"
	"\"PgpoolPort\":28999,\"Priority\":1},{\"ID\":1,\"State\":0,\"Membership\":0,"
	"\"MembershipString\":\"MEMBER\",\"NodeName\":\"Not_Set\",\"HostName\":\"127.0.0.1\","
	"\"StateName\":\"DEAD\",\"DelegateIP\":\"Not_Set\",\"WdPort\":28902,\"PgpoolPort\":28903,"
	"\"Priority\":0}]}";

static char *
wd_print(const char *doc, bool verbose, int *rc)
{
	char	   *text = NULL;
	size_t		len = 0;
	FILE	   *f = open_memstream(&text, &len);

	*rc = pcp_wd_info_print(f, doc, verbose);
	fclose(f);
	return text;
}

static void
test_watchdog_info(void)
{
	int			rc;
	char	   *terse = wd_print(wd_doc, false, &rc);
	char	   *verbose;

	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(terse, "2 2 NO 127.0.0.1:28999 Linux vm 127.0.0.1\n\n"
						   "127.0.0.1:28999 Linux vm 127.0.0.1 28999 28900 4 LEADER 0 MEMBER\n"
						   "Not_Set 127.0.0.1 28903 28902 0 DEAD 0 MEMBER\n");
	verbose = wd_print(wd_doc, true, &rc);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(verbose, "Watchdog Cluster Information \nTotal Nodes              : 2\n"
								  "Remote Nodes             : 1\nMember Remote Nodes      : 1\n"
								  "Alive Remote Nodes       : 0\nNodes required for quorum: 2\n"
								  "Quorum state             : QUORUM ABSENT\n"
								  "Local node escalation    : NO\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(verbose, "\n\nNode Name         : Not_Set\nHost Name         : 127.0.0.1\n"
								  "Delegate IP       : Not_Set\nPgpool port       : 28903\n"
								  "Watchdog port     : 28902\nNode priority     : 0\nStatus            : 0\n"
								  "Status Name       : DEAD\nMembership Status : MEMBER\n\n"));
	free(terse);
	free(verbose);
	/* cut short or not JSON: refused, never read past the end */
	free(wd_print("{\"RemoteNodeCount\":1,\"WatchdogNodes\": [{\"ID\":0", false, &rc));
	CU_ASSERT_EQUAL(rc, -1);
	free(wd_print("not json", false, &rc));
	CU_ASSERT_EQUAL(rc, -1);
	free(wd_print("", true, &rc));
	CU_ASSERT_EQUAL(rc, -1);
}

static CU_TestInfo pcp_tests[] = {
	{"encode: strings with their NULs, big-endian length", test_encode_strings},
	{"encode: raw int32, packets back to back", test_encode_int32_and_concat},
	{"error packets: pgpool's bytes parse, ours round-trip, malformed refused", test_error_packet},
	{"header: lengths under 4 or over the maximum refused", test_header},
	{"reader: strings, bytes, int32, running off the end", test_reader},
	{"framed I/O: round trip and deadline", test_io_roundtrip},
	{"framed I/O: truncated, bad length, closed", test_io_failures},
	{"md5 salt answer matches pgpool's client and pcp.conf check", test_auth_answer},
	{".pcppass: wildcards, escapes, comments, first match", test_pcppass_text},
	{".pcppass: PCPPASSFILE and permissions", test_pcppass_file},
	{"tools: pgpool's flags and exit codes", test_tool_flags},
	{"watchdog info: pgpool-II's JSON printed as its tool does", test_watchdog_info},
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{"pcp", NULL, NULL, NULL, NULL, pcp_tests},
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return unit_run("test_pcp", suites);
}
