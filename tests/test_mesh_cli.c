// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd's configuration path end to end, in process: the real commands
 * of libmesh.a run through libfrr's CLI and northbound, as vtysh would
 * drive them. Checks what an operator sees: accepted lines change the
 * instance and 'show running-config', refused lines say why and change
 * nothing.
 */
#include <zebra.h>

#include <CUnit/Basic.h>

#include "lib/command.h"
#include "lib/vty.h"

struct thread_master *master;
/* meshd's main() owns these; the BGP sockets (not opened here) use them. */
struct zebra_privs_t mesh_privs;

#include "tests/mesh_test_daemon.h"

static void test_show_unconfigured(void)
{
	expect_ok("show mesh json");
	CU_ASSERT_STRING_EQUAL(out, "{}\n");
	expect_ok("show mesh");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "not configured"));
}

static void test_configure(void)
{
	expect_ok("configure terminal");
	expect_ok("router mesh");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mesh);
	CU_ASSERT_EQUAL(vty->node, MESH_NODE);
	expect_ok("router-id 10.0.0.1");
	expect_ok("mesh-id 7");
	expect_ok("role controller");
	expect_ok("attribute-type 200");
	CU_ASSERT_EQUAL(mesh->router_id.s_addr, htonl(0x0a000001));
	CU_ASSERT_EQUAL(mesh->mesh_id, 7);
	CU_ASSERT_EQUAL(mesh->role, MESH_ROLE_CONTROLLER);
	CU_ASSERT_EQUAL(mesh->attr_type, 200);

	expect_ok("do show mesh json");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"routerId\":\"10.0.0.1\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"meshId\":7"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"role\":\"controller\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"attributeType\":200"));
}

static void test_refusals(void)
{
	expect_refused("router-id 0.0.0.0", "must be a unicast address");
	expect_refused("router-id 224.0.0.5", "must be a unicast address");
	expect_refused("attribute-type 30", "deprecated by RFC 8093");
	expect_refused("attribute-type 1", "0-41 and 128 are assigned");
	expect_refused("mesh-id 0", "mesh-id 0 is reserved");
	/* a line that does not parse is vtysh's to report */
	CU_ASSERT_EQUAL(cli("router-id banana"), CMD_ERR_NO_MATCH);
	CU_ASSERT_EQUAL(vty->node, MESH_NODE);

	/* nothing moved */
	CU_ASSERT_EQUAL(mesh->router_id.s_addr, htonl(0x0a000001));
	CU_ASSERT_EQUAL(mesh->mesh_id, 7);
	CU_ASSERT_EQUAL(mesh->attr_type, 200);
}

static void test_running_config(void)
{
	const char *block = "router mesh\n"
			    " router-id 10.0.0.1\n"
			    " mesh-id 7\n"
			    " role controller\n"
			    " attribute-type 200\n"
			    "exit\n";

	expect_ok("do show running-config");
	if (!strstr(out, block))
		fprintf(stderr, "\n  running-config:\n%s\n", out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, block));

	/* defaults are not written out */
	expect_ok("no role");
	expect_ok("no attribute-type");
	CU_ASSERT_EQUAL(mesh->role, MESH_ROLE_ENDPOINT);
	CU_ASSERT_EQUAL(mesh->attr_type, MESH_ATTR_TYPE_DEFAULT);
	expect_ok("do show running-config");
	CU_ASSERT_PTR_NULL(strstr(out, " role "));
	CU_ASSERT_PTR_NULL(strstr(out, " attribute-type "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, " mesh-id 7\n"));
}

static void test_debug(void)
{
	expect_ok("exit");
	CU_ASSERT_EQUAL(vty->node, CONFIG_NODE);
	expect_ok("debug mesh spf");
	expect_ok("do show running-config");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "debug mesh spf\n"));
	CU_ASSERT_PTR_NULL(strstr(out, "debug mesh bgp\n"));
	expect_ok("no debug mesh");
	expect_ok("do show running-config");
	CU_ASSERT_PTR_NULL(strstr(out, "debug mesh"));
}

static void test_delete(void)
{
	expect_ok("no router mesh");
	CU_ASSERT_PTR_NULL(mesh);
	expect_ok("do show running-config");
	CU_ASSERT_PTR_NULL(strstr(out, "router mesh"));
}

int main(void)
{
	CU_pSuite suite;

	mesh_test_daemon_init();

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("meshd configuration through the CLI", NULL, NULL);
	CU_add_test(suite, "show before router mesh", test_show_unconfigured);
	CU_add_test(suite, "configure router mesh", test_configure);
	CU_add_test(suite, "invalid lines are refused with a reason",
		    test_refusals);
	CU_add_test(suite, "running-config", test_running_config);
	CU_add_test(suite, "debug flags", test_debug);
	CU_add_test(suite, "no router mesh", test_delete);
	return mesh_test_run();
}
