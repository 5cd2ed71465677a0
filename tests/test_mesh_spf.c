// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the meshd connectivity graph and path engine.
 *
 * Random graphs (seeded, reproducible) of 5-9 nodes are checked against a
 * brute-force reference that enumerates every simple path from every node:
 * optimality, feasibility and the exact tie-break of the primary; the
 * backup exactly as mesh_spf.c defines it (every neighbour's own path,
 * classified against the primary: disjoint in nodes and tunnels, else a
 * loop-free alternate avoiding the first-hop node, else one avoiding the
 * source) and the reason when there is none; reasons; hop-by-hop loop
 * freedom of the primaries and of the failover (the packet handed to the
 * backup next hop reaches the destination along the reported backup path
 * without coming back); and incremental == full after random batches of
 * link changes (any mix, up to and beyond MESH_SPF_INC_MAX). The graph is
 * also fed with real mesh attributes, encoded and decoded by the codec of
 * bgpd-ext. Links libfrr for the memory types.
 */

#include <zebra.h>

#include <CUnit/Basic.h>

#include "lib/memory.h"

#include "meshd/meshd.h"
#include "meshd/mesh_graph.h"
#include "meshd/mesh_spf.h"
#include "bgpd-ext/mesh_attr.h"

/* meshd.c (which defines it in the daemon) is not linked here. */
DEFINE_MGROUP(MESHD, "meshd");

#define MAXN 10
#define INF64 UINT64_MAX

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

/* A test topology as the advertisements that built it. */
struct topo {
	int n;
	uint32_t id[MAXN], tenant[MAXN], flags[MAXN];
	bool adv[MAXN][MAXN]; /* i advertises j */
	struct mesh_link_adv la[MAXN][MAXN];
};

static void topo_random(struct topo *t, int n, int pct)
{
	memset(t, 0, sizeof(*t));
	t->n = n;
	for (int i = 0; i < n; i++) {
		t->id[i] = 1000 - 7 * (uint32_t)i + rnd(3); /* not slot order */
		t->tenant[i] = 1 + rnd(2);
		t->flags[i] = rnd(5) == 0 ? MESH_GRAPH_F_PROVIDER_TRANSIT : 0;
	}
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++) {
			struct mesh_link_adv *a = &t->la[i][j];

			if (i == j || (int)rnd(100) >= pct)
				continue;
			t->adv[i][j] = rnd(12) != 0;
			a->peer_id = t->id[j];
			a->delay_us = rnd(8); /* small: many ties */
			a->loss = rnd(3) == 0 ? 333334 * rnd(3) : 0;
			a->avail_bw = 10 * (1 + rnd(10));
			a->max_bw = 100;
			a->up = rnd(10) != 0;
		}
	/* make the "pair" probability symmetric-ish: j lists i if i lists j */
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			if (t->adv[i][j] && !t->adv[j][i] && rnd(4)) {
				t->adv[j][i] = true;
				t->la[j][i] = t->la[i][j];
				t->la[j][i].peer_id = t->id[i];
				t->la[j][i].delay_us = rnd(8);
			}
}

static void topo_load(const struct topo *t, struct mesh_graph *g)
{
	for (int i = 0; i < t->n; i++) {
		struct mesh_link_adv l[MAXN];
		size_t k = 0;

		for (int j = 0; j < t->n; j++)
			if (t->adv[i][j])
				l[k++] = t->la[i][j];
		mesh_graph_node_update(g, t->id[i], t->tenant[i], t->flags[i],
				       1, l, k);
	}
}

static int topo_idx(const struct topo *t, uint32_t id)
{
	for (int i = 0; i < t->n; i++)
		if (t->id[i] == id)
			return i;
	return -1;
}

static bool topo_usable(const struct topo *t, int a, int b)
{
	return t->adv[a][b] && t->adv[b][a] && t->la[a][b].up && t->la[b][a].up;
}

/* ---- brute force ---- */

struct best {
	uint64_t cost;
	uint32_t hops;
};

struct bf {
	const struct topo *t;
	const struct mesh_graph *g;
	const struct mesh_spf_params *p;
	uint32_t tenant;
	int s;
	struct best all[MAXN][MAXN]; /* from every node, by enumeration */
};

/* A path as node indexes. */
struct bf_path {
	int n;
	int v[MAXN + 1];
};

static bool bf_transit(const struct bf *b, int x)
{
	return b->t->tenant[x] == b->tenant ||
	       (b->t->flags[x] & MESH_GRAPH_F_PROVIDER_TRANSIT);
}

static bool bf_dst(const struct bf *b, int x)
{
	return bf_transit(b, x) || b->p->allow_foreign_dst;
}

static bool bf_eligible(const struct bf *b, int x, int y)
{
	return topo_usable(b->t, x, y) &&
	       b->t->la[x][y].avail_bw >= b->p->min_avail_bw;
}

static uint64_t bf_cost(const struct bf *b, int x, int y)
{
	return mesh_graph_link_cost(b->g, &b->t->la[x][y]);
}

static void bf_upd(struct best *bs, uint64_t c, uint32_t h)
{
	if (c < bs->cost || (c == bs->cost && h < bs->hops)) {
		bs->cost = c;
		bs->hops = h;
	}
}

/* Every simple feasible path from src: best (cost, hops) to each node. */
static void bf_dfs(struct bf *b, int src, int x, uint32_t hops, uint32_t mask,
		   uint64_t c)
{
	if (x != src && bf_dst(b, x))
		bf_upd(&b->all[src][x], c, hops);
	if (x != src && !bf_transit(b, x))
		return;
	for (int y = 0; y < b->t->n; y++) {
		if ((mask & (1u << y)) || !bf_eligible(b, x, y) ||
		    !bf_dst(b, y))
			continue;
		bf_dfs(b, src, y, hops + 1, mask | (1u << y),
		       c + bf_cost(b, x, y));
	}
}

/*
 * The path from x to d as the engine defines it: best (cost, hops), and
 * towards d the predecessor of lowest id among those that achieve it.
 */
static bool bf_path(const struct bf *b, int x, int d, struct bf_path *out)
{
	int v[MAXN + 1], n = 0, y = d;

	if (b->all[x][d].cost == INF64)
		return false;
	v[n++] = d;
	while (y != x) {
		int best = -1;

		for (int u = 0; u < b->t->n; u++) {
			uint64_t cu = u == x ? 0 : b->all[x][u].cost;
			uint32_t hu = u == x ? 0 : b->all[x][u].hops;

			if (u == y || cu == INF64 || !bf_eligible(b, u, y) ||
			    (u != x && !bf_transit(b, u)))
				continue;
			if (cu + bf_cost(b, u, y) != b->all[x][y].cost ||
			    hu + 1 != b->all[x][y].hops)
				continue;
			if (best < 0 || b->t->id[u] < b->t->id[best])
				best = u;
		}
		CU_ASSERT_FATAL(best >= 0 && n <= MAXN);
		v[n++] = best;
		y = best;
	}
	out->n = n;
	for (int i = 0; i < n; i++)
		out->v[i] = v[n - 1 - i];
	return true;
}

static bool bf_has_node(const struct bf_path *p, int from, int to, int x)
{
	for (int i = from; i < to; i++)
		if (p->v[i] == x)
			return true;
	return false;
}

static bool bf_has_tunnel(const struct bf_path *p, int a, int c)
{
	for (int i = 0; i + 1 < p->n; i++)
		if ((p->v[i] == a && p->v[i + 1] == c) ||
		    (p->v[i] == c && p->v[i + 1] == a))
			return true;
	return false;
}

static void bf_reach(const struct bf *b, bool tenant, bool *seen)
{
	int q[MAXN], qh = 0, qt = 0;

	memset(seen, 0, sizeof(bool) * MAXN);
	seen[b->s] = true;
	q[qt++] = b->s;
	while (qh < qt) {
		int x = q[qh++];

		if (tenant && x != b->s && !bf_transit(b, x))
			continue;
		for (int y = 0; y < b->t->n; y++) {
			if (seen[y] || !topo_usable(b->t, x, y))
				continue;
			if (tenant && !bf_dst(b, y))
				continue;
			seen[y] = true;
			q[qt++] = y;
		}
	}
}

static void bf_run(struct bf *b)
{
	for (int i = 0; i < MAXN; i++)
		for (int k = 0; k < MAXN; k++)
			b->all[i][k].cost = INF64;
	for (int x = 0; x < b->t->n; x++)
		bf_dfs(b, x, x, 0, 1u << x, 0);
}

/* Check a path returned by the engine; returns its cost or INF64. */
static uint64_t check_path(const struct bf *b, const uint32_t *ids, size_t len,
			   int d, uint32_t *hops)
{
	uint32_t mask = 0;
	uint64_t c = 0;
	int prev = -1;

	if (len < 2 || topo_idx(b->t, ids[0]) != b->s ||
	    topo_idx(b->t, ids[len - 1]) != d)
		return INF64;
	for (size_t i = 0; i < len; i++) {
		int x = topo_idx(b->t, ids[i]);

		if (x < 0 || (mask & (1u << x)))
			return INF64;
		mask |= 1u << x;
		if (i > 0 && i < len - 1 && !bf_transit(b, x))
			return INF64;
		if (prev >= 0) {
			if (!bf_eligible(b, prev, x))
				return INF64;
			c += bf_cost(b, prev, x);
		}
		prev = x;
	}
	if (!bf_dst(b, d))
		return INF64;
	*hops = (uint32_t)len - 1;
	return c;
}

static int n_checked_routes, n_checked_backups, n_failover_walks;
static int n_by_class[4]; /* no backup, LFA link, LFA node, disjoint */

/* Backup classes as mesh_spf.c ranks them, worst first. */
enum { RC_NONE, RC_LFA_LINK, RC_LFA_NODE, RC_DISJ };

struct bf_backup {
	int cls, b;
	bool avoids_f;
	uint64_t cost;
	uint32_t hops;
	struct bf_path path;
	enum mesh_spf_reason reason;
};

/*
 * The reference backup of s -> d (primary pp, first hop f): try every
 * neighbour b != f; the failover path is s, then b's own path to d.
 */
static void bf_backup(const struct bf *b, const struct bf_path *pp, int d,
		      struct bf_backup *out)
{
	const int s = b->s, f = pp->v[1];
	bool reach = false, hops_out = false;

	memset(out, 0, sizeof(*out));
	out->b = -1;
	for (int nb = 0; nb < b->t->n; nb++) {
		struct bf_path fp, bp;
		int cls;
		bool avoids_f, node = false, link = false;
		uint64_t cost;

		if (nb == s || nb == f || !bf_eligible(b, s, nb) ||
		    !bf_dst(b, nb))
			continue;
		if (nb == d) {
			bp.n = 1;
			bp.v[0] = d;
		} else if (!bf_transit(b, nb) || !bf_path(b, nb, d, &bp)) {
			continue;
		}
		reach = true;
		fp.n = bp.n + 1;
		fp.v[0] = s;
		memcpy(&fp.v[1], bp.v, sizeof(int) * (size_t)bp.n);
		if (bf_has_node(&fp, 1, fp.n, s))
			continue; /* comes back through s: loops */
		if ((uint32_t)fp.n - 1 > b->p->max_hops && b->p->max_hops) {
			hops_out = true;
			continue;
		}
		for (int i = 1; i + 1 < fp.n; i++)
			if (bf_has_node(pp, 1, pp->n - 1, fp.v[i]))
				node = true;
		for (int i = 0; i + 1 < fp.n; i++)
			if (bf_has_tunnel(pp, fp.v[i], fp.v[i + 1]))
				link = true;
		/* link-disjoint implies node-disjoint here (mesh_spf.c) */
		CU_ASSERT(link || !node);
		avoids_f = d != f && !bf_has_node(&fp, 0, fp.n, f);
		cls = !node ? RC_DISJ : avoids_f ? RC_LFA_NODE : RC_LFA_LINK;
		cost = bf_cost(b, s, nb) + (nb == d ? 0 : b->all[nb][d].cost);
		if (out->b >= 0) {
			if (cls != out->cls) {
				if (cls < out->cls)
					continue;
			} else if (cost != out->cost) {
				if (cost > out->cost)
					continue;
			} else if ((uint32_t)fp.n - 1 != out->hops) {
				if ((uint32_t)fp.n - 1 > out->hops)
					continue;
			} else if (b->t->id[nb] > b->t->id[out->b]) {
				continue;
			}
		}
		out->b = nb;
		out->cls = cls;
		out->avoids_f = avoids_f;
		out->cost = cost;
		out->hops = (uint32_t)fp.n - 1;
		out->path = fp;
	}
	if (out->b >= 0)
		out->reason = MESH_SPF_OK;
	else if (hops_out)
		out->reason = MESH_SPF_HOP_LIMIT;
	else if (reach)
		out->reason = MESH_SPF_NO_LFA;
	else
		out->reason = MESH_SPF_NO_DISJOINT;
}

/* Does any feasible path from s to d avoid the tunnel s -> f? */
static bool bf_avoids_tunnel(const struct bf *b, int s, int f, int d)
{
	for (int nb = 0; nb < b->t->n; nb++)
		if (nb != f && nb != s && bf_eligible(b, s, nb) &&
		    (nb == d ||
		     (bf_transit(b, nb) && b->all[nb][d].cost != INF64)))
			return true;
	return false;
}

static void check_source(const struct topo *t, const struct mesh_graph *g,
			 const struct mesh_spf_params *p, int s)
{
	struct mesh_spf_ctx *ctx = mesh_spf_new(p);
	static struct bf b;
	bool reach_all[MAXN], reach_t[MAXN];

	CU_ASSERT_FATAL(mesh_spf_run(ctx, g, NULL, 0) == 0);
	memset(&b, 0, sizeof(b));
	b.t = t;
	b.g = g;
	b.p = p;
	b.s = s;
	b.tenant = p->use_src_tenant ? t->tenant[s] : p->tenant;
	bf_run(&b);
	bf_reach(&b, false, reach_all);
	bf_reach(&b, true, reach_t);

	for (int d = 0; d < t->n; d++) {
		struct mesh_spf_route r;
		uint32_t ids[MAXN + 1], hops = 0;
		struct bf_path pp;
		struct bf_backup bk;
		size_t len;

		/* nodes without links are in the graph too: unreachable */
		if (d == s)
			continue;
		CU_ASSERT_FATAL(mesh_spf_route_get(ctx, t->id[d], &r) == 0);
		n_checked_routes++;
		if (b.all[s][d].cost == INF64) {
			enum mesh_spf_reason exp;

			if (!bf_dst(&b, d))
				exp = MESH_SPF_TENANT_TRANSIT;
			else if (!reach_all[d])
				exp = MESH_SPF_UNREACHABLE;
			else if (reach_t[d])
				exp = MESH_SPF_BANDWIDTH;
			else
				exp = MESH_SPF_TENANT_TRANSIT;
			CU_ASSERT_EQUAL(r.reason, exp);
			CU_ASSERT_EQUAL(r.backup_reason, exp);
			continue;
		}
		if (p->max_hops && b.all[s][d].hops > p->max_hops) {
			CU_ASSERT_EQUAL(r.reason, MESH_SPF_HOP_LIMIT);
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(r.reason, MESH_SPF_OK);
		CU_ASSERT_EQUAL(r.cost, b.all[s][d].cost);
		CU_ASSERT_EQUAL(r.hops, b.all[s][d].hops);
		len = mesh_spf_path(ctx, t->id[d], false, ids, MAXN + 1);
		CU_ASSERT_EQUAL(check_path(&b, ids, len, d, &hops), r.cost);
		CU_ASSERT_EQUAL(hops, r.hops);
		CU_ASSERT_EQUAL(ids[1], r.nexthop_id);
		if (p->max_hops)
			CU_ASSERT(hops <= p->max_hops);
		/* the tie-break, exactly */
		CU_ASSERT_FATAL(bf_path(&b, s, d, &pp));
		CU_ASSERT_EQUAL_FATAL(len, (size_t)pp.n);
		for (int i = 0; i < pp.n; i++)
			CU_ASSERT_EQUAL(ids[i], t->id[pp.v[i]]);

		/* Backup, against the reference. */
		bf_backup(&b, &pp, d, &bk);
		CU_ASSERT_EQUAL(r.backup_reason, bk.reason);
		if (bk.reason == MESH_SPF_NO_DISJOINT)
			CU_ASSERT(!bf_avoids_tunnel(&b, s, pp.v[1], d));
		if (bk.reason != MESH_SPF_OK) {
			n_by_class[0]++;
			CU_ASSERT_EQUAL(r.backup_nexthop_id, MESH_GRAPH_NONE);
			CU_ASSERT_EQUAL(mesh_spf_path(ctx, t->id[d], true, ids,
						      MAXN + 1),
					0);
			continue;
		}
		n_checked_backups++;
		n_by_class[bk.cls]++;
		CU_ASSERT_EQUAL(r.backup_nexthop_id, t->id[bk.b]);
		CU_ASSERT_EQUAL(r.backup_cost, bk.cost);
		CU_ASSERT_EQUAL(r.backup_hops, bk.hops);
		CU_ASSERT_EQUAL(r.backup_kind, bk.avoids_f
						       ? MESH_SPF_BACKUP_NODE
						       : MESH_SPF_BACKUP_LINK);
		CU_ASSERT_EQUAL(r.backup_disjoint, bk.cls == RC_DISJ);
		len = mesh_spf_path(ctx, t->id[d], true, ids, MAXN + 1);
		CU_ASSERT_EQUAL_FATAL(len, (size_t)bk.path.n);
		for (int i = 0; i < bk.path.n; i++)
			CU_ASSERT_EQUAL(ids[i], t->id[bk.path.v[i]]);

		/* What the engine claims, checked on its own paths. */
		CU_ASSERT_EQUAL(check_path(&b, ids, len, d, &hops),
				r.backup_cost);
		CU_ASSERT_EQUAL(hops, r.backup_hops);
		CU_ASSERT(ids[1] != r.nexthop_id); /* never the 1st tunnel */
		for (size_t i = 1; i < len; i++)   /* never back to s */
			CU_ASSERT(ids[i] != t->id[s]);
		for (size_t i = 1; i + 1 < len; i++) {
			bool on_primary = bf_has_node(&pp, 1, pp.n - 1,
						      topo_idx(t, ids[i]));

			if (r.backup_disjoint)
				CU_ASSERT(!on_primary);
			if (r.backup_kind == MESH_SPF_BACKUP_NODE)
				CU_ASSERT(ids[i] != r.nexthop_id);
		}
		for (size_t i = 0; i + 1 < len; i++)
			if (r.backup_disjoint)
				CU_ASSERT(!bf_has_tunnel(
					&pp, topo_idx(t, ids[i]),
					topo_idx(t, ids[i + 1])));
	}
	mesh_spf_free(ctx);
}

static void random_params(const struct topo *t, struct mesh_spf_params *p,
			  int s)
{
	memset(p, 0, sizeof(*p));
	p->src_id = t->id[s];
	p->use_src_tenant = rnd(4) != 0;
	p->tenant = 1 + rnd(2);
	p->allow_foreign_dst = rnd(2);
	p->min_avail_bw = rnd(3) == 0 ? 40 : 0;
	p->max_hops = rnd(3) == 0 ? 2 + rnd(2) : 0;
}

static void test_bruteforce(void)
{
	rng_state = 0x5eed1234abcdULL;
	for (int it = 0; it < 4000; it++) {
		struct topo t;
		struct mesh_graph *g = mesh_graph_new();
		int n = 5 + (int)rnd(5);

		topo_random(&t, n, 30 + (int)rnd(40));
		topo_load(&t, g);
		for (int s = 0; s < n; s++) {
			struct mesh_spf_params p;

			random_params(&t, &p, s);
			check_source(&t, g, &p, s);
		}
		mesh_graph_free(g);
	}
	printf("\n    %d routes, %d backups checked against brute force"
	       "\n    (none %d, LFA link-protecting %d, node-protecting %d,"
	       " disjoint %d) ",
	       n_checked_routes, n_checked_backups, n_by_class[0],
	       n_by_class[1], n_by_class[2], n_by_class[3]);
	CU_ASSERT(n_checked_backups > 10000);
	/* every outcome is exercised */
	for (int i = 0; i < 4; i++)
		CU_ASSERT(n_by_class[i] > 100);
}

/* ---- loop freedom ---- */

/*
 * The failover guarantee: the tunnel s -> primary next hop is down, s
 * hands the packet to its backup next hop and every node from there
 * forwards on its own primary. The packet must reach d without coming
 * back to s, along exactly the backup path s reported.
 */
static void failover_walk(const struct topo *t, struct mesh_spf_ctx **ctx,
			  int s, int d, const struct mesh_spf_route *rs)
{
	uint32_t ids[MAXN + 1];
	size_t len = mesh_spf_path(ctx[s], t->id[d], true, ids, MAXN + 1);
	size_t i = 1;
	int x = topo_idx(t, rs->backup_nexthop_id);

	CU_ASSERT_FATAL(len >= 2 && len <= MAXN);
	CU_ASSERT_EQUAL(ids[1], rs->backup_nexthop_id);
	while (x != d) {
		struct mesh_spf_route r;

		CU_ASSERT_FATAL(x != s && i < len);
		CU_ASSERT_EQUAL(ids[i], t->id[x]);
		mesh_spf_route_get(ctx[x], t->id[d], &r);
		CU_ASSERT_EQUAL_FATAL(r.reason, MESH_SPF_OK);
		x = topo_idx(t, r.nexthop_id);
		i++;
	}
	CU_ASSERT_EQUAL(i, len - 1);
	CU_ASSERT_EQUAL(ids[len - 1], t->id[d]);
	n_failover_walks++;
}

static void loopfree_one(const struct topo *t, const struct mesh_graph *g,
			 uint32_t tenant, uint64_t floor, uint32_t maxh,
			 int *walks)
{
	struct mesh_spf_ctx *ctx[MAXN] = {0};

	for (int s = 0; s < t->n; s++) {
		struct mesh_spf_params p = {.src_id = t->id[s],
					    .tenant = tenant,
					    .min_avail_bw = floor,
					    .max_hops = maxh,
					    .allow_foreign_dst = true};

		ctx[s] = mesh_spf_new(&p);
		mesh_spf_run(ctx[s], g, NULL, 0);
	}
	for (int s = 0; s < t->n; s++)
		for (int d = 0; d < t->n; d++) {
			struct mesh_spf_route r;
			bool seen[MAXN] = {false};
			int x = s;

			if (!ctx[s] || !ctx[d] || s == d)
				continue;
			mesh_spf_route_get(ctx[s], t->id[d], &r);
			if (r.reason != MESH_SPF_OK)
				continue;
			(*walks)++;
			if (r.backup_reason == MESH_SPF_OK)
				failover_walk(t, ctx, s, d, &r);
			while (x != d) {
				CU_ASSERT_FATAL(!seen[x]);
				seen[x] = true;
				mesh_spf_route_get(ctx[x], t->id[d], &r);
				if (r.reason != MESH_SPF_OK) {
					/* only a hop limit may drop */
					CU_ASSERT(maxh != 0);
					break;
				}
				x = topo_idx(t, r.nexthop_id);
			}
		}
	for (int s = 0; s < t->n; s++)
		mesh_spf_free(ctx[s]);
}

static void test_loop_free(void)
{
	int walks = 0;

	rng_state = 0x100bf4eeULL;
	for (int it = 0; it < 2000; it++) {
		struct topo t;
		struct mesh_graph *g = mesh_graph_new();

		topo_random(&t, 5 + (int)rnd(5), 30 + (int)rnd(50));
		topo_load(&t, g);
		for (uint32_t tn = 1; tn <= 2; tn++)
			loopfree_one(&t, g, tn, rnd(2) ? 40 : 0, rnd(4) ? 0 : 2,
				     &walks);
		mesh_graph_free(g);
	}
	printf("\n    %d primary walks, %d failover walks ", walks,
	       n_failover_walks);
	CU_ASSERT(walks > 20000);
	CU_ASSERT(n_failover_walks > 10000);
}

/* ---- incremental == full ---- */

static bool same_results(const struct mesh_spf_ctx *a,
			 const struct mesh_spf_ctx *b, const uint32_t *ids,
			 int n)
{
	for (int i = 0; i < n; i++) {
		struct mesh_spf_route ra, rb;
		uint32_t pa[512], pb[512];
		size_t la, lb;

		mesh_spf_route_get(a, ids[i], &ra);
		mesh_spf_route_get(b, ids[i], &rb);
		if (memcmp(&ra, &rb, sizeof(ra))) {
			fprintf(stderr,
				"\n  dst %u: reason %d/%d cost %llu/%llu "
				"nh %u/%u breason %d/%d bcost %llu/%llu "
				"bnh %u/%u\n",
				ids[i], ra.reason, rb.reason,
				(unsigned long long)ra.cost,
				(unsigned long long)rb.cost, ra.nexthop_id,
				rb.nexthop_id, ra.backup_reason,
				rb.backup_reason,
				(unsigned long long)ra.backup_cost,
				(unsigned long long)rb.backup_cost,
				ra.backup_nexthop_id, rb.backup_nexthop_id);
			return false;
		}
		for (int bk = 0; bk < 2; bk++) {
			la = mesh_spf_path(a, ids[i], bk, pa, 512);
			lb = mesh_spf_path(b, ids[i], bk, pb, 512);
			if (la != lb || la > 512 ||
			    memcmp(pa, pb, la * sizeof(*pa))) {
				fprintf(stderr, "\n  dst %u: %s path differs\n",
					ids[i], bk ? "backup" : "primary");
				return false;
			}
		}
	}
	return true;
}

struct edge_ref {
	uint32_t tail_id, peer_id;
};

/*
 * Change one tunnel direction at random (its state, bandwidth or delay),
 * appending the records mesh_graph_link_update() returns. Half of the
 * time the tunnel lies on a primary or backup path; sometimes it is one of
 * the source's, sometimes the tunnel changed just before.
 */
static void random_change(struct mesh_graph *g, const struct mesh_spf_ctx *c,
			  uint32_t src_id, const uint32_t *ids, int n,
			  struct edge_ref *last, struct mesh_graph_change *ch,
			  size_t *nch)
{
	uint32_t pa[512], slot, peer;
	const struct mesh_graph_node *nd;
	struct mesh_link_adv adv;
	size_t k, pl;

	if (last->tail_id && rnd(6) == 0) {
		slot = mesh_graph_lookup(g, last->tail_id);
		peer = last->peer_id;
	} else if (rnd(8) == 0) {
		slot = mesh_graph_lookup(g, src_id);
		nd = &g->nodes[slot];
		peer = nd->edges[rnd(nd->n_edges)].adv.peer_id;
	} else {
		slot = mesh_graph_lookup(g, ids[rnd(n)]);
		pl = mesh_spf_path(c, g->nodes[slot].id, rnd(2), pa, 512);
		if (rnd(2) && pl >= 2 && pl <= 512) {
			k = rnd((uint32_t)pl - 1);
			slot = mesh_graph_lookup(g, pa[k]);
			peer = pa[k + 1];
		} else {
			nd = &g->nodes[slot];
			peer = nd->edges[rnd(nd->n_edges)].adv.peer_id;
		}
	}
	nd = &g->nodes[slot];
	adv = nd->edges[mesh_graph_find_edge(g, slot, peer)].adv;
	switch (rnd(6)) {
	case 0:
		adv.up = !adv.up;
		break;
	case 1:
		adv.avail_bw = 10 * (1 + rnd(10));
		break;
	case 2:
		adv.delay_us += 1;
		break;
	case 3:
		adv.delay_us = adv.delay_us > 1 ? adv.delay_us - 1 : 0;
		break;
	default:
		adv.delay_us = 1 + rnd(12);
		break;
	}
	last->tail_id = nd->id;
	last->peer_id = peer;
	CU_ASSERT_FATAL(mesh_graph_link_update(g, nd->id, peer, &adv, &ch[*nch],
					       &k) == 0);
	*nch += k;
}

static uint64_t inc_runs[4]; /* by enum mesh_spf_run_kind */

/*
 * One random graph of n nodes (a ring plus about extra random tunnels per
 * node), then `changes` batches of link changes: after each, the context
 * updated with the change list must equal a fresh full run.
 */
static void inc_round(int n, int extra, int changes, bool pending_api)
{
	uint32_t ids[512];
	struct mesh_graph *g = mesh_graph_new();
	struct mesh_spf_params p = {0};
	struct mesh_spf_ctx *ci, *cf;
	struct edge_ref last = {0};

	for (int i = 0; i < n; i++)
		ids[i] = 10 + (uint32_t)i * 3;
	for (int i = 0; i < n; i++) {
		struct mesh_link_adv l[512];
		size_t k = 0;

		for (int j = 0; j < n; j++) {
			if (i == j || ((int)rnd((uint32_t)n) >= extra &&
				       j != (i + 1) % n && i != (j + 1) % n))
				continue;
			memset(&l[k], 0, sizeof(l[k]));
			l[k].peer_id = ids[j];
			l[k].delay_us = 1 + rnd(10);
			l[k].avail_bw = 10 * (1 + rnd(10));
			l[k].up = rnd(15) != 0;
			k++;
		}
		mesh_graph_node_update(g, ids[i], 1 + (rnd(6) == 0),
				       rnd(6) == 0, 1, l, k);
	}
	p.src_id = ids[rnd((uint32_t)n)];
	p.use_src_tenant = true;
	p.allow_foreign_dst = rnd(2);
	p.min_avail_bw = rnd(2) ? 30 : 0;
	p.max_hops = rnd(3) == 0 ? 4 : 0;
	ci = mesh_spf_new(&p);
	cf = mesh_spf_new(&p);
	CU_ASSERT_FATAL(mesh_spf_run(ci, g, NULL, 0) == 0);
	for (int c = 0; c < changes; c++) {
		struct mesh_graph_change ch[128];
		size_t nch = 0, batch;
		uint32_t r = rnd(20);
		const struct mesh_spf_stats *st = mesh_spf_get_stats(ci);
		uint64_t runs = st->runs;

		if (r < 10)
			batch = 1;
		else if (r < 13)
			batch = 2;
		else if (r < 16)
			batch = 3 + rnd(6);
		else if (r < 18)
			batch = 9 + rnd(8);
		else
			batch = 30 + rnd(30); /* mostly > MESH_SPF_INC_MAX */
		for (size_t bi = 0; bi < batch; bi++) {
			size_t before = nch;

			random_change(g, ci, p.src_id, ids, n, &last, ch, &nch);
			if (pending_api)
				mesh_spf_changes_add(ci, &ch[before],
						     nch - before);
		}
		if (pending_api) {
			enum mesh_spf_full_reason why;
			enum mesh_spf_run_kind pk =
				mesh_spf_pending(ci, g, &why);

			if (nch == 0) {
				CU_ASSERT_EQUAL(pk, MESH_SPF_RUN_NONE);
			} else if (nch <= MESH_SPF_INC_MAX) {
				CU_ASSERT_EQUAL(pk, MESH_SPF_RUN_INCREMENTAL);
			} else {
				CU_ASSERT(pk == MESH_SPF_RUN_FULL &&
					  why == MESH_SPF_FULL_CHANGES);
			}
			CU_ASSERT_EQUAL(mesh_spf_incremental_possible(ci, g),
					pk == MESH_SPF_RUN_INCREMENTAL);
			CU_ASSERT_EQUAL(st->changes_pending, nch);
			mesh_spf_run_pending(ci, g);
			CU_ASSERT_EQUAL(st->runs, runs + (nch != 0));
			CU_ASSERT_EQUAL(st->changes_pending, 0);
		} else {
			mesh_spf_run(ci, g, ch, nch);
		}
		if (nch > MESH_SPF_INC_MAX) {
			CU_ASSERT(st->last_kind == MESH_SPF_RUN_FULL &&
				  st->last_full_reason ==
					  MESH_SPF_FULL_CHANGES);
		} else if (nch) {
			CU_ASSERT(st->last_kind != MESH_SPF_RUN_FULL);
		}
		if (nch)
			inc_runs[st->last_kind]++;
		mesh_spf_run(cf, g, NULL, 0);
		CU_ASSERT_FATAL(same_results(ci, cf, ids, n));
	}
	CU_ASSERT_EQUAL(mesh_spf_get_stats(ci)->runs,
			mesh_spf_get_stats(ci)->runs_full +
				mesh_spf_get_stats(ci)->runs_incremental +
				mesh_spf_get_stats(ci)->runs_skipped);
	mesh_spf_free(ci);
	mesh_spf_free(cf);
	mesh_graph_free(g);
}

static void test_incremental(void)
{
	rng_state = 0x1c4e3e11ULL;
	memset(inc_runs, 0, sizeof(inc_runs));
	for (int round = 0; round < 60; round++)
		inc_round(30, 4, 200, round % 2);
	for (int round = 0; round < 6; round++)
		inc_round(200, 3, 150, round % 2);
	for (int round = 0; round < 40; round++)
		inc_round(8, 3, 100, round % 2);
	printf("\n    incremental %llu, skipped %llu, full %llu ",
	       (unsigned long long)inc_runs[MESH_SPF_RUN_INCREMENTAL],
	       (unsigned long long)inc_runs[MESH_SPF_RUN_SKIPPED],
	       (unsigned long long)inc_runs[MESH_SPF_RUN_FULL]);
	CU_ASSERT(inc_runs[MESH_SPF_RUN_INCREMENTAL] > 3000);
	CU_ASSERT(inc_runs[MESH_SPF_RUN_SKIPPED] > 1000);
	CU_ASSERT(inc_runs[MESH_SPF_RUN_FULL] > 150);
}

/* ---- graph ---- */

static struct mesh_link_adv L(uint32_t peer, uint32_t delay) {
	struct mesh_link_adv a = {.peer_id = peer,
				  .delay_us = delay,
				  .avail_bw = 100,
				  .max_bw = 100,
				  .up = true};
	return a;
}

static struct mesh_spf_route
route_p(struct mesh_graph *g, const struct mesh_spf_params *p, uint32_t dst)
{
	struct mesh_spf_ctx *c = mesh_spf_new(p);
	struct mesh_spf_route r;

	mesh_spf_run(c, g, NULL, 0);
	mesh_spf_route_get(c, dst, &r);
	mesh_spf_free(c);
	return r;
}

static struct mesh_spf_route route(struct mesh_graph *g, uint32_t src,
				   uint32_t dst)
{
	struct mesh_spf_params p = {.src_id = src, .use_src_tenant = true};

	return route_p(g, &p, dst);
}

/* The engine's arc view mirrors the advertisements exactly. */
static void check_arcs(const struct mesh_graph *g)
{
	for (uint32_t s = 0; s < g->n_slots; s++) {
		const struct mesh_graph_node *nd = &g->nodes[s];

		if (!nd->in_use)
			continue;
		CU_ASSERT_EQUAL(mesh_graph_lookup(g, nd->id), s);
		for (uint32_t k = 0; k < nd->n_edges; k++) {
			const struct mesh_graph_edge *e = &nd->edges[k];
			const struct mesh_graph_arc *a = &nd->arcs[k];
			const struct mesh_graph_arc_bw *bw = &nd->arc_bw[k];
			uint32_t peer = mesh_graph_lookup(g, e->adv.peer_id);
			uint32_t r =
				peer == MESH_GRAPH_NONE
					? MESH_GRAPH_NONE
					: mesh_graph_find_edge(g, peer, nd->id);

			if (k)
				CU_ASSERT(nd->edges[k - 1].adv.peer_id <
					  e->adv.peer_id);
			CU_ASSERT_EQUAL(a->cost, e->cost);
			CU_ASSERT_EQUAL(e->cost,
					mesh_graph_link_cost(g, &e->adv));
			CU_ASSERT_EQUAL(bw->fwd, e->adv.avail_bw);
			/* paired iff the peer lists us */
			CU_ASSERT_EQUAL(e->head,
					peer == MESH_GRAPH_NONE ||
							r == MESH_GRAPH_NONE
						? MESH_GRAPH_NONE
						: peer);
			if (e->head == MESH_GRAPH_NONE) {
				CU_ASSERT_FALSE(e->usable);
				CU_ASSERT_EQUAL(a->head, MESH_GRAPH_NONE);
				continue;
			}
			const struct mesh_graph_edge *re =
				&g->nodes[e->head].edges[e->rev];

			CU_ASSERT_EQUAL(e->rev, r);
			CU_ASSERT_EQUAL(re->head, s);
			CU_ASSERT_EQUAL(re->rev, k);
			CU_ASSERT_EQUAL(e->usable, e->adv.up && re->adv.up);
			CU_ASSERT_EQUAL(re->usable, e->usable);
			if (!e->usable) {
				CU_ASSERT_EQUAL(a->head, MESH_GRAPH_NONE);
				continue;
			}
			CU_ASSERT_EQUAL(a->head, e->head);
			CU_ASSERT_EQUAL(a->rcost, re->cost);
			CU_ASSERT_EQUAL(bw->rev, re->adv.avail_bw);
		}
	}
}

static void test_arcs(void)
{
	struct mesh_graph *g = mesh_graph_new();
	int ops[3] = {0};

	rng_state = 0xa4c5ULL;
	for (int it = 0; it < 20000; it++) {
		uint32_t id = 1 + rnd(25);
		uint32_t r = rnd(10);

		if (r < 4) {
			struct mesh_link_adv l[8];
			size_t n = rnd(8);

			for (size_t i = 0; i < n; i++) {
				l[i] = L(1 + rnd(25), rnd(50));
				l[i].up = rnd(6) != 0;
				l[i].avail_bw = rnd(100);
				l[i].loss = rnd(3) ? 0 : rnd(1000000);
			}
			mesh_graph_node_update(g, id, 1, 0, (uint64_t)it + 1, l,
					       n);
			ops[0]++;
		} else if (r < 5) {
			mesh_graph_node_withdraw(g, id);
			ops[1]++;
		} else {
			uint32_t s = mesh_graph_lookup(g, id);
			struct mesh_graph_change ch[2];
			struct mesh_link_adv a;
			size_t nch;

			if (s == MESH_GRAPH_NONE || !g->nodes[s].n_edges)
				continue;
			a = g->nodes[s].edges[rnd(g->nodes[s].n_edges)].adv;
			a.up = rnd(4) != 0;
			a.delay_us = rnd(50);
			a.avail_bw = rnd(100);
			CU_ASSERT_EQUAL(mesh_graph_link_update(g, id, a.peer_id,
							       &a, ch, &nch),
					0);
			ops[2]++;
		}
		if (it % 7 == 0)
			mesh_graph_set_loss_weight(g, rnd(3) * 1000);
		check_arcs(g);
	}
	CU_ASSERT(ops[0] > 5000 && ops[1] > 1000 && ops[2] > 5000);
	mesh_graph_free(g);
}

static void test_graph(void)
{
	struct mesh_graph *g = mesh_graph_new();
	struct mesh_link_adv a[3];
	struct mesh_graph_change ch[2];
	size_t nch;
	uint32_t s;

	/* two-way check: 1 lists 2, 2 does not list 1 yet */
	a[0] = L(2, 5);
	CU_ASSERT_EQUAL(mesh_graph_node_update(g, 1, 1, 0, 10, a, 1), 1);
	a[0] = L(3, 5);
	CU_ASSERT_EQUAL(mesh_graph_node_update(g, 2, 1, 0, 10, a, 1), 1);
	CU_ASSERT_EQUAL(route(g, 1, 2).reason, MESH_SPF_UNREACHABLE);
	s = mesh_graph_lookup(g, 1);
	CU_ASSERT_FALSE(g->nodes[s].edges[0].usable);

	/* 2 now lists 1: usable both ways, tail's metric per direction */
	a[0] = L(1, 7);
	a[1] = L(3, 5);
	CU_ASSERT_EQUAL(mesh_graph_node_update(g, 2, 1, 0, 11, a, 2), 1);
	CU_ASSERT_EQUAL(route(g, 1, 2).reason, MESH_SPF_OK);
	CU_ASSERT_EQUAL(route(g, 1, 2).cost, 5);
	CU_ASSERT_EQUAL(route(g, 2, 1).cost, 7);

	/* older or equal seqno ignored */
	a[0] = L(1, 70);
	CU_ASSERT_EQUAL(mesh_graph_node_update(g, 2, 1, 0, 11, a, 1), 0);
	CU_ASSERT_EQUAL(mesh_graph_node_update(g, 2, 1, 0, 9, a, 1), 0);
	CU_ASSERT_EQUAL(route(g, 2, 1).cost, 7);
	CU_ASSERT_EQUAL(mesh_graph_node_update(g, 2, 1, 0, 12, a, 1), 1);
	CU_ASSERT_EQUAL(route(g, 2, 1).cost, 70);

	/* one direction down makes the tunnel unusable both ways */
	a[0] = L(1, 5);
	a[0].up = false;
	CU_ASSERT_EQUAL(mesh_graph_link_update(g, 2, 1, a, ch, &nch), 0);
	CU_ASSERT_EQUAL(nch, 2);
	CU_ASSERT_EQUAL(route(g, 1, 2).reason, MESH_SPF_UNREACHABLE);
	a[0].up = true;
	CU_ASSERT_EQUAL(mesh_graph_link_update(g, 2, 1, a, ch, &nch), 0);
	CU_ASSERT_EQUAL(route(g, 1, 2).reason, MESH_SPF_OK);
	CU_ASSERT_EQUAL(mesh_graph_link_update(g, 2, 9, a, ch, &nch), -1);
	check_arcs(g);

	/* withdraw removes the node and its links */
	CU_ASSERT_EQUAL(mesh_graph_node_count(g), 2);
	CU_ASSERT_EQUAL(mesh_graph_node_withdraw(g, 2), 0);
	CU_ASSERT_EQUAL(mesh_graph_lookup(g, 2), MESH_GRAPH_NONE);
	CU_ASSERT_EQUAL(mesh_graph_node_count(g), 1);
	CU_ASSERT_FALSE(g->nodes[s].edges[0].usable);
	CU_ASSERT_EQUAL(g->nodes[s].arcs[0].head, MESH_GRAPH_NONE);
	CU_ASSERT_EQUAL(mesh_graph_node_withdraw(g, 2), -1);
	/* re-added node is paired again, slot reused */
	a[0] = L(1, 3);
	CU_ASSERT_EQUAL(mesh_graph_node_update(g, 2, 1, 0, 1, a, 1), 1);
	CU_ASSERT_EQUAL(route(g, 1, 2).cost, 5);

	/* a node advertising no links stays, unreachable, with its seqno */
	CU_ASSERT_EQUAL(mesh_graph_node_update(g, 2, 1, 0, 2, NULL, 0), 1);
	CU_ASSERT_NOT_EQUAL(mesh_graph_lookup(g, 2), MESH_GRAPH_NONE);
	CU_ASSERT_EQUAL(route(g, 1, 2).reason, MESH_SPF_UNREACHABLE);
	CU_ASSERT_EQUAL(route(g, 2, 1).reason, MESH_SPF_UNREACHABLE);
	CU_ASSERT_EQUAL(mesh_graph_node_update(g, 2, 1, 0, 2, a, 1), 0);
	CU_ASSERT_EQUAL(mesh_graph_node_update(g, 2, 1, 0, 3, a, 1), 1);
	CU_ASSERT_EQUAL(route(g, 1, 2).reason, MESH_SPF_OK);
	CU_ASSERT_EQUAL(mesh_graph_node_withdraw(g, 2), 0);
	/* self links and duplicates dropped */
	a[0] = L(1, 4);
	a[1] = L(2, 4);
	a[2] = L(2, 9);
	CU_ASSERT_EQUAL(mesh_graph_node_update(g, 1, 1, 0, 11, a, 3), 1);
	s = mesh_graph_lookup(g, 1);
	CU_ASSERT_EQUAL(g->nodes[s].n_edges, 1);
	CU_ASSERT_EQUAL(g->nodes[s].edges[0].adv.delay_us, 4);
	/* loss penalty: 1 % = 333334 units -> 1000 us by default */
	a[0] = L(5, 10);
	a[0].loss = 333334;
	CU_ASSERT_EQUAL(mesh_graph_link_cost(g, &a[0]), 1010);
	a[0].delay_us = 0;
	a[0].loss = 0;
	CU_ASSERT_EQUAL(mesh_graph_link_cost(g, &a[0]), 1);
	mesh_graph_free(g);

	/* many nodes: hash growth, delete, lookups */
	g = mesh_graph_new();
	for (uint32_t i = 1; i <= 5000; i++) {
		a[0] = L(i + 1, 1);
		a[1] = L(i - 1, 1);
		mesh_graph_node_update(g, i, 1, 0, 1, a, 2);
	}
	for (uint32_t i = 1; i <= 5000; i += 2)
		mesh_graph_node_withdraw(g, i);
	for (uint32_t i = 1; i <= 5000; i++)
		CU_ASSERT((mesh_graph_lookup(g, i) == MESH_GRAPH_NONE) ==
			  (i % 2 == 1));
	CU_ASSERT_EQUAL(mesh_graph_node_count(g), 2500);
	check_arcs(g);
	mesh_graph_free(g);
}

/* Tie-break, tenant transit and hop limit on a hand-made graph. */
static void test_rules(void)
{
	struct mesh_graph *g = mesh_graph_new();
	struct mesh_link_adv a[3];
	struct mesh_spf_params p = {.src_id = 1, .use_src_tenant = true};
	struct mesh_spf_ctx *c;
	struct mesh_spf_route r;

	/* 1 -> {3,2} -> 4, equal cost: next hop is the lower id 2 */
	a[0] = L(2, 1);
	a[1] = L(3, 1);
	mesh_graph_node_update(g, 1, 1, 0, 1, a, 2);
	a[0] = L(1, 1);
	a[1] = L(4, 1);
	mesh_graph_node_update(g, 2, 1, 0, 1, a, 2);
	mesh_graph_node_update(g, 3, 1, 0, 1, a, 2);
	a[0] = L(2, 1);
	a[1] = L(3, 1);
	mesh_graph_node_update(g, 4, 1, 0, 1, a, 2);
	c = mesh_spf_new(&p);
	mesh_spf_run(c, g, NULL, 0);
	mesh_spf_route_get(c, 4, &r);
	CU_ASSERT_EQUAL(r.nexthop_id, 2);
	CU_ASSERT_EQUAL(r.backup_nexthop_id, 3);
	CU_ASSERT_EQUAL(r.backup_kind, MESH_SPF_BACKUP_NODE);
	CU_ASSERT_EQUAL(r.cost, r.backup_cost);

	/* node 2 of another tenant: not transited, 4 via 3 */
	a[0] = L(1, 1);
	a[1] = L(4, 1);
	mesh_graph_node_update(g, 2, 2, 0, 2, a, 2);
	mesh_spf_run(c, g, NULL, 0);
	mesh_spf_route_get(c, 4, &r);
	CU_ASSERT_EQUAL(r.nexthop_id, 3);
	CU_ASSERT_EQUAL(r.backup_reason, MESH_SPF_NO_DISJOINT);
	mesh_spf_route_get(c, 2, &r);
	CU_ASSERT_EQUAL(r.reason, MESH_SPF_TENANT_TRANSIT);
	/* ... unless it is provider transit */
	mesh_graph_node_update(g, 2, 2, MESH_GRAPH_F_PROVIDER_TRANSIT, 3, a, 2);
	mesh_spf_run(c, g, NULL, 0);
	mesh_spf_route_get(c, 4, &r);
	CU_ASSERT_EQUAL(r.nexthop_id, 2);
	/* hop limit 1: 4 is two hops away */
	p.max_hops = 1;
	mesh_spf_set_params(c, &p);
	mesh_spf_run(c, g, NULL, 0);
	mesh_spf_route_get(c, 4, &r);
	CU_ASSERT_EQUAL(r.reason, MESH_SPF_HOP_LIMIT);
	/* bandwidth floor above every link */
	p.max_hops = 0;
	p.min_avail_bw = 1000;
	mesh_spf_set_params(c, &p);
	mesh_spf_run(c, g, NULL, 0);
	mesh_spf_route_get(c, 4, &r);
	CU_ASSERT_EQUAL(r.reason, MESH_SPF_BANDWIDTH);
	CU_ASSERT_EQUAL(mesh_spf_get_stats(c)->runs_full, 5);
	mesh_spf_free(c);
	mesh_graph_free(g);
}

/*
 * Neighbour trees kept between runs: a change that no tree uses or could
 * use recomputes none, a change on one neighbour's tree only that one, a
 * change of a tunnel of the source all; results equal a fresh full run.
 */
static void nb_change(struct mesh_graph *g, struct mesh_spf_ctx *c, uint32_t a,
		      uint32_t b, uint32_t delay, uint32_t expect_trees)
{
	struct mesh_spf_params p = {.src_id = 1, .use_src_tenant = true};
	struct mesh_spf_ctx *f = mesh_spf_new(&p);
	struct mesh_graph_change ch[4];
	uint32_t slot = mesh_graph_lookup(g, a);
	struct mesh_link_adv adv;
	const uint32_t ids[] = {1, 2, 3, 4, 5, 6};
	size_t nch = 0;

	adv = g->nodes[slot].edges[mesh_graph_find_edge(g, slot, b)].adv;
	adv.delay_us = delay;
	CU_ASSERT_EQUAL(mesh_graph_link_update(g, a, b, &adv, ch, &nch), 0);
	mesh_spf_run(c, g, ch, nch);
	CU_ASSERT_EQUAL(mesh_spf_get_stats(c)->last_kind,
			MESH_SPF_RUN_INCREMENTAL);
	CU_ASSERT_EQUAL(mesh_spf_get_stats(c)->last_nb_trees, expect_trees);
	mesh_spf_run(f, g, NULL, 0);
	CU_ASSERT(same_results(c, f, ids, 6));
	mesh_spf_free(f);
}

/* Two-way tunnels, the same delay both ways. */
static const struct {
	uint32_t a, b, delay;
} nb_links[] = {
	{1, 2, 10}, {1, 3, 10}, {1, 4, 10}, {2, 5, 1},
	{3, 5, 5},  {4, 6, 1},	{5, 6, 3},  {3, 4, 1000},
};

static void test_nb_trees(void)
{
	struct mesh_graph *g = mesh_graph_new();
	struct mesh_spf_params p = {.src_id = 1, .use_src_tenant = true};
	struct mesh_spf_ctx *c = mesh_spf_new(&p);
	struct mesh_spf_route r;
	struct mesh_link_adv a[4];

	for (uint32_t id = 1; id <= 6; id++) {
		size_t k = 0;

		for (size_t j = 0; j < array_size(nb_links); j++)
			if (nb_links[j].a == id)
				a[k++] = L(nb_links[j].b, nb_links[j].delay);
			else if (nb_links[j].b == id)
				a[k++] = L(nb_links[j].a, nb_links[j].delay);
		mesh_graph_node_update(g, id, 1, 0, 1, a, k);
	}
	mesh_spf_run(c, g, NULL, 0);
	CU_ASSERT_EQUAL(mesh_spf_get_stats(c)->last_nb_trees, 3);
	/* 6: primary via 4 (11), backup via 2, 5 (14), disjoint */
	mesh_spf_route_get(c, 6, &r);
	CU_ASSERT_EQUAL(r.nexthop_id, 4);
	CU_ASSERT_EQUAL(r.backup_nexthop_id, 2);
	CU_ASSERT_EQUAL(r.backup_cost, 14);
	CU_ASSERT(r.backup_disjoint);

	/* 3 -> 4 costlier still: in no tree, cannot enter one */
	nb_change(g, c, 3, 4, 2000, 0);
	/* 2 -> 5 costlier: only 2's tree used it */
	nb_change(g, c, 2, 5, 50, 1);
	mesh_spf_route_get(c, 6, &r);
	CU_ASSERT_EQUAL(r.backup_nexthop_id, 3);
	CU_ASSERT_EQUAL(r.backup_cost, 18);
	/* 3 -> 4 now cheap: shortens 3's tree (3 -> 4 -> 6) */
	nb_change(g, c, 3, 4, 1, 1);
	/* a tunnel of the source: all trees */
	nb_change(g, c, 1, 2, 20, 3);
	mesh_spf_free(c);
	mesh_graph_free(g);
}

/* ---- what the hold-down and `show mesh spf statistics` get ---- */

static void test_pending(void)
{
	struct mesh_graph *g = mesh_graph_new();
	struct mesh_spf_params p = {.src_id = 1, .use_src_tenant = true};
	struct mesh_spf_ctx *c = mesh_spf_new(&p);
	const struct mesh_spf_stats *st = mesh_spf_get_stats(c);
	struct mesh_graph_change ch[2], many[MESH_SPF_INC_MAX + 1];
	enum mesh_spf_full_reason why;
	struct mesh_link_adv a[2];
	struct mesh_spf_route r;
	size_t nch;

	/* the diamond 1 -> {2,3} -> 4 of test_rules */
	a[0] = L(2, 1);
	a[1] = L(3, 1);
	mesh_graph_node_update(g, 1, 1, 0, 1, a, 2);
	a[0] = L(1, 1);
	a[1] = L(4, 1);
	mesh_graph_node_update(g, 2, 1, 0, 1, a, 2);
	mesh_graph_node_update(g, 3, 1, 0, 1, a, 2);
	a[0] = L(2, 1);
	a[1] = L(3, 1);
	mesh_graph_node_update(g, 4, 1, 0, 1, a, 2);

	CU_ASSERT_EQUAL(mesh_spf_pending(c, g, &why), MESH_SPF_RUN_FULL);
	CU_ASSERT_EQUAL(why, MESH_SPF_FULL_FIRST);
	CU_ASSERT_FALSE(mesh_spf_incremental_possible(c, g));
	CU_ASSERT_EQUAL(mesh_spf_run_pending(c, g), 0);
	CU_ASSERT_EQUAL(st->runs, 1);
	CU_ASSERT_EQUAL(st->runs_full, 1);
	CU_ASSERT_EQUAL(st->last_kind, MESH_SPF_RUN_FULL);
	CU_ASSERT_EQUAL(st->last_full_reason, MESH_SPF_FULL_FIRST);
	CU_ASSERT(st->last_start > 0);
	CU_ASSERT(st->max_usec >= st->last_usec);
	CU_ASSERT_EQUAL(st->last_full_usec, st->last_usec);

	/* nothing pending: no run */
	CU_ASSERT_EQUAL(mesh_spf_pending(c, g, &why), MESH_SPF_RUN_NONE);
	CU_ASSERT_EQUAL(mesh_spf_run_pending(c, g), 0);
	CU_ASSERT_EQUAL(st->runs, 1);

	/* the tree edge 2 -> 4 gets costlier: 4 moves to 3 */
	a[0] = L(4, 5);
	CU_ASSERT_EQUAL(mesh_graph_link_update(g, 2, 4, a, ch, &nch), 0);
	CU_ASSERT_EQUAL(nch, 1);
	mesh_spf_changes_add(c, ch, nch);
	CU_ASSERT_EQUAL(st->changes_pending, 1);
	CU_ASSERT_EQUAL(mesh_spf_pending(c, g, &why), MESH_SPF_RUN_INCREMENTAL);
	CU_ASSERT_TRUE(mesh_spf_incremental_possible(c, g));
	CU_ASSERT_EQUAL(mesh_spf_run_pending(c, g), 0);
	CU_ASSERT_EQUAL(st->runs, 2);
	CU_ASSERT_EQUAL(st->runs_incremental, 1);
	CU_ASSERT_EQUAL(st->last_kind, MESH_SPF_RUN_INCREMENTAL);
	CU_ASSERT_EQUAL(st->last_changes, 1);
	CU_ASSERT(st->last_touched >= 1);
	CU_ASSERT_EQUAL(st->last_incremental_usec, st->last_usec);
	CU_ASSERT_EQUAL(st->changes_pending, 0);
	mesh_spf_route_get(c, 4, &r);
	CU_ASSERT_EQUAL(r.nexthop_id, 3);
	CU_ASSERT_EQUAL(r.cost, 2);
	/*
	 * 2 -> 1 -> 3 -> 4 (3) beats 2 -> 4 (5): 2 would send the packet
	 * back through 1, so 2 is no backup for 4, and 3 none for 2.
	 */
	CU_ASSERT_EQUAL(r.backup_reason, MESH_SPF_NO_LFA);
	CU_ASSERT_EQUAL(r.backup_nexthop_id, MESH_GRAPH_NONE);
	mesh_spf_route_get(c, 2, &r);
	CU_ASSERT_EQUAL(r.backup_reason, MESH_SPF_NO_LFA);

	/*
	 * An edge into the source, on no primary: 3 -> 1 costs 9, so 3's
	 * own path to 2 becomes 3 -> 4 -> 2 (2 < 1 + 9) and 3 is a
	 * backup for 2.
	 */
	a[0] = L(1, 9);
	CU_ASSERT_EQUAL(mesh_graph_link_update(g, 3, 1, a, ch, &nch), 0);
	mesh_spf_changes_add(c, ch, nch);
	CU_ASSERT_EQUAL(mesh_spf_run_pending(c, g), 0);
	CU_ASSERT_EQUAL(st->last_kind, MESH_SPF_RUN_INCREMENTAL);
	CU_ASSERT_EQUAL(st->last_touched, 1);
	mesh_spf_route_get(c, 2, &r);
	CU_ASSERT_EQUAL(r.backup_reason, MESH_SPF_OK);
	CU_ASSERT_EQUAL(r.backup_nexthop_id, 3);
	CU_ASSERT_EQUAL(r.backup_cost, 3); /* 1 -> 3 -> 4 -> 2 */
	CU_ASSERT_TRUE(r.backup_disjoint);

	/* bandwidth without a floor matters to nothing: skipped */
	a[0] = L(1, 9);
	a[0].avail_bw = 7;
	CU_ASSERT_EQUAL(mesh_graph_link_update(g, 3, 1, a, ch, &nch), 0);
	CU_ASSERT_EQUAL(nch, 1);
	mesh_spf_changes_add(c, ch, nch);
	CU_ASSERT_EQUAL(mesh_spf_run_pending(c, g), 0);
	CU_ASSERT_EQUAL(st->last_kind, MESH_SPF_RUN_SKIPPED);
	CU_ASSERT_EQUAL(st->runs_skipped, 1);
	CU_ASSERT_EQUAL(st->last_touched, 0);

	/* too many changes, or asked for: full */
	for (size_t i = 0; i < MESH_SPF_INC_MAX + 1; i++)
		many[i] = ch[0];
	mesh_spf_changes_add(c, many, MESH_SPF_INC_MAX);
	CU_ASSERT_EQUAL(mesh_spf_pending(c, g, &why), MESH_SPF_RUN_INCREMENTAL);
	mesh_spf_changes_add(c, many, 1);
	CU_ASSERT_EQUAL(mesh_spf_pending(c, g, &why), MESH_SPF_RUN_FULL);
	CU_ASSERT_EQUAL(why, MESH_SPF_FULL_CHANGES);
	CU_ASSERT_EQUAL(st->changes_pending, MESH_SPF_INC_MAX + 1);
	mesh_spf_run_pending(c, g);
	CU_ASSERT_EQUAL(st->last_kind, MESH_SPF_RUN_FULL);
	CU_ASSERT_EQUAL(st->last_full_reason, MESH_SPF_FULL_CHANGES);
	mesh_spf_run(c, g, many, MESH_SPF_INC_MAX + 1);
	CU_ASSERT_EQUAL(st->last_full_reason, MESH_SPF_FULL_CHANGES);
	mesh_spf_changes_full(c);
	CU_ASSERT_EQUAL(mesh_spf_pending(c, g, &why), MESH_SPF_RUN_FULL);
	CU_ASSERT_EQUAL(why, MESH_SPF_FULL_REQUESTED);
	mesh_spf_run_pending(c, g);
	CU_ASSERT_EQUAL(st->last_full_reason, MESH_SPF_FULL_REQUESTED);

	/* a node update, or new constraints: full, whatever is recorded */
	a[0] = L(2, 1);
	a[1] = L(3, 2);
	mesh_graph_node_update(g, 4, 1, 0, 2, a, 2);
	mesh_spf_changes_add(c, ch, nch);
	CU_ASSERT_EQUAL(mesh_spf_pending(c, g, &why), MESH_SPF_RUN_FULL);
	CU_ASSERT_EQUAL(why, MESH_SPF_FULL_TOPOLOGY);
	mesh_spf_run_pending(c, g);
	CU_ASSERT_EQUAL(st->last_full_reason, MESH_SPF_FULL_TOPOLOGY);
	p.min_avail_bw = 50;
	mesh_spf_set_params(c, &p);
	CU_ASSERT_EQUAL(mesh_spf_pending(c, g, &why), MESH_SPF_RUN_FULL);
	CU_ASSERT_EQUAL(why, MESH_SPF_FULL_PARAMS);
	mesh_spf_run(c, g, ch, 0);
	CU_ASSERT_EQUAL(st->last_full_reason, MESH_SPF_FULL_PARAMS);

	CU_ASSERT_EQUAL(st->runs, st->runs_full + st->runs_incremental +
					  st->runs_skipped);
	CU_ASSERT_EQUAL(st->runs, 9);
	CU_ASSERT(st->total_usec >= st->max_usec);
	CU_ASSERT_STRING_EQUAL(mesh_spf_run_kind_str(MESH_SPF_RUN_SKIPPED),
			       "skipped");
	CU_ASSERT_STRING_EQUAL(mesh_spf_full_reason_str(MESH_SPF_FULL_TOPOLOGY),
			       "topology change");
	mesh_spf_free(c);
	mesh_graph_free(g);
}

/* ---- fed from mesh attributes ---- */

struct tl {
	uint32_t nbr, delay;
	bool up;
	float avail; /* bytes/s */
};

static void hex2bin(const char *hex, uint8_t *out, size_t *len)
{
	size_t n = 0;

	for (const char *p = hex; *p;) {
		unsigned int v;

		if (*p == ' ') {
			p++;
			continue;
		}
		CU_ASSERT_FATAL(sscanf(p, "%2x", &v) == 1);
		out[n++] = (uint8_t)v;
		p += 2;
	}
	*len = n;
}

/*
 * A node route's attribute on the wire: built, encoded by the codec,
 * decoded again. tenant < 0: no Tenant ID TLV; seq 0: no Sequence Number.
 */
static void node_attr(struct mesh_attr *out, uint32_t orig, uint64_t seq,
		      int64_t tenant, const struct tl *l, int n, bool prefix)
{
	static uint8_t buf[MESH_ATTR_MAX_LEN];
	static struct mesh_attr a;
	char err[128];
	size_t len = 0;

	mesh_attr_init(&a);
	a.present |= MESH_ATTR_HAS_ORIGINATOR;
	a.originator = orig;
	if (seq) {
		a.present |= MESH_ATTR_HAS_SEQUENCE;
		a.sequence = seq;
	}
	if (tenant >= 0) {
		a.present |= MESH_ATTR_HAS_TENANT;
		a.tenant = (uint32_t)tenant;
	}
	if (prefix) {
		a.present |= MESH_ATTR_HAS_PREFIX_OWNER;
		a.prefix_owner = orig;
	}
	for (int i = 0; i < n; i++) {
		struct mesh_attr_link *x = &a.links[i];

		x->neighbor = l[i].nbr;
		x->flags = l[i].up ? MESH_ATTR_LINK_F_UP : 0;
		x->delay_us = l[i].delay;
		x->delay_var_us = 10;
		x->max_bw_bits = mesh_attr_bw_from_float(125e6f);
		x->avail_bw_bits = mesh_attr_bw_from_float(l[i].avail);
	}
	a.n_links = (uint16_t)n;
	CU_ASSERT_FATAL(mesh_attr_encode(&a, NULL, buf, sizeof(buf), &len) ==
			0);
	CU_ASSERT_FATAL(mesh_attr_decode(buf, len, out, err, sizeof(err)) ==
			MESH_ATTR_OK);
}

static enum mesh_graph_attr_result feed(struct mesh_graph *g, uint64_t route,
					uint32_t orig, uint64_t seq,
					int64_t tenant, const struct tl *l,
					int n)
{
	static struct mesh_attr d;

	node_attr(&d, orig, seq, tenant, l, n, false);
	return mesh_graph_attr_apply(g, route, &d, true);
}

static uint32_t nid(int i)
{
	return 0x0a000000 + (uint32_t)i; /* 10.0.0.i */
}

static void test_attr_feed(void)
{
	/* Example 2 of doc/mesh-attribute.md, signature and all */
	static const char ex2[] =
		"0100 0001 0004 0a000001 0002 0008 00000000 00000007 "
		"0003 0004 00000064 0004 0004 0000000a "
		"0005 0018 0a000002 800005dc 00000078 0000012c 4cee6b28 "
		"4cbebc20 "
		"0005 0018 0a000003 a0002ee0 00000320 00000000 4b3ebc20 "
		"4b3ebc20 "
		"0006 0028 0001 ca6c c6336401 8520f009 8930a754 748b7ddc "
		"b43ef75a 0dbf3a0d 26381af4 eba4a98e aa9b4e6a "
		"0009 0044 00000001 b03b6888 65b2e4bf f16060bb b83b8a5c "
		"efefe920 b6cc74ba 3b12bb2d e850ad5b ac3e4e0c 44362863 "
		"a820e4d9 ff1cee77 b0097389 0f556905 151f8a40 a665110f";
	static struct mesh_attr d;
	struct mesh_graph *g = mesh_graph_new();
	struct mesh_spf_params p = {.src_id = nid(1), .use_src_tenant = true};
	struct tl l[3];
	uint8_t buf[512];
	size_t len;
	uint32_t s1, s2;
	uint64_t gen;
	const struct mesh_graph_edge *e;

	hex2bin(ex2, buf, &len);
	CU_ASSERT_EQUAL_FATAL(len, 210);
	CU_ASSERT_EQUAL_FATAL(mesh_attr_decode(buf, len, &d, NULL, 0),
			      MESH_ATTR_OK);
	CU_ASSERT_EQUAL(mesh_graph_attr_apply(g, 1, &d, true),
			MESH_GRAPH_ATTR_UPDATED);
	s1 = mesh_graph_lookup(g, nid(1));
	CU_ASSERT_FATAL(s1 != MESH_GRAPH_NONE);
	CU_ASSERT_EQUAL(g->nodes[s1].tenant, 100);
	CU_ASSERT_EQUAL(g->nodes[s1].flags, 0);
	CU_ASSERT_EQUAL(g->nodes[s1].seqno, 7);
	CU_ASSERT_EQUAL(g->nodes[s1].n_routes, 1);
	CU_ASSERT_EQUAL_FATAL(g->nodes[s1].n_edges, 2);
	e = &g->nodes[s1].edges[0];
	CU_ASSERT_EQUAL(e->adv.peer_id, nid(2));
	CU_ASSERT_EQUAL(e->adv.delay_us, 1500);
	CU_ASSERT_EQUAL(e->adv.jitter_us, 120);
	CU_ASSERT_EQUAL(e->adv.loss, 300);
	CU_ASSERT_EQUAL(e->adv.max_bw, 1000000000ULL); /* 125e6 B/s */
	CU_ASSERT_EQUAL(e->adv.avail_bw, 800000000ULL);
	CU_ASSERT_TRUE(e->adv.up);
	CU_ASSERT_EQUAL(e->cost, 1500); /* 0.0009 % loss: under 1 us */
	e = &g->nodes[s1].edges[1];
	CU_ASSERT_EQUAL(e->adv.peer_id, nid(3));
	CU_ASSERT_EQUAL(e->adv.delay_us, 12000);
	CU_ASSERT_EQUAL(e->adv.avail_bw, 100000000ULL);
	CU_ASSERT_TRUE(e->adv.up); /* U and B set: a standby is usable */
	/* nobody lists 10.0.0.1 back yet */
	CU_ASSERT_FALSE(g->nodes[s1].edges[0].usable);
	CU_ASSERT_EQUAL(route_p(g, &p, nid(2)).reason, MESH_SPF_NOT_RUN);

	/* two-way check: 10.0.0.2 lists 10.0.0.1 */
	l[0] = (struct tl){nid(1), 700, true, 1e9f};
	CU_ASSERT_EQUAL(feed(g, 2, nid(2), 1, 100, l, 1),
			MESH_GRAPH_ATTR_UPDATED);
	CU_ASSERT_EQUAL(route_p(g, &p, nid(2)).reason, MESH_SPF_OK);
	CU_ASSERT_EQUAL(route_p(g, &p, nid(2)).cost, 1500);
	CU_ASSERT_EQUAL(route(g, nid(2), nid(1)).cost, 700);
	CU_ASSERT_FALSE(g->nodes[s1].edges[1].usable); /* 10.0.0.3 unknown */
	check_arcs(g);

	/* bandwidth floor, per direction, in bits/s */
	p.min_avail_bw = 800000000ULL;
	CU_ASSERT_EQUAL(route_p(g, &p, nid(2)).reason, MESH_SPF_OK);
	p.min_avail_bw++;
	CU_ASSERT_EQUAL(route_p(g, &p, nid(2)).reason, MESH_SPF_BANDWIDTH);
	p.min_avail_bw = 0;

	/* sequence numbers: older and equal ignored, newer replaces */
	gen = g->topo_gen;
	l[0].delay = 900;
	CU_ASSERT_EQUAL(feed(g, 2, nid(2), 1, 100, l, 1),
			MESH_GRAPH_ATTR_STALE);
	CU_ASSERT_EQUAL(g->topo_gen, gen);
	CU_ASSERT_EQUAL(route(g, nid(2), nid(1)).cost, 700);
	CU_ASSERT_EQUAL(feed(g, 2, nid(2), 2, 100, l, 1),
			MESH_GRAPH_ATTR_UPDATED);
	CU_ASSERT_NOT_EQUAL(g->topo_gen, gen);
	CU_ASSERT_EQUAL(route(g, nid(2), nid(1)).cost, 900);
	CU_ASSERT_EQUAL(feed(g, 2, nid(2), 1, 100, l, 1),
			MESH_GRAPH_ATTR_STALE);
	/* one end says down: unusable both ways */
	l[0].up = false;
	CU_ASSERT_EQUAL(feed(g, 2, nid(2), 3, 100, l, 1),
			MESH_GRAPH_ATTR_UPDATED);
	CU_ASSERT_EQUAL(route_p(g, &p, nid(2)).reason, MESH_SPF_UNREACHABLE);
	l[0].up = true;
	CU_ASSERT_EQUAL(feed(g, 2, nid(2), 4, 100, l, 1),
			MESH_GRAPH_ATTR_UPDATED);
	CU_ASSERT_EQUAL(route_p(g, &p, nid(2)).reason, MESH_SPF_OK);

	/* a second route carries 10.0.0.2 (older copy): counted only */
	CU_ASSERT_EQUAL(feed(g, 22, nid(2), 3, 100, l, 1),
			MESH_GRAPH_ATTR_STALE);
	s2 = mesh_graph_lookup(g, nid(2));
	CU_ASSERT_EQUAL(g->nodes[s2].n_routes, 2);
	CU_ASSERT_EQUAL(g->nodes[s2].seqno, 4);
	gen = g->topo_gen;
	CU_ASSERT_EQUAL(mesh_graph_attr_apply(g, 2, NULL, false),
			MESH_GRAPH_ATTR_WITHDRAWN);
	CU_ASSERT_EQUAL(g->topo_gen, gen);
	CU_ASSERT_EQUAL(route_p(g, &p, nid(2)).reason, MESH_SPF_OK);
	CU_ASSERT_EQUAL(mesh_graph_attr_apply(g, 2, NULL, false),
			MESH_GRAPH_ATTR_UNKNOWN);
	/* its last route gone: node and links gone, seqno forgotten */
	CU_ASSERT_EQUAL(mesh_graph_attr_apply(g, 22, NULL, false),
			MESH_GRAPH_ATTR_REMOVED);
	CU_ASSERT_NOT_EQUAL(g->topo_gen, gen);
	CU_ASSERT_EQUAL(mesh_graph_lookup(g, nid(2)), MESH_GRAPH_NONE);
	CU_ASSERT_FALSE(g->nodes[s1].edges[0].usable);
	CU_ASSERT_EQUAL(route_p(g, &p, nid(2)).reason, MESH_SPF_NOT_RUN);
	CU_ASSERT_EQUAL(mesh_graph_node_count(g), 1);
	CU_ASSERT_EQUAL(feed(g, 2, nid(2), 1, 100, l, 1),
			MESH_GRAPH_ATTR_UPDATED);
	CU_ASSERT_EQUAL(route_p(g, &p, nid(2)).cost, 1500);

	/* an IVN prefix route is no node advertisement: treat-as-withdraw */
	node_attr(&d, nid(2), 9, 100, l, 1, true);
	gen = g->topo_gen;
	CU_ASSERT_EQUAL(mesh_graph_attr_apply(g, 77, &d, true),
			MESH_GRAPH_ATTR_INVALID);
	CU_ASSERT_EQUAL(g->topo_gen, gen); /* route 77 was never held */
	CU_ASSERT_EQUAL(mesh_graph_attr_apply(g, 2, &d, true),
			MESH_GRAPH_ATTR_INVALID);
	CU_ASSERT_EQUAL(mesh_graph_lookup(g, nid(2)), MESH_GRAPH_NONE);
	d.present &= ~MESH_ATTR_HAS_PREFIX_OWNER;
	d.version = 2;
	CU_ASSERT_EQUAL(mesh_graph_attr_apply(g, 2, &d, true),
			MESH_GRAPH_ATTR_INVALID);
	CU_ASSERT_EQUAL(mesh_graph_attr_apply(g, 2, NULL, true),
			MESH_GRAPH_ATTR_INVALID);
	CU_ASSERT_EQUAL(mesh_graph_lookup(g, nid(2)), MESH_GRAPH_NONE);

	/* a route now carrying another originator moves */
	l[0] = (struct tl){nid(1), 50, true, 1e9f};
	CU_ASSERT_EQUAL(feed(g, 50, nid(5), 1, 100, l, 1),
			MESH_GRAPH_ATTR_UPDATED);
	CU_ASSERT_EQUAL(feed(g, 50, nid(6), 1, 100, l, 1),
			MESH_GRAPH_ATTR_UPDATED);
	CU_ASSERT_EQUAL(mesh_graph_lookup(g, nid(5)), MESH_GRAPH_NONE);
	CU_ASSERT_NOT_EQUAL(mesh_graph_lookup(g, nid(6)), MESH_GRAPH_NONE);
	CU_ASSERT_EQUAL(mesh_graph_node_count(g), 2);
	/* withdrawing the node by id forgets its routes */
	CU_ASSERT_EQUAL(mesh_graph_node_withdraw(g, nid(6)), 0);
	CU_ASSERT_EQUAL(mesh_graph_attr_apply(g, 50, NULL, false),
			MESH_GRAPH_ATTR_UNKNOWN);

	/*
	 * Tenants: 10.0.0.1 (100) - 10.0.0.7 - 10.0.0.8 (100). 7 is the
	 * provider with tenant 0 or without a Tenant ID, so 1 reaches 8
	 * through it; as tenant 200 it is not transited.
	 */
	l[0] = (struct tl){nid(7), 10, true, 1e9f};
	l[1] = (struct tl){nid(2), 1500, true, 1e8f};
	l[2] = (struct tl){nid(3), 12000, true, 12.5e6f};
	CU_ASSERT_EQUAL(feed(g, 1, nid(1), 8, 100, l, 3),
			MESH_GRAPH_ATTR_UPDATED);
	l[0] = (struct tl){nid(1), 10, true, 1e9f};
	l[1] = (struct tl){nid(8), 10, true, 1e9f};
	CU_ASSERT_EQUAL(feed(g, 7, nid(7), 1, 0, l, 2),
			MESH_GRAPH_ATTR_UPDATED);
	CU_ASSERT_EQUAL(g->nodes[mesh_graph_lookup(g, nid(7))].flags,
			MESH_GRAPH_F_PROVIDER_TRANSIT);
	l[0] = (struct tl){nid(7), 10, true, 1e9f};
	CU_ASSERT_EQUAL(feed(g, 8, nid(8), 1, 100, l, 1),
			MESH_GRAPH_ATTR_UPDATED);
	CU_ASSERT_EQUAL(route_p(g, &p, nid(8)).reason, MESH_SPF_OK);
	CU_ASSERT_EQUAL(route_p(g, &p, nid(8)).cost, 20);
	CU_ASSERT_EQUAL(route_p(g, &p, nid(8)).nexthop_id, nid(7));
	l[0] = (struct tl){nid(1), 10, true, 1e9f};
	l[1] = (struct tl){nid(8), 10, true, 1e9f};
	CU_ASSERT_EQUAL(feed(g, 7, nid(7), 2, 200, l, 2),
			MESH_GRAPH_ATTR_UPDATED);
	CU_ASSERT_EQUAL(g->nodes[mesh_graph_lookup(g, nid(7))].flags, 0);
	CU_ASSERT_EQUAL(route_p(g, &p, nid(8)).reason, MESH_SPF_TENANT_TRANSIT);
	CU_ASSERT_EQUAL(feed(g, 7, nid(7), 3, -1, l, 2),
			MESH_GRAPH_ATTR_UPDATED);
	CU_ASSERT_EQUAL(g->nodes[mesh_graph_lookup(g, nid(7))].tenant, 0);
	CU_ASSERT_EQUAL(route_p(g, &p, nid(8)).reason, MESH_SPF_OK);
	/* no Sequence Number TLV reads as 0: never newer than a known node */
	CU_ASSERT_EQUAL(feed(g, 7, nid(7), 0, 200, l, 2),
			MESH_GRAPH_ATTR_STALE);
	CU_ASSERT_EQUAL(feed(g, 9, nid(9), 0, 100, l, 1),
			MESH_GRAPH_ATTR_UPDATED);
	CU_ASSERT_EQUAL(feed(g, 9, nid(9), 0, 100, l, 1),
			MESH_GRAPH_ATTR_STALE);
	/* a node without tunnels stays while its route does */
	CU_ASSERT_EQUAL(feed(g, 9, nid(9), 1, 100, NULL, 0),
			MESH_GRAPH_ATTR_UPDATED);
	CU_ASSERT_EQUAL(route_p(g, &p, nid(9)).reason, MESH_SPF_UNREACHABLE);
	CU_ASSERT_EQUAL(mesh_graph_attr_apply(g, 9, NULL, false),
			MESH_GRAPH_ATTR_REMOVED);
	check_arcs(g);

	/* many nodes and routes: route hash growth and deletes */
	for (int i = 100; i < 1100; i++) {
		l[0] = (struct tl){nid(i + 1), 5, true, 1e9f};
		l[1] = (struct tl){nid(i - 1), 5, true, 1e9f};
		CU_ASSERT_EQUAL(
			feed(g, (uint64_t)i << 32, nid(i), 1, 100, l, 2),
			MESH_GRAPH_ATTR_UPDATED);
		CU_ASSERT_EQUAL(
			feed(g, ((uint64_t)i << 32) + 1, nid(i), 1, 100, l, 2),
			MESH_GRAPH_ATTR_STALE);
	}
	for (int i = 100; i < 1100; i += 2)
		CU_ASSERT_EQUAL(mesh_graph_attr_apply(g, (uint64_t)i << 32,
						      NULL, false),
				MESH_GRAPH_ATTR_WITHDRAWN);
	for (int i = 100; i < 1100; i += 2)
		CU_ASSERT_EQUAL(mesh_graph_attr_apply(g,
						      ((uint64_t)i << 32) + 1,
						      NULL, false),
				MESH_GRAPH_ATTR_REMOVED);
	for (int i = 100; i < 1100; i++)
		CU_ASSERT_EQUAL(mesh_graph_lookup(g, nid(i)) == MESH_GRAPH_NONE,
				i % 2 == 0);
	CU_ASSERT_EQUAL(g->n_routes, 500 * 2 + 3); /* + routes 1, 7, 8 */
	check_arcs(g);
	mesh_graph_free(g);
	CU_ASSERT_STRING_EQUAL(
		mesh_graph_attr_result_str(MESH_GRAPH_ATTR_REMOVED),
		"node removed");
}

int main(void)
{
	CU_pSuite s;
	unsigned int fails;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("mesh_spf", NULL, NULL);
	CU_add_test(s, "graph store", test_graph);
	CU_add_test(s, "graph arcs mirror adverts", test_arcs);
	CU_add_test(s, "graph fed by mesh attributes", test_attr_feed);
	CU_add_test(s, "tie-break and constraints", test_rules);
	CU_add_test(s, "hold-down API and statistics", test_pending);
	CU_add_test(s, "brute force reference", test_bruteforce);
	CU_add_test(s, "hop-by-hop loop freedom", test_loop_free);
	CU_add_test(s, "incremental equals full", test_incremental);
	CU_add_test(s, "neighbour trees kept between runs", test_nb_trees);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	fails = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return fails ? 1 : 0;
}
