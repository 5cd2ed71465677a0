// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd CLI: configuration and show commands.
 */
#ifndef MESH_VTY_H
#define MESH_VTY_H

void mesh_vty_init(void);

#endif /* MESH_VTY_H */
