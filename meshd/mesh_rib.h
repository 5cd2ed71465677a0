// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd RIB: interned attribute sets, the per-AFI route table (Adj-RIB-In
 * paths and the Loc-RIB choice of each prefix), the decision process of
 * RFC 4271 9.1 and per-peer Adj-RIB-Out.
 *
 * Supported standards:
 *   RFC 4271  9.1.2 phase 2 (best path), 9.1.2.2 tie breaking
 *   RFC 4456  9 (ORIGINATOR_ID for BGP identifier, CLUSTER_LIST length)
 *   RFC 7911  several paths per prefix from one peer (path identifiers)
 *
 * The choice never depends on arrival order (no "oldest path" step), so
 * every node holding the same paths selects the same one.
 *
 * Shape:
 *   - One struct mesh_rib per address family (IPv4 or IPv6 unicast). Each
 *     prefix is one struct mesh_route in a path-compressed binary trie;
 *     the route holds every path received for it (one per peer and path
 *     identifier: the Adj-RIB-In, kept with both the attributes as
 *     received and after inbound policy) and the selected path (the
 *     Loc-RIB).
 *   - Attribute sets are interned: equal sets are one refcounted
 *     struct mesh_aset, so a million prefixes from one UPDATE stream
 *     share a handful of them.
 *   - Changes do not run the decision process at once: a changed route
 *     is queued once, and mesh_rib_process() decides queued routes in
 *     batches and reports those whose selection changed. A burst of
 *     UPDATEs for one prefix costs one decision.
 *   - Adj-RIB-Out (struct mesh_adjout) remembers, per peer and family,
 *     the attribute set last advertised for each (prefix, path
 *     identifier), so an export that would repeat it sends nothing;
 *     mesh_adjout_diff() lists what an export has to send.
 *   - Each path gets a transmit path identifier (tx_id) when it enters
 *     its route: the smallest one not used by the route's other paths.
 *     It stays with the path for as long as the path exists (a refresh
 *     or an attribute change keeps it), so ADD-PATH (RFC 7911) senders
 *     can announce a changed path as an implicit replace of its ID and
 *     a gone path as a withdrawal of exactly that ID.
 *
 * Memory: trie nodes, routes and paths come from pools of their own
 * (chunks allocated with MTYPEs); one IPv4 prefix with one path costs
 * 84 bytes (72 for the route with its path embedded, 12 for a trie
 * branch) beside its shared attribute set; IPv6 100.
 */
#ifndef MESH_RIB_H
#define MESH_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "meshd/mesh_bgp_wire.h"

/* ---- Interned attribute sets ---- */

/* struct mesh_aset is a whole BGP attribute set; bgpd-ext's struct
 * mesh_attr is the decoded mesh path attribute, one member of a set. */

/*
 * An attribute set as kept in the RIB. The decoded attributes in 'a'
 * reference bytes owned by this object. AS_PATH is always 4-octet here
 * (the session layer merges AS4_PATH before interning).
 */
struct mesh_aset {
	uint32_t refcnt;
	uint32_t hash;
	/* decision inputs, derived once at intern time */
	uint16_t as_path_count; /* RFC 4271 9.1.2.2 a: a set counts 1,
				 * confederation segments 0 */
	uint16_t cluster_len;	/* CLUSTER_LIST entries */
	uint32_t neighbor_as;	/* first AS of the first AS_SEQUENCE; 0 if
				 * none (locally originated, iBGP-learned
				 * with empty path) */
	struct mesh_bgp_attrs a;
	/* private: storage for the bytes 'a' references */
	size_t data_len;
	uint8_t data[];
};

/* Returns a referenced, interned copy of a (its byte fields are copied).
 * a->as_path_width must be 4 when AS_PATH is present. */
struct mesh_aset *mesh_aset_intern(const struct mesh_bgp_attrs *a);
struct mesh_aset *mesh_aset_ref(struct mesh_aset *attr);
/* NULL-safe; frees the set when the last reference goes. */
void mesh_aset_unref(struct mesh_aset *attr);
/* Number of distinct interned sets alive. */
size_t mesh_aset_count(void);

/* ---- Peers as the decision process sees them ---- */

#define MESH_RIB_PEER_LOCAL 0 /* locally originated ('network') */
#define MESH_RIB_PEERS_MAX 1024

struct mesh_rib_peer {
	uint16_t index; /* set by mesh_rib_peer_add() */
	bool ibgp;
	bool rr_client;
	uint32_t peer_as;
	uint32_t bgp_id;  /* host order */
	uint16_t afi;	  /* of addr: MESH_BGP_AFI_IPV4 / _IPV6 */
	uint8_t addr[16]; /* peer address, network order */
};

/* Gives p an index (1..MESH_RIB_PEERS_MAX-1) and registers it; the RIB
 * keeps the pointer until mesh_rib_peer_del(). The local peer (index 0)
 * is registered by the RIB itself. Returns false when full. */
bool mesh_rib_peer_add(struct mesh_rib_peer *p);
void mesh_rib_peer_del(struct mesh_rib_peer *p);
const struct mesh_rib_peer *mesh_rib_peer_get(uint16_t index);

/* ---- Routes and paths ---- */

#define MESH_PATH_STALE 0x0001 /* graceful restart: awaiting refresh */
#define MESH_PATH_INVALID                                                      \
	0x0002 /* kept, flagged, never selected (a                             \
		* treat-as-withdraw error or an unusable                       \
		* next hop) */

struct mesh_path {
	struct mesh_path *next;
	struct mesh_aset *attr_in; /* as received (Adj-RIB-In) */
	struct mesh_aset *attr;	   /* after inbound policy; NULL: denied */
	uint32_t path_id;	   /* RFC 7911; 0 without ADD-PATH */
	uint16_t peer;		   /* mesh_rib_peer index */
	uint16_t flags;		   /* MESH_PATH_* */
	uint32_t since;		   /* monotonic seconds of last change */
	uint32_t tx_id;		   /* RFC 7911 identifier when sending
				    * (>= 1, unique within the route, stable
				    * for the life of the path) */
};

/* Trie linkage of a route (private). child[] are tagged pool indices. */
struct mesh_rib_tnode {
	uint32_t child[2];
	uint8_t plen;	/* prefix length */
	uint8_t afi;	/* MESH_BGP_AFI_* */
	uint16_t flags; /* private */
};

/*
 * A route is sized for memory: the first path is embedded and the
 * prefix is kept as length and address octets only (4 or 16, bits past
 * the length zero). Read it with mesh_route_prefix().
 */
struct mesh_route {
	/* read-only for users */
	struct mesh_path *paths; /* all paths, best first once decided */
	struct mesh_path *best;	 /* Loc-RIB selection; NULL: none */
	/* private */
	struct mesh_path path0;	  /* storage of one path */
	struct mesh_rib_tnode tn; /* must come right before addr */
	uint8_t addr[];
};

static inline uint8_t mesh_route_plen(const struct mesh_route *r)
{
	return r->tn.plen;
}

/* Fills *p with r's prefix (path_id 0) and returns p. */
static inline struct mesh_bgp_prefix *
mesh_route_prefix(const struct mesh_route *r, struct mesh_bgp_prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->afi = r->tn.afi;
	p->plen = r->tn.plen;
	memcpy(p->addr, r->addr, r->tn.afi == MESH_BGP_AFI_IPV4 ? 4 : 16);
	return p;
}

struct mesh_rib;

struct mesh_rib *mesh_rib_new(uint16_t afi);
/* Drops every route and path (releasing their attribute references). */
void mesh_rib_free(struct mesh_rib *rib);
uint16_t mesh_rib_afi(const struct mesh_rib *rib);

/* Exact match; NULL if absent. */
struct mesh_route *mesh_rib_lookup(struct mesh_rib *rib,
				   const struct mesh_bgp_prefix *p);
/* Longest prefix match of a full-length address (4 or 16 octets). */
struct mesh_route *mesh_rib_match(struct mesh_rib *rib, const uint8_t *addr);

/*
 * Adds or replaces the path of (peer, path_id) for p. The RIB takes over
 * one reference to attr_in and one to attr (attr may be NULL: denied by
 * policy; attr may equal attr_in, then pass two references). flags are
 * MESH_PATH_*; a refresh clears STALE. Queues the route for decision.
 */
void mesh_rib_update(struct mesh_rib *rib, const struct mesh_bgp_prefix *p,
		     uint16_t peer, uint32_t path_id, struct mesh_aset *attr_in,
		     struct mesh_aset *attr, uint16_t flags, uint32_t now);
/* Removes the path of (peer, path_id) for p, if any; queues the route.
 * Returns whether a path was removed. */
bool mesh_rib_withdraw(struct mesh_rib *rib, const struct mesh_bgp_prefix *p,
		       uint16_t peer, uint32_t path_id);
/* Removes every path of peer (session down); returns how many. */
size_t mesh_rib_peer_clear(struct mesh_rib *rib, uint16_t peer);
/* Graceful restart: marks every path of peer STALE / removes those still
 * STALE. Return counts. */
size_t mesh_rib_peer_mark_stale(struct mesh_rib *rib, uint16_t peer);
size_t mesh_rib_peer_sweep_stale(struct mesh_rib *rib, uint16_t peer);

/*
 * Called by mesh_rib_process() for each decided route whose selection
 * changed (best path pointer or best path's attr). old_attr is the
 * attribute set of the previous best (NULL if none); r->best is the new
 * one (NULL if none). A route left without paths is freed after the
 * callback returns: do not keep r.
 */
typedef void (*mesh_rib_change_cb)(struct mesh_route *r,
				   struct mesh_aset *old_attr,
				   uint16_t old_peer, void *arg);
/*
 * With all set, mesh_rib_process() calls back for every decided route
 * whose paths changed at all (a non-best path added, replaced or gone),
 * not only when the selection changed: ADD-PATH senders advertise every
 * path. The callback tells the cases apart by comparing old_attr and
 * old_peer with r->best.
 */
void mesh_rib_report_all(struct mesh_rib *rib, bool all);
/* Decides up to budget queued routes (0: all). Returns true if queued
 * routes remain. */
bool mesh_rib_process(struct mesh_rib *rib, size_t budget,
		      mesh_rib_change_cb cb, void *arg);
size_t mesh_rib_queued(const struct mesh_rib *rib);

/*
 * The decision process: < 0 if a is preferred over b, > 0 if b, never 0
 * for distinct paths of one route. *why (may be NULL) names the step
 * that decided, in order: "invalid" (INVALID or denied: attr NULL; such
 * paths sort last and are never selected), "stale" (a STALE path is
 * less preferred), "local" (locally originated first), "local-pref"
 * (absent: 100), "as-path", "origin", "med" (only between paths from
 * the same neighbor AS; absent: 0), "ebgp", "router-id" (ORIGINATOR_ID
 * when present), "cluster-list", "peer-address", "path-id". The IGP
 * cost step is skipped.
 *
 * Pairwise MED comparison is not transitive; mesh_rib_process() selects
 * by the eliminations of RFC 4271 9.1.2.2 instead, so its choice never
 * depends on the order of the paths. The rest of r->paths is sorted by
 * mesh_path_cmp().
 */
int mesh_path_cmp(const struct mesh_path *a, const struct mesh_path *b,
		  const char **why);

/* Visits routes in prefix order (address, then length); stop by
 * returning false. Routes must not be added or removed meanwhile;
 * changing the paths of the visited route is fine. */
typedef bool (*mesh_rib_walk_cb)(struct mesh_route *r, void *arg);
void mesh_rib_walk(struct mesh_rib *rib, mesh_rib_walk_cb cb, void *arg);

struct mesh_rib_stats {
	size_t routes;
	size_t paths;
	size_t selected; /* routes with a best path */
	size_t bytes;	 /* memory of routes, paths, trie nodes and queue
			  * entries (pools, free lists included) */
};
void mesh_rib_stats(const struct mesh_rib *rib, struct mesh_rib_stats *s);
/* Per-peer path counts: received (all) and selected as best. */
void mesh_rib_peer_counts(const struct mesh_rib *rib, uint16_t peer,
			  size_t *received, size_t *best);

/* ---- Adj-RIB-Out ---- */

struct mesh_adjout;

struct mesh_adjout *mesh_adjout_new(uint16_t afi);
void mesh_adjout_free(struct mesh_adjout *out);
/* Attribute set last advertised for (p, path_id); NULL if none. */
struct mesh_aset *mesh_adjout_get(const struct mesh_adjout *out,
				  const struct mesh_bgp_prefix *p,
				  uint32_t path_id);
/* Records attr (takes a reference) as advertised; NULL records a
 * withdrawal (forgets p). */
void mesh_adjout_set(struct mesh_adjout *out, const struct mesh_bgp_prefix *p,
		     uint32_t path_id, struct mesh_aset *attr);
size_t mesh_adjout_count(const struct mesh_adjout *out);
typedef bool (*mesh_adjout_walk_cb)(const struct mesh_bgp_prefix *p,
				    uint32_t path_id, struct mesh_aset *attr,
				    void *arg);
/* Prefix order, then the path identifiers of a prefix. The callback may
 * forget the entry it is shown, nothing else. */
void mesh_adjout_walk(const struct mesh_adjout *out, mesh_adjout_walk_cb cb,
		      void *arg);
/* Forgets everything (session down). */
void mesh_adjout_clear(struct mesh_adjout *out);

/* One path an export wants advertised for a prefix. */
struct mesh_adjout_want {
	uint32_t path_id;
	struct mesh_aset *attr; /* not NULL */
};
/* A difference: announce path_id with attr, or withdraw it (NULL). */
typedef void (*mesh_adjout_diff_cb)(const struct mesh_bgp_prefix *p,
				    uint32_t path_id, struct mesh_aset *attr,
				    void *arg);
/*
 * Compares what out holds for p with want[0..n) (distinct path
 * identifiers) and calls cb for each difference, in want order for
 * announcements, then for withdrawals of the identifiers out holds that
 * want lacks. Changes nothing (the caller records what it sends with
 * mesh_adjout_set). Returns the number of differences.
 */
size_t mesh_adjout_diff(const struct mesh_adjout *out,
			const struct mesh_bgp_prefix *p,
			const struct mesh_adjout_want *want, size_t n,
			mesh_adjout_diff_cb cb, void *arg);

void mesh_rib_init(void);
void mesh_rib_terminate(void);

#endif /* MESH_RIB_H */
