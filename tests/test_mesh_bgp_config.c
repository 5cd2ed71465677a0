// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The BGP speaker's configuration end to end, in process: meshd's real
 * commands run through libfrr's CLI and northbound as vtysh would drive
 * them, against the real speaker (libmesh.a). Checks what an operator
 * sees: accepted lines reach the neighbors and 'show running-config',
 * refused lines say why and change nothing, a saved configuration loads
 * back to the same state, and route-maps edit routes as configured.
 */
#include <zebra.h>

#include <CUnit/Basic.h>

#include "lib/command.h"
#include "lib/northbound_cli.h"
#include "lib/vty.h"

struct thread_master *master;
/* the daemon's privileges (mesh_main.c): none to change in a test */
struct zebra_privs_t mesh_privs;

#include "lib/libfrr.h"

#include "tests/mesh_test_daemon.h"

/* A port nothing else on the machine listens on. */
#define TEST_PORT "17979"

static struct mesh_peer *peer_get(const char *addr)
{
	union sockunion su;

	if (str2sockunion(addr, &su) < 0)
		return NULL;
	return mesh_peer_lookup(&su);
}

static bool network_has(enum mesh_afi afi, const char *pfx)
{
	struct prefix p;

	str2prefix(pfx, &p);
	for (struct mesh_network *n = mesh_bgp->networks[afi]; n; n = n->next)
		if (prefix_same(&n->p, &p))
			return true;
	return false;
}

static char *show_running(void)
{
	expect_ok("do show running-config");
	return strdup(out ? out : "");
}

/* ---- The speaker ---- */

static bool running_has(const char *s)
{
	char *out = show_running();
	bool has = strstr(out, s) != NULL;

	free(out);
	return has;
}

static void test_needs_local_as(void)
{
	expect_ok("configure terminal");
	expect_ok("router mesh");
	expect_ok("router-id 10.0.0.1");
	CU_ASSERT_PTR_NULL(mesh_bgp);

	expect_refused("neighbor 10.0.0.2 remote-as 65002",
		       "Configure 'bgp local-as' first");
	expect_refused("address-family ipv4 unicast",
		       "Configure 'bgp local-as' first");
	/* a value outside the command's range does not parse at all */
	CU_ASSERT_EQUAL(cli("bgp local-as 0"), CMD_ERR_NO_MATCH);
	CU_ASSERT_PTR_NULL(mesh_bgp);
}

static void test_speaker(void)
{
	/* settings before the AS are picked up when the speaker starts */
	expect_ok("bgp listen port " TEST_PORT);
	CU_ASSERT_PTR_NULL(mesh_bgp);
	expect_ok("bgp local-as 65001");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mesh_bgp);
	CU_ASSERT_EQUAL(mesh_bgp->local_as, 65001);
	CU_ASSERT_EQUAL(mesh_bgp->port, atoi(TEST_PORT));
	CU_ASSERT_EQUAL(mesh_bgp->router_id.s_addr, htonl(0x0a000001));
	CU_ASSERT_EQUAL(mesh_bgp->keepalive, MESH_BGP_KEEPALIVE_DEFAULT);
	CU_ASSERT_EQUAL(mesh_bgp->holdtime, MESH_BGP_HOLD_DEFAULT);

	/* the BGP identifier follows the router-id */
	expect_ok("router-id 10.0.0.9");
	CU_ASSERT_EQUAL(mesh_bgp->router_id.s_addr, htonl(0x0a000009));
	expect_ok("router-id 10.0.0.1");
	CU_ASSERT_EQUAL(mesh_bgp->router_id.s_addr, htonl(0x0a000001));

	expect_ok("bgp cluster-id 10.255.0.1");
	CU_ASSERT_EQUAL(mesh_bgp->cluster_id.s_addr, htonl(0x0aff0001));
	expect_ok("no bgp cluster-id");
	CU_ASSERT_EQUAL(mesh_bgp->cluster_id.s_addr, INADDR_ANY);
	expect_ok("bgp cluster-id 10.255.0.1");

	expect_ok("timers bgp 10 30");
	CU_ASSERT_EQUAL(mesh_bgp->keepalive, 10);
	CU_ASSERT_EQUAL(mesh_bgp->holdtime, 30);
	expect_ok("timers bgp 0 0");
	CU_ASSERT_EQUAL(mesh_bgp->holdtime, 0);
	expect_ok("no timers bgp");
	CU_ASSERT_EQUAL(mesh_bgp->keepalive, MESH_BGP_KEEPALIVE_DEFAULT);
	CU_ASSERT_EQUAL(mesh_bgp->holdtime, MESH_BGP_HOLD_DEFAULT);
	expect_ok("timers bgp 10 30");
}

static bool gr_state_file(void)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/meshd-gr.state", frr_vtydir);
	return access(path, F_OK) == 0;
}

/* Graceful restart as restarting speaker: settings, the deferral of a
 * meshd that has had no session yet, the state file that tells the next
 * meshd zebra kept its routes. */
static void test_graceful_restart(void)
{
	char tmpl[] = "/tmp/meshd-gr-test-XXXXXX";

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpl));
	strlcpy(frr_vtydir, tmpl, sizeof(frr_vtydir));

	CU_ASSERT_FALSE(mesh_bgp->gr.enabled);
	CU_ASSERT_EQUAL(mesh_bgp->gr.restart_time, MESH_BGP_GR_RESTART_TIME);
	CU_ASSERT_EQUAL(mesh_bgp->gr.defer_time, MESH_BGP_GR_DEFER_TIME);
	CU_ASSERT_FALSE(mesh_bgp_gr_deferring());

	expect_ok("bgp graceful-restart restart-time 90");
	expect_ok("bgp graceful-restart select-defer-time 20");
	CU_ASSERT_EQUAL(mesh_bgp->gr.restart_time, 90);
	CU_ASSERT_EQUAL(mesh_bgp->gr.defer_time, 20);
	CU_ASSERT_FALSE(gr_state_file());

	expect_ok("bgp graceful-restart");
	CU_ASSERT_TRUE(mesh_bgp->gr.enabled);
	/* no session yet: this meshd is starting, its selection waits */
	CU_ASSERT_TRUE(mesh_bgp_gr_deferring());
	CU_ASSERT_FALSE(mesh_bgp->gr.fwd_preserved);
	CU_ASSERT_TRUE(gr_state_file());
	CU_ASSERT_EQUAL(mesh_bgp_gr_stale_time(), 110);
	CU_ASSERT_TRUE(
		running_has(" bgp graceful-restart\n"
			    " bgp graceful-restart restart-time 90\n"
			    " bgp graceful-restart select-defer-time 20\n"));

	/* switched off: the deferral ends, the state file goes */
	expect_ok("no bgp graceful-restart");
	CU_ASSERT_FALSE(mesh_bgp->gr.enabled);
	CU_ASSERT_FALSE(mesh_bgp_gr_deferring());
	CU_ASSERT_STRING_EQUAL(mesh_bgp->gr.defer_why,
			       "graceful restart switched off");
	CU_ASSERT_FALSE(gr_state_file());
	CU_ASSERT_FALSE(running_has("graceful-restart\n"));

	expect_ok("no bgp graceful-restart restart-time");
	expect_ok("no bgp graceful-restart select-defer-time 20");
	CU_ASSERT_EQUAL(mesh_bgp->gr.restart_time, MESH_BGP_GR_RESTART_TIME);
	CU_ASSERT_EQUAL(mesh_bgp->gr.defer_time, MESH_BGP_GR_DEFER_TIME);
	CU_ASSERT_FALSE(running_has("graceful-restart"));

	/* out of range: refused by the command's own ranges */
	CU_ASSERT_EQUAL(cli("bgp graceful-restart restart-time 0"),
			CMD_ERR_NO_MATCH);
	CU_ASSERT_EQUAL(cli("bgp graceful-restart restart-time 4096"),
			CMD_ERR_NO_MATCH);
	CU_ASSERT_EQUAL(cli("bgp graceful-restart select-defer-time 0"),
			CMD_ERR_NO_MATCH);
	CU_ASSERT_EQUAL(mesh_bgp->gr.restart_time, MESH_BGP_GR_RESTART_TIME);

	rmdir(tmpl);
	frr_vtydir[0] = '\0';
}

static void test_speaker_refusals(void)
{
	expect_refused("timers bgp 1 2", "RFC 4271 4.2");
	expect_refused("timers bgp 40 30", "keepalive interval must be");
	expect_refused("timers bgp 0 30", "keepalive interval must be");
	expect_refused("bgp cluster-id 0.0.0.0", "leave it unset");
	CU_ASSERT_EQUAL(cli("bgp listen port 0"), CMD_ERR_NO_MATCH);
	CU_ASSERT_EQUAL(cli("bgp listen port 65536"), CMD_ERR_NO_MATCH);

	/* nothing moved */
	CU_ASSERT_EQUAL(mesh_bgp->keepalive, 10);
	CU_ASSERT_EQUAL(mesh_bgp->holdtime, 30);
	CU_ASSERT_EQUAL(mesh_bgp->cluster_id.s_addr, htonl(0x0aff0001));
	CU_ASSERT_EQUAL(mesh_bgp->port, atoi(TEST_PORT));
}

/* ---- Neighbors ---- */

static void test_neighbors(void)
{
	struct mesh_peer *p, *p6;

	expect_refused("neighbor 10.0.0.2 description r2",
		       "Specify remote-as first");
	expect_refused("neighbor 10.0.0.2 passive", "Specify remote-as first");
	expect_refused("no neighbor 10.0.0.2", "not configured");

	expect_ok("neighbor 10.0.0.2 remote-as 65002");
	p = peer_get("10.0.0.2");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->cfg.remote_as, 65002);
	CU_ASSERT_EQUAL(p->cfg.port, MESH_BGP_PORT);
	CU_ASSERT_EQUAL(p->cfg.holdtime, 0xffff);
	CU_ASSERT_EQUAL(p->cfg.connect_retry, MESH_BGP_CONNECT_RETRY_DEFAULT);
	/* configured and not shut down: the state machine was started */
	CU_ASSERT_NOT_EQUAL(p->state, MESH_FSM_IDLE);
	CU_ASSERT_TRUE(mesh_peer_af_active(p, MESH_AFI_IP));
	CU_ASSERT_FALSE(mesh_peer_af_active(p, MESH_AFI_IP6));
	CU_ASSERT_EQUAL(mesh_peer_afi(p), MESH_AFI_IP);

	/* the key is the canonical address, however it was typed */
	expect_ok("neighbor 2001:DB8:0::2 remote-as 65001");
	p6 = peer_get("2001:db8::2");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p6);
	CU_ASSERT_EQUAL(mesh_peer_afi(p6), MESH_AFI_IP6);
	CU_ASSERT_TRUE(mesh_peer_af_active(p6, MESH_AFI_IP6));
	CU_ASSERT_FALSE(mesh_peer_af_active(p6, MESH_AFI_IP));
	expect_ok("neighbor 2001:db8::2 remote-as 65001");

	expect_ok("neighbor 10.0.0.2 description core router r2");
	CU_ASSERT_STRING_EQUAL(p->cfg.description, "core router r2");
	expect_ok("neighbor 10.0.0.2 password s3cret");
	CU_ASSERT_STRING_EQUAL(p->cfg.password, "s3cret");
	expect_ok("neighbor 10.0.0.2 ttl-security hops 2");
	CU_ASSERT_EQUAL(p->cfg.ttl_hops, 2);
	expect_ok("neighbor 10.0.0.2 passive");
	CU_ASSERT_TRUE(p->cfg.passive);
	expect_ok("neighbor 10.0.0.2 port 1179");
	CU_ASSERT_EQUAL(p->cfg.port, 1179);
	expect_ok("neighbor 10.0.0.2 timers 5 15");
	CU_ASSERT_EQUAL(p->cfg.keepalive, 5);
	CU_ASSERT_EQUAL(p->cfg.holdtime, 15);
	expect_ok("neighbor 10.0.0.2 timers connect 7");
	CU_ASSERT_EQUAL(p->cfg.connect_retry, 7);
	CU_ASSERT_EQUAL(p->cfg.mrai, MESH_BGP_MRAI_DEFAULT);
	CU_ASSERT_FALSE(running_has("advertisement-interval"));
	expect_ok("neighbor 10.0.0.2 advertisement-interval 5");
	CU_ASSERT_EQUAL(p->cfg.mrai, 5);
	CU_ASSERT_TRUE(
		running_has("neighbor 10.0.0.2 advertisement-interval 5\n"));
	expect_refused("neighbor 10.0.0.2 advertisement-interval 601",
		       "advertisement interval must be 0-600");
	CU_ASSERT_EQUAL(p->cfg.mrai, 5);
	expect_ok("no neighbor 10.0.0.2 advertisement-interval");
	CU_ASSERT_EQUAL(p->cfg.mrai, 0);
	CU_ASSERT_FALSE(running_has("advertisement-interval"));
	expect_ok("neighbor 10.0.0.2 advertisement-interval 600");
	CU_ASSERT_EQUAL(p->cfg.mrai, 600);
	expect_ok("neighbor 10.0.0.2 advertisement-interval 0");

	/* and back */
	expect_ok("no neighbor 10.0.0.2 timers");
	CU_ASSERT_EQUAL(p->cfg.keepalive, 0xffff);
	CU_ASSERT_EQUAL(p->cfg.holdtime, 0xffff);
	expect_ok("neighbor 10.0.0.2 timers 5 15");
	expect_ok("no neighbor 10.0.0.2 passive");
	CU_ASSERT_FALSE(p->cfg.passive);
	expect_ok("neighbor 10.0.0.2 passive");
	expect_ok("no neighbor 10.0.0.2 description");
	CU_ASSERT_PTR_NULL(p->cfg.description);
	expect_ok("neighbor 10.0.0.2 description core router r2");

	/* a remote-as change keeps the neighbor and its settings */
	expect_ok("neighbor 10.0.0.2 remote-as 65003");
	CU_ASSERT_PTR_EQUAL(peer_get("10.0.0.2"), p);
	CU_ASSERT_EQUAL(p->cfg.remote_as, 65003);
	CU_ASSERT_STRING_EQUAL(p->cfg.password, "s3cret");
	expect_ok("neighbor 10.0.0.2 remote-as 65002");
}

static void test_shutdown(void)
{
	struct mesh_peer *p6 = peer_get("2001:db8::2");

	CU_ASSERT_PTR_NOT_NULL_FATAL(p6);
	CU_ASSERT_NOT_EQUAL(p6->state, MESH_FSM_IDLE);
	expect_ok("neighbor 2001:db8::2 shutdown");
	CU_ASSERT_TRUE(p6->cfg.shutdown);
	CU_ASSERT_PTR_NULL(p6->cfg.shutdown_msg);
	CU_ASSERT_EQUAL(p6->state, MESH_FSM_IDLE);

	expect_ok("no neighbor 2001:db8::2 shutdown");
	CU_ASSERT_FALSE(p6->cfg.shutdown);
	CU_ASSERT_NOT_EQUAL(p6->state, MESH_FSM_IDLE);

	expect_ok("neighbor 2001:db8::2 shutdown message maintenance window");
	CU_ASSERT_TRUE(p6->cfg.shutdown);
	CU_ASSERT_STRING_EQUAL(p6->cfg.shutdown_msg, "maintenance window");
	CU_ASSERT_EQUAL(p6->state, MESH_FSM_IDLE);

	/* another setting of a shut-down neighbor does not start it */
	expect_ok("neighbor 2001:db8::2 timers connect 9");
	expect_ok("neighbor 2001:db8::2 port 179");
	CU_ASSERT_EQUAL(p6->state, MESH_FSM_IDLE);
	expect_ok("no neighbor 2001:db8::2 timers connect");
}

static void test_neighbor_refusals(void)
{
	struct mesh_peer *p = peer_get("10.0.0.2");
	char line[600];
	int n;

	expect_refused("neighbor 224.0.0.1 remote-as 65009",
		       "not a unicast address");
	expect_refused("neighbor 0.0.0.0 remote-as 65009",
		       "not a unicast address");
	expect_refused("neighbor ff02::1 remote-as 65009",
		       "not a unicast address");
	expect_refused("neighbor fe80::1 remote-as 65009", "link-local");
	CU_ASSERT_EQUAL(cli("neighbor 10.0.0.2 remote-as 0"), CMD_ERR_NO_MATCH);
	CU_ASSERT_EQUAL(cli("neighbor 10.0.0.2 ttl-security hops 255"),
			CMD_ERR_NO_MATCH);
	expect_refused("neighbor 10.0.0.2 timers 5 2", "RFC 4271 4.2");
	expect_refused("neighbor 10.0.0.2 timers 20 15",
		       "keepalive interval must be");

	/* 81 characters */
	n = snprintf(line, sizeof(line), "neighbor 10.0.0.2 description ");
	memset(line + n, 'd', 81);
	line[n + 81] = '\0';
	expect_refused(line, "1 to 80 characters");
	n = snprintf(line, sizeof(line), "neighbor 10.0.0.2 password ");
	memset(line + n, 'k', 81);
	line[n + 81] = '\0';
	expect_refused(line, "TCP-MD5 key is 1 to 80");

	/* RFC 9003 counts octets: 256 ASCII characters, then 130 two-octet
	 * characters (260 octets, within the model's 255 characters) */
	n = snprintf(line, sizeof(line), "neighbor 10.0.0.2 shutdown message ");
	memset(line + n, 'm', 256);
	line[n + 256] = '\0';
	expect_refused(line, "255 octets");
	n = snprintf(line, sizeof(line), "neighbor 10.0.0.2 shutdown message ");
	for (int i = 0; i < 130; i++)
		n += snprintf(line + n, sizeof(line) - n, "\xc3\xa9");
	expect_refused(line, "255 octets");

	/* nothing moved */
	CU_ASSERT_PTR_NULL(peer_get("224.0.0.1"));
	CU_ASSERT_PTR_NULL(peer_get("fe80::1"));
	CU_ASSERT_STRING_EQUAL(p->cfg.description, "core router r2");
	CU_ASSERT_STRING_EQUAL(p->cfg.password, "s3cret");
	CU_ASSERT_EQUAL(p->cfg.keepalive, 5);
	CU_ASSERT_EQUAL(p->cfg.holdtime, 15);
	CU_ASSERT_FALSE(p->cfg.shutdown);
	CU_ASSERT_PTR_NULL(p->cfg.shutdown_msg);
}

/* ---- Address families ---- */

static void test_address_families(void)
{
	struct mesh_peer *p = peer_get("10.0.0.2");
	struct mesh_peer *p6 = peer_get("2001:db8::2");

	expect_ok("address-family ipv4 unicast");
	CU_ASSERT_EQUAL(vty->node, MESH_IPV4_NODE);
	expect_ok("network 10.1.0.0/16");
	CU_ASSERT_TRUE(network_has(MESH_AFI_IP, "10.1.0.0/16"));
	expect_refused("network 10.1.2.3/16", "host bits set");
	expect_refused("network 2001:db8::/32", "not an IPv4 prefix");
	expect_refused("network 224.0.0.0/8", "multicast");
	expect_refused("neighbor 10.0.0.9 activate", "Specify remote-as first");

	expect_ok("neighbor 10.0.0.2 route-reflector-client");
	CU_ASSERT_TRUE(p->cfg.af[MESH_AFI_IP].rr_client);
	expect_ok("neighbor 10.0.0.2 next-hop-self");
	CU_ASSERT_TRUE(p->cfg.af[MESH_AFI_IP].next_hop_self);
	expect_ok("neighbor 10.0.0.2 addpath-tx-all-paths");
	CU_ASSERT_TRUE(p->cfg.af[MESH_AFI_IP].addpath_tx_all);
	expect_ok("neighbor 10.0.0.2 prefix-list PL-IN in");
	CU_ASSERT_STRING_EQUAL(p->cfg.af[MESH_AFI_IP].plist[0], "PL-IN");
	expect_ok("neighbor 10.0.0.2 route-map RM-IN in");
	expect_ok("neighbor 10.0.0.2 route-map RM-OUT out");
	CU_ASSERT_STRING_EQUAL(p->cfg.af[MESH_AFI_IP].rmap[0], "RM-IN");
	CU_ASSERT_STRING_EQUAL(p->cfg.af[MESH_AFI_IP].rmap[1], "RM-OUT");
	CU_ASSERT_PTR_NULL(p->cfg.af[MESH_AFI_IP6].rmap[0]);

	/* the other family is off until activated; the own one on until
	 * deactivated */
	expect_ok("neighbor 2001:db8::2 activate");
	CU_ASSERT_TRUE(mesh_peer_af_active(p6, MESH_AFI_IP));
	expect_ok("no neighbor 10.0.0.2 activate");
	CU_ASSERT_FALSE(mesh_peer_af_active(p, MESH_AFI_IP));
	expect_ok("neighbor 10.0.0.2 activate");
	CU_ASSERT_TRUE(mesh_peer_af_active(p, MESH_AFI_IP));
	CU_ASSERT_FALSE(p->cfg.af_set[MESH_AFI_IP]);

	expect_ok("no neighbor 10.0.0.2 addpath-tx-all-paths");
	CU_ASSERT_FALSE(p->cfg.af[MESH_AFI_IP].addpath_tx_all);
	expect_ok("neighbor 10.0.0.2 addpath-tx-all-paths");
	expect_ok("no neighbor 10.0.0.2 route-map RM-OUT out");
	CU_ASSERT_PTR_NULL(p->cfg.af[MESH_AFI_IP].rmap[1]);
	expect_ok("neighbor 10.0.0.2 route-map RM-OUT out");

	expect_ok("exit-address-family");
	CU_ASSERT_EQUAL(vty->node, MESH_NODE);

	expect_ok("address-family ipv6");
	CU_ASSERT_EQUAL(vty->node, MESH_IPV6_NODE);
	expect_ok("network 2001:db8:100::/48");
	CU_ASSERT_TRUE(network_has(MESH_AFI_IP6, "2001:db8:100::/48"));
	expect_refused("network 10.0.0.0/8", "not an IPv6 prefix");
	expect_ok("no neighbor 2001:db8::2 activate");
	CU_ASSERT_FALSE(mesh_peer_af_active(p6, MESH_AFI_IP6));
	expect_ok("neighbor 10.0.0.2 route-map RM6 in");
	CU_ASSERT_STRING_EQUAL(p->cfg.af[MESH_AFI_IP6].rmap[0], "RM6");
	/* 'exit' leaves the family too */
	expect_ok("exit");
	CU_ASSERT_EQUAL(vty->node, MESH_NODE);

	/* a network can go and come back */
	expect_ok("address-family ipv6 unicast");
	expect_ok("network 2001:db8:200::/48");
	expect_ok("no network 2001:db8:200::/48");
	CU_ASSERT_FALSE(network_has(MESH_AFI_IP6, "2001:db8:200::/48"));
	CU_ASSERT_TRUE(network_has(MESH_AFI_IP6, "2001:db8:100::/48"));
	expect_ok("exit-address-family");
}

/* ---- show running-config ---- */

static const char running_block[] =
	"router mesh\n"
	" router-id 10.0.0.1\n"
	" bgp local-as 65001\n"
	" bgp cluster-id 10.255.0.1\n"
	" bgp listen port " TEST_PORT "\n"
	" timers bgp 10 30\n"
	" neighbor 10.0.0.2 remote-as 65002\n"
	" neighbor 10.0.0.2 description core router r2\n"
	" neighbor 10.0.0.2 password s3cret\n"
	" neighbor 10.0.0.2 passive\n"
	" neighbor 10.0.0.2 ttl-security hops 2\n"
	" neighbor 10.0.0.2 port 1179\n"
	" neighbor 10.0.0.2 timers 5 15\n"
	" neighbor 10.0.0.2 timers connect 7\n"
	" neighbor 2001:db8::2 remote-as 65001\n"
	" neighbor 2001:db8::2 shutdown message maintenance window\n"
	" !\n"
	" address-family ipv4 unicast\n"
	"  network 10.1.0.0/16\n"
	"  neighbor 10.0.0.2 route-reflector-client\n"
	"  neighbor 10.0.0.2 next-hop-self\n"
	"  neighbor 10.0.0.2 addpath-tx-all-paths\n"
	"  neighbor 10.0.0.2 prefix-list PL-IN in\n"
	"  neighbor 10.0.0.2 route-map RM-IN in\n"
	"  neighbor 10.0.0.2 route-map RM-OUT out\n"
	"  neighbor 2001:db8::2 activate\n"
	" exit-address-family\n"
	" !\n"
	" address-family ipv6 unicast\n"
	"  network 2001:db8:100::/48\n"
	"  neighbor 10.0.0.2 route-map RM6 in\n"
	"  no neighbor 2001:db8::2 activate\n"
	" exit-address-family\n"
	"exit\n";

static void test_running_config(void)
{
	char *rc = show_running();

	if (!strstr(rc, running_block))
		fprintf(stderr, "\n  running-config:\n%s\n", rc);
	CU_ASSERT_PTR_NOT_NULL(strstr(rc, running_block));
	free(rc);
}

/*
 * 'write memory' and a restart: the rendered configuration, read back
 * the way a configuration file is (one batched commit) and the way
 * vtysh sends it (one commit per line), gives the same speaker and the
 * same running-config.
 */
static void reload(bool batched, const char *config)
{
	FILE *f = fmemopen((void *)config, strlen(config), "r");
	unsigned int line_num = 0;
	char *line = NULL;
	size_t cap = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	vty->node = CONFIG_NODE;
	vty->xpath_index = 0;
	if (batched) {
		vty->pending_allowed = 1;
		CU_ASSERT_EQUAL(config_from_file(vty, f, &line_num),
				CMD_SUCCESS);
		vty->pending_allowed = 0;
		CU_ASSERT_EQUAL(nb_cli_pending_commit_check(vty), CMD_SUCCESS);
	} else {
		while (getline(&line, &cap, f) > 0) {
			line[strcspn(line, "\n")] = '\0';
			if (line[0] == '\0' ||
			    strchr("!", line[strspn(line, " ")]))
				continue;
			if (cli(line) != CMD_SUCCESS) {
				fprintf(stderr, "\n  reload: '%s': %s\n", line,
					out);
				CU_FAIL("a saved line was refused");
			}
		}
		free(line);
	}
	fclose(f);
	vty->node = CONFIG_NODE;
	vty->xpath_index = 0;
}

static void test_reload(void)
{
	char *saved = show_running();
	char *block, *end, *rc;

	/* the router mesh block alone, as the configuration file has it */
	block = strstr(saved, "router mesh\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(block);
	end = strstr(block, "\nexit\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(end);
	end[strlen("\nexit\n")] = '\0';

	for (int batched = 1; batched >= 0; batched--) {
		struct mesh_peer *p, *p6;

		expect_ok("end");
		expect_ok("configure terminal");
		expect_ok("no router mesh");
		CU_ASSERT_PTR_NULL(mesh_bgp);

		reload(batched, block);
		CU_ASSERT_PTR_NOT_NULL_FATAL(mesh_bgp);
		p = peer_get("10.0.0.2");
		p6 = peer_get("2001:db8::2");
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p6);
		CU_ASSERT_EQUAL(p->cfg.remote_as, 65002);
		CU_ASSERT_STRING_EQUAL(p->cfg.password, "s3cret");
		CU_ASSERT_EQUAL(p->cfg.holdtime, 15);
		CU_ASSERT_TRUE(p->cfg.af[MESH_AFI_IP].addpath_tx_all);
		CU_ASSERT_TRUE(p6->cfg.shutdown);
		CU_ASSERT_EQUAL(p6->state, MESH_FSM_IDLE);
		CU_ASSERT_TRUE(mesh_peer_af_active(p6, MESH_AFI_IP));
		CU_ASSERT_FALSE(mesh_peer_af_active(p6, MESH_AFI_IP6));
		CU_ASSERT_TRUE(network_has(MESH_AFI_IP, "10.1.0.0/16"));
		CU_ASSERT_TRUE(network_has(MESH_AFI_IP6, "2001:db8:100::/48"));
		CU_ASSERT_EQUAL(mesh_bgp->port, atoi(TEST_PORT));

		rc = show_running();
		if (!strstr(rc, running_block))
			fprintf(stderr, "\n  reloaded (%s):\n%s\n",
				batched ? "batched" : "line by line", rc);
		CU_ASSERT_PTR_NOT_NULL(strstr(rc, running_block));
		free(rc);
	}
	free(saved);
	expect_ok("router mesh");
}

/* ---- Route-maps and prefix-lists ---- */

static void test_route_map_config(void)
{
	char *rc;

	expect_ok("exit");
	CU_ASSERT_EQUAL(vty->node, CONFIG_NODE);
	expect_ok("ip prefix-list PL-IN seq 5 permit 10.1.0.0/16 le 24");
	expect_ok("ip prefix-list PL-LP seq 5 permit 10.1.2.0/24");
	expect_ok("ipv6 prefix-list PL6 seq 5 permit 2001:db8:100::/48");

	expect_ok("route-map RM-IN permit 10");
	CU_ASSERT_EQUAL(vty->node, RMAP_NODE);
	expect_ok("match ip address prefix-list PL-LP");
	expect_ok("set local-preference 250");
	expect_ok("set as-path prepend 65010 65011");
	expect_ok("set community no-export 65001:100 65001:5 additive");
	expect_ok("set metric 42");
	expect_refused("set community 70000:1", "Malformed communities");
	expect_refused("set local-preference lots", "use N, +N or -N");
	expect_ok("exit");
	expect_ok("route-map RM-IN permit 20");
	expect_ok("exit");

	expect_ok("route-map RM-OUT deny 10");
	expect_ok("match ip address prefix-list PL-LP");
	expect_ok("exit");
	expect_ok("route-map RM-OUT permit 20");
	expect_ok("set metric +5");
	expect_ok("set community none");
	expect_ok("exit");

	expect_ok("route-map RM6 permit 10");
	expect_ok("match ipv6 address prefix-list PL6");
	expect_ok("set local-preference -20");
	expect_ok("exit");

	rc = show_running();
	/* bgpd's own lines, so vtysh merges both daemons' route-maps */
	CU_ASSERT_PTR_NOT_NULL(strstr(rc,
				      "route-map RM-IN permit 10\n"
				      " match ip address prefix-list PL-LP\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rc, " set local-preference 250\n"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(rc, " set as-path prepend 65010 65011\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(
		rc, " set community 65001:5 65001:100 no-export additive\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rc, " set metric 42\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rc, " set community none\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rc, " set local-preference -20\n"));
	if (!strstr(rc, " set local-preference 250\n"))
		fprintf(stderr, "\n  running-config:\n%s\n", rc);
	free(rc);
}

/* An interned set: ORIGIN IGP, AS_PATH 65002, NEXT_HOP, LOCAL_PREF 100,
 * MED 10, COMMUNITIES 65002:1. */
static struct mesh_aset *test_attr(void)
{
	static const uint8_t as_path[] = {
		MESH_BGP_AS_SEQUENCE, 1, 0, 0, 0xfd, 0xea};
	static const uint8_t comm[] = {0xfd, 0xea, 0x00, 0x01};
	struct mesh_bgp_attrs a;

	memset(&a, 0, sizeof(a));
	a.origin = MESH_BGP_ORIGIN_IGP;
	a.as_path_width = 4;
	a.as_path.p = as_path;
	a.as_path.len = sizeof(as_path);
	a.next_hop = 0x0a000002;
	a.local_pref = 100;
	a.med = 10;
	a.communities.p = comm;
	a.communities.len = sizeof(comm);
	mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_ORIGIN);
	mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_AS_PATH);
	mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_NEXT_HOP);
	mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_LOCAL_PREF);
	mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_MED);
	mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_COMMUNITIES);
	return mesh_aset_intern(&a);
}

static struct mesh_bgp_prefix pfx(const char *s)
{
	struct mesh_bgp_prefix bp;
	struct prefix p;

	memset(&bp, 0, sizeof(bp));
	str2prefix(s, &p);
	bp.plen = p.prefixlen;
	if (p.family == AF_INET6) {
		bp.afi = MESH_BGP_AFI_IPV6;
		memcpy(bp.addr, &p.u.prefix6, 16);
	} else {
		bp.afi = MESH_BGP_AFI_IPV4;
		memcpy(bp.addr, &p.u.prefix4, 4);
	}
	return bp;
}

static void test_policy(void)
{
	static const uint8_t want_path[] = {MESH_BGP_AS_SEQUENCE,
					    3,
					    0,
					    0,
					    0xfd,
					    0xf2,
					    0,
					    0,
					    0xfd,
					    0xf3,
					    0,
					    0,
					    0xfd,
					    0xea};
	static const uint8_t want_comm[] = {0xfd, 0xe9, 0x00, 0x05, 0xfd, 0xe9,
					    0x00, 0x64, 0xfd, 0xea, 0x00, 0x01,
					    0xff, 0xff, 0xff, 0x01};
	struct mesh_peer *p = peer_get("10.0.0.2");
	struct mesh_aset *attr, *r;
	struct mesh_bgp_prefix bp;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	attr = test_attr();
	CU_ASSERT_PTR_NOT_NULL_FATAL(attr);

	/* prefix-list permits, route-map entry 10 matches: every set ran */
	bp = pfx("10.1.2.0/24");
	r = mesh_policy_in(p, MESH_AFI_IP, &bp, attr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NOT_EQUAL(r, attr);
	CU_ASSERT_EQUAL(r->a.local_pref, 250);
	CU_ASSERT_EQUAL(r->a.med, 42);
	CU_ASSERT_EQUAL(r->a.next_hop, 0x0a000002);
	CU_ASSERT_EQUAL(r->a.as_path.len, sizeof(want_path));
	if (r->a.as_path.len == sizeof(want_path))
		CU_ASSERT_EQUAL(
			memcmp(r->a.as_path.p, want_path, sizeof(want_path)),
			0);
	CU_ASSERT_EQUAL(r->a.communities.len, sizeof(want_comm));
	if (r->a.communities.len == sizeof(want_comm))
		CU_ASSERT_EQUAL(memcmp(r->a.communities.p, want_comm,
				       sizeof(want_comm)),
				0);
	/* the input set is untouched */
	CU_ASSERT_EQUAL(attr->a.local_pref, 100);
	CU_ASSERT_EQUAL(attr->a.as_path.len, 6);
	/* the same result twice is the same interned set */
	{
		struct mesh_aset *r2 =
			mesh_policy_in(p, MESH_AFI_IP, &bp, attr);

		CU_ASSERT_PTR_EQUAL(r2, r);
		mesh_aset_unref(r2);
	}
	mesh_aset_unref(r);

	/* entry 20 permits without sets: the very same set comes back */
	bp = pfx("10.1.3.0/24");
	r = mesh_policy_in(p, MESH_AFI_IP, &bp, attr);
	CU_ASSERT_PTR_EQUAL(r, attr);
	mesh_aset_unref(r);

	/* the prefix-list denies outside 10.1.0.0/16 le 24 */
	bp = pfx("10.2.0.0/24");
	CU_ASSERT_PTR_NULL(mesh_policy_in(p, MESH_AFI_IP, &bp, attr));
	bp = pfx("10.1.2.0/25");
	CU_ASSERT_PTR_NULL(mesh_policy_in(p, MESH_AFI_IP, &bp, attr));

	/* outbound: entry 10 denies PL-LP, entry 20 adds 5 to the MED and
	 * removes the communities */
	bp = pfx("10.1.2.0/24");
	CU_ASSERT_PTR_NULL(mesh_policy_out(p, MESH_AFI_IP, &bp, attr));
	bp = pfx("10.9.0.0/16");
	r = mesh_policy_out(p, MESH_AFI_IP, &bp, attr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->a.med, 15);
	CU_ASSERT_FALSE(
		mesh_bgp_attr_present(&r->a, MESH_BGP_ATTR_COMMUNITIES));
	CU_ASSERT_EQUAL(r->a.communities.len, 0);
	mesh_aset_unref(r);

	/* IPv6: RM6 lowers the local preference by 20 */
	bp = pfx("2001:db8:100::/48");
	r = mesh_policy_in(p, MESH_AFI_IP6, &bp, attr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->a.local_pref, 80);
	mesh_aset_unref(r);
	bp = pfx("2001:db8:200::/48");
	CU_ASSERT_PTR_NULL(mesh_policy_in(p, MESH_AFI_IP6, &bp, attr));

	/* no policy: one more reference to the same set */
	bp = pfx("10.1.2.0/24");
	r = mesh_policy_in(peer_get("2001:db8::2"), MESH_AFI_IP, &bp, attr);
	CU_ASSERT_PTR_EQUAL(r, attr);
	mesh_aset_unref(r);

	/* a route-map edited later applies at once; a missing one denies */
	expect_ok("route-map RM-IN permit 10");
	expect_ok("set local-preference 300");
	expect_ok("exit");
	r = mesh_policy_in(p, MESH_AFI_IP, &bp, attr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->a.local_pref, 300);
	mesh_aset_unref(r);
	expect_ok("no route-map RM-IN");
	CU_ASSERT_PTR_NULL(mesh_policy_in(p, MESH_AFI_IP, &bp, attr));
	expect_ok("no ip prefix-list PL-IN");
	expect_ok("router mesh");
	expect_ok("address-family ipv4 unicast");
	expect_ok("no neighbor 10.0.0.2 route-map RM-IN in");
	/* the prefix-list is still named but gone: it denies too */
	CU_ASSERT_PTR_NULL(mesh_policy_in(p, MESH_AFI_IP, &bp, attr));
	expect_ok("no neighbor 10.0.0.2 prefix-list PL-IN in");
	r = mesh_policy_in(p, MESH_AFI_IP, &bp, attr);
	CU_ASSERT_PTR_EQUAL(r, attr);
	mesh_aset_unref(r);
	expect_ok("exit-address-family");

	mesh_aset_unref(attr);
}

/* ---- Removal ---- */

static void test_delete(void)
{
	expect_refused("no bgp local-as", "Remove the neighbors");
	expect_ok("no neighbor 10.0.0.2");
	CU_ASSERT_PTR_NULL(peer_get("10.0.0.2"));
	expect_ok("no neighbor 2001:db8::2 remote-as 65001");
	CU_ASSERT_PTR_NULL(peer_get("2001:db8::2"));
	expect_refused("no bgp local-as", "address families");
	expect_ok("no address-family ipv4 unicast");
	CU_ASSERT_FALSE(network_has(MESH_AFI_IP, "10.1.0.0/16"));
	expect_ok("no address-family ipv6");
	expect_ok("no bgp local-as");
	CU_ASSERT_PTR_NULL(mesh_bgp);

	expect_ok("do show running-config");
	CU_ASSERT_PTR_NULL(strstr(out, "neighbor"));
	CU_ASSERT_PTR_NULL(strstr(out, "address-family"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, " bgp listen port " TEST_PORT "\n"));
	expect_ok("no bgp listen port");
	expect_ok("no router mesh");
	CU_ASSERT_PTR_NULL(mesh);
}

int main(void)
{
	CU_pSuite suite;

	mesh_test_daemon_init();

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("meshd BGP configuration through the CLI", NULL,
			     NULL);
	CU_add_test(suite, "neighbors need the local AS", test_needs_local_as);
	CU_add_test(suite, "speaker settings", test_speaker);
	CU_add_test(suite, "graceful restart settings", test_graceful_restart);
	CU_add_test(suite, "speaker settings refused with a reason",
		    test_speaker_refusals);
	CU_add_test(suite, "neighbors", test_neighbors);
	CU_add_test(suite, "shutdown and its message", test_shutdown);
	CU_add_test(suite, "neighbor settings refused with a reason",
		    test_neighbor_refusals);
	CU_add_test(suite, "address families", test_address_families);
	CU_add_test(suite, "running-config", test_running_config);
	CU_add_test(suite, "saved configuration loads back", test_reload);
	CU_add_test(suite, "route-map and prefix-list commands",
		    test_route_map_config);
	CU_add_test(suite, "policies edit and filter routes", test_policy);
	CU_add_test(suite, "removal", test_delete);
	return mesh_test_run();
}
