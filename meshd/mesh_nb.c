// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd northbound: the callback table of the frr-meshd module.
 *
 * Configuration callbacks live in mesh_nb_config.c, operational state in
 * mesh_nb_state.c and the CLI renderers in mesh_vty.c.
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
