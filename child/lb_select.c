/*
 * Load-balance node choice (see lb_select.h). Preference lists have pgpool's syntax:
 * "regex:target[(probability)],..." where target is primary, standby or a node id and the regex
 * must match the whole name.
 */
#include "child/lb_select.h"

#include <regex.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static bool
is_primary(const shm_backend_table *t, int i)
{
	return t->primary_node_id == i;
}

/*
 * A standby lagging beyond delay_threshold (bytes) gets no reads, or, with delay_threshold_by_time,
 * beyond that many ms (the sr check then publishes replication_delay in ms).
 */
static bool
too_far_behind(const pool_config *cfg, const shm_backend_table *t, int i)
{
	int64_t		limit = cfg->delay_threshold_by_time > 0 ? cfg->delay_threshold_by_time : cfg->delay_threshold;

	return !is_primary(t, i) && limit > 0 && t->nodes[i].replication_delay > limit;
}

static double
fraction(uint32_t rnd)
{
	return (double) rnd / 4294967296.0;
}

/*
 * A standby the sr check saw in pg_stat_replication in another state than streaming (catching
 * up, starting) gets no reads: it may be arbitrarily far behind. (An empty state is what pgpool
 * shows both before the first check and for a standby absent from pg_stat_replication.)
 */
static bool
not_streaming(const pool_config *cfg, const shm_backend_table *t, int i)
{
	return !is_primary(t, i) && cfg->sr_check_period > 0 && !shm_backend_streaming(t, i);
}

bool
lb_node_may_read(const pool_config *cfg, const shm_backend_table *t, int i)
{
	return i >= 0 && i < t->num_backends && shm_backend_usable(&t->nodes[i]) &&
		!too_far_behind(cfg, t, i) && !not_streaming(cfg, t, i);
}

/*
 * Whether node i takes part in a draw: want 1 = primary only, 0 = standbys only, -1 = all. Delay
 * is looked at after the draw, as pgpool does (see lb_choose_node).
 */
static bool
eligible(const pool_config *cfg, const shm_backend_table *t, int i, int want)
{
	return shm_backend_usable(&t->nodes[i]) && !not_streaming(cfg, t, i) &&
		(want < 0 || (want == 1) == is_primary(t, i));
}

/* prefer_lower_delay_standby: the standby with the least delay within delay_threshold, or -1. */
static int
least_delayed_standby(const pool_config *cfg, const shm_backend_table *t)
{
	int			best = -1;

	for (int i = 0; i < t->num_backends; i++)
		if (!is_primary(t, i) && lb_node_may_read(cfg, t, i) &&
			(best < 0 || t->nodes[i].replication_delay < t->nodes[best].replication_delay))
			best = i;
	return best;
}

/* Weighted draw over the eligible nodes, by backend_weightN. */
static int
weighted_draw(const pool_config *cfg, const shm_backend_table *t, int want, uint32_t rnd)
{
	double		total = 0;
	double		point;

	for (int i = 0; i < t->num_backends; i++)
		if (eligible(cfg, t, i, want))
			total += cfg->backends[i].weight;
	if (total <= 0)
		return -1;
	point = fraction(rnd) * total;
	for (int i = 0; i < t->num_backends; i++)
	{
		if (!eligible(cfg, t, i, want))
			continue;
		if (point < cfg->backends[i].weight)
			return i;
		point -= cfg->backends[i].weight;
	}
	return -1;
}

/* The node a preference target names, or -1 (then the normal draw decides). */
static int
target_node(const pool_config *cfg, const shm_backend_table *t, const char *target, uint32_t rnd)
{
	char	   *end;
	long		n;

	if (str_ieq(target, "primary"))
		return t->primary_node_id >= 0 && shm_backend_usable(&t->nodes[t->primary_node_id]) ? t->primary_node_id : -1;
	if (str_ieq(target, "standby"))
		return weighted_draw(cfg, t, 0, rnd);
	n = strtol(target, &end, 10);
	if (end == target || *end != '\0' || n < 0 || n >= t->num_backends || !shm_backend_usable(&t->nodes[n]))
		return -1;
	return (int) n;
}

static bool
name_matches(const char *pattern, const char *name)
{
	char	   *anchored = xasprintf("^(%s)$", pattern);
	regex_t		re;
	bool		match = false;

	if (regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB) == 0)
	{
		match = regexec(&re, name, 0, NULL, 0) == 0;
		regfree(&re);
	}
	free(anchored);
	return match;
}

/* Splits "target(0.3)" into target and probability (1 when absent). */
static double
split_probability(char *spec)
{
	char	   *open = strchr(spec, '(');
	double		p = 1.0;

	if (open != NULL)
	{
		*open = '\0';
		p = strtod(open + 1, NULL);
	}
	str_trim(spec);
	return p;
}

/* Applies the first rule of list whose regex matches name; -1 when none applies. */
static int
apply_preferences(const pool_config *cfg, const shm_backend_table *t, const char *list, const char *name,
				  uint32_t rnd1, uint32_t rnd2)
{
	char	   *copy;
	char	   *save = NULL;
	int			node = -1;

	if (list == NULL || list[0] == '\0' || name == NULL)
		return -1;
	copy = xstrdup(list);
	for (char *rule = strtok_r(copy, ",", &save); rule != NULL; rule = strtok_r(NULL, ",", &save))
	{
		char	   *colon = strrchr(rule, ':');
		double		p;

		if (colon == NULL)
			continue;
		*colon = '\0';
		str_trim(rule);
		if (!name_matches(rule, name))
			continue;
		p = split_probability(colon + 1);
		if (fraction(rnd1) < p)
			node = target_node(cfg, t, colon + 1, rnd2);
		break;
	}
	free(copy);
	return node;
}

int
lb_choose_node(const pool_config *cfg, const shm_backend_table *t, const char *database,
			   const char *application_name, uint32_t rnd1, uint32_t rnd2)
{
	int			node = apply_preferences(cfg, t, cfg->app_name_redirect_preference_list,
										 application_name, rnd1, rnd2);

	if (node < 0)
		node = apply_preferences(cfg, t, cfg->database_redirect_preference_list, database, rnd1, rnd2);
	if (node < 0)
		node = weighted_draw(cfg, t, -1, rnd2);
	/* a standby lagging beyond delay_threshold: the primary, or the least lagging standby */
	if (node >= 0 && too_far_behind(cfg, t, node))
		node = cfg->prefer_lower_delay_standby ? least_delayed_standby(cfg, t) : -1;
	if (node < 0 && t->primary_node_id >= 0 && shm_backend_usable(&t->nodes[t->primary_node_id]))
		node = t->primary_node_id;
	return node;
}
