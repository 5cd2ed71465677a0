// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd path engine: constrained shortest paths from the local IVN with a
 * precomputed backup per destination. See mesh_spf.c for the algorithms
 * and the exact guarantees.
 */

#ifndef _MESH_SPF_H
#define _MESH_SPF_H

#include "mesh_graph.h"

enum mesh_spf_reason {
	MESH_SPF_OK = 0,
	MESH_SPF_UNREACHABLE,	 /* no usable tunnels lead there */
	MESH_SPF_BANDWIDTH,	 /* reachable only below the bandwidth floor */
	MESH_SPF_HOP_LIMIT,	 /* best path is longer than max_hops */
	MESH_SPF_TENANT_TRANSIT, /* only via other tenants / foreign dst */
	/* backup: every feasible path to the destination starts with the
	 * primary's first tunnel */
	MESH_SPF_NO_DISJOINT,
	/* backup: other neighbours reach the destination, but each one's own
	 * primary path comes back through this node (forwarding loops) */
	MESH_SPF_NO_LFA,
	MESH_SPF_NOT_RUN, /* no SPF result / unknown destination */
};

/*
 * What the failover path avoids (see mesh_spf.c for the guarantee): it
 * never comes back to the source, so never uses the primary's first
 * tunnel; NODE: it also never visits the primary's first-hop node.
 */
enum mesh_spf_backup_kind {
	MESH_SPF_BACKUP_NONE = 0,
	MESH_SPF_BACKUP_NODE, /* avoids the primary's first-hop node */
	MESH_SPF_BACKUP_LINK, /* avoids only the primary's first tunnel */
};

struct mesh_spf_params {
	uint32_t src_id;
	/*
	 * Tenant whose traffic the tree is for. If use_src_tenant, the
	 * source node's own tenant is used (the normal case); a provider
	 * transit node forwarding for tenant T computes with tenant = T.
	 */
	uint32_t tenant;
	bool use_src_tenant;
	/* A destination of another tenant (not provider transit) is
	 * reachable only with this flag; it is never transited. */
	bool allow_foreign_dst;
	uint64_t min_avail_bw; /* edges with less available bw are pruned */
	uint32_t max_hops;     /* 0 = unlimited */
};

struct mesh_spf_route {
	uint32_t dst_id;
	enum mesh_spf_reason reason; /* primary status */
	uint64_t cost;
	uint32_t hops;
	uint32_t nexthop_id;
	enum mesh_spf_reason backup_reason; /* MESH_SPF_OK if a backup */
	enum mesh_spf_backup_kind backup_kind;
	/* The failover path shares no node but the two ends, and therefore
	 * no tunnel, with the primary; false: a loop-free alternate only. */
	bool backup_disjoint;
	uint64_t backup_cost;
	uint32_t backup_hops;
	uint32_t backup_nexthop_id;
};

enum mesh_spf_run_kind {
	MESH_SPF_RUN_NONE = 0,
	MESH_SPF_RUN_FULL,
	MESH_SPF_RUN_INCREMENTAL,
	MESH_SPF_RUN_SKIPPED, /* the changes altered no result */
};

/* Why a run is (or was) a full one. */
enum mesh_spf_full_reason {
	MESH_SPF_FULL_NONE = 0,	 /* not a full run */
	MESH_SPF_FULL_FIRST,	 /* no previous result */
	MESH_SPF_FULL_REQUESTED, /* caller asked (changes == NULL) */
	MESH_SPF_FULL_TOPOLOGY,	 /* node added, updated or withdrawn */
	MESH_SPF_FULL_PARAMS,	 /* constraints changed */
	MESH_SPF_FULL_CHANGES,	 /* more changes than MESH_SPF_INC_MAX */
};

/* Largest change set handled incrementally (directed edges). */
#define MESH_SPF_INC_MAX 32

/*
 * For `show mesh spf statistics`. Durations in microseconds, timestamps
 * in microseconds of CLOCK_MONOTONIC.
 */
struct mesh_spf_stats {
	uint64_t runs; /* = full + incremental + skipped */
	uint64_t runs_full;
	uint64_t runs_incremental;
	uint64_t runs_skipped;
	enum mesh_spf_run_kind last_kind;
	enum mesh_spf_full_reason last_full_reason; /* of the last full run */
	uint64_t last_start;		/* when the last run started */
	uint64_t last_usec;		/* duration of the last run */
	uint64_t last_full_usec;	/* of the last full run */
	uint64_t last_incremental_usec; /* of the last incremental run */
	uint64_t max_usec;
	uint64_t total_usec;   /* sum over all runs */
	uint32_t last_changes; /* change records given to the last run */
	uint32_t last_touched; /* destinations whose labels it changed */
	/* neighbour trees (one Dijkstra each) the last run computed; the
	 * others were kept from the run before */
	uint32_t last_nb_trees;
	uint64_t changes_pending; /* recorded with mesh_spf_changes_add() */
};

struct mesh_spf_ctx;

extern struct mesh_spf_ctx *mesh_spf_new(const struct mesh_spf_params *p);
extern void mesh_spf_free(struct mesh_spf_ctx *ctx);
/* Change constraints; the next run is a full one. */
extern void mesh_spf_set_params(struct mesh_spf_ctx *ctx,
				const struct mesh_spf_params *p);

/*
 * Recompute. changes/n are the records returned by mesh_graph_link_update()
 * since the previous run; changes == NULL asks for a full run, a non-NULL
 * empty list (n == 0) means nothing changed. A full run is also done when
 * the graph's topology generation moved (node update/withdraw), the
 * parameters changed, or more than MESH_SPF_INC_MAX records are given.
 * Results are the same as a full run's either way. Returns 0, or -1 if the
 * source node is not in the graph (then every destination reads
 * MESH_SPF_NOT_RUN). Clears changes recorded with mesh_spf_changes_add().
 */
extern int mesh_spf_run(struct mesh_spf_ctx *ctx, const struct mesh_graph *g,
			const struct mesh_graph_change *changes, size_t n);

/*
 * Change sets for a hold-down. Between runs, the caller records every
 * change of mesh_graph_link_update() with mesh_spf_changes_add() (more
 * than MESH_SPF_INC_MAX, or mesh_spf_changes_full(), turn the pending
 * set into "full run needed"; node updates are seen through the graph's
 * topology generation), asks mesh_spf_pending() how the next run would
 * go (e.g. to pick a short hold-down for an incremental run and a longer
 * one for a full run), and runs the set with mesh_spf_run_pending().
 */
extern void mesh_spf_changes_add(struct mesh_spf_ctx *ctx,
				 const struct mesh_graph_change *changes,
				 size_t n);
extern void mesh_spf_changes_full(struct mesh_spf_ctx *ctx);
/*
 * What mesh_spf_run_pending() would do now: MESH_SPF_RUN_NONE if nothing
 * is pending (no change recorded, graph topology unchanged, a result
 * exists), MESH_SPF_RUN_INCREMENTAL if the recorded changes allow an
 * incremental run (it may turn out to be SKIPPED), else MESH_SPF_RUN_FULL
 * with the reason in *why (may be NULL).
 */
extern enum mesh_spf_run_kind mesh_spf_pending(const struct mesh_spf_ctx *ctx,
					       const struct mesh_graph *g,
					       enum mesh_spf_full_reason *why);
/* Shorthand: mesh_spf_pending() == MESH_SPF_RUN_INCREMENTAL. */
extern bool mesh_spf_incremental_possible(const struct mesh_spf_ctx *ctx,
					  const struct mesh_graph *g);
/* Run with the recorded changes (a full run if so pending). */
extern int mesh_spf_run_pending(struct mesh_spf_ctx *ctx,
				const struct mesh_graph *g);

/* Result for one destination; returns 0, or -1 if dst is unknown. */
extern int mesh_spf_route_get(const struct mesh_spf_ctx *ctx, uint32_t dst_id,
			      struct mesh_spf_route *r);

/*
 * Node ids of the primary (backup == false) or backup path, source first,
 * destination last. The backup path is the failover path: the source, the
 * backup next hop, then that node's own primary path, which is the path
 * hop-by-hop forwarding takes (mesh_spf.c). Returns the path length in nodes (0
 * if none); writes at most max ids.
 */
extern size_t mesh_spf_path(const struct mesh_spf_ctx *ctx, uint32_t dst_id,
			    bool backup, uint32_t *ids, size_t max);

extern const struct mesh_spf_stats *
mesh_spf_get_stats(const struct mesh_spf_ctx *ctx);
extern const char *mesh_spf_reason_str(enum mesh_spf_reason r);
/* "disjoint", "loop-free alternate, node-protecting", "loop-free
 * alternate, link-protecting" or "none". */
extern const char *mesh_spf_backup_str(const struct mesh_spf_route *r);
extern const char *mesh_spf_run_kind_str(enum mesh_spf_run_kind k);
extern const char *mesh_spf_full_reason_str(enum mesh_spf_full_reason r);

/* Bytes currently held by a context (for the benchmark): O(nodes) plus
 * one tree (cost, hops, predecessor) per neighbour of the source. */
extern size_t mesh_spf_mem_bytes(const struct mesh_spf_ctx *ctx);

#endif /* _MESH_SPF_H */
