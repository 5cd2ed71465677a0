// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd northbound: the callback table of the frr-meshd module.
 *
 * Configuration callbacks live in mesh_nb_config.c (the instance) and
 * mesh_bgp_nb.c (its BGP speaker), operational state in mesh_nb_state.c
 * and the CLI renderers in mesh_vty.c and mesh_bgp_cli.c.
 */
#include <zebra.h>

#include "lib/northbound.h"

#include "meshd/mesh_nb.h"

/* clang-format off */
const struct frr_yang_module_info frr_meshd_info = {
	.name = "frr-meshd",
	.nodes = {
		{
			.xpath = "/frr-meshd:mesh/router",
			.cbs = {
				.create = mesh_router_create,
				.destroy = mesh_router_destroy,
				.apply_finish = mesh_router_apply_finish,
				.cli_show = mesh_cli_show_router,
				.cli_show_end = mesh_cli_show_router_end,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/router-id",
			.cbs = {
				.modify = mesh_router_id_modify,
				.destroy = mesh_router_id_destroy,
				.cli_show = mesh_cli_show_router_id,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/mesh-id",
			.cbs = {
				.modify = mesh_mesh_id_modify,
				.destroy = mesh_mesh_id_destroy,
				.cli_show = mesh_cli_show_mesh_id,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/role",
			.cbs = {
				.modify = mesh_role_modify,
				.cli_show = mesh_cli_show_role,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/attribute-type",
			.cbs = {
				.modify = mesh_attribute_type_modify,
				.cli_show = mesh_cli_show_attribute_type,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp",
			.cbs = {
				.apply_finish = mesh_bgp_apply_finish,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/local-as",
			.cbs = {
				.modify = mesh_bgp_local_as_modify,
				.destroy = mesh_bgp_local_as_destroy,
				.cli_show = mesh_cli_show_bgp_local_as,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/cluster-id",
			.cbs = {
				.modify = mesh_bgp_cluster_id_modify,
				.destroy = mesh_bgp_cluster_id_destroy,
				.cli_show = mesh_cli_show_bgp_cluster_id,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/listen-port",
			.cbs = {
				.modify = mesh_bgp_listen_port_modify,
				.cli_show = mesh_cli_show_bgp_listen_port,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/graceful-restart",
			.cbs = {
				.cli_show = mesh_cli_show_bgp_gr,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/graceful-restart/enabled",
			.cbs = {
				.modify = mesh_bgp_gr_enabled_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/graceful-restart/restart-time",
			.cbs = {
				.modify = mesh_bgp_gr_restart_time_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/graceful-restart/select-defer-time",
			.cbs = {
				.modify = mesh_bgp_gr_select_defer_time_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/timers",
			.cbs = {
				.cli_show = mesh_cli_show_bgp_timers,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/timers/keepalive",
			.cbs = {
				.modify = mesh_bgp_timers_keepalive_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/timers/hold-time",
			.cbs = {
				.modify = mesh_bgp_timers_hold_time_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/neighbor",
			.cbs = {
				.create = mesh_bgp_neighbor_create,
				.destroy = mesh_bgp_neighbor_destroy,
				.cli_show = mesh_cli_show_bgp_neighbor,
				.cli_cmp = mesh_cli_cmp_bgp_neighbor,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/neighbor/remote-as",
			.cbs = {
				.modify = mesh_bgp_neighbor_remote_as_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/neighbor/description",
			.cbs = {
				.modify = mesh_bgp_neighbor_description_modify,
				.destroy = mesh_bgp_neighbor_description_destroy,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/neighbor/password",
			.cbs = {
				.modify = mesh_bgp_neighbor_password_modify,
				.destroy = mesh_bgp_neighbor_password_destroy,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/neighbor/ttl-security-hops",
			.cbs = {
				.modify = mesh_bgp_neighbor_ttl_security_hops_modify,
				.destroy = mesh_bgp_neighbor_ttl_security_hops_destroy,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/neighbor/passive",
			.cbs = {
				.modify = mesh_bgp_neighbor_passive_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/neighbor/shutdown",
			.cbs = {
				.modify = mesh_bgp_neighbor_shutdown_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/neighbor/shutdown-message",
			.cbs = {
				.modify = mesh_bgp_neighbor_shutdown_message_modify,
				.destroy = mesh_bgp_neighbor_shutdown_message_destroy,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/neighbor/port",
			.cbs = {
				.modify = mesh_bgp_neighbor_port_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/neighbor/timers/keepalive",
			.cbs = {
				.modify = mesh_bgp_neighbor_timers_keepalive_modify,
				.destroy = mesh_bgp_neighbor_timers_keepalive_destroy,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/neighbor/timers/hold-time",
			.cbs = {
				.modify = mesh_bgp_neighbor_timers_hold_time_modify,
				.destroy = mesh_bgp_neighbor_timers_hold_time_destroy,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/neighbor/timers/connect-retry",
			.cbs = {
				.modify = mesh_bgp_neighbor_timers_connect_retry_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/neighbor/advertisement-interval",
			.cbs = {
				.modify = mesh_bgp_neighbor_advertisement_interval_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/neighbor/address-family",
			.cbs = {
				.create = mesh_bgp_neighbor_af_create,
				.destroy = mesh_bgp_neighbor_af_destroy,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/neighbor/address-family/activate",
			.cbs = {
				.modify = mesh_bgp_neighbor_af_activate_modify,
				.destroy = mesh_bgp_neighbor_af_activate_destroy,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/neighbor/address-family/route-reflector-client",
			.cbs = {
				.modify = mesh_bgp_neighbor_af_rr_client_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/neighbor/address-family/next-hop-self",
			.cbs = {
				.modify = mesh_bgp_neighbor_af_next_hop_self_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/neighbor/address-family/addpath-tx-all-paths",
			.cbs = {
				.modify = mesh_bgp_neighbor_af_addpath_tx_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/neighbor/address-family/prefix-list/in",
			.cbs = {
				.modify = mesh_bgp_neighbor_af_policy_modify,
				.destroy = mesh_bgp_neighbor_af_policy_destroy,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/neighbor/address-family/prefix-list/out",
			.cbs = {
				.modify = mesh_bgp_neighbor_af_policy_modify,
				.destroy = mesh_bgp_neighbor_af_policy_destroy,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/neighbor/address-family/route-map/in",
			.cbs = {
				.modify = mesh_bgp_neighbor_af_policy_modify,
				.destroy = mesh_bgp_neighbor_af_policy_destroy,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/neighbor/address-family/route-map/out",
			.cbs = {
				.modify = mesh_bgp_neighbor_af_policy_modify,
				.destroy = mesh_bgp_neighbor_af_policy_destroy,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/address-family",
			.cbs = {
				.create = mesh_bgp_af_create,
				.destroy = mesh_bgp_af_destroy,
				.cli_show = mesh_cli_show_bgp_af,
				.cli_show_end = mesh_cli_show_bgp_af_end,
				.cli_cmp = mesh_cli_cmp_bgp_af,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/bgp/address-family/network",
			.cbs = {
				.create = mesh_bgp_network_create,
				.destroy = mesh_bgp_network_destroy,
				.cli_show = mesh_cli_show_bgp_network,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/tunnel",
			.cbs = {
				.apply_finish = mesh_tunnel_apply_finish,
				.cli_show = mesh_cli_show_tunnel,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/tunnel/neighbor",
			.cbs = {
				.create = mesh_tunnel_neighbor_create,
				.destroy = mesh_tunnel_leaf_destroy,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/tunnel/tenant",
			.cbs = {
				.modify = mesh_tunnel_leaf_modify,
				.destroy = mesh_tunnel_leaf_destroy,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/tunnel/ivn",
			.cbs = {
				.modify = mesh_tunnel_leaf_modify,
				.destroy = mesh_tunnel_leaf_destroy,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/tunnel/endpoint/address",
			.cbs = {
				.modify = mesh_tunnel_leaf_modify,
				.destroy = mesh_tunnel_leaf_destroy,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/tunnel/key-rotation",
			.cbs = {
				.modify = mesh_tunnel_leaf_modify,
				.destroy = mesh_tunnel_leaf_destroy,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/tunnel/key-file",
			.cbs = {
				.modify = mesh_tunnel_leaf_modify,
				.destroy = mesh_tunnel_leaf_destroy,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/tunnel/ca-public-key",
			.cbs = {
				.modify = mesh_tunnel_leaf_modify,
				.destroy = mesh_tunnel_leaf_destroy,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/tunnel/ca-signing-key-file",
			.cbs = {
				.modify = mesh_tunnel_leaf_modify,
				.destroy = mesh_tunnel_leaf_destroy,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/tunnel/neighbor/endpoint-address",
			.cbs = {
				.modify = mesh_tunnel_leaf_modify,
				.destroy = mesh_tunnel_leaf_destroy,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/tunnel/neighbor/endpoint-port",
			.cbs = {
				.modify = mesh_tunnel_leaf_modify,
				.destroy = mesh_tunnel_leaf_destroy,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/tunnel/endpoint/port",
			.cbs = {
				.modify = mesh_tunnel_leaf_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/tunnel/driver",
			.cbs = {
				.modify = mesh_tunnel_leaf_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/tunnel/full-mesh",
			.cbs = {
				.modify = mesh_tunnel_leaf_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/tunnel/max-tunnels",
			.cbs = {
				.modify = mesh_tunnel_leaf_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/tunnel/bandwidth",
			.cbs = {
				.modify = mesh_tunnel_leaf_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/tunnel/advertise-threshold",
			.cbs = {
				.modify = mesh_tunnel_leaf_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/tunnel/probe/interval",
			.cbs = {
				.modify = mesh_tunnel_leaf_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/tunnel/probe/down-after",
			.cbs = {
				.modify = mesh_tunnel_leaf_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/tunnel/probe/clock-synchronized",
			.cbs = {
				.modify = mesh_tunnel_leaf_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/tunnel/probe/up-after",
			.cbs = {
				.modify = mesh_tunnel_leaf_modify,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/state/uptime",
			.cbs = {
				.get_elem = mesh_state_uptime_get_elem,
			},
		},
		{
			.xpath = "/frr-meshd:mesh/router/state/config-changes",
			.cbs = {
				.get_elem = mesh_state_config_changes_get_elem,
			},
		},
		{
			.xpath = NULL,
		},
	},
};
/* clang-format on */
