// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Benchmark of the meshd path engine on random graphs: full run (primary
 * and backup for every destination), a plain one-to-all binary-heap
 * Dijkstra baseline on the same adjacency arrays, incremental runs after
 * one link change, memory; and, when built with -DMESH_BENCH_FRR, point-to-
 * point queries with FRR's lib/cspf.c on the same graph (counting the
 * queries that found a path and whose cost equals meshd's primary cost).
 * Always links libfrr: the engine allocates through FRR memory types.
 * Prints markdown table rows; tools/bench-spf prints the header.
 */

#include <zebra.h>

#include "lib/memory.h"
#ifdef MESH_BENCH_FRR
#include "linklist.h"
#include "prefix.h"
#include "stream.h"
#include "link_state.h"
#include "cspf.h"
#endif
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <time.h>

#include "meshd/meshd.h"
#include "meshd/mesh_graph.h"
#include "meshd/mesh_spf.h"

/* meshd.c, which defines it in the daemon, is not linked here. */
DEFINE_MGROUP(MESHD, "meshd");

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static long maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

struct link {
	uint32_t a, b, d_ab, d_ba;
};

/* n nodes, m directed edges: a ring plus random tunnels (two-way). */
static struct link *gen_links(uint32_t n, uint32_t m, uint32_t *nl)
{
	uint32_t cnt = m / 2;
	struct link *l = calloc(cnt, sizeof(*l));

	for (uint32_t i = 0; i < cnt; i++) {
		uint32_t a = i < n ? i : rnd(n);
		uint32_t b = i < n ? (i + 1) % n : rnd(n);

		if (a == b)
			b = (a + 1) % n;
		l[i].a = a;
		l[i].b = b;
		l[i].d_ab = 100 + rnd(20000);
		l[i].d_ba = 100 + rnd(20000);
	}
	*nl = cnt;
	return l;
}

static struct mesh_graph *build_graph(uint32_t n, const struct link *l,
				      uint32_t nl)
{
	struct mesh_graph *g = mesh_graph_new();
	uint32_t *deg = calloc(n, sizeof(*deg));
	struct mesh_link_adv **adv = calloc(n, sizeof(*adv));

	for (uint32_t i = 0; i < nl; i++) {
		deg[l[i].a]++;
		deg[l[i].b]++;
	}
	for (uint32_t i = 0; i < n; i++)
		adv[i] = calloc(deg[i] + 1, sizeof(**adv));
	memset(deg, 0, n * sizeof(*deg));
	for (uint32_t i = 0; i < nl; i++) {
		struct mesh_link_adv x = {.max_bw = 10000000000ULL,
					  .avail_bw =
						  1000000000ULL * (1 + rnd(10)),
					  .up = true};

		x.peer_id = l[i].b + 1;
		x.delay_us = l[i].d_ab;
		x.loss = rnd(4) ? 0 : rnd(100000);
		adv[l[i].a][deg[l[i].a]++] = x;
		x.peer_id = l[i].a + 1;
		x.delay_us = l[i].d_ba;
		adv[l[i].b][deg[l[i].b]++] = x;
	}
	for (uint32_t i = 0; i < n; i++) {
		mesh_graph_node_update(g, i + 1, 1, 0, 1, adv[i], deg[i]);
		free(adv[i]);
	}
	free(adv);
	free(deg);
	return g;
}

/*
 * Plain baseline: textbook Dijkstra, binary heap with decrease-key, on the
 * arrays the engine itself reads (struct mesh_graph_arc).
 */
static uint64_t plain_dijkstra(const struct mesh_graph *g, uint32_t src,
			       uint64_t *dist, uint32_t *heap, uint32_t *pos)
{
	uint32_t hn = 0;
	uint64_t sum = 0;

	for (uint32_t i = 0; i < g->n_slots; i++) {
		dist[i] = UINT64_MAX;
		pos[i] = 0;
	}
	dist[src] = 0;
	heap[hn++] = src;
	pos[src] = 1;
	while (hn) {
		uint32_t x = heap[0], i = 0, y;

		pos[x] = 0;
		if (--hn) {
			y = heap[hn];
			for (;;) {
				uint32_t c = 2 * i + 1;

				if (c >= hn)
					break;
				if (c + 1 < hn &&
				    dist[heap[c + 1]] < dist[heap[c]])
					c++;
				if (dist[heap[c]] >= dist[y])
					break;
				heap[i] = heap[c];
				pos[heap[i]] = i + 1;
				i = c;
			}
			heap[i] = y;
			pos[y] = i + 1;
		}
		sum += dist[x];
		const struct mesh_graph_node *nx = &g->nodes[x];

		for (uint32_t k = 0; k < nx->n_edges; k++) {
			const struct mesh_graph_arc *e = &nx->arcs[k];
			uint64_t nd;

			y = e->head;
			if (y == MESH_GRAPH_NONE)
				continue;
			nd = dist[x] + e->cost;
			if (nd >= dist[y])
				continue;
			dist[y] = nd;
			i = pos[y] ? pos[y] - 1 : hn++;
			while (i > 0 && dist[heap[(i - 1) / 2]] > nd) {
				heap[i] = heap[(i - 1) / 2];
				pos[heap[i]] = i + 1;
				i = (i - 1) / 2;
			}
			heap[i] = y;
			pos[y] = i + 1;
		}
	}
	return sum;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_dbl);
	return v[n / 2];
}

#ifdef MESH_BENCH_FRR
/*
 * meshd's graph as an FRR TED. Built from the mesh_graph (not from the raw
 * link list) so both engines see the same edges: meshd keeps the first of
 * duplicate tunnels and only uses two-way (paired, up) edges. Each usable
 * directed edge gets its own IPv4 local address; its remote address is the
 * local address of the reverse edge, which is how link_state.c pairs edges
 * and sets edge->destination. The TE metric is meshd's edge cost (delay plus
 * loss penalty) so that path costs are directly comparable; the delay is
 * also filled in.
 */
/*
 * Directed edge i gets 64.x.y.1 (x.y = i): FRR's IPV4_NET0() masks s_addr
 * without ntohl(), so on little-endian hosts an address whose last octet is
 * 0 counts as "net 0": ls_attributes_new() rejects it, cspf would prune it.
 */
#define EDGE_ADDR(i) htonl(0x40000001 + ((i) << 8))

static struct ls_ted *build_ted(const struct mesh_graph *g,
				struct ls_vertex **vtx)
{
	struct ls_ted *ted = ls_ted_new(1, "bench", 65000);
	uint32_t *base = calloc(g->n_slots + 1, sizeof(*base));
	struct in6_addr z6 = {};

	for (uint32_t s = 0; s < g->n_slots; s++)
		base[s + 1] = base[s] + g->nodes[s].n_edges;
	for (uint32_t s = 0; s < g->n_slots; s++) {
		struct ls_node_id id = {.origin = OSPFv2};

		id.id.ip.addr.s_addr = htonl(0x0a000000 + g->nodes[s].id);
		vtx[s] = ls_vertex_add(ted, ls_node_new(id, id.id.ip.addr, z6));
	}
	for (uint32_t s = 0; s < g->n_slots; s++) {
		const struct mesh_graph_node *nd = &g->nodes[s];
		struct ls_node_id id = {.origin = OSPFv2};

		id.id.ip.addr.s_addr = htonl(0x0a000000 + nd->id);
		for (uint32_t k = 0; k < nd->n_edges; k++) {
			const struct mesh_graph_edge *e = &nd->edges[k];
			struct ls_attributes *at;
			struct in_addr loc;

			if (!e->usable)
				continue;
			loc.s_addr = EDGE_ADDR(base[s] + k);
			at = ls_attributes_new(id, loc, z6, 0);
			if (!at) {
				fprintf(stderr, "cspf: bad edge address\n");
				exit(1);
			}
			at->standard.remote.s_addr =
				EDGE_ADDR(base[e->head] + e->rev);
			at->standard.te_metric = e->cost;
			at->extended.delay = e->adv.delay_us;
			at->flags |= LS_ATTR_NEIGH_ADDR | LS_ATTR_TE_METRIC |
				     LS_ATTR_DELAY;
			ls_edge_add(ted, at);
		}
	}
#undef EDGE_ADDR
	free(base);
	return ted;
}

/* compute_p2p_path() hands back a path the caller owns. */
static void c_path_free(struct c_path *p)
{
	if (!p)
		return;
	if (p->edges)
		list_delete(&p->edges);
	free(p); /* FRR's qfree() is free() plus (static) counters */
}

struct cspf_result {
	double per_query_us; /* mean over successful queries */
	long rss_kb;
	int queries, found, cost_equal;
};

/* Queries from meshd's source (node 1) to random destinations. */
static void bench_cspf(const struct mesh_graph *g, struct mesh_spf_ctx *c,
		       int queries, struct cspf_result *res)
{
	struct ls_vertex **vtx = calloc(g->n_slots, sizeof(*vtx));
	long rss0 = maxrss_kb();
	struct ls_ted *ted = build_ted(g, vtx);
	struct cspf *algo = cspf_new();
	uint32_t src = mesh_graph_lookup(g, 1);
	uint64_t qrng =
		0x2545f4914f6cdd1dULL; /* own stream: graphs unchanged */
	double tot = 0;

	memset(res, 0, sizeof(*res));
	res->queries = queries;
	for (int q = 0; q < queries; q++) {
		struct constraints csts = {.cost = MAX_COST,
					   .ctype = CSPF_TE_METRIC,
					   .family = AF_INET,
					   .type = RSVP_TE};
		struct mesh_spf_route rt;
		struct c_path *p;
		uint32_t d;
		double t0, t;

		do {
			qrng ^= qrng << 13;
			qrng ^= qrng >> 7;
			qrng ^= qrng << 17;
			d = (uint32_t)(qrng % g->n_slots);
		} while (d == src);

		t0 = now_us();
		cspf_init(algo, vtx[src], vtx[d], &csts);
		p = compute_p2p_path(algo, ted);
		t = now_us() - t0;

		mesh_spf_route_get(c, g->nodes[d].id, &rt);
		if (p && p->status == SUCCESS) {
			res->found++;
			tot += t;
			if (rt.reason == MESH_SPF_OK && rt.cost == p->weight)
				res->cost_equal++;
			else
				fprintf(stderr,
					"cspf: dst %u cost %u, meshd %llu "
					"(reason %d)\n",
					g->nodes[d].id, p->weight,
					(unsigned long long)rt.cost, rt.reason);
		} else {
			fprintf(stderr, "cspf: dst %u no path (status %d)\n",
				g->nodes[d].id, p ? (int)p->status : -1);
		}
		c_path_free(p);
		cspf_clean(algo);
	}
	res->per_query_us = res->found ? tot / res->found : 0;
	res->rss_kb = maxrss_kb() - rss0;
	cspf_del(algo);
	ls_ted_del_all(&ted);
	free(vtx);
}
#endif

static void bench(uint32_t n, uint32_t m, int reps, int cspf_queries,
		  int changes)
{
	uint32_t nl;
	struct link *l = gen_links(n, m, &nl);
	long rss0 = maxrss_kb();
	struct mesh_graph *g = build_graph(n, l, nl);
	struct mesh_spf_params p = {.src_id = 1, .use_src_tenant = true};
	struct mesh_spf_ctx *c = mesh_spf_new(&p);
	uint64_t *dist = calloc(g->n_slots, sizeof(*dist));
	uint32_t *heap = calloc(g->n_slots, sizeof(*heap));
	uint32_t *pos = calloc(g->n_slots, sizeof(*pos));
	double tf[256], tp[256], tinc = 0, tskip = 0, t0;
	int ninc = 0, nskip = 0, nbk = 0, ndisj = 0, nnolfa = 0;
	uint64_t inc_trees = 0;
	uint32_t src = mesh_graph_lookup(g, 1);
	volatile uint64_t sink = 0;
	long rss_spf;

	for (int r = 0; r < reps; r++) {
		t0 = now_us();
		mesh_spf_run(c, g, NULL, 0);
		tf[r] = now_us() - t0;
		t0 = now_us();
		sink += plain_dijkstra(g, src, dist, heap, pos);
		tp[r] = now_us() - t0;
	}
	rss_spf = maxrss_kb() - rss0;
	for (uint32_t i = 2; i <= n; i++) {
		struct mesh_spf_route rt;

		mesh_spf_route_get(c, i, &rt);
		nbk += rt.backup_reason == MESH_SPF_OK;
		ndisj += rt.backup_reason == MESH_SPF_OK && rt.backup_disjoint;
		nnolfa += rt.backup_reason == MESH_SPF_NO_LFA;
	}

	/* Single link changes: half on primary paths, delay x3 or /3. */
	for (int k = 0; k < changes; k++) {
		uint32_t ids[256], a, b;
		struct mesh_link_adv adv;
		struct mesh_graph_change ch[2];
		size_t nch, len;
		uint32_t slot, e;

		len = mesh_spf_path(c, 2 + rnd(n - 1), false, ids, 256);
		if (k % 2 == 0 && len >= 2 && len <= 256) {
			uint32_t j = rnd(len - 1);

			a = ids[j];
			b = ids[j + 1];
		} else {
			a = 1 + rnd(n);
			slot = mesh_graph_lookup(g, a);
			b = g->nodes[slot]
				    .edges[rnd(g->nodes[slot].n_edges)]
				    .adv.peer_id;
		}
		slot = mesh_graph_lookup(g, a);
		e = mesh_graph_find_edge(g, slot, b);
		adv = g->nodes[slot].edges[e].adv;
		adv.delay_us = rnd(2) ? adv.delay_us * 3 : adv.delay_us / 3;
		mesh_graph_link_update(g, a, b, &adv, ch, &nch);
		t0 = now_us();
		mesh_spf_run(c, g, ch, nch);
		t0 = now_us() - t0;
		if (mesh_spf_get_stats(c)->last_kind ==
		    MESH_SPF_RUN_INCREMENTAL) {
			tinc += t0;
			ninc++;
			inc_trees += mesh_spf_get_stats(c)->last_nb_trees;
		} else if (mesh_spf_get_stats(c)->last_kind ==
			   MESH_SPF_RUN_SKIPPED) {
			tskip += t0;
			nskip++;
		}
	}

	double mf = median(tf, reps), mp = median(tp, reps);

	printf("| %u / %u | %.2f | %.2f | %.2fx | %.2f (%d; %.1f trees) | "
	       "%.3f (%d) | %.1f + %.1f | %ld |",
	       n, m, mf / 1000, mp / 1000, mf / mp,
	       ninc ? tinc / ninc / 1000 : 0.0, ninc,
	       ninc ? (double)inc_trees / ninc : 0.0,
	       nskip ? tskip / nskip / 1000 : 0.0, nskip,
	       mesh_graph_mem_bytes(g) / 1048576.0,
	       mesh_spf_mem_bytes(c) / 1048576.0, rss_spf / 1024);
#ifdef MESH_BENCH_FRR
	{
		/*
		 * In a child, so the TED does not raise this process's
		 * maxrss (the meshd column of the next, larger graph) and
		 * the cspf maxrss delta starts from the current RSS.
		 */
		struct cspf_result cr = {.queries = cspf_queries};
		int fd[2];
		pid_t pid;

		fflush(stdout);
		if (pipe(fd) || (pid = fork()) < 0) {
			perror("cspf: pipe/fork");
			exit(1);
		}
		if (pid == 0) {
			close(fd[0]);
			bench_cspf(g, c, cspf_queries, &cr);
			if (write(fd[1], &cr, sizeof(cr)) != sizeof(cr))
				_exit(1);
			_exit(0);
		}
		close(fd[1]);
		if (read(fd[0], &cr, sizeof(cr)) != sizeof(cr))
			fprintf(stderr, "cspf: child failed\n");
		close(fd[0]);
		waitpid(pid, NULL, 0);
		if (cr.found)
			printf(" %.2f (%d q) | %.0fx | %ld | %d/%d, %d/%d |",
			       cr.per_query_us / 1000, cr.found,
			       cr.per_query_us * (n - 1) / mf, cr.rss_kb / 1024,
			       cr.found, cr.queries, cr.cost_equal, cr.found);
		else
			printf(" n/a (0 found) | n/a | n/a | 0/%d, - |",
			       cr.queries);
	}
#else
	(void)cspf_queries;
	printf(" n/a | n/a | n/a | n/a |");
#endif
	printf(" %d/%u (%d disjoint, %d LFA; %d no LFA) | %u |\n", nbk, n - 1,
	       ndisj, nbk - ndisj, nnolfa, g->nodes[src].n_edges);
	(void)sink;
	mesh_spf_free(c);
	mesh_graph_free(g);
	free(dist);
	free(heap);
	free(pos);
	free(l);
}

int main(void)
{
	/* Many repetitions: the medians must hold on a shared machine. */
	bench(1000, 20000, 201, 50, 200);
	bench(10000, 200000, 21, 5, 60);
	return 0;
}
