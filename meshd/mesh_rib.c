// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd RIB: interned attribute sets, the per-family route trie, the
 * decision process and Adj-RIB-Out. See mesh_rib.h for the standards.
 *
 * Layout of this file:
 *   - pools: fixed-size objects carved from chunks (one MTYPE each), so
 *     a million routes are a few thousand allocations; trie links are
 *     32-bit pool indices, not pointers
 *   - interned attribute sets: a canonical form (only what a path keeps:
 *     no NLRI, MP_UNREACH dropped, pass-on attributes re-cut to the
 *     ones re-emitted), a 64-bit multiply-mix hash over it and an open
 *     addressing table with backward-shift deletion
 *   - the trie: binary, path-compressed. A route is a node of it; a
 *     "glue" node (12 octets) branches where no route sits. Glue nodes
 *     keep only their bit position: their other bits are those of any
 *     route below them, and lookups verify the full key at the end.
 *   - routes and paths, the dirty queue, the decision process
 *   - Adj-RIB-Out: the same trie with 32-octet entries (IPv4)
 *
 * Memory per IPv4 prefix with one path: one route (72 octets, path
 * embedded) and at most one glue node (12 octets).
 */
#include <zebra.h>

#include <sys/mman.h>

#include "lib/memory.h"

#include "meshd/meshd.h"
#include "meshd/mesh_rib.h"

DEFINE_MTYPE_STATIC(MESHD, MESH_ATTR, "Mesh interned attribute set");
DEFINE_MTYPE_STATIC(MESHD, MESH_ATTR_HASH, "Mesh attribute hash table");
DEFINE_MTYPE_STATIC(MESHD, MESH_RIB, "Mesh RIB");
DEFINE_MTYPE_STATIC(MESHD, MESH_RIB_POOL, "Mesh RIB pool chunk");
DEFINE_MTYPE_STATIC(MESHD, MESH_RIB_QUEUE, "Mesh RIB work queue");
DEFINE_MTYPE_STATIC(MESHD, MESH_RIB_TMP, "Mesh RIB temporary");
DEFINE_MTYPE_STATIC(MESHD, MESH_ADJOUT, "Mesh Adj-RIB-Out");

/* ------------------------------------------------------------------ */
/* Pools                                                               */

/*
 * Chunks grow geometrically from 64 objects up to about 8 MiB, then stay
 * at that size: a small table (an Adj-RIB-Out of a few routes) costs a
 * few KiB, a large one few allocations. Large chunks ask for transparent
 * huge pages: first touches of fresh 4 KiB pages are what a bulk load
 * spends most of its time on otherwise.
 */
#define POOL_GSHIFT 6
#define POOL_CHUNK_BYTES (8u << 20)
#define POOL_MAX_INDEX 0x7fffffffu /* trie references keep one tag bit */
#define HUGE_PAGE (2u << 20)

struct pool {
	uint8_t **chunks;
	void **raw; /* allocations of the chunks, to free */
	uint32_t nchunks, cap;
	uint32_t esize;
	uint8_t mshift;	   /* log2 of the objects in a full-size chunk */
	uint8_t gchunks;   /* chunks before the full-size ones */
	uint32_t gend;	   /* first index in a full-size chunk */
	uint32_t next;	   /* next never-used index; 0 is reserved */
	uint32_t free_idx; /* free list of the indexed flavour */
	void *free_ptr;	   /* free list of the pointer flavour */
	size_t used;
};

static void pool_init(struct pool *p, size_t esize)
{
	memset(p, 0, sizeof(*p));
	p->esize = (uint32_t)esize;
	p->mshift = POOL_GSHIFT;
	while (((size_t)esize << p->mshift) < POOL_CHUNK_BYTES)
		p->mshift++;
	p->gchunks = (uint8_t)(p->mshift - POOL_GSHIFT);
	p->gend = (1u << p->mshift) - (1u << POOL_GSHIFT);
	p->next = 1;
}

static inline uint32_t pool_chunk_of(const struct pool *p, uint32_t idx,
				     uint32_t *off)
{
	if (idx < p->gend) {
		uint32_t j = idx + (1u << POOL_GSHIFT);
		uint32_t hb = 31 - (uint32_t)__builtin_clz(j);

		*off = j - (1u << hb);
		return hb - POOL_GSHIFT;
	}
	idx -= p->gend;
	*off = idx & ((1u << p->mshift) - 1);
	return p->gchunks + (idx >> p->mshift);
}

static inline void *pool_ptr(const struct pool *p, uint32_t idx)
{
	uint32_t off, c = pool_chunk_of(p, idx, &off);

	return p->chunks[c] + (size_t)off * p->esize;
}

/*
 * A block of at least a huge page is placed on a huge-page boundary
 * inside a larger allocation (the slack is address space, never
 * touched) and asks for transparent huge pages. *raw gets what to free.
 */
static void *mem_block_alloc(struct memtype *mt, size_t bytes, void **raw)
{
	uintptr_t a, e;

	if (bytes < HUGE_PAGE) {
		*raw = XMALLOC(mt, bytes);
		return *raw;
	}
	*raw = XMALLOC(mt, bytes + HUGE_PAGE);
	a = ((uintptr_t)*raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	/* only huge pages wholly inside the block: the tail of a block
	 * is not worth a huge page's memory */
	e = (a + bytes) & ~(uintptr_t)(HUGE_PAGE - 1);
#ifdef MADV_HUGEPAGE
	if (e > a)
		(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#endif
	return (void *)a;
}

static void pool_grow(struct pool *p)
{
	uint32_t c = p->nchunks;
	size_t n = c < p->gchunks ? 1u << (POOL_GSHIFT + c) : 1u << p->mshift;

	if (p->nchunks == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->chunks = XREALLOC(MTYPE_MESH_RIB_POOL, p->chunks,
				     p->cap * sizeof(*p->chunks));
		p->raw = XREALLOC(MTYPE_MESH_RIB_POOL, p->raw,
				  p->cap * sizeof(*p->raw));
	}
	p->chunks[c] =
		mem_block_alloc(MTYPE_MESH_RIB_POOL, n * p->esize, &p->raw[c]);
	p->nchunks++;
}

static void *pool_fresh(struct pool *p, uint32_t *idx)
{
	uint32_t off;

	assert(p->next < POOL_MAX_INDEX);
	while (pool_chunk_of(p, p->next, &off) >= p->nchunks)
		pool_grow(p);
	*idx = p->next++;
	return pool_ptr(p, *idx);
}

/* Indexed flavour: trie nodes, whose references are indices. */
static void *pool_alloc_idx(struct pool *p, uint32_t *idx)
{
	void *e;

	if (p->free_idx) {
		*idx = p->free_idx;
		e = pool_ptr(p, *idx);
		memcpy(&p->free_idx, e, sizeof(p->free_idx));
	} else {
		e = pool_fresh(p, idx);
	}
	p->used++;
	memset(e, 0, p->esize);
	return e;
}

static void pool_free_idx(struct pool *p, void *e, uint32_t idx)
{
	memcpy(e, &p->free_idx, sizeof(p->free_idx));
	p->free_idx = idx;
	p->used--;
}

/* Pointer flavour: paths, referenced by pointer only. */
static void *pool_alloc_ptr(struct pool *p)
{
	void *e;
	uint32_t idx;

	if (p->free_ptr) {
		e = p->free_ptr;
		memcpy(&p->free_ptr, e, sizeof(void *));
	} else {
		e = pool_fresh(p, &idx);
	}
	p->used++;
	memset(e, 0, p->esize);
	return e;
}

static void pool_free_ptr(struct pool *p, void *e)
{
	memcpy(e, &p->free_ptr, sizeof(void *));
	p->free_ptr = e;
	p->used--;
}

/* Memory the pool holds in objects handed out (live or on a free list);
 * the untouched tail of the last chunk is address space only. */
static size_t pool_bytes(const struct pool *p)
{
	return (size_t)(p->next - 1) * p->esize +
	       (size_t)p->cap * (sizeof(*p->chunks) + sizeof(*p->raw));
}

static void pool_fini(struct pool *p)
{
	for (uint32_t i = 0; i < p->nchunks; i++)
		XFREE(MTYPE_MESH_RIB_POOL, p->raw[i]);
	XFREE(MTYPE_MESH_RIB_POOL, p->chunks);
	XFREE(MTYPE_MESH_RIB_POOL, p->raw);
	pool_init(p, p->esize);
}

/* ------------------------------------------------------------------ */
/* Interned attribute sets                                             */

#define HAS(a, t) mesh_bgp_attr_present((a), MESH_BGP_ATTR_##t)

static struct {
	struct mesh_aset **slots;
	size_t cap; /* power of two, or 0 */
	size_t count;
} attr_tab;

static inline uint64_t hmix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9fb21c651e98df25ULL;
	return h ^ (h >> 31);
}

static uint64_t hbytes(uint64_t h, const struct mesh_bgp_bytes *b)
{
	const uint8_t *p = b->p;
	size_t len = b->len;
	uint64_t w;

	h = hmix(h, len);
	while (len >= 8) {
		memcpy(&w, p, 8);
		h = hmix(h, w);
		p += 8;
		len -= 8;
	}
	if (len) {
		w = 0;
		memcpy(&w, p, len);
		h = hmix(h, w);
	}
	return h;
}

static uint32_t attr_hash(const struct mesh_bgp_attrs *k)
{
	uint64_t h = 0x243f6a8885a308d3ULL, w[4];

	memcpy(w, k->present, sizeof(w));
	h = hmix(h, w[0] ^ (w[1] << 1) ^ (w[2] << 2) ^ w[3]);
	h = hmix(h, k->origin | (uint64_t)k->as_path_width << 8 |
			    (uint64_t)k->mp_reach.afi << 16 |
			    (uint64_t)k->mp_reach.safi << 32);
	h = hmix(h, k->next_hop | (uint64_t)k->med << 32);
	h = hmix(h, k->local_pref | (uint64_t)k->originator_id << 32);
	h = hmix(h, k->aggregator_as | (uint64_t)k->aggregator_id << 32);
	h = hmix(h,
		 k->as4_aggregator_as | (uint64_t)k->as4_aggregator_id << 32);
	h = hbytes(h, &k->as_path);
	if (k->as4_path.len)
		h = hbytes(h, &k->as4_path);
	if (k->communities.len)
		h = hbytes(h, &k->communities);
	if (k->cluster_list.len)
		h = hbytes(h, &k->cluster_list);
	if (k->mp_reach.nh.len)
		h = hbytes(h, &k->mp_reach.nh);
	if (k->ext_communities.len)
		h = hbytes(h, &k->ext_communities);
	if (k->large_communities.len)
		h = hbytes(h, &k->large_communities);
	if (k->mesh.len)
		h = hbytes(h, &k->mesh);
	if (k->raw.len) {
		memcpy(w, k->pass_on, sizeof(w));
		h = hmix(h, w[0] ^ (w[1] << 1) ^ (w[2] << 2) ^ w[3]);
		h = hbytes(h, &k->raw);
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return (uint32_t)h;
}

static inline bool beq(const struct mesh_bgp_bytes *a,
		       const struct mesh_bgp_bytes *b)
{
	return a->len == b->len && (!a->len || !memcmp(a->p, b->p, a->len));
}

/* Both arguments canonical (see attr_canon). */
static bool attr_canon_eq(const struct mesh_bgp_attrs *a,
			  const struct mesh_bgp_attrs *b)
{
	return !memcmp(a->present, b->present, sizeof(a->present)) &&
	       a->origin == b->origin && a->as_path_width == b->as_path_width &&
	       a->next_hop == b->next_hop && a->med == b->med &&
	       a->local_pref == b->local_pref &&
	       a->aggregator_as == b->aggregator_as &&
	       a->aggregator_id == b->aggregator_id &&
	       a->as4_aggregator_as == b->as4_aggregator_as &&
	       a->as4_aggregator_id == b->as4_aggregator_id &&
	       a->originator_id == b->originator_id &&
	       a->mp_reach.afi == b->mp_reach.afi &&
	       a->mp_reach.safi == b->mp_reach.safi &&
	       beq(&a->as_path, &b->as_path) &&
	       beq(&a->as4_path, &b->as4_path) &&
	       beq(&a->communities, &b->communities) &&
	       beq(&a->cluster_list, &b->cluster_list) &&
	       beq(&a->mp_reach.nh, &b->mp_reach.nh) &&
	       beq(&a->ext_communities, &b->ext_communities) &&
	       beq(&a->large_communities, &b->large_communities) &&
	       beq(&a->mesh, &b->mesh) &&
	       !memcmp(a->pass_on, b->pass_on, sizeof(a->pass_on)) &&
	       beq(&a->raw, &b->raw);
}

static struct mesh_bgp_bytes bytes_or_empty(const struct mesh_bgp_bytes *b)
{
	struct mesh_bgp_bytes r = {0};

	if (b->p && b->len)
		r = *b;
	return r;
}

/*
 * Pass-on attributes as they will be re-emitted: first of each type
 * marked in pass_on, flags Optional|Transitive|Partial, extended length
 * only above 255 octets (what the codec's encoder writes). The raw block
 * of a decoded UPDATE is the whole attribute field; this keeps only the
 * bytes that matter, so equal sets compare and hash equal; the codec's
 * own pass-on encoder writes them. out must hold raw->len + 1 octets (the
 * result is never longer than raw->len).
 */
static void passon_canon(const struct mesh_bgp_attrs *in,
			 struct mesh_bgp_attrs *k, uint8_t *out, size_t cap)
{
	uint8_t done[32] = {0};
	uint8_t flags, type;
	struct mesh_rbuf b, vb;
	struct mesh_wbuf w;

	mesh_wbuf_init(&w, out, cap);
	if (!mesh_bgp_passon_encode(&w, in) || !w.len)
		return;
	/* The types actually re-emitted. */
	mesh_rbuf_init(&b, out, w.len);
	while (mesh_bgp_raw_next(&b, &flags, &type, &vb))
		mesh_bgp_bit_set(done, type);
	memcpy(k->pass_on, done, sizeof(done));
	k->raw.p = out;
	k->raw.len = w.len;
}

/*
 * The canonical form of what a path keeps: fields of absent attributes
 * zeroed, no NLRI (MP_REACH_NLRI keeps AFI/SAFI and next hop,
 * MP_UNREACH_NLRI is dropped), empty byte fields NULL.
 */
static void attr_canon(const struct mesh_bgp_attrs *in,
		       struct mesh_bgp_attrs *k, uint8_t *rawbuf, size_t cap)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->present, in->present, sizeof(k->present));
	k->present[MESH_BGP_ATTR_MP_UNREACH / 8] &=
		(uint8_t) ~(1u << (MESH_BGP_ATTR_MP_UNREACH % 8));
	if (HAS(in, ORIGIN))
		k->origin = in->origin;
	if (HAS(in, AS_PATH)) {
		k->as_path_width = in->as_path_width;
		k->as_path = bytes_or_empty(&in->as_path);
	}
	if (HAS(in, AS4_PATH))
		k->as4_path = bytes_or_empty(&in->as4_path);
	if (HAS(in, NEXT_HOP))
		k->next_hop = in->next_hop;
	if (HAS(in, MED))
		k->med = in->med;
	if (HAS(in, LOCAL_PREF))
		k->local_pref = in->local_pref;
	if (HAS(in, AGGREGATOR)) {
		k->aggregator_as = in->aggregator_as;
		k->aggregator_id = in->aggregator_id;
	}
	if (HAS(in, AS4_AGGREGATOR)) {
		k->as4_aggregator_as = in->as4_aggregator_as;
		k->as4_aggregator_id = in->as4_aggregator_id;
	}
	if (HAS(in, COMMUNITIES))
		k->communities = bytes_or_empty(&in->communities);
	if (HAS(in, ORIGINATOR_ID))
		k->originator_id = in->originator_id;
	if (HAS(in, CLUSTER_LIST))
		k->cluster_list = bytes_or_empty(&in->cluster_list);
	if (HAS(in, MP_REACH)) {
		k->mp_reach.afi = in->mp_reach.afi;
		k->mp_reach.safi = in->mp_reach.safi;
		k->mp_reach.nh = bytes_or_empty(&in->mp_reach.nh);
	}
	if (HAS(in, EXT_COMMUNITIES))
		k->ext_communities = bytes_or_empty(&in->ext_communities);
	if (HAS(in, LARGE_COMMUNITIES))
		k->large_communities = bytes_or_empty(&in->large_communities);
	/* The mesh attribute's type code is configurable: its value is
	 * empty unless the codec kept it. */
	k->mesh = bytes_or_empty(&in->mesh);
	if (in->raw.p && in->raw.len)
		passon_canon(in, k, rawbuf, cap);
}

/* RFC 4271 9.1.2.2 a (and RFC 5065 5.3 for confederation segments). */
static void attr_derive(struct mesh_aset *at)
{
	const struct mesh_bgp_attrs *a = &at->a;
	size_t width = a->as_path_width == 2 ? 2 : 4;
	uint32_t count = 0;
	bool first = true;
	struct mesh_rbuf b;

	at->neighbor_as = 0;
	mesh_rbuf_init(&b, a->as_path.p, a->as_path.len);
	while (mesh_rbuf_left(&b)) {
		struct mesh_rbuf seg;
		uint8_t type = 0, n = 0;
		uint16_t as2 = 0;
		uint32_t as = 0;

		if (!mesh_rbuf_u8(&b, &type) || !mesh_rbuf_u8(&b, &n) ||
		    !mesh_rbuf_sub(&b, (size_t)n * width, &seg))
			break;
		if (!n)
			continue;
		switch (type) {
		case MESH_BGP_AS_SEQUENCE:
			count += n;
			if (first) {
				/* The neighbor is the AS that sent it: the
				 * first AS of a leading sequence (after any
				 * confederation segments). */
				if (width == 2) {
					mesh_rbuf_u16(&seg, &as2);
					as = as2;
				} else {
					mesh_rbuf_u32(&seg, &as);
				}
				at->neighbor_as = as;
			}
			first = false;
			break;
		case MESH_BGP_AS_SET:
			count += 1;
			first = false;
			break;
		case MESH_BGP_AS_CONFED_SEQUENCE:
		case MESH_BGP_AS_CONFED_SET:
			/* RFC 5065 5.3: not counted */
			break;
		default:
			first = false;
			break;
		}
	}
	at->as_path_count = count > UINT16_MAX ? UINT16_MAX : (uint16_t)count;
	at->cluster_len = (uint16_t)(a->cluster_list.len / 4);
}

static void attr_tab_resize(size_t cap)
{
	struct mesh_aset **old = attr_tab.slots;
	size_t ocap = attr_tab.cap;

	attr_tab.slots = XCALLOC(MTYPE_MESH_ATTR_HASH, cap * sizeof(*old));
	attr_tab.cap = cap;
	for (size_t i = 0; i < ocap; i++) {
		size_t j;

		if (!old[i])
			continue;
		j = old[i]->hash & (cap - 1);
		while (attr_tab.slots[j])
			j = (j + 1) & (cap - 1);
		attr_tab.slots[j] = old[i];
	}
	XFREE(MTYPE_MESH_ATTR_HASH, old);
}

static void attr_copy_bytes(struct mesh_bgp_bytes *b, uint8_t **pos)
{
	if (!b->len) {
		b->p = NULL;
		return;
	}
	memcpy(*pos, b->p, b->len);
	b->p = *pos;
	*pos += b->len;
}

struct mesh_aset *mesh_aset_intern(const struct mesh_bgp_attrs *a)
{
	uint8_t stackraw[512], *rawbuf = stackraw;
	struct mesh_bgp_attrs k;
	struct mesh_aset *at;
	size_t i, len;
	uint32_t h;
	uint8_t *pos;

	/* One octet over the block: the encoder writes a 4-octet header
	 * before it knows the value fits a short one. */
	if (a->raw.p && a->raw.len + 1 > sizeof(stackraw))
		rawbuf = XMALLOC(MTYPE_MESH_RIB_TMP, a->raw.len + 1);
	attr_canon(a, &k, rawbuf, a->raw.p ? a->raw.len + 1 : 0);
	h = attr_hash(&k);

	if (attr_tab.cap) {
		for (i = h & (attr_tab.cap - 1); (at = attr_tab.slots[i]);
		     i = (i + 1) & (attr_tab.cap - 1)) {
			if (at->hash == h && attr_canon_eq(&at->a, &k)) {
				at->refcnt++;
				goto out;
			}
		}
	}

	len = k.as_path.len + k.as4_path.len + k.communities.len +
	      k.cluster_list.len + k.mp_reach.nh.len + k.ext_communities.len +
	      k.large_communities.len + k.mesh.len + k.raw.len;
	at = XMALLOC(MTYPE_MESH_ATTR, sizeof(*at) + len);
	at->refcnt = 1;
	at->hash = h;
	at->a = k;
	at->data_len = len;
	pos = at->data;
	attr_copy_bytes(&at->a.as_path, &pos);
	attr_copy_bytes(&at->a.as4_path, &pos);
	attr_copy_bytes(&at->a.communities, &pos);
	attr_copy_bytes(&at->a.cluster_list, &pos);
	attr_copy_bytes(&at->a.mp_reach.nh, &pos);
	attr_copy_bytes(&at->a.ext_communities, &pos);
	attr_copy_bytes(&at->a.large_communities, &pos);
	attr_copy_bytes(&at->a.mesh, &pos);
	attr_copy_bytes(&at->a.raw, &pos);
	attr_derive(at);

	if ((attr_tab.count + 1) * 2 > attr_tab.cap)
		attr_tab_resize(attr_tab.cap ? attr_tab.cap * 2 : 64);
	for (i = h & (attr_tab.cap - 1); attr_tab.slots[i];
	     i = (i + 1) & (attr_tab.cap - 1))
		;
	attr_tab.slots[i] = at;
	attr_tab.count++;
out:
	if (rawbuf != stackraw)
		XFREE(MTYPE_MESH_RIB_TMP, rawbuf);
	return at;
}

struct mesh_aset *mesh_aset_ref(struct mesh_aset *attr)
{
	if (attr)
		attr->refcnt++;
	return attr;
}

static void attr_tab_remove(struct mesh_aset *attr)
{
	size_t mask = attr_tab.cap - 1, i, j;

	for (i = attr->hash & mask; attr_tab.slots[i] != attr;
	     i = (i + 1) & mask)
		assert(attr_tab.slots[i]);
	/* Backward shift: pull later members of the probe run into the
	 * hole when their home slot allows it. */
	for (j = (i + 1) & mask; attr_tab.slots[j]; j = (j + 1) & mask) {
		size_t home = attr_tab.slots[j]->hash & mask;
		bool stay = i <= j ? (i < home && home <= j)
				   : (i < home || home <= j);

		if (stay)
			continue;
		attr_tab.slots[i] = attr_tab.slots[j];
		i = j;
	}
	attr_tab.slots[i] = NULL;
	if (--attr_tab.count == 0) {
		XFREE(MTYPE_MESH_ATTR_HASH, attr_tab.slots);
		attr_tab.cap = 0;
	}
}

void mesh_aset_unref(struct mesh_aset *attr)
{
	if (!attr)
		return;
	assert(attr->refcnt > 0);
	if (--attr->refcnt)
		return;
	attr_tab_remove(attr);
	XFREE(MTYPE_MESH_ATTR, attr);
}

size_t mesh_aset_count(void)
{
	return attr_tab.count;
}

/* ------------------------------------------------------------------ */
/* Peers                                                               */

static struct mesh_rib_peer rib_local_peer = {.index = MESH_RIB_PEER_LOCAL};
static const struct mesh_rib_peer rib_no_peer;
static struct mesh_rib_peer *rib_peers[MESH_RIB_PEERS_MAX] = {
	[MESH_RIB_PEER_LOCAL] = &rib_local_peer,
};

bool mesh_rib_peer_add(struct mesh_rib_peer *p)
{
	for (uint16_t i = 1; i < MESH_RIB_PEERS_MAX; i++) {
		if (rib_peers[i])
			continue;
		p->index = i;
		rib_peers[i] = p;
		return true;
	}
	return false;
}

void mesh_rib_peer_del(struct mesh_rib_peer *p)
{
	if (p->index && p->index < MESH_RIB_PEERS_MAX &&
	    rib_peers[p->index] == p)
		rib_peers[p->index] = NULL;
}

const struct mesh_rib_peer *mesh_rib_peer_get(uint16_t index)
{
	return index < MESH_RIB_PEERS_MAX ? rib_peers[index] : NULL;
}

static inline const struct mesh_rib_peer *peer_of(uint16_t index)
{
	const struct mesh_rib_peer *p = mesh_rib_peer_get(index);

	return p ? p : &rib_no_peer;
}

/* ------------------------------------------------------------------ */
/* The trie                                                            */

/*
 * A reference is 0 (none), (index << 1) | 1 for a leaf (route or
 * Adj-RIB-Out entry, in the leaf pool) or index << 1 for a glue node.
 * Every node's children have longer prefixes than the node; a glue node
 * always has two children.
 *
 * The first TOP_BITS bits are a direct index: prefixes at least that
 * long live in the trie of their bucket (top[first octet][second
 * octet], arrays made on demand), shorter ones in the trie at root. A
 * million /24s are then about nine levels deep instead of twenty.
 */
#define REF_LEAF(r) ((r)&1u)
#define TRIE_DEPTH_MAX 130 /* nodes on one root path: lengths 0..128 */
#define TOP_BITS 16
#define TOP_FAN 256
_Static_assert(TOP_BITS == 16, "top_index() reads two octets");

struct trie {
	uint32_t root;	/* prefixes shorter than TOP_BITS */
	uint32_t **top; /* [TOP_FAN][TOP_FAN] bucket roots, or NULL */
	uint16_t hoff;	/* offset of struct mesh_rib_tnode in a leaf */
	uint8_t alen;	/* address octets: 4 or 16 */
	uint8_t maxlen;
	uint8_t afi;
	uint16_t nsub; /* second-level arrays allocated */
	struct pool *leaves;
	struct pool glue;
};

static void trie_init(struct trie *t, uint16_t afi, struct pool *leaves,
		      size_t hoff)
{
	memset(t, 0, sizeof(*t));
	t->afi = (uint8_t)afi;
	t->alen = afi == MESH_BGP_AFI_IPV4 ? 4 : 16;
	t->maxlen = (uint8_t)(t->alen * 8);
	t->leaves = leaves;
	t->hoff = (uint16_t)hoff;
	pool_init(&t->glue, sizeof(struct mesh_rib_tnode));
}

/* Frees the trie's own memory (not the leaves). */
static void trie_fini(struct trie *t)
{
	if (t->top) {
		for (int i = 0; i < TOP_FAN; i++)
			XFREE(MTYPE_MESH_RIB_POOL, t->top[i]);
		XFREE(MTYPE_MESH_RIB_POOL, t->top);
	}
	pool_fini(&t->glue);
	t->root = 0;
	t->nsub = 0;
}

static size_t trie_bytes(const struct trie *t)
{
	return pool_bytes(&t->glue) +
	       (t->top ? TOP_FAN * sizeof(*t->top) +
				 (size_t)t->nsub * TOP_FAN * sizeof(**t->top)
		       : 0);
}

static inline unsigned int top_index(const uint8_t *addr)
{
	return (unsigned int)addr[0] << 8 | addr[1];
}

/* The slot holding the trie where (addr, plen) belongs; NULL if it
 * does not exist and create is false. */
static uint32_t *trie_slot0(struct trie *t, const uint8_t *addr,
			    unsigned int plen, bool create)
{
	uint32_t *sub;

	if (plen < TOP_BITS)
		return &t->root;
	if (!t->top) {
		if (!create)
			return NULL;
		t->top =
			XCALLOC(MTYPE_MESH_RIB_POOL, TOP_FAN * sizeof(*t->top));
	}
	sub = t->top[addr[0]];
	if (!sub) {
		if (!create)
			return NULL;
		sub = t->top[addr[0]] =
			XCALLOC(MTYPE_MESH_RIB_POOL, TOP_FAN * sizeof(*sub));
		t->nsub++;
	}
	return &sub[addr[1]];
}

/* The top of the trie where (addr, plen) belongs, if any. */
static inline uint32_t trie_top(const struct trie *t, const uint8_t *addr,
				unsigned int plen)
{
	if (plen < TOP_BITS)
		return t->root;
	if (!t->top || !t->top[addr[0]])
		return 0;
	return t->top[addr[0]][addr[1]];
}

static inline struct mesh_rib_tnode *tn_of(const struct trie *t, uint32_t ref)
{
	if (REF_LEAF(ref))
		return (struct mesh_rib_tnode *)((uint8_t *)pool_ptr(t->leaves,
								     ref >> 1) +
						 t->hoff);
	return pool_ptr(&t->glue, ref >> 1);
}

static inline uint8_t *tn_addr(struct mesh_rib_tnode *n)
{
	return (uint8_t *)(n + 1);
}

static inline void *tn_leaf(const struct trie *t, struct mesh_rib_tnode *n)
{
	return (uint8_t *)n - t->hoff;
}

static inline unsigned int key_bit(const uint8_t *a, unsigned int i)
{
	return (a[i >> 3] >> (7 - (i & 7))) & 1;
}

/* First bit where a and b differ, at most max. */
static inline unsigned int key_diff(const uint8_t *a, const uint8_t *b,
				    unsigned int max)
{
	for (unsigned int i = 0; i * 8 < max; i++) {
		unsigned int x = a[i] ^ b[i];

		if (x) {
			unsigned int d =
				i * 8 + (unsigned int)__builtin_clz(x) - 24;

			return d < max ? d : max;
		}
	}
	return max;
}

static void *trie_new_leaf(struct trie *t, const uint8_t *addr,
			   unsigned int plen, uint32_t *ref)
{
	uint32_t idx;
	uint8_t *e = pool_alloc_idx(t->leaves, &idx);
	struct mesh_rib_tnode *n = (struct mesh_rib_tnode *)(e + t->hoff);
	uint8_t *a = tn_addr(n);
	unsigned int full = plen / 8;

	n->plen = (uint8_t)plen;
	n->afi = t->afi;
	memcpy(a, addr, full);
	if (plen & 7)
		a[full] = addr[full] & (uint8_t)(0xff00u >> (plen & 7));
	*ref = idx << 1 | 1;
	return e;
}

static void *trie_lookup(const struct trie *t, const uint8_t *addr,
			 unsigned int plen)
{
	uint32_t ref = trie_top(t, addr, plen);
	struct mesh_rib_tnode *n = NULL;

	while (ref) {
		n = tn_of(t, ref);
		if (n->plen >= plen)
			break;
		ref = n->child[key_bit(addr, n->plen)];
	}
	if (!ref || !REF_LEAF(ref) || n->plen != plen ||
	    key_diff(tn_addr(n), addr, plen) != plen)
		return NULL;
	return tn_leaf(t, n);
}

/* Leaves on the way down from ref along addr, appended to cand. */
static unsigned int trie_path(const struct trie *t, uint32_t ref,
			      const uint8_t *addr, struct mesh_rib_tnode **cand,
			      unsigned int k)
{
	while (ref) {
		struct mesh_rib_tnode *n = tn_of(t, ref);

		if (REF_LEAF(ref))
			cand[k++] = n;
		if (n->plen >= t->maxlen)
			break;
		ref = n->child[key_bit(addr, n->plen)];
	}
	return k;
}

static void *trie_match(const struct trie *t, const uint8_t *addr)
{
	struct mesh_rib_tnode *cand[TRIE_DEPTH_MAX];
	unsigned int k;

	k = trie_path(t, t->root, addr, cand, 0);
	k = trie_path(t, trie_top(t, addr, t->maxlen), addr, cand, k);
	/* Routes met on the way are nested; the deepest that really
	 * covers addr is the longest match (glue bits were not checked). */
	while (k--)
		if (key_diff(tn_addr(cand[k]), addr, cand[k]->plen) ==
		    cand[k]->plen)
			return tn_leaf(t, cand[k]);
	return NULL;
}

/* Finds or adds the leaf of (addr, plen); *created tells which. */
static void *trie_get(struct trie *t, const uint8_t *addr, unsigned int plen,
		      bool *created)
{
	uint32_t ref, nref, *slot, *slot0 = trie_slot0(t, addr, plen, true);
	struct mesh_rib_tnode *n, *lf, *g;
	unsigned int c;
	void *leaf;
	uint32_t *slots[TRIE_DEPTH_MAX + 1];
	struct mesh_rib_tnode *nodes[TRIE_DEPTH_MAX + 1];
	unsigned int d = 0, i;

	*created = true;
	if (!*slot0)
		return trie_new_leaf(t, addr, plen, slot0);

	/* Down to where the key would hang, recording the way; then to any
	 * route below: every node on the way is a prefix of its key. */
	slot = slot0;
	for (;;) {
		n = tn_of(t, *slot);
		slots[d] = slot;
		nodes[d++] = n;
		if (n->plen >= plen)
			break;
		slot = &n->child[key_bit(addr, n->plen)];
		if (!*slot) {
			slots[d] = slot;
			nodes[d] = NULL;
			break;
		}
	}
	lf = nodes[d - 1];
	ref = *slots[d - 1];
	while (!REF_LEAF(ref)) {
		ref = lf->child[0];
		lf = tn_of(t, ref);
	}
	c = key_diff(addr, tn_addr(lf), plen < lf->plen ? plen : lf->plen);

	/* The first node on the way not above the new key (the way holds
	 * it: the descent went on from every node shorter than plen). */
	for (i = 0;; i++) {
		n = nodes[i];
		if (!n || n->plen > c || (n->plen == c && c == plen))
			break;
	}
	slot = slots[i];
	ref = *slot;
	if (!ref)
		return trie_new_leaf(t, addr, plen, slot);

	if (n->plen == c) {
		/* Then c == plen: n's key is the new key. */
		if (REF_LEAF(ref)) {
			*created = false;
			return tn_leaf(t, n);
		}
		/* A glue node at exactly this key becomes the route. */
		leaf = trie_new_leaf(t, addr, plen, &nref);
		memcpy(tn_of(t, nref)->child, n->child, sizeof(n->child));
		pool_free_idx(&t->glue, n, ref >> 1);
		*slot = nref;
		return leaf;
	}

	/* n is below the new key's place: n->plen > c. */
	leaf = trie_new_leaf(t, addr, plen, &nref);
	if (c == plen) {
		tn_of(t, nref)->child[key_bit(tn_addr(lf), plen)] = ref;
		*slot = nref;
		return leaf;
	}
	{
		uint32_t gidx, b = key_bit(addr, c);

		g = pool_alloc_idx(&t->glue, &gidx);
		g->plen = (uint8_t)c;
		g->child[b] = nref;
		g->child[!b] = ref;
		*slot = gidx << 1;
	}
	return leaf;
}

/* The slot that references leaf, and the slot of its parent (NULL at
 * the top of its trie). */
static uint32_t *trie_find_slot(struct trie *t, void *leaf, uint32_t **pslot)
{
	struct mesh_rib_tnode *target =
		(struct mesh_rib_tnode *)((uint8_t *)leaf + t->hoff);
	const uint8_t *addr = tn_addr(target);
	uint32_t *slot = trie_slot0(t, addr, target->plen, false);

	*pslot = NULL;
	while (slot && *slot) {
		struct mesh_rib_tnode *n = tn_of(t, *slot);

		if (n == target)
			return slot;
		if (n->plen >= target->plen)
			break;
		*pslot = slot;
		slot = &n->child[key_bit(addr, n->plen)];
	}
	return NULL;
}

/* Unlinks a leaf; returns its pool index (0 if it was not there). */
static uint32_t trie_remove(struct trie *t, void *leaf)
{
	uint32_t *pslot, *slot = trie_find_slot(t, leaf, &pslot), ref;
	struct mesh_rib_tnode *n;

	if (!slot)
		return 0;
	ref = *slot;
	n = tn_of(t, ref);
	if (n->child[0] && n->child[1]) {
		uint32_t gidx;
		struct mesh_rib_tnode *g = pool_alloc_idx(&t->glue, &gidx);

		g->plen = n->plen;
		memcpy(g->child, n->child, sizeof(g->child));
		*slot = gidx << 1;
	} else if (n->child[0] || n->child[1]) {
		*slot = n->child[0] | n->child[1];
	} else {
		*slot = 0;
		if (pslot && !REF_LEAF(*pslot)) {
			/* The parent glue node is left with one child. */
			struct mesh_rib_tnode *p = tn_of(t, *pslot);
			uint32_t pref = *pslot;

			*pslot = p->child[0] | p->child[1];
			pool_free_idx(&t->glue, p, pref >> 1);
		}
	}
	return ref >> 1;
}

/* Puts leaf nleaf (pool index nidx) where leaf is, taking over its
 * trie node and address; returns the pool index of leaf. */
static uint32_t trie_replace(struct trie *t, void *leaf, void *nleaf,
			     uint32_t nidx)
{
	uint32_t *pslot, *slot = trie_find_slot(t, leaf, &pslot), old;

	assert(slot);
	old = *slot >> 1;
	memcpy((uint8_t *)nleaf + t->hoff, (uint8_t *)leaf + t->hoff,
	       sizeof(struct mesh_rib_tnode) + t->alen);
	*slot = nidx << 1 | 1;
	return old;
}

/*
 * Pre-order: a node, then its 0 side, then its 1 side, which is the
 * order of (address, length). Children are stacked before a leaf is
 * handed out, so the callback may unlink that leaf.
 */
struct trie_iter {
	uint32_t stack[TRIE_DEPTH_MAX + 2];
	unsigned int sp;
};

static void trie_iter_init(struct trie_iter *it, uint32_t ref)
{
	it->sp = 0;
	if (ref)
		it->stack[it->sp++] = ref;
}

static struct mesh_rib_tnode *trie_iter_next(const struct trie *t,
					     struct trie_iter *it)
{
	while (it->sp) {
		uint32_t ref = it->stack[--it->sp];
		struct mesh_rib_tnode *n = tn_of(t, ref);

		if (n->child[1])
			it->stack[it->sp++] = n->child[1];
		if (n->child[0])
			it->stack[it->sp++] = n->child[0];
		if (REF_LEAF(ref))
			return n;
	}
	return NULL;
}

static void trie_walk(const struct trie *t, bool (*cb)(void *leaf, void *arg),
		      void *arg)
{
	struct trie_iter sit, bit;
	struct mesh_rib_tnode *s, *n;

	/* Short prefixes go before the buckets they would index: their
	 * address is the bucket's first, their length shorter. */
	trie_iter_init(&sit, t->root);
	s = trie_iter_next(t, &sit);
	for (unsigned int hi = 0; t->top && hi < TOP_FAN; hi++) {
		const uint32_t *sub = t->top[hi];

		for (unsigned int lo = 0; sub && lo < TOP_FAN; lo++) {
			if (!sub[lo])
				continue;
			while (s && top_index(tn_addr(s)) <= (hi << 8 | lo)) {
				if (!cb(tn_leaf(t, s), arg))
					return;
				s = trie_iter_next(t, &sit);
			}
			trie_iter_init(&bit, sub[lo]);
			while ((n = trie_iter_next(t, &bit)))
				if (!cb(tn_leaf(t, n), arg))
					return;
		}
	}
	for (; s; s = trie_iter_next(t, &sit))
		if (!cb(tn_leaf(t, s), arg))
			return;
}

/* ------------------------------------------------------------------ */
/* RIB                                                                 */

#define RF_QUEUED 0x0001
#define RF_PATH0 0x0002 /* path0 holds a path */

struct qent {
	struct mesh_route *r;
	struct mesh_aset *old_attr; /* referenced */
	uint32_t old_path_id;
	uint16_t old_peer;
	uint16_t had_best;
};

/*
 * The queue holds words, not struct qent: a route that had no best path
 * (every route of a bulk load) takes one word, its pointer; a route with
 * a selection to remember takes three: the pointer with its low bit set,
 * the old attribute set, and path ID / peer. A bulk load of a million
 * prefixes thus queues 8 MB instead of 24, which is most of the peak
 * above the settled table.
 *
 * The first block is small and kept while the queue is empty; a bulk
 * load continues in large blocks, which go back as soon as they are
 * drained. An entry never straddles two blocks.
 */
#define QBLOCK_SMALL 1024u
#define QBLOCK_LARGE (1u << 18)
#define QENT_HAS_BEST ((uintptr_t)1)

struct qblock {
	struct qblock *next;
	void *raw;		  /* the allocation, to free */
	uint32_t head, tail, cap; /* cap: words in use, up to size */
	uint32_t size;		  /* words allocated */
	uintptr_t w[];
};

_Static_assert(_Alignof(struct mesh_route) >= 2,
	       "the low bit of a route pointer tags the queue entry");
_Static_assert(sizeof(uintptr_t) >= 8 || sizeof(void *) == 4,
	       "path ID and peer share one queue word");

static void qblock_free(struct qblock *b)
{
	void *raw = b->raw;

	XFREE(MTYPE_MESH_RIB_QUEUE, raw);
}

struct mesh_rib {
	uint16_t afi;
	struct trie t;
	struct pool routes;
	struct pool paths;
	size_t n_routes, n_paths, n_selected;
	struct qblock *qhead, *qtail, *qspare;
	size_t queued;
	uint32_t rx[MESH_RIB_PEERS_MAX];
	uint32_t best[MESH_RIB_PEERS_MAX];
	/* paths of the peer were marked stale since its last sweep: an
	 * End-of-RIB of a peer without any (every session's first) costs
	 * no walk of the table */
	bool stale[MESH_RIB_PEERS_MAX];
	bool report_all; /* call back for every decided route */
};

/* The transmit path identifier lives in what was padding. */
_Static_assert(sizeof(void *) != 8 || sizeof(struct mesh_path) == 40,
	       "a path is 40 octets on 64-bit hosts");

_Static_assert(offsetof(struct mesh_route, addr) ==
		       offsetof(struct mesh_route, tn) +
			       sizeof(struct mesh_rib_tnode),
	       "route address must follow its trie node");

static size_t leaf_size(size_t addr_off, uint16_t afi, size_t align)
{
	size_t s = addr_off + (afi == MESH_BGP_AFI_IPV4 ? 4 : 16);

	return (s + align - 1) & ~(align - 1);
}

struct mesh_rib *mesh_rib_new(uint16_t afi)
{
	struct mesh_rib *rib = XCALLOC(MTYPE_MESH_RIB, sizeof(*rib));

	assert(afi == MESH_BGP_AFI_IPV4 || afi == MESH_BGP_AFI_IPV6);
	rib->afi = afi;
	pool_init(&rib->routes, leaf_size(offsetof(struct mesh_route, addr),
					  afi, _Alignof(struct mesh_route)));
	pool_init(&rib->paths, sizeof(struct mesh_path));
	trie_init(&rib->t, afi, &rib->routes, offsetof(struct mesh_route, tn));
	return rib;
}

uint16_t mesh_rib_afi(const struct mesh_rib *rib)
{
	return rib->afi;
}

static inline bool prefix_ok(const struct mesh_rib *rib,
			     const struct mesh_bgp_prefix *p)
{
	return p->afi == rib->afi && p->plen <= rib->t.maxlen;
}

struct mesh_route *mesh_rib_lookup(struct mesh_rib *rib,
				   const struct mesh_bgp_prefix *p)
{
	if (!prefix_ok(rib, p))
		return NULL;
	return trie_lookup(&rib->t, p->addr, p->plen);
}

struct mesh_route *mesh_rib_match(struct mesh_rib *rib, const uint8_t *addr)
{
	return trie_match(&rib->t, addr);
}

static struct mesh_path *path_new(struct mesh_rib *rib, struct mesh_route *r)
{
	rib->n_paths++;
	if (!(r->tn.flags & RF_PATH0)) {
		r->tn.flags |= RF_PATH0;
		memset(&r->path0, 0, sizeof(r->path0));
		return &r->path0;
	}
	return pool_alloc_ptr(&rib->paths);
}

/* Unlinks p (prev is its predecessor or NULL) and frees it. */
static void path_del(struct mesh_rib *rib, struct mesh_route *r,
		     struct mesh_path *prev, struct mesh_path *p)
{
	if (prev)
		prev->next = p->next;
	else
		r->paths = p->next;
	if (r->best == p)
		r->best = NULL;
	rib->rx[p->peer]--;
	rib->n_paths--;
	mesh_aset_unref(p->attr_in);
	mesh_aset_unref(p->attr);
	if (p == &r->path0)
		r->tn.flags &= ~RF_PATH0;
	else
		pool_free_ptr(&rib->paths, p);
}

static void route_free(struct mesh_rib *rib, struct mesh_route *r)
{
	uint32_t idx = trie_remove(&rib->t, r);

	assert(idx);
	pool_free_idx(&rib->routes, r, idx);
	rib->n_routes--;
}

/* Queues r for decision, remembering the selection as it stands (this
 * runs before every change of r). */
static void rib_enqueue(struct mesh_rib *rib, struct mesh_route *r)
{
	struct qblock *b = rib->qtail;
	uint32_t need = r->best ? 3 : 1;

	if (r->tn.flags & RF_QUEUED)
		return;
	r->tn.flags |= RF_QUEUED;
	if (!b || b->cap - b->tail < need) {
		struct qblock *nb = rib->qspare;

		if (nb && !b) {
			rib->qspare = NULL;
		} else {
			uint32_t cap = b ? QBLOCK_LARGE : QBLOCK_SMALL;
			size_t size = sizeof(*nb) + cap * sizeof(nb->w[0]);
			void *raw;

			/* Address space: pages are touched as entries
			 * are written. */
			nb = mem_block_alloc(MTYPE_MESH_RIB_QUEUE, size, &raw);
			nb->raw = raw;
			nb->size = cap;
		}
		nb->next = NULL;
		nb->head = nb->tail = 0;
		nb->cap = nb->size;
		if (b) {
			b->cap = b->tail; /* what is left stays unused */
			b->next = nb;
		} else {
			rib->qhead = nb;
		}
		rib->qtail = b = nb;
	}
	if (r->best) {
		b->w[b->tail++] = (uintptr_t)r | QENT_HAS_BEST;
		b->w[b->tail++] = (uintptr_t)mesh_aset_ref(r->best->attr);
		b->w[b->tail++] =
			((uintptr_t)r->best->path_id << 32) | r->best->peer;
	} else {
		b->w[b->tail++] = (uintptr_t)r;
	}
	rib->queued++;
}

static bool rib_dequeue(struct mesh_rib *rib, struct qent *out)
{
	struct qblock *b = rib->qhead;
	uintptr_t w;

	if (!b || b->head == b->tail)
		return false;
	w = b->w[b->head++];
	out->r = (struct mesh_route *)(w & ~QENT_HAS_BEST);
	if (w & QENT_HAS_BEST) {
		uintptr_t sel;

		out->old_attr = (struct mesh_aset *)b->w[b->head++];
		sel = b->w[b->head++];
		out->old_path_id = (uint32_t)(sel >> 32);
		out->old_peer = (uint16_t)sel;
		out->had_best = 1;
	} else {
		out->old_attr = NULL;
		out->old_path_id = 0;
		out->old_peer = 0;
		out->had_best = 0;
	}
	rib->queued--;
	if (b->head == b->tail) {
		rib->qhead = b->next;
		if (!rib->qhead)
			rib->qtail = NULL;
		if (!rib->qspare && b->size == QBLOCK_SMALL)
			rib->qspare = b;
		else
			qblock_free(b);
	}
	return true;
}

size_t mesh_rib_queued(const struct mesh_rib *rib)
{
	return rib->queued;
}

/*
 * The smallest transmit identifier (>= 1) no path of r uses. Routes have
 * few paths; a single-path route costs nothing. An identifier freed by a
 * withdrawal is taken again by the next new path of the route.
 */
static uint32_t route_tx_id(const struct mesh_route *r)
{
	uint32_t id = 1;
	bool taken;

	do {
		taken = false;
		for (const struct mesh_path *q = r->paths; q; q = q->next)
			if (q->tx_id == id) {
				taken = true;
				id++;
				break;
			}
	} while (taken);
	return id;
}

void mesh_rib_update(struct mesh_rib *rib, const struct mesh_bgp_prefix *p,
		     uint16_t peer, uint32_t path_id, struct mesh_aset *attr_in,
		     struct mesh_aset *attr, uint16_t flags, uint32_t now)
{
	struct mesh_route *r;
	struct mesh_path *path, *last = NULL;
	bool created;

	if (!prefix_ok(rib, p) || peer >= MESH_RIB_PEERS_MAX) {
		mesh_aset_unref(attr_in);
		mesh_aset_unref(attr);
		return;
	}
	r = trie_get(&rib->t, p->addr, p->plen, &created);
	if (created)
		rib->n_routes++;

	for (path = r->paths; path; last = path, path = path->next)
		if (path->peer == peer && path->path_id == path_id)
			break;
	if (path) {
		if (path->attr_in == attr_in && path->attr == attr &&
		    path->flags == flags) {
			/* Nothing new (a duplicate announcement). */
			mesh_aset_unref(attr_in);
			mesh_aset_unref(attr);
			return;
		}
		rib_enqueue(rib, r);
		/* Replaced in place: callers may be walking r->paths. */
		mesh_aset_unref(path->attr_in);
		mesh_aset_unref(path->attr);
	} else {
		rib_enqueue(rib, r);
		path = path_new(rib, r);
		path->peer = peer;
		path->path_id = path_id;
		path->tx_id = route_tx_id(r);
		if (last)
			last->next = path;
		else
			r->paths = path;
		rib->rx[peer]++;
	}
	path->attr_in = attr_in;
	path->attr = attr;
	path->flags = flags;
	path->since = now;
}

bool mesh_rib_withdraw(struct mesh_rib *rib, const struct mesh_bgp_prefix *p,
		       uint16_t peer, uint32_t path_id)
{
	struct mesh_route *r = mesh_rib_lookup(rib, p);
	struct mesh_path *path, *prev = NULL;

	if (!r)
		return false;
	for (path = r->paths; path; prev = path, path = path->next)
		if (path->peer == peer && path->path_id == path_id)
			break;
	if (!path)
		return false;
	rib_enqueue(rib, r);
	path_del(rib, r, prev, path);
	return true;
}

enum peer_op { PEER_CLEAR, PEER_MARK, PEER_SWEEP };

struct peer_op_arg {
	struct mesh_rib *rib;
	uint16_t peer;
	enum peer_op op;
	size_t count;
};

static bool peer_op_route(void *leaf, void *arg)
{
	struct peer_op_arg *pa = arg;
	struct mesh_route *r = leaf;
	struct mesh_path *p = r->paths, *prev = NULL, *next;

	for (; p; p = next) {
		next = p->next;
		if (p->peer != pa->peer) {
			prev = p;
			continue;
		}
		switch (pa->op) {
		case PEER_CLEAR:
			rib_enqueue(pa->rib, r);
			path_del(pa->rib, r, prev, p);
			pa->count++;
			continue;
		case PEER_MARK:
			if (!(p->flags & MESH_PATH_STALE)) {
				rib_enqueue(pa->rib, r);
				p->flags |= MESH_PATH_STALE;
			}
			pa->count++;
			break;
		case PEER_SWEEP:
			if (p->flags & MESH_PATH_STALE) {
				rib_enqueue(pa->rib, r);
				path_del(pa->rib, r, prev, p);
				pa->count++;
				continue;
			}
			break;
		}
		prev = p;
	}
	return true;
}

static size_t peer_op(struct mesh_rib *rib, uint16_t peer, enum peer_op op)
{
	struct peer_op_arg pa = {.rib = rib, .peer = peer, .op = op};

	if (peer >= MESH_RIB_PEERS_MAX)
		return 0;
	if (op == PEER_SWEEP && !rib->stale[peer])
		return 0;
	rib->stale[peer] = op == PEER_MARK;
	if (!rib->rx[peer])
		return 0;
	trie_walk(&rib->t, peer_op_route, &pa);
	return pa.count;
}

size_t mesh_rib_peer_clear(struct mesh_rib *rib, uint16_t peer)
{
	return peer_op(rib, peer, PEER_CLEAR);
}

size_t mesh_rib_peer_mark_stale(struct mesh_rib *rib, uint16_t peer)
{
	return peer_op(rib, peer, PEER_MARK);
}

size_t mesh_rib_peer_sweep_stale(struct mesh_rib *rib, uint16_t peer)
{
	return peer_op(rib, peer, PEER_SWEEP);
}

/* ------------------------------------------------------------------ */
/* Decision process                                                    */

static inline bool path_eligible(const struct mesh_path *p)
{
	return p->attr && !(p->flags & MESH_PATH_INVALID);
}

static inline uint32_t path_lp(const struct mesh_aset *a)
{
	/* RFC 4271 9.1.1: the local degree of preference; 100 when the
	 * path has none (FRR's default local-preference). */
	return HAS(&a->a, LOCAL_PREF) ? a->a.local_pref : 100;
}

static inline uint8_t path_origin(const struct mesh_aset *a)
{
	return HAS(&a->a, ORIGIN) ? a->a.origin : MESH_BGP_ORIGIN_INCOMPLETE;
}

static inline uint32_t path_med(const struct mesh_aset *a)
{
	/* RFC 4271 9.1.2.2 c: a missing MED is the lowest value, 0. */
	return HAS(&a->a, MED) ? a->a.med : 0;
}

static inline uint32_t path_router_id(const struct mesh_path *p)
{
	/* RFC 4456 9: ORIGINATOR_ID stands for the BGP Identifier. */
	if (HAS(&p->attr->a, ORIGINATOR_ID))
		return p->attr->a.originator_id;
	return peer_of(p->peer)->bgp_id;
}

#define DECIDE(cond_a, cond_b, name)                                           \
	do {                                                                   \
		if ((cond_a) != (cond_b)) {                                    \
			if (why)                                               \
				*why = name;                                   \
			return (cond_a) ? -1 : 1;                              \
		}                                                              \
	} while (0)
#define DECIDE_LOW(va, vb, name)                                               \
	do {                                                                   \
		if ((va) != (vb)) {                                            \
			if (why)                                               \
				*why = name;                                   \
			return (va) < (vb) ? -1 : 1;                           \
		}                                                              \
	} while (0)

/* Steps before MED: total orders, so one pass finds the winners. Both
 * paths eligible. */
static int cmp_pre(const struct mesh_path *a, const struct mesh_path *b,
		   const char **why)
{
	const struct mesh_aset *x = a->attr, *y = b->attr;

	/* Graceful restart: a refreshed path beats one kept stale. */
	DECIDE(!(a->flags & MESH_PATH_STALE), !(b->flags & MESH_PATH_STALE),
	       "stale");
	/* Locally originated paths come first, as FRR's weight 32768 for
	 * its own routes does. */
	DECIDE(a->peer == MESH_RIB_PEER_LOCAL, b->peer == MESH_RIB_PEER_LOCAL,
	       "local");
	/* RFC 4271 9.1.2.2 (phase 2): highest degree of preference */
	DECIDE_LOW(path_lp(y), path_lp(x), "local-pref");
	/* 9.1.2.2 a: shortest AS_PATH */
	DECIDE_LOW(x->as_path_count, y->as_path_count, "as-path");
	/* 9.1.2.2 b: lowest ORIGIN */
	DECIDE_LOW(path_origin(x), path_origin(y), "origin");
	return 0;
}

/* Steps after MED: eBGP first, then identifiers. Total. */
static int cmp_post(const struct mesh_path *a, const struct mesh_path *b,
		    const char **why)
{
	const struct mesh_rib_peer *pa = peer_of(a->peer);
	const struct mesh_rib_peer *pb = peer_of(b->peer);
	int c;

	/* 9.1.2.2 d: routes from external peers first */
	DECIDE(!pa->ibgp, !pb->ibgp, "ebgp");
	/* 9.1.2.2 e (interior cost to the NEXT_HOP) is skipped: meshd
	 * resolves next hops over its tunnels, not through an IGP, so all
	 * paths are at equal cost here. */
	/* 9.1.2.2 f, RFC 4456 9: lowest BGP Identifier / ORIGINATOR_ID */
	DECIDE_LOW(path_router_id(a), path_router_id(b), "router-id");
	/* RFC 4456 9: shortest CLUSTER_LIST */
	DECIDE_LOW(a->attr->cluster_len, b->attr->cluster_len, "cluster-list");
	/* 9.1.2.2 g: lowest peer address */
	DECIDE_LOW(pa->afi, pb->afi, "peer-address");
	c = memcmp(pa->addr, pb->addr,
		   pa->afi == MESH_BGP_AFI_IPV4 ? 4 : sizeof(pa->addr));
	if (c) {
		if (why)
			*why = "peer-address";
		return c < 0 ? -1 : 1;
	}
	/* RFC 7911: several paths of one peer; lowest identifier, so the
	 * choice stays independent of arrival order. */
	DECIDE_LOW(a->path_id, b->path_id, "path-id");
	DECIDE_LOW(a->peer, b->peer, "peer-address");
	if (why)
		*why = "equal";
	return 0;
}

int mesh_path_cmp(const struct mesh_path *a, const struct mesh_path *b,
		  const char **why)
{
	bool ea = path_eligible(a), eb = path_eligible(b);
	int c;

	if (a == b) {
		if (why)
			*why = "equal";
		return 0;
	}
	DECIDE(ea, eb, "invalid");
	if (!ea) {
		/* Neither can be chosen: keep a stable order. */
		DECIDE_LOW(a->peer, b->peer, "invalid");
		DECIDE_LOW(a->path_id, b->path_id, "invalid");
		if (why)
			*why = "equal";
		return 0;
	}
	c = cmp_pre(a, b, why);
	if (c)
		return c;
	/* 9.1.2.2 c: MED only between paths from the same neighbor AS */
	if (a->attr->neighbor_as == b->attr->neighbor_as)
		DECIDE_LOW(path_med(a->attr), path_med(b->attr), "med");
	return cmp_post(a, b, why);
}

static int med_order(const void *va, const void *vb)
{
	const struct mesh_path *a = *(struct mesh_path *const *)va;
	const struct mesh_path *b = *(struct mesh_path *const *)vb;
	uint32_t na = a->attr->neighbor_as, nb = b->attr->neighbor_as;
	uint32_t ma = path_med(a->attr), mb = path_med(b->attr);

	if (na != nb)
		return na < nb ? -1 : 1;
	if (ma != mb)
		return ma < mb ? -1 : 1;
	return 0;
}

/*
 * RFC 4271 9.1.2.2 as a sequence of eliminations over the eligible
 * paths. Pairwise comparison is not transitive once MED is only
 * compared within a neighbor AS; eliminating keeps the result
 * independent of the order of the list.
 */
static struct mesh_path *select_best(struct mesh_route *r, size_t n)
{
	struct mesh_path *stackv[16], **v = stackv, *p, *best;
	size_t k = 0, i, j;

	if (n > array_size(stackv))
		v = XMALLOC(MTYPE_MESH_RIB_TMP, n * sizeof(*v));
	for (p = r->paths; p; p = p->next)
		if (path_eligible(p))
			v[k++] = p;

	best = v[0];
	for (i = 1; i < k; i++)
		if (cmp_pre(v[i], best, NULL) < 0)
			best = v[i];
	for (i = j = 0; i < k; i++)
		if (!cmp_pre(v[i], best, NULL))
			v[j++] = v[i];
	k = j;

	if (k > 1) {
		/* Keep, per neighbor AS, the paths with its lowest MED. */
		uint32_t gas = 0, gmed = 0;

		qsort(v, k, sizeof(*v), med_order);
		for (i = j = 0; i < k; i++) {
			struct mesh_aset *a = v[i]->attr;

			if (!i || a->neighbor_as != gas) {
				gas = a->neighbor_as;
				gmed = path_med(a);
			}
			if (path_med(a) == gmed)
				v[j++] = v[i];
		}
		k = j;
	}

	best = v[0];
	for (i = 1; i < k; i++)
		if (cmp_post(v[i], best, NULL) < 0)
			best = v[i];
	if (v != stackv)
		XFREE(MTYPE_MESH_RIB_TMP, v);
	return best;
}

static struct mesh_path *path_merge(struct mesh_path *a, struct mesh_path *b)
{
	struct mesh_path head = {0}, *t = &head;

	while (a && b) {
		if (mesh_path_cmp(b, a, NULL) < 0) {
			t->next = b;
			b = b->next;
		} else {
			t->next = a;
			a = a->next;
		}
		t = t->next;
	}
	t->next = a ? a : b;
	return head.next;
}

static struct mesh_path *path_sort(struct mesh_path *l)
{
	struct mesh_path *slow = l, *fast, *second;

	if (!l || !l->next)
		return l;
	for (fast = l->next; fast && fast->next; fast = fast->next->next)
		slow = slow->next;
	second = slow->next;
	slow->next = NULL;
	return path_merge(path_sort(l), path_sort(second));
}

/* Decides r: orders its paths (best first) and returns the best. */
static struct mesh_path *route_decide(struct mesh_route *r)
{
	struct mesh_path *p, *prev, *best;
	size_t n = 0;

	if (!r->paths)
		return NULL;
	if (!r->paths->next)
		return path_eligible(r->paths) ? r->paths : NULL;

	r->paths = path_sort(r->paths);
	for (p = r->paths; p; p = p->next)
		n += path_eligible(p);
	if (n <= 2)
		return n ? r->paths : NULL;
	best = select_best(r, n);
	if (best != r->paths) {
		for (prev = r->paths; prev->next != best; prev = prev->next)
			;
		prev->next = best->next;
		best->next = r->paths;
		r->paths = best;
	}
	return best;
}

void mesh_rib_report_all(struct mesh_rib *rib, bool all)
{
	rib->report_all = all;
}

bool mesh_rib_process(struct mesh_rib *rib, size_t budget,
		      mesh_rib_change_cb cb, void *arg)
{
	struct qent e;
	size_t done = 0;

	while ((!budget || done < budget) && rib_dequeue(rib, &e)) {
		struct mesh_route *r = e.r;
		struct mesh_path *best;
		bool changed;

		done++;
		r->tn.flags &= ~RF_QUEUED;
		best = route_decide(r);
		if (e.had_best) {
			rib->best[e.old_peer]--;
			rib->n_selected--;
		}
		if (best) {
			rib->best[best->peer]++;
			rib->n_selected++;
		}
		r->best = best;
		changed = best ? (!e.had_best || best->peer != e.old_peer ||
				  best->path_id != e.old_path_id ||
				  best->attr != e.old_attr)
			       : e.had_best;
		/* A queued route had a path added, replaced or removed. */
		if ((changed || rib->report_all) && cb)
			cb(r, e.old_attr, e.old_peer, arg);
		mesh_aset_unref(e.old_attr);
		/* The callback may have added paths (and queued r again). */
		if (!r->paths && !(r->tn.flags & RF_QUEUED))
			route_free(rib, r);
	}
	return rib->queued > 0;
}

/* ------------------------------------------------------------------ */
/* Walks, statistics, teardown                                         */

struct walk_arg {
	mesh_rib_walk_cb cb;
	void *arg;
};

static bool rib_walk_leaf(void *leaf, void *arg)
{
	struct walk_arg *wa = arg;

	return wa->cb(leaf, wa->arg);
}

void mesh_rib_walk(struct mesh_rib *rib, mesh_rib_walk_cb cb, void *arg)
{
	struct walk_arg wa = {.cb = cb, .arg = arg};

	trie_walk(&rib->t, rib_walk_leaf, &wa);
}

void mesh_rib_stats(const struct mesh_rib *rib, struct mesh_rib_stats *s)
{
	s->routes = rib->n_routes;
	s->paths = rib->n_paths;
	s->selected = rib->n_selected;
	s->bytes = pool_bytes(&rib->routes) + pool_bytes(&rib->paths) +
		   trie_bytes(&rib->t) + rib->queued * sizeof(uintptr_t) +
		   sizeof(*rib);
}

void mesh_rib_peer_counts(const struct mesh_rib *rib, uint16_t peer,
			  size_t *received, size_t *best)
{
	bool ok = peer < MESH_RIB_PEERS_MAX;

	if (received)
		*received = ok ? rib->rx[peer] : 0;
	if (best)
		*best = ok ? rib->best[peer] : 0;
}

static bool rib_free_route(void *leaf, void *arg)
{
	struct mesh_route *r = leaf;

	(void)arg;
	for (struct mesh_path *p = r->paths; p; p = p->next) {
		mesh_aset_unref(p->attr_in);
		mesh_aset_unref(p->attr);
	}
	return true;
}

void mesh_rib_free(struct mesh_rib *rib)
{
	struct qent e;

	if (!rib)
		return;
	while (rib_dequeue(rib, &e))
		mesh_aset_unref(e.old_attr);
	if (rib->qspare)
		qblock_free(rib->qspare);
	trie_walk(&rib->t, rib_free_route, NULL);
	pool_fini(&rib->routes);
	pool_fini(&rib->paths);
	trie_fini(&rib->t);
	XFREE(MTYPE_MESH_RIB, rib);
}

/* ------------------------------------------------------------------ */
/* Adj-RIB-Out                                                         */

/* One (prefix, path_id). The first entry of a prefix is the trie leaf;
 * other path identifiers of it chain through next (pool indices). */
struct adjout_ent {
	struct mesh_aset *attr;
	uint32_t path_id;
	uint32_t next;
	struct mesh_rib_tnode tn;
	uint8_t addr[];
};

_Static_assert(offsetof(struct adjout_ent, addr) ==
		       offsetof(struct adjout_ent, tn) +
			       sizeof(struct mesh_rib_tnode),
	       "entry address must follow its trie node");

struct mesh_adjout {
	uint16_t afi;
	struct trie t;
	struct pool ents;
	size_t count;
};

struct mesh_adjout *mesh_adjout_new(uint16_t afi)
{
	struct mesh_adjout *out = XCALLOC(MTYPE_MESH_ADJOUT, sizeof(*out));

	assert(afi == MESH_BGP_AFI_IPV4 || afi == MESH_BGP_AFI_IPV6);
	out->afi = afi;
	pool_init(&out->ents, leaf_size(offsetof(struct adjout_ent, addr), afi,
					_Alignof(struct adjout_ent)));
	trie_init(&out->t, afi, &out->ents, offsetof(struct adjout_ent, tn));
	return out;
}

static bool adjout_unref_leaf(void *leaf, void *arg)
{
	struct mesh_adjout *out = arg;
	struct adjout_ent *e = leaf;

	for (;;) {
		mesh_aset_unref(e->attr);
		if (!e->next)
			break;
		e = pool_ptr(&out->ents, e->next);
	}
	return true;
}

void mesh_adjout_clear(struct mesh_adjout *out)
{
	trie_walk(&out->t, adjout_unref_leaf, out);
	pool_fini(&out->ents);
	trie_fini(&out->t);
	out->count = 0;
}

void mesh_adjout_free(struct mesh_adjout *out)
{
	if (!out)
		return;
	mesh_adjout_clear(out);
	XFREE(MTYPE_MESH_ADJOUT, out);
}

static inline bool adjout_prefix_ok(const struct mesh_adjout *out,
				    const struct mesh_bgp_prefix *p)
{
	return p->afi == out->afi && p->plen <= out->t.maxlen;
}

struct mesh_aset *mesh_adjout_get(const struct mesh_adjout *out,
				  const struct mesh_bgp_prefix *p,
				  uint32_t path_id)
{
	struct adjout_ent *e;

	if (!adjout_prefix_ok(out, p))
		return NULL;
	e = trie_lookup(&out->t, p->addr, p->plen);
	while (e) {
		if (e->path_id == path_id)
			return e->attr;
		e = e->next ? pool_ptr(&out->ents, e->next) : NULL;
	}
	return NULL;
}

static void adjout_forget(struct mesh_adjout *out,
			  const struct mesh_bgp_prefix *p, uint32_t path_id)
{
	struct adjout_ent *head, *e, *prev = NULL;
	uint32_t idx = 0;

	head = trie_lookup(&out->t, p->addr, p->plen);
	for (e = head; e; prev = e, idx = e->next,
	    e = e->next ? pool_ptr(&out->ents, e->next) : NULL)
		if (e->path_id == path_id)
			break;
	if (!e)
		return;
	out->count--;
	mesh_aset_unref(e->attr);
	if (prev) {
		prev->next = e->next;
		pool_free_idx(&out->ents, e, idx);
	} else if (e->next) {
		/* The second entry becomes the trie leaf. */
		uint32_t nidx = e->next;

		idx = trie_replace(&out->t, e, pool_ptr(&out->ents, nidx),
				   nidx);
		pool_free_idx(&out->ents, e, idx);
	} else {
		idx = trie_remove(&out->t, e);
		pool_free_idx(&out->ents, e, idx);
	}
}

void mesh_adjout_set(struct mesh_adjout *out, const struct mesh_bgp_prefix *p,
		     uint32_t path_id, struct mesh_aset *attr)
{
	struct adjout_ent *head, *e;
	bool created;
	uint32_t idx;

	if (!adjout_prefix_ok(out, p)) {
		mesh_aset_unref(attr);
		return;
	}
	if (!attr) {
		adjout_forget(out, p, path_id);
		return;
	}
	head = trie_get(&out->t, p->addr, p->plen, &created);
	if (created) {
		head->attr = attr;
		head->path_id = path_id;
		out->count++;
		return;
	}
	for (e = head; e; e = e->next ? pool_ptr(&out->ents, e->next) : NULL)
		if (e->path_id == path_id) {
			mesh_aset_unref(e->attr);
			e->attr = attr;
			return;
		}
	e = pool_alloc_idx(&out->ents, &idx);
	e->attr = attr;
	e->path_id = path_id;
	e->next = head->next;
	head->next = idx;
	out->count++;
}

size_t mesh_adjout_count(const struct mesh_adjout *out)
{
	return out->count;
}

struct adjout_walk_arg {
	const struct mesh_adjout *out;
	mesh_adjout_walk_cb cb;
	void *arg;
};

static bool adjout_walk_leaf(void *leaf, void *arg)
{
	struct adjout_walk_arg *wa = arg;
	struct adjout_ent *e = leaf;
	struct mesh_bgp_prefix p = {0};

	p.afi = e->tn.afi;
	p.plen = e->tn.plen;
	memcpy(p.addr, e->addr, wa->out->t.alen);
	for (;;) {
		/* The callback may forget this entry: step first. */
		struct adjout_ent *next =
			e->next ? pool_ptr(&wa->out->ents, e->next) : NULL;

		if (!wa->cb(&p, e->path_id, e->attr, wa->arg))
			return false;
		if (!next)
			break;
		e = next;
	}
	return true;
}

void mesh_adjout_walk(const struct mesh_adjout *out, mesh_adjout_walk_cb cb,
		      void *arg)
{
	struct adjout_walk_arg wa = {.out = out, .cb = cb, .arg = arg};

	trie_walk(&out->t, adjout_walk_leaf, &wa);
}

size_t mesh_adjout_diff(const struct mesh_adjout *out,
			const struct mesh_bgp_prefix *p,
			const struct mesh_adjout_want *want, size_t n,
			mesh_adjout_diff_cb cb, void *arg)
{
	struct adjout_ent *head, *e;
	size_t count = 0, i;

	if (!adjout_prefix_ok(out, p))
		return 0;
	/* One trie lookup; a prefix has few identifiers to scan. */
	head = trie_lookup(&out->t, p->addr, p->plen);
	for (i = 0; i < n; i++) {
		for (e = head; e;
		     e = e->next ? pool_ptr(&out->ents, e->next) : NULL)
			if (e->path_id == want[i].path_id)
				break;
		if (e && e->attr == want[i].attr)
			continue;
		count++;
		if (cb)
			cb(p, want[i].path_id, want[i].attr, arg);
	}
	for (e = head; e; e = e->next ? pool_ptr(&out->ents, e->next) : NULL) {
		for (i = 0; i < n; i++)
			if (want[i].path_id == e->path_id)
				break;
		if (i < n)
			continue;
		count++;
		if (cb)
			cb(p, e->path_id, NULL, arg);
	}
	return count;
}

/* ------------------------------------------------------------------ */

void mesh_rib_init(void)
{
	rib_peers[MESH_RIB_PEER_LOCAL] = &rib_local_peer;
}

void mesh_rib_terminate(void)
{
	/* Attribute sets still referenced belong to their holders; the
	 * table goes with the last of them (mesh_aset_unref). */
}
