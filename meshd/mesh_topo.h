// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd topology: connectivity graph from the RIB's node routes, path
 * computation behind a hold-down, and its show commands (mesh_topo.c).
 */
#ifndef MESH_TOPO_H
#define MESH_TOPO_H

#include "meshd/mesh_rib.h"

/* The selection of r changed (called from the RIB's decision batch). */
void mesh_topo_route_changed(const struct mesh_route *r);

/* The path engine's results, or NULL before the first run. */
struct mesh_spf_ctx;
const struct mesh_spf_ctx *mesh_topo_spf(void);

/* A path computation is scheduled and has not run yet. */
bool mesh_topo_spf_pending(void);

void mesh_topo_init(void);
void mesh_topo_terminate(void);

#endif /* MESH_TOPO_H */
