// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd RIB (meshd/mesh_rib.c): interned attribute sets, the decision
 * process step by step (RFC 4271 9.1.2.2, RFC 4456 9, RFC 7911), the
 * dirty queue and its callback contract, peer clear and graceful-restart
 * stale handling, the route trie against a brute-force reference (IPv4
 * and IPv6), and Adj-RIB-Out. Every test ends with no attribute set and
 * no meshd allocation left alive.
 */
#include <zebra.h>

#include <CUnit/Basic.h>

#include "lib/memory.h"

#include "meshd/mesh_rib.h"

DEFINE_MGROUP(MESHD, "meshd");

#define V4 MESH_BGP_AFI_IPV4
#define V6 MESH_BGP_AFI_IPV6

/* ---- helpers ---- */

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

/* Live allocations of the meshd memory group (FRR's MTYPE counters). */
static int count_mt(void *arg, struct memgroup *mg, struct memtype *mt)
{
	size_t *n = arg;

	if (mt && mg && !strcmp(mg->name, "meshd"))
		*n += mt->n_alloc;
	return 0;
}

static size_t meshd_allocs(void)
{
	size_t n = 0;

	qmem_walk(count_mt, &n);
	return n;
}

static void check_clean(void)
{
	CU_ASSERT_EQUAL(mesh_aset_count(), 0);
	CU_ASSERT_EQUAL(meshd_allocs(), 0);
}

/* A description of an attribute set, for building test paths. Zero
 * fields are absent attributes (ORIGIN is IGP unless no_origin). */
struct aspec {
	uint32_t lp;  /* LOCAL_PREF */
	uint32_t med; /* MULTI_EXIT_DISC */
	uint8_t origin;
	bool no_origin;
	const char *path;    /* "1 2 {3 4} (5 6) [7]": sequence, set,
			      * confed sequence, confed set */
	uint32_t originator; /* ORIGINATOR_ID */
	int clusters;	     /* CLUSTER_LIST entries */
	uint32_t nh;
	uint32_t comm; /* one community */
};

/* Encodes a path description as 4-octet AS_PATH segments. */
static size_t encode_path(const char *s, uint8_t *out)
{
	size_t len = 0, hdr = 0;
	uint8_t type = 0;

	for (; s && *s; s++) {
		uint8_t t = 0;

		if (*s == ' ')
			continue;
		if (*s == '{')
			t = MESH_BGP_AS_SET;
		else if (*s == '(')
			t = MESH_BGP_AS_CONFED_SEQUENCE;
		else if (*s == '[')
			t = MESH_BGP_AS_CONFED_SET;
		if (t || (!type && isdigit((unsigned char)*s))) {
			type = t ? t : MESH_BGP_AS_SEQUENCE;
			hdr = len;
			out[len++] = type;
			out[len++] = 0;
			if (t)
				continue;
		}
		if (*s == '}' || *s == ')' || *s == ']') {
			type = 0;
			continue;
		}
		if (isdigit((unsigned char)*s)) {
			uint32_t as = (uint32_t)strtoul(s, (char **)&s, 10);

			s--;
			out[len++] = as >> 24;
			out[len++] = as >> 16;
			out[len++] = as >> 8;
			out[len++] = as;
			out[hdr + 1]++;
		}
	}
	return len;
}

static struct mesh_aset *mk(const struct aspec *sp)
{
	uint8_t path[256], cl[64], comm[4];
	struct mesh_bgp_attrs a = {0};

	if (!sp->no_origin) {
		mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_ORIGIN);
		a.origin = sp->origin;
	}
	mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_AS_PATH);
	a.as_path_width = 4;
	a.as_path.len = encode_path(sp->path, path);
	a.as_path.p = path;
	mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_NEXT_HOP);
	a.next_hop = sp->nh ? sp->nh : 0x0a000001;
	if (sp->lp) {
		mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_LOCAL_PREF);
		a.local_pref = sp->lp;
	}
	if (sp->med) {
		mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_MED);
		a.med = sp->med;
	}
	if (sp->originator) {
		mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_ORIGINATOR_ID);
		a.originator_id = sp->originator;
	}
	if (sp->clusters) {
		mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_CLUSTER_LIST);
		for (int i = 0; i < sp->clusters * 4; i++)
			cl[i] = (uint8_t)(i + 1);
		a.cluster_list.p = cl;
		a.cluster_list.len = (size_t)sp->clusters * 4;
	}
	if (sp->comm) {
		mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_COMMUNITIES);
		comm[0] = sp->comm >> 24;
		comm[1] = sp->comm >> 16;
		comm[2] = sp->comm >> 8;
		comm[3] = sp->comm;
		a.communities.p = comm;
		a.communities.len = 4;
	}
	return mesh_aset_intern(&a);
}

static struct mesh_bgp_prefix pfx4(uint8_t a, uint8_t b, uint8_t c, uint8_t d,
				   uint8_t plen)
{
	struct mesh_bgp_prefix p = {.afi = V4, .plen = plen};

	p.addr[0] = a;
	p.addr[1] = b;
	p.addr[2] = c;
	p.addr[3] = d;
	return p;
}

/* Test peers: two eBGP peers in different ASes, one more in AS 65001,
 * two iBGP peers; BGP identifiers and addresses rise with the letter. */
static struct mesh_rib_peer peer_a = {.peer_as = 65001,
				      .bgp_id = 0x01010101,
				      .afi = V4,
				      .addr = {10, 0, 0, 1}};
static struct mesh_rib_peer peer_b = {.peer_as = 65002,
				      .bgp_id = 0x02020202,
				      .afi = V4,
				      .addr = {10, 0, 0, 2}};
static struct mesh_rib_peer peer_a2 = {.peer_as = 65001,
				       .bgp_id = 0x03030303,
				       .afi = V4,
				       .addr = {10, 0, 0, 3}};
static struct mesh_rib_peer peer_i = {.ibgp = true,
				      .peer_as = 65000,
				      .bgp_id = 0x04040404,
				      .afi = V4,
				      .addr = {10, 0, 0, 4}};
static struct mesh_rib_peer peer_j = {
	.ibgp = true,
	.peer_as = 65000,
	.bgp_id = 0x05050505,
	.afi = V6,
	.addr = {0x20, 0x01, 0x0d, 0xb8, [15] = 5}};

static int suite_init(void)
{
	mesh_rib_init();
	if (!mesh_rib_peer_add(&peer_a) || !mesh_rib_peer_add(&peer_b) ||
	    !mesh_rib_peer_add(&peer_a2) || !mesh_rib_peer_add(&peer_i) ||
	    !mesh_rib_peer_add(&peer_j))
		return -1;
	return 0;
}

static int suite_clean(void)
{
	mesh_rib_peer_del(&peer_a);
	mesh_rib_peer_del(&peer_b);
	mesh_rib_peer_del(&peer_a2);
	mesh_rib_peer_del(&peer_i);
	mesh_rib_peer_del(&peer_j);
	mesh_rib_terminate();
	return 0;
}

/* ---- interned attribute sets ---- */

static void test_intern(void)
{
	struct aspec s = {.path = "65001 65010", .med = 5};
	struct mesh_aset *a1, *a2, *b;

	a1 = mk(&s);
	a2 = mk(&s);
	CU_ASSERT_PTR_EQUAL(a1, a2);
	CU_ASSERT_EQUAL(a1->refcnt, 2);
	CU_ASSERT_EQUAL(mesh_aset_count(), 1);
	s.med = 6;
	b = mk(&s);
	CU_ASSERT_PTR_NOT_EQUAL(a1, b);
	CU_ASSERT_EQUAL(mesh_aset_count(), 2);
	CU_ASSERT_PTR_EQUAL(mesh_aset_ref(b), b);
	CU_ASSERT_EQUAL(b->refcnt, 2);
	mesh_aset_unref(b);
	mesh_aset_unref(b);
	CU_ASSERT_EQUAL(mesh_aset_count(), 1);
	mesh_aset_unref(a1);
	CU_ASSERT_EQUAL(mesh_aset_count(), 1);
	mesh_aset_unref(a2);
	mesh_aset_unref(NULL);
	check_clean();
}

/* Byte fields are copied: the caller's buffer may go away. */
static void test_intern_deep_copy(void)
{
	uint8_t path[] = {2, 1, 0, 0, 0xfd, 0xe9};
	uint8_t comm[] = {0xfd, 0xe9, 0, 1};
	uint8_t nh[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	uint8_t mesh[] = {1, 2, 3};
	struct mesh_bgp_attrs a = {0};
	struct mesh_aset *x, *y;

	mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_AS_PATH);
	mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_COMMUNITIES);
	mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_MP_REACH);
	a.as_path_width = 4;
	a.as_path.p = path;
	a.as_path.len = sizeof(path);
	a.communities.p = comm;
	a.communities.len = sizeof(comm);
	a.mp_reach.afi = V6;
	a.mp_reach.safi = 1;
	a.mp_reach.nh.p = nh;
	a.mp_reach.nh.len = sizeof(nh);
	a.mesh.p = mesh;
	a.mesh.len = sizeof(mesh);
	x = mesh_aset_intern(&a);
	CU_ASSERT_PTR_NOT_EQUAL(x->a.as_path.p, path);
	CU_ASSERT_EQUAL(x->a.as_path.len, sizeof(path));
	CU_ASSERT_EQUAL(x->data_len, sizeof(path) + sizeof(comm) + sizeof(nh) +
					     sizeof(mesh));
	path[5] = 0xea;
	comm[3] = 2;
	nh[15] = 2;
	mesh[0] = 9;
	CU_ASSERT_EQUAL(x->a.as_path.p[5], 0xe9);
	CU_ASSERT_EQUAL(x->a.communities.p[3], 1);
	CU_ASSERT_EQUAL(x->a.mp_reach.nh.p[15], 1);
	CU_ASSERT_EQUAL(x->a.mesh.p[0], 1);
	CU_ASSERT_EQUAL(x->neighbor_as, 65001);
	/* the changed buffers are a different set */
	y = mesh_aset_intern(&a);
	CU_ASSERT_PTR_NOT_EQUAL(x, y);
	CU_ASSERT_EQUAL(y->neighbor_as, 65002);
	mesh_aset_unref(x);
	mesh_aset_unref(y);
	check_clean();
}

/* What a path does not keep does not split sets: the NLRI of
 * MP_REACH_NLRI, MP_UNREACH_NLRI, values of absent attributes, and
 * attributes around the pass-on ones in the raw block. */
static void test_intern_canonical(void)
{
	uint8_t nlri1[] = {24, 10, 0, 0}, nlri2[] = {24, 10, 0, 1};
	uint8_t nh[4] = {10, 0, 0, 1};
	/* raw blocks: ORIGIN, then unknown optional transitive type 99
	 * (once plain, once with the extended-length form), then a second
	 * 99 that must be ignored */
	uint8_t raw1[] = {0x40, 1,    1,    0,	0xc0, 99,  2,
			  0xaa, 0xbb, 0xc0, 99, 1,    0xcc};
	uint8_t raw2[] = {0xd0, 99, 0, 2, 0xaa, 0xbb};
	uint8_t raw3[] = {0xc0, 99, 2, 0xaa, 0xbc};
	struct mesh_bgp_attrs a = {0}, b;
	struct mesh_aset *x, *y, *z;

	mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_ORIGIN);
	mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_MP_REACH);
	a.mp_reach.afi = V4;
	a.mp_reach.safi = 1;
	a.mp_reach.nh.p = nh;
	a.mp_reach.nh.len = 4;
	a.mp_reach.nlri.p = nlri1;
	a.mp_reach.nlri.len = sizeof(nlri1);
	a.med = 77; /* MED absent: ignored */
	mesh_bgp_bit_set(a.pass_on, 99);
	a.raw.p = raw1;
	a.raw.len = sizeof(raw1);
	x = mesh_aset_intern(&a);
	CU_ASSERT_EQUAL(x->a.mp_reach.nlri.len, 0);
	CU_ASSERT_EQUAL(x->a.med, 0);
	CU_ASSERT_EQUAL(x->a.raw.len, 5);
	CU_ASSERT_EQUAL(x->a.raw.p[0], 0xe0); /* Partial set */
	CU_ASSERT_EQUAL(x->a.raw.p[4], 0xbb);

	b = a;
	b.mp_reach.nlri.p = nlri2;
	b.med = 78;
	mesh_bgp_bit_set(b.present, MESH_BGP_ATTR_MP_UNREACH);
	b.mp_unreach.afi = V4;
	b.raw.p = raw2;
	b.raw.len = sizeof(raw2);
	y = mesh_aset_intern(&b);
	CU_ASSERT_PTR_EQUAL(x, y);
	CU_ASSERT_FALSE(mesh_bgp_attr_present(&y->a, MESH_BGP_ATTR_MP_UNREACH));
	CU_ASSERT_TRUE(mesh_bgp_attrs_equal(&x->a, &y->a));

	b.raw.p = raw3;
	b.raw.len = sizeof(raw3);
	z = mesh_aset_intern(&b);
	CU_ASSERT_PTR_NOT_EQUAL(x, z);
	CU_ASSERT_FALSE(mesh_bgp_attrs_equal(&x->a, &z->a));
	mesh_aset_unref(x);
	mesh_aset_unref(y);
	mesh_aset_unref(z);
	check_clean();
}

/* RFC 4271 9.1.2.2 a: an AS_SET counts one, confederation segments
 * (RFC 5065 5.3) none; the neighbor AS is the first of the leading
 * sequence. */
static void test_intern_derived(void)
{
	static const struct {
		const char *path;
		uint16_t count;
		uint32_t neighbor;
	} cases[] = {
		{"", 0, 0},
		{"65001", 1, 65001},
		{"65001 65002 65003", 3, 65001},
		{"65001 {1 2 3 4}", 2, 65001},
		{"{1 2 3}", 1, 0},
		{"(64512 64513) 65001 65002", 2, 65001},
		{"[64512 64513] 65009", 1, 65009},
		{"(64512)", 0, 0},
		{"4200000000 65001 {7 8} 9", 4, 4200000000u},
	};

	for (size_t i = 0; i < array_size(cases); i++) {
		struct aspec s = {.path = cases[i].path, .clusters = (int)i};
		struct mesh_aset *a = mk(&s);

		if (a->as_path_count != cases[i].count ||
		    a->neighbor_as != cases[i].neighbor)
			fprintf(stderr, "\n  path '%s': count %u neighbor %u\n",
				cases[i].path, a->as_path_count,
				a->neighbor_as);
		CU_ASSERT_EQUAL(a->as_path_count, cases[i].count);
		CU_ASSERT_EQUAL(a->neighbor_as, cases[i].neighbor);
		CU_ASSERT_EQUAL(a->cluster_len, i);
		mesh_aset_unref(a);
	}
	check_clean();
}

/* Many sets: the table grows, and removal in any order keeps every
 * other set findable (probe runs survive deletions). */
static void test_intern_many(void)
{
	enum { N = 5000 };
	static struct mesh_aset *sets[N];
	uint32_t order[N];

	for (int i = 0; i < N; i++) {
		struct aspec s = {
			.path = "65001", .med = i, .comm = (uint32_t)i * 7};

		sets[i] = mk(&s);
		order[i] = (uint32_t)i;
	}
	CU_ASSERT_EQUAL(mesh_aset_count(), N);
	for (int i = N - 1; i > 0; i--) {
		uint32_t j = rnd((uint32_t)i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (int k = 0; k < N; k++) {
		int i = (int)order[k];

		mesh_aset_unref(sets[i]);
		sets[i] = NULL;
		if (k % 97 == 0) {
			/* every survivor is still found, as itself */
			for (int m = 0; m < N; m++) {
				struct aspec s = {.path = "65001",
						  .med = m,
						  .comm = (uint32_t)m * 7};
				struct mesh_aset *x;

				if (!sets[m])
					continue;
				x = mk(&s);
				if (x != sets[m])
					CU_FAIL("interned set not found");
				mesh_aset_unref(x);
			}
			CU_ASSERT_EQUAL(mesh_aset_count(), (size_t)(N - k - 1));
		}
	}
	check_clean();
}

/* ---- decision process, step by step ---- */

struct pspec {
	struct aspec a;
	struct mesh_rib_peer *peer; /* NULL: locally originated */
	uint32_t path_id;
	uint16_t flags;
	bool denied;
};

struct dcase {
	const char *name;
	struct pspec win, lose;
	const char *why;
};

#define P(...)                                                                 \
	{                                                                      \
		__VA_ARGS__                                                    \
	}
#define AS1 .path = "65001"

static const struct dcase dcases[] = {
	{"invalid path never selected",
	 {P(AS1), &peer_b},
	 {P(AS1, .lp = 500), &peer_a, .flags = MESH_PATH_INVALID},
	 "invalid"},
	{"denied path never selected",
	 {P(AS1), &peer_b},
	 {P(AS1, .lp = 500), &peer_a, .denied = true},
	 "invalid"},
	{"refreshed path over stale one",
	 {P(AS1), &peer_b},
	 {P(AS1, .lp = 500), &peer_a, .flags = MESH_PATH_STALE},
	 "stale"},
	{"locally originated first",
	 {P(.path = "65001 65002 65003", .lp = 10), NULL},
	 {P(AS1, .lp = 500), &peer_a},
	 "local"},
	{"higher local-pref",
	 {P(.lp = 200, .path = "1 2 3"), &peer_b},
	 {P(AS1, .lp = 150), &peer_a},
	 "local-pref"},
	{"absent local-pref is 100, beats 99",
	 {P(.path = "1 2 3"), &peer_b},
	 {P(AS1, .lp = 99), &peer_a},
	 "local-pref"},
	{"101 beats absent local-pref",
	 {P(.lp = 101, .path = "1 2 3"), &peer_b},
	 {P(AS1), &peer_a},
	 "local-pref"},
	{"shorter AS_PATH",
	 {P(.path = "65002 7", .origin = 2), &peer_b},
	 {P(.path = "65001 8 9"), &peer_a},
	 "as-path"},
	{"AS_SET counts one",
	 {P(.path = "65002 {1 2 3 4 5}"), &peer_b},
	 {P(.path = "65001 8 9"), &peer_a},
	 "as-path"},
	{"confederation segments count zero",
	 {P(.path = "(64512 64513 64514) 65002 7"), &peer_b},
	 {P(.path = "65001 8 9"), &peer_a},
	 "as-path"},
	{"lower ORIGIN",
	 {P(.path = "65002", .origin = 1, .med = 50), &peer_b},
	 {P(.path = "65001", .origin = 2), &peer_a},
	 "origin"},
	{"missing ORIGIN ranks below EGP",
	 {P(.path = "65002", .origin = 1), &peer_b},
	 {P(.path = "65001", .no_origin = true), &peer_a},
	 "origin"},
	{"missing ORIGIN ties with INCOMPLETE",
	 {P(.path = "65001", .origin = 2), &peer_a},
	 {P(.path = "65001", .no_origin = true), &peer_a2},
	 "router-id"},
	{"lower MED from the same neighbor AS",
	 {P(.path = "65001 9", .med = 10), &peer_a2},
	 {P(.path = "65001 8", .med = 20), &peer_a},
	 "med"},
	{"missing MED is 0",
	 {P(.path = "65001 9"), &peer_a2},
	 {P(.path = "65001 8", .med = 1), &peer_a},
	 "med"},
	{"MED not compared across neighbor ASes",
	 {P(.path = "65001", .med = 500), &peer_a},
	 {P(.path = "65002", .med = 1), &peer_b},
	 "router-id"},
	{"eBGP over iBGP",
	 {P(.path = "65001", .med = 5), &peer_b},
	 {P(.path = "65001", .med = 5), &peer_i},
	 "ebgp"},
	{"lower BGP identifier",
	 {P(.path = "65001"), &peer_a},
	 {P(.path = "65001"), &peer_a2},
	 "router-id"},
	{"ORIGINATOR_ID stands for the identifier",
	 {P(.path = "", .originator = 0x09000001, .clusters = 3), &peer_j},
	 {P(.path = "", .originator = 0x09000002), &peer_i},
	 "router-id"},
	{"ORIGINATOR_ID against a plain identifier",
	 {P(.path = "", .originator = 0x04040403), &peer_j},
	 {P(.path = ""), &peer_i},
	 "router-id"},
	{"shorter CLUSTER_LIST",
	 {P(.path = "", .originator = 0x09000001, .clusters = 1), &peer_j},
	 {P(.path = "", .originator = 0x09000001, .clusters = 2), &peer_i},
	 "cluster-list"},
	{"lower peer address",
	 {P(.path = "65001", .originator = 0x09000001), &peer_a},
	 {P(.path = "65001", .originator = 0x09000001), &peer_a2},
	 "peer-address"},
	{"IPv4 peer address before IPv6",
	 {P(.path = "", .originator = 0x09000001), &peer_i},
	 {P(.path = "", .originator = 0x09000001), &peer_j},
	 "peer-address"},
	{"ADD-PATH: lower path identifier",
	 {P(.path = "65001 1"), &peer_a, .path_id = 3},
	 {P(.path = "65001 2"), &peer_a, .path_id = 9},
	 "path-id"},
};

static void fill_path(struct mesh_path *p, const struct pspec *s)
{
	memset(p, 0, sizeof(*p));
	p->attr_in = mk(&s->a);
	p->attr = s->denied ? NULL : mesh_aset_ref(p->attr_in);
	p->peer = s->peer ? s->peer->index : MESH_RIB_PEER_LOCAL;
	p->path_id = s->path_id;
	p->flags = s->flags;
}

static void test_decision_steps(void)
{
	for (size_t i = 0; i < array_size(dcases); i++) {
		const struct dcase *c = &dcases[i];
		struct mesh_path w, l;
		const char *why1 = NULL, *why2 = NULL;
		int r1, r2;

		fill_path(&w, &c->win);
		fill_path(&l, &c->lose);
		r1 = mesh_path_cmp(&w, &l, &why1);
		r2 = mesh_path_cmp(&l, &w, &why2);
		if (r1 >= 0 || r2 <= 0 || !why1 || strcmp(why1, c->why) ||
		    !why2 || strcmp(why2, c->why)) {
			fprintf(stderr,
				"\n  case '%s': cmp %d/%d why '%s'/'%s', "
				"expected '%s'\n",
				c->name, r1, r2, why1, why2, c->why);
			CU_FAIL("decision step");
		}
		CU_ASSERT_EQUAL(mesh_path_cmp(&w, &w, NULL), 0);
		mesh_aset_unref(w.attr_in);
		mesh_aset_unref(w.attr);
		mesh_aset_unref(l.attr_in);
		mesh_aset_unref(l.attr);
	}
	check_clean();
}

/* The same cases through the RIB, both arrival orders. */
static void test_decision_in_rib(void)
{
	for (size_t i = 0; i < array_size(dcases); i++) {
		for (int order = 0; order < 2; order++) {
			const struct dcase *c = &dcases[i];
			const struct pspec *s[2] = {&c->win, &c->lose};
			struct mesh_bgp_prefix p = pfx4(10, 1, 0, 0, 16);
			struct mesh_rib *rib = mesh_rib_new(V4);
			struct mesh_route *r;

			for (int k = 0; k < 2; k++) {
				const struct pspec *x = s[order ^ k];
				struct mesh_aset *a = mk(&x->a);

				mesh_rib_update(
					rib, &p, x->peer ? x->peer->index : 0,
					x->path_id, a,
					x->denied ? NULL : mesh_aset_ref(a),
					x->flags, 1);
			}
			mesh_rib_process(rib, 0, NULL, NULL);
			r = mesh_rib_lookup(rib, &p);
			CU_ASSERT_PTR_NOT_NULL_FATAL(r);
			CU_ASSERT_PTR_NOT_NULL_FATAL(r->best);
			CU_ASSERT_PTR_EQUAL(r->paths, r->best);
			if (r->best->peer !=
				    (c->win.peer ? c->win.peer->index : 0) ||
			    r->best->path_id != c->win.path_id) {
				fprintf(stderr, "\n  case '%s' order %d\n",
					c->name, order);
				CU_FAIL("RIB chose the other path");
			}
			mesh_rib_free(rib);
		}
	}
	check_clean();
}

/*
 * MED compared only within a neighbor AS is not transitive:
 *   X: AS 65001, MED 10, router-id 3.3.3.3 (peer a2)
 *   Y: AS 65001, MED 5,  router-id 1.1.1.1 (peer a)  -- beats X on MED
 *   Z: AS 65002, MED 0,  router-id 2.2.2.2 (peer b)
 * Pairwise: Y < X (med), Z < X (router-id), Y < Z (router-id).
 * RFC 4271 9.1.2.2 c removes X first; Y wins among Y and Z. Also
 *   Y': AS 65001, MED 5, router-id 3.3.3.3 (a2) against
 *   X': AS 65001, MED 10, router-id 1.1.1.1 (a) and Z as above:
 * X' loses on MED and must not win by router-id against Z: Z wins.
 * The choice must not depend on arrival order.
 */
static void test_decision_med_sets(void)
{
	struct {
		struct mesh_rib_peer *peer;
		uint32_t med;
		const char *path;
	} sets[2][3] = {
		{{&peer_a2, 10, "65001 1"},
		 {&peer_a, 5, "65001 2"},
		 {&peer_b, 0, "65002 3"}},
		{{&peer_a, 10, "65001 1"},
		 {&peer_a2, 5, "65001 2"},
		 {&peer_b, 0, "65002 3"}},
	};
	uint16_t want[2] = {peer_a.index, peer_b.index};
	static const int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
					{1, 2, 0}, {2, 0, 1}, {2, 1, 0}};

	for (int s = 0; s < 2; s++) {
		for (int pi = 0; pi < 6; pi++) {
			struct mesh_rib *rib = mesh_rib_new(V4);
			struct mesh_bgp_prefix p = pfx4(10, 2, 0, 0, 16);
			struct mesh_route *r;

			for (int k = 0; k < 3; k++) {
				int j = perms[pi][k];
				struct aspec a = {.path = sets[s][j].path,
						  .med = sets[s][j].med};
				struct mesh_aset *at = mk(&a);

				mesh_rib_update(rib, &p, sets[s][j].peer->index,
						0, at, mesh_aset_ref(at), 0, 1);
			}
			mesh_rib_process(rib, 0, NULL, NULL);
			r = mesh_rib_lookup(rib, &p);
			CU_ASSERT_PTR_NOT_NULL_FATAL(r);
			CU_ASSERT_PTR_NOT_NULL_FATAL(r->best);
			if (r->best->peer != want[s]) {
				fprintf(stderr,
					"\n  set %d order %d: peer %u\n", s, pi,
					r->best->peer);
				CU_FAIL("MED elimination");
			}
			CU_ASSERT_PTR_EQUAL(r->paths, r->best);
			mesh_rib_free(rib);
		}
	}
	check_clean();
}

/* ---- updates, withdrawals, the queue and its callback ---- */

struct change {
	struct mesh_bgp_prefix p;
	struct mesh_aset *old_attr;
	uint16_t old_peer;
	bool has_best;
	uint16_t best_peer;
	uint32_t best_path_id;
	struct mesh_aset *best_attr;
	bool empty; /* route had no paths left */
};

struct changes {
	int n;
	struct change c[64];
};

static void record(struct mesh_route *r, struct mesh_aset *old_attr,
		   uint16_t old_peer, void *arg)
{
	struct changes *cs = arg;
	struct change *c;

	if (cs->n >= (int)array_size(cs->c)) {
		cs->n++;
		return;
	}
	c = &cs->c[cs->n++];
	memset(c, 0, sizeof(*c));
	mesh_route_prefix(r, &c->p);
	c->old_attr = old_attr;
	c->old_peer = old_peer;
	c->has_best = r->best != NULL;
	if (r->best) {
		c->best_peer = r->best->peer;
		c->best_path_id = r->best->path_id;
		c->best_attr = r->best->attr;
		CU_ASSERT_PTR_EQUAL(r->paths, r->best);
	}
	c->empty = r->paths == NULL;
	/* old_attr stays valid during the callback */
	if (old_attr)
		CU_ASSERT(old_attr->refcnt >= 1);
}

static void upd(struct mesh_rib *rib, const struct mesh_bgp_prefix *p,
		struct mesh_rib_peer *peer, uint32_t pid, struct mesh_aset *a,
		uint16_t flags)
{
	mesh_rib_update(rib, p, peer ? peer->index : 0, pid, mesh_aset_ref(a),
			mesh_aset_ref(a), flags, 7);
}

static void test_callback_contract(void)
{
	struct aspec s1 = {.path = "65001"};
	struct aspec s2 = {.path = "65002 1"};
	struct aspec s3 = {.path = "65001", .med = 3};
	struct mesh_aset *a1 = mk(&s1), *a2 = mk(&s2), *a3 = mk(&s3);
	struct mesh_rib *rib = mesh_rib_new(V4);
	struct mesh_bgp_prefix p = pfx4(192, 0, 2, 0, 24), q;
	struct mesh_rib_stats st;
	struct changes cs = {0};
	struct mesh_route *r;

	/* new route: old NULL, new best */
	upd(rib, &p, &peer_a, 0, a1, 0);
	upd(rib, &p, &peer_a, 0, a1, 0); /* duplicate: nothing queued twice */
	CU_ASSERT_EQUAL(mesh_rib_queued(rib), 1);
	r = mesh_rib_lookup(rib, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NULL(r->best);
	CU_ASSERT_EQUAL(r->paths->since, 7);
	CU_ASSERT_FALSE(mesh_rib_process(rib, 0, record, &cs));
	CU_ASSERT_EQUAL(cs.n, 1);
	CU_ASSERT_PTR_NULL(cs.c[0].old_attr);
	CU_ASSERT_TRUE(cs.c[0].has_best);
	CU_ASSERT_EQUAL(cs.c[0].best_peer, peer_a.index);
	CU_ASSERT_PTR_EQUAL(cs.c[0].best_attr, a1);
	CU_ASSERT_EQUAL(cs.c[0].p.plen, 24);
	CU_ASSERT_EQUAL(cs.c[0].p.addr[0], 192);
	CU_ASSERT_EQUAL(mesh_rib_queued(rib), 0);
	/* the same announcement again changes nothing and queues nothing */
	mesh_rib_update(rib, &p, peer_a.index, 0, mesh_aset_ref(a1),
			mesh_aset_ref(a1), 0, 99);
	CU_ASSERT_EQUAL(mesh_rib_queued(rib), 0);
	CU_ASSERT_EQUAL(r->paths->since, 7);
	CU_ASSERT_EQUAL(a1->refcnt, 3); /* ours, attr_in and attr */

	/* a worse second path: decided, but the selection did not change */
	cs.n = 0;
	upd(rib, &p, &peer_b, 0, a2, 0);
	mesh_rib_process(rib, 0, record, &cs);
	CU_ASSERT_EQUAL(cs.n, 0);
	CU_ASSERT_EQUAL(r->paths->next->peer, peer_b.index);

	/* the best path's attributes change: callback with the old set */
	cs.n = 0;
	upd(rib, &p, &peer_a, 0, a3, 0);
	mesh_rib_process(rib, 0, record, &cs);
	CU_ASSERT_EQUAL(cs.n, 1);
	CU_ASSERT_PTR_EQUAL(cs.c[0].old_attr, a1);
	CU_ASSERT_EQUAL(cs.c[0].old_peer, peer_a.index);
	CU_ASSERT_PTR_EQUAL(cs.c[0].best_attr, a3);

	/* the best is withdrawn: the other path takes over */
	cs.n = 0;
	CU_ASSERT_TRUE(mesh_rib_withdraw(rib, &p, peer_a.index, 0));
	CU_ASSERT_FALSE(mesh_rib_withdraw(rib, &p, peer_a.index, 0));
	CU_ASSERT_PTR_NULL(r->best); /* no dangling selection meanwhile */
	mesh_rib_process(rib, 0, record, &cs);
	CU_ASSERT_EQUAL(cs.n, 1);
	CU_ASSERT_PTR_EQUAL(cs.c[0].old_attr, a3);
	CU_ASSERT_EQUAL(cs.c[0].old_peer, peer_a.index);
	CU_ASSERT_EQUAL(cs.c[0].best_peer, peer_b.index);

	/* the last path goes: callback sees no best, then the route is
	 * freed */
	cs.n = 0;
	CU_ASSERT_TRUE(mesh_rib_withdraw(rib, &p, peer_b.index, 0));
	mesh_rib_process(rib, 0, record, &cs);
	CU_ASSERT_EQUAL(cs.n, 1);
	CU_ASSERT_FALSE(cs.c[0].has_best);
	CU_ASSERT_TRUE(cs.c[0].empty);
	CU_ASSERT_PTR_EQUAL(cs.c[0].old_attr, a2);
	CU_ASSERT_PTR_NULL(mesh_rib_lookup(rib, &p));
	mesh_rib_stats(rib, &st);
	CU_ASSERT_EQUAL(st.routes, 0);
	CU_ASSERT_EQUAL(st.paths, 0);
	CU_ASSERT_EQUAL(st.selected, 0);

	/* announce and withdraw before a decision: no callback, no route */
	cs.n = 0;
	upd(rib, &p, &peer_a, 0, a1, 0);
	mesh_rib_withdraw(rib, &p, peer_a.index, 0);
	mesh_rib_process(rib, 0, record, &cs);
	CU_ASSERT_EQUAL(cs.n, 0);
	CU_ASSERT_PTR_NULL(mesh_rib_lookup(rib, &p));

	/* a denied path (attr NULL) is kept but not selected */
	cs.n = 0;
	mesh_rib_update(rib, &p, peer_a.index, 0, mesh_aset_ref(a1), NULL, 0,
			8);
	mesh_rib_process(rib, 0, record, &cs);
	CU_ASSERT_EQUAL(cs.n, 0);
	r = mesh_rib_lookup(rib, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NULL(r->best);
	CU_ASSERT_PTR_EQUAL(r->paths->attr_in, a1);

	/* budget: three routes, one at a time */
	cs.n = 0;
	for (int i = 0; i < 3; i++) {
		q = pfx4(198, 51, (uint8_t)i, 0, 24);
		upd(rib, &q, &peer_a, 0, a1, 0);
	}
	CU_ASSERT_EQUAL(mesh_rib_queued(rib), 3);
	CU_ASSERT_TRUE(mesh_rib_process(rib, 1, record, &cs));
	CU_ASSERT_TRUE(mesh_rib_process(rib, 1, record, &cs));
	CU_ASSERT_FALSE(mesh_rib_process(rib, 1, record, &cs));
	CU_ASSERT_EQUAL(cs.n, 3);
	/* in queue order */
	CU_ASSERT_EQUAL(cs.c[0].p.addr[2], 0);
	CU_ASSERT_EQUAL(cs.c[2].p.addr[2], 2);
	mesh_rib_stats(rib, &st);
	CU_ASSERT_EQUAL(st.routes, 4);
	CU_ASSERT_EQUAL(st.selected, 3);

	mesh_rib_free(rib);
	mesh_aset_unref(a1);
	mesh_aset_unref(a2);
	mesh_aset_unref(a3);
	check_clean();
}

/* The callback may announce again for the route it is told about. */
struct readd {
	struct mesh_rib *rib;
	struct mesh_aset *a;
	int calls;
};

static void readd_cb(struct mesh_route *r, struct mesh_aset *old_attr,
		     uint16_t old_peer, void *arg)
{
	struct readd *ra = arg;
	struct mesh_bgp_prefix p;

	ra->calls++;
	if (!r->paths)
		upd(ra->rib, mesh_route_prefix(r, &p), NULL, 0, ra->a, 0);
}

static void test_callback_readd(void)
{
	struct aspec s = {.path = "65001"};
	struct mesh_aset *a = mk(&s);
	struct mesh_rib *rib = mesh_rib_new(V4);
	struct mesh_bgp_prefix p = pfx4(203, 0, 113, 0, 24);
	struct readd ra = {.rib = rib, .a = a};
	struct mesh_route *r;

	upd(rib, &p, &peer_a, 0, a, 0);
	mesh_rib_process(rib, 0, NULL, NULL);
	mesh_rib_withdraw(rib, &p, peer_a.index, 0);
	mesh_rib_process(rib, 0, readd_cb, &ra);
	CU_ASSERT_EQUAL(ra.calls, 2); /* lost, then the local path */
	r = mesh_rib_lookup(rib, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r->best);
	CU_ASSERT_EQUAL(r->best->peer, MESH_RIB_PEER_LOCAL);
	mesh_rib_free(rib);
	mesh_aset_unref(a);
	check_clean();
}

/* RFC 7911: several paths of one peer are kept apart by identifier. */
static void test_addpath(void)
{
	struct aspec s1 = {.path = "65001 1"};
	struct aspec s2 = {.path = "65001 2"};
	struct aspec s3 = {.path = "65001"};
	struct mesh_aset *a1 = mk(&s1), *a2 = mk(&s2), *a3 = mk(&s3);
	struct mesh_rib *rib = mesh_rib_new(V6);
	struct mesh_bgp_prefix p = {
		.afi = V6, .plen = 48, .addr = {0x20, 0x01, 0x0d, 0xb8, 0, 1}};
	struct mesh_route *r;
	size_t rx, best, n = 0;

	for (uint32_t id = 1; id <= 20; id++)
		upd(rib, &p, &peer_i, id * 10, id % 2 ? a1 : a2, 0);
	mesh_rib_process(rib, 0, NULL, NULL);
	r = mesh_rib_lookup(rib, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	for (struct mesh_path *x = r->paths; x; x = x->next)
		n++;
	CU_ASSERT_EQUAL(n, 20);
	CU_ASSERT_EQUAL(r->best->path_id, 10);
	mesh_rib_peer_counts(rib, peer_i.index, &rx, &best);
	CU_ASSERT_EQUAL(rx, 20);
	CU_ASSERT_EQUAL(best, 1);

	/* a shorter path under identifier 170 wins */
	upd(rib, &p, &peer_i, 170, a3, 0);
	mesh_rib_process(rib, 0, NULL, NULL);
	CU_ASSERT_EQUAL(r->best->path_id, 170);
	mesh_rib_peer_counts(rib, peer_i.index, &rx, NULL);
	CU_ASSERT_EQUAL(rx, 20);
	/* the list is ordered by preference after the best */
	for (struct mesh_path *x = r->paths; x && x->next; x = x->next)
		CU_ASSERT(mesh_path_cmp(x, x->next, NULL) < 0);
	CU_ASSERT_TRUE(mesh_rib_withdraw(rib, &p, peer_i.index, 170));
	CU_ASSERT_FALSE(mesh_rib_withdraw(rib, &p, peer_i.index, 170));
	mesh_rib_process(rib, 0, NULL, NULL);
	CU_ASSERT_EQUAL(r->best->path_id, 10);
	CU_ASSERT_EQUAL(mesh_rib_peer_clear(rib, peer_i.index), 19);
	mesh_rib_process(rib, 0, NULL, NULL);
	CU_ASSERT_PTR_NULL(mesh_rib_lookup(rib, &p));
	mesh_rib_free(rib);
	mesh_aset_unref(a1);
	mesh_aset_unref(a2);
	mesh_aset_unref(a3);
	check_clean();
}

/* ---- ADD-PATH sending: transmit identifiers and Adj-RIB-Out diffs ---- */

static uint32_t tx_id_of(const struct mesh_route *r, uint16_t peer,
			 uint32_t path_id)
{
	for (const struct mesh_path *x = r->paths; x; x = x->next)
		if (x->peer == peer && x->path_id == path_id)
			return x->tx_id;
	return 0;
}

struct diffs {
	int n;
	struct {
		uint32_t id;
		struct mesh_aset *attr;
	} d[16];
};

static void diff_cb(const struct mesh_bgp_prefix *p, uint32_t path_id,
		    struct mesh_aset *attr, void *arg)
{
	struct diffs *ds = arg;

	(void)p;
	if (ds->n < (int)array_size(ds->d)) {
		ds->d[ds->n].id = path_id;
		ds->d[ds->n].attr = attr;
	}
	ds->n++;
}

/* What an ADD-PATH export wants: every eligible path under its tx_id. */
static size_t want_all(const struct mesh_route *r, struct mesh_adjout_want *w,
		       size_t max)
{
	size_t n = 0;

	for (const struct mesh_path *x = r ? r->paths : NULL; x && n < max;
	     x = x->next)
		if (x->attr && !(x->flags & MESH_PATH_INVALID)) {
			w[n].path_id = x->tx_id;
			w[n].attr = x->attr;
			n++;
		}
	return n;
}

/* Sends the differences: records them as an export would. */
static int sync_out(struct mesh_adjout *out, struct mesh_rib *rib,
		    const struct mesh_bgp_prefix *p, struct diffs *ds)
{
	struct mesh_adjout_want w[16];
	size_t n = want_all(mesh_rib_lookup(rib, p), w, array_size(w));

	memset(ds, 0, sizeof(*ds));
	CU_ASSERT_EQUAL(mesh_adjout_diff(out, p, w, n, diff_cb, ds),
			(size_t)ds->n);
	for (int i = 0; i < ds->n && i < (int)array_size(ds->d); i++)
		mesh_adjout_set(out, p, ds->d[i].id,
				ds->d[i].attr ? mesh_aset_ref(ds->d[i].attr)
					      : NULL);
	return ds->n;
}

static int count_cb;

static void count_change(struct mesh_route *r, struct mesh_aset *old_attr,
			 uint16_t old_peer, void *arg)
{
	(void)r, (void)old_attr, (void)old_peer, (void)arg;
	count_cb++;
}

static void test_addpath_tx(void)
{
	struct aspec s1 = {.path = "65001 1"};
	struct aspec s2 = {.path = "65002 1 2"};
	struct aspec s3 = {.path = "65001 1 2 3"};
	struct aspec s4 = {.path = "65002 9 9 9 9"};
	struct mesh_aset *a1 = mk(&s1), *a2 = mk(&s2), *a3 = mk(&s3),
			 *a4 = mk(&s4);
	struct mesh_rib *rib = mesh_rib_new(V4);
	struct mesh_adjout *out = mesh_adjout_new(V4);
	struct mesh_bgp_prefix p = pfx4(192, 0, 2, 0, 24);
	uint32_t ia, ib, ic;
	struct mesh_route *r;
	struct diffs ds;

	/* Three paths of one prefix (a multi-homed IVN seen through two
	 * neighbors, one of them with two paths): distinct identifiers. */
	upd(rib, &p, &peer_a, 0, a1, 0);
	upd(rib, &p, &peer_b, 0, a2, 0);
	upd(rib, &p, &peer_i, 5, a3, 0);
	mesh_rib_process(rib, 0, NULL, NULL);
	r = mesh_rib_lookup(rib, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	ia = tx_id_of(r, peer_a.index, 0);
	ib = tx_id_of(r, peer_b.index, 0);
	ic = tx_id_of(r, peer_i.index, 5);
	CU_ASSERT(ia == 1 && ib == 2 && ic == 3);

	/* First export: all three announced, nothing withdrawn. */
	CU_ASSERT_EQUAL(sync_out(out, rib, &p, &ds), 3);
	CU_ASSERT_EQUAL(mesh_adjout_count(out), 3);
	CU_ASSERT_PTR_EQUAL(mesh_adjout_get(out, &p, ib), a2);
	/* Nothing changed: nothing to send. */
	CU_ASSERT_EQUAL(sync_out(out, rib, &p, &ds), 0);

	/* A non-best path changes: with report_all the RIB says so, and
	 * only that identifier is sent again (implicit replace). */
	mesh_rib_report_all(rib, false);
	count_cb = 0;
	upd(rib, &p, &peer_b, 0, a4, 0);
	mesh_rib_process(rib, 0, count_change, NULL);
	CU_ASSERT_EQUAL(count_cb, 0); /* the best stayed: not reported */
	mesh_rib_report_all(rib, true);
	upd(rib, &p, &peer_b, 0, a2, 0);
	mesh_rib_process(rib, 0, count_change, NULL);
	CU_ASSERT_EQUAL(count_cb, 1);
	upd(rib, &p, &peer_b, 0, a4, 0);
	mesh_rib_process(rib, 0, count_change, NULL);
	CU_ASSERT_EQUAL(count_cb, 2);
	CU_ASSERT_EQUAL(tx_id_of(r, peer_b.index, 0), ib);
	CU_ASSERT_EQUAL(sync_out(out, rib, &p, &ds), 1);
	CU_ASSERT(ds.d[0].id == ib && ds.d[0].attr == a4);

	/* The best path goes: exactly its identifier is withdrawn, the
	 * others keep theirs although the selection moved. */
	CU_ASSERT_TRUE(mesh_rib_withdraw(rib, &p, peer_a.index, 0));
	mesh_rib_process(rib, 0, NULL, NULL);
	CU_ASSERT_EQUAL(tx_id_of(r, peer_b.index, 0), ib);
	CU_ASSERT_EQUAL(tx_id_of(r, peer_i.index, 5), ic);
	CU_ASSERT_EQUAL(sync_out(out, rib, &p, &ds), 1);
	CU_ASSERT(ds.d[0].id == ia && ds.d[0].attr == NULL);
	CU_ASSERT_PTR_NULL(mesh_adjout_get(out, &p, ia));
	CU_ASSERT_EQUAL(mesh_adjout_count(out), 2);

	/* A new path takes the free identifier; a refresh of an existing
	 * path (graceful restart) keeps its own. */
	upd(rib, &p, &peer_a2, 0, a1, 0);
	upd(rib, &p, &peer_i, 5, a3, MESH_PATH_STALE);
	mesh_rib_process(rib, 0, NULL, NULL);
	CU_ASSERT_EQUAL(tx_id_of(r, peer_a2.index, 0), ia);
	CU_ASSERT_EQUAL(tx_id_of(r, peer_i.index, 5), ic);
	CU_ASSERT_EQUAL(sync_out(out, rib, &p, &ds), 1);
	CU_ASSERT(ds.d[0].id == ia && ds.d[0].attr == a1);

	/* Denied by inbound policy: no longer exported, withdrawn. */
	mesh_rib_update(rib, &p, peer_b.index, 0, mesh_aset_ref(a4), NULL, 0,
			8);
	mesh_rib_process(rib, 0, NULL, NULL);
	CU_ASSERT_EQUAL(sync_out(out, rib, &p, &ds), 1);
	CU_ASSERT(ds.d[0].id == ib && ds.d[0].attr == NULL);

	/* The route goes altogether: every identifier left is withdrawn. */
	mesh_rib_peer_clear(rib, peer_a2.index);
	mesh_rib_peer_clear(rib, peer_b.index);
	mesh_rib_peer_clear(rib, peer_i.index);
	mesh_rib_process(rib, 0, NULL, NULL);
	CU_ASSERT_PTR_NULL(mesh_rib_lookup(rib, &p));
	CU_ASSERT_EQUAL(sync_out(out, rib, &p, &ds), 2);
	CU_ASSERT(ds.d[0].attr == NULL && ds.d[1].attr == NULL);
	CU_ASSERT(ds.d[0].id + ds.d[1].id == ia + ic);
	CU_ASSERT_EQUAL(mesh_adjout_count(out), 0);

	/* Without ADD-PATH: one entry under identifier 0, replaced. */
	{
		struct mesh_adjout_want w = {.path_id = 0, .attr = a1};

		memset(&ds, 0, sizeof(ds));
		CU_ASSERT_EQUAL(mesh_adjout_diff(out, &p, &w, 1, diff_cb, &ds),
				1);
		mesh_adjout_set(out, &p, 0, mesh_aset_ref(a1));
		w.attr = a2;
		memset(&ds, 0, sizeof(ds));
		CU_ASSERT_EQUAL(mesh_adjout_diff(out, &p, &w, 1, diff_cb, &ds),
				1);
		CU_ASSERT(ds.d[0].id == 0 && ds.d[0].attr == a2);
		CU_ASSERT_EQUAL(mesh_adjout_diff(out, &p, NULL, 0, NULL, NULL),
				1);
	}

	mesh_adjout_free(out);
	mesh_rib_free(rib);
	mesh_aset_unref(a1);
	mesh_aset_unref(a2);
	mesh_aset_unref(a3);
	mesh_aset_unref(a4);
	check_clean();
}

/* Churn on one route reuses its storage: memory does not grow. */
static void test_churn_memory(void)
{
	struct aspec s = {.path = "65001"};
	struct mesh_aset *a = mk(&s);
	struct mesh_rib *rib = mesh_rib_new(V4);
	struct mesh_bgp_prefix p = pfx4(10, 7, 0, 0, 16);
	struct mesh_rib_stats st;
	size_t bytes = 0;

	for (int cycle = 0; cycle < 50; cycle++) {
		upd(rib, &p, &peer_a, 0, a, 0);
		upd(rib, &p, &peer_b, 0, a, 0);
		mesh_rib_process(rib, 0, NULL, NULL);
		/* the first path goes first: its slot must be reused */
		mesh_rib_withdraw(rib, &p, peer_a.index, 0);
		mesh_rib_process(rib, 0, NULL, NULL);
		upd(rib, &p, &peer_a2, 0, a, 0);
		mesh_rib_process(rib, 0, NULL, NULL);
		mesh_rib_peer_clear(rib, peer_b.index);
		mesh_rib_peer_clear(rib, peer_a2.index);
		mesh_rib_process(rib, 0, NULL, NULL);
		mesh_rib_stats(rib, &st);
		CU_ASSERT_EQUAL(st.routes, 0);
		if (cycle == 1)
			bytes = st.bytes;
		if (cycle > 1 && st.bytes != bytes) {
			fprintf(stderr, "\n  cycle %d: %zu bytes, was %zu\n",
				cycle, st.bytes, bytes);
			CU_FAIL("RIB memory grows under churn");
			break;
		}
	}
	/* a route that stays: its first path comes and goes (in a new
	 * table, whose pools have nothing on their free lists) */
	mesh_rib_free(rib);
	rib = mesh_rib_new(V4);
	upd(rib, &p, &peer_i, 0, a, 0);
	upd(rib, &p, &peer_b, 0, a, 0);
	mesh_rib_process(rib, 0, NULL, NULL);
	mesh_rib_stats(rib, &st);
	bytes = st.bytes;
	for (int cycle = 0; cycle < 20; cycle++) {
		mesh_rib_withdraw(rib, &p, peer_i.index, 0);
		mesh_rib_process(rib, 0, NULL, NULL);
		upd(rib, &p, &peer_i, 0, a, 0);
		mesh_rib_process(rib, 0, NULL, NULL);
		mesh_rib_stats(rib, &st);
		CU_ASSERT_EQUAL(st.paths, 2);
		if (st.bytes != bytes) {
			CU_FAIL("the embedded path is not reused");
			break;
		}
	}
	mesh_rib_free(rib);
	mesh_aset_unref(a);
	check_clean();
}

/* Session down, and graceful restart (RFC 4724): mark, refresh, sweep. */
static void test_peer_clear_stale(void)
{
	struct aspec sa = {.path = "65001"};
	struct aspec sb = {.path = "65002 5"};
	struct mesh_aset *a = mk(&sa), *b = mk(&sb);
	struct mesh_rib *rib = mesh_rib_new(V4);
	struct mesh_rib_stats st;
	struct changes cs = {0};
	size_t rx, best;

	/* 100 prefixes from a (preferred), 50 of them also from b */
	for (int i = 0; i < 100; i++) {
		struct mesh_bgp_prefix p = pfx4(10, 9, (uint8_t)i, 0, 24);

		upd(rib, &p, &peer_a, 0, a, 0);
		if (i % 2 == 0)
			upd(rib, &p, &peer_b, 0, b, 0);
	}
	mesh_rib_process(rib, 0, NULL, NULL);
	mesh_rib_peer_counts(rib, peer_a.index, &rx, &best);
	CU_ASSERT_EQUAL(rx, 100);
	CU_ASSERT_EQUAL(best, 100);
	mesh_rib_peer_counts(rib, peer_b.index, &rx, &best);
	CU_ASSERT_EQUAL(rx, 50);
	CU_ASSERT_EQUAL(best, 0);

	/* a restarts: its paths go stale, b's take over where they exist
	 * (a refreshed path beats a stale one) */
	CU_ASSERT_EQUAL(mesh_rib_peer_mark_stale(rib, peer_a.index), 100);
	mesh_rib_process(rib, 0, record, &cs);
	CU_ASSERT_EQUAL(cs.n, 50);
	mesh_rib_peer_counts(rib, peer_b.index, NULL, &best);
	CU_ASSERT_EQUAL(best, 50);
	/* a refreshes the first 30 prefixes */
	for (int i = 0; i < 30; i++) {
		struct mesh_bgp_prefix p = pfx4(10, 9, (uint8_t)i, 0, 24);

		upd(rib, &p, &peer_a, 0, a, 0);
	}
	mesh_rib_process(rib, 0, NULL, NULL);
	mesh_rib_peer_counts(rib, peer_a.index, NULL, &best);
	CU_ASSERT_EQUAL(best, 30 + 35); /* refreshed + stale-only ones */
	/* End-of-RIB: the 70 still stale go */
	CU_ASSERT_EQUAL(mesh_rib_peer_sweep_stale(rib, peer_a.index), 70);
	CU_ASSERT_EQUAL(mesh_rib_peer_sweep_stale(rib, peer_a.index), 0);
	mesh_rib_process(rib, 0, NULL, NULL);
	mesh_rib_stats(rib, &st);
	CU_ASSERT_EQUAL(st.routes, 30 + 35);
	CU_ASSERT_EQUAL(st.paths, 30 + 50);
	CU_ASSERT_EQUAL(st.selected, 65);
	mesh_rib_peer_counts(rib, peer_a.index, &rx, &best);
	CU_ASSERT_EQUAL(rx, 30);
	CU_ASSERT_EQUAL(best, 30);

	/* b goes down */
	cs.n = 0;
	CU_ASSERT_EQUAL(mesh_rib_peer_clear(rib, peer_b.index), 50);
	CU_ASSERT_EQUAL(mesh_rib_peer_clear(rib, peer_b.index), 0);
	mesh_rib_process(rib, 0, record, &cs);
	CU_ASSERT_EQUAL(cs.n, 35);
	for (int i = 0; i < cs.n && i < 64; i++)
		CU_ASSERT_FALSE(cs.c[i].has_best);
	mesh_rib_stats(rib, &st);
	CU_ASSERT_EQUAL(st.routes, 30);
	CU_ASSERT_EQUAL(st.paths, 30);
	mesh_rib_peer_counts(rib, peer_b.index, &rx, &best);
	CU_ASSERT_EQUAL(rx, 0);
	CU_ASSERT_EQUAL(best, 0);

	/* freeing with work still queued releases everything */
	mesh_rib_peer_clear(rib, peer_a.index);
	mesh_rib_free(rib);
	mesh_aset_unref(a);
	mesh_aset_unref(b);
	check_clean();
}

/* ---- the trie against brute force ---- */

struct refp {
	uint8_t plen;
	uint8_t addr[16];
	bool live;
};

static int alen_of(uint16_t afi)
{
	return afi == V4 ? 4 : 16;
}

static void mask(uint8_t *a, int plen, int alen)
{
	for (int i = 0; i < alen; i++) {
		int bits = plen - i * 8;

		if (bits >= 8)
			continue;
		a[i] &= bits <= 0 ? 0 : (uint8_t)(0xff00u >> bits);
	}
}

static bool covers(const struct refp *r, const uint8_t *addr, int alen)
{
	int full = r->plen / 8, rest = r->plen % 8;

	(void)alen;
	if (memcmp(r->addr, addr, full))
		return false;
	return !rest ||
	       !((r->addr[full] ^ addr[full]) & (uint8_t)(0xff00u >> rest));
}

static int refp_order(const void *va, const void *vb)
{
	const struct refp *a = va, *b = vb;
	int c = memcmp(a->addr, b->addr, 16);

	if (c)
		return c;
	return (int)a->plen - (int)b->plen;
}

struct walk_check {
	struct refp *sorted;
	size_t n, pos;
	int alen;
	bool ok;
};

static bool walk_cb(struct mesh_route *r, void *arg)
{
	struct walk_check *wc = arg;
	struct mesh_bgp_prefix p;

	mesh_route_prefix(r, &p);
	if (wc->pos >= wc->n || p.plen != wc->sorted[wc->pos].plen ||
	    memcmp(p.addr, wc->sorted[wc->pos].addr, wc->alen))
		wc->ok = false;
	wc->pos++;
	return true;
}

static bool stop_cb(struct mesh_route *r, void *arg)
{
	int *n = arg;

	(void)r;
	return ++*n < 3;
}

static void random_addr(uint8_t *a, int alen, const uint8_t bases[4][16])
{
	memcpy(a, bases[rnd(4)], alen);
	/* flip a few bits, mostly deep ones, so prefixes nest and share */
	for (int k = rnd(4); k >= 0; k--) {
		int bit = alen * 8 - 1 - (int)rnd((uint32_t)alen * 8 / (k + 1));

		a[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
	}
}

static void check_trie(struct mesh_rib *rib, struct refp *ref, size_t n,
		       uint16_t afi, const uint8_t bases[4][16])
{
	int alen = alen_of(afi);
	struct refp *sorted = calloc(n + 1, sizeof(*sorted));
	size_t live = 0, bad = 0;
	struct walk_check wc = {.sorted = sorted, .alen = alen, .ok = true};
	struct mesh_rib_stats st;
	int stopped = 0;

	for (size_t i = 0; i < n; i++) {
		struct mesh_bgp_prefix p = {.afi = afi, .plen = ref[i].plen};
		struct mesh_route *r;

		memcpy(p.addr, ref[i].addr, alen);
		r = mesh_rib_lookup(rib, &p);
		if ((r != NULL) != ref[i].live)
			bad++;
		if (r && (mesh_route_plen(r) != p.plen ||
			  memcmp(r->addr, p.addr, alen)))
			bad++;
		/* bits past the length do not matter for lookups */
		if (p.plen < alen * 8) {
			p.addr[alen - 1] |= 1;
			if ((mesh_rib_lookup(rib, &p) != NULL) != ref[i].live)
				bad++;
		}
		if (ref[i].live)
			sorted[live++] = ref[i];
	}
	CU_ASSERT_EQUAL(bad, 0);
	mesh_rib_stats(rib, &st);
	CU_ASSERT_EQUAL(st.routes, live);

	/* longest match of random addresses */
	bad = 0;
	for (int k = 0; k < 1000; k++) {
		uint8_t a[16] = {0};
		const struct refp *want = NULL;
		struct mesh_route *r;

		if (k % 3 == 0)
			for (int i = 0; i < alen; i++)
				a[i] = (uint8_t)rnd(256);
		else
			random_addr(a, alen, bases);
		for (size_t i = 0; i < n; i++)
			if (ref[i].live && covers(&ref[i], a, alen) &&
			    (!want || ref[i].plen > want->plen))
				want = &ref[i];
		r = mesh_rib_match(rib, a);
		if (!want != !r || (r && (mesh_route_plen(r) != want->plen ||
					  memcmp(r->addr, want->addr, alen))))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);

	/* the walk is in (address, length) order */
	qsort(sorted, live, sizeof(*sorted), refp_order);
	wc.n = live;
	mesh_rib_walk(rib, walk_cb, &wc);
	CU_ASSERT_TRUE(wc.ok);
	CU_ASSERT_EQUAL(wc.pos, live);
	mesh_rib_walk(rib, stop_cb, &stopped);
	CU_ASSERT_EQUAL(stopped, live < 3 ? (int)live : 3);
	free(sorted);
}

static void trie_round(uint16_t afi, size_t n)
{
	int alen = alen_of(afi);
	uint8_t bases[4][16];
	struct refp *ref = calloc(n, sizeof(*ref));
	struct aspec s = {.path = "65001"};
	struct mesh_aset *a = mk(&s);
	struct mesh_rib *rib = mesh_rib_new(afi);
	size_t m = 0;

	for (int b = 0; b < 4; b++)
		for (int i = 0; i < 16; i++)
			bases[b][i] = (uint8_t)rnd(256);
	/* distinct prefixes, lengths 0..max, many nested */
	while (m < n) {
		struct refp x = {.live = true};
		bool dup = false;

		random_addr(x.addr, alen, bases);
		x.plen = (uint8_t)(rnd(4) ? alen * 8 - rnd(alen * 2 + 1)
					  : rnd(alen * 8 + 1));
		mask(x.addr, x.plen, alen);
		for (size_t i = 0; i < m && !dup; i++)
			dup = ref[i].plen == x.plen &&
			      !memcmp(ref[i].addr, x.addr, alen);
		if (!dup)
			ref[m++] = x;
	}
	for (size_t i = 0; i < n; i++) {
		struct mesh_bgp_prefix p = {.afi = afi, .plen = ref[i].plen};

		memcpy(p.addr, ref[i].addr, alen);
		/* garbage past the length is ignored */
		if (p.plen < alen * 8)
			p.addr[alen - 1] |= 0x01;
		upd(rib, &p, &peer_a, 0, a, 0);
	}
	mesh_rib_process(rib, 0, NULL, NULL);
	check_trie(rib, ref, n, afi, bases);

	/* delete a random half, check; then the rest but ten, check */
	for (int phase = 0; phase < 2; phase++) {
		for (size_t i = 0; i < n; i++) {
			struct mesh_bgp_prefix p = {.afi = afi,
						    .plen = ref[i].plen};

			if (!ref[i].live || (phase == 0 && rnd(2)) ||
			    (phase == 1 && i < 10))
				continue;
			memcpy(p.addr, ref[i].addr, alen);
			CU_ASSERT_TRUE(
				mesh_rib_withdraw(rib, &p, peer_a.index, 0));
			ref[i].live = false;
		}
		mesh_rib_process(rib, 0, NULL, NULL);
		check_trie(rib, ref, n, afi, bases);
	}
	/* and put them all back */
	for (size_t i = 0; i < n; i++) {
		struct mesh_bgp_prefix p = {.afi = afi, .plen = ref[i].plen};

		memcpy(p.addr, ref[i].addr, alen);
		upd(rib, &p, &peer_a, 0, a, 0);
		ref[i].live = true;
	}
	mesh_rib_process(rib, 0, NULL, NULL);
	check_trie(rib, ref, n, afi, bases);

	mesh_rib_free(rib);
	mesh_aset_unref(a);
	free(ref);
}

static void test_trie_v4(void)
{
	for (int round = 0; round < 16; round++)
		trie_round(V4, round < 10 ? 1 + (size_t)round * 7 : 1500);
	check_clean();
}

static void test_trie_v6(void)
{
	for (int round = 0; round < 16; round++)
		trie_round(V6, round < 10 ? 1 + (size_t)round * 7 : 1500);
	check_clean();
}

/* Dense: every /24 of a /12 in order, then every other one removed. */
static void test_trie_dense(void)
{
	struct aspec s = {.path = "65001"};
	struct mesh_aset *a = mk(&s);
	struct mesh_rib *rib = mesh_rib_new(V4);
	struct mesh_rib_stats st;
	uint32_t n = 1u << 12, bad = 0;
	size_t bytes;

	for (uint32_t i = 0; i < n; i++) {
		struct mesh_bgp_prefix p =
			pfx4(100, 64 + (i >> 8), i & 255, 0, 24);

		upd(rib, &p, &peer_a, 0, a, 0);
	}
	mesh_rib_process(rib, 0, NULL, NULL);
	/* all out and in again: trie nodes, routes and paths are reused */
	mesh_rib_stats(rib, &st);
	bytes = st.bytes;
	for (uint32_t i = 0; i < n; i++) {
		struct mesh_bgp_prefix p =
			pfx4(100, 64 + (i >> 8), i & 255, 0, 24);

		mesh_rib_withdraw(rib, &p, peer_a.index, 0);
	}
	mesh_rib_process(rib, 0, NULL, NULL);
	mesh_rib_stats(rib, &st);
	CU_ASSERT_EQUAL(st.routes, 0);
	for (uint32_t i = n; i-- > 0;) {
		struct mesh_bgp_prefix p =
			pfx4(100, 64 + (i >> 8), i & 255, 0, 24);

		upd(rib, &p, &peer_a, 0, a, 0);
	}
	mesh_rib_process(rib, 0, NULL, NULL);
	mesh_rib_stats(rib, &st);
	CU_ASSERT_EQUAL(st.routes, n);
	CU_ASSERT_EQUAL(st.bytes, bytes);
	/* /23s land exactly on branching nodes and leave them again */
	for (int cycle = 0; cycle < 3; cycle++) {
		for (uint32_t i = 0; i < n; i += 2) {
			struct mesh_bgp_prefix p =
				pfx4(100, 64 + (i >> 8), i & 255, 0, 23);

			upd(rib, &p, &peer_b, 0, a, 0);
		}
		mesh_rib_process(rib, 0, NULL, NULL);
		mesh_rib_stats(rib, &st);
		CU_ASSERT_EQUAL(st.routes, n + n / 2);
		if (cycle == 0)
			bytes = st.bytes;
		CU_ASSERT_EQUAL(st.bytes, bytes);
		CU_ASSERT_EQUAL(mesh_rib_peer_clear(rib, peer_b.index), n / 2);
		mesh_rib_process(rib, 0, NULL, NULL);
	}
	for (uint32_t i = 0; i < n; i += 2) {
		struct mesh_bgp_prefix p =
			pfx4(100, 64 + (i >> 8), i & 255, 0, 24);

		mesh_rib_withdraw(rib, &p, peer_a.index, 0);
	}
	mesh_rib_process(rib, 0, NULL, NULL);
	mesh_rib_stats(rib, &st);
	CU_ASSERT_EQUAL(st.routes, n / 2);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t addr[4] = {100, 64 + (i >> 8), i & 255, 9};
		struct mesh_route *r = mesh_rib_match(rib, addr);

		if ((r != NULL) != (i % 2 == 1))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	mesh_rib_free(rib);
	mesh_aset_unref(a);
	check_clean();
}

/* ---- Adj-RIB-Out ---- */

struct aw {
	int n;
	struct mesh_bgp_prefix p[8];
	uint32_t id[8];
	struct mesh_aset *attr[8];
};

static bool aw_cb(const struct mesh_bgp_prefix *p, uint32_t path_id,
		  struct mesh_aset *attr, void *arg)
{
	struct aw *w = arg;

	if (w->n < 8) {
		w->p[w->n] = *p;
		w->id[w->n] = path_id;
		w->attr[w->n] = attr;
	}
	w->n++;
	return true;
}

/*
 * The export records each decision in the Adj-RIB-Out when it queues it
 * (MRAI holds announcements back): a later decision is diffed against
 * the last one queued, and a queued item that no longer matches the
 * Adj-RIB-Out is dropped at send time. A -> B -> A while held must end
 * as A, with B superseded; a withdrawal supersedes a held announcement.
 */
static void test_adjout_collapse(void)
{
	struct aspec s1 = {.path = "65000"};
	struct aspec s2 = {.path = "65000 1"};
	struct mesh_aset *a1 = mk(&s1), *a2 = mk(&s2);
	struct mesh_adjout *out = mesh_adjout_new(V4);
	struct mesh_bgp_prefix p = pfx4(10, 1, 0, 0, 16);
	struct mesh_adjout_want w = {.path_id = 5};
	struct diffs ds;
	struct {
		uint32_t id;
		struct mesh_aset *attr;
	} q[4];
	int n = 0, live = 0;

	/* sent: a1 under path id 5 */
	mesh_adjout_set(out, &p, 5, mesh_aset_ref(a1));

	/* held decisions: a2, then back to a1 */
	for (int i = 0; i < 2; i++) {
		w.attr = i == 0 ? a2 : a1;
		memset(&ds, 0, sizeof(ds));
		CU_ASSERT_EQUAL(mesh_adjout_diff(out, &p, &w, 1, diff_cb, &ds),
				1);
		CU_ASSERT_PTR_EQUAL(ds.d[0].attr, w.attr);
		q[n].id = ds.d[0].id;
		q[n++].attr = ds.d[0].attr;
		mesh_adjout_set(out, &p, ds.d[0].id, mesh_aset_ref(w.attr));
	}
	CU_ASSERT_EQUAL(q[0].id, 5);
	CU_ASSERT_EQUAL(q[1].id, 5);
	for (int i = 0; i < n; i++)
		if (mesh_adjout_get(out, &p, q[i].id) == q[i].attr)
			live = i + 1;
	CU_ASSERT_EQUAL(live, 2); /* only the last one, a1, is sent */
	CU_ASSERT_PTR_NOT_EQUAL(mesh_adjout_get(out, &p, 5), q[0].attr);

	/* a withdrawal: the held announcement no longer matches */
	memset(&ds, 0, sizeof(ds));
	CU_ASSERT_EQUAL(mesh_adjout_diff(out, &p, NULL, 0, diff_cb, &ds), 1);
	CU_ASSERT_PTR_NULL(ds.d[0].attr);
	CU_ASSERT_EQUAL(ds.d[0].id, 5);
	mesh_adjout_set(out, &p, 5, NULL);
	CU_ASSERT_PTR_NULL(mesh_adjout_get(out, &p, 5));
	CU_ASSERT_PTR_NOT_EQUAL(mesh_adjout_get(out, &p, 5), q[1].attr);

	mesh_adjout_free(out);
	mesh_aset_unref(a1);
	mesh_aset_unref(a2);
	check_clean();
}

static void test_adjout(void)
{
	struct aspec s1 = {.path = "65000"};
	struct aspec s2 = {.path = "65000 1"};
	struct mesh_aset *a1 = mk(&s1), *a2 = mk(&s2);
	struct mesh_adjout *out = mesh_adjout_new(V4);
	struct mesh_bgp_prefix p = pfx4(10, 0, 0, 0, 8);
	struct mesh_bgp_prefix q = pfx4(10, 0, 0, 0, 16);
	struct aw w = {0};

	CU_ASSERT_PTR_NULL(mesh_adjout_get(out, &p, 0));
	mesh_adjout_set(out, &q, 0, mesh_aset_ref(a1));
	mesh_adjout_set(out, &p, 0, mesh_aset_ref(a1));
	mesh_adjout_set(out, &p, 7, mesh_aset_ref(a2));
	mesh_adjout_set(out, &p, 9, mesh_aset_ref(a2));
	CU_ASSERT_EQUAL(mesh_adjout_count(out), 4);
	CU_ASSERT_PTR_EQUAL(mesh_adjout_get(out, &p, 0), a1);
	CU_ASSERT_PTR_EQUAL(mesh_adjout_get(out, &p, 7), a2);
	CU_ASSERT_PTR_NULL(mesh_adjout_get(out, &p, 8));
	CU_ASSERT_EQUAL(a1->refcnt, 3);
	CU_ASSERT_EQUAL(a2->refcnt, 3);

	/* replacing keeps the count and moves the reference */
	mesh_adjout_set(out, &p, 7, mesh_aset_ref(a1));
	CU_ASSERT_EQUAL(mesh_adjout_count(out), 4);
	CU_ASSERT_EQUAL(a2->refcnt, 2);
	CU_ASSERT_PTR_EQUAL(mesh_adjout_get(out, &p, 7), a1);

	/* walk: prefix order, then each identifier of a prefix */
	mesh_adjout_walk(out, aw_cb, &w);
	CU_ASSERT_EQUAL(w.n, 4);
	CU_ASSERT_EQUAL(w.p[0].plen, 8);
	CU_ASSERT_EQUAL(w.p[3].plen, 16);

	/* forgetting the first identifier of a prefix keeps the others */
	mesh_adjout_set(out, &p, 0, NULL);
	CU_ASSERT_PTR_NULL(mesh_adjout_get(out, &p, 0));
	CU_ASSERT_PTR_EQUAL(mesh_adjout_get(out, &p, 7), a1);
	CU_ASSERT_PTR_EQUAL(mesh_adjout_get(out, &p, 9), a2);
	CU_ASSERT_PTR_EQUAL(mesh_adjout_get(out, &q, 0), a1);
	CU_ASSERT_EQUAL(mesh_adjout_count(out), 3);
	mesh_adjout_set(out, &p, 0, NULL); /* again: nothing */
	CU_ASSERT_EQUAL(mesh_adjout_count(out), 3);
	mesh_adjout_set(out, &p, 9, NULL);
	mesh_adjout_set(out, &p, 7, NULL);
	CU_ASSERT_EQUAL(mesh_adjout_count(out), 1);
	CU_ASSERT_PTR_EQUAL(mesh_adjout_get(out, &q, 0), a1);
	CU_ASSERT_EQUAL(a1->refcnt, 2);
	CU_ASSERT_EQUAL(a2->refcnt, 1);

	mesh_adjout_set(out, &p, 3, mesh_aset_ref(a2));
	mesh_adjout_clear(out);
	CU_ASSERT_EQUAL(mesh_adjout_count(out), 0);
	CU_ASSERT_PTR_NULL(mesh_adjout_get(out, &q, 0));
	CU_ASSERT_EQUAL(a1->refcnt, 1);
	CU_ASSERT_EQUAL(a2->refcnt, 1);
	mesh_adjout_set(out, &q, 0, mesh_aset_ref(a2));
	mesh_adjout_free(out);
	mesh_aset_unref(a1);
	mesh_aset_unref(a2);
	check_clean();
}

/* Random (prefix, identifier) operations against a reference table. */
struct aref {
	struct mesh_bgp_prefix p;
	uint32_t id;
	struct mesh_aset *attr;
};

static bool aref_walk(const struct mesh_bgp_prefix *p, uint32_t path_id,
		      struct mesh_aset *attr, void *arg)
{
	int *n = arg;

	(void)p;
	(void)path_id;
	(void)attr;
	(*n)++;
	return true;
}

/* A walk callback may forget the entry it is shown. */
struct forget_ctx {
	struct mesh_adjout *out;
	int n;
};

static bool forget_cb(const struct mesh_bgp_prefix *p, uint32_t path_id,
		      struct mesh_aset *attr, void *arg)
{
	struct forget_ctx *fc = arg;

	(void)attr;
	fc->n++;
	mesh_adjout_set(fc->out, p, path_id, NULL);
	return true;
}

static void adjout_random(uint16_t afi)
{
	enum { NP = 300, OPS = 20000 };
	int alen = alen_of(afi);
	struct aref *ref = calloc(NP * 3, sizeof(*ref));
	struct mesh_aset *attrs[3];
	struct mesh_adjout *out = mesh_adjout_new(afi);
	uint8_t bases[4][16];
	size_t bad = 0, live;
	int walked = 0;
	struct forget_ctx fc = {.out = out};

	for (int i = 0; i < 3; i++) {
		struct aspec s = {.path = "65000", .med = i};

		attrs[i] = mk(&s);
	}
	for (int b = 0; b < 4; b++)
		for (int i = 0; i < 16; i++)
			bases[b][i] = (uint8_t)rnd(256);
	for (int i = 0; i < NP; i++) {
		struct mesh_bgp_prefix p = {.afi = afi};

		random_addr(p.addr, alen, bases);
		p.plen = (uint8_t)rnd((uint32_t)alen * 8 + 1);
		mask(p.addr, p.plen, alen);
		for (int k = 0; k < 3; k++) {
			ref[i * 3 + k].p = p;
			ref[i * 3 + k].id = (uint32_t)k * 5;
		}
	}
	for (int op = 0; op < OPS; op++) {
		struct aref *r = &ref[rnd(NP * 3)];
		struct mesh_aset *a = rnd(3) ? attrs[rnd(3)] : NULL;

		/* the same prefix may have been drawn twice: resolve to the
		 * first reference entry with this key */
		for (int i = 0; i < NP * 3; i++)
			if (ref[i].id == r->id && ref[i].p.plen == r->p.plen &&
			    !memcmp(ref[i].p.addr, r->p.addr, alen)) {
				r = &ref[i];
				break;
			}
		mesh_adjout_set(out, &r->p, r->id, mesh_aset_ref(a));
		r->attr = a;
	}
	live = 0;
	for (int i = 0; i < NP * 3; i++) {
		bool first = true;

		for (int j = 0; j < i && first; j++)
			if (ref[j].id == ref[i].id &&
			    ref[j].p.plen == ref[i].p.plen &&
			    !memcmp(ref[j].p.addr, ref[i].p.addr, alen))
				first = false;
		if (!first)
			continue;
		if (mesh_adjout_get(out, &ref[i].p, ref[i].id) != ref[i].attr)
			bad++;
		live += ref[i].attr != NULL;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(mesh_adjout_count(out), live);
	mesh_adjout_walk(out, aref_walk, &walked);
	CU_ASSERT_EQUAL((size_t)walked, live);
	/* forget everything from inside a walk */
	mesh_adjout_walk(out, forget_cb, &fc);
	CU_ASSERT_EQUAL((size_t)fc.n, live);
	CU_ASSERT_EQUAL(mesh_adjout_count(out), 0);
	mesh_adjout_free(out);
	for (int i = 0; i < 3; i++)
		mesh_aset_unref(attrs[i]);
	free(ref);
}

static void test_adjout_random(void)
{
	for (int round = 0; round < 5; round++) {
		adjout_random(V4);
		adjout_random(V6);
	}
	check_clean();
}

/* ---- peers ---- */

static void test_peers(void)
{
	static struct mesh_rib_peer many[MESH_RIB_PEERS_MAX];
	const struct mesh_rib_peer *local = mesh_rib_peer_get(0);
	int added = 0;

	CU_ASSERT_PTR_NOT_NULL(local);
	CU_ASSERT_PTR_EQUAL(mesh_rib_peer_get(peer_a.index), &peer_a);
	CU_ASSERT_NOT_EQUAL(peer_a.index, 0);
	CU_ASSERT_NOT_EQUAL(peer_a.index, peer_b.index);
	for (int i = 0; i < MESH_RIB_PEERS_MAX; i++)
		added += mesh_rib_peer_add(&many[i]);
	/* 1023 indices, five taken by the suite's peers */
	CU_ASSERT_EQUAL(added, MESH_RIB_PEERS_MAX - 1 - 5);
	for (int i = 0; i < added; i++)
		mesh_rib_peer_del(&many[i]);
	CU_ASSERT_PTR_NULL(mesh_rib_peer_get(many[0].index));
	CU_ASSERT_PTR_NULL(mesh_rib_peer_get(MESH_RIB_PEERS_MAX));
}

int main(void)
{
	CU_pSuite s;
	unsigned int fails;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("mesh_rib", suite_init, suite_clean);
	CU_add_test(s, "intern: sharing and refcounts", test_intern);
	CU_add_test(s, "intern: deep copy", test_intern_deep_copy);
	CU_add_test(s, "intern: canonical form", test_intern_canonical);
	CU_add_test(s, "intern: derived fields", test_intern_derived);
	CU_add_test(s, "intern: many sets", test_intern_many);
	CU_add_test(s, "decision: each step", test_decision_steps);
	CU_add_test(s, "decision: through the RIB", test_decision_in_rib);
	CU_add_test(s, "decision: MED eliminations", test_decision_med_sets);
	CU_add_test(s, "queue: callback contract", test_callback_contract);
	CU_add_test(s, "queue: callback announces", test_callback_readd);
	CU_add_test(s, "ADD-PATH", test_addpath);
	CU_add_test(s, "churn reuses memory", test_churn_memory);
	CU_add_test(s, "peer clear, stale mark and sweep",
		    test_peer_clear_stale);
	CU_add_test(s, "trie: IPv4 against brute force", test_trie_v4);
	CU_add_test(s, "trie: IPv6 against brute force", test_trie_v6);
	CU_add_test(s, "trie: dense /24s", test_trie_dense);
	CU_add_test(s, "adj-rib-out", test_adjout);
	CU_add_test(s, "adj-rib-out: held decisions collapse to the last",
		    test_adjout_collapse);
	CU_add_test(s, "adj-rib-out: random", test_adjout_random);
	CU_add_test(s, "add-path: tx identifiers, adj-rib-out diff",
		    test_addpath_tx);
	CU_add_test(s, "peers", test_peers);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	fails = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return fails ? 1 : 0;
}
