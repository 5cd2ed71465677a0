// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the meshd connectivity graph and path engine.
 *
 * Random graphs (seeded, reproducible) of 5-9 nodes are checked against a
 * brute-force reference that enumerates every simple path: optimality and
 * feasibility of the primary, the backup exactly as mesh_spf.c claims it
 * (node-protecting when possible, else avoiding the first tunnel), reasons,
 * hop-by-hop loop freedom, and incremental == full after random link
 * changes.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "mesh_graph.h"
#include "mesh_spf.h"

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

/* Does node i have any link at all (else it is not in the graph)? */
static bool topo_present(const struct topo *t, int i)
{
	for (int j = 0; j < t->n; j++)
		if (t->adv[i][j])
			return true;
	return false;
}

static bool topo_usable(const struct topo *t, int a, int b)
{
	return t->adv[a][b] && t->adv[b][a] && t->la[a][b].up &&
	       t->la[b][a].up && topo_present(t, a) && topo_present(t, b);
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
	struct best all[MAXN];
	struct best avoid_node[MAXN][MAXN];
	struct best avoid_edge[MAXN][MAXN]; /* first hop != k */
	int path[MAXN];
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

static void bf_dfs(struct bf *b, int x, int len, uint32_t mask, uint64_t c)
{
	if (x != b->s && bf_dst(b, x)) {
		int f = b->path[1];

		bf_upd(&b->all[x], c, (uint32_t)len - 1);
		for (int k = 0; k < b->t->n; k++) {
			if (!(mask & (1u << k)))
				bf_upd(&b->avoid_node[x][k], c,
				       (uint32_t)len - 1);
			if (f != k)
				bf_upd(&b->avoid_edge[x][k], c,
				       (uint32_t)len - 1);
		}
	}
	if (x != b->s && !bf_transit(b, x))
		return;
	for (int y = 0; y < b->t->n; y++) {
		if ((mask & (1u << y)) || !bf_eligible(b, x, y))
			continue;
		if (!bf_dst(b, y))
			continue;
		b->path[len] = y;
		bf_dfs(b, y, len + 1, mask | (1u << y), c + bf_cost(b, x, y));
	}
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
	for (int i = 0; i < MAXN; i++) {
		b->all[i].cost = INF64;
		for (int k = 0; k < MAXN; k++)
			b->avoid_node[i][k].cost = b->avoid_edge[i][k].cost =
				INF64;
	}
	b->path[0] = b->s;
	bf_dfs(b, b->s, 1, 1u << b->s, 0);
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

static int n_checked_routes, n_checked_backups;

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
		size_t len;
		int f;

		if (d == s || !topo_present(t, d))
			continue;
		CU_ASSERT_FATAL(mesh_spf_route_get(ctx, t->id[d], &r) == 0);
		n_checked_routes++;
		if (b.all[d].cost == INF64) {
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
			continue;
		}
		if (p->max_hops && b.all[d].hops > p->max_hops) {
			CU_ASSERT_EQUAL(r.reason, MESH_SPF_HOP_LIMIT);
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(r.reason, MESH_SPF_OK);
		CU_ASSERT_EQUAL(r.cost, b.all[d].cost);
		CU_ASSERT_EQUAL(r.hops, b.all[d].hops);
		len = mesh_spf_path(ctx, t->id[d], false, ids, MAXN + 1);
		CU_ASSERT_EQUAL(check_path(&b, ids, len, d, &hops), r.cost);
		CU_ASSERT_EQUAL(hops, r.hops);
		CU_ASSERT_EQUAL(ids[1], r.nexthop_id);
		if (p->max_hops)
			CU_ASSERT(hops <= p->max_hops);

		/* Backup, exactly as documented. */
		f = topo_idx(t, r.nexthop_id);
		struct best *exp = NULL;
		enum mesh_spf_backup_kind ek = MESH_SPF_BACKUP_NONE;

		if (d != f && b.avoid_node[d][f].cost != INF64) {
			exp = &b.avoid_node[d][f];
			ek = MESH_SPF_BACKUP_NODE;
		} else if (b.avoid_edge[d][f].cost != INF64) {
			exp = &b.avoid_edge[d][f];
			ek = MESH_SPF_BACKUP_LINK;
		}
		if (!exp) {
			CU_ASSERT_EQUAL(r.backup_reason, MESH_SPF_NO_DISJOINT);
			CU_ASSERT_EQUAL(r.backup_kind, MESH_SPF_BACKUP_NONE);
			continue;
		}
		if (p->max_hops && exp->hops > p->max_hops) {
			CU_ASSERT_EQUAL(r.backup_reason, MESH_SPF_HOP_LIMIT);
			continue;
		}
		n_checked_backups++;
		CU_ASSERT_EQUAL_FATAL(r.backup_reason, MESH_SPF_OK);
		CU_ASSERT_EQUAL(r.backup_kind, ek);
		CU_ASSERT_EQUAL(r.backup_cost, exp->cost);
		CU_ASSERT_EQUAL(r.backup_hops, exp->hops);
		len = mesh_spf_path(ctx, t->id[d], true, ids, MAXN + 1);
		CU_ASSERT_EQUAL(check_path(&b, ids, len, d, &hops), exp->cost);
		CU_ASSERT_EQUAL(hops, exp->hops);
		CU_ASSERT_EQUAL(ids[1], r.backup_nexthop_id);
		CU_ASSERT(ids[1] != r.nexthop_id); /* never the 1st tunnel */
		if (ek == MESH_SPF_BACKUP_NODE)
			for (size_t i = 0; i < len; i++)
				CU_ASSERT(ids[i] != r.nexthop_id);
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

			if (!topo_present(&t, s))
				continue;
			random_params(&t, &p, s);
			check_source(&t, g, &p, s);
		}
		mesh_graph_free(g);
	}
	printf("\n    %d routes, %d backups checked against brute force ",
	       n_checked_routes, n_checked_backups);
	CU_ASSERT(n_checked_backups > 10000);
}

/* ---- loop freedom ---- */

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

		if (!topo_present(t, s))
			continue;
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
	CU_ASSERT(walks > 20000);
}

/* ---- incremental == full ---- */

static bool same_results(const struct mesh_spf_ctx *a,
			 const struct mesh_spf_ctx *b, const uint32_t *ids,
			 int n)
{
	for (int i = 0; i < n; i++) {
		struct mesh_spf_route ra, rb;
		uint32_t pa[64], pb[64];
		size_t la, lb;

		mesh_spf_route_get(a, ids[i], &ra);
		mesh_spf_route_get(b, ids[i], &rb);
		if (memcmp(&ra, &rb, sizeof(ra)))
			return false;
		for (int bk = 0; bk < 2; bk++) {
			la = mesh_spf_path(a, ids[i], bk, pa, 64);
			lb = mesh_spf_path(b, ids[i], bk, pb, 64);
			if (la != lb || memcmp(pa, pb, la * sizeof(*pa)))
				return false;
		}
	}
	return true;
}

static void test_incremental(void)
{
	enum { N = 30, ROUNDS = 60, CHANGES = 200 };
	uint32_t ids[N];
	uint64_t inc = 0, skip = 0, full = 0;

	rng_state = 0x1c4e3e11ULL;
	for (int round = 0; round < ROUNDS; round++) {
		struct mesh_graph *g = mesh_graph_new();
		struct mesh_spf_params p = {0};
		struct mesh_spf_ctx *ci, *cf;

		for (int i = 0; i < N; i++)
			ids[i] = 10 + (uint32_t)i * 3;
		for (int i = 0; i < N; i++) {
			struct mesh_link_adv l[N];
			size_t k = 0;

			for (int j = 0; j < N; j++) {
				if (i == j ||
				    (rnd(N) >= 4 && j != (i + 1) % N &&
				     i != (j + 1) % N))
					continue;
				l[k].peer_id = ids[j];
				l[k].delay_us = 1 + rnd(10);
				l[k].loss = 0;
				l[k].avail_bw = 10 * (1 + rnd(10));
				l[k].up = rnd(15) != 0;
				k++;
			}
			mesh_graph_node_update(g, ids[i], 1 + (rnd(6) == 0),
					       rnd(6) == 0, 1, l, k);
		}
		p.src_id = ids[rnd(N)];
		p.use_src_tenant = true;
		p.allow_foreign_dst = rnd(2);
		p.min_avail_bw = rnd(2) ? 30 : 0;
		p.max_hops = rnd(3) == 0 ? 4 : 0;
		ci = mesh_spf_new(&p);
		cf = mesh_spf_new(&p);
		CU_ASSERT_FATAL(mesh_spf_run(ci, g, NULL, 0) == 0);
		for (int c = 0; c < CHANGES; c++) {
			struct mesh_graph_change ch[4];
			size_t nch = 0, batch = rnd(4) == 0 ? 2 : 1;

			for (size_t bi = 0; bi < batch; bi++) {
				uint32_t a = rnd(N), pa[N + 1], peer;
				uint32_t slot = mesh_graph_lookup(g, ids[a]);
				const struct mesh_graph_node *nd;
				struct mesh_link_adv adv;
				size_t k, pl;

				/* half of the time, a link of a primary path */
				pl = mesh_spf_path(ci, ids[a], rnd(2), pa,
						   N + 1);
				if (rnd(2) && pl >= 2) {
					k = rnd((uint32_t)pl - 1);
					slot = mesh_graph_lookup(g, pa[k]);
					peer = pa[k + 1];
				} else {
					nd = &g->nodes[slot];
					peer = nd->edges[rnd(nd->n_edges)]
						       .adv.peer_id;
				}
				nd = &g->nodes[slot];
				adv = nd->edges[mesh_graph_find_edge(g, slot,
								     peer)]
					      .adv;
				switch (rnd(4)) {
				case 0:
					adv.up = !adv.up;
					break;
				case 1:
					adv.avail_bw = 10 * (1 + rnd(10));
					break;
				default:
					adv.delay_us = 1 + rnd(12);
					break;
				}
				CU_ASSERT_FATAL(mesh_graph_link_update(
							g, nd->id, peer, &adv,
							&ch[nch], &k) == 0);
				nch += k;
			}
			mesh_spf_run(ci, g, ch, nch);
			mesh_spf_run(cf, g, NULL, 0);
			CU_ASSERT_FATAL(same_results(ci, cf, ids, N));
		}
		inc += mesh_spf_get_stats(ci)->runs_incremental;
		skip += mesh_spf_get_stats(ci)->runs_skipped;
		full += mesh_spf_get_stats(ci)->runs_full;
		mesh_spf_free(ci);
		mesh_spf_free(cf);
		mesh_graph_free(g);
	}
	printf("\n    incremental %llu, skipped %llu, full %llu ",
	       (unsigned long long)inc, (unsigned long long)skip,
	       (unsigned long long)full);
	CU_ASSERT(inc > 500);
	CU_ASSERT(skip > 500);
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
route(struct mesh_graph *g, uint32_t src, uint32_t dst)
{
	struct mesh_spf_params p = {.src_id = src, .use_src_tenant = true};
	struct mesh_spf_ctx *c = mesh_spf_new(&p);
	struct mesh_spf_route r;

	mesh_spf_run(c, g, NULL, 0);
	mesh_spf_route_get(c, dst, &r);
	mesh_spf_free(c);
	return r;
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

	/* withdraw removes the node and its links */
	CU_ASSERT_EQUAL(mesh_graph_node_count(g), 2);
	CU_ASSERT_EQUAL(mesh_graph_node_withdraw(g, 2), 0);
	CU_ASSERT_EQUAL(mesh_graph_lookup(g, 2), MESH_GRAPH_NONE);
	CU_ASSERT_EQUAL(mesh_graph_node_count(g), 1);
	CU_ASSERT_FALSE(g->nodes[s].edges[0].usable);
	CU_ASSERT_EQUAL(mesh_graph_node_withdraw(g, 2), -1);
	/* re-added node is paired again, slot reused */
	a[0] = L(1, 3);
	CU_ASSERT_EQUAL(mesh_graph_node_update(g, 2, 1, 0, 1, a, 1), 1);
	CU_ASSERT_EQUAL(route(g, 1, 2).cost, 5);

	/* a node advertising no links disappears */
	CU_ASSERT_EQUAL(mesh_graph_node_update(g, 2, 1, 0, 2, NULL, 0), 1);
	CU_ASSERT_EQUAL(mesh_graph_lookup(g, 2), MESH_GRAPH_NONE);
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

int main(void)
{
	CU_pSuite s;
	unsigned int fails;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("mesh_spf", NULL, NULL);
	CU_add_test(s, "graph store", test_graph);
	CU_add_test(s, "tie-break and constraints", test_rules);
	CU_add_test(s, "brute force reference", test_bruteforce);
	CU_add_test(s, "hop-by-hop loop freedom", test_loop_free);
	CU_add_test(s, "incremental equals full", test_incremental);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	fails = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return fails ? 1 : 0;
}
