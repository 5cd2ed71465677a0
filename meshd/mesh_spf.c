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
 * Primary: one-to-all Dijkstra from the source. The queue is a radix heap
 * (keys are integer costs and never below the last one taken out) with
 * real O(1) decrease-key; see below. It is ordered on cost alone: since
 * every edge costs >= 1, two nodes of equal cost cannot improve each
 * other, so the order in which they leave the queue does not change any
 * label, and the (hops, id) tie-break is applied where labels are
 * compared.
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
 * T_F): replacing its prefix by u's tree path is no costlier. So every
 * node is seeded with its best boundary edge (excluding S -> F), then ONE
 * Dijkstra over all groups at once (only intra-group edges, roots F
 * excluded) gives every node-protecting label. F's own link-protecting
 * label is the best of its boundary seed and (label(u) + cost(u,F)) for u
 * in T_F, because the part of such a path before reaching F avoids F. If
 * v != F has no F-avoiding path, every path avoiding S -> F passes F, and
 * the cheapest is F's link label followed by the tree path F -> v (the
 * concatenation is simple, otherwise an F-avoiding path would exist).
 * The boundary seeds need no pass of their own: the primary Dijkstra
 * handles each tunnel (both directions) when its second end leaves the
 * queue, when both ends' costs and first hops are final; it also records
 * the tunnels inside a group, so the backup Dijkstra runs on that edge
 * list alone and queues only the nodes that have such an edge to pass a
 * label on. When one first hop carries most of the tree (common: the
 * cheapest tunnels of the source), that group is most of the graph and
 * its node-protecting backups are a shortest-path tree of G - F: the
 * second Dijkstra is then nearly a full one, which is why a full run
 * costs about two Dijkstras and cannot cost much less.
 *
 * Data layout. The inner loops read only the graph's arc arrays (peer slot,
 * cost of both directions: 12 bytes per tunnel, mesh_graph.h) and, when a
 * bandwidth floor is set, the parallel bandwidth array; labels are kept
 * one array per field (struct of arrays), so that the common test "is
 * this cheaper" reads an 8-byte cost. All work arrays belong to the
 * context and grow with the graph only: a run allocates nothing. Memory
 * is O(nodes + tunnels).
 *
 * Incremental. The graph is two-way, so a node's incoming edges are its
 * arcs read backwards (rcost): any node's label can be recomputed from its
 * neighbours alone. Both layers (primary labels on G; backup labels on the
 * auxiliary graph of boundary seeds and intra-group edges) are repaired
 * the same way from a set of "dirty" nodes, whose incoming edges changed:
 *  1. invalidate each dirty node whose label rests on such an edge (for
 *     the primary: only the heads of tree edges that got costlier), and
 *     every node below it in that layer's tree (one O(n) walk up the
 *     predecessor chains, memoised);
 *  2. recompute each invalidated node from its neighbours that stayed
 *     valid, and offer every improved edge to its head;
 *  3. Dijkstra from those labels; it may improve any node.
 * For the primary the dirty nodes are the heads of the changed edges. For
 * the backups they are those heads; every node whose first hop changed
 * (its group and root status moved), with all its neighbours; and, for a
 * node whose primary cost or hops got worse, the neighbours whose seed
 * came from it. A node whose primary label got better only offers better
 * seeds to its neighbours in step 2. Results equal a full run's (tested).
 * Up to MESH_SPF_INC_MAX changed directed edges of any mix are repaired
 * this way; a run whose changes alter no label is "skipped". Node updates
 * and parameter changes give a full run.
 */

#include <zebra.h>

#include "lib/memory.h"

#include "meshd/meshd.h"
#include "meshd/mesh_spf.h"

DEFINE_MTYPE_STATIC(MESHD, MESH_SPF, "Mesh SPF context");
DEFINE_MTYPE_STATIC(MESHD, MESH_SPF_ARRAYS, "Mesh SPF work arrays");

#define INF UINT64_MAX
#define NONE MESH_GRAPH_NONE

/* Per-node flags. */
#define FL_TRANSIT 0x0001 /* may be an intermediate node */
#define FL_DST 0x0002	  /* may be a destination */
#define FL_BBOUND 0x0004  /* backup label comes from a boundary edge */
#define FL_DONE 0x0008	  /* full primary run: left the queue */
#define FL_MARK 0x0010	  /* invalidated / dirty */
#define FL_SEEN 0x0020	  /* walked, not invalidated */
#define FL_TOUCH 0x0040	  /* incremental: primary label saved in opl */
#define FL_BTOUCH 0x0080  /* incremental: backup label saved in obl */
#define FL_OBBOUND 0x0100 /* FL_BBOUND before the incremental run */
#define FL_REACH 0x0200	  /* reason BFS: reachable ignoring constraints */
#define FL_REACHT 0x0400  /* reason BFS: reachable with tenant rules */

/* Final backup kinds per node. */
enum { BK_NONE, BK_NODE, BK_ROOT, BK_VIA_ROOT };

/* A label as an incremental run saves it: cost, hops, predecessor. */
struct spf_lbl {
	uint64_t d;
	uint32_t h;
	uint32_t pred;
};

/* An edge between two nodes of one group, usable by the backups. */
struct spf_iedge {
	uint32_t tail, head, cost;
};

struct mesh_spf_ctx {
	struct mesh_spf_params p;
	const struct mesh_graph *g;
	bool dirty;
	bool valid;
	uint64_t topo_gen;
	uint32_t n, cap;
	uint32_t src, tenant;

	/* labels, one array per field: the hot loops read d / bd alone */
	uint64_t *d, *bd;	 /* primary and backup cost */
	uint32_t *h, *pred, *nh; /* hops, predecessor, first hop */
	uint32_t *bh, *bpred;	 /* backup hops and predecessor */
	uint16_t *fl;

	/* radix heap */
	const uint64_t *hk; /* keys: d or bd */
	uint32_t *rh_next, *rh_prev;
	uint8_t *rh_bkt;
	uint32_t rh_head[65];
	uint64_t rh_mask, rh_last;
	uint32_t hn;

	/* intra-group edges found by the last full run, then by tail */
	struct spf_iedge *ie;
	uint32_t n_ie, cap_e;
	uint32_t *ioff, *ihead, *icost; /* ioff has cap + 1 entries */

	/* incremental: what the run changed, and the values before */
	struct spf_lbl *opl, *obl;
	uint32_t *onh;
	uint32_t *stack, *alist, *tlist, *btlist;
	uint32_t n_t, n_bt;

	uint64_t *bc; /* final backup cost and hops */
	uint32_t *bhops;
	uint8_t *reason, *breason, *bkind;
	uint32_t n_unreached;

	/* Pending changes (mesh_spf_changes_add). */
	struct mesh_graph_change pend[MESH_SPF_INC_MAX];
	uint32_t n_pend;
	enum mesh_spf_full_reason pend_full;

	struct mesh_spf_stats st;
};

/*
 * ---- radix heap with decrease-key ----
 *
 * Dijkstra's queue only ever holds keys >= the last key taken out, which
 * a radix heap exploits: bucket 0 holds the keys equal to the last one
 * taken, bucket i > 0 those that first differ from it in bit i - 1.
 * Buckets are doubly linked lists threaded through per-node arrays, so
 * decrease-key is O(1) (a move to a lower bucket, or nothing); taking out
 * the minimum empties the lowest non-empty bucket into lower ones, and a
 * node moves down at most 64 times. The keys are the label array being
 * computed (c->hk: primary or backup cost), written before heap_set().
 */

#define RH_OUT 0xff /* rh_bkt of a node not queued */

static inline unsigned rh_bucket(const struct mesh_spf_ctx *c, uint64_t k)
{
	return k == c->rh_last ? 0 : 64 - __builtin_clzll(k ^ c->rh_last);
}

static inline void rh_link(struct mesh_spf_ctx *c, uint32_t x, unsigned b)
{
	uint32_t h = c->rh_head[b];

	c->rh_bkt[x] = (uint8_t)b;
	c->rh_prev[x] = NONE;
	c->rh_next[x] = h;
	if (h != NONE)
		c->rh_prev[h] = x;
	c->rh_head[b] = x;
	c->rh_mask |= 1ULL << b;
}

static inline void rh_unlink(struct mesh_spf_ctx *c, uint32_t x)
{
	unsigned b = c->rh_bkt[x];
	uint32_t p = c->rh_prev[x], n = c->rh_next[x];

	if (p != NONE)
		c->rh_next[p] = n;
	else if ((c->rh_head[b] = n) == NONE)
		c->rh_mask &= ~(1ULL << b);
	if (n != NONE)
		c->rh_prev[n] = p;
}

/* Empty queue whose keys start at 0. */
static void heap_reset(struct mesh_spf_ctx *c, const uint64_t *keys)
{
	c->hk = keys;
	c->rh_last = 0;
	c->rh_mask = 0;
	c->hn = 0;
	for (unsigned b = 0; b < 65; b++)
		c->rh_head[b] = NONE;
}

/* Queue x, or move it after its key (c->hk[x]) went down. */
static inline void heap_set(struct mesh_spf_ctx *c, uint32_t x)
{
	unsigned b = rh_bucket(c, c->hk[x]);

	if (c->rh_bkt[x] == RH_OUT) {
		c->hn++;
	} else {
		if (c->rh_bkt[x] == b)
			return;
		rh_unlink(c, x);
	}
	rh_link(c, x, b);
}

static inline uint32_t heap_pop(struct mesh_spf_ctx *c)
{
	uint32_t x;

	if (c->rh_head[0] == NONE) {
		unsigned b = __builtin_ctzll(c->rh_mask);
		uint64_t m = INF;

		for (x = c->rh_head[b]; x != NONE; x = c->rh_next[x])
			if (c->hk[x] < m)
				m = c->hk[x];
		c->rh_last = m;
		x = c->rh_head[b];
		c->rh_head[b] = NONE;
		c->rh_mask &= ~(1ULL << b);
		while (x != NONE) {
			uint32_t nx = c->rh_next[x];

			rh_link(c, x, rh_bucket(c, c->hk[x]));
			x = nx;
		}
	}
	x = c->rh_head[0];
	rh_unlink(c, x);
	c->rh_bkt[x] = RH_OUT;
	c->hn--;
	return x;
}

/* ---- helpers ---- */

static inline uint64_t spf_now_usec(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
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

/* Effective cost of edge k of slot u now: INF if unusable or too thin. */
static inline uint64_t spf_arc_eff(const struct mesh_spf_ctx *c, uint32_t u,
				   uint32_t k)
{
	const struct mesh_graph_node *nu = &c->g->nodes[u];

	if (nu->arcs[k].head == NONE || nu->arc_bw[k].fwd < c->p.min_avail_bw)
		return INF;
	return nu->arcs[k].cost;
}

static inline uint64_t spf_eff(const struct mesh_spf_ctx *c, bool usable,
			       uint64_t bw, uint32_t cost)
{
	return usable && bw >= c->p.min_avail_bw ? cost : INF;
}

static inline void spf_set(struct mesh_spf_ctx *c, uint32_t y, uint64_t d,
			   uint32_t h, uint32_t pred)
{
	c->d[y] = d;
	c->h[y] = h;
	c->pred[y] = pred;
}

static inline void spf_bset(struct mesh_spf_ctx *c, uint32_t y, uint64_t d,
			    uint32_t h, uint32_t pred)
{
	c->bd[y] = d;
	c->bh[y] = h;
	c->bpred[y] = pred;
}

static void spf_arrays_free(struct mesh_spf_ctx *c)
{
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->d);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->bd);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->h);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->pred);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->nh);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->bh);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->bpred);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->fl);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->rh_next);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->rh_prev);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->rh_bkt);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->ioff);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->opl);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->obl);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->onh);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->stack);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->alist);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->tlist);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->btlist);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->bc);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->bhops);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->reason);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->breason);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->bkind);
	c->cap = 0;
}

static void spf_edges_free(struct mesh_spf_ctx *c)
{
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->ie);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->ihead);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->icost);
	c->cap_e = 0;
}

#define SPF_ARR(p, n) ((p) = XCALLOC(MTYPE_MESH_SPF_ARRAYS, (n) * sizeof(*(p))))

/*
 * Room for m intra-group edges, keeping the n_ie recorded; only grows.
 * At most every tunnel direction is one, but usually a fraction is, so
 * this starts small and doubles when a run finds more.
 */
static void spf_edges_reserve(struct mesh_spf_ctx *c, uint32_t m)
{
	if (m <= c->cap_e)
		return;
	if (m < 2 * c->cap_e)
		m = 2 * c->cap_e;
	if (m < 1024)
		m = 1024;
	c->ie = XREALLOC(MTYPE_MESH_SPF_ARRAYS, c->ie, m * sizeof(*c->ie));
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->ihead);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->icost);
	SPF_ARR(c->ihead, m);
	SPF_ARR(c->icost, m);
	c->cap_e = m;
}

/* Work arrays for n node slots; they only grow. */
static void spf_arrays_alloc(struct mesh_spf_ctx *c, uint32_t n)
{
	if (n > c->cap || !c->d) {
		spf_arrays_free(c);
		if (n < 16)
			n = 16;
		SPF_ARR(c->d, n);
		SPF_ARR(c->bd, n);
		SPF_ARR(c->h, n);
		SPF_ARR(c->pred, n);
		SPF_ARR(c->nh, n);
		SPF_ARR(c->bh, n);
		SPF_ARR(c->bpred, n);
		SPF_ARR(c->fl, n);
		SPF_ARR(c->rh_next, n);
		SPF_ARR(c->rh_prev, n);
		SPF_ARR(c->rh_bkt, n);
		memset(c->rh_bkt, RH_OUT, n);
		SPF_ARR(c->ioff, n + 1);
		SPF_ARR(c->opl, n);
		SPF_ARR(c->obl, n);
		SPF_ARR(c->onh, n);
		SPF_ARR(c->stack, n);
		SPF_ARR(c->alist, n);
		SPF_ARR(c->tlist, n);
		SPF_ARR(c->btlist, n);
		SPF_ARR(c->bc, n);
		SPF_ARR(c->bhops, n);
		SPF_ARR(c->reason, n);
		SPF_ARR(c->breason, n);
		SPF_ARR(c->bkind, n);
		c->cap = n;
	}
}

/* Bytes per node slot and per directed edge of the work arrays above. */
#define SPF_NODE_BYTES                                                         \
	(2 * sizeof(uint64_t) + 5 * sizeof(uint32_t) + sizeof(uint16_t) +      \
	 2 * sizeof(uint32_t) + 1 + 2 * sizeof(uint32_t) +                     \
	 2 * sizeof(struct spf_lbl) + 5 * sizeof(uint32_t) +                   \
	 sizeof(uint64_t) + sizeof(uint32_t) + 3)
#define SPF_EDGE_BYTES (sizeof(struct spf_iedge) + 2 * sizeof(uint32_t))

/* ---- the primary tree ---- */

/*
 * Full run: Dijkstra from the source. When x leaves the queue its cost,
 * hops and first hop are final. Every tunnel between x and a node y that
 * left before it is then handled once, in both directions: between two
 * groups it is a candidate boundary seed of the other end's backup (x's
 * own seed is kept in registers until its scan ends); inside one group it
 * is recorded for the backup Dijkstra (not from a group's root, which
 * never passes a backup label on).
 */
static void spf_primary_full(struct mesh_spf_ctx *c)
{
	const struct mesh_graph_node *nodes = c->g->nodes;
	uint64_t *d = c->d, *bd = c->bd;
	uint32_t *h = c->h, *pred = c->pred, *nh = c->nh;
	uint32_t *bh = c->bh, *bpred = c->bpred;
	uint16_t *fl = c->fl;
	struct spf_iedge *ie = c->ie;
	uint32_t n_ie = 0;
	const uint64_t floor = c->p.min_avail_bw;
	const uint32_t src = c->src;

	while (c->hn) {
		const uint32_t x = heap_pop(c);
		const struct mesh_graph_node *nx = &nodes[x];
		const struct mesh_graph_arc *arc = nx->arcs;
		const struct mesh_graph_arc_bw *bw = nx->arc_bw;
		const uint32_t ne = nx->n_edges;
		const uint64_t dx = d[x];
		const uint32_t hx1 = h[x] + 1;
		const bool rx = x == src || (fl[x] & FL_TRANSIT);
		uint64_t sd = INF; /* x's best boundary seed */
		uint32_t sh = 0, sp = NONE;
		uint32_t gx;

		if (x == src)
			gx = NONE;
		else if (pred[x] == src)
			gx = x;
		else
			gx = nh[pred[x]];
		nh[x] = gx;
		fl[x] |= FL_DONE;

		for (uint32_t k = 0; k < ne; k++) {
			const uint32_t y = arc[k].head;
			uint16_t fy;

			if (y == NONE)
				continue;
			fy = fl[y];
			if (fy & FL_DONE) {
				/* x != src: the source leaves first. */
				const uint32_t gy = nh[y];
				uint64_t cd;

				if (gy == gx) {
					if (n_ie + 2 > c->cap_e) {
						c->n_ie = n_ie;
						spf_edges_reserve(c, n_ie + 2);
						ie = c->ie;
					}
					if (rx && x != gx &&
					    (!floor || bw[k].fwd >= floor)) {
						ie[n_ie].tail = x;
						ie[n_ie].head = y;
						ie[n_ie].cost = arc[k].cost;
						n_ie++;
					}
					if ((fy & FL_TRANSIT) && y != gy &&
					    (!floor || bw[k].rev >= floor)) {
						ie[n_ie].tail = y;
						ie[n_ie].head = x;
						ie[n_ie].cost = arc[k].rcost;
						n_ie++;
					}
					continue;
				}
				/* y -> x, unless the tunnel S -> F itself */
				if ((y != src || x != gx) &&
				    (y == src || (fy & FL_TRANSIT)) &&
				    (!floor || bw[k].rev >= floor)) {
					cd = d[y] + arc[k].rcost;
					if (spf_better(c, cd, h[y] + 1, y, sd,
						       sh, sp)) {
						sd = cd;
						sh = h[y] + 1;
						sp = y;
					}
				}
				/* x -> y */
				if (y != src && rx &&
				    (!floor || bw[k].fwd >= floor)) {
					cd = dx + arc[k].cost;
					if (spf_better(c, cd, hx1, x, bd[y],
						       bh[y], bpred[y])) {
						bd[y] = cd;
						bh[y] = hx1;
						bpred[y] = x;
						fl[y] = fy | FL_BBOUND;
					}
				}
				continue;
			}
			if (!rx || !(fy & FL_DST) ||
			    (floor && bw[k].fwd < floor))
				continue;
			const uint64_t cd = dx + arc[k].cost;

			if (!spf_better(c, cd, hx1, x, d[y], h[y], pred[y]))
				continue;
			d[y] = cd;
			h[y] = hx1;
			pred[y] = x;
			heap_set(c, y);
		}
		/* nothing wrote x's backup label before: x was queued */
		bd[x] = sd;
		bh[x] = sh;
		bpred[x] = sp;
		if (sd != INF)
			fl[x] |= FL_BBOUND;
	}
	c->n_ie = n_ie;
}

static inline void spf_touch(struct mesh_spf_ctx *c, uint32_t x)
{
	if (c->fl[x] & FL_TOUCH)
		return;
	c->fl[x] |= FL_TOUCH;
	c->opl[x].d = c->d[x];
	c->opl[x].h = c->h[x];
	c->opl[x].pred = c->pred[x];
	c->tlist[c->n_t++] = x;
}

static inline void spf_btouch(struct mesh_spf_ctx *c, uint32_t x)
{
	if (c->fl[x] & FL_BTOUCH)
		return;
	c->fl[x] |= FL_BTOUCH;
	if (c->fl[x] & FL_BBOUND)
		c->fl[x] |= FL_OBBOUND;
	c->obl[x].d = c->bd[x];
	c->obl[x].h = c->bh[x];
	c->obl[x].pred = c->bpred[x];
	c->btlist[c->n_bt++] = x;
}

/* Incremental: Dijkstra from the queued labels, recording changes. */
static void spf_primary_repair(struct mesh_spf_ctx *c)
{
	const struct mesh_graph_node *nodes = c->g->nodes;
	const uint64_t floor = c->p.min_avail_bw;

	while (c->hn) {
		const uint32_t x = heap_pop(c);
		const struct mesh_graph_node *nx = &nodes[x];
		const uint32_t hx1 = c->h[x] + 1;

		if (!spf_can_relax(c, x))
			continue;
		for (uint32_t k = 0; k < nx->n_edges; k++) {
			const uint32_t y = nx->arcs[k].head;
			uint64_t cd;

			if (y == NONE || y == c->src || !(c->fl[y] & FL_DST) ||
			    (floor && nx->arc_bw[k].fwd < floor))
				continue;
			cd = c->d[x] + nx->arcs[k].cost;
			if (!spf_better(c, cd, hx1, x, c->d[y], c->h[y],
					c->pred[y]))
				continue;
			spf_touch(c, y);
			spf_set(c, y, cd, hx1, x);
			heap_set(c, y);
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

/*
 * Full run: Dijkstra over the intra-group edges recorded by
 * spf_primary_full(), from the boundary seeds. Only nodes with such an
 * edge to pass their label on are queued; the others keep their seed.
 */
static void spf_backup_full(struct mesh_spf_ctx *c)
{
	uint32_t *ioff = c->ioff, *cur = c->stack;
	uint64_t *bd = c->bd;

	memset(ioff, 0, (c->n + 1) * sizeof(*ioff));
	for (uint32_t i = 0; i < c->n_ie; i++)
		ioff[c->ie[i].tail + 1]++;
	for (uint32_t x = 0; x < c->n; x++) {
		ioff[x + 1] += ioff[x];
		cur[x] = ioff[x];
	}
	for (uint32_t i = 0; i < c->n_ie; i++) {
		uint32_t j = cur[c->ie[i].tail]++;

		c->ihead[j] = c->ie[i].head;
		c->icost[j] = c->ie[i].cost;
	}

	heap_reset(c, bd);
	for (uint32_t x = 0; x < c->n; x++)
		if (bd[x] != INF && ioff[x + 1] > ioff[x])
			heap_set(c, x);
	while (c->hn) {
		const uint32_t x = heap_pop(c);
		const uint64_t dx = bd[x];
		const uint32_t hx1 = c->bh[x] + 1;

		for (uint32_t j = ioff[x]; j < ioff[x + 1]; j++) {
			const uint32_t y = c->ihead[j];
			const uint64_t cd = dx + c->icost[j];

			if (!spf_better(c, cd, hx1, x, bd[y], c->bh[y],
					c->bpred[y]))
				continue;
			spf_bset(c, y, cd, hx1, x);
			c->fl[y] &= ~FL_BBOUND;
			if (ioff[y + 1] > ioff[y])
				heap_set(c, y);
		}
	}
}

/*
 * Incremental: Dijkstra over the groups from the queued labels, along
 * every edge whose ends share a first hop; the roots F receive labels but
 * do not pass them on. Records changes.
 */
static void spf_backup_repair(struct mesh_spf_ctx *c)
{
	const struct mesh_graph_node *nodes = c->g->nodes;
	const uint32_t *nh = c->nh;
	const uint64_t floor = c->p.min_avail_bw;

	while (c->hn) {
		const uint32_t x = heap_pop(c);
		const struct mesh_graph_node *nx = &nodes[x];
		const struct mesh_graph_arc *arc = nx->arcs;
		const uint32_t gx = nh[x], hx1 = c->bh[x] + 1;
		const uint64_t dx = c->bd[x];

		if (!(c->fl[x] & FL_TRANSIT))
			continue; /* x is never the source here */
		for (uint32_t k = 0; k < nx->n_edges; k++) {
			const uint32_t y = arc[k].head;
			uint64_t cd;

			/* nh is NONE for the source and unreached nodes */
			if (y == NONE || nh[y] != gx ||
			    (floor && nx->arc_bw[k].fwd < floor))
				continue;
			cd = dx + arc[k].cost;
			if (!spf_better(c, cd, hx1, x, c->bd[y], c->bh[y],
					c->bpred[y]))
				continue;
			spf_btouch(c, y);
			spf_bset(c, y, cd, hx1, x);
			c->fl[y] &= ~FL_BBOUND;
			if (y != gx)
				heap_set(c, y);
		}
	}
}

/* Backup label of x from its neighbours alone (none of them FL_MARK). */
static void spf_backup_from_neighbours(struct mesh_spf_ctx *c, uint32_t x)
{
	const struct mesh_graph_node *nx = &c->g->nodes[x];
	const uint64_t floor = c->p.min_avail_bw;
	const uint32_t gx = c->nh[x];
	uint64_t bd = INF;
	uint32_t bh = 0, bp = NONE;
	bool bound = false;

	for (uint32_t k = 0; k < nx->n_edges; k++) {
		const uint32_t u = nx->arcs[k].head;
		uint64_t cd;
		uint32_t ch;
		bool b;

		if (u == NONE || c->d[u] == INF || !spf_can_relax(c, u) ||
		    (floor && nx->arc_bw[k].rev < floor))
			continue;
		if (u == c->src ? x != gx : c->nh[u] != gx) {
			/* boundary edge (not the tunnel S -> F) */
			cd = c->d[u] + nx->arcs[k].rcost;
			ch = c->h[u] + 1;
			b = true;
		} else {
			if (u == c->src || u == gx || (c->fl[u] & FL_MARK) ||
			    c->bd[u] == INF)
				continue;
			cd = c->bd[u] + nx->arcs[k].rcost;
			ch = c->bh[u] + 1;
			b = false;
		}
		if (spf_better(c, cd, ch, u, bd, bh, bp)) {
			bd = cd;
			bh = ch;
			bp = u;
			bound = b;
		}
	}
	spf_bset(c, x, bd, bh, bp);
	if (bound)
		c->fl[x] |= FL_BBOUND;
}

/* ---- reasons ---- */

static void spf_bfs(struct mesh_spf_ctx *c, uint16_t bit, bool tenant)
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
			uint32_t y = nx->arcs[k].head;

			if (y == NONE || (c->fl[y] & bit))
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
		uint16_t f = c->fl[x];

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

/*
 * Derive the per-destination outcome from the labels. Unreached nodes
 * keep their reason unless reasons is set (reachability may have
 * changed).
 */
static void spf_finalize(struct mesh_spf_ctx *c, bool reasons)
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
	if (c->n_unreached && reasons)
		spf_reasons(c);
}

/* ---- runs ---- */

static int spf_full(struct mesh_spf_ctx *c)
{
	const struct mesh_graph *g = c->g;
	spf_arrays_alloc(c, g->n_slots);
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
		uint16_t f = 0;

		if (nx->in_use) {
			if (nx->tenant == c->tenant ||
			    (nx->flags & MESH_GRAPH_F_PROVIDER_TRANSIT))
				f = FL_TRANSIT | FL_DST;
			else if (c->p.allow_foreign_dst)
				f = FL_DST;
		}
		c->fl[x] = f;
		spf_set(c, x, INF, 0, NONE);
		spf_bset(c, x, INF, 0, NONE);
		c->nh[x] = NONE;
	}
	c->d[c->src] = 0;
	heap_reset(c, c->d);
	heap_set(c, c->src);
	spf_primary_full(c);
	spf_backup_full(c);
	spf_finalize(c, true);
	c->valid = true;
	return 0;
}

/*
 * Extend FL_MARK to every labelled node whose chain of parents in the
 * layer's tree reaches a marked node (primary: pred up to the source;
 * backup: bpred up to a node seeded by a boundary edge). Lists the marked
 * nodes in alist and returns their number.
 */
static uint32_t spf_mark_below(struct mesh_spf_ctx *c, bool backup)
{
	const uint64_t *ld = backup ? c->bd : c->d;
	const uint32_t *lp = backup ? c->bpred : c->pred;
	uint16_t *fl = c->fl;
	uint32_t na = 0;

	for (uint32_t x = 0; x < c->n; x++) {
		uint32_t y = x, sp = 0;
		uint16_t res;

		if (ld[x] == INF || (fl[x] & (FL_MARK | FL_SEEN)))
			continue;
		for (;;) {
			if (fl[y] & (FL_MARK | FL_SEEN)) {
				res = fl[y] & FL_MARK ? FL_MARK : FL_SEEN;
				break;
			}
			c->stack[sp++] = y;
			if (backup ? (fl[y] & FL_BBOUND) : y == c->src) {
				res = FL_SEEN;
				break;
			}
			y = lp[y];
		}
		while (sp)
			fl[c->stack[--sp]] |= res;
	}
	for (uint32_t x = 0; x < c->n; x++) {
		fl[x] &= ~FL_SEEN;
		if (fl[x] & FL_MARK)
			c->alist[na++] = x;
	}
	return na;
}

/* One changed directed edge, as the incremental run sees it. */
struct spf_edge_change {
	uint32_t u, v, k;
	uint64_t old, cur; /* effective costs, INF = not eligible */
	bool old_usable;
};

static inline bool spf_lbl_differs(const struct spf_lbl *o, uint64_t d,
				   uint32_t h, uint32_t pred)
{
	return o->d != d || o->h != h || o->pred != pred;
}

/* Is (d, h) costlier than the saved label o (cost, then hops)? */
static inline bool spf_lbl_worse(const struct spf_lbl *o, uint64_t d,
				 uint32_t h)
{
	return d != o->d ? d > o->d : h > o->h;
}

/* Is (d, h) cheaper than the saved label o? */
static inline bool spf_lbl_better(const struct spf_lbl *o, uint64_t d,
				  uint32_t h)
{
	return d != o->d ? d < o->d : h < o->h;
}

/* Returns the run kind, or RUN_NONE if a full run is needed. */
static enum mesh_spf_run_kind
spf_incremental(struct mesh_spf_ctx *c, const struct mesh_graph_change *ch,
		size_t n)
{
	const struct mesh_graph *g = c->g;
	struct spf_edge_change e[MESH_SPF_INC_MAX];
	uint32_t ne = 0, na, nd = 0;
	bool flips = false, changed = false, inval = false;

	if (n > MESH_SPF_INC_MAX)
		return MESH_SPF_RUN_NONE;
	/* The first record of an edge has its state at the last run. */
	for (size_t i = 0; i < n; i++) {
		uint32_t u = ch[i].tail, v = ch[i].head, j;

		if (u >= c->n || v >= c->n || !g->nodes[u].in_use ||
		    !g->nodes[v].in_use)
			return MESH_SPF_RUN_NONE;
		for (j = 0; j < ne; j++)
			if (e[j].u == u && e[j].v == v)
				break;
		if (j < ne)
			continue;
		e[ne].u = u;
		e[ne].v = v;
		e[ne].k = mesh_graph_find_edge(g, u, g->nodes[v].id);
		if (e[ne].k == NONE)
			return MESH_SPF_RUN_NONE;
		e[ne].old = spf_eff(c, ch[i].old_usable, ch[i].old_avail_bw,
				    ch[i].old_cost);
		e[ne].old_usable = ch[i].old_usable;
		ne++;
	}
	for (uint32_t j = 0; j < ne; j++) {
		e[j].cur = spf_arc_eff(c, e[j].u, e[j].k);
		if ((e[j].old == INF) != (e[j].cur == INF) ||
		    e[j].old_usable !=
			    (g->nodes[e[j].u].arcs[e[j].k].head != NONE))
			flips = true;
		if (e[j].old != e[j].cur)
			changed = true;
	}
	if (!changed && !flips)
		return MESH_SPF_RUN_SKIPPED;

	c->n_t = c->n_bt = 0;
	heap_reset(c, c->d);

	/* Primary, 1: heads of tree edges that got costlier, and below. */
	for (uint32_t j = 0; j < ne; j++)
		if (e[j].cur > e[j].old && c->d[e[j].v] != INF &&
		    c->pred[e[j].v] == e[j].u) {
			c->fl[e[j].v] |= FL_MARK;
			inval = true;
		}
	if (inval) {
		const uint64_t floor = c->p.min_avail_bw;

		na = spf_mark_below(c, false);
		for (uint32_t i = 0; i < na; i++) {
			spf_touch(c, c->alist[i]);
			spf_set(c, c->alist[i], INF, 0, NONE);
		}
		/* 2: from the neighbours that kept their labels */
		for (uint32_t i = 0; i < na; i++) {
			uint32_t x = c->alist[i];
			const struct mesh_graph_node *nx = &g->nodes[x];
			uint64_t bd = INF;
			uint32_t bh = 0, bp = NONE;

			for (uint32_t k = 0; k < nx->n_edges; k++) {
				uint32_t u = nx->arcs[k].head;
				uint64_t cd;

				if (u == NONE || (c->fl[u] & FL_MARK) ||
				    c->d[u] == INF || !spf_can_relax(c, u) ||
				    (floor && nx->arc_bw[k].rev < floor))
					continue;
				cd = c->d[u] + nx->arcs[k].rcost;
				if (spf_better(c, cd, c->h[u] + 1, u, bd, bh,
					       bp)) {
					bd = cd;
					bh = c->h[u] + 1;
					bp = u;
				}
			}
			spf_set(c, x, bd, bh, bp);
		}
		for (uint32_t i = 0; i < na; i++) {
			uint32_t x = c->alist[i];

			c->fl[x] &= ~FL_MARK;
			if (c->d[x] != INF)
				heap_set(c, x);
		}
	}
	/* ... and edges that got cheaper */
	for (uint32_t j = 0; j < ne; j++) {
		uint32_t u = e[j].u, v = e[j].v;
		uint64_t cd;

		if (e[j].cur >= e[j].old || v == c->src ||
		    !(c->fl[v] & FL_DST) || c->d[u] == INF ||
		    !spf_can_relax(c, u))
			continue;
		cd = c->d[u] + e[j].cur;
		if (!spf_better(c, cd, c->h[u] + 1, u, c->d[v], c->h[v],
				c->pred[v]))
			continue;
		spf_touch(c, v);
		spf_set(c, v, cd, c->h[u] + 1, u);
		heap_set(c, v);
	}
	/* 3 */
	spf_primary_repair(c);

	/*
	 * Backup dirty set: the heads of changed edges; a node whose first
	 * hop changed (its group and root status moved) and all its
	 * neighbours; for a node whose cost or hops got worse, the
	 * neighbours whose seed came from it. Better costs only offer
	 * better seeds (below).
	 */
	if (c->n_t) {
		memcpy(c->onh, c->nh, c->n * sizeof(*c->nh));
		spf_compute_nh(c);
		for (uint32_t x = 0; x < c->n; x++) {
			const struct mesh_graph_node *nx = &g->nodes[x];

			if (c->nh[x] == c->onh[x])
				continue;
			c->fl[x] |= FL_MARK;
			for (uint32_t k = 0; k < nx->n_edges; k++)
				if (nx->arcs[k].head != NONE)
					c->fl[nx->arcs[k].head] |= FL_MARK;
		}
		for (uint32_t i = 0; i < c->n_t; i++) {
			uint32_t x = c->tlist[i];
			const struct mesh_graph_node *nx = &g->nodes[x];

			if (c->nh[x] != c->onh[x] ||
			    !spf_lbl_worse(&c->opl[x], c->d[x], c->h[x]))
				continue;
			for (uint32_t k = 0; k < nx->n_edges; k++) {
				uint32_t y = nx->arcs[k].head;

				if (y != NONE && (c->fl[y] & FL_BBOUND) &&
				    c->bpred[y] == x)
					c->fl[y] |= FL_MARK;
			}
		}
	}
	for (uint32_t j = 0; j < ne; j++)
		if (e[j].cur != e[j].old)
			c->fl[e[j].v] |= FL_MARK;

	na = spf_mark_below(c, true);
	for (uint32_t i = 0; i < na; i++) {
		uint32_t x = c->alist[i];

		spf_btouch(c, x);
		spf_bset(c, x, INF, 0, NONE);
		c->fl[x] &= ~FL_BBOUND;
	}
	for (uint32_t i = 0; i < na; i++) {
		uint32_t x = c->alist[i];

		if (x != c->src && c->d[x] != INF)
			spf_backup_from_neighbours(c, x);
	}
	heap_reset(c, c->bd);
	for (uint32_t i = 0; i < na; i++) {
		uint32_t x = c->alist[i];

		c->fl[x] &= ~FL_MARK;
		if (c->bd[x] != INF && c->nh[x] != x)
			heap_set(c, x);
	}
	/* better primary labels: better boundary seeds for the neighbours */
	for (uint32_t i = 0; i < c->n_t; i++) {
		uint32_t x = c->tlist[i];
		const struct mesh_graph_node *nx = &g->nodes[x];
		const uint64_t floor = c->p.min_avail_bw;

		if (c->nh[x] != c->onh[x] || c->d[x] == INF ||
		    !spf_lbl_better(&c->opl[x], c->d[x], c->h[x]) ||
		    !spf_can_relax(c, x))
			continue;
		for (uint32_t k = 0; k < nx->n_edges; k++) {
			uint32_t y = nx->arcs[k].head;
			uint64_t cd;

			if (y == NONE || y == c->src || c->d[y] == INF ||
			    c->nh[y] == c->nh[x] ||
			    (floor && nx->arc_bw[k].fwd < floor))
				continue;
			cd = c->d[x] + nx->arcs[k].cost;
			if (!spf_better(c, cd, c->h[x] + 1, x, c->bd[y],
					c->bh[y], c->bpred[y]))
				continue;
			spf_btouch(c, y);
			spf_bset(c, y, cd, c->h[x] + 1, x);
			c->fl[y] |= FL_BBOUND;
			if (y != c->nh[y])
				heap_set(c, y);
		}
	}
	spf_backup_repair(c);

	/* What actually changed (FL_SEEN: counted). */
	for (uint32_t i = 0; i < c->n_t; i++) {
		uint32_t x = c->tlist[i];

		if (spf_lbl_differs(&c->opl[x], c->d[x], c->h[x], c->pred[x]) ||
		    c->nh[x] != c->onh[x]) {
			c->fl[x] |= FL_SEEN;
			nd++;
		}
		c->fl[x] &= ~FL_TOUCH;
	}
	for (uint32_t i = 0; i < c->n_bt; i++) {
		uint32_t x = c->btlist[i];
		bool was = c->fl[x] & FL_OBBOUND, is = c->fl[x] & FL_BBOUND;

		if ((spf_lbl_differs(&c->obl[x], c->bd[x], c->bh[x],
				     c->bpred[x]) ||
		     was != is) &&
		    !(c->fl[x] & FL_SEEN)) {
			c->fl[x] |= FL_SEEN;
			nd++;
		}
		c->fl[x] &= ~(FL_BTOUCH | FL_OBBOUND);
	}
	if (c->n_t) { /* first hops that changed without a label change */
		for (uint32_t x = 0; x < c->n; x++) {
			if (c->nh[x] != c->onh[x] && !(c->fl[x] & FL_SEEN))
				nd++;
			c->fl[x] &= ~FL_SEEN;
		}
	} else {
		for (uint32_t i = 0; i < c->n_bt; i++)
			c->fl[c->btlist[i]] &= ~FL_SEEN;
	}
	c->st.last_touched = nd;

	if (!nd && !flips)
		return MESH_SPF_RUN_SKIPPED;
	spf_finalize(c, flips);
	return MESH_SPF_RUN_INCREMENTAL;
}

/* ---- public API ---- */

struct mesh_spf_ctx *mesh_spf_new(const struct mesh_spf_params *p)
{
	struct mesh_spf_ctx *c = XCALLOC(MTYPE_MESH_SPF, sizeof(*c));

	c->p = *p;
	c->dirty = true;
	return c;
}

void mesh_spf_free(struct mesh_spf_ctx *c)
{
	if (!c)
		return;
	spf_arrays_free(c);
	spf_edges_free(c);
	XFREE(MTYPE_MESH_SPF, c);
}

void mesh_spf_set_params(struct mesh_spf_ctx *c,
			 const struct mesh_spf_params *p)
{
	c->p = *p;
	c->dirty = true;
}

/* Why the next run must be a full one (FULL_NONE: it need not). */
static enum mesh_spf_full_reason spf_full_reason(const struct mesh_spf_ctx *c,
						 const struct mesh_graph *g)
{
	if (!c->valid || c->g != g)
		return MESH_SPF_FULL_FIRST;
	if (c->dirty)
		return MESH_SPF_FULL_PARAMS;
	if (c->topo_gen != g->topo_gen || c->n != g->n_slots)
		return MESH_SPF_FULL_TOPOLOGY;
	return MESH_SPF_FULL_NONE;
}

static int spf_run(struct mesh_spf_ctx *c, const struct mesh_graph *g,
		   const struct mesh_graph_change *changes, size_t n,
		   enum mesh_spf_full_reason why)
{
	enum mesh_spf_run_kind kind = MESH_SPF_RUN_NONE;
	uint64_t t0 = spf_now_usec(), dt;
	int ret = 0;

	if (why == MESH_SPF_FULL_NONE)
		why = spf_full_reason(c, g);
	c->st.last_touched = 0;
	if (why == MESH_SPF_FULL_NONE) {
		kind = n ? spf_incremental(c, changes, n)
			 : MESH_SPF_RUN_SKIPPED;
		if (kind == MESH_SPF_RUN_NONE)
			why = MESH_SPF_FULL_CHANGES;
	}
	if (kind == MESH_SPF_RUN_NONE) {
		c->g = g;
		ret = spf_full(c);
		kind = MESH_SPF_RUN_FULL;
		c->st.last_touched = c->n;
	}
	dt = spf_now_usec() - t0;
	c->n_pend = 0;
	c->pend_full = MESH_SPF_FULL_NONE;
	c->st.changes_pending = 0;

	c->st.runs++;
	c->st.last_kind = kind;
	c->st.last_start = t0;
	c->st.last_usec = dt;
	c->st.total_usec += dt;
	if (dt > c->st.max_usec)
		c->st.max_usec = dt;
	c->st.last_changes = changes ? (uint32_t)n : 0;
	if (kind == MESH_SPF_RUN_FULL) {
		c->st.runs_full++;
		c->st.last_full_usec = dt;
		c->st.last_full_reason = why;
	} else if (kind == MESH_SPF_RUN_INCREMENTAL) {
		c->st.runs_incremental++;
		c->st.last_incremental_usec = dt;
	} else {
		c->st.runs_skipped++;
	}
	return ret;
}

int mesh_spf_run(struct mesh_spf_ctx *c, const struct mesh_graph *g,
		 const struct mesh_graph_change *changes, size_t n)
{
	enum mesh_spf_full_reason why = MESH_SPF_FULL_NONE;

	if (!changes) {
		why = spf_full_reason(c, g);
		if (why == MESH_SPF_FULL_NONE)
			why = MESH_SPF_FULL_REQUESTED;
	} else if (n > MESH_SPF_INC_MAX) {
		why = spf_full_reason(c, g);
		if (why == MESH_SPF_FULL_NONE)
			why = MESH_SPF_FULL_CHANGES;
	}
	return spf_run(c, g, changes, n, why);
}

void mesh_spf_changes_add(struct mesh_spf_ctx *c,
			  const struct mesh_graph_change *changes, size_t n)
{
	c->st.changes_pending += n;
	if (c->pend_full)
		return;
	if (c->n_pend + n > MESH_SPF_INC_MAX) {
		c->pend_full = MESH_SPF_FULL_CHANGES;
		return;
	}
	memcpy(&c->pend[c->n_pend], changes, n * sizeof(*changes));
	c->n_pend += n;
}

void mesh_spf_changes_full(struct mesh_spf_ctx *c)
{
	c->pend_full = MESH_SPF_FULL_REQUESTED;
}

enum mesh_spf_run_kind mesh_spf_pending(const struct mesh_spf_ctx *c,
					const struct mesh_graph *g,
					enum mesh_spf_full_reason *why)
{
	enum mesh_spf_full_reason r = spf_full_reason(c, g);

	if (r == MESH_SPF_FULL_NONE)
		r = c->pend_full;
	if (why)
		*why = r;
	if (r != MESH_SPF_FULL_NONE)
		return MESH_SPF_RUN_FULL;
	return c->n_pend ? MESH_SPF_RUN_INCREMENTAL : MESH_SPF_RUN_NONE;
}

bool mesh_spf_incremental_possible(const struct mesh_spf_ctx *c,
				   const struct mesh_graph *g)
{
	return mesh_spf_pending(c, g, NULL) == MESH_SPF_RUN_INCREMENTAL;
}

int mesh_spf_run_pending(struct mesh_spf_ctx *c, const struct mesh_graph *g)
{
	enum mesh_spf_full_reason why;

	switch (mesh_spf_pending(c, g, &why)) {
	case MESH_SPF_RUN_NONE:
		return c->valid ? 0 : -1;
	case MESH_SPF_RUN_FULL:
		return spf_run(c, g, NULL, 0, why);
	default:
		return spf_run(c, g, c->pend, c->n_pend, MESH_SPF_FULL_NONE);
	}
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
			if (!bm && y == sw)
				bm = true;
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
	return sizeof(*c) + (size_t)c->cap * SPF_NODE_BYTES + sizeof(*c->ioff) +
	       (size_t)c->cap_e * SPF_EDGE_BYTES;
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

const char *mesh_spf_run_kind_str(enum mesh_spf_run_kind k)
{
	switch (k) {
	case MESH_SPF_RUN_NONE:
		return "none";
	case MESH_SPF_RUN_FULL:
		return "full";
	case MESH_SPF_RUN_INCREMENTAL:
		return "incremental";
	case MESH_SPF_RUN_SKIPPED:
		return "skipped";
	}
	return "?";
}

const char *mesh_spf_full_reason_str(enum mesh_spf_full_reason r)
{
	switch (r) {
	case MESH_SPF_FULL_NONE:
		return "-";
	case MESH_SPF_FULL_FIRST:
		return "first run";
	case MESH_SPF_FULL_REQUESTED:
		return "requested";
	case MESH_SPF_FULL_TOPOLOGY:
		return "topology change";
	case MESH_SPF_FULL_PARAMS:
		return "parameters changed";
	case MESH_SPF_FULL_CHANGES:
		return "too many changes";
	}
	return "?";
}
