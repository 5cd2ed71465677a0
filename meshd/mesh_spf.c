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
 * compared. The labels are therefore exact lexicographic minima.
 *
 * Assumption for everything below: every node computes with the same
 * graph and the same constraints (same tenant T, floor, flag; a provider
 * transit node forwarding for tenant T computes with tenant = T).
 *
 * Loop freedom. If X forwards to Y towards D, Y is an intermediate node of
 * X's path, hence allowed transit, so the suffix Y..D of X's path is
 * feasible for Y as well (the constraints do not depend on the computing
 * node). Hence dist(Y,D) <= dist(X,D) - cost(X,Y) < dist(X,D): distances
 * strictly decrease along the forwarding chain, which cannot revisit a
 * node. With a hop limit, a node may lack a route that its upstream has
 * (a drop, never a loop).
 *
 * Consistency. More is true: the forwarding chain from any node X to D is
 * exactly X's own primary path. Let C be on X's path to D. Every candidate
 * predecessor u of D for C (a neighbour with label(C,u) + edge = label(C,D),
 * labels compared on (cost, hops)) is one for X too, because X reaches u
 * through C at label(X,C) + label(C,u) and no cheaper; and X's chosen
 * predecessor, which lies after C on X's path, is one for C. Both take the
 * lowest id, so they pick the same node, and by induction the same path.
 * Hence the source knows the exact path of a packet it hands to a
 * neighbour: that neighbour's primary path, computed by the source.
 *
 * Backup: what meshd installs and what it guarantees. For destination D
 * the route carries the primary first tunnel S -> F and one backup first
 * tunnel S -> B, B != F. When S -> F (or F) fails, S sends to B and every
 * node from B on forwards on its own primary, so the failover path is
 * S, B, then B's primary path to D (Consistency). The engine computes B's
 * tree for every neighbour B of S (one Dijkstra each) and keeps for D only
 * a B whose primary path to D does not pass S. Guarantee: the failover
 * path reaches D without coming back to S, so it never uses the failed
 * tunnel S -> F (nor any other tunnel out of S) and cannot loop, as long as
 * the other nodes have not yet changed their routes. Among those B it
 * prefers, in this order:
 *  1. disjoint: the failover path shares no node with the primary but S
 *     and D (backup_disjoint), hence no tunnel either;
 *  2. a loop-free alternate (RFC 5286 LFA, verified on the path itself
 *     rather than by the distance inequality) that avoids F
 *     (MESH_SPF_BACKUP_NODE, not disjoint);
 *  3. a loop-free alternate that only avoids S (MESH_SPF_BACKUP_LINK).
 * then the cheapest (cost, hops, neighbour id). backup_kind says whether
 * the failover path avoids F. Link-disjoint and node-disjoint coincide
 * here: if the failover path meets the primary at a node X, from X on both
 * are X's own primary path (Consistency), so they share X's next tunnel
 * too; a failover path without a common tunnel has no common node. The
 * hop limit applies to the failover path. This is Bhandari's search for
 * a path disjoint from the primary, restricted to the paths hop-by-hop
 * forwarding can follow: a Suurballe pair whose second path is not some
 * neighbour's own primary path would need source routing, which meshd
 * does not do, so it is not offered. Without a backup, the reason says
 * why:
 *  - MESH_SPF_NO_DISJOINT: every feasible path from S to D starts with
 *    S -> F (no other neighbour has any feasible path to D);
 *  - MESH_SPF_NO_LFA: other neighbours reach D, but each one's own primary
 *    path to D comes back through S (handing it the packet would loop);
 *  - MESH_SPF_HOP_LIMIT: a loop-free alternate exists but its failover
 *    path has more than max_hops hops.
 * The failover path is the one the packets take; it is not claimed to be
 * the cheapest path avoiding F (a cheaper one may exist that no neighbour
 * would follow).
 *
 * Cost. A full run is 1 + (number of usable neighbours of S that may carry
 * transit) Dijkstras, each O(m + n) with the radix heap, plus O(n) per
 * neighbour to classify its failover paths: the first node of B's path to
 * x that lies on x's primary path (its merge point) decides the class,
 * since from there on both paths are that node's primary path
 * (Consistency). It is x itself when B's tree and the primary tree give x
 * different predecessors, else the merge point of x's predecessor: one
 * memoised walk of B's tree. Memory: O(nodes) for labels plus, per such
 * neighbour, its tree (cost, hops, predecessor: 16 bytes per node), kept
 * for mesh_spf_path() and for the incremental runs.
 *
 * Why not fewer trees. The answer for x is the best of the neighbours'
 * own paths, so every neighbour's label of every destination it might win
 * is needed. A neighbour's run could stop early, keyed on the detour
 * kappa(y) = cost(S, B) + d_B(y) - d_S(y) (reduced costs against the
 * primary labels are >= 0), once kappa exceeds the slack (backup cost
 * minus primary cost) of every destination still queued; but a few
 * destinations whose every alternative is long (on the benchmark graphs
 * the largest slack is about one tunnel's delay, the order of the largest
 * detour) keep every run going to the end, so that was measured to save
 * nothing and is not done.
 *
 * Incremental. The graph is two-way, so a node's incoming edges are its
 * arcs read backwards (rcost): any node's label can be recomputed from its
 * neighbours alone. The primary tree is repaired from the heads of the
 * changed edges: (1) invalidate each head whose label rests on an edge
 * that got costlier, and every node below it in the tree (one O(n) walk
 * up the predecessor chains, memoised); (2) recompute each invalidated
 * node from its neighbours that stayed valid, and offer every improved
 * edge to its head; (3) Dijkstra from those labels. Each neighbour's
 * tree is recomputed only if a changed arc affects it: a tree arc that
 * got costlier, or an arc that now offers its head a better label
 * (otherwise the old labels still satisfy every arc's optimality
 * condition and, being the lexicographic minima, are the new tree). A
 * change of a tunnel of the source recomputes them all. The backup choice
 * is then made anew from the kept trees, O(n) per neighbour. A run whose
 * changes alter no edge the engine uses is "skipped". Up to
 * MESH_SPF_INC_MAX changed directed edges of any mix go this way; node
 * updates and parameter changes give a full run. Results equal a full
 * run's (tested).
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
#define FL_BREACH 0x0004  /* backups: another neighbour reaches it */
#define FL_BHOPS 0x0008	  /* backups: a loop-free one was too long */
#define FL_MARK 0x0010	  /* invalidated / dirty */
#define FL_SEEN 0x0020	  /* walked, not invalidated */
#define FL_TOUCH 0x0040	  /* incremental: primary label saved in opl */
#define FL_REACH 0x0200	  /* reason BFS: reachable ignoring constraints */
#define FL_REACHT 0x0400  /* reason BFS: reachable with tenant rules */

/* Backup classes, worst first (see the top comment). */
enum {
	BC_NONE,     /* passes the source: no backup */
	BC_LFA_LINK, /* avoids the source only */
	BC_LFA_NODE, /* also avoids the first-hop node */
	BC_DISJ,     /* no node of the primary but the ends */
};

/* A label as an incremental run saves it: cost, hops, predecessor. */
struct spf_lbl {
	uint64_t d;
	uint32_t h;
	uint32_t pred;
};

/* The backup chosen for one destination. */
struct spf_bsel {
	uint64_t cost;
	uint32_t hops;
	uint32_t nb;	  /* index in nb_slot, NONE: no backup */
	uint8_t cls;	  /* BC_* */
	uint8_t avoids_f; /* the failover path avoids the first hop */
	uint8_t reason;	  /* enum mesh_spf_reason */
};

struct mesh_spf_ctx {
	struct mesh_spf_params p;
	const struct mesh_graph *g;
	bool dirty;
	bool valid;
	uint64_t topo_gen;
	uint32_t n, cap;
	uint32_t src, tenant;

	/* labels, one array per field: the hot loops read d alone */
	uint64_t *d;		 /* primary cost */
	uint32_t *h, *pred, *nh; /* hops, predecessor, first hop */
	uint32_t *bm;		 /* a neighbour tree's merge points */
	uint16_t *fl;

	/* radix heap */
	const uint64_t *hk; /* keys: d or bd */
	uint32_t *rh_next, *rh_prev;
	uint8_t *rh_bkt;
	uint32_t rh_head[65];
	uint64_t rh_mask, rh_last;
	uint32_t hn;

	/* neighbours of the source that may be a backup next hop, the cost
	 * of the tunnel to each, and each one's tree (cost, hops,
	 * predecessor), kept between runs: array i is nbd[i * cap ...] */
	uint32_t *nb_slot;
	uint64_t *nb_cost;
	uint32_t n_nb, cap_nb;
	uint64_t *nbd;
	uint32_t *nbh, *nbpred;

	struct spf_bsel *sel, *osel;

	/* incremental: what the run changed, and the values before */
	struct spf_lbl *opl;
	uint32_t *onh;
	uint32_t *stack, *alist, *tlist;
	uint32_t n_t;

	uint8_t *reason;
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

static void spf_arrays_free(struct mesh_spf_ctx *c)
{
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->d);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->h);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->pred);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->nh);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->bm);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->fl);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->rh_next);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->rh_prev);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->rh_bkt);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->nb_slot);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->nb_cost);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->nbd);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->nbh);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->nbpred);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->sel);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->osel);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->opl);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->onh);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->stack);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->alist);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->tlist);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->reason);
	c->cap = 0;
	c->cap_nb = 0;
	c->n_nb = 0;
}

#define SPF_ARR(p, n) ((p) = XCALLOC(MTYPE_MESH_SPF_ARRAYS, (n) * sizeof(*(p))))

/* Work arrays for n node slots; they only grow. */
static void spf_arrays_alloc(struct mesh_spf_ctx *c, uint32_t n)
{
	if (n <= c->cap && c->d)
		return;
	spf_arrays_free(c);
	if (n < 16)
		n = 16;
	SPF_ARR(c->d, n);
	SPF_ARR(c->h, n);
	SPF_ARR(c->pred, n);
	SPF_ARR(c->nh, n);
	SPF_ARR(c->bm, n);
	SPF_ARR(c->fl, n);
	SPF_ARR(c->rh_next, n);
	SPF_ARR(c->rh_prev, n);
	SPF_ARR(c->rh_bkt, n);
	memset(c->rh_bkt, RH_OUT, n);
	SPF_ARR(c->nb_slot, n);
	SPF_ARR(c->nb_cost, n);
	SPF_ARR(c->sel, n);
	SPF_ARR(c->osel, n);
	SPF_ARR(c->opl, n);
	SPF_ARR(c->onh, n);
	SPF_ARR(c->stack, n);
	SPF_ARR(c->alist, n);
	SPF_ARR(c->tlist, n);
	SPF_ARR(c->reason, n);
	c->cap = n;
}

/* Room for the trees of nnb neighbours; only grows. */
static void spf_nb_reserve(struct mesh_spf_ctx *c, uint32_t nnb)
{
	if (nnb <= c->cap_nb)
		return;
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->nbd);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->nbh);
	XFREE(MTYPE_MESH_SPF_ARRAYS, c->nbpred);
	c->nbd = XMALLOC(MTYPE_MESH_SPF_ARRAYS,
			 (size_t)nnb * c->cap * sizeof(*c->nbd));
	c->nbh = XMALLOC(MTYPE_MESH_SPF_ARRAYS,
			 (size_t)nnb * c->cap * sizeof(*c->nbh));
	c->nbpred = XMALLOC(MTYPE_MESH_SPF_ARRAYS,
			    (size_t)nnb * c->cap * sizeof(*c->nbpred));
	c->cap_nb = nnb;
}

/* Bytes per node slot of the arrays above (without the trees). */
#define SPF_NODE_BYTES                                                         \
	(2 * sizeof(uint64_t) + 11 * sizeof(uint32_t) + sizeof(uint16_t) + 2 + \
	 2 * sizeof(struct spf_bsel) + sizeof(struct spf_lbl))

/* ---- shortest-path trees ---- */

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

/*
 * Dijkstra for the tree of root into (d, h, pred) from the labels queued
 * (the heap's keys are d). The root relaxes its tunnels whatever its
 * tenant, other nodes only if they may carry transit; with touch, every
 * label changed is saved first (incremental repair of the primary).
 */
static void spf_settle(struct mesh_spf_ctx *c, uint32_t root, uint64_t *d,
		       uint32_t *h, uint32_t *pred, bool touch)
{
	const struct mesh_graph_node *nodes = c->g->nodes;
	const uint16_t *fl = c->fl;
	const uint64_t floor = c->p.min_avail_bw;

	while (c->hn) {
		const uint32_t x = heap_pop(c);
		const struct mesh_graph_node *nx = &nodes[x];
		const struct mesh_graph_arc *arc = nx->arcs;
		const uint32_t ne = nx->n_edges;
		const uint64_t dx = d[x];
		const uint32_t hx1 = h[x] + 1;

		if (x != root && !(fl[x] & FL_TRANSIT))
			continue;
		for (uint32_t k = 0; k < ne; k++) {
			const uint32_t y = arc[k].head;
			uint64_t cd;

			if (y == NONE || y == root || !(fl[y] & FL_DST) ||
			    (floor && nx->arc_bw[k].fwd < floor))
				continue;
			cd = dx + arc[k].cost;
			if (!spf_better(c, cd, hx1, x, d[y], h[y], pred[y]))
				continue;
			if (touch)
				spf_touch(c, y);
			d[y] = cd;
			h[y] = hx1;
			pred[y] = x;
			heap_set(c, y);
		}
	}
}

/* Full tree of root: everything unlabelled, then Dijkstra. */
static void spf_tree(struct mesh_spf_ctx *c, uint32_t root, uint64_t *d,
		     uint32_t *h, uint32_t *pred)
{
	for (uint32_t x = 0; x < c->n; x++) {
		d[x] = INF;
		h[x] = 0;
		pred[x] = NONE;
	}
	d[root] = 0;
	heap_reset(c, d);
	heap_set(c, root);
	spf_settle(c, root, d, h, pred, false);
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

/*
 * Extend FL_MARK to every labelled node of root's tree (d, pred) whose
 * chain of predecessors reaches a marked node. Lists the marked nodes in
 * alist and returns their number.
 */
static uint32_t spf_mark_below(struct mesh_spf_ctx *c, uint32_t root,
			       const uint64_t *d, const uint32_t *pred)
{
	uint16_t *fl = c->fl;
	uint32_t na = 0;

	for (uint32_t x = 0; x < c->n; x++) {
		uint32_t y = x, sp = 0;
		uint16_t res;

		if (d[x] == INF || (fl[x] & (FL_MARK | FL_SEEN)))
			continue;
		for (;;) {
			if (fl[y] & (FL_MARK | FL_SEEN)) {
				res = fl[y] & FL_MARK ? FL_MARK : FL_SEEN;
				break;
			}
			c->stack[sp++] = y;
			if (y == root) {
				res = FL_SEEN;
				break;
			}
			y = pred[y];
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

/* ---- backups ---- */

/* One changed directed edge, as the incremental run sees it. */
struct spf_edge_change {
	uint32_t u, v, k;
	uint64_t old, cur; /* effective costs, INF = not eligible */
	bool old_usable;
};

/* Is the candidate (cls, cost, hops, via slot b) better than s? */
static bool spf_bsel_better(const struct mesh_spf_ctx *c,
			    const struct spf_bsel *s, unsigned cls,
			    uint64_t cost, uint32_t hops, uint32_t b)
{
	if (s->nb == NONE || cls != s->cls)
		return s->nb == NONE || cls > s->cls;
	if (cost != s->cost)
		return cost < s->cost;
	if (hops != s->hops)
		return hops < s->hops;
	return c->g->nodes[b].id < c->g->nodes[c->nb_slot[s->nb]].id;
}

static void spf_bsel_offer(struct mesh_spf_ctx *c, uint32_t x, uint32_t i,
			   unsigned cls, uint64_t cost, uint32_t hops)
{
	struct spf_bsel *s = &c->sel[x];

	if (c->p.max_hops && hops > c->p.max_hops) {
		c->fl[x] |= FL_BHOPS;
		return;
	}
	if (!spf_bsel_better(c, s, cls, cost, hops, c->nb_slot[i]))
		return;
	s->cost = cost;
	s->hops = hops;
	s->nb = i;
	s->cls = (uint8_t)cls;
	s->avoids_f = cls != BC_LFA_LINK && x != c->nh[x];
}

/* The labels of neighbour i's tree. */
static inline uint64_t *spf_nb_d(const struct mesh_spf_ctx *c, uint32_t i)
{
	return &c->nbd[(size_t)i * c->cap];
}

static inline uint32_t *spf_nb_h(const struct mesh_spf_ctx *c, uint32_t i)
{
	return &c->nbh[(size_t)i * c->cap];
}

static inline uint32_t *spf_nb_pred(const struct mesh_spf_ctx *c, uint32_t i)
{
	return &c->nbpred[(size_t)i * c->cap];
}

/*
 * Does the changed arc u -> v (effective cost old, now cur) change the
 * tree of neighbour i? Only if it was a tree arc and got costlier, or it
 * now offers v a better label. Otherwise the old labels still satisfy
 * every arc's optimality condition, and being the lexicographic minima
 * they are the new tree.
 */
static bool spf_nb_affected(const struct mesh_spf_ctx *c, uint32_t i,
			    uint32_t u, uint32_t v, uint64_t old, uint64_t cur)
{
	const uint32_t b = c->nb_slot[i];
	const uint64_t *bd = spf_nb_d(c, i);
	const uint32_t *bh = spf_nb_h(c, i), *bp = spf_nb_pred(c, i);

	if (v == b || !(c->fl[v] & FL_DST) || bd[u] == INF ||
	    (u != b && !(c->fl[u] & FL_TRANSIT)))
		return false;
	if (cur > old)
		return bd[v] != INF && bp[v] == u;
	return cur < old &&
	       spf_better(c, bd[u] + cur, bh[u] + 1, u, bd[v], bh[v], bp[v]);
}

/*
 * Repair root's tree (d, h, pred) after the changed arcs e[] (top comment,
 * Incremental): (1) unlabel the heads of tree arcs that got costlier and
 * everything below them; (2) label each from its in-neighbours that kept
 * theirs and queue it; offer every arc that got cheaper to its head; (3)
 * Dijkstra from there. With touch (the primary tree), every label changed
 * is saved first.
 */
static void spf_repair(struct mesh_spf_ctx *c, uint32_t root, uint64_t *d,
		       uint32_t *h, uint32_t *pred,
		       const struct spf_edge_change *e, uint32_t ne, bool touch)
{
	const struct mesh_graph_node *nodes = c->g->nodes;
	const uint64_t floor = c->p.min_avail_bw;
	uint16_t *fl = c->fl;
	bool inval = false;
	uint32_t na;

	heap_reset(c, d);
	for (uint32_t j = 0; j < ne; j++)
		if (e[j].cur > e[j].old && d[e[j].v] != INF &&
		    pred[e[j].v] == e[j].u) {
			fl[e[j].v] |= FL_MARK;
			inval = true;
		}
	if (inval) {
		na = spf_mark_below(c, root, d, pred);
		for (uint32_t a = 0; a < na; a++) {
			if (touch)
				spf_touch(c, c->alist[a]);
			d[c->alist[a]] = INF;
			h[c->alist[a]] = 0;
			pred[c->alist[a]] = NONE;
		}
		for (uint32_t a = 0; a < na; a++) {
			const uint32_t x = c->alist[a];
			const struct mesh_graph_node *nx = &nodes[x];

			for (uint32_t k = 0; k < nx->n_edges; k++) {
				const uint32_t u = nx->arcs[k].head;
				uint64_t cd;

				if (u == NONE || (fl[u] & FL_MARK) ||
				    d[u] == INF ||
				    (u != root && !(fl[u] & FL_TRANSIT)) ||
				    (floor && nx->arc_bw[k].rev < floor))
					continue;
				cd = d[u] + nx->arcs[k].rcost;
				if (spf_better(c, cd, h[u] + 1, u, d[x], h[x],
					       pred[x])) {
					d[x] = cd;
					h[x] = h[u] + 1;
					pred[x] = u;
				}
			}
		}
		for (uint32_t a = 0; a < na; a++) {
			const uint32_t x = c->alist[a];

			fl[x] &= ~FL_MARK;
			if (d[x] != INF)
				heap_set(c, x);
		}
	}
	for (uint32_t j = 0; j < ne; j++) {
		const uint32_t u = e[j].u, v = e[j].v;
		uint64_t cd;

		if (e[j].cur >= e[j].old || v == root || !(fl[v] & FL_DST) ||
		    d[u] == INF || (u != root && !(fl[u] & FL_TRANSIT)))
			continue;
		cd = d[u] + e[j].cur;
		if (!spf_better(c, cd, h[u] + 1, u, d[v], h[v], pred[v]))
			continue;
		if (touch)
			spf_touch(c, v);
		d[v] = cd;
		h[v] = h[u] + 1;
		pred[v] = u;
		heap_set(c, v);
	}
	spf_settle(c, root, d, h, pred, touch);
}

/*
 * Merge point of every node of neighbour i's tree: the first node of B's
 * path to x that is on x's primary path. Once the two paths meet they
 * are that node's own primary path (Consistency), so x's predecessors
 * agree from there on, and bm[x] = x if they differ at x, else the merge
 * point of the predecessor. Memoised walk up B's tree.
 */
static void spf_nb_merge(struct mesh_spf_ctx *c, uint32_t i)
{
	const uint32_t b = c->nb_slot[i];
	const uint64_t *bd = spf_nb_d(c, i);
	const uint32_t *bp = spf_nb_pred(c, i);
	uint32_t *bm = c->bm;

	for (uint32_t x = 0; x < c->n; x++)
		bm[x] = NONE;
	bm[b] = b;
	for (uint32_t x = 0; x < c->n; x++) {
		uint32_t y = x, sp = 0;

		if (bd[x] == INF || bm[x] != NONE)
			continue;
		while (bm[y] == NONE) {
			c->stack[sp++] = y;
			y = bp[y];
		}
		while (sp) {
			y = c->stack[--sp];
			bm[y] = bp[y] != c->pred[y] ? y : bm[bp[y]];
		}
	}
}

/*
 * Offer every destination its failover path through neighbour i: the
 * tunnel S -> B for B itself, and S, B, B's tree path for the others.
 * The merge point gives the class: the source (the path comes back: no
 * backup), x (disjoint), the first hop F (link-protecting only), or a
 * node between them (node-protecting).
 */
static void spf_nb_offer(struct mesh_spf_ctx *c, uint32_t i)
{
	const uint32_t b = c->nb_slot[i];
	const uint64_t w = c->nb_cost[i], *bd = spf_nb_d(c, i);
	const uint32_t *bh = spf_nb_h(c, i);

	if (c->reason[b] == MESH_SPF_OK && c->nh[b] != b)
		spf_bsel_offer(c, b, i, BC_DISJ, w, 1);
	if (!(c->fl[b] & FL_TRANSIT))
		return;
	spf_nb_merge(c, i);
	for (uint32_t x = 0; x < c->n; x++) {
		uint32_t m = c->bm[x], f = c->nh[x];
		unsigned cls;

		if (x == b || bd[x] == INF || c->reason[x] != MESH_SPF_OK ||
		    f == b)
			continue;
		c->fl[x] |= FL_BREACH;
		if (m == c->src)
			continue;
		cls = m == x ? BC_DISJ : m == f ? BC_LFA_LINK : BC_LFA_NODE;
		spf_bsel_offer(c, x, i, cls, w + bd[x], bh[x] + 1);
	}
}

/*
 * Backups of every destination whose primary is usable. The neighbours'
 * trees are kept: all are computed if full, else only those that one of
 * the ne changed arcs e[] affects; the choice is then made anew from all
 * trees (it also depends on the primary).
 */
static void spf_backups(struct mesh_spf_ctx *c, bool full,
			const struct spf_edge_change *e, uint32_t ne)
{
	const struct mesh_graph_node *ns = &c->g->nodes[c->src];
	const uint64_t floor = c->p.min_avail_bw;

	for (uint32_t x = 0; x < c->n; x++) {
		struct spf_bsel *s = &c->sel[x];

		memset(s, 0, sizeof(*s));
		s->cost = INF;
		s->nb = NONE;
		c->fl[x] &= ~(FL_BREACH | FL_BHOPS);
	}
	if (full) {
		uint32_t nnb = 0;

		/* usable tunnels S -> B above the floor, B a destination */
		for (uint32_t k = 0; k < ns->n_edges; k++) {
			uint32_t b = ns->arcs[k].head;

			if (b == NONE || !(c->fl[b] & FL_DST) ||
			    (floor && ns->arc_bw[k].fwd < floor))
				continue;
			c->nb_slot[nnb] = b;
			c->nb_cost[nnb] = ns->arcs[k].cost;
			nnb++;
		}
		c->n_nb = nnb;
		spf_nb_reserve(c, nnb);
	}
	for (uint32_t i = 0; i < c->n_nb; i++) {
		const uint32_t b = c->nb_slot[i];
		bool redo = full;

		if (!(c->fl[b] & FL_TRANSIT))
			continue;
		for (uint32_t j = 0; !redo && j < ne; j++)
			redo = spf_nb_affected(c, i, e[j].u, e[j].v, e[j].old,
					       e[j].cur);
		if (!redo)
			continue;
		if (full)
			spf_tree(c, b, spf_nb_d(c, i), spf_nb_h(c, i),
				 spf_nb_pred(c, i));
		else
			spf_repair(c, b, spf_nb_d(c, i), spf_nb_h(c, i),
				   spf_nb_pred(c, i), e, ne, false);
		c->st.last_nb_trees++;
	}
	for (uint32_t i = 0; i < c->n_nb; i++)
		spf_nb_offer(c, i);
	for (uint32_t x = 0; x < c->n; x++) {
		struct spf_bsel *s = &c->sel[x];
		uint16_t f = c->fl[x];

		if (c->reason[x] != MESH_SPF_OK)
			s->reason = c->reason[x];
		else if (s->nb != NONE)
			s->reason = MESH_SPF_OK;
		else if (f & FL_BHOPS)
			s->reason = MESH_SPF_HOP_LIMIT;
		else if (f & FL_BREACH)
			s->reason = MESH_SPF_NO_LFA;
		else
			s->reason = MESH_SPF_NO_DISJOINT;
	}
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
	}
	for (uint32_t x = 0; x < c->n; x++)
		c->fl[x] &= ~(FL_REACH | FL_REACHT);
}

/*
 * Derive the per-destination outcome from the labels. Unreached nodes
 * keep their reason unless reasons is set (reachability may have
 * changed).
 */

/*
 * Per-destination outcome from the primary labels, then the backups.
 * Unreached nodes keep their reason unless reasons is set (reachability
 * may have changed).
 */
static void spf_finalize(struct mesh_spf_ctx *c, bool reasons, bool full,
			 const struct spf_edge_change *e, uint32_t ne)
{
	const uint32_t maxh = c->p.max_hops;

	c->n_unreached = 0;
	for (uint32_t x = 0; x < c->n; x++) {
		if (!c->g->nodes[x].in_use || x == c->src)
			c->reason[x] = MESH_SPF_NOT_RUN;
		else if (c->d[x] == INF)
			c->n_unreached++;
		else if (maxh && c->h[x] > maxh)
			c->reason[x] = MESH_SPF_HOP_LIMIT;
		else
			c->reason[x] = MESH_SPF_OK;
	}
	if (c->n_unreached && reasons)
		spf_reasons(c);
	spf_backups(c, full, e, ne);
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
	}
	spf_tree(c, c->src, c->d, c->h, c->pred);
	spf_compute_nh(c);
	spf_finalize(c, true, true, NULL, 0);
	c->valid = true;
	return 0;
}

static inline bool spf_lbl_differs(const struct spf_lbl *o, uint64_t d,
				   uint32_t h, uint32_t pred)
{
	return o->d != d || o->h != h || o->pred != pred;
}

/* Returns the run kind, or RUN_NONE if a full run is needed. */
static enum mesh_spf_run_kind
spf_incremental(struct mesh_spf_ctx *c, const struct mesh_graph_change *ch,
		size_t n)
{
	const struct mesh_graph *g = c->g;
	struct spf_edge_change e[MESH_SPF_INC_MAX];
	uint32_t ne = 0, nd = 0;
	bool flips = false, changed = false, out_of_src = false;

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

	/* Primary: repaired, saving every label it changes. */
	c->n_t = 0;
	spf_repair(c, c->src, c->d, c->h, c->pred, e, ne, true);

	/* Backups: the neighbour trees the changes affect are recomputed
	 * (all if a tunnel of the source changed: the neighbours may have),
	 * the choice is made anew, then compared. */
	for (uint32_t j = 0; j < ne; j++)
		if (e[j].u == c->src)
			out_of_src = true;
	memcpy(c->onh, c->nh, c->n * sizeof(*c->nh));
	memcpy(c->osel, c->sel, c->n * sizeof(*c->sel));
	if (c->n_t)
		spf_compute_nh(c);
	spf_finalize(c, flips, out_of_src, e, ne);
	for (uint32_t i = 0; i < c->n_t; i++) {
		uint32_t x = c->tlist[i];

		if (spf_lbl_differs(&c->opl[x], c->d[x], c->h[x], c->pred[x]))
			c->fl[x] |= FL_SEEN;
		c->fl[x] &= ~FL_TOUCH;
	}
	for (uint32_t x = 0; x < c->n; x++) {
		const struct spf_bsel *s = &c->sel[x], *o = &c->osel[x];

		if ((c->fl[x] & FL_SEEN) || c->nh[x] != c->onh[x] ||
		    s->nb != o->nb || s->cost != o->cost ||
		    s->hops != o->hops || s->cls != o->cls ||
		    s->reason != o->reason ||
		    (s->nb != NONE && c->nb_slot[s->nb] != c->nb_slot[o->nb]))
			nd++;
		c->fl[x] &= ~FL_SEEN;
	}
	c->st.last_touched = nd;
	return MESH_SPF_RUN_INCREMENTAL;
}

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
	c->st.last_nb_trees = 0;
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
	const struct spf_bsel *s;
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
	s = &c->sel[x];
	r->reason = c->reason[x];
	r->backup_reason = s->reason;
	if (r->reason != MESH_SPF_OK)
		return 0;
	r->cost = c->d[x];
	r->hops = c->h[x];
	r->nexthop_id = c->g->nodes[c->nh[x]].id;
	if (s->nb == NONE)
		return 0;
	r->backup_kind =
		s->avoids_f ? MESH_SPF_BACKUP_NODE : MESH_SPF_BACKUP_LINK;
	r->backup_disjoint = s->cls == BC_DISJ;
	r->backup_cost = s->cost;
	r->backup_hops = s->hops;
	r->backup_nexthop_id = c->g->nodes[c->nb_slot[s->nb]].id;
	return 0;
}

/*
 * Backup: the source, the neighbour, then the neighbour's tree path,
 * walked backwards from x through that tree's predecessors.
 */
size_t mesh_spf_path(const struct mesh_spf_ctx *c, uint32_t dst_id, bool backup,
		     uint32_t *ids, size_t max)
{
	const uint32_t *lp;
	uint32_t x, stop, len = 0;

	if (!c->valid || !c->g)
		return 0;
	x = mesh_graph_lookup(c->g, dst_id);
	if (x == NONE || x >= c->n || x == c->src ||
	    c->reason[x] != MESH_SPF_OK)
		return 0;
	if (!backup) {
		lp = c->pred;
		stop = c->src;
	} else {
		if (c->sel[x].nb == NONE)
			return 0;
		lp = &c->nbpred[(size_t)c->sel[x].nb * c->cap];
		stop = c->nb_slot[c->sel[x].nb];
		len = 1; /* the source */
	}
	/* Count first, then fill from the end. */
	for (uint32_t y = x; len <= c->n; y = lp[y]) {
		len++;
		if (y == stop)
			break;
	}
	for (uint32_t y = x, i = len; i > 0; y = lp[y]) {
		if (--i < max)
			ids[i] = c->g->nodes[y].id;
		if (y == stop)
			break;
	}
	if (backup && max)
		ids[0] = c->g->nodes[c->src].id;
	return len;
}

const struct mesh_spf_stats *mesh_spf_get_stats(const struct mesh_spf_ctx *c)
{
	return &c->st;
}

size_t mesh_spf_mem_bytes(const struct mesh_spf_ctx *c)
{
	return sizeof(*c) + (size_t)c->cap * SPF_NODE_BYTES +
	       (size_t)c->cap_nb * c->cap *
		       (sizeof(*c->nbd) + sizeof(*c->nbh) + sizeof(*c->nbpred));
}

const char *mesh_spf_backup_str(const struct mesh_spf_route *r)
{
	if (r->backup_reason != MESH_SPF_OK)
		return "none";
	if (r->backup_disjoint)
		return "disjoint";
	return r->backup_kind == MESH_SPF_BACKUP_NODE
		       ? "loop-free alternate, node-protecting"
		       : "loop-free alternate, link-protecting";
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
		return "no path avoids the first tunnel";
	case MESH_SPF_NO_LFA:
		return "no loop-free alternate";
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
