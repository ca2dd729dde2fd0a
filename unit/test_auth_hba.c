/*
 * Unit tests for auth/hba*.c: pool_hba.conf parsing (good lines, each kind of bad line with its
 * line number, @file includes) and rule matching for local, IPv4 and IPv6 clients.
 */
#include <arpa/inet.h>
#include <libgen.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/hba.h"
#include "common/diag.h"
#include "common/util.h"
#include "unit/runner.h"

static const char good_text[] =
"# TYPE DATABASE USER ADDRESS METHOD\n"
"local   all         all                               trust\n"
"host    sales,\"all\" +staff,bob  192.168.1.0/24   md5\n"
"host    sameuser    all         10.0.0.0  255.0.0.0   scram-sha-256\n"
"hostssl all         all         ::1/128               cert\n"
"hostnossl all       all         2001:db8::/32         password\n"
"host    all         all         samenet               reject   # trailing comment\n"
"host    all         pammy       all                   pam pamservice=pgpool\n"
"host    all         lou         all                   ldap ldapserver=ldap.example ldapbasedn=\"dc=example, dc=net\"\n"
"host    all         all         db.example.com        trust\n"
"host    \"my db\"    all         0.0.0.0/0             md5\n";

static hba_file *
load_text(const char *text, diag_list *diags, int expect_rc)
{
	char	   *path = unit_write_temp_file(text);
	hba_file   *file;

	CU_ASSERT_EQUAL(hba_load(path, &file, diags), expect_rc);
	unlink(path);
	free(path);
	return file;
}

static void
test_parse_good(void)
{
	diag_list	diags;
	hba_file   *file;
	const hba_rule *r;

	diag_init(&diags);
	file = load_text(good_text, &diags, 0);
	CU_ASSERT_EQUAL_FATAL(file->count, 10);
	CU_ASSERT_EQUAL(diag_count(&diags, DIAG_ERROR), 0);
	CU_ASSERT_EQUAL(diag_count(&diags, DIAG_WARNING), 1);
	CU_ASSERT_EQUAL(diag_find(&diags, "+staff")->line, 3);
	r = &file->rules[1];
	CU_ASSERT_EQUAL(r->line, 3);
	CU_ASSERT_EQUAL(r->databases.count, 2);
	CU_ASSERT_TRUE(r->databases.items[1].quoted);
	CU_ASSERT_EQUAL(r->users.count, 2);
	CU_ASSERT_EQUAL(r->method, HBA_METHOD_MD5);
	CU_ASSERT_EQUAL(file->rules[2].addr_kind, HBA_ADDR_MASK);
	CU_ASSERT_EQUAL(file->rules[3].conn, HBA_CONN_HOSTSSL);
	CU_ASSERT_EQUAL(file->rules[5].addr_kind, HBA_ADDR_SAMENET);
	CU_ASSERT_EQUAL(file->rules[5].method, HBA_METHOD_REJECT);
	CU_ASSERT_STRING_EQUAL(hba_rule_option(&file->rules[6], "pamservice"), "pgpool");
	CU_ASSERT_STRING_EQUAL(hba_rule_option(&file->rules[7], "ldapbasedn"), "dc=example, dc=net");
	CU_ASSERT_EQUAL(file->rules[8].addr_kind, HBA_ADDR_HOSTNAME);
	CU_ASSERT_STRING_EQUAL(file->rules[8].hostname, "db.example.com");
	CU_ASSERT_STRING_EQUAL(file->rules[9].databases.items[0].text, "my db");
	CU_ASSERT_STRING_EQUAL(hba_method_name(file->rules[2].method), "scram-sha-256");
	CU_ASSERT_STRING_EQUAL(hba_conn_type_name(file->rules[4].conn), "hostnossl");
	hba_free(file);
	diag_free(&diags);
}

/* Each bad line alone after a good one: the message and the line number. */
static void
check_bad_line(const char *line, const char *message)
{
	char	   *text = xasprintf("local all all trust\n%s\n", line);
	diag_list	diags;
	hba_file   *file;
	const diag_entry *d;

	diag_init(&diags);
	file = load_text(text, &diags, -1);
	CU_ASSERT_EQUAL(file->count, 1);
	d = diag_find(&diags, message);
	CU_ASSERT_PTR_NOT_NULL(d);
	if (d != NULL)
	{
		CU_ASSERT_EQUAL(d->line, 2);
		CU_ASSERT_EQUAL(d->severity, DIAG_ERROR);
	}
	else
		fprintf(stderr, "\nno \"%s\" for line: %s\n", message, line);
	hba_free(file);
	diag_free(&diags);
	free(text);
}

static void
test_parse_bad_lines(void)
{
	check_bad_line("hostx all all all trust", "invalid connection type \"hostx\"");
	check_bad_line("local,host all all trust", "multiple values specified for connection type");
	check_bad_line("local", "end-of-line before database specification");
	check_bad_line("local all", "end-of-line before role specification");
	check_bad_line("host all all", "end-of-line before IP address specification");
	check_bad_line("local all all", "end-of-line before authentication method");
	check_bad_line("host all all 10.0.0.1", "end-of-line before netmask");
	check_bad_line("host all all 10.0.0.0/33 md5", "invalid CIDR mask in address \"10.0.0.0/33\"");
	check_bad_line("host all all 10.0.0.0/x md5", "invalid CIDR mask");
	check_bad_line("host all all db.example.com/24 md5", "both host name and CIDR mask");
	check_bad_line("host all all 10.0.0.0 ffff:: md5", "IP address and mask do not match");
	check_bad_line("host all all 10.0.0.0 nonsense md5", "invalid IP mask \"nonsense\"");
	check_bad_line("host all all 1.2.3.4,5.6.7.8 md5", "multiple values specified for host address");
	check_bad_line("local all all ident", "invalid authentication method \"ident\"");
	check_bad_line("local all all gss", "invalid authentication method \"gss\"");
	check_bad_line("local all all md5,trust", "multiple values specified for authentication type");
	check_bad_line("local all all md5 pamservice", "not in name=value format");
	check_bad_line("local all all md5 pamservice=x", "can only be used with method \"pam\"");
	check_bad_line("local all all pam foo=bar", "unrecognized authentication option name: \"foo\"");
	check_bad_line("local all all ldap ldapserver=x", "requires argument \"ldapbasedn\"");
	check_bad_line("local all all ldap ldapprefix=a ldapbasedn=b", "together with ldapprefix");
	check_bad_line("local \"all all trust", "unterminated quoted string");
	check_bad_line("local @/nonexistent/dbs all trust", "could not open secondary authentication file");
}

static void
test_parse_empty_and_missing(void)
{
	diag_list	diags;
	hba_file   *file;

	diag_init(&diags);
	file = load_text("# only comments\n\n", &diags, -1);
	CU_ASSERT_PTR_NOT_NULL(diag_find(&diags, "contains no entries"));
	hba_free(file);
	CU_ASSERT_EQUAL(hba_load("/nonexistent/pool_hba.conf", &file, &diags), -1);
	CU_ASSERT_PTR_NOT_NULL(diag_find(&diags, "could not open"));
	hba_free(file);
	diag_free(&diags);
}

static void
test_include_file(void)
{
	char	   *users = unit_write_temp_file("alice, bob\n# comment\ncarol\n");
	char	   *text = xasprintf("local all @%s md5\n", strrchr(users, '/') + 1);
	char	   *dir = path_dirname(users);
	char	   *path = xasprintf("%s/pgng-unit-hba.conf", dir);
	FILE	   *fp = fopen(path, "w");
	diag_list	diags;
	hba_file   *file;

	fputs(text, fp);
	fclose(fp);
	diag_init(&diags);
	CU_ASSERT_EQUAL(hba_load(path, &file, &diags), 0);
	CU_ASSERT_EQUAL_FATAL(file->count, 1);
	CU_ASSERT_EQUAL(file->rules[0].users.count, 3);
	CU_ASSERT_STRING_EQUAL(file->rules[0].users.items[2].text, "carol");
	hba_free(file);
	diag_free(&diags);
	unlink(path);
	unlink(users);
	free(path);
	free(dir);
	free(text);
	free(users);
}

static hba_client
tcp_client(const char *ip, const char *db, const char *user, bool ssl)
{
	hba_client	c;

	memset(&c, 0, sizeof(c));
	if (strchr(ip, ':'))
	{
		struct sockaddr_in6 *a = (struct sockaddr_in6 *) &c.addr;

		a->sin6_family = AF_INET6;
		inet_pton(AF_INET6, ip, &a->sin6_addr);
	}
	else
	{
		struct sockaddr_in *a = (struct sockaddr_in *) &c.addr;

		a->sin_family = AF_INET;
		inet_pton(AF_INET, ip, &a->sin_addr);
	}
	c.database = db;
	c.user = user;
	c.ssl = ssl;
	return c;
}

/* Line number of the rule chosen for the client, 0 for none. */
static int
matched_line(const hba_file *file, hba_client c)
{
	const hba_rule *r = hba_match(file, &c);
	int			line = r ? r->line : 0;

	hba_client_clear(&c);
	return line;
}

static void
test_match(void)
{
	const char *text =
		"local   all        all                     trust\n"					/* 1 */
		"host    sales      bob     192.168.1.0/24  md5\n"					/* 2 */
		"host    sameuser   all     10.0.0.0 255.0.0.0 scram-sha-256\n"		/* 3 */
		"hostssl all        all     ::1/128         cert\n"					/* 4 */
		"hostnossl all      all     2001:db8::/32   password\n"				/* 5 */
		"host    \"all\"    all     172.16.0.0/12   md5\n"					/* 6 */
		"host    all        +staff,eve 127.0.0.0/8  md5\n"					/* 7 */
		"host    all        all     127.0.0.1/32    reject\n"				/* 8 */
		"host    all        all     127.0.0.1/32    trust\n";				/* 9 */
	diag_list	diags;
	hba_file   *file;
	hba_client	local = {.local = true, .database = "db", .user = "u"};

	diag_init(&diags);
	file = load_text(text, &diags, 0);
	CU_ASSERT_EQUAL(matched_line(file, local), 1);
	CU_ASSERT_EQUAL(matched_line(file, tcp_client("192.168.1.77", "sales", "bob", false)), 2);
	CU_ASSERT_EQUAL(matched_line(file, tcp_client("192.168.2.77", "sales", "bob", false)), 0);
	CU_ASSERT_EQUAL(matched_line(file, tcp_client("192.168.1.77", "sales", "alice", false)), 0);
	CU_ASSERT_EQUAL(matched_line(file, tcp_client("10.9.8.7", "joe", "joe", false)), 3);
	CU_ASSERT_EQUAL(matched_line(file, tcp_client("10.9.8.7", "postgres", "joe", false)), 0);
	CU_ASSERT_EQUAL(matched_line(file, tcp_client("::1", "db", "u", true)), 4);
	CU_ASSERT_EQUAL(matched_line(file, tcp_client("::1", "db", "u", false)), 0);
	CU_ASSERT_EQUAL(matched_line(file, tcp_client("2001:db8:1::5", "db", "u", false)), 5);
	CU_ASSERT_EQUAL(matched_line(file, tcp_client("2001:db8:1::5", "db", "u", true)), 0);
	CU_ASSERT_EQUAL(matched_line(file, tcp_client("2001:db9::5", "db", "u", false)), 0);
	/* a quoted "all" names a database called all */
	CU_ASSERT_EQUAL(matched_line(file, tcp_client("172.20.0.1", "db", "u", false)), 0);
	CU_ASSERT_EQUAL(matched_line(file, tcp_client("172.20.0.1", "all", "u", false)), 6);
	/* +group ends the user list with no match, as in pgpool; the first match wins after */
	CU_ASSERT_EQUAL(matched_line(file, tcp_client("127.0.0.1", "db", "eve", false)), 8);
	CU_ASSERT_EQUAL(matched_line(file, tcp_client("127.0.0.2", "db", "eve", false)), 0);
	/* an IPv4 client never matches an IPv6 rule */
	CU_ASSERT_EQUAL(matched_line(file, tcp_client("0.0.0.1", "db", "u", true)), 0);
	hba_free(file);
	diag_free(&diags);
}

static void
test_match_samehost(void)
{
	diag_list	diags;
	hba_file   *file;

	diag_init(&diags);
	file = load_text("host all all samehost trust\n", &diags, 0);
	CU_ASSERT_EQUAL(matched_line(file, tcp_client("127.0.0.1", "db", "u", false)), 1);
	CU_ASSERT_EQUAL(matched_line(file, tcp_client("192.0.2.200", "db", "u", false)), 0);
	hba_free(file);
	diag_free(&diags);
}

CU_TestInfo hba_tests[] = {
	{"parse good lines", test_parse_good},
	{"parse bad lines", test_parse_bad_lines},
	{"empty and missing files", test_parse_empty_and_missing},
	{"@file include", test_include_file},
	{"match rules", test_match},
	{"match samehost", test_match_samehost},
	CU_TEST_INFO_NULL
};
