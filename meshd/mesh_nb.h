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

/* mesh_tunnel_nb.c: the endpoint agent */
int mesh_tunnel_leaf_modify(struct nb_cb_modify_args *args);
int mesh_tunnel_leaf_destroy(struct nb_cb_destroy_args *args);
int mesh_tunnel_neighbor_create(struct nb_cb_create_args *args);
void mesh_tunnel_apply_finish(struct nb_cb_apply_finish_args *args);
void mesh_cli_show_tunnel(struct vty *vty, const struct lyd_node *dnode,
			  bool show_defaults);
void mesh_tunnel_cli_init(void);

/* mesh_bgp_nb.c: the BGP speaker */
void mesh_bgp_apply_finish(struct nb_cb_apply_finish_args *args);
int mesh_bgp_local_as_modify(struct nb_cb_modify_args *args);
int mesh_bgp_local_as_destroy(struct nb_cb_destroy_args *args);
int mesh_bgp_cluster_id_modify(struct nb_cb_modify_args *args);
int mesh_bgp_cluster_id_destroy(struct nb_cb_destroy_args *args);
int mesh_bgp_listen_port_modify(struct nb_cb_modify_args *args);
int mesh_bgp_gr_enabled_modify(struct nb_cb_modify_args *args);
int mesh_bgp_gr_restart_time_modify(struct nb_cb_modify_args *args);
int mesh_bgp_gr_select_defer_time_modify(struct nb_cb_modify_args *args);
int mesh_bgp_timers_keepalive_modify(struct nb_cb_modify_args *args);
int mesh_bgp_timers_hold_time_modify(struct nb_cb_modify_args *args);
int mesh_bgp_neighbor_create(struct nb_cb_create_args *args);
int mesh_bgp_neighbor_destroy(struct nb_cb_destroy_args *args);
int mesh_bgp_neighbor_remote_as_modify(struct nb_cb_modify_args *args);
int mesh_bgp_neighbor_description_modify(struct nb_cb_modify_args *args);
int mesh_bgp_neighbor_description_destroy(struct nb_cb_destroy_args *args);
int mesh_bgp_neighbor_password_modify(struct nb_cb_modify_args *args);
int mesh_bgp_neighbor_password_destroy(struct nb_cb_destroy_args *args);
int mesh_bgp_neighbor_ttl_security_hops_modify(struct nb_cb_modify_args *args);
int mesh_bgp_neighbor_ttl_security_hops_destroy(
	struct nb_cb_destroy_args *args);
int mesh_bgp_neighbor_passive_modify(struct nb_cb_modify_args *args);
int mesh_bgp_neighbor_shutdown_modify(struct nb_cb_modify_args *args);
int mesh_bgp_neighbor_shutdown_message_modify(struct nb_cb_modify_args *args);
int mesh_bgp_neighbor_shutdown_message_destroy(struct nb_cb_destroy_args *args);
int mesh_bgp_neighbor_port_modify(struct nb_cb_modify_args *args);
int mesh_bgp_neighbor_timers_keepalive_modify(struct nb_cb_modify_args *args);
int mesh_bgp_neighbor_timers_keepalive_destroy(struct nb_cb_destroy_args *args);
int mesh_bgp_neighbor_timers_hold_time_modify(struct nb_cb_modify_args *args);
int mesh_bgp_neighbor_timers_hold_time_destroy(struct nb_cb_destroy_args *args);
int mesh_bgp_neighbor_timers_connect_retry_modify(
	struct nb_cb_modify_args *args);
int mesh_bgp_neighbor_advertisement_interval_modify(
	struct nb_cb_modify_args *args);
int mesh_bgp_neighbor_af_create(struct nb_cb_create_args *args);
int mesh_bgp_neighbor_af_destroy(struct nb_cb_destroy_args *args);
int mesh_bgp_neighbor_af_activate_modify(struct nb_cb_modify_args *args);
int mesh_bgp_neighbor_af_activate_destroy(struct nb_cb_destroy_args *args);
int mesh_bgp_neighbor_af_rr_client_modify(struct nb_cb_modify_args *args);
int mesh_bgp_neighbor_af_next_hop_self_modify(struct nb_cb_modify_args *args);
int mesh_bgp_neighbor_af_addpath_tx_modify(struct nb_cb_modify_args *args);
int mesh_bgp_neighbor_af_policy_modify(struct nb_cb_modify_args *args);
int mesh_bgp_neighbor_af_policy_destroy(struct nb_cb_destroy_args *args);
int mesh_bgp_af_create(struct nb_cb_create_args *args);
int mesh_bgp_af_destroy(struct nb_cb_destroy_args *args);
int mesh_bgp_network_create(struct nb_cb_create_args *args);
int mesh_bgp_network_destroy(struct nb_cb_destroy_args *args);
/* mesh_bgp.c: neighbor configuration strings (one memory type) */
struct mesh_peer;
void mesh_peer_cfg_str_set(char **field, const char *value);

/* mesh_routemap.c: bgpd's route-map module (frr-bgp-route-map) as meshd
 * implements it: set local-preference, as-path prepend, community */
extern const struct frr_yang_module_info frr_bgp_route_map_mesh_info;
/* Canonical text of a 'set community' argument (values sorted, well-known
 * ones by name, "additive" last); false if malformed. */
bool mesh_community_canon(const char *in, char *out, size_t outlen);

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

/* mesh_bgp_cli.c: the BGP speaker's commands and renderers */
void mesh_bgp_cli_init(void);
void mesh_bgp_rmap_cli_init(void);
void mesh_cli_show_bgp_local_as(struct vty *vty, const struct lyd_node *dnode,
				bool show_defaults);
void mesh_cli_show_bgp_cluster_id(struct vty *vty, const struct lyd_node *dnode,
				  bool show_defaults);
void mesh_cli_show_bgp_listen_port(struct vty *vty,
				   const struct lyd_node *dnode,
				   bool show_defaults);
void mesh_cli_show_bgp_timers(struct vty *vty, const struct lyd_node *dnode,
			      bool show_defaults);
void mesh_cli_show_bgp_gr(struct vty *vty, const struct lyd_node *dnode,
			  bool show_defaults);
void mesh_cli_show_bgp_neighbor(struct vty *vty, const struct lyd_node *dnode,
				bool show_defaults);
int mesh_cli_cmp_bgp_neighbor(const struct lyd_node *dnode1,
			      const struct lyd_node *dnode2);
void mesh_cli_show_bgp_af(struct vty *vty, const struct lyd_node *dnode,
			  bool show_defaults);
void mesh_cli_show_bgp_af_end(struct vty *vty, const struct lyd_node *dnode);
int mesh_cli_cmp_bgp_af(const struct lyd_node *dnode1,
			const struct lyd_node *dnode2);
void mesh_cli_show_bgp_network(struct vty *vty, const struct lyd_node *dnode,
			       bool show_defaults);

#endif /* MESH_NB_H */
