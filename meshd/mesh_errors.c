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
		.code = END_FERR,
	},
};
/* clang-format on */

void mesh_error_init(void)
{
	log_ref_add(ferr_mesh_err);
}
