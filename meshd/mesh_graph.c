// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd connectivity graph.
 *
 * Nodes live in a slot array (freed slots are reused) and are found by id
 * through an open-addressing hash (linear probing, backward-shift delete),
 * O(1) expected. Each node owns the array of links it advertises, sorted by
 * peer id so the reverse edge is found by binary search. A directed edge
 * A -> B is paired with B -> A when both ends advertise each other; only
 * paired edges whose both directions are up are usable by the SPF. Memory
 * is O(nodes + advertised links).
 */

#include <stdlib.h>
#include <string.h>

#include "mesh_graph.h"

/* The lead maps these to XCALLOC/XREALLOC/XFREE with an MTYPE. */
#define MESH_GRAPH_ALLOC(n, sz) calloc((n), (sz))
#define MESH_GRAPH_REALLOC(p, sz) realloc((p), (sz))
#define MESH_GRAPH_FREE(p) free(p)

static inline uint32_t graph_hash(uint32_t id, uint32_t cap)
{
	return (id * 2654435761U) & (cap - 1);
}

struct mesh_graph *mesh_graph_new(void)
{
	struct mesh_graph *g = MESH_GRAPH_ALLOC(1, sizeof(*g));

	if (!g)
		return NULL;
	g->hash_cap = 16;
	g->hash = MESH_GRAPH_ALLOC(g->hash_cap, sizeof(*g->hash));
	if (!g->hash) {
		MESH_GRAPH_FREE(g);
		return NULL;
	}
	g->loss_us_per_pct = MESH_GRAPH_LOSS_US_PER_PCT;
	return g;
}

void mesh_graph_free(struct mesh_graph *g)
{
	if (!g)
		return;
	for (uint32_t i = 0; i < g->n_slots; i++)
		MESH_GRAPH_FREE(g->nodes[i].edges);
	MESH_GRAPH_FREE(g->nodes);
	MESH_GRAPH_FREE(g->free_slots);
	MESH_GRAPH_FREE(g->hash);
	MESH_GRAPH_FREE(g);
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

void mesh_graph_set_loss_weight(struct mesh_graph *g, uint32_t us_per_pct)
{
	g->loss_us_per_pct = us_per_pct;
	for (uint32_t i = 0; i < g->n_slots; i++) {
		struct mesh_graph_node *n = &g->nodes[i];

		for (uint32_t k = 0; k < n->n_edges; k++)
			n->edges[k].cost =
				mesh_graph_link_cost(g, &n->edges[k].adv);
	}
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

static int graph_hash_insert(struct mesh_graph *g, uint32_t slot)
{
	if ((g->n_nodes + 1) * 2 > g->hash_cap) {
		uint32_t cap = g->hash_cap * 2;
		uint32_t *tab = MESH_GRAPH_ALLOC(cap, sizeof(*tab));

		if (!tab)
			return -1;
		for (uint32_t i = 0; i < g->hash_cap; i++)
			if (g->hash[i])
				graph_hash_put(g, tab, cap, g->hash[i] - 1);
		MESH_GRAPH_FREE(g->hash);
		g->hash = tab;
		g->hash_cap = cap;
	}
	graph_hash_put(g, g->hash, g->hash_cap, slot);
	return 0;
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
			struct mesh_graph_edge *r =
				&g->nodes[e->head].edges[e->rev];

			r->head = MESH_GRAPH_NONE;
			r->rev = MESH_GRAPH_NONE;
			r->usable = false;
		}
		e->head = MESH_GRAPH_NONE;
		e->rev = MESH_GRAPH_NONE;
		e->usable = false;
	}
}

int mesh_graph_node_withdraw(struct mesh_graph *g, uint32_t node_id)
{
	uint32_t slot = mesh_graph_lookup(g, node_id);
	struct mesh_graph_node *n;

	if (slot == MESH_GRAPH_NONE)
		return -1;
	n = &g->nodes[slot];
	graph_node_unpair(g, slot);
	graph_hash_delete(g, node_id);
	MESH_GRAPH_FREE(n->edges);
	memset(n, 0, sizeof(*n));
	g->free_slots[g->n_free++] = slot;
	g->n_nodes--;
	g->topo_gen++;
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
		void *p = MESH_GRAPH_REALLOC(g->nodes, cap * sizeof(*g->nodes));
		void *f;

		if (!p)
			return MESH_GRAPH_NONE;
		g->nodes = p;
		f = MESH_GRAPH_REALLOC(g->free_slots,
				       cap * sizeof(*g->free_slots));
		if (!f)
			return MESH_GRAPH_NONE;
		g->free_slots = f;
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
	uint32_t cnt = 0;

	if (slot != MESH_GRAPH_NONE && seqno <= g->nodes[slot].seqno)
		return 0;
	if (n == 0) {
		if (slot != MESH_GRAPH_NONE)
			mesh_graph_node_withdraw(g, node_id);
		return 1;
	}

	edges = MESH_GRAPH_ALLOC(n, sizeof(*edges));
	if (!edges)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (links[i].peer_id == node_id)
			continue;
		edges[cnt].adv = links[i];
		edges[cnt].rev = (uint32_t)i; /* input order for the sort */
		cnt++;
	}
	qsort(edges, cnt, sizeof(*edges), graph_link_cmp);
	{
		uint32_t w = 0;

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
	}
	if (cnt == 0) {
		MESH_GRAPH_FREE(edges);
		if (slot != MESH_GRAPH_NONE)
			mesh_graph_node_withdraw(g, node_id);
		return 1;
	}

	if (slot == MESH_GRAPH_NONE) {
		slot = graph_slot_alloc(g);
		if (slot == MESH_GRAPH_NONE) {
			MESH_GRAPH_FREE(edges);
			return -1;
		}
		g->nodes[slot].id = node_id;
		if (graph_hash_insert(g, slot) < 0) {
			g->free_slots[g->n_free++] = slot;
			MESH_GRAPH_FREE(edges);
			return -1;
		}
		g->nodes[slot].in_use = true;
		g->n_nodes++;
	} else {
		graph_node_unpair(g, slot);
		MESH_GRAPH_FREE(g->nodes[slot].edges);
	}

	node = &g->nodes[slot];
	node->tenant = tenant;
	node->flags = flags;
	node->seqno = seqno;
	node->edges = edges;
	node->n_edges = cnt;

	/* Two-way check: pair with peers that list us. */
	for (uint32_t k = 0; k < cnt; k++) {
		struct mesh_graph_edge *e = &edges[k];
		uint32_t peer = mesh_graph_lookup(g, e->adv.peer_id);
		uint32_t r;

		if (peer == MESH_GRAPH_NONE)
			continue;
		r = mesh_graph_find_edge(g, peer, node_id);
		if (r == MESH_GRAPH_NONE)
			continue;
		struct mesh_graph_edge *re = &g->nodes[peer].edges[r];

		e->head = peer;
		e->rev = r;
		re->head = slot;
		re->rev = k;
		e->usable = re->usable = e->adv.up && re->adv.up;
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
	struct mesh_graph_edge *e, old, rold;
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
	if (e->head == MESH_GRAPH_NONE)
		return 0; /* not paired: invisible to SPF */

	struct mesh_graph_edge *r = &g->nodes[e->head].edges[e->rev];

	rold = *r;
	e->usable = r->usable = e->adv.up && r->adv.up;
	if (old.cost != e->cost || old.usable != e->usable ||
	    old.adv.avail_bw != e->adv.avail_bw)
		graph_change_fill(&out[(*n_out)++], slot, e->head, &old, e);
	if (rold.usable != r->usable)
		graph_change_fill(&out[(*n_out)++], e->head, slot, &rold, r);
	return 0;
}
