/*
 * Unit tests for child/node_loss.c: which down node ends a session, and which idle connections it
 * closes and goes on without.
 */
#include <string.h>

#include "child/node_loss.h"
#include "unit/runner.h"

#define BIT(n) (1u << (n))

/* A balanced session: logged in on the primary 0, reads on standby 1, connected to 0, 1 and 2. */
static node_loss_view
balanced(void)
{
	node_loss_view v;

	memset(&v, 0, sizeof(v));
	v.connected = BIT(0) | BIT(1) | BIT(2);
	v.current = 0;
	v.main_node = 0;
	v.lb_node = 1;
	return v;
}

static void
test_nothing_down(void)
{
	node_loss_view v = balanced();
	uint32_t	drop = 123;

	CU_ASSERT_EQUAL(node_loss_decide(&v, &drop), -1);
	CU_ASSERT_EQUAL(drop, 0);
}

static void
test_other_standby_dropped(void)
{
	node_loss_view v = balanced();
	uint32_t	drop;

	v.down = BIT(2);
	CU_ASSERT_EQUAL(node_loss_decide(&v, &drop), -1);
	CU_ASSERT_EQUAL(drop, BIT(2));
	CU_ASSERT_EQUAL(node_loss_use_of(&v, 2), NODE_LOSS_UNUSED);
}

static void
test_lb_node_ends(void)
{
	node_loss_view v = balanced();
	uint32_t	drop;

	v.down = BIT(1);
	CU_ASSERT_EQUAL(node_loss_decide(&v, &drop), 1);
	CU_ASSERT_EQUAL(node_loss_use_of(&v, 1), NODE_LOSS_LB_NODE);
	/* waiting on it for an answer */
	v.current = 1;
	CU_ASSERT_EQUAL(node_loss_decide(&v, &drop), 1);
	CU_ASSERT_EQUAL(node_loss_use_of(&v, 1), NODE_LOSS_CURRENT);
}

static void
test_transaction_ends(void)
{
	node_loss_view v = balanced();
	uint32_t	drop;

	v.lb_node = -1;				/* statement-level balancing */
	v.down = BIT(2);
	CU_ASSERT_EQUAL(node_loss_decide(&v, &drop), -1);
	v.in_transaction = BIT(2);
	CU_ASSERT_EQUAL(node_loss_decide(&v, &drop), 2);
	CU_ASSERT_EQUAL(drop, 0);
	CU_ASSERT_EQUAL(node_loss_use_of(&v, 2), NODE_LOSS_TRANSACTION);
}

static void
test_main_node_ends(void)
{
	node_loss_view v = balanced();
	uint32_t	drop;

	v.down = BIT(0) | BIT(2);
	CU_ASSERT_EQUAL(node_loss_decide(&v, &drop), 0);
	CU_ASSERT_EQUAL(node_loss_use_of(&v, 0), NODE_LOSS_CURRENT);
	v.current = 1;
	CU_ASSERT_EQUAL(node_loss_decide(&v, &drop), 0);
	CU_ASSERT_EQUAL(node_loss_use_of(&v, 0), NODE_LOSS_MAIN);
}

/* The most pressing use is named: a statement waiting on a node before a node it was bound to. */
static void
test_most_pressing_named(void)
{
	node_loss_view v = balanced();
	uint32_t	drop;

	v.down = BIT(0) | BIT(1);
	v.current = 1;
	CU_ASSERT_EQUAL(node_loss_decide(&v, &drop), 1);
	v.current = 0;
	v.in_transaction = BIT(1);
	CU_ASSERT_EQUAL(node_loss_decide(&v, &drop), 0);
}

static void
test_not_connected_ignored(void)
{
	node_loss_view v = balanced();
	uint32_t	drop;

	v.connected = BIT(0);		/* its standby closed earlier; the session went on on the primary */
	v.down = BIT(1) | BIT(2);
	CU_ASSERT_EQUAL(node_loss_decide(&v, &drop), -1);
	CU_ASSERT_EQUAL(drop, 0);
	CU_ASSERT_EQUAL(node_loss_use_of(&v, 1), NODE_LOSS_UNUSED);
	CU_ASSERT_EQUAL(node_loss_use_of(&v, 40), NODE_LOSS_UNUSED);
	CU_ASSERT_EQUAL(node_loss_use_of(&v, -1), NODE_LOSS_UNUSED);
}

static void
test_use_text(void)
{
	CU_ASSERT_STRING_EQUAL(node_loss_use_text(NODE_LOSS_LB_NODE), "the session's reads were balanced there");
	CU_ASSERT_STRING_EQUAL(node_loss_use_text(NODE_LOSS_CURRENT), "the session's statements ran there");
}

static CU_TestInfo loss_tests[] = {
	{"nothing down, nothing done", test_nothing_down},
	{"an idle connection to another standby is dropped", test_other_standby_dropped},
	{"the load-balance node ends the session", test_lb_node_ends},
	{"a transaction open on the node ends it", test_transaction_ends},
	{"the main node ends it", test_main_node_ends},
	{"the most pressing use is named", test_most_pressing_named},
	{"nodes not connected are ignored", test_not_connected_ignored},
	{"use texts", test_use_text},
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{"node loss", NULL, NULL, NULL, NULL, loss_tests},
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return unit_run("test_node_loss", suites);
}
