// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd northbound: operational state of frr-meshd
 * ('show yang operational-data /frr-meshd:mesh meshd').
 */
#include <zebra.h>

#include "lib/monotime.h"
#include "lib/northbound.h"
#include "lib/yang.h"

#include "meshd/meshd.h"
#include "meshd/mesh_nb.h"

struct yang_data *mesh_state_uptime_get_elem(struct nb_cb_get_elem_args *args)
{
	struct timeval now;

	if (!mesh)
		return NULL;
	monotime(&now);
	return yang_data_new_uint64(args->xpath, now.tv_sec - mesh->created);
}

struct yang_data *
mesh_state_config_changes_get_elem(struct nb_cb_get_elem_args *args)
{
	if (!mesh)
		return NULL;
	return yang_data_new_uint32(args->xpath, mesh->config_changes);
}
