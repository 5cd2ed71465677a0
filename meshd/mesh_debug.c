// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd debugging categories and their commands.
 *
 * The table below is the only place a category is listed: the command,
 * its help text, 'show debugging' and the configuration writer all walk
 * it.
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/debug.h"
#include "lib/log.h"
#include "lib/vty.h"

#include "meshd/mesh_debug.h"

struct debug mesh_dbg_events = {0, "Mesh instance events"};
struct debug mesh_dbg_bgp = {0, "Mesh BGP sessions"};
struct debug mesh_dbg_updates = {0, "Mesh BGP updates"};
struct debug mesh_dbg_spf = {0, "Mesh path computation"};
struct debug mesh_dbg_tunnel = {0, "Mesh tunnels and probes"};
struct debug mesh_dbg_zebra = {0, "Mesh zebra messages"};

static const struct {
	struct debug *dbg;
	const char *keyword;
} mesh_debugs[] = {
	{&mesh_dbg_events, "events"},	{&mesh_dbg_bgp, "bgp"},
	{&mesh_dbg_updates, "updates"}, {&mesh_dbg_spf, "spf"},
	{&mesh_dbg_tunnel, "tunnel"},	{&mesh_dbg_zebra, "zebra"},
};

static void mesh_debug_set_all(uint32_t flags, bool set)
{
	for (size_t i = 0; i < array_size(mesh_debugs); i++) {
		DEBUG_FLAGS_SET(mesh_debugs[i].dbg, flags, set);
		if (!DEBUG_MODE_CHECK(mesh_debugs[i].dbg, DEBUG_MODE_ALL))
			DEBUG_CLEAR(mesh_debugs[i].dbg);
	}
}

static int mesh_debug_write(struct vty *vty, uint32_t mode)
{
	int lines = 0;

	for (size_t i = 0; i < array_size(mesh_debugs); i++) {
		if (!DEBUG_MODE_CHECK(mesh_debugs[i].dbg, mode))
			continue;
		if (mode == DEBUG_MODE_CONF)
			vty_out(vty, "debug mesh %s\n", mesh_debugs[i].keyword);
		else
			vty_out(vty, "  %s debugging is on\n",
				mesh_debugs[i].dbg->desc);
		lines++;
	}
	return lines;
}

static int mesh_debug_config_write(struct vty *vty)
{
	return mesh_debug_write(vty, DEBUG_MODE_CONF);
}

#ifndef VTYSH_EXTRACT_PL
#include "meshd/mesh_debug_clippy.c"
#endif

DEFPY(debug_mesh, debug_mesh_cmd,
      "[no] debug mesh [<events|bgp|updates|spf|tunnel|zebra>$what]",
      NO_STR DEBUG_STR "Mesh (meshd) information\n"
		       "Instance and configuration events\n"
		       "BGP session state and messages\n"
		       "BGP updates received and sent\n"
		       "Path computation\n"
		       "Tunnels and their health probes\n"
		       "Messages to and from zebra\n")
{
	uint32_t mode = DEBUG_NODE2MODE(vty->node);

	for (size_t i = 0; i < array_size(mesh_debugs); i++)
		if (!what || strmatch(what, mesh_debugs[i].keyword))
			DEBUG_MODE_SET(mesh_debugs[i].dbg, mode, !no);
	return CMD_SUCCESS;
}

DEFUN_NOSH(show_debugging_mesh, show_debugging_mesh_cmd,
	   "show debugging [mesh]",
	   SHOW_STR DEBUG_STR "Mesh (meshd) information\n")
{
	vty_out(vty, "Mesh debugging status:\n");
	if (!mesh_debug_write(vty, DEBUG_MODE_ALL))
		vty_out(vty, "  none\n");
	return CMD_SUCCESS;
}

static struct cmd_node mesh_debug_node = {
	.name = "debug",
	.node = DEBUG_NODE,
	.prompt = "",
	.config_write = mesh_debug_config_write,
};

static struct debug_callbacks mesh_debug_cbs = {
	.debug_set_all = mesh_debug_set_all,
};

void mesh_debug_init(void)
{
	debug_init(&mesh_debug_cbs);
	install_node(&mesh_debug_node);
	install_element(ENABLE_NODE, &debug_mesh_cmd);
	install_element(CONFIG_NODE, &debug_mesh_cmd);
	install_element(ENABLE_NODE, &show_debugging_mesh_cmd);
}
