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
		.code = EC_MESH_BGP_MALFORMED,
		.title = "Malformed BGP message received",
		.description = "A neighbor sent a BGP message that does not parse. meshd applied the RFC 7606 action named in the log line (attribute discard, treat-as-withdraw, AFI/SAFI disable or session reset) and logged the whole message.",
		.suggestion = "Report the hex dump in the log to the operator of the sending router; the treat-as-withdraw counter in 'show mesh bgp neighbors' shows how often it happens.",
	},
	{
		.code = EC_MESH_BGP_SESSION,
		.title = "BGP session error",
		.description = "A BGP session could not be established or was reset (socket, OPEN negotiation, hold timer).",
		.suggestion = "Check reachability, AS numbers, passwords and TTL security on both sides.",
	},
	{
		.code = EC_MESH_ATTR_SIGNATURE,
		.title = "Mesh attribute signature invalid",
		.description = "A mesh path attribute carried no signature, or one that does not verify with the mesh CA key. Reachability is kept, but the node's tunnel keys and endpoints are not used.",
		.suggestion = "Check that every node of the mesh is provisioned with keys signed by the same mesh CA.",
	},
	{
		.code = EC_MESH_ZEBRA,
		.title = "zebra communication error",
		.description = "A route or interface message to or from zebra failed.",
		.suggestion = "Check that zebra is running; meshd resends its routes when the session comes back.",
	},
	{
		.code = EC_MESH_TUNNEL,
		.title = "Tunnel error",
		.description = "A tunnel interface could not be created or configured.",
		.suggestion = "Check that wireguard-go (or the kernel WireGuard module) is available and that interface names are unique.",
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
