// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd CLI.
 *
 * Configuration commands are DEFPY_YANG: they only enqueue northbound
 * changes, so vtysh, frr-reload and the startup configuration all take
 * the same validated path. 'show running-config' is rendered from the
 * candidate data tree by the cli_show callbacks at the end of this file.
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/json.h"
#include "lib/monotime.h"
#include "lib/northbound_cli.h"
#include "lib/vty.h"
#include "lib/yang.h"

#include "meshd/meshd.h"
#include "meshd/mesh_nb.h"
#include "meshd/mesh_vty.h"

#define MESH_STR "Encrypted IVN mesh (meshd)\n"

#ifndef VTYSH_EXTRACT_PL
#include "meshd/mesh_vty_clippy.c"
#endif

/*
 * Enqueue one change after checking its value against the model. libfrr
 * 8.4 prints a value the model refuses but still returns success, which
 * would let 'vtysh -b' and scripts miss the error; checking here gives the
 * operator the model's own reason and a failing return code.
 */
int mesh_cli_enqueue(struct vty *vty, const char *xpath, enum nb_operation op,
		     const char *value)
{
	char abs_xpath[XPATH_MAXLEN];
	const struct nb_node *nb_node;

	if (value) {
		if (xpath[0] == '.' && vty->xpath_index > 0)
			snprintf(abs_xpath, sizeof(abs_xpath), "%s%s",
				 VTY_CURR_XPATH, xpath + 1);
		else
			strlcpy(abs_xpath, xpath, sizeof(abs_xpath));
		nb_node = nb_node_find(abs_xpath);
		if (nb_node && lyd_value_validate(ly_native_ctx, nb_node->snode,
						  value, strlen(value), NULL,
						  NULL, NULL) != LY_SUCCESS) {
			vty_out(vty, "%% %s\n", ly_errmsg(ly_native_ctx));
			return CMD_WARNING_CONFIG_FAILED;
		}
	}
	nb_cli_enqueue_change(vty, xpath, op, value);
	return CMD_SUCCESS;
}

DEFPY_YANG_NOSH(router_mesh, router_mesh_cmd, "router mesh",
		ROUTER_STR MESH_STR)
{
	int ret;

	nb_cli_enqueue_change(vty, MESH_XPATH, NB_OP_CREATE, NULL);
	ret = nb_cli_apply_changes(vty, NULL);
	if (ret == CMD_SUCCESS)
		VTY_PUSH_XPATH(MESH_NODE, MESH_XPATH);
	return ret;
}

DEFPY_YANG(no_router_mesh, no_router_mesh_cmd, "no router mesh",
	   NO_STR ROUTER_STR MESH_STR)
{
	nb_cli_enqueue_change(vty, MESH_XPATH, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(mesh_router_id, mesh_router_id_cmd, "router-id A.B.C.D$rid",
	   "Router ID of this mesh node (also its BGP identifier)\n"
	   "IPv4 address\n")
{
	if (mesh_cli_enqueue(vty, "./router-id", NB_OP_MODIFY, rid_str))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_mesh_router_id, no_mesh_router_id_cmd, "no router-id [A.B.C.D]",
	   NO_STR "Router ID of this mesh node (also its BGP identifier)\n"
		  "IPv4 address\n")
{
	nb_cli_enqueue_change(vty, "./router-id", NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(mesh_mesh_id, mesh_mesh_id_cmd, "mesh-id (0-4294967295)$id",
	   "Identifier of the mesh this node belongs to\n"
	   "Mesh identifier\n")
{
	if (mesh_cli_enqueue(vty, "./mesh-id", NB_OP_MODIFY, id_str))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_mesh_mesh_id, no_mesh_mesh_id_cmd, "no mesh-id [(0-4294967295)]",
	   NO_STR "Identifier of the mesh this node belongs to\n"
		  "Mesh identifier\n")
{
	nb_cli_enqueue_change(vty, "./mesh-id", NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(mesh_role, mesh_role_cmd, "role <endpoint|controller>$role",
	   "What this node does in the mesh\n"
	   "IVN endpoint agent (default)\n"
	   "Controller: route reflector and policy authority\n")
{
	if (mesh_cli_enqueue(vty, "./role", NB_OP_MODIFY, role))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_mesh_role, no_mesh_role_cmd, "no role [<endpoint|controller>]",
	   NO_STR "What this node does in the mesh\n"
		  "IVN endpoint agent (default)\n"
		  "Controller: route reflector and policy authority\n")
{
	nb_cli_enqueue_change(vty, "./role", NB_OP_MODIFY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(mesh_attribute_type, mesh_attribute_type_cmd,
	   "attribute-type (1-255)$code",
	   "BGP path attribute type code of the mesh attribute\n"
	   "Type code (default 255)\n")
{
	if (mesh_cli_enqueue(vty, "./attribute-type", NB_OP_MODIFY, code_str))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_mesh_attribute_type, no_mesh_attribute_type_cmd,
	   "no attribute-type [(1-255)]",
	   NO_STR "BGP path attribute type code of the mesh attribute\n"
		  "Type code (default 255)\n")
{
	nb_cli_enqueue_change(vty, "./attribute-type", NB_OP_MODIFY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY(show_mesh, show_mesh_cmd, "show mesh [json$json]",
      SHOW_STR MESH_STR JSON_STR)
{
	struct timeval now;
	json_object *js;

	if (!mesh) {
		if (json)
			vty_out(vty, "{}\n");
		else
			vty_out(vty, "%% router mesh is not configured\n");
		return CMD_SUCCESS;
	}

	monotime(&now);
	if (json) {
		js = json_object_new_object();
		json_object_string_addf(js, "routerId", "%pI4",
					&mesh->router_id);
		json_object_int_add(js, "meshId", mesh->mesh_id);
		json_object_string_add(js, "role", mesh_role_name(mesh->role));
		json_object_int_add(js, "attributeType", mesh->attr_type);
		json_object_int_add(js, "uptimeSecs",
				    now.tv_sec - mesh->created);
		json_object_int_add(js, "configChanges", mesh->config_changes);
		vty_json(vty, js);
		return CMD_SUCCESS;
	}

	vty_out(vty, "Mesh node %pI4, mesh %u\n", &mesh->router_id,
		mesh->mesh_id);
	if (mesh->router_id.s_addr == INADDR_ANY)
		vty_out(vty, "  Router ID not configured: the node is idle\n");
	vty_out(vty, "  Role: %s\n", mesh_role_name(mesh->role));
	vty_out(vty, "  Mesh attribute type code: %u\n", mesh->attr_type);
	vty_out(vty, "  Up %lld seconds, %u configuration changes\n",
		(long long)(now.tv_sec - mesh->created), mesh->config_changes);
	return CMD_SUCCESS;
}

void mesh_cli_show_router(struct vty *vty, const struct lyd_node *dnode,
			  bool show_defaults)
{
	vty_out(vty, "router mesh\n");
}

void mesh_cli_show_router_end(struct vty *vty, const struct lyd_node *dnode)
{
	vty_out(vty, "exit\n");
}

void mesh_cli_show_router_id(struct vty *vty, const struct lyd_node *dnode,
			     bool show_defaults)
{
	vty_out(vty, " router-id %s\n", yang_dnode_get_string(dnode, NULL));
}

void mesh_cli_show_mesh_id(struct vty *vty, const struct lyd_node *dnode,
			   bool show_defaults)
{
	vty_out(vty, " mesh-id %s\n", yang_dnode_get_string(dnode, NULL));
}

void mesh_cli_show_role(struct vty *vty, const struct lyd_node *dnode,
			bool show_defaults)
{
	if (show_defaults || !yang_dnode_is_default(dnode, NULL))
		vty_out(vty, " role %s\n", yang_dnode_get_string(dnode, NULL));
}

void mesh_cli_show_attribute_type(struct vty *vty, const struct lyd_node *dnode,
				  bool show_defaults)
{
	if (show_defaults || !yang_dnode_is_default(dnode, NULL))
		vty_out(vty, " attribute-type %s\n",
			yang_dnode_get_string(dnode, NULL));
}

static int mesh_config_write(struct vty *vty)
{
	const struct lyd_node *dnode;

	dnode = yang_dnode_get(running_config->dnode, MESH_XPATH);
	if (!dnode)
		return 0;
	nb_cli_show_dnode_cmds(vty, dnode, false);
	return 1;
}

static struct cmd_node mesh_node = {
	.name = "mesh",
	.node = MESH_NODE,
	.parent_node = CONFIG_NODE,
	.prompt = "%s(config-router-mesh)# ",
	.config_write = mesh_config_write,
};

/*
 * vtysh marks the start and the end of a configuration it feeds (at boot,
 * 'vtysh -b' or '-f'). While it lasts, a restarting speaker does not end
 * its route selection deferral: what the configuration would originate
 * (the node route, networks) is not there yet, and an End-of-RIB sent
 * without it would make the helpers drop it (RFC 4724 4.1).
 */
static bool config_reading;

bool mesh_config_reading(void)
{
	return config_reading;
}

static void mesh_config_start(void)
{
	config_reading = true;
}

static void mesh_config_end(void)
{
	config_reading = false;
	mesh_bgp_gr_check();
}

void mesh_vty_init(void)
{
	cmd_init_config_callbacks(mesh_config_start, mesh_config_end);
	install_node(&mesh_node);
	install_default(MESH_NODE);

	install_element(CONFIG_NODE, &router_mesh_cmd);
	install_element(CONFIG_NODE, &no_router_mesh_cmd);
	install_element(MESH_NODE, &mesh_router_id_cmd);
	install_element(MESH_NODE, &no_mesh_router_id_cmd);
	install_element(MESH_NODE, &mesh_mesh_id_cmd);
	install_element(MESH_NODE, &no_mesh_mesh_id_cmd);
	install_element(MESH_NODE, &mesh_role_cmd);
	install_element(MESH_NODE, &no_mesh_role_cmd);
	install_element(MESH_NODE, &mesh_attribute_type_cmd);
	install_element(MESH_NODE, &no_mesh_attribute_type_cmd);

	install_element(VIEW_NODE, &show_mesh_cmd);

	mesh_bgp_cli_init();
}
