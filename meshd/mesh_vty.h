// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd CLI: configuration and show commands.
 */
#ifndef MESH_VTY_H
#define MESH_VTY_H

#include "lib/northbound.h"
#include "lib/vty.h"

void mesh_vty_init(void);

/* vtysh is feeding a configuration (between its start and end markers,
 * as at boot or with 'vtysh -f'). */
bool mesh_config_reading(void);

/*
 * Enqueues one northbound change for the command being run after checking
 * value against the model (libfrr 8.4 would print the model's refusal yet
 * let the command succeed). Returns CMD_SUCCESS, or
 * CMD_WARNING_CONFIG_FAILED with the model's reason printed.
 */
int mesh_cli_enqueue(struct vty *vty, const char *xpath, enum nb_operation op,
		     const char *value);

#endif /* MESH_VTY_H */
