// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd connectivity graph: IVNs (nodes) and tunnels (directed edges).
 *
 * The BGP side feeds the graph with one advertisement per node (its
 * tunnels and their measured metrics); the path engine (mesh_spf.c) reads
 * it. No libfrr dependency.
 */

#ifndef _MESH_GRAPH_H
#define _MESH_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
 * Directed edge, stored in the adjacency array of its tail node, sorted by
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

struct mesh_graph_node {
	uint32_t id;
	uint32_t tenant;
	uint32_t flags;
	uint64_t seqno;
	struct mesh_graph_edge *edges;
	uint32_t n_edges;
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
 * ignored as stale, -1 on allocation failure. Links to self and duplicate
 * peers (all but the first) are dropped. An advertisement with no links
 * removes the node, exactly as mesh_graph_node_withdraw() (a node without
 * tunnels can be neither reached nor transited); its seqno is forgotten.
 */
extern int mesh_graph_node_update(struct mesh_graph *g, uint32_t node_id,
				  uint32_t tenant, uint32_t flags,
				  uint64_t seqno,
				  const struct mesh_link_adv *links, size_t n);

/* Remove a node and all its links; returns 0, or -1 if unknown. */
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

/* Slot of a node id, or MESH_GRAPH_NONE. */
extern uint32_t mesh_graph_lookup(const struct mesh_graph *g, uint32_t node_id);

/* Index of the edge tail -> peer_id in tail's array, or MESH_GRAPH_NONE. */
extern uint32_t mesh_graph_find_edge(const struct mesh_graph *g, uint32_t tail,
				     uint32_t peer_id);

static inline uint32_t mesh_graph_node_count(const struct mesh_graph *g)
{
	return g->n_nodes;
}

#endif /* _MESH_GRAPH_H */
