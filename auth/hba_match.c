/*
 * Choosing the pool_hba.conf rule for a connection, in file order, as pgpool's check_hba does:
 * connection type and SSL state, client address, database, then user. No match means reject.
 */
#include "auth/hba.h"

#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"

static socklen_t
sockaddr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

/* The address bytes of an IPv4 or IPv6 sockaddr and their count, or NULL. */
static const unsigned char *
addr_bytes(const struct sockaddr *sa, int *len)
{
	if (sa->sa_family == AF_INET)
	{
		*len = 4;
		return (const unsigned char *) &((const struct sockaddr_in *) sa)->sin_addr;
	}
	if (sa->sa_family == AF_INET6)
	{
		*len = 16;
		return (const unsigned char *) &((const struct sockaddr_in6 *) sa)->sin6_addr;
	}
	return NULL;
}

/* Whether client lies in addr/mask; a NULL mask means all ones. */
static bool
in_network(const struct sockaddr_storage *client, const struct sockaddr *addr,
		   const struct sockaddr *mask)
{
	int			len;
	int			mask_len = 0;
	const unsigned char *c = addr_bytes((const struct sockaddr *) client, &len);
	const unsigned char *a = addr_bytes(addr, &len);
	const unsigned char *m = mask ? addr_bytes(mask, &mask_len) : NULL;

	if (c == NULL || a == NULL || client->ss_family != addr->sa_family ||
		(mask != NULL && mask->sa_family != addr->sa_family))
		return false;
	for (int i = 0; i < len; i++)
	{
		unsigned char bits = m ? m[i] : 0xff;

		if ((c[i] & bits) != (a[i] & bits))
			return false;
	}
	return true;
}

/* samehost: one of this machine's addresses; samenet: one of its networks. */
static bool
matches_local_interfaces(const struct sockaddr_storage *client, bool whole_net)
{
	struct ifaddrs *list;
	bool		found = false;

	if (getifaddrs(&list) != 0)
		return false;
	for (struct ifaddrs *ifa = list; ifa != NULL && !found; ifa = ifa->ifa_next)
	{
		if (ifa->ifa_addr == NULL || (whole_net && ifa->ifa_netmask == NULL))
			continue;
		found = in_network(client, ifa->ifa_addr, whole_net ? ifa->ifa_netmask : NULL);
	}
	freeifaddrs(list);
	return found;
}

/* Reverse-resolves the client once, and confirms the name resolves back to the address. */
static void
resolve_client(hba_client *client)
{
	char		name[NI_MAXHOST];
	struct addrinfo *res = NULL;

	client->hostname_state = -1;
	if (getnameinfo((const struct sockaddr *) &client->addr, sockaddr_len(&client->addr),
					name, sizeof(name), NULL, 0, NI_NAMEREQD) != 0)
		return;
	client->hostname = xstrdup(name);
	if (getaddrinfo(name, NULL, NULL, &res) != 0)
		return;
	for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next)
		if (in_network(&client->addr, ai->ai_addr, NULL))
			client->hostname_state = 1;
	freeaddrinfo(res);
}

static bool
hostname_matches(hba_client *client, const char *pattern)
{
	size_t		plen = strlen(pattern);
	size_t		hlen;

	if (client->hostname_state == 0)
		resolve_client(client);
	if (client->hostname_state < 0)
		return false;
	hlen = strlen(client->hostname);
	if (pattern[0] == '.')
		return hlen >= plen && strcasecmp(pattern, client->hostname + hlen - plen) == 0;
	return strcasecmp(pattern, client->hostname) == 0;
}

static bool
address_matches(const hba_rule *rule, hba_client *client)
{
	switch (rule->addr_kind)
	{
		case HBA_ADDR_ALL:
			return true;
		case HBA_ADDR_MASK:
			return in_network(&client->addr, (const struct sockaddr *) &rule->addr,
							  (const struct sockaddr *) &rule->mask);
		case HBA_ADDR_HOSTNAME:
			return hostname_matches(client, rule->hostname);
		case HBA_ADDR_SAMEHOST:
		case HBA_ADDR_SAMENET:
			return matches_local_interfaces(&client->addr, rule->addr_kind == HBA_ADDR_SAMENET);
		case HBA_ADDR_NONE:
			break;
	}
	return false;
}

static bool
connection_matches(const hba_rule *rule, hba_client *client)
{
	if (rule->conn == HBA_CONN_LOCAL)
		return client->local;
	if (client->local)
		return false;
	if ((rule->conn == HBA_CONN_HOSTSSL && !client->ssl) ||
		(rule->conn == HBA_CONN_HOSTNOSSL && client->ssl))
		return false;
	return address_matches(rule, client);
}

static bool
keyword(const hba_token *tok, const char *word)
{
	return !tok->quoted && strcmp(tok->text, word) == 0;
}

/* pgpool stops at samegroup/samerole and reports no match, rather than skipping the token. */
static bool
database_matches(const hba_token_list *dbs, const char *database, const char *user)
{
	for (int i = 0; i < dbs->count; i++)
	{
		const hba_token *tok = &dbs->items[i];

		if (keyword(tok, "all"))
			return true;
		if (keyword(tok, "sameuser"))
		{
			if (strcmp(database, user) == 0)
				return true;
		}
		else if (keyword(tok, "samegroup") || keyword(tok, "samerole"))
			return false;
		else if (strcmp(tok->text, database) == 0)
			return true;
	}
	return false;
}

/* Likewise a +group token ends the search with no match. */
static bool
user_matches(const hba_token_list *users, const char *user)
{
	for (int i = 0; i < users->count; i++)
	{
		const hba_token *tok = &users->items[i];

		if (!tok->quoted && tok->text[0] == '+')
			return false;
		if (keyword(tok, "all") || strcmp(tok->text, user) == 0)
			return true;
	}
	return false;
}

const hba_rule *
hba_match(const hba_file *file, hba_client *client)
{
	for (int i = 0; file != NULL && i < file->count; i++)
	{
		const hba_rule *rule = &file->rules[i];

		if (connection_matches(rule, client) &&
			database_matches(&rule->databases, client->database, client->user) &&
			user_matches(&rule->users, client->user))
			return rule;
	}
	return NULL;
}

void
hba_client_clear(hba_client *client)
{
	free(client->hostname);
	client->hostname = NULL;
	client->hostname_state = 0;
}
