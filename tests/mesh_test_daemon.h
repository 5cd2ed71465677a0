// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd's daemon set up in a test process the way mesh_main.c sets it up
 * (libfrr, the CLI, the northbound with meshd's YANG modules, the
 * subsystems), with one vty in enable mode for tests/mesh_test_vty.h.
 * The including file defines master and mesh_privs.
 */
#ifndef MESH_TEST_DAEMON_H
#define MESH_TEST_DAEMON_H

#include "lib/ferr.h"
#include "lib/filter.h"
#include "lib/lib_vty.h"
#include "lib/northbound.h"
#include "lib/plist.h"
#include "lib/privs.h"
#include "lib/routemap.h"
#include "lib/thread.h"

#include "meshd/meshd.h"
#include "meshd/mesh_bgp.h"
#include "meshd/mesh_debug.h"
#include "meshd/mesh_errors.h"
#include "meshd/mesh_nb.h"
#include "meshd/mesh_rib.h"
#include "meshd/mesh_vty.h"

#include "tests/mesh_test_vty.h"

static void mesh_test_daemon_init(void)
{
	static const struct frr_yang_module_info *const modules[] = {
		&frr_filter_info,
		&frr_route_map_info,
		&frr_bgp_route_map_mesh_info,
		&frr_meshd_info,
	};

	zprivs_preinit(&mesh_privs);
	zprivs_init(&mesh_privs);
	master = thread_master_create(NULL);
	log_ref_init();
	cmd_init(1);
	vty_init(master, false);
	lib_cmd_init();
	nb_init(master, modules, array_size(modules), false);
	mesh_error_init();
	mesh_debug_init();
	access_list_init();
	prefix_list_init();
	route_map_init();
	mesh_rib_init();
	mesh_routemap_init();
	mesh_init();
	mesh_vty_init();

	vty = vty_new();
	vty->type = VTY_SHELL;
	vty->node = ENABLE_NODE;
}

#endif /* MESH_TEST_DAEMON_H */
