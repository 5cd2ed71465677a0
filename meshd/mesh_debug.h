// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd debugging: one struct debug per category, each with its own
 * 'debug mesh <category>' command and configuration line.
 */
#ifndef MESH_DEBUG_H
#define MESH_DEBUG_H

#include "lib/debug.h"

extern struct debug mesh_dbg_events;
extern struct debug mesh_dbg_bgp;
extern struct debug mesh_dbg_updates;
extern struct debug mesh_dbg_spf;
extern struct debug mesh_dbg_tunnel;
extern struct debug mesh_dbg_zebra;

#define MESH_DEBUG(category, fmt, ...)                                         \
	do {                                                                   \
		if (DEBUG_MODE_CHECK(&mesh_dbg_##category, DEBUG_MODE_ALL))    \
			zlog_debug("mesh %s: " fmt, #category, ##__VA_ARGS__); \
	} while (0)

void mesh_debug_init(void);

#endif /* MESH_DEBUG_H */
