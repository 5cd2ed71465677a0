// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Running meshd's CLI in-process from a CUnit test: one vty whose output
 * lands in 'out', and assertions that a line is accepted, or refused with
 * a given reason and without leaving the node. Included by the CLI tests
 * only (static definitions).
 */
#ifndef MESH_TEST_VTY_H
#define MESH_TEST_VTY_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "lib/command.h"
#include "lib/vty.h"

static struct vty *vty;
static char *out;
static size_t outlen;

/* Run one command line in the test vty; its output lands in 'out'. */
static int cli(const char *line)
{
	FILE *of;
	int ret;

	free(out);
	out = NULL;
	of = open_memstream(&out, &outlen);
	vty->of = of;
	ret = cmd_execute(vty, line, NULL, 0);
	fclose(of);
	vty->of = NULL;
	return ret;
}

static void expect_ok(const char *line)
{
	int ret = cli(line);

	if (ret != CMD_SUCCESS)
		fprintf(stderr, "\n  '%s' failed (%d): %s\n", line, ret, out);
	CU_ASSERT_EQUAL(ret, CMD_SUCCESS);
}

static void expect_refused(const char *line, const char *reason)
{
	int node = vty->node;
	int ret = cli(line);

	CU_ASSERT_NOT_EQUAL(ret, CMD_SUCCESS);
	CU_ASSERT_EQUAL(vty->node, node);
	if (!out || !strstr(out, reason)) {
		fprintf(stderr, "\n  '%s' (%d): expected '%s' in: %s\n", line,
			ret, reason, out ? out : "(nothing)");
		CU_FAIL("refusal without the expected reason");
	}
}

/* Runs the registered suites verbosely and releases what the vty held;
 * main()'s exit status. */
static int mesh_test_run(void)
{
	unsigned int failed;

	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	free(out);
	return failed ? 1 : 0;
}

#endif /* MESH_TEST_VTY_H */
