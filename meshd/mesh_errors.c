// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd error catalogue (title, description, suggestion per code).
 */
#include <zebra.h>

#include "lib/ferr.h"

#include "meshd/mesh_errors.h"

/* clang-format off */
static struct log_ref ferr_mesh_err[] = {
	{
		.code = EC_MESH_CONFIG,
		.title = "Mesh configuration refused",
		.description = "A configuration change for 'router mesh' was refused because it would leave the instance inconsistent.",
		.suggestion = "Read the reason given with the error and correct the command.",
	},
	{
		.code = EC_MESH_TUNNEL,
		.title = "Mesh tunnel failure",
		.description = "A tunnel could not be built or configured: wireguard-go did not start or refused its configuration, the interface could not be set up, the private key file or the mesh CA signing key could not be read, or two neighbors map to one UDP port.",
		.suggestion = "Read the reason logged with the error. Check that wireguard-go is installed, that key files are mode 0600 and owned by the daemon's user, and that 'show mesh tunnels' lists the node's key as accepted.",
	},
	{
		.code = END_FERR,
	},
};
/* clang-format on */

void mesh_error_init(void)
{
	log_ref_add(ferr_mesh_err);
}
