/*
 * pg_enc: encrypts a database password with AES-256 for pool_passwd ("AES" + base64), printing
 * it or, with -m, storing it for a user. Options, messages and exit codes follow pgpool-II 4.3.5.
 */
#include <getopt.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/aes.h"
#include "auth/passwd.h"
#include "common/diag.h"
#include "common/util.h"
#include "pgng_config.h"
#include "tools/tool_common.h"

/* pgpool keeps at most this much of -K (a key file line is one byte shorter: AES_MAX_KEY_LEN) */
#define ENC_MAX_KEY_ARG 256

typedef struct enc_options
{
	const char *conf_file;
	const char *input_file;
	const char *key_file;
	const char *key;			/* -K */
	const char *user;
	bool		update;
	bool		prompt;
	bool		prompt_for_key;
} enc_options;

static void
usage(const char *prog, int exit_code)
{
	FILE	   *out = exit_code == EXIT_SUCCESS ? stdout : stderr;
	struct passwd *pw = getpwuid(getuid());

	fprintf(out, "pgpool-II version %s (pgpool-ng %s),\n", PGPOOL_COMPAT_VERSION, PACKAGE_VERSION);
	fprintf(out, "  password encryption utility for Pgpool\n\n");
	fprintf(out, "Usage:\n  %s [OPTIONS] <PASSWORD>\n", prog);
	fprintf(out, "  -k, --key-file=KEY_FILE\n"
			"                       Set the path to the encryption key file.\n"
			"                       Default: %s/%s\n"
			"                       Can be overridden by the %s environment variable.\n",
			pw ? pw->pw_dir : "USER-HOME-DIR", AES_KEY_FILE_NAME, AES_KEY_FILE_ENV);
	fprintf(out, "  -K, --enc-key=ENCRYPTION_KEY\n"
			"                       Encryption key to be used for encrypting database passwords.\n"
			"  -f, --config-file=CONFIG_FILE\n"
			"                       Specifies the pgpool.conf file.\n"
			"  -i, --input-file=INPUT-FILE\n"
			"                       Specify file containing username and password pairs.\n"
			"  -p, --prompt         Prompt for database password using standard input.\n"
			"  -P, --prompt-for-key Prompt for encryption key using standard input.\n"
			"  -m, --update-pass    Create encrypted password entry in the pool_passwd file.\n"
			"  -u, --username       The username for the pool_password entry.\n"
			"  -h, --help           Print this help.\n\n");
	exit(exit_code);
}

static char *
encrypt_or_die(const char *password, const char *key)
{
	char	   *b64;

	if (aes_encrypt_b64(password, strlen(password), key, &b64) != 0)
	{
		fprintf(stderr, "password encryption failed\n\n");
		exit(EXIT_FAILURE);
	}
	return b64;
}

static void
update_pool_passwd(const char *conf_file, const char *user, const char *password, const char *key)
{
	char	   *path = tool_pool_passwd_path(conf_file);
	char	   *who = user[0] ? xstrdup(user) : tool_current_user();
	char	   *b64;
	char	   *secret;
	char	   *error;

	if (path == NULL || who == NULL)
		exit(EXIT_FAILURE);
	b64 = encrypt_or_die(password, key);
	secret = xasprintf("AES%s", b64);
	if (passwd_update_file(path, who, secret, &error) != 0)
	{
		fprintf(stderr, "%s\n\n", error);
		exit(EXIT_FAILURE);
	}
	free(secret);
	free(b64);
	free(who);
	free(path);
}

static void
print_or_store(const enc_options *opt, const char *user, const char *password, const char *key)
{
	char	   *b64;

	if (opt->update)
	{
		update_pool_passwd(opt->conf_file, user, password, key);
		return;
	}
	b64 = encrypt_or_die(password, key);
	printf("\n%s\n", b64);
	printf("pool_passwd string: AES%s\n", b64);
	free(b64);
}

/* "user:password" lines; problems go to stderr and the line is skipped, as in pgpool. */
static void
process_input_file(const enc_options *opt, const char *key)
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
	{
		char	   *colon;

		line++;
		text[strcspn(text, "\n")] = '\0';
		if (text[0] == '\0')
			continue;
		colon = strchr(text, ':');
		if (colon == NULL || colon[1] == '\0')
			fprintf(stderr, "LINE#%02d: invalid username:password pair\n", line);
		else if ((*colon = '\0', strlen(text) > TOOL_MAX_INPUT))
			fprintf(stderr, "LINE#%02d: input exceeds maximum username length %d\n", line, TOOL_MAX_INPUT);
		else if (strlen(colon + 1) > TOOL_MAX_INPUT)
			fprintf(stderr, "LINE#%02d: input exceeds maximum password length %d\n", line, TOOL_MAX_INPUT);
		else
			print_or_store(opt, text, colon + 1, key);
	}
	free(text);
	fclose(fp);
}

/* The passphrase from -P, -K or the key file; exits with pgpool's message when there is none. */
static char *
obtain_key(const enc_options *opt)
{
	char		buf[AES_MAX_KEY_LEN + 1];
	char	   *path;
	char	   *key = NULL;
	diag_list	diags;

	if (opt->prompt_for_key)
	{
		if (tool_prompt("encryption key: ", buf, sizeof(buf)) != 0)
			exit(EXIT_FAILURE);
		if (buf[0] != '\0')
			key = xstrdup(buf);
	}
	else if (opt->key != NULL && opt->key[0] != '\0')
		key = xstrndup(opt->key, strnlen(opt->key, ENC_MAX_KEY_ARG));
	else
	{
		path = opt->key_file ? xstrdup(opt->key_file) : aes_key_file_default();
		printf("trying to read key from file %s\n", path ? path : "");
		diag_init(&diags);
		key = path ? aes_read_key_file(path, &diags) : NULL;
		for (int i = 0; i < diags.count; i++)
			fprintf(stderr, "WARNING: %s\n", diags.entries[i].message);
		diag_free(&diags);
		free(path);
	}
	if (key == NULL)
	{
		fprintf(stderr, "encryption key not provided\n");
		exit(EXIT_FAILURE);
	}
	return key;
}

static void
parse_options(int argc, char **argv, enc_options *opt)
{
	static const struct option long_options[] = {
		{"help", no_argument, NULL, 'h'},
		{"prompt", no_argument, NULL, 'p'},
		{"prompt-for-key", no_argument, NULL, 'P'},
		{"update-pass", no_argument, NULL, 'm'},
		{"username", required_argument, NULL, 'u'},
		{"enc-key", required_argument, NULL, 'K'},
		{"key-file", required_argument, NULL, 'k'},
		{"config-file", required_argument, NULL, 'f'},
		{"input-file", required_argument, NULL, 'i'},
		{NULL, 0, NULL, 0}
	};
	int			c;

	while ((c = getopt_long(argc, argv, "hPpmf:i:u:k:K:", long_options, NULL)) != -1)
	{
		switch (c)
		{
			case 'p':
				opt->prompt = true;
				break;
			case 'P':
				opt->prompt_for_key = true;
				break;
			case 'm':
				opt->update = true;
				break;
			case 'f':
				opt->conf_file = optarg;
				break;
			case 'i':
				opt->input_file = optarg;
				break;
			case 'k':
				opt->key_file = optarg;
				break;
			case 'K':
				opt->key = optarg;
				break;
			case 'u':
				if (strlen(optarg) > TOOL_MAX_INPUT + 1)
				{
					fprintf(stderr, "Error: input exceeds maximum username length!\n\n");
					exit(EXIT_FAILURE);
				}
				opt->user = optarg;
				break;
			default:
				usage(argv[0], EXIT_SUCCESS);	/* -h, and unknown options as in pgpool */
		}
	}
}

int
main(int argc, char **argv)
{
	enc_options opt = {TOOL_DEFAULT_CONFIG, NULL, NULL, NULL, "", false, false, false};
	char		password[TOOL_MAX_INPUT + 1] = "";
	char		user[TOOL_MAX_INPUT + 1];
	char	   *key;

	parse_options(argc, argv, &opt);
	/* a 129-byte -u is accepted and cut to 128, as pgpool's buffer does */
	str_copy(user, opt.user, sizeof(user));
	opt.user = user;
	if (opt.input_file == NULL && (opt.prompt || optind >= argc))
	{
		if (tool_prompt("db password: ", password, sizeof(password)) != 0)
			return EXIT_FAILURE;
	}
	else if (opt.input_file == NULL && strlen(argv[optind]) > TOOL_MAX_INPUT)
	{
		fprintf(stderr, "Error: Input exceeds maximum password length given:%zu max allowed:%d!\n\n",
				strlen(argv[optind]), TOOL_MAX_INPUT);
		usage(argv[0], EXIT_FAILURE);
	}
	else if (opt.input_file == NULL)
		str_copy(password, argv[optind], sizeof(password));
	key = obtain_key(&opt);
	if (opt.input_file != NULL)
		process_input_file(&opt, key);
	else
		print_or_store(&opt, opt.user, password, key);
	free(key);
	return EXIT_SUCCESS;
}
