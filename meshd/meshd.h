// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd: the mesh instance.
 *
 * One 'router mesh' per daemon. The instance holds what the northbound
 * configured (identity, role, attribute type code) and the counters that
 * 'show mesh' reports. Subsystems (BGP speaker, graph, tunnels) hang off
 * it as they are added.
 */
#ifndef MESHD_H
#define MESHD_H

#include "lib/memory.h"
#include "lib/thread.h"

DECLARE_MGROUP(MESHD);

/* The attribute type code of the mesh path attribute unless configured:
 * 255 is "reserved for development" in IANA's BGP path attribute
 * registry. */
#define MESH_ATTR_TYPE_DEFAULT 255

enum mesh_role {
	MESH_ROLE_ENDPOINT = 0,
	MESH_ROLE_CONTROLLER = 1,
};

struct mesh_instance {
	struct in_addr router_id;
	uint32_t mesh_id;
	enum mesh_role role;
	uint8_t attr_type;

	time_t created;		 /* monotonic seconds at 'router mesh' */
	uint32_t config_changes; /* northbound applies since creation */
};

/* The instance, or NULL when 'router mesh' is not configured. */
extern struct mesh_instance *mesh;
extern struct thread_master *master;
extern struct zebra_privs_t mesh_privs;

struct mesh_instance *mesh_instance_create(void);
void mesh_instance_delete(void);
const char *mesh_role_name(enum mesh_role role);
void mesh_init(void);
void mesh_terminate(void);

#endif /* MESHD_H */
