// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The endpoint agent's configuration end to end, in process: 'tenant',
 * 'ivn' and 'tunnel ...' run through libfrr's CLI and northbound as
 * vtysh would drive them, against libmesh.a. Checks what an operator
 * sees: accepted lines reach the agent's configuration and 'show
 * running-config' (defaults left out), refused lines say why and change
 * nothing, and a saved configuration loads back to the same state.
 */
#include <zebra.h>

#include <CUnit/Basic.h>

#include "lib/command.h"
#include "lib/northbound_cli.h"
#include "lib/vty.h"

struct thread_master *master;
struct zebra_privs_t mesh_privs;

#include "meshd/mesh_tunnel.h"
#include "tests/mesh_test_daemon.h"

#define CA_PUB "mDMj2HVxmt8s8jtWcYnb3lw90sER1RvOyWMJ2K4RMc4="

static const struct mesh_tunnel_cfg *cfg = &mesh_tunnel_cfg;

static bool running_has(const char *line)
{
	expect_ok("do show running-config");
	return out && strstr(out, line);
}

static void test_defaults(void)
{
	expect_ok("configure terminal");
	expect_ok("router mesh");
	expect_ok("router-id 10.255.0.1");
	CU_ASSERT_EQUAL(cfg->endpoint.family, 0);
	CU_ASSERT_EQUAL(cfg->probe_interval_ms, MESH_PROBE_INTERVAL_DEFAULT);
	CU_ASSERT_EQUAL(cfg->probe_down_after, MESH_PROBE_DOWN_DEFAULT);
	CU_ASSERT_EQUAL(cfg->probe_up_after, MESH_PROBE_UP_DEFAULT);
	CU_ASSERT_EQUAL(cfg->bandwidth_mbps, MESH_TUNNEL_BW_DEFAULT);
	CU_ASSERT_EQUAL(cfg->peers, MESH_TUNNEL_PEERS_CONFIGURED);
	CU_ASSERT_FALSE(running_has("tunnel"));
}

static void test_settings(void)
{
	expect_ok("tenant 7");
	expect_ok("ivn 3");
	expect_ok("tunnel endpoint 192.0.2.1 port 40000");
	expect_ok("tunnel key-file /var/lib/frr/node1.key");
	expect_ok("tunnel ca public-key " CA_PUB);
	expect_ok("tunnel ca signing-key-file /var/lib/frr/ca.key");
	expect_ok("tunnel full-mesh");
	expect_ok("tunnel driver vxlan");
	expect_ok("tunnel max-tunnels 8");
	expect_ok("tunnel bandwidth 250");
	expect_ok("tunnel advertise-threshold 25");
	expect_ok("tunnel probe interval 20");
	expect_ok("tunnel probe down-after 4");
	expect_ok("tunnel probe up-after 2");
	expect_ok("tunnel probe clock-synchronized");
	expect_ok("tunnel neighbor 10.255.0.2");
	expect_ok(
		"tunnel neighbor 10.255.0.3 endpoint 198.51.100.7 port 41000");

	CU_ASSERT_EQUAL(cfg->tenant, 7);
	CU_ASSERT_EQUAL(cfg->ivn, 3);
	CU_ASSERT_EQUAL(cfg->endpoint.family, AF_INET);
	CU_ASSERT_EQUAL(cfg->endpoint.port, 40000);
	CU_ASSERT_EQUAL(memcmp(cfg->endpoint.addr, "\xc0\x00\x02\x01", 4), 0);
	CU_ASSERT_STRING_EQUAL(cfg->key_file, "/var/lib/frr/node1.key");
	CU_ASSERT_TRUE(cfg->have_ca_pub);
	CU_ASSERT_STRING_EQUAL(cfg->ca_sign_file, "/var/lib/frr/ca.key");
	CU_ASSERT_EQUAL(cfg->peers, MESH_TUNNEL_PEERS_FULL_MESH);
	CU_ASSERT_EQUAL(cfg->driver, MESH_TUNNEL_DRIVER_VXLAN);
	CU_ASSERT_EQUAL(cfg->max_tunnels, 8);
	CU_ASSERT_EQUAL(cfg->bandwidth_mbps, 250);
	CU_ASSERT_EQUAL(cfg->threshold_pct, 25);
	CU_ASSERT_EQUAL(cfg->probe_interval_ms, 20);
	CU_ASSERT_EQUAL(cfg->probe_down_after, 4);
	CU_ASSERT_EQUAL(cfg->probe_up_after, 2);
	CU_ASSERT_TRUE(cfg->probe_clock_synced);
	CU_ASSERT_EQUAL(cfg->n_nbrs, 2);
	CU_ASSERT_EQUAL(cfg->nbrs[0].node, 0x0aff0002);
	CU_ASSERT_EQUAL(cfg->nbrs[0].endpoint.family, 0);
	CU_ASSERT_EQUAL(cfg->nbrs[1].node, 0x0aff0003);
	CU_ASSERT_EQUAL(cfg->nbrs[1].endpoint.family, AF_INET);
	CU_ASSERT_EQUAL(cfg->nbrs[1].endpoint.port, 41000);
}

static void test_refusals(void)
{
	expect_refused("tenant 0", "tenant 0 is reserved");
	expect_refused("ivn 0", "ivn 0 is reserved");
	expect_refused("tunnel endpoint 192.0.2.1 port 63489",
		       "room for two lanes of 1024");
	expect_refused("tunnel key-file node.key", "absolute path");
	expect_refused("tunnel ca signing-key-file ca.key", "absolute path");
	expect_refused("tunnel ca public-key c2hvcnQ=", "32 octets in base64");
	expect_refused("tunnel probe interval 5", "");
	expect_refused("tunnel max-tunnels 65", "");
	/* nothing changed */
	CU_ASSERT_EQUAL(cfg->tenant, 7);
	CU_ASSERT_EQUAL(cfg->endpoint.port, 40000);
	CU_ASSERT_STRING_EQUAL(cfg->key_file, "/var/lib/frr/node1.key");
	CU_ASSERT_EQUAL(cfg->probe_interval_ms, 20);
}

static const char *const lines[] = {
	" tenant 7\n",
	" ivn 3\n",
	" tunnel endpoint 192.0.2.1 port 40000\n",
	" tunnel full-mesh\n",
	" tunnel driver vxlan\n",
	" tunnel probe clock-synchronized\n",
	" tunnel key-file /var/lib/frr/node1.key\n",
	" tunnel ca public-key " CA_PUB "\n",
	" tunnel ca signing-key-file /var/lib/frr/ca.key\n",
	" tunnel max-tunnels 8\n",
	" tunnel bandwidth 250\n",
	" tunnel advertise-threshold 25\n",
	" tunnel probe interval 20\n",
	" tunnel probe down-after 4\n",
	" tunnel probe up-after 2\n",
	" tunnel neighbor 10.255.0.2\n",
	" tunnel neighbor 10.255.0.3 endpoint 198.51.100.7 port 41000\n",
};

static void test_running_config(void)
{
	expect_ok("do show running-config");
	for (size_t i = 0; i < array_size(lines); i++)
		if (!strstr(out, lines[i])) {
			fprintf(stderr, "\n  missing: %s", lines[i]);
			CU_FAIL("line missing from running-config");
		}
}

/* The saved lines, applied to a fresh instance, give the same state. */
static void test_reload(void)
{
	struct mesh_tunnel_cfg before = mesh_tunnel_cfg;

	expect_ok("exit");
	expect_ok("no router mesh");
	CU_ASSERT_EQUAL(cfg->tenant, 0);
	CU_ASSERT_EQUAL(cfg->n_nbrs, 0);
	CU_ASSERT_EQUAL(cfg->probe_interval_ms, MESH_PROBE_INTERVAL_DEFAULT);
	expect_ok("router mesh");
	expect_ok("router-id 10.255.0.1");
	for (size_t i = 0; i < array_size(lines); i++)
		expect_ok(lines[i] + 1);
	CU_ASSERT_EQUAL(memcmp(&before, &mesh_tunnel_cfg, sizeof(before)), 0);
}

static void test_removal(void)
{
	expect_ok("no tunnel neighbor 10.255.0.2");
	CU_ASSERT_EQUAL(cfg->n_nbrs, 1);
	CU_ASSERT_EQUAL(cfg->nbrs[0].node, 0x0aff0003);
	expect_ok("tunnel neighbor 10.255.0.3");
	CU_ASSERT_EQUAL(cfg->nbrs[0].endpoint.family, 0);
	expect_ok("no tunnel full-mesh");
	expect_ok("no tunnel driver vxlan");
	CU_ASSERT_EQUAL(cfg->driver, MESH_TUNNEL_DRIVER_WIREGUARD);
	CU_ASSERT_EQUAL(cfg->peers, MESH_TUNNEL_PEERS_CONFIGURED);
	expect_ok("no tunnel probe interval 20");
	CU_ASSERT_EQUAL(cfg->probe_interval_ms, MESH_PROBE_INTERVAL_DEFAULT);
	expect_ok("no tunnel endpoint");
	CU_ASSERT_EQUAL(cfg->endpoint.family, 0);
	expect_ok("no tenant 7");
	CU_ASSERT_EQUAL(cfg->tenant, 0);
	CU_ASSERT_FALSE(running_has("tenant"));
	CU_ASSERT_FALSE(running_has("tunnel full-mesh"));
	CU_ASSERT_FALSE(running_has("tunnel probe interval"));
	CU_ASSERT_FALSE(running_has("tunnel driver"));
}

int main(void)
{
	CU_pSuite suite;

	mesh_test_daemon_init();
	mesh_tunnel_cli_init();

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("meshd tunnel configuration through the CLI", NULL,
			     NULL);
	CU_add_test(suite, "defaults", test_defaults);
	CU_add_test(suite, "every setting reaches the agent", test_settings);
	CU_add_test(suite, "refused with a reason, nothing changed",
		    test_refusals);
	CU_add_test(suite, "running-config", test_running_config);
	CU_add_test(suite, "saved configuration loads back", test_reload);
	CU_add_test(suite, "removal", test_removal);
	return mesh_test_run();
}
