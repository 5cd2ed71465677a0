// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd: the mesh instance and the daemon's memory group.
 *
 * The instance is created and destroyed only by the northbound apply
 * callbacks (mesh_nb_config.c), so the running configuration and the
 * daemon's state cannot drift apart.
 */
#include <zebra.h>

#include "lib/memory.h"
#include "lib/monotime.h"

#include "meshd/meshd.h"
#include "meshd/mesh_tunnel.h"
#include "meshd/mesh_zebra.h"
#include "meshd/mesh_bgp.h"
#include "meshd/mesh_topo.h"

DEFINE_MGROUP(MESHD, "meshd");
DEFINE_MTYPE_STATIC(MESHD, MESH_INSTANCE, "Mesh instance");

struct mesh_instance *mesh;

static const char *const mesh_role_names[] = {
	[MESH_ROLE_ENDPOINT] = "endpoint",
	[MESH_ROLE_CONTROLLER] = "controller",
};

const char *mesh_role_name(enum mesh_role role)
{
	if ((size_t)role >= array_size(mesh_role_names))
		return "unknown";
	return mesh_role_names[role];
}

struct mesh_instance *mesh_instance_create(void)
{
	struct timeval now;

	if (mesh)
		return mesh;

	mesh = XCALLOC(MTYPE_MESH_INSTANCE, sizeof(*mesh));
	mesh->role = MESH_ROLE_ENDPOINT;
	mesh->attr_type = MESH_ATTR_TYPE_DEFAULT;
	monotime(&now);
	mesh->created = now.tv_sec;
	return mesh;
}

void mesh_instance_delete(void)
{
	XFREE(MTYPE_MESH_INSTANCE, mesh);
}

void mesh_init(void)
{
	mesh = NULL;
}

void mesh_terminate(void)
{
	/* Sessions end with Cease / administrative shutdown. */
	mesh_tunnel_terminate();
	mesh_bgp_delete();
	mesh_zebra_terminate();
	mesh_topo_terminate();
	mesh_instance_delete();
}
