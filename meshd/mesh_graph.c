// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd connectivity graph.
 *
 * Nodes live in a slot array (freed slots are reused) and are found by id
 * through an open-addressing hash (linear probing, backward-shift delete),
 * O(1) expected. Each node owns the array of links it advertises, sorted by
 * peer id so the reverse edge is found by binary search, and beside it the
 * compact arrays the path engine scans (struct mesh_graph_arc: peer slot
 * and both directions' costs; struct mesh_graph_arc_bw). A directed edge
 * A -> B is paired with B -> A when both ends advertise each other; only
 * paired edges whose both directions are up are usable by the SPF, and
 * only those have a head in the arc array. Every change that touches an
 * edge refreshes the arcs of both directions, so the engine never looks
 * at the advertisements.
 *
 * Node routes (mesh_graph_attr_apply) are counted per node; a second
 * hash maps each route key to its node. Memory is O(nodes + advertised
 * links + node routes).
 */

#include <zebra.h>

#include "lib/memory.h"

#include "meshd/meshd.h"
#include "meshd/mesh_graph.h"
#include "bgpd-ext/mesh_attr.h"

DEFINE_MTYPE_STATIC(MESHD, MESH_GRAPH, "Mesh graph");
DEFINE_MTYPE_STATIC(MESHD, MESH_GRAPH_NODES, "Mesh graph node table");
DEFINE_MTYPE_STATIC(MESHD, MESH_GRAPH_HASH, "Mesh graph hash");
DEFINE_MTYPE_STATIC(MESHD, MESH_GRAPH_LINKS, "Mesh graph links");

/* One node route: which node it carries. */
struct mesh_graph_route {
	uint64_t key;
	uint32_t node_id;
	bool used;
};

static inline uint32_t graph_hash(uint32_t id, uint32_t cap)
{
	return (id * 2654435761U) & (cap - 1);
}

static inline uint32_t route_hash(uint64_t key, uint32_t cap)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) & (cap - 1);
}

struct mesh_graph *mesh_graph_new(void)
{
	struct mesh_graph *g = XCALLOC(MTYPE_MESH_GRAPH, sizeof(*g));

	g->hash_cap = 16;
	g->hash =
		XCALLOC(MTYPE_MESH_GRAPH_HASH, g->hash_cap * sizeof(*g->hash));
	g->loss_us_per_pct = MESH_GRAPH_LOSS_US_PER_PCT;
	return g;
}

static void graph_node_links_free(struct mesh_graph_node *n)
{
	XFREE(MTYPE_MESH_GRAPH_LINKS, n->edges);
	XFREE(MTYPE_MESH_GRAPH_LINKS, n->arcs);
	XFREE(MTYPE_MESH_GRAPH_LINKS, n->arc_bw);
	n->n_edges = 0;
}

void mesh_graph_free(struct mesh_graph *g)
{
	if (!g)
		return;
	for (uint32_t i = 0; i < g->n_slots; i++)
		graph_node_links_free(&g->nodes[i]);
	XFREE(MTYPE_MESH_GRAPH_NODES, g->nodes);
	XFREE(MTYPE_MESH_GRAPH_NODES, g->free_slots);
	XFREE(MTYPE_MESH_GRAPH_HASH, g->hash);
	XFREE(MTYPE_MESH_GRAPH_HASH, g->routes);
	XFREE(MTYPE_MESH_GRAPH, g);
}

size_t mesh_graph_mem_bytes(const struct mesh_graph *g)
{
	size_t b = sizeof(*g) +
		   g->cap_slots * (sizeof(*g->nodes) + sizeof(uint32_t)) +
		   g->hash_cap * sizeof(*g->hash) +
		   g->routes_cap * sizeof(*g->routes);

	for (uint32_t i = 0; i < g->n_slots; i++)
		b += g->nodes[i].n_edges * (sizeof(struct mesh_graph_edge) +
					    sizeof(struct mesh_graph_arc) +
					    sizeof(struct mesh_graph_arc_bw));
	return b;
}

uint32_t mesh_graph_link_cost(const struct mesh_graph *g,
			      const struct mesh_link_adv *adv)
{
	uint64_t loss = adv->loss & 0xffffff;
	uint64_t c = adv->delay_us +
		     loss * 3 * (uint64_t)g->loss_us_per_pct / 1000000;

	if (c < 1)
		c = 1;
	if (c > MESH_GRAPH_COST_MAX)
		c = MESH_GRAPH_COST_MAX;
	return (uint32_t)c;
}

/* Refresh the engine's view of edge k of slot (and nothing else). */
static void graph_arc_sync(struct mesh_graph *g, uint32_t slot, uint32_t k)
{
	struct mesh_graph_node *n = &g->nodes[slot];
	const struct mesh_graph_edge *e = &n->edges[k];
	struct mesh_graph_arc *a = &n->arcs[k];
	struct mesh_graph_arc_bw *bw = &n->arc_bw[k];

	a->cost = e->cost;
	bw->fwd = e->adv.avail_bw;
	if (e->usable) {
		const struct mesh_graph_edge *r =
			&g->nodes[e->head].edges[e->rev];

		a->head = e->head;
		a->rcost = r->cost;
		bw->rev = r->adv.avail_bw;
	} else {
		a->head = MESH_GRAPH_NONE;
		a->rcost = 0;
		bw->rev = 0;
	}
}

/* Both directions of the pair that edge k of slot belongs to. */
static void graph_pair_sync(struct mesh_graph *g, uint32_t slot, uint32_t k)
{
	const struct mesh_graph_edge *e = &g->nodes[slot].edges[k];

	graph_arc_sync(g, slot, k);
	if (e->head != MESH_GRAPH_NONE)
		graph_arc_sync(g, e->head, e->rev);
}

void mesh_graph_set_loss_weight(struct mesh_graph *g, uint32_t us_per_pct)
{
	g->loss_us_per_pct = us_per_pct;
	for (uint32_t i = 0; i < g->n_slots; i++) {
		struct mesh_graph_node *n = &g->nodes[i];

		for (uint32_t k = 0; k < n->n_edges; k++)
			n->edges[k].cost =
				mesh_graph_link_cost(g, &n->edges[k].adv);
	}
	for (uint32_t i = 0; i < g->n_slots; i++)
		for (uint32_t k = 0; k < g->nodes[i].n_edges; k++)
			graph_arc_sync(g, i, k);
	g->topo_gen++;
}

uint32_t mesh_graph_lookup(const struct mesh_graph *g, uint32_t node_id)
{
	uint32_t mask = g->hash_cap - 1;

	for (uint32_t h = graph_hash(node_id, g->hash_cap);;
	     h = (h + 1) & mask) {
		uint32_t v = g->hash[h];

		if (v == 0)
			return MESH_GRAPH_NONE;
		if (g->nodes[v - 1].id == node_id)
			return v - 1;
	}
}

static void graph_hash_put(struct mesh_graph *g, uint32_t *tab, uint32_t cap,
			   uint32_t slot)
{
	uint32_t h = graph_hash(g->nodes[slot].id, cap);

	while (tab[h])
		h = (h + 1) & (cap - 1);
	tab[h] = slot + 1;
}

static void graph_hash_insert(struct mesh_graph *g, uint32_t slot)
{
	if ((g->n_nodes + 1) * 2 > g->hash_cap) {
		uint32_t cap = g->hash_cap * 2;
		uint32_t *tab =
			XCALLOC(MTYPE_MESH_GRAPH_HASH, cap * sizeof(*tab));

		for (uint32_t i = 0; i < g->hash_cap; i++)
			if (g->hash[i])
				graph_hash_put(g, tab, cap, g->hash[i] - 1);
		XFREE(MTYPE_MESH_GRAPH_HASH, g->hash);
		g->hash = tab;
		g->hash_cap = cap;
	}
	graph_hash_put(g, g->hash, g->hash_cap, slot);
}

static void graph_hash_delete(struct mesh_graph *g, uint32_t node_id)
{
	uint32_t mask = g->hash_cap - 1;
	uint32_t h = graph_hash(node_id, g->hash_cap);

	while (g->hash[h] && g->nodes[g->hash[h] - 1].id != node_id)
		h = (h + 1) & mask;
	if (!g->hash[h])
		return;
	/* Backward-shift deletion keeps probe chains intact. */
	for (uint32_t j = (h + 1) & mask; g->hash[j]; j = (j + 1) & mask) {
		uint32_t home =
			graph_hash(g->nodes[g->hash[j] - 1].id, g->hash_cap);

		if (((j - home) & mask) >= ((j - h) & mask)) {
			g->hash[h] = g->hash[j];
			h = j;
		}
	}
	g->hash[h] = 0;
}

uint32_t mesh_graph_find_edge(const struct mesh_graph *g, uint32_t tail,
			      uint32_t peer_id)
{
	const struct mesh_graph_node *n = &g->nodes[tail];
	uint32_t lo = 0, hi = n->n_edges;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		uint32_t p = n->edges[mid].adv.peer_id;

		if (p == peer_id)
			return mid;
		if (p < peer_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return MESH_GRAPH_NONE;
}

/* Unpair every edge of a node from its partner. */
static void graph_node_unpair(struct mesh_graph *g, uint32_t slot)
{
	struct mesh_graph_node *n = &g->nodes[slot];

	for (uint32_t k = 0; k < n->n_edges; k++) {
		struct mesh_graph_edge *e = &n->edges[k];

		if (e->head != MESH_GRAPH_NONE) {
			uint32_t h = e->head, r = e->rev;
			struct mesh_graph_edge *re = &g->nodes[h].edges[r];

			re->head = MESH_GRAPH_NONE;
			re->rev = MESH_GRAPH_NONE;
			re->usable = false;
			graph_arc_sync(g, h, r);
		}
		e->head = MESH_GRAPH_NONE;
		e->rev = MESH_GRAPH_NONE;
		e->usable = false;
		graph_arc_sync(g, slot, k);
	}
}

/* ---- node routes: route key -> node id ---- */

static uint32_t graph_route_find(const struct mesh_graph *g, uint64_t key)
{
	uint32_t mask = g->routes_cap - 1;

	if (!g->routes_cap)
		return MESH_GRAPH_NONE;
	for (uint32_t h = route_hash(key, g->routes_cap);; h = (h + 1) & mask) {
		if (!g->routes[h].used)
			return MESH_GRAPH_NONE;
		if (g->routes[h].key == key)
			return h;
	}
}

static void graph_route_put(struct mesh_graph_route *tab, uint32_t cap,
			    uint64_t key, uint32_t node_id)
{
	uint32_t h = route_hash(key, cap);

	while (tab[h].used)
		h = (h + 1) & (cap - 1);
	tab[h].key = key;
	tab[h].node_id = node_id;
	tab[h].used = true;
}

/* Rebuild the route hash at capacity cap, leaving out skip_node's. */
static void graph_route_rehash(struct mesh_graph *g, uint32_t cap,
			       uint32_t skip_node)
{
	struct mesh_graph_route *tab =
		XCALLOC(MTYPE_MESH_GRAPH_HASH, cap * sizeof(*tab));

	g->n_routes = 0;
	for (uint32_t i = 0; i < g->routes_cap; i++) {
		const struct mesh_graph_route *r = &g->routes[i];

		if (!r->used || (skip_node && r->node_id == skip_node))
			continue;
		graph_route_put(tab, cap, r->key, r->node_id);
		g->n_routes++;
	}
	XFREE(MTYPE_MESH_GRAPH_HASH, g->routes);
	g->routes = tab;
	g->routes_cap = cap;
}

static void graph_route_insert(struct mesh_graph *g, uint64_t key,
			       uint32_t node_id)
{
	if ((g->n_routes + 1) * 2 > g->routes_cap)
		graph_route_rehash(g, g->routes_cap ? g->routes_cap * 2 : 16,
				   0);
	graph_route_put(g->routes, g->routes_cap, key, node_id);
	g->n_routes++;
}

static void graph_route_delete(struct mesh_graph *g, uint32_t h)
{
	uint32_t mask = g->routes_cap - 1;

	for (uint32_t j = (h + 1) & mask; g->routes[j].used;
	     j = (j + 1) & mask) {
		uint32_t home = route_hash(g->routes[j].key, g->routes_cap);

		if (((j - home) & mask) >= ((j - h) & mask)) {
			g->routes[h] = g->routes[j];
			h = j;
		}
	}
	memset(&g->routes[h], 0, sizeof(g->routes[h]));
	g->n_routes--;
}

/* ---- nodes ---- */

static void graph_node_remove(struct mesh_graph *g, uint32_t slot)
{
	struct mesh_graph_node *n = &g->nodes[slot];

	graph_node_unpair(g, slot);
	graph_hash_delete(g, n->id);
	graph_node_links_free(n);
	memset(n, 0, sizeof(*n));
	g->free_slots[g->n_free++] = slot;
	g->n_nodes--;
	g->topo_gen++;
}

int mesh_graph_node_withdraw(struct mesh_graph *g, uint32_t node_id)
{
	uint32_t slot = mesh_graph_lookup(g, node_id);

	if (slot == MESH_GRAPH_NONE)
		return -1;
	if (g->nodes[slot].n_routes)
		graph_route_rehash(g, g->routes_cap, node_id);
	graph_node_remove(g, slot);
	return 0;
}

static int graph_link_cmp(const void *a, const void *b)
{
	const struct mesh_graph_edge *x = a, *y = b;

	if (x->adv.peer_id != y->adv.peer_id)
		return x->adv.peer_id < y->adv.peer_id ? -1 : 1;
	/* Stable w.r.t. input order: keep the first of duplicates. */
	return x->rev < y->rev ? -1 : (x->rev > y->rev);
}

static uint32_t graph_slot_alloc(struct mesh_graph *g)
{
	if (g->n_free)
		return g->free_slots[--g->n_free];
	if (g->n_slots == g->cap_slots) {
		uint32_t cap = g->cap_slots ? g->cap_slots * 2 : 16;

		g->nodes = XREALLOC(MTYPE_MESH_GRAPH_NODES, g->nodes,
				    cap * sizeof(*g->nodes));
		g->free_slots = XREALLOC(MTYPE_MESH_GRAPH_NODES, g->free_slots,
					 cap * sizeof(*g->free_slots));
		memset(&g->nodes[g->cap_slots], 0,
		       (cap - g->cap_slots) * sizeof(*g->nodes));
		g->cap_slots = cap;
	}
	return g->n_slots++;
}

int mesh_graph_node_update(struct mesh_graph *g, uint32_t node_id,
			   uint32_t tenant, uint32_t flags, uint64_t seqno,
			   const struct mesh_link_adv *links, size_t n)
{
	uint32_t slot = mesh_graph_lookup(g, node_id);
	struct mesh_graph_edge *edges = NULL;
	struct mesh_graph_node *node;
	uint32_t cnt = 0, w = 0;

	if (slot != MESH_GRAPH_NONE && seqno <= g->nodes[slot].seqno)
		return 0;

	if (n) {
		edges = XCALLOC(MTYPE_MESH_GRAPH_LINKS, n * sizeof(*edges));
		for (size_t i = 0; i < n; i++) {
			if (links[i].peer_id == node_id)
				continue;
			edges[cnt].adv = links[i];
			/* input order, for the sort */
			edges[cnt].rev = (uint32_t)i;
			cnt++;
		}
		qsort(edges, cnt, sizeof(*edges), graph_link_cmp);
		for (uint32_t i = 0; i < cnt; i++) {
			if (w &&
			    edges[w - 1].adv.peer_id == edges[i].adv.peer_id)
				continue;
			edges[w] = edges[i];
			edges[w].head = MESH_GRAPH_NONE;
			edges[w].rev = MESH_GRAPH_NONE;
			edges[w].usable = false;
			edges[w].cost = mesh_graph_link_cost(g, &edges[w].adv);
			w++;
		}
		cnt = w;
		if (cnt == 0)
			XFREE(MTYPE_MESH_GRAPH_LINKS, edges);
	}

	if (slot == MESH_GRAPH_NONE) {
		slot = graph_slot_alloc(g);
		g->nodes[slot].id = node_id;
		graph_hash_insert(g, slot);
		g->nodes[slot].in_use = true;
		g->n_nodes++;
	} else {
		graph_node_unpair(g, slot);
		graph_node_links_free(&g->nodes[slot]);
	}

	node = &g->nodes[slot];
	node->tenant = tenant;
	node->flags = flags;
	node->seqno = seqno;
	node->edges = edges;
	node->n_edges = cnt;
	if (cnt) {
		node->arcs = XCALLOC(MTYPE_MESH_GRAPH_LINKS,
				     cnt * sizeof(*node->arcs));
		node->arc_bw = XCALLOC(MTYPE_MESH_GRAPH_LINKS,
				       cnt * sizeof(*node->arc_bw));
	}

	/* Two-way check: pair with peers that list us. */
	for (uint32_t k = 0; k < cnt; k++) {
		struct mesh_graph_edge *e = &edges[k], *re;
		uint32_t peer = mesh_graph_lookup(g, e->adv.peer_id);
		uint32_t r = MESH_GRAPH_NONE;

		if (peer != MESH_GRAPH_NONE)
			r = mesh_graph_find_edge(g, peer, node_id);
		if (r == MESH_GRAPH_NONE) {
			graph_arc_sync(g, slot, k);
			continue;
		}
		re = &g->nodes[peer].edges[r];
		e->head = peer;
		e->rev = r;
		re->head = slot;
		re->rev = k;
		e->usable = re->usable = e->adv.up && re->adv.up;
		graph_pair_sync(g, slot, k);
	}
	g->topo_gen++;
	return 1;
}

static void graph_change_fill(struct mesh_graph_change *c, uint32_t tail,
			      uint32_t head, const struct mesh_graph_edge *old,
			      const struct mesh_graph_edge *e)
{
	c->tail = tail;
	c->head = head;
	c->old_cost = old->cost;
	c->new_cost = e->cost;
	c->old_avail_bw = old->adv.avail_bw;
	c->new_avail_bw = e->adv.avail_bw;
	c->old_usable = old->usable;
	c->new_usable = e->usable;
}

int mesh_graph_link_update(struct mesh_graph *g, uint32_t node_id,
			   uint32_t peer_id, const struct mesh_link_adv *adv,
			   struct mesh_graph_change out[2], size_t *n_out)
{
	uint32_t slot = mesh_graph_lookup(g, node_id);
	struct mesh_graph_edge *e, *r, old, rold;
	uint32_t pos;

	*n_out = 0;
	if (slot == MESH_GRAPH_NONE)
		return -1;
	pos = mesh_graph_find_edge(g, slot, peer_id);
	if (pos == MESH_GRAPH_NONE)
		return -1;
	e = &g->nodes[slot].edges[pos];
	old = *e;
	e->adv = *adv;
	e->adv.peer_id = peer_id;
	e->cost = mesh_graph_link_cost(g, &e->adv);
	g->metric_gen++;
	if (e->head == MESH_GRAPH_NONE) {
		graph_arc_sync(g, slot, pos);
		return 0; /* not paired: invisible to SPF */
	}

	r = &g->nodes[e->head].edges[e->rev];
	rold = *r;
	e->usable = r->usable = e->adv.up && r->adv.up;
	graph_pair_sync(g, slot, pos);
	if (old.cost != e->cost || old.usable != e->usable ||
	    old.adv.avail_bw != e->adv.avail_bw)
		graph_change_fill(&out[(*n_out)++], slot, e->head, &old, e);
	if (rold.usable != r->usable)
		graph_change_fill(&out[(*n_out)++], e->head, slot, &rold, r);
	return 0;
}

/* ---- feeding from mesh attributes ---- */

/* RFC 8571 bandwidth (binary32 bytes/s) in bits/s, saturating. */
static uint64_t graph_attr_bw(uint32_t bits)
{
	float f;

	memcpy(&f, &bits, sizeof(f));
	if (!(f > 0)) /* 0, negative, NaN: the decoder refuses the latter */
		return 0;
	if ((double)f * 8 >= 18446744073709551615.0)
		return UINT64_MAX;
	return (uint64_t)((double)f * 8);
}

static bool graph_attr_is_node(const struct mesh_attr *a)
{
	return a && a->version == MESH_ATTR_VERSION &&
	       (a->present & MESH_ATTR_HAS_ORIGINATOR) && a->originator &&
	       !(a->present & MESH_ATTR_HAS_PREFIX_OWNER) &&
	       a->n_links <= MESH_ATTR_MAX_LINKS;
}

/* The route at hash index h stops counting for its node. */
static enum mesh_graph_attr_result graph_route_detach(struct mesh_graph *g,
						      uint32_t h)
{
	uint32_t slot = mesh_graph_lookup(g, g->routes[h].node_id);

	graph_route_delete(g, h);
	if (slot == MESH_GRAPH_NONE)
		return MESH_GRAPH_ATTR_REMOVED; /* withdrawn by node id */
	if (g->nodes[slot].n_routes > 1) {
		g->nodes[slot].n_routes--;
		return MESH_GRAPH_ATTR_WITHDRAWN;
	}
	graph_node_remove(g, slot);
	return MESH_GRAPH_ATTR_REMOVED;
}

enum mesh_graph_attr_result mesh_graph_attr_apply(struct mesh_graph *g,
						  uint64_t route,
						  const struct mesh_attr *a,
						  bool announce)
{
	struct mesh_link_adv links[MESH_ATTR_MAX_LINKS];
	uint32_t h = graph_route_find(g, route), tenant, slot;
	uint64_t seq;
	int applied;

	if (!announce) {
		if (h == MESH_GRAPH_NONE)
			return MESH_GRAPH_ATTR_UNKNOWN;
		return graph_route_detach(g, h);
	}
	if (!graph_attr_is_node(a)) {
		if (h != MESH_GRAPH_NONE)
			graph_route_detach(g, h);
		return MESH_GRAPH_ATTR_INVALID;
	}
	if (h != MESH_GRAPH_NONE && g->routes[h].node_id != a->originator) {
		graph_route_detach(g, h);
		h = MESH_GRAPH_NONE;
	}

	for (uint16_t i = 0; i < a->n_links; i++) {
		const struct mesh_attr_link *l = &a->links[i];
		struct mesh_link_adv *x = &links[i];

		x->peer_id = l->neighbor;
		x->delay_us = l->delay_us & MESH_ATTR_U24_MAX;
		x->jitter_us = l->delay_var_us & MESH_ATTR_U24_MAX;
		x->loss = l->loss & MESH_ATTR_U24_MAX;
		if (x->loss > MESH_ATTR_LOSS_MAX)
			x->loss = MESH_ATTR_LOSS_MAX;
		x->max_bw = graph_attr_bw(l->max_bw_bits);
		x->avail_bw = graph_attr_bw(l->avail_bw_bits);
		x->up = (l->flags & MESH_ATTR_LINK_F_UP) != 0;
	}
	tenant = (a->present & MESH_ATTR_HAS_TENANT) ? a->tenant : 0;
	seq = (a->present & MESH_ATTR_HAS_SEQUENCE) ? a->sequence : 0;
	applied = mesh_graph_node_update(
		g, a->originator, tenant,
		tenant == 0 ? MESH_GRAPH_F_PROVIDER_TRANSIT : 0, seq, links,
		a->n_links);
	if (h == MESH_GRAPH_NONE) {
		slot = mesh_graph_lookup(g, a->originator);
		graph_route_insert(g, route, a->originator);
		g->nodes[slot].n_routes++;
	}
	return applied ? MESH_GRAPH_ATTR_UPDATED : MESH_GRAPH_ATTR_STALE;
}

const char *mesh_graph_attr_result_str(enum mesh_graph_attr_result r)
{
	switch (r) {
	case MESH_GRAPH_ATTR_UPDATED:
		return "updated";
	case MESH_GRAPH_ATTR_STALE:
		return "stale";
	case MESH_GRAPH_ATTR_WITHDRAWN:
		return "route withdrawn";
	case MESH_GRAPH_ATTR_REMOVED:
		return "node removed";
	case MESH_GRAPH_ATTR_UNKNOWN:
		return "unknown route";
	case MESH_GRAPH_ATTR_INVALID:
		return "not a node advertisement";
	}
	return "?";
}
