// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd northbound: the frr-meshd YANG module's callbacks.
 */
#ifndef MESH_NB_H
#define MESH_NB_H

#include "lib/northbound.h"

#define MESH_XPATH "/frr-meshd:mesh/router"

extern const struct frr_yang_module_info frr_meshd_info;

/* mesh_nb_config.c */
int mesh_router_create(struct nb_cb_create_args *args);
int mesh_router_destroy(struct nb_cb_destroy_args *args);
int mesh_router_id_modify(struct nb_cb_modify_args *args);
int mesh_router_id_destroy(struct nb_cb_destroy_args *args);
int mesh_mesh_id_modify(struct nb_cb_modify_args *args);
int mesh_mesh_id_destroy(struct nb_cb_destroy_args *args);
int mesh_role_modify(struct nb_cb_modify_args *args);
int mesh_attribute_type_modify(struct nb_cb_modify_args *args);
void mesh_router_apply_finish(struct nb_cb_apply_finish_args *args);

/* mesh_nb_state.c */
struct yang_data *mesh_state_uptime_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *
mesh_state_config_changes_get_elem(struct nb_cb_get_elem_args *args);

/* mesh_vty.c: how each node reads in 'show running-config' */
void mesh_cli_show_router(struct vty *vty, const struct lyd_node *dnode,
			  bool show_defaults);
void mesh_cli_show_router_end(struct vty *vty, const struct lyd_node *dnode);
void mesh_cli_show_router_id(struct vty *vty, const struct lyd_node *dnode,
			     bool show_defaults);
void mesh_cli_show_mesh_id(struct vty *vty, const struct lyd_node *dnode,
			   bool show_defaults);
void mesh_cli_show_role(struct vty *vty, const struct lyd_node *dnode,
			bool show_defaults);
void mesh_cli_show_attribute_type(struct vty *vty, const struct lyd_node *dnode,
				  bool show_defaults);

#endif /* MESH_NB_H */
