// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Microbenchmark of the meshd RIB (meshd/mesh_rib.c), in process: N
 * prefixes (default 1,000,000 IPv4 /24s, or IPv6 /48s) from one peer
 * sharing a few attribute sets, inserted in address order and in random
 * order; then mesh_rib_process() over all of them, exact lookups, longest
 * matches, an Adj-RIB-Out holding every prefix, withdrawal of everything.
 * Prints markdown rows: ns per prefix for each phase (thread CPU time)
 * and bytes per prefix (pool bytes as the RIB counts them, and process
 * RSS growth; each case runs in a child process of its own). A script,
 * not a test: it asserts nothing about time.
 *
 * Build (FRR tree T, repository R):
 *   gcc -O2 -DHAVE_CONFIG_H -I$T/lib/assert -I$T -I$T/include -I$T/lib -I$R \
 *     tools/bench/bench_rib.c meshd/mesh_rib.c -o bench_rib \
 *     $T/lib/.libs/libfrr.so -Wl,-rpath,$T/lib/.libs
 * Run: ./bench_rib [count] [4|6]
 */
#include <zebra.h>

#include <sys/wait.h>
#include <time.h>

#include "lib/memory.h"

#include "meshd/mesh_rib.h"

DEFINE_MGROUP(MESHD, "meshd");

#define N_ATTRS 4

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, rss = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = 0;
	fclose(f);
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static size_t changes;

static void count_change(struct mesh_route *r, struct mesh_aset *old,
			 uint16_t old_peer, void *arg)
{
	(void)r;
	(void)old;
	(void)old_peer;
	(void)arg;
	changes++;
}

/* Prefix i: IPv4 16.0.0.0/24 upwards, IPv6 2001:db8::/48 style. */
static void make_prefix(struct mesh_bgp_prefix *p, uint16_t afi, uint32_t i)
{
	memset(p, 0, sizeof(*p));
	p->afi = afi;
	if (afi == MESH_BGP_AFI_IPV4) {
		uint32_t a = (16u << 24) + (i << 8);

		p->plen = 24;
		p->addr[0] = a >> 24;
		p->addr[1] = a >> 16;
		p->addr[2] = a >> 8;
	} else {
		p->plen = 48;
		p->addr[0] = 0x20;
		p->addr[1] = 0x01;
		p->addr[2] = (uint8_t)(i >> 24);
		p->addr[3] = (uint8_t)(i >> 16);
		p->addr[4] = (uint8_t)(i >> 8);
		p->addr[5] = (uint8_t)i;
	}
}

static struct mesh_aset *make_attr(int k, uint16_t afi)
{
	uint8_t path[] = {2, 3,	   0,	 0, 0xfd, 0xe8, 0,
			  0, 0x0b, 0xb8, 0, 0,	  0,	(uint8_t)(k + 1)};
	uint8_t nh[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	struct mesh_bgp_attrs a = {0};

	mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_ORIGIN);
	mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_AS_PATH);
	a.origin = MESH_BGP_ORIGIN_IGP;
	a.as_path_width = 4;
	a.as_path.p = path;
	a.as_path.len = sizeof(path);
	if (afi == MESH_BGP_AFI_IPV4) {
		mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_NEXT_HOP);
		a.next_hop = 0xc0000201;
	} else {
		mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_MP_REACH);
		a.mp_reach.afi = afi;
		a.mp_reach.safi = MESH_BGP_SAFI_UNICAST;
		a.mp_reach.nh.p = nh;
		a.mp_reach.nh.len = sizeof(nh);
	}
	return mesh_aset_intern(&a);
}

static void row(const char *what, double ns, size_t n, const char *extra)
{
	printf("| %-34s | %9.1f | %9.3f | %s |\n", what, ns / n, ns / 1e9,
	       extra);
}

static void run(uint32_t n, uint16_t afi, bool shuffled)
{
	struct mesh_rib_peer peer = {.peer_as = 65000,
				     .bgp_id = 0x0a000001,
				     .afi = MESH_BGP_AFI_IPV4,
				     .addr = {192, 0, 2, 1}};
	struct mesh_aset *attrs[N_ATTRS];
	struct mesh_rib_stats st;
	struct mesh_bgp_prefix p;
	struct mesh_rib *rib;
	uint32_t *order;
	long rss0, rss1;
	double t0, t_ins, t_proc, t_look, t_match, t_wd;
	size_t found = 0;
	char extra[160], label[64];
	const char *fam = afi == MESH_BGP_AFI_IPV4 ? "IPv4 /24" : "IPv6 /48";

	order = malloc(sizeof(*order) * n);
	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	if (shuffled)
		for (uint32_t i = n - 1; i > 0; i--) {
			uint32_t j = rnd(i + 1), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
	mesh_rib_peer_add(&peer);
	for (int k = 0; k < N_ATTRS; k++)
		attrs[k] = make_attr(k, afi);

	rss0 = rss_kb();
	rib = mesh_rib_new(afi);
	t0 = now_ns();
	for (uint32_t i = 0; i < n; i++) {
		struct mesh_aset *a = attrs[order[i] % N_ATTRS];

		make_prefix(&p, afi, order[i]);
		mesh_rib_update(rib, &p, peer.index, 0, mesh_aset_ref(a),
				mesh_aset_ref(a), 0, 1);
	}
	t_ins = now_ns() - t0;
	t0 = now_ns();
	changes = 0;
	mesh_rib_process(rib, 0, count_change, NULL);
	t_proc = now_ns() - t0;
	rss1 = rss_kb();
	mesh_rib_stats(rib, &st);

	snprintf(label, sizeof(label), "%s %s insert", fam,
		 shuffled ? "random" : "in order");
	snprintf(extra, sizeof(extra), "%zu routes", st.routes);
	row(label, t_ins, n, extra);
	snprintf(label, sizeof(label), "%s %s process", fam,
		 shuffled ? "random" : "in order");
	snprintf(extra, sizeof(extra), "%zu changes", changes);
	row(label, t_proc, n, extra);
	snprintf(label, sizeof(label), "%s %s insert+process", fam,
		 shuffled ? "random" : "in order");
	snprintf(extra, sizeof(extra), "pool %.1f B/prefix, RSS +%.1f B/prefix",
		 (double)st.bytes / n, (double)(rss1 - rss0) * 1024 / n);
	row(label, t_ins + t_proc, n, extra);

	t0 = now_ns();
	for (uint32_t i = 0; i < n; i++) {
		make_prefix(&p, afi, order[i]);
		found += mesh_rib_lookup(rib, &p) != NULL;
	}
	t_look = now_ns() - t0;
	snprintf(extra, sizeof(extra), "%zu found", found);
	row("  exact lookup", t_look, n, extra);

	found = 0;
	t0 = now_ns();
	for (uint32_t i = 0; i < n; i++) {
		make_prefix(&p, afi, order[i]);
		p.addr[afi == MESH_BGP_AFI_IPV4 ? 3 : 15] = 77;
		found += mesh_rib_match(rib, p.addr) != NULL;
	}
	t_match = now_ns() - t0;
	snprintf(extra, sizeof(extra), "%zu found", found);
	row("  longest match", t_match, n, extra);

	/* Adj-RIB-Out of one peer holding every prefix */
	{
		struct mesh_adjout *out = mesh_adjout_new(afi);
		long r0 = rss_kb(), r1;
		double t_set, t_get;

		t0 = now_ns();
		for (uint32_t i = 0; i < n; i++) {
			make_prefix(&p, afi, order[i]);
			mesh_adjout_set(
				out, &p, 0,
				mesh_aset_ref(attrs[order[i] % N_ATTRS]));
		}
		t_set = now_ns() - t0;
		r1 = rss_kb();
		found = 0;
		t0 = now_ns();
		for (uint32_t i = 0; i < n; i++) {
			make_prefix(&p, afi, order[i]);
			found += mesh_adjout_get(out, &p, 0) != NULL;
		}
		t_get = now_ns() - t0;
		snprintf(extra, sizeof(extra), "RSS +%.1f B/prefix",
			 (double)(r1 - r0) * 1024 / n);
		row("  adj-rib-out set", t_set, n, extra);
		snprintf(extra, sizeof(extra), "%zu found", found);
		row("  adj-rib-out get", t_get, n, extra);
		mesh_adjout_free(out);
	}

	t0 = now_ns();
	for (uint32_t i = 0; i < n; i++) {
		make_prefix(&p, afi, order[i]);
		mesh_rib_withdraw(rib, &p, peer.index, 0);
	}
	changes = 0;
	mesh_rib_process(rib, 0, count_change, NULL);
	t_wd = now_ns() - t0;
	mesh_rib_stats(rib, &st);
	snprintf(extra, sizeof(extra), "%zu changes, %zu routes left", changes,
		 st.routes);
	row("  withdraw all + process", t_wd, n, extra);

	mesh_rib_free(rib);
	for (int k = 0; k < N_ATTRS; k++)
		mesh_aset_unref(attrs[k]);
	mesh_rib_peer_del(&peer);
	free(order);
}

static void bench_intern(uint32_t n)
{
	struct mesh_aset *keep = make_attr(0, MESH_BGP_AFI_IPV4);
	double t0 = now_ns();

	for (uint32_t i = 0; i < n; i++)
		mesh_aset_unref(make_attr(0, MESH_BGP_AFI_IPV4));
	row("intern (existing set) + unref", now_ns() - t0, n, "");
	mesh_aset_unref(keep);
}

int main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 1000000;
	uint16_t afi = argc > 2 && atoi(argv[2]) == 6 ? MESH_BGP_AFI_IPV6
						      : MESH_BGP_AFI_IPV4;

	mesh_rib_init();
	printf("| phase (%u prefixes) | ns/prefix | total s | notes |\n", n);
	printf("|---|---|---|---|\n");
	fflush(stdout);
	/* Each case in a child of its own, so RSS growth is its own. */
	for (int shuffled = 0; shuffled < 2; shuffled++) {
		pid_t pid = fork();

		if (pid == 0) {
			run(n, afi, shuffled);
			fflush(stdout);
			_exit(0);
		}
		waitpid(pid, NULL, 0);
	}
	bench_intern(n);
	mesh_rib_terminate();
	return 0;
}
