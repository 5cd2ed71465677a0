// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd: main program.
 *
 * Everything but main() lives in libmesh.a so that unit tests link the
 * daemon's logic directly. Subsystems are initialised in dependency
 * order: errors and debugging first, then policy libraries, the
 * instance, and the CLI last.
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/filter.h"
#include "lib/getopt.h"
#include "lib/libfrr.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/plist.h"
#include "lib/privs.h"
#include "lib/routemap.h"
#include "lib/sigevent.h"
#include "lib/thread.h"
#include "lib/version.h"
#include "lib/vrf.h"

#include "meshd/meshd.h"
#include "meshd/mesh_debug.h"
#include "meshd/mesh_errors.h"
#include "meshd/mesh_nb.h"
#include "meshd/mesh_vty.h"
#include "meshd/mesh_bgp.h"
#include "meshd/mesh_rib.h"
#include "meshd/mesh_topo.h"
#include "meshd/mesh_tunnel.h"
#include "meshd/mesh_zebra.h"

#include <pwd.h>

#include "meshd/mesh_wg.h"

/* meshd's vty port: the next one free after FRR's daemons (2601-2622). */
#define MESH_VTY_PORT 2624

/* Declared in meshd.h: the BGP listen sockets raise privileges to bind
 * port 179. Unit tests linking libmesh.a define their own. */
static zebra_capabilities_t mesh_caps[] = {
	ZCAP_BIND, ZCAP_NET_RAW, ZCAP_NET_ADMIN,
	ZCAP_DAC_OVERRIDE, /* /dev/net/tun may be root's alone */
};

static zebra_capabilities_t mesh_caps_i[] = {
	ZCAP_NET_ADMIN,
};

struct zebra_privs_t mesh_privs = {
#if defined(FRR_USER) && defined(FRR_GROUP)
	.user = FRR_USER,
	.group = FRR_GROUP,
#endif
#if defined(VTY_GROUP)
	.vty_group = VTY_GROUP,
#endif
	.caps_p = mesh_caps,
	.cap_num_p = array_size(mesh_caps),
	/* wireguard-go is passed CAP_NET_ADMIN as an ambient capability. */
	.caps_i = mesh_caps_i,
	.cap_num_i = array_size(mesh_caps_i),
};

struct thread_master *master;

static struct frr_daemon_info meshd_di;

static void mesh_sighup(void)
{
	zlog_info("SIGHUP received, configuration is managed by vtysh");
}

static void __attribute__((noreturn)) mesh_sigint(void)
{
	zlog_notice("Terminating on signal");
	mesh_terminate();
	frr_fini();
	exit(0);
}

static void mesh_sigusr1(void)
{
	zlog_rotate();
}

static struct frr_signal_t mesh_signals[] = {
	{.signal = SIGHUP, .handler = &mesh_sighup},
	{.signal = SIGUSR1, .handler = &mesh_sigusr1},
	{.signal = SIGINT, .handler = &mesh_sigint},
	{.signal = SIGTERM, .handler = &mesh_sigint},
};

static const struct frr_yang_module_info *const mesh_yang_modules[] = {
	&frr_filter_info, &frr_route_map_info, &frr_bgp_route_map_mesh_info,
	&frr_vrf_info,	  &frr_meshd_info,
};

/* clang-format off */
FRR_DAEMON_INFO(meshd, MESH,
	.vty_port = MESH_VTY_PORT,
	.proghelp = "Encrypted, self-healing mesh between isolated virtual networks.",
	.signals = mesh_signals,
	.n_signals = array_size(mesh_signals),
	.privs = &mesh_privs,
	.yang_modules = mesh_yang_modules,
	.n_yang_modules = array_size(mesh_yang_modules),
);
/* clang-format on */

static const struct option mesh_longopts[] = {{0}};

/*
 * wireguard-go runs as the daemon's user once privileges are dropped and
 * puts its control socket into MESH_WG_SOCK_DIR: make the directory ours
 * while we are still root.
 */
static void mesh_wg_sockdir_prepare(void)
{
	struct passwd *pw = getpwnam(FRR_USER);

	if (geteuid() != 0)
		return;
	if (mkdir(MESH_WG_SOCK_DIR, 0750) < 0 && errno != EEXIST)
		return;
	if (pw && chown(MESH_WG_SOCK_DIR, pw->pw_uid, pw->pw_gid) < 0)
		zlog_warn("%s: chown: %s", MESH_WG_SOCK_DIR,
			  safe_strerror(errno));
}

int main(int argc, char **argv)
{
	frr_preinit(&meshd_di, argc, argv);
	frr_opt_add("", mesh_longopts, "");

	for (;;) {
		int opt = frr_getopt(argc, argv, NULL);

		if (opt == EOF)
			break;
		switch (opt) {
		case 0:
			break;
		default:
			frr_help_exit(1);
		}
	}

	mesh_wg_sockdir_prepare();
	master = frr_init();

	mesh_error_init();
	mesh_debug_init();
	access_list_init();
	prefix_list_init();
	route_map_init();
	vrf_init(NULL, NULL, NULL, NULL);
	mesh_init();
	mesh_rib_init();
	mesh_routemap_init();
	mesh_vty_init();
	mesh_bgp_vty_init();
	mesh_topo_init();
	mesh_tunnel_cli_init();
	mesh_tunnel_init();
	mesh_zebra_init();

	frr_config_fork();
	frr_run(master);

	/* not reached */
	return 0;
}
