// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd northbound: configuration callbacks of frr-meshd.
 *
 * libyang has already checked types and ranges when these run. What the
 * model cannot say is checked at NB_EV_VALIDATE with a reason for the
 * operator; NB_EV_APPLY only copies into the instance and cannot fail.
 */
#include <zebra.h>

#include "lib/log.h"
#include "lib/printfrr.h"
#include "lib/northbound.h"
#include "lib/yang.h"

#include "meshd/meshd.h"
#include "meshd/mesh_bgp.h"
#include "meshd/mesh_debug.h"
#include "meshd/mesh_errors.h"
#include "meshd/mesh_nb.h"
#include "meshd/mesh_tunnel.h"

int mesh_router_create(struct nb_cb_create_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;

	mesh_instance_create();
	MESH_DEBUG(events, "router mesh created");
	return NB_OK;
}

int mesh_router_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;

	mesh_bgp_delete();
	mesh_instance_delete();
	mesh_tunnel_config_reset();
	MESH_DEBUG(events, "router mesh deleted");
	return NB_OK;
}

/* Runs once per commit that touched the instance. */
void mesh_router_apply_finish(struct nb_cb_apply_finish_args *args)
{
	if (mesh)
		mesh->config_changes++;
}

/*
 * The router ID is the BGP identifier (RFC 4271 4.2 and RFC 6286: a
 * non-zero 32-bit value) and the node's identity in the mesh graph, so
 * 0.0.0.0, multicast and the limited broadcast address are refused.
 */
int mesh_router_id_modify(struct nb_cb_modify_args *args)
{
	struct in_addr rid;

	yang_dnode_get_ipv4(&rid, args->dnode, NULL);

	switch (args->event) {
	case NB_EV_VALIDATE:
		if (rid.s_addr == INADDR_ANY ||
		    IN_MULTICAST(ntohl(rid.s_addr)) ||
		    rid.s_addr == INADDR_BROADCAST) {
			snprintfrr(args->errmsg, args->errmsg_len,
				   "router-id %pI4 is not usable: it must be a "
				   "unicast address other than 0.0.0.0",
				   &rid);
			flog_warn(EC_MESH_CONFIG, "%s", args->errmsg);
			return NB_ERR_VALIDATION;
		}
		return NB_OK;
	case NB_EV_PREPARE:
	case NB_EV_ABORT:
		return NB_OK;
	case NB_EV_APPLY:
		break;
	}

	mesh->router_id = rid;
	MESH_DEBUG(events, "router-id %pI4", &rid);
	/* The BGP identifier: every session restarts with it. */
	mesh_bgp_identity_changed();
	/* The node ID: tunnel names, addresses and the default key file. */
	mesh_tunnel_identity_changed();
	return NB_OK;
}

int mesh_router_id_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;

	mesh->router_id.s_addr = INADDR_ANY;
	mesh_bgp_identity_changed();
	mesh_tunnel_identity_changed();
	return NB_OK;
}

int mesh_mesh_id_modify(struct nb_cb_modify_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;

	mesh->mesh_id = yang_dnode_get_uint32(args->dnode, NULL);
	return NB_OK;
}

int mesh_mesh_id_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;

	mesh->mesh_id = 0;
	return NB_OK;
}

int mesh_role_modify(struct nb_cb_modify_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;

	mesh->role = yang_dnode_get_enum(args->dnode, NULL);
	return NB_OK;
}

int mesh_attribute_type_modify(struct nb_cb_modify_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;

	mesh->attr_type = yang_dnode_get_uint8(args->dnode, NULL);
	return NB_OK;
}
