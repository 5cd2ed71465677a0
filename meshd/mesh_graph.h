// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd connectivity graph: IVNs (nodes) and tunnels (directed edges).
 *
 * The BGP side feeds the graph with the node routes it receives
 * (mesh_graph_attr_apply(): one decoded mesh attribute per node route,
 * announce or withdraw) or, below that, with one advertisement per node
 * (mesh_graph_node_update()); the path engine (mesh_spf.c) reads it.
 * Uses libfrr only for memory types.
 */

#ifndef _MESH_GRAPH_H
#define _MESH_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* bgpd-ext/mesh_attr.h: the decoded mesh attribute. */
struct mesh_attr;

#define MESH_GRAPH_NONE UINT32_MAX

/* Node flags. */
#define MESH_GRAPH_F_PROVIDER_TRANSIT 0x01 /* any tenant may transit it */

/* Largest per-edge SPF cost; larger values are clamped. */
#define MESH_GRAPH_COST_MAX 0x7fffffffU

/* Default loss penalty: microseconds of cost added per 1 % of loss. */
#define MESH_GRAPH_LOSS_US_PER_PCT 1000U

/*
 * One tunnel as advertised by its tail end (the advertising node): the
 * metrics describe the direction advertiser -> peer.
 */
struct mesh_link_adv {
	uint32_t peer_id;   /* node id of the far end */
	uint32_t delay_us;  /* one-way delay, microseconds */
	uint32_t jitter_us; /* delay variation, microseconds (not in cost) */
	uint32_t loss;	    /* RFC 8571 units of 0.000003 %, 24 bits */
	uint64_t max_bw;    /* bits/s */
	uint64_t avail_bw;  /* bits/s */
	bool up;
};

/*
 * Directed edge, stored in the edge array of its tail node, sorted by
 * peer id. It is "paired" when the peer exists and advertises the reverse
 * direction (two-way check); it is usable when paired and both directions
 * are advertised up.
 */
struct mesh_graph_edge {
	struct mesh_link_adv adv;
	uint32_t head; /* slot of the peer when paired, else NONE */
	uint32_t rev;  /* index of the reverse edge in head's array */
	uint32_t cost; /* SPF cost, see mesh_graph_link_cost() */
	bool usable;
};

/*
 * What the path engine reads in its inner loops, kept apart from the
 * advertisement so that a scan of a node's tunnels touches 12 bytes per
 * tunnel. arcs[k] and arc_bw[k] mirror edges[k] of the same node: head is
 * the peer's slot when the edge is usable, else MESH_GRAPH_NONE; cost is
 * the cost of tail -> head and rcost that of the reverse edge head ->
 * tail (the engine walks a node's incoming edges through them).
 */
struct mesh_graph_arc {
	uint32_t head;
	uint32_t cost;
	uint32_t rcost;
};

struct mesh_graph_arc_bw {
	uint64_t fwd; /* available bandwidth tail -> head, bits/s */
	uint64_t rev; /* head -> tail */
};

struct mesh_graph_node {
	uint32_t id;
	uint32_t tenant;
	uint32_t flags;
	uint32_t n_edges;
	uint64_t seqno;
	struct mesh_graph_arc *arcs;
	struct mesh_graph_arc_bw *arc_bw;
	struct mesh_graph_edge *edges;
	uint32_t n_routes; /* node routes held (mesh_graph_attr_apply) */
	bool in_use;
};

struct mesh_graph {
	struct mesh_graph_node *nodes; /* indexed by slot */
	uint32_t n_slots;	       /* slots ever used (high water) */
	uint32_t cap_slots;
	uint32_t n_nodes; /* slots in use */
	uint32_t *free_slots;
	uint32_t n_free;
	uint32_t *hash; /* open addressing: slot + 1, 0 = empty */
	uint32_t hash_cap;
	/* node routes: route key -> node id (mesh_graph_attr_apply) */
	struct mesh_graph_route *routes;
	uint32_t routes_cap, n_routes;
	uint32_t loss_us_per_pct;
	uint64_t topo_gen;   /* bumped by node update/withdraw */
	uint64_t metric_gen; /* bumped by link update */
};

/*
 * What one mesh_graph_link_update() changed, per directed edge. Passed to
 * mesh_spf_run() for incremental recomputation.
 */
struct mesh_graph_change {
	uint32_t tail, head; /* slots */
	uint32_t old_cost, new_cost;
	uint64_t old_avail_bw, new_avail_bw;
	bool old_usable, new_usable;
};

/* Allocation failures abort (FRR's XCALLOC), so these never fail. */
extern struct mesh_graph *mesh_graph_new(void);
extern void mesh_graph_free(struct mesh_graph *g);

/*
 * Loss penalty weight (microseconds per 1 % loss); recomputes all costs and
 * counts as a topology change (next SPF run is a full one).
 */
extern void mesh_graph_set_loss_weight(struct mesh_graph *g,
				       uint32_t us_per_pct);

/*
 * Edge cost: max(1, delay_us + loss * 3 * us_per_pct / 10^6), clamped to
 * MESH_GRAPH_COST_MAX. loss is in RFC 8571 units (0.000003 %), so
 * loss * 3 / 10^6 is the loss in percent. The cost is never 0.
 */
extern uint32_t mesh_graph_link_cost(const struct mesh_graph *g,
				     const struct mesh_link_adv *adv);

/*
 * Replace a node's advertisement. Applied only if the node is unknown or
 * seqno is strictly greater than the stored one: returns 1 if applied, 0 if
 * ignored as stale. Links to self and duplicate peers (all but the first)
 * are dropped. A node may advertise no links at all: it stays in the graph
 * (unreachable, with its sequence number) until withdrawn.
 */
extern int mesh_graph_node_update(struct mesh_graph *g, uint32_t node_id,
				  uint32_t tenant, uint32_t flags,
				  uint64_t seqno,
				  const struct mesh_link_adv *links, size_t n);

/*
 * Remove a node, its links and its sequence number; returns 0, or -1 if
 * unknown. Route keys of the node (mesh_graph_attr_apply) are forgotten.
 */
extern int mesh_graph_node_withdraw(struct mesh_graph *g, uint32_t node_id);

/*
 * Metric/state change of the link node_id -> peer_id (as advertised by
 * node_id; adv->peer_id is ignored). Writes up to two directed-edge changes
 * (the reverse edge changes when the up state flips) into out[] and their
 * number into *n_out (0 if nothing that matters to SPF changed). Returns 0,
 * or -1 if the node or link is unknown.
 */
extern int mesh_graph_link_update(struct mesh_graph *g, uint32_t node_id,
				  uint32_t peer_id,
				  const struct mesh_link_adv *adv,
				  struct mesh_graph_change out[2],
				  size_t *n_out);

/* Outcome of mesh_graph_attr_apply(). */
enum mesh_graph_attr_result {
	MESH_GRAPH_ATTR_UPDATED,   /* node added, or its links replaced */
	MESH_GRAPH_ATTR_STALE,	   /* sequence number not newer: links kept */
	MESH_GRAPH_ATTR_WITHDRAWN, /* route gone, node kept by other routes */
	MESH_GRAPH_ATTR_REMOVED,   /* the node's last route gone: node gone */
	MESH_GRAPH_ATTR_UNKNOWN,   /* withdraw of a route the graph lacks */
	MESH_GRAPH_ATTR_INVALID,   /* not a node advertisement (see below) */
};

/*
 * Apply one node route to the graph. route identifies the route for as
 * long as it exists (the caller's choice: e.g. the address of its RIB
 * entry, or a number derived from its prefix and peer); a node is present
 * while at least one route carries its advertisement.
 *
 * announce: a carries the node's attribute as decoded by
 * mesh_attr_decode() (MESH_ATTR_OK). The route is (re)attached to the
 * attribute's originator, leaving the node it carried before, if another.
 * A sequence number strictly greater than the node's (or a node not yet
 * known) replaces the node's tenant and links; an older or equal one
 * changes nothing but counts the route. Links are used only when both
 * ends advertise them and both say up (two-way check). Tenant ID 0 (or
 * no Tenant ID TLV) is the provider: such a node may carry transit for
 * any tenant. A missing Sequence Number TLV reads as 0.
 * An attribute that is not a node advertisement (other version, no or
 * zero Originator, a Prefix Owner TLV: that is an IVN prefix route) is
 * MESH_GRAPH_ATTR_INVALID and withdraws the route, as RFC 7606's
 * treat-as-withdraw would.
 *
 * withdraw (announce false): a may be NULL. The route stops counting for
 * its node; when it was the node's last, the node and its links go.
 *
 * Whether the graph changed (and an SPF run is due) is whether topo_gen
 * moved.
 */
extern enum mesh_graph_attr_result
mesh_graph_attr_apply(struct mesh_graph *g, uint64_t route,
		      const struct mesh_attr *a, bool announce);
extern const char *mesh_graph_attr_result_str(enum mesh_graph_attr_result r);

/* Slot of a node id, or MESH_GRAPH_NONE. */
extern uint32_t mesh_graph_lookup(const struct mesh_graph *g, uint32_t node_id);

/* Index of the edge tail -> peer_id in tail's array, or MESH_GRAPH_NONE. */
extern uint32_t mesh_graph_find_edge(const struct mesh_graph *g, uint32_t tail,
				     uint32_t peer_id);

/* Bytes held by the graph (for show output and the benchmark). */
extern size_t mesh_graph_mem_bytes(const struct mesh_graph *g);

static inline uint32_t mesh_graph_node_count(const struct mesh_graph *g)
{
	return g->n_nodes;
}

#endif /* _MESH_GRAPH_H */
