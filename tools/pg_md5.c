/*
 * pg_md5: prints md5hex(password) for pcp.conf, or with -m stores "md5" + md5hex(password +
 * user) for a user in pool_passwd. Options, messages and exit codes follow pgpool-II 4.3.5.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/md5.h"
#include "auth/passwd.h"
#include "common/util.h"
#include "tools/tool_common.h"

typedef struct md5_options
{
	const char *conf_file;
	const char *input_file;
	const char *user;			/* "" means the user running the tool */
	bool		md5auth;
	bool		prompt;
} md5_options;

static void
usage(const char *prog, int exit_code)
{
	fprintf(exit_code == EXIT_SUCCESS ? stdout : stderr,
			"Usage:\n"
			"\n"
			"  %s [OPTIONS]\n"
			"  %s <PASSWORD>\n"
			"\n"
			"  --prompt, -p         Prompt password using standard input.\n"
			"  --md5auth, -m        Produce md5 authentication password.\n"
			"  --username, -u USER  When producing a md5 authentication password,\n"
			"                       create the pool_passwd entry for USER.\n"
			"  --config-file, -f CONFIG-FILE  Specify pgpool.conf.\n"
			"  --input-file, -i INPUT-FILE  Specify file containing username and password pairs.\n"
			"  --help, -h           This help menu.\n"
			"\n"
			"Warning: At most %d characters are allowed for input.\n"
			"Warning: Plain password argument is deprecated for security concerns\n"
			"         and kept for compatibility. Please prefer using password\n"
			"         prompt or input file method.\n",
			prog, prog, TOOL_MAX_INPUT);
	exit(exit_code);
}

/* Writes user's md5 secret into the pool_passwd named by the configuration; exits on failure. */
static void
update_pool_passwd(const char *conf_file, const char *user, const char *password)
{
	char	   *path = tool_pool_passwd_path(conf_file);
	char	   *who = user[0] ? xstrdup(user) : tool_current_user();
	char		secret[MD5_PASSWD_LEN + 1];
	char	   *error;

	if (path == NULL || who == NULL)
		exit(EXIT_FAILURE);
	md5_password_secret(password, who, secret);
	if (passwd_update_file(path, who, secret, &error) != 0)
	{
		fprintf(stderr, "%s\n\n", error);
		exit(EXIT_FAILURE);
	}
	free(who);
	free(path);
}

static void
print_or_store(const md5_options *opt, const char *user, const char *password)
{
	char		hex[MD5_HEX_LEN + 1];

	if (opt->md5auth)
		update_pool_passwd(opt->conf_file, user, password);
	else
	{
		md5_hex(password, strlen(password), hex);
		printf("%s\n", hex);
	}
}

/* One "user:password" line of an input file, reported as pgpool does. */
static void
process_input_line(const md5_options *opt, char *text, int line)
{
	char	   *colon;

	printf("LINE#%02d: ", line);
	text[strcspn(text, "\n")] = '\0';
	if (text[0] == '\0')
	{
		printf("BLANK LINE\n");
		return;
	}
	colon = strchr(text, ':');
	if (colon == NULL || colon[1] == '\0')
	{
		printf("Invalid username:password pair\n");
		return;
	}
	*colon = '\0';
	if (strlen(text) > TOOL_MAX_INPUT)
		printf("input exceeds maximum username length %d\n\n", TOOL_MAX_INPUT);
	else if (strlen(colon + 1) > TOOL_MAX_INPUT)
		printf("input exceeds maximum password length %d\n", TOOL_MAX_INPUT);
	else
	{
		printf("USER: <%s>\n", text);
		print_or_store(opt, text, colon + 1);
	}
}

static void
process_input_file(const md5_options *opt)
{
	FILE	   *fp;
	char	   *text = NULL;
	size_t		cap = 0;
	int			line = 0;

	printf("trying to read username:password pairs from file %s\n", opt->input_file);
	if ((fp = fopen(opt->input_file, "r")) == NULL)
	{
		fprintf(stderr, "failed to open input_file \"%s\" (%m)\n\n", opt->input_file);
		exit(EXIT_FAILURE);
	}
	while (getline(&text, &cap, fp) != -1)
		process_input_line(opt, text, ++line);
	free(text);
	fclose(fp);
}

static void
parse_options(int argc, char **argv, md5_options *opt)
{
	static const struct option long_options[] = {
		{"help", no_argument, NULL, 'h'},
		{"prompt", no_argument, NULL, 'p'},
		{"md5auth", no_argument, NULL, 'm'},
		{"username", required_argument, NULL, 'u'},
		{"config-file", required_argument, NULL, 'f'},
		{"input-file", required_argument, NULL, 'i'},
		{NULL, 0, NULL, 0}
	};
	int			c;

	while ((c = getopt_long(argc, argv, "hpmf:i:u:", long_options, NULL)) != -1)
	{
		if (c == 'p')
			opt->prompt = true;
		else if (c == 'm')
			opt->md5auth = true;
		else if (c == 'f')
			opt->conf_file = optarg;
		else if (c == 'i')
			opt->input_file = optarg;
		else if (c == 'u' && strlen(optarg) > TOOL_MAX_INPUT)
		{
			fprintf(stderr, "Error: input exceeds maximum username length!\n\n");
			exit(EXIT_FAILURE);
		}
		else if (c == 'u')
			opt->user = optarg;
		else
			usage(argv[0], EXIT_SUCCESS);	/* -h, and unknown options as in pgpool */
	}
}

int
main(int argc, char **argv)
{
	md5_options opt = {TOOL_DEFAULT_CONFIG, NULL, "", false, false};
	char		buf[TOOL_MAX_INPUT + 1];

	parse_options(argc, argv, &opt);
	if (opt.input_file != NULL)
		process_input_file(&opt);
	else if (opt.prompt)
	{
		if (tool_prompt("password: ", buf, sizeof(buf)) != 0)
			return EXIT_FAILURE;
		print_or_store(&opt, opt.user, buf);
	}
	else if (optind >= argc)
		usage(argv[0], EXIT_FAILURE);
	else if (strlen(argv[optind]) > TOOL_MAX_INPUT)
	{
		fprintf(stderr, "Error: Input exceeds maximum password length!\n\n");
		usage(argv[0], EXIT_FAILURE);
	}
	else
		print_or_store(&opt, opt.user, argv[optind]);
	return EXIT_SUCCESS;
}
