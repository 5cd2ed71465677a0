// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd path engine.
 *
 * Metric. Edge cost = max(1, delay_us + loss_penalty) where
 * loss_penalty = loss * 3 * us_per_pct / 10^6 (loss in RFC 8571 units, so
 * us_per_pct microseconds per 1 % loss; default 1000), see
 * mesh_graph_link_cost(). Paths are compared lexicographically on
 * (cost, hops, id of the predecessor node): equal cost -> fewer hops ->
 * lower predecessor id. Every edge costs >= 1.
 *
 * Constraints (for tenant T = the source's tenant unless given):
 *  - bandwidth: edges with avail_bw < min_avail_bw are pruned;
 *  - tenant transit: an intermediate node must be of tenant T or flagged
 *    provider transit; a destination must be so too, unless
 *    allow_foreign_dst (then any node may be a destination, never transit);
 *  - hop limit: applied to the selected path. A destination whose best
 *    path (cost, then hops) has more than max_hops hops is reported
 *    MESH_SPF_HOP_LIMIT; we do not look for a costlier path with fewer hops
 *    (that is a resource-constrained problem which breaks subpath
 *    optimality and therefore hop-by-hop consistency). Same for backups.
 *
 * Primary: one-to-all Dijkstra from the source with a binary heap with
 * real decrease-key (position index per node).
 *
 * Loop freedom. Let every node compute with the same graph and the same
 * constraints (same tenant T, floor, flag). If X forwards to Y towards D,
 * Y is an intermediate node of X's path, hence allowed transit, so the
 * suffix Y..D of X's path is feasible for Y as well (the constraints do not
 * depend on the computing node: bandwidth is per edge, transit/destination
 * eligibility is per node for tenant T). Hence dist(Y,D) <= dist(X,D) -
 * cost(X,Y) < dist(X,D) because every cost is >= 1: distances strictly
 * decrease along the forwarding chain, which therefore cannot revisit a
 * node. The tie-break makes the choice deterministic (and the SPT a tree)
 * but loop freedom does not depend on it. With a hop limit, a node may lack
 * a route that its upstream has (a drop, never a loop). Note: a provider
 * transit node forwarding for tenant T must compute with tenant = T.
 *
 * Backup: what it guarantees, exactly. Let F be the primary's first-hop
 * node for destination D (so S -> F is the primary's first tunnel).
 *  - MESH_SPF_BACKUP_NODE (D != F): the cheapest feasible path from S to D
 *    that does not visit F at all. Chosen whenever one exists.
 *  - MESH_SPF_BACKUP_LINK: otherwise, the cheapest feasible path from S to
 *    D that does not use the tunnel S -> F (it may go through F later).
 *  - none: MESH_SPF_NO_DISJOINT (no feasible path avoids the tunnel
 *    S -> F), or MESH_SPF_HOP_LIMIT (the backup chosen as above has more
 *    than max_hops hops).
 * In both cases the backup's first hop differs from the primary's, so it
 * survives the failure of the primary's first tunnel (and of F, for NODE).
 * The backup is NOT guaranteed to be disjoint from the primary beyond the
 * first hop: it may share later nodes and links. This is first-hop
 * disjointness as fast reroute needs it, not Suurballe/Bhandari full-path
 * disjointness (computing the min-sum disjoint pair for every destination
 * would cost one Suurballe per destination). An RFC 5286 LFA is a path
 * S -> N -> ... -> D through a neighbour N != F that avoids S, so it never
 * uses S -> F: whenever an LFA exists, our LINK backup exists and is no
 * costlier. The LFA fallback is therefore subsumed and MESH_SPF_NO_LFA is
 * never produced. The backup is an explicit path; when forwarded
 * hop-by-hop after S's repair, its first hop uses its own primary.
 *
 * How backups for all destinations cost about one more Dijkstra. Group the
 * destinations by primary first hop: T_F = { v : nh(v) = F }. Nodes outside
 * T_F have tree paths avoiding F and the tunnel S -> F, so their labels are
 * unchanged in G - F. For v in T_F \ {F} the cheapest path avoiding F
 * leaves the outside for good at its last boundary edge (u -> x, u outside
 * T_F): replacing its prefix by u's tree path is no costlier. So one pass
 * over all edges seeds every node with its best boundary edge (excluding
 * S -> F), then ONE Dijkstra over all groups at once (only intra-group
 * edges, roots F excluded) gives every node-protecting label. F's own
 * link-protecting label is the best of its boundary seed and
 * (label(u) + cost(u,F)) for u in T_F, because the part of such a path
 * before reaching F avoids F. If v != F has no F-avoiding path, every path
 * avoiding S -> F passes F, and the cheapest is F's link label followed by
 * the tree path F -> v (the concatenation is simple, otherwise an
 * F-avoiding path would exist).
 *
 * Incremental. For one changed edge u -> v with effective cost (INF when
 * down or below the bandwidth floor) going from w to w':
 *  - worse, and u -> v is neither the primary tree edge nor the backup
 *    predecessor edge of v: nothing changes (skipped);
 *  - worse on the tree: only the subtree of v is invalidated, re-seeded from
 *    its boundary and re-run; better: Dijkstra restarted from v only if v
 *    improves (or wins a tie). Backups are then recomputed (one boundary
 *    pass + one Dijkstra, as above);
 *  - primary unchanged but the edge was or becomes a backup edge: backups
 *    recomputed.
 * Up to 8 changes that are all improvements (seeds of one Dijkstra) or all
 * degradations (union of the invalidated subtrees) are handled likewise, so
 * a tunnel going down or up (two directed edges) stays incremental. Mixed
 * changes, node updates or parameter changes give a full run. Results are
 * identical to a full run (tested).
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mesh_spf.h"

/* The lead maps these to XCALLOC/XFREE with an MTYPE. */
#define MESH_SPF_ALLOC(n, sz) calloc((n), (sz))
#define MESH_SPF_FREE(p) free(p)

#define INF UINT64_MAX
#define NONE MESH_GRAPH_NONE

/* Per-node flags. */
#define FL_TRANSIT 0x01 /* may be an intermediate node */
#define FL_DST 0x02	/* may be a destination */
#define FL_BBOUND 0x04	/* backup label comes from a boundary edge */
#define FL_MARK 0x08	/* in the invalidated subtree */
#define FL_SEEN 0x10	/* walked, not in the subtree */
#define FL_REACH 0x20	/* reason BFS: reachable ignoring constraints */
#define FL_REACHT 0x40	/* reason BFS: reachable with tenant rules */

/* Final backup kinds per node. */
enum { BK_NONE, BK_NODE, BK_ROOT, BK_VIA_ROOT };

struct spf_heap {
	uint32_t *a;
	uint32_t *pos; /* index + 1, 0 = not in heap */
	uint32_t n;
	const uint64_t *k;
	const uint32_t *k2;
};

struct mesh_spf_ctx {
	struct mesh_spf_params p;
	const struct mesh_graph *g;
	bool dirty;
	bool valid;
	uint64_t topo_gen;
	uint32_t n, cap;
	uint32_t src, tenant;
	uint64_t *d, *bd, *bc;
	uint32_t *h, *bh, *bhops, *pred, *bpred, *nh;
	uint32_t *stack;
	uint8_t *fl, *reason, *breason, *bkind;
	struct spf_heap heap;
	uint32_t n_unreached;
	struct mesh_spf_stats st;
};

/* ---- binary heap with decrease-key ---- */

static inline bool heap_less(const struct spf_heap *hp, uint32_t x, uint32_t y)
{
	if (hp->k[x] != hp->k[y])
		return hp->k[x] < hp->k[y];
	return hp->k2[x] < hp->k2[y];
}

static void heap_up(struct spf_heap *hp, uint32_t i)
{
	uint32_t x = hp->a[i];

	while (i > 0) {
		uint32_t p = (i - 1) / 2;

		if (!heap_less(hp, x, hp->a[p]))
			break;
		hp->a[i] = hp->a[p];
		hp->pos[hp->a[i]] = i + 1;
		i = p;
	}
	hp->a[i] = x;
	hp->pos[x] = i + 1;
}

static void heap_down(struct spf_heap *hp, uint32_t i)
{
	uint32_t x = hp->a[i];

	for (;;) {
		uint32_t l = 2 * i + 1, m;

		if (l >= hp->n)
			break;
		m = l;
		if (l + 1 < hp->n && heap_less(hp, hp->a[l + 1], hp->a[l]))
			m = l + 1;
		if (!heap_less(hp, hp->a[m], x))
			break;
		hp->a[i] = hp->a[m];
		hp->pos[hp->a[i]] = i + 1;
		i = m;
	}
	hp->a[i] = x;
	hp->pos[x] = i + 1;
}

/* Insert, or restore order after the key of x decreased. */
static inline void heap_update(struct spf_heap *hp, uint32_t x)
{
	if (hp->pos[x]) {
		heap_up(hp, hp->pos[x] - 1);
		return;
	}
	hp->a[hp->n++] = x;
	heap_up(hp, hp->n - 1);
}

static inline uint32_t heap_pop(struct spf_heap *hp)
{
	uint32_t x = hp->a[0];

	hp->pos[x] = 0;
	if (--hp->n) {
		hp->a[0] = hp->a[hp->n];
		heap_down(hp, 0);
	}
	return x;
}

/* Bulk build from the elements already in a[0..n). */
static void heap_build(struct spf_heap *hp)
{
	for (uint32_t i = 0; i < hp->n; i++)
		hp->pos[hp->a[i]] = i + 1;
	for (uint32_t i = hp->n / 2; i-- > 0;)
		heap_down(hp, i);
}

/* ---- helpers ---- */

static inline uint64_t spf_usec(const struct timespec *a,
				const struct timespec *b)
{
	return (uint64_t)(b->tv_sec - a->tv_sec) * 1000000 +
	       (uint64_t)((b->tv_nsec - a->tv_nsec) / 1000);
}

static inline bool spf_eligible(const struct mesh_spf_ctx *c,
				const struct mesh_graph_edge *e)
{
	return e->usable && e->adv.avail_bw >= c->p.min_avail_bw;
}

/* Is (cd, ch, via cp) strictly preferred over (od, oh, via op)? */
static inline bool spf_better(const struct mesh_spf_ctx *c, uint64_t cd,
			      uint32_t ch, uint32_t cp, uint64_t od,
			      uint32_t oh, uint32_t op)
{
	if (cd != od)
		return cd < od;
	if (ch != oh)
		return ch < oh;
	if (op == NONE)
		return true;
	return c->g->nodes[cp].id < c->g->nodes[op].id;
}

static inline bool spf_can_relax(const struct mesh_spf_ctx *c, uint32_t x)
{
	return x == c->src || (c->fl[x] & FL_TRANSIT);
}

static void spf_arrays_free(struct mesh_spf_ctx *c)
{
	MESH_SPF_FREE(c->d);
	MESH_SPF_FREE(c->bd);
	MESH_SPF_FREE(c->bc);
	MESH_SPF_FREE(c->h);
	MESH_SPF_FREE(c->bh);
	MESH_SPF_FREE(c->bhops);
	MESH_SPF_FREE(c->pred);
	MESH_SPF_FREE(c->bpred);
	MESH_SPF_FREE(c->nh);
	MESH_SPF_FREE(c->stack);
	MESH_SPF_FREE(c->fl);
	MESH_SPF_FREE(c->reason);
	MESH_SPF_FREE(c->breason);
	MESH_SPF_FREE(c->bkind);
	MESH_SPF_FREE(c->heap.a);
	MESH_SPF_FREE(c->heap.pos);
	c->d = c->bd = c->bc = NULL;
	c->h = c->bh = c->bhops = c->pred = c->bpred = c->nh = NULL;
	c->stack = c->heap.a = c->heap.pos = NULL;
	c->fl = c->reason = c->breason = c->bkind = NULL;
	c->cap = 0;
}

static int spf_arrays_alloc(struct mesh_spf_ctx *c, uint32_t n)
{
	if (n <= c->cap && c->d)
		return 0;
	spf_arrays_free(c);
	if (n == 0)
		n = 1;
	c->d = MESH_SPF_ALLOC(n, sizeof(uint64_t));
	c->bd = MESH_SPF_ALLOC(n, sizeof(uint64_t));
	c->bc = MESH_SPF_ALLOC(n, sizeof(uint64_t));
	c->h = MESH_SPF_ALLOC(n, sizeof(uint32_t));
	c->bh = MESH_SPF_ALLOC(n, sizeof(uint32_t));
	c->bhops = MESH_SPF_ALLOC(n, sizeof(uint32_t));
	c->pred = MESH_SPF_ALLOC(n, sizeof(uint32_t));
	c->bpred = MESH_SPF_ALLOC(n, sizeof(uint32_t));
	c->nh = MESH_SPF_ALLOC(n, sizeof(uint32_t));
	c->stack = MESH_SPF_ALLOC(n, sizeof(uint32_t));
	c->fl = MESH_SPF_ALLOC(n, 1);
	c->reason = MESH_SPF_ALLOC(n, 1);
	c->breason = MESH_SPF_ALLOC(n, 1);
	c->bkind = MESH_SPF_ALLOC(n, 1);
	c->heap.a = MESH_SPF_ALLOC(n, sizeof(uint32_t));
	c->heap.pos = MESH_SPF_ALLOC(n, sizeof(uint32_t));
	if (!c->d || !c->bd || !c->bc || !c->h || !c->bh || !c->bhops ||
	    !c->pred || !c->bpred || !c->nh || !c->stack || !c->fl ||
	    !c->reason || !c->breason || !c->bkind || !c->heap.a ||
	    !c->heap.pos) {
		spf_arrays_free(c);
		return -1;
	}
	c->cap = n;
	return 0;
}

/* ---- primary ---- */

/* Run the primary Dijkstra on what is in the heap. */
static void spf_primary(struct mesh_spf_ctx *c, bool only_marked)
{
	const struct mesh_graph *g = c->g;
	struct spf_heap *hp = &c->heap;

	hp->k = c->d;
	hp->k2 = c->h;
	while (hp->n) {
		uint32_t x = heap_pop(hp);
		const struct mesh_graph_node *nx = &g->nodes[x];

		if (!spf_can_relax(c, x))
			continue;
		for (uint32_t k = 0; k < nx->n_edges; k++) {
			const struct mesh_graph_edge *e = &nx->edges[k];
			uint32_t y = e->head;
			uint64_t cd;

			if (!spf_eligible(c, e) || y == c->src ||
			    !(c->fl[y] & FL_DST))
				continue;
			if (only_marked && !(c->fl[y] & FL_MARK))
				continue;
			cd = c->d[x] + e->cost;
			if (!spf_better(c, cd, c->h[x] + 1, x, c->d[y], c->h[y],
					c->pred[y]))
				continue;
			c->d[y] = cd;
			c->h[y] = c->h[x] + 1;
			c->pred[y] = x;
			heap_update(hp, y);
		}
	}
}

/* First hop of every labelled node, memoised along the tree. */
static void spf_compute_nh(struct mesh_spf_ctx *c)
{
	for (uint32_t x = 0; x < c->n; x++)
		c->nh[x] = NONE;
	for (uint32_t x = 0; x < c->n; x++) {
		uint32_t y = x, sp = 0, f;

		if (x == c->src || c->d[x] == INF || c->nh[x] != NONE)
			continue;
		while (c->nh[y] == NONE && c->pred[y] != c->src) {
			c->stack[sp++] = y;
			y = c->pred[y];
		}
		f = c->nh[y] != NONE ? c->nh[y] : y;
		c->nh[y] = f;
		while (sp)
			c->nh[c->stack[--sp]] = f;
	}
}

/* ---- backups ---- */

static void spf_backup(struct mesh_spf_ctx *c)
{
	const struct mesh_graph *g = c->g;
	struct spf_heap *hp = &c->heap;

	for (uint32_t x = 0; x < c->n; x++) {
		c->bd[x] = INF;
		c->bh[x] = 0;
		c->bpred[x] = NONE;
		c->fl[x] &= ~FL_BBOUND;
	}

	/* Boundary seeds: edges entering a group from outside it. */
	for (uint32_t u = 0; u < c->n; u++) {
		const struct mesh_graph_node *nu = &g->nodes[u];

		if (c->d[u] == INF || !spf_can_relax(c, u))
			continue;
		for (uint32_t k = 0; k < nu->n_edges; k++) {
			const struct mesh_graph_edge *e = &nu->edges[k];
			uint32_t y = e->head;
			uint64_t cd;

			if (!spf_eligible(c, e) || y == c->src ||
			    c->d[y] == INF)
				continue;
			if (u == c->src ? y == c->nh[y] : c->nh[u] == c->nh[y])
				continue;
			cd = c->d[u] + e->cost;
			if (!spf_better(c, cd, c->h[u] + 1, u, c->bd[y],
					c->bh[y], c->bpred[y]))
				continue;
			c->bd[y] = cd;
			c->bh[y] = c->h[u] + 1;
			c->bpred[y] = u;
			c->fl[y] |= FL_BBOUND;
		}
	}

	/* One Dijkstra over all groups, roots excluded. */
	hp->k = c->bd;
	hp->k2 = c->bh;
	hp->n = 0;
	for (uint32_t x = 0; x < c->n; x++)
		if (c->bd[x] != INF && c->nh[x] != x)
			hp->a[hp->n++] = x;
	heap_build(hp);
	while (hp->n) {
		uint32_t x = heap_pop(hp);
		const struct mesh_graph_node *nx = &g->nodes[x];

		if (!spf_can_relax(c, x))
			continue;
		for (uint32_t k = 0; k < nx->n_edges; k++) {
			const struct mesh_graph_edge *e = &nx->edges[k];
			uint32_t y = e->head;
			uint64_t cd;

			if (!spf_eligible(c, e) || y == c->src ||
			    c->d[y] == INF || c->nh[y] != c->nh[x])
				continue;
			cd = c->bd[x] + e->cost;
			if (!spf_better(c, cd, c->bh[x] + 1, x, c->bd[y],
					c->bh[y], c->bpred[y]))
				continue;
			c->bd[y] = cd;
			c->bh[y] = c->bh[x] + 1;
			c->bpred[y] = x;
			c->fl[y] &= ~FL_BBOUND;
			if (y != c->nh[y])
				heap_update(hp, y);
		}
	}
}

/* ---- reasons ---- */

static void spf_bfs(struct mesh_spf_ctx *c, uint8_t bit, bool tenant)
{
	const struct mesh_graph *g = c->g;
	uint32_t head = 0, tail = 0;

	c->fl[c->src] |= bit;
	c->stack[tail++] = c->src;
	while (head < tail) {
		uint32_t x = c->stack[head++];
		const struct mesh_graph_node *nx = &g->nodes[x];

		if (tenant && !spf_can_relax(c, x))
			continue;
		for (uint32_t k = 0; k < nx->n_edges; k++) {
			const struct mesh_graph_edge *e = &nx->edges[k];
			uint32_t y = e->head;

			if (!e->usable || (c->fl[y] & bit))
				continue;
			if (tenant && !(c->fl[y] & FL_DST))
				continue;
			c->fl[y] |= bit;
			c->stack[tail++] = y;
		}
	}
}

static void spf_reasons(struct mesh_spf_ctx *c)
{
	spf_bfs(c, FL_REACH, false);
	spf_bfs(c, FL_REACHT, true);
	for (uint32_t x = 0; x < c->n; x++) {
		uint8_t f = c->fl[x];

		if (!c->g->nodes[x].in_use || x == c->src || c->d[x] != INF)
			continue;
		if (!(f & FL_DST))
			c->reason[x] = MESH_SPF_TENANT_TRANSIT;
		else if (!(f & FL_REACH))
			c->reason[x] = MESH_SPF_UNREACHABLE;
		else if (f & FL_REACHT)
			c->reason[x] = MESH_SPF_BANDWIDTH;
		else
			c->reason[x] = MESH_SPF_TENANT_TRANSIT;
		c->breason[x] = c->reason[x];
	}
	for (uint32_t x = 0; x < c->n; x++)
		c->fl[x] &= ~(FL_REACH | FL_REACHT);
}

/* Derive the per-destination outcome from the labels. */
static void spf_finalize(struct mesh_spf_ctx *c)
{
	uint32_t maxh = c->p.max_hops;

	c->n_unreached = 0;
	for (uint32_t x = 0; x < c->n; x++) {
		uint32_t f = c->nh[x];

		c->bkind[x] = BK_NONE;
		c->bc[x] = INF;
		c->bhops[x] = 0;
		if (!c->g->nodes[x].in_use || x == c->src) {
			c->reason[x] = c->breason[x] = MESH_SPF_NOT_RUN;
			continue;
		}
		if (c->d[x] == INF) {
			c->n_unreached++;
			continue;
		}
		if (maxh && c->h[x] > maxh) {
			c->reason[x] = c->breason[x] = MESH_SPF_HOP_LIMIT;
			continue;
		}
		c->reason[x] = MESH_SPF_OK;
		if (c->bd[x] != INF) {
			c->bkind[x] = x == f ? BK_ROOT : BK_NODE;
			c->bc[x] = c->bd[x];
			c->bhops[x] = c->bh[x];
		} else if (x != f && c->bd[f] != INF) {
			c->bkind[x] = BK_VIA_ROOT;
			c->bc[x] = c->bd[f] + (c->d[x] - c->d[f]);
			c->bhops[x] = c->bh[f] + (c->h[x] - c->h[f]);
		}
		if (c->bkind[x] == BK_NONE) {
			c->breason[x] = MESH_SPF_NO_DISJOINT;
		} else if (maxh && c->bhops[x] > maxh) {
			c->bkind[x] = BK_NONE;
			c->breason[x] = MESH_SPF_HOP_LIMIT;
		} else {
			c->breason[x] = MESH_SPF_OK;
		}
	}
	if (c->n_unreached)
		spf_reasons(c);
}

/* ---- runs ---- */

static int spf_full(struct mesh_spf_ctx *c)
{
	const struct mesh_graph *g = c->g;

	if (spf_arrays_alloc(c, g->n_slots) < 0)
		return -1;
	c->n = g->n_slots;
	c->src = mesh_graph_lookup(g, c->p.src_id);
	c->topo_gen = g->topo_gen;
	c->dirty = false;
	if (c->src == NONE) {
		c->valid = false;
		return -1;
	}
	c->tenant = c->p.use_src_tenant ? g->nodes[c->src].tenant : c->p.tenant;
	for (uint32_t x = 0; x < c->n; x++) {
		const struct mesh_graph_node *nx = &g->nodes[x];
		uint8_t f = 0;

		if (nx->in_use) {
			if (nx->tenant == c->tenant ||
			    (nx->flags & MESH_GRAPH_F_PROVIDER_TRANSIT))
				f = FL_TRANSIT | FL_DST;
			else if (c->p.allow_foreign_dst)
				f = FL_DST;
		}
		c->fl[x] = f;
		c->d[x] = INF;
		c->h[x] = 0;
		c->pred[x] = NONE;
	}
	c->d[c->src] = 0;
	c->heap.n = 0;
	c->heap.k = c->d;
	c->heap.k2 = c->h;
	heap_update(&c->heap, c->src);
	spf_primary(c, false);
	spf_compute_nh(c);
	spf_backup(c);
	spf_finalize(c);
	c->valid = true;
	return 0;
}

static inline uint64_t spf_eff(const struct mesh_spf_ctx *c, bool usable,
			       uint64_t bw, uint32_t cost)
{
	return usable && bw >= c->p.min_avail_bw ? cost : INF;
}

/*
 * Tree edges into the FL_MARK'ed nodes got worse: redo their subtrees,
 * seeded from the unaffected boundary.
 */
static void spf_subtree(struct mesh_spf_ctx *c)
{
	const struct mesh_graph *g = c->g;
	struct spf_heap *hp = &c->heap;

	for (uint32_t x = 0; x < c->n; x++) {
		uint32_t y = x, sp = 0;
		uint8_t res;

		if (c->d[x] == INF || x == c->src ||
		    (c->fl[x] & (FL_MARK | FL_SEEN)))
			continue;
		while (y != c->src && !(c->fl[y] & (FL_MARK | FL_SEEN))) {
			c->stack[sp++] = y;
			y = c->pred[y];
		}
		res = (y != c->src && (c->fl[y] & FL_MARK)) ? FL_MARK : FL_SEEN;
		while (sp)
			c->fl[c->stack[--sp]] |= res;
	}
	for (uint32_t x = 0; x < c->n; x++) {
		c->fl[x] &= ~FL_SEEN;
		if (c->fl[x] & FL_MARK) {
			c->d[x] = INF;
			c->h[x] = 0;
			c->pred[x] = NONE;
		}
	}
	for (uint32_t u = 0; u < c->n; u++) {
		const struct mesh_graph_node *nu = &g->nodes[u];

		if (c->d[u] == INF || !spf_can_relax(c, u))
			continue;
		for (uint32_t k = 0; k < nu->n_edges; k++) {
			const struct mesh_graph_edge *e = &nu->edges[k];
			uint32_t y = e->head;
			uint64_t cd;

			if (!spf_eligible(c, e) || !(c->fl[y] & FL_MARK))
				continue;
			cd = c->d[u] + e->cost;
			if (!spf_better(c, cd, c->h[u] + 1, u, c->d[y], c->h[y],
					c->pred[y]))
				continue;
			c->d[y] = cd;
			c->h[y] = c->h[u] + 1;
			c->pred[y] = u;
		}
	}
	hp->n = 0;
	hp->k = c->d;
	hp->k2 = c->h;
	for (uint32_t x = 0; x < c->n; x++)
		if ((c->fl[x] & FL_MARK) && c->d[x] != INF)
			hp->a[hp->n++] = x;
	heap_build(hp);
	spf_primary(c, true);
	for (uint32_t x = 0; x < c->n; x++)
		c->fl[x] &= ~FL_MARK;
}

/* Would edge u -> v at cost w improve v's backup label? */
static bool spf_backup_gain(const struct mesh_spf_ctx *c, uint32_t u,
			    uint32_t v, uint64_t w)
{
	uint64_t cd;
	uint32_t ch;

	if (v == c->src || c->d[v] == INF || c->d[u] == INF ||
	    !spf_can_relax(c, u))
		return false;
	if (u == c->src) {
		if (v == c->nh[v])
			return false;
		cd = w;
		ch = 1;
	} else if (c->nh[u] != c->nh[v]) {
		cd = c->d[u] + w;
		ch = c->h[u] + 1;
	} else {
		if (u == c->nh[u] || c->bd[u] == INF)
			return false;
		cd = c->bd[u] + w;
		ch = c->bh[u] + 1;
	}
	return spf_better(c, cd, ch, u, c->bd[v], c->bh[v], c->bpred[v]);
}

#define SPF_INC_MAX 8

/* Returns the run kind, or RUN_NONE if a full run is needed. */
static enum mesh_spf_run_kind
spf_incremental(struct mesh_spf_ctx *c, const struct mesh_graph_change *ch,
		size_t n)
{
	const struct mesh_graph_change *sig[SPF_INC_MAX];
	uint64_t nw[SPF_INC_MAX];
	bool usable_flip = false, better = false, worse = false;
	bool prim = false, bkp = false;
	size_t ns = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t o, w;

		if (ch[i].tail >= c->n || ch[i].head >= c->n)
			return MESH_SPF_RUN_NONE;
		if (ch[i].old_usable != ch[i].new_usable)
			usable_flip = true;
		o = spf_eff(c, ch[i].old_usable, ch[i].old_avail_bw,
			    ch[i].old_cost);
		w = spf_eff(c, ch[i].new_usable, ch[i].new_avail_bw,
			    ch[i].new_cost);
		if (o == w)
			continue;
		if (ns == SPF_INC_MAX)
			return MESH_SPF_RUN_NONE;
		if (w < o)
			better = true;
		else
			worse = true;
		sig[ns] = &ch[i];
		nw[ns] = w;
		ns++;
	}
	/* Mixed improvements and degradations: not worth the subtlety. */
	if (better && worse)
		return MESH_SPF_RUN_NONE;

	if (better) {
		c->heap.n = 0;
		c->heap.k = c->d;
		c->heap.k2 = c->h;
		for (size_t i = 0; i < ns; i++) {
			uint32_t u = sig[i]->tail, v = sig[i]->head;

			if (v == c->src || c->d[u] == INF ||
			    !spf_can_relax(c, u) || !(c->fl[v] & FL_DST) ||
			    !spf_better(c, c->d[u] + nw[i], c->h[u] + 1, u,
					c->d[v], c->h[v], c->pred[v]))
				continue;
			c->d[v] = c->d[u] + nw[i];
			c->h[v] = c->h[u] + 1;
			c->pred[v] = u;
			heap_update(&c->heap, v);
			prim = true;
		}
		if (prim)
			spf_primary(c, false);
		for (size_t i = 0; !prim && !bkp && i < ns; i++)
			bkp = spf_backup_gain(c, sig[i]->tail, sig[i]->head,
					      nw[i]);
	} else {
		for (size_t i = 0; i < ns; i++) {
			uint32_t u = sig[i]->tail, v = sig[i]->head;

			if (c->d[v] == INF)
				continue;
			if (c->pred[v] == u) {
				c->fl[v] |= FL_MARK;
				prim = true;
			} else if (c->bpred[v] == u) {
				bkp = true;
			}
		}
		if (prim)
			spf_subtree(c);
	}

	if (prim)
		spf_compute_nh(c);
	if (prim || bkp) {
		spf_backup(c);
		spf_finalize(c);
		return MESH_SPF_RUN_INCREMENTAL;
	}
	if (usable_flip && c->n_unreached) {
		spf_finalize(c);
		return MESH_SPF_RUN_INCREMENTAL;
	}
	return MESH_SPF_RUN_SKIPPED;
}

/* ---- public API ---- */

struct mesh_spf_ctx *mesh_spf_new(const struct mesh_spf_params *p)
{
	struct mesh_spf_ctx *c = MESH_SPF_ALLOC(1, sizeof(*c));

	if (!c)
		return NULL;
	c->p = *p;
	c->dirty = true;
	return c;
}

void mesh_spf_free(struct mesh_spf_ctx *c)
{
	if (!c)
		return;
	spf_arrays_free(c);
	MESH_SPF_FREE(c);
}

void mesh_spf_set_params(struct mesh_spf_ctx *c,
			 const struct mesh_spf_params *p)
{
	c->p = *p;
	c->dirty = true;
}

int mesh_spf_run(struct mesh_spf_ctx *c, const struct mesh_graph *g,
		 const struct mesh_graph_change *changes, size_t n)
{
	enum mesh_spf_run_kind kind = MESH_SPF_RUN_NONE;
	struct timespec t0, t1;
	int ret = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (changes && c->valid && !c->dirty && c->g == g &&
	    c->topo_gen == g->topo_gen && c->n == g->n_slots)
		kind = n ? spf_incremental(c, changes, n)
			 : MESH_SPF_RUN_SKIPPED;
	if (kind == MESH_SPF_RUN_NONE) {
		c->g = g;
		ret = spf_full(c);
		kind = MESH_SPF_RUN_FULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	c->st.last_kind = kind;
	c->st.last_usec = spf_usec(&t0, &t1);
	c->st.total_usec += c->st.last_usec;
	if (kind == MESH_SPF_RUN_FULL)
		c->st.runs_full++;
	else if (kind == MESH_SPF_RUN_INCREMENTAL)
		c->st.runs_incremental++;
	else
		c->st.runs_skipped++;
	return ret;
}

int mesh_spf_route_get(const struct mesh_spf_ctx *c, uint32_t dst_id,
		       struct mesh_spf_route *r)
{
	uint32_t x;

	memset(r, 0, sizeof(*r));
	r->dst_id = dst_id;
	r->reason = r->backup_reason = MESH_SPF_NOT_RUN;
	r->nexthop_id = r->backup_nexthop_id = NONE;
	if (!c->valid || !c->g)
		return -1;
	x = mesh_graph_lookup(c->g, dst_id);
	if (x == NONE || x >= c->n)
		return -1;
	if (x == c->src) {
		r->reason = MESH_SPF_OK;
		return 0;
	}
	r->reason = c->reason[x];
	r->backup_reason = c->breason[x];
	if (r->reason != MESH_SPF_OK)
		return 0;
	r->cost = c->d[x];
	r->hops = c->h[x];
	r->nexthop_id = c->g->nodes[c->nh[x]].id;
	if (c->bkind[x] != BK_NONE) {
		uint32_t ids[2];

		r->backup_kind = c->bkind[x] == BK_NODE ? MESH_SPF_BACKUP_NODE
							: MESH_SPF_BACKUP_LINK;
		r->backup_cost = c->bc[x];
		r->backup_hops = c->bhops[x];
		if (mesh_spf_path(c, dst_id, true, ids, 2) >= 2)
			r->backup_nexthop_id = ids[1];
	}
	return 0;
}

/*
 * Walk a path backwards from x. In backup mode the next node is bpred
 * (switching to the primary chain after a boundary edge); in primary mode
 * it is pred, switching to backup mode at node `sw`.
 */
size_t mesh_spf_path(const struct mesh_spf_ctx *c, uint32_t dst_id, bool backup,
		     uint32_t *ids, size_t max)
{
	uint32_t x, sw = NONE, len = 0;
	bool bmode = false;

	if (!c->valid || !c->g)
		return 0;
	x = mesh_graph_lookup(c->g, dst_id);
	if (x == NONE || x >= c->n || x == c->src ||
	    c->reason[x] != MESH_SPF_OK)
		return 0;
	if (backup) {
		if (c->bkind[x] == BK_NONE)
			return 0;
		if (c->bkind[x] == BK_VIA_ROOT)
			sw = c->nh[x];
		else
			bmode = true;
	}
	/* Count first, then fill from the end. */
	for (int pass = 0; pass < 2; pass++) {
		uint32_t y = x, i = len;
		bool bm = bmode;

		for (;;) {
			uint32_t nxt;

			if (pass == 0)
				len++;
			else if (--i < max)
				ids[i] = c->g->nodes[y].id;
			if (y == c->src)
				break;
			if (!bm && y == sw) {
				bm = true;
			}
			if (bm) {
				nxt = c->bpred[y];
				if (c->fl[y] & FL_BBOUND)
					bm = false;
			} else {
				nxt = c->pred[y];
			}
			y = nxt;
		}
	}
	return len;
}

const struct mesh_spf_stats *mesh_spf_get_stats(const struct mesh_spf_ctx *c)
{
	return &c->st;
}

size_t mesh_spf_mem_bytes(const struct mesh_spf_ctx *c)
{
	return sizeof(*c) + (size_t)c->cap * (3 * sizeof(uint64_t) +
					      9 * sizeof(uint32_t) + 4);
}

const char *mesh_spf_reason_str(enum mesh_spf_reason r)
{
	switch (r) {
	case MESH_SPF_OK:
		return "ok";
	case MESH_SPF_UNREACHABLE:
		return "unreachable";
	case MESH_SPF_BANDWIDTH:
		return "bandwidth constraint";
	case MESH_SPF_HOP_LIMIT:
		return "hop limit";
	case MESH_SPF_TENANT_TRANSIT:
		return "tenant transit";
	case MESH_SPF_NO_DISJOINT:
		return "no disjoint path";
	case MESH_SPF_NO_LFA:
		return "no LFA";
	case MESH_SPF_NOT_RUN:
		return "not computed";
	}
	return "?";
}
