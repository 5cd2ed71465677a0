// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The frr-meshd YANG model, checked with libyang alone: configurations an
 * operator may write are accepted, and each invalid one is refused with
 * the reason vtysh will show.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <libyang/libyang.h>

#ifndef MESHD_YANG_DIR
#error "MESHD_YANG_DIR must name the folder holding frr-meshd.yang"
#endif

static struct ly_ctx *ctx;

struct yang_case {
	const char *name;
	const char *json;   /* configuration as JSON */
	const char *errmsg; /* NULL: must be accepted; else part of error */
};

/* clang-format off */
static const struct yang_case yang_cases[] = {
	{"empty mesh container",
	 "{\"frr-meshd:mesh\":{}}", NULL},
	{"router mesh with identity",
	 "{\"frr-meshd:mesh\":{\"router\":{\"router-id\":\"10.0.0.1\",\"mesh-id\":7}}}", NULL},
	{"controller role and development type code",
	 "{\"frr-meshd:mesh\":{\"router\":{\"role\":\"controller\",\"attribute-type\":255}}}", NULL},
	{"unassigned type code 200",
	 "{\"frr-meshd:mesh\":{\"router\":{\"attribute-type\":200}}}", NULL},
	{"type code 30 (deprecated, RFC 8093)",
	 "{\"frr-meshd:mesh\":{\"router\":{\"attribute-type\":30}}}",
	 "deprecated by RFC 8093"},
	{"type code 129 (deprecated, RFC 8093)",
	 "{\"frr-meshd:mesh\":{\"router\":{\"attribute-type\":129}}}",
	 "deprecated by RFC 8093"},
	{"type code 242 (deprecated, RFC 8093)",
	 "{\"frr-meshd:mesh\":{\"router\":{\"attribute-type\":242}}}",
	 "deprecated by RFC 8093"},
	{"type code 2 (AS_PATH)",
	 "{\"frr-meshd:mesh\":{\"router\":{\"attribute-type\":2}}}",
	 "0-41 and 128 are assigned"},
	{"type code 256 out of uint8",
	 "{\"frr-meshd:mesh\":{\"router\":{\"attribute-type\":256}}}",
	 "256"},
	{"mesh-id 0",
	 "{\"frr-meshd:mesh\":{\"router\":{\"mesh-id\":0}}}",
	 "mesh-id 0 is reserved"},
	{"router-id not an address",
	 "{\"frr-meshd:mesh\":{\"router\":{\"router-id\":\"300.1.1.1\"}}}",
	 "300.1.1.1"},
	{"unknown role",
	 "{\"frr-meshd:mesh\":{\"router\":{\"role\":\"gateway\"}}}",
	 "gateway"},
	{"unknown leaf",
	 "{\"frr-meshd:mesh\":{\"router\":{\"hostname\":\"r1\"}}}",
	 "hostname"},
	{"state is not configuration",
	 "{\"frr-meshd:mesh\":{\"router\":{\"state\":{\"uptime\":\"5\"}}}}",
	 "state"},
};
/* clang-format on */

static void test_yang_cases(void)
{
	for (size_t i = 0; i < sizeof(yang_cases) / sizeof(yang_cases[0]);
	     i++) {
		const struct yang_case *c = &yang_cases[i];
		struct lyd_node *tree = NULL;
		LY_ERR err;

		err = lyd_parse_data_mem(ctx, c->json, LYD_JSON,
					 LYD_PARSE_STRICT | LYD_PARSE_NO_STATE,
					 LYD_VALIDATE_NO_STATE, &tree);
		if (!c->errmsg) {
			if (err != LY_SUCCESS)
				fprintf(stderr, "\n  %s: refused: %s\n",
					c->name, ly_errmsg(ctx));
			CU_ASSERT_EQUAL(err, LY_SUCCESS);
		} else {
			const char *msg = ly_errmsg(ctx);

			CU_ASSERT_NOT_EQUAL(err, LY_SUCCESS);
			if (err == LY_SUCCESS || !msg ||
			    !strstr(msg, c->errmsg)) {
				fprintf(stderr,
					"\n  %s: expected error with '%s', got "
					"'%s'\n",
					c->name, c->errmsg,
					err == LY_SUCCESS ? "(accepted)"
							  : (msg ? msg : ""));
				CU_FAIL("wrong error text");
			}
		}
		lyd_free_all(tree);
	}
}

/* Defaults the daemon relies on come from the model. */
static void test_yang_defaults(void)
{
	struct lyd_node *tree = NULL, *node = NULL;

	CU_ASSERT_EQUAL_FATAL(
		lyd_parse_data_mem(ctx, "{\"frr-meshd:mesh\":{\"router\":{}}}",
				   LYD_JSON, LYD_PARSE_STRICT,
				   LYD_VALIDATE_NO_STATE, &tree),
		LY_SUCCESS);
	CU_ASSERT_EQUAL(
		lyd_find_path(tree, "/frr-meshd:mesh/router/role", 0, &node),
		LY_SUCCESS);
	CU_ASSERT_STRING_EQUAL(lyd_get_value(node), "endpoint");
	CU_ASSERT_EQUAL(lyd_find_path(tree,
				      "/frr-meshd:mesh/router/attribute-type",
				      0, &node),
			LY_SUCCESS);
	CU_ASSERT_STRING_EQUAL(lyd_get_value(node), "255");
	lyd_free_all(tree);
}

int main(void)
{
	CU_pSuite suite;
	unsigned int failed;

	ly_log_options(LY_LOSTORE_LAST);
	if (ly_ctx_new(MESHD_YANG_DIR, 0, &ctx) != LY_SUCCESS ||
	    !ly_ctx_load_module(ctx, "frr-meshd", NULL, NULL)) {
		fprintf(stderr, "cannot load frr-meshd from %s\n",
			MESHD_YANG_DIR);
		return 1;
	}

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("frr-meshd YANG model", NULL, NULL);
	CU_add_test(suite, "valid and invalid configurations", test_yang_cases);
	CU_add_test(suite, "defaults", test_yang_defaults);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	ly_ctx_destroy(ctx);
	return failed ? 1 : 0;
}
