// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd and zebra: routes to remote IVN prefixes over the tunnels, each
 * with the primary path's first tunnel as next hop and the backup path's
 * first tunnel in ZAPI's backup next hops (mesh_zebra.c).
 */
#ifndef MESH_ZEBRA_H
#define MESH_ZEBRA_H

#include "lib/prefix.h"

/* Administrative distance of meshd's routes in zebra. */
#define MESH_ZEBRA_DISTANCE 15

/* An IVN prefix of node owner was selected, or lost (owner 0). */
void mesh_zebra_prefix_update(const struct prefix *p, uint32_t owner);

/* The path engine produced new results. */
void mesh_zebra_paths_changed(void);

/* A tunnel's probes changed their verdict: move routes off a failed
 * tunnel to their backup before anything else happens. */
void mesh_zebra_tunnel_changed(uint32_t peer, bool up);
/* The tunnel to peer moved to another interface (key rotation): the
 * routes through it name the new one. */
void mesh_zebra_tunnel_moved(uint32_t peer);

/* Graceful restart (mesh_bgp_gr.c): zebra keeps meshd's routes for
 * stale_time s once meshd is gone; after a restart they are stale from
 * update_pending() until update_complete(). */
void mesh_zebra_gr_capabilities(bool enabled, uint32_t stale_time);
void mesh_zebra_gr_update_pending(void);
void mesh_zebra_gr_update_complete(void);
bool mesh_zebra_gr_pending(void);

void mesh_zebra_init(void);
void mesh_zebra_terminate(void);

#endif /* MESH_ZEBRA_H */
