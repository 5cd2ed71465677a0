// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd BGP export: the decision process in batches, best paths (or, with
 * ADD-PATH, every path) to each neighbor's Adj-RIB-Out, and UPDATE
 * packing.
 *
 * mesh_bgp_process() decides queued routes (mesh_rib_process) in batches;
 * for each route whose selection changed, each Established neighbor's
 * view is computed (export rules below, then outbound policy) and, if it
 * differs from what the Adj-RIB-Out says was sent, queued on the
 * neighbor. After the batch, each queue is sorted by attribute set and
 * packed: prefixes that share an attribute set travel in as few UPDATEs
 * as the message size allows.
 *
 * ADD-PATH (RFC 7911): toward a neighbor with addpath-tx-all-paths whose
 * OPEN said it receives path identifiers for the family, the view of a
 * route is every path that is valid, allowed by inbound policy, passes
 * the export rules and outbound policy, each under the path's transmit
 * identifier (mesh_path.tx_id, stable for the life of the path). The
 * Adj-RIB-Out is kept per (prefix, identifier): a changed path is sent
 * again under its identifier (an implicit replace, RFC 7911 3), a gone
 * or newly filtered one withdrawn by its identifier. While such a
 * neighbor is up, the RIB reports every changed route, not only changed
 * selections. Without the negotiated capability, only the best path is
 * sent, under identifier 0 in the Adj-RIB-Out and none on the wire.
 *
 * Export rules (RFC 4271 9.1.3, RFC 4456 8):
 *   - never back to the neighbor the best path came from;
 *   - iBGP-learned paths go to iBGP neighbors only through reflection:
 *     from a client to everyone, from a non-client to clients, never to
 *     the originator; ORIGINATOR_ID is set if absent and our cluster ID
 *     prepended to CLUSTER_LIST;
 *   - to eBGP: our AS prepended, next hop self, LOCAL_PREF, ORIGINATOR_ID
 *     and CLUSTER_LIST removed, MED removed unless the route is ours
 *     (RFC 4271 5.1.4);
 *   - to iBGP: LOCAL_PREF 100 if absent, next hop kept unless
 *     next-hop-self or locally originated.
 * The Adj-RIB-Out records what was decided for a neighbor when it is
 * queued, so that later decisions are diffed against it; a queued item
 * that no longer matches the Adj-RIB-Out was superseded and is dropped
 * when the queue is sent. So the last decision per (prefix, path id)
 * wins, whatever order the packing sorts the queue in.
 *
 * MRAI (RFC 4271 9.2.1.1, per neighbor, default 0): with an interval
 * set, the first announcements after a quiet period go out at once and
 * start the timer (jittered, RFC 4271 10); while it runs, announcements
 * wait on the queue (collapsing to the last decision per prefix) and go
 * out when it expires. Withdrawals are not delayed: 9.2.1.1 applies the
 * interval to advertisements of feasible routes only. A whole-table
 * resend (session up, ROUTE-REFRESH) goes at once, End-of-RIB after it.
 */
#include <zebra.h>

#include "lib/log.h"
#include "lib/memory.h"
#include "lib/monotime.h"
#include "lib/network.h"
#include "lib/sockunion.h"

#include "bgpd-ext/mesh_attr.h"

#include "meshd/meshd.h"
#include "meshd/mesh_bgp.h"
#include "meshd/mesh_debug.h"
#include "meshd/mesh_topo.h"
#include "meshd/mesh_tunnel.h"

DEFINE_MTYPE_STATIC(MESHD, MESH_BGP_OUTQ, "BGP export queue");

/* Routes decided per batch before other events get their turn. */
#define MESH_PROCESS_BATCH 65536

struct mesh_outq_item {
	struct mesh_bgp_prefix p;
	struct mesh_aset *attr; /* NULL: withdraw */
};

struct mesh_outq {
	size_t n, size;
	struct mesh_outq_item *items;
};

/* Queues p under path_id (only written when the session sends path
 * identifiers for afi) with attr (a reference; NULL: withdraw). */
static void mesh_outq_push(struct mesh_peer *peer, enum mesh_afi afi,
			   const struct mesh_bgp_prefix *p, uint32_t path_id,
			   struct mesh_aset *attr)
{
	struct mesh_outq *q = peer->outq[afi];

	if (!q)
		q = peer->outq[afi] = XCALLOC(MTYPE_MESH_BGP_OUTQ, sizeof(*q));
	if (q->n == q->size) {
		q->size = q->size ? q->size * 2 : 256;
		q->items = XREALLOC(MTYPE_MESH_BGP_OUTQ, q->items,
				    q->size * sizeof(*q->items));
	}
	q->items[q->n].p = *p;
	q->items[q->n].p.has_path_id = path_id != 0;
	q->items[q->n].p.path_id = path_id;
	q->items[q->n].attr = attr;
	q->n++;
	/* The decision, recorded now: later diffs compare against it. */
	if (peer->adjout[afi])
		mesh_adjout_set(peer->adjout[afi], p, path_id,
				attr ? mesh_aset_ref(attr) : NULL);
}

static void mesh_outq_free(struct mesh_peer *peer, enum mesh_afi afi)
{
	struct mesh_outq *q = peer->outq[afi];

	if (!q)
		return;
	for (size_t i = 0; i < q->n; i++)
		mesh_aset_unref(q->items[i].attr);
	XFREE(MTYPE_MESH_BGP_OUTQ, q->items);
	XFREE(MTYPE_MESH_BGP_OUTQ, peer->outq[afi]);
}

/* ---- Export rules ---- */

static void mesh_attr_clear(struct mesh_bgp_attrs *a, uint8_t type)
{
	a->present[type / 8] &= (uint8_t) ~(1u << (type % 8));
}

static uint32_t mesh_export_cluster_id(void)
{
	return ntohl(mesh_bgp->cluster_id.s_addr ? mesh_bgp->cluster_id.s_addr
						 : mesh->router_id.s_addr);
}

/* Our next hop toward peer for afi; false if the session has no
 * address of that family (IPv6 routes over IPv4 use the mapped form). */
static bool mesh_export_nexthop(struct mesh_peer *peer, enum mesh_afi afi,
				struct mesh_bgp_attrs *a, uint8_t *nh6)
{
	const union sockunion *l = &peer->est->su_local;

	if (afi == MESH_AFI_IP) {
		if (l->sa.sa_family != AF_INET)
			return false;
		a->next_hop = ntohl(l->sin.sin_addr.s_addr);
		mesh_bgp_bit_set(a->present, MESH_BGP_ATTR_NEXT_HOP);
		return true;
	}
	if (l->sa.sa_family == AF_INET6) {
		memcpy(nh6, &l->sin6.sin6_addr, 16);
	} else {
		/* RFC 4291 2.5.5.2 IPv4-mapped address. */
		memset(nh6, 0, 10);
		nh6[10] = nh6[11] = 0xff;
		memcpy(nh6 + 12, &l->sin.sin_addr, 4);
	}
	a->mp_reach.afi = MESH_BGP_AFI_IPV6;
	a->mp_reach.safi = MESH_BGP_SAFI_UNICAST;
	a->mp_reach.nh.p = nh6;
	a->mp_reach.nh.len = 16;
	mesh_bgp_bit_set(a->present, MESH_BGP_ATTR_MP_REACH);
	return true;
}

/*
 * The attribute set peer should get for a best path with attributes src
 * from neighbor index from (before outbound policy); NULL when the rules
 * say not to send. Returns a new reference.
 */
/*
 * RFC 6793 4.2.2: toward a speaker without 4-octet AS support, AS_PATH
 * carries 2-octet numbers with AS_TRANS in place of larger ones, and the
 * true path travels in AS4_PATH when any number needed AS_TRANS (the
 * same for AGGREGATOR / AS4_AGGREGATOR). p2 and p4 receive the bytes.
 */
static bool mesh_aspath_narrow(struct mesh_bgp_attrs *a, struct mesh_wbuf *p2,
			       struct mesh_wbuf *p4)
{
	const struct mesh_bgp_bytes *in = &a->as_path;
	bool need4 = false;
	size_t off = 0;

	while (off + 2 <= in->len) {
		uint8_t type = in->p[off], cnt = in->p[off + 1];

		mesh_wbuf_u8(p2, type);
		mesh_wbuf_u8(p2, cnt);
		/* AS4_PATH never carries confederation segments. */
		if (type == MESH_BGP_AS_SEQUENCE || type == MESH_BGP_AS_SET) {
			mesh_wbuf_u8(p4, type);
			mesh_wbuf_u8(p4, cnt);
		}
		for (uint8_t i = 0; i < cnt; i++) {
			const uint8_t *q = in->p + off + 2 + 4 * i;
			uint32_t as = (uint32_t)q[0] << 24 |
				      (uint32_t)q[1] << 16 |
				      (uint32_t)q[2] << 8 | q[3];

			if (as > 0xffff)
				need4 = true;
			mesh_wbuf_u16(p2, as > 0xffff ? MESH_BGP_AS_TRANS
						      : (uint16_t)as);
			if (type == MESH_BGP_AS_SEQUENCE ||
			    type == MESH_BGP_AS_SET)
				mesh_wbuf_u32(p4, as);
		}
		off += 2 + (size_t)cnt * 4;
	}
	if (p2->err || p4->err)
		return false;
	a->as_path.p = p2->data;
	a->as_path.len = p2->len;
	a->as_path_width = 2;
	if (need4 && p4->len) {
		a->as4_path.p = p4->data;
		a->as4_path.len = p4->len;
		mesh_bgp_bit_set(a->present, MESH_BGP_ATTR_AS4_PATH);
	}
	if (mesh_bgp_attr_present(a, MESH_BGP_ATTR_AGGREGATOR) &&
	    a->aggregator_as > 0xffff) {
		a->as4_aggregator_as = a->aggregator_as;
		a->as4_aggregator_id = a->aggregator_id;
		a->aggregator_as = MESH_BGP_AS_TRANS;
		mesh_bgp_bit_set(a->present, MESH_BGP_ATTR_AS4_AGGREGATOR);
	}
	return true;
}

static struct mesh_aset *mesh_export_attr(struct mesh_peer *peer,
					  enum mesh_afi afi,
					  struct mesh_aset *src, uint16_t from)
{
	const struct mesh_rib_peer *fp = mesh_rib_peer_get(from);
	bool local = from == MESH_RIB_PEER_LOCAL;
	struct mesh_bgp_attrs a = src->a;
	uint8_t path[MESH_BGP_EXT_MAX_LEN / 2];
	uint8_t cl[1024];
	uint8_t nh6[16];
	struct mesh_wbuf w;

	if (from == peer->rib_peer.index)
		return NULL;

	if (peer->ctx.ibgp) {
		if (!local && fp && fp->ibgp) {
			bool to_client = peer->cfg.af[afi].rr_client;

			if (!fp->rr_client && !to_client)
				return NULL;
			if (!mesh_bgp_attr_present(
				    &a, MESH_BGP_ATTR_ORIGINATOR_ID)) {
				a.originator_id = fp->bgp_id;
				mesh_bgp_bit_set(a.present,
						 MESH_BGP_ATTR_ORIGINATOR_ID);
			}
			if (a.originator_id == peer->open_rx.bgp_id)
				return NULL;
			/* RFC 4456 8: prepend our cluster ID. */
			mesh_wbuf_init(&w, cl, sizeof(cl));
			mesh_wbuf_u32(&w, mesh_export_cluster_id());
			if (mesh_bgp_attr_present(&a,
						  MESH_BGP_ATTR_CLUSTER_LIST))
				mesh_wbuf_bytes(&w, a.cluster_list.p,
						a.cluster_list.len);
			if (w.err)
				return NULL;
			a.cluster_list.p = cl;
			a.cluster_list.len = w.len;
			mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_CLUSTER_LIST);
		}
		if (!mesh_bgp_attr_present(&a, MESH_BGP_ATTR_LOCAL_PREF)) {
			a.local_pref = 100;
			mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_LOCAL_PREF);
		}
		if (local || peer->cfg.af[afi].next_hop_self) {
			if (!mesh_export_nexthop(peer, afi, &a, nh6))
				return NULL;
		} else if (afi == MESH_AFI_IP6 && a.mp_reach.nh.len == 32) {
			/* A link-local next hop means nothing beyond the
			 * link it was learned on. */
			a.mp_reach.nh.len = 16;
		}
	} else {
		mesh_wbuf_init(&w, path, sizeof(path));
		if (a.as_path.len >= 2 &&
		    a.as_path.p[0] == MESH_BGP_AS_SEQUENCE &&
		    a.as_path.p[1] < 255) {
			mesh_wbuf_u8(&w, MESH_BGP_AS_SEQUENCE);
			mesh_wbuf_u8(&w, a.as_path.p[1] + 1);
			mesh_wbuf_u32(&w, mesh_bgp->local_as);
			mesh_wbuf_bytes(&w, a.as_path.p + 2, a.as_path.len - 2);
		} else {
			mesh_wbuf_u8(&w, MESH_BGP_AS_SEQUENCE);
			mesh_wbuf_u8(&w, 1);
			mesh_wbuf_u32(&w, mesh_bgp->local_as);
			mesh_wbuf_bytes(&w, a.as_path.p, a.as_path.len);
		}
		if (w.err)
			return NULL;
		a.as_path.p = path;
		a.as_path.len = w.len;
		a.as_path_width = 4;
		mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_AS_PATH);
		mesh_attr_clear(&a, MESH_BGP_ATTR_LOCAL_PREF);
		mesh_attr_clear(&a, MESH_BGP_ATTR_ORIGINATOR_ID);
		mesh_attr_clear(&a, MESH_BGP_ATTR_CLUSTER_LIST);
		if (!local)
			mesh_attr_clear(&a, MESH_BGP_ATTR_MED);
		if (!mesh_export_nexthop(peer, afi, &a, nh6))
			return NULL;
	}
	if (afi == MESH_AFI_IP6)
		mesh_attr_clear(&a, MESH_BGP_ATTR_NEXT_HOP);
	else
		mesh_attr_clear(&a, MESH_BGP_ATTR_MP_REACH);
	if (!peer->ctx.as4) {
		uint8_t b2[MESH_BGP_EXT_MAX_LEN / 2],
			b4[MESH_BGP_EXT_MAX_LEN / 2];
		struct mesh_wbuf p2, p4;

		mesh_wbuf_init(&p2, b2, sizeof(b2));
		mesh_wbuf_init(&p4, b4, sizeof(b4));
		if (!mesh_aspath_narrow(&a, &p2, &p4))
			return NULL;
		return mesh_aset_intern(&a);
	}
	return mesh_aset_intern(&a);
}

/* Whether peer gets every path of afi's routes (RFC 7911). */
static bool mesh_peer_addpath_tx(const struct mesh_peer *peer,
				 enum mesh_afi afi)
{
	return mesh_bgp_ctx_addpath(&peer->ctx, mesh_afi_to_wire(afi), true);
}

/* Export of path best of route r to peer, outbound policy included;
 * referenced, NULL if not to be sent. */
static struct mesh_aset *mesh_export_path(struct mesh_peer *peer,
					  enum mesh_afi afi,
					  const struct mesh_route *r,
					  const struct mesh_path *best)
{
	struct mesh_aset *x, *out;
	struct mesh_bgp_prefix pfx;

	if (!best || !best->attr || (best->flags & MESH_PATH_INVALID))
		return NULL;
	/* Consecutive prefixes usually share their best path's attributes:
	 * one cached transformation per neighbor and family. */
	if (peer->xcache_src[afi] == best->attr &&
	    peer->xcache_peer[afi] == best->peer) {
		x = mesh_aset_ref(peer->xcache_out[afi]);
	} else {
		x = mesh_export_attr(peer, afi, best->attr, best->peer);
		mesh_aset_unref(peer->xcache_src[afi]);
		mesh_aset_unref(peer->xcache_out[afi]);
		peer->xcache_src[afi] = mesh_aset_ref(best->attr);
		peer->xcache_peer[afi] = best->peer;
		peer->xcache_out[afi] = x ? mesh_aset_ref(x) : NULL;
	}
	if (!x)
		return NULL;
	out = mesh_policy_out(peer, afi, mesh_route_prefix(r, &pfx), x);
	mesh_aset_unref(x);
	return out;
}

static void mesh_export_cache_clear(struct mesh_peer *peer)
{
	for (int afi = 0; afi < MESH_AFI_MAX; afi++) {
		mesh_aset_unref(peer->xcache_src[afi]);
		mesh_aset_unref(peer->xcache_out[afi]);
		peer->xcache_src[afi] = peer->xcache_out[afi] = NULL;
	}
}

static bool mesh_peer_exports(const struct mesh_peer *peer, enum mesh_afi afi)
{
	return peer->est && peer->af_up[afi] && peer->adjout[afi];
}

/* What peer should have for r: the best path under identifier 0, or
 * with ADD-PATH every exportable path under its tx_id. Fills want[]
 * (references) up to max and returns the count. */
static size_t mesh_export_want(struct mesh_peer *peer, enum mesh_afi afi,
			       const struct mesh_route *r,
			       struct mesh_adjout_want *want, size_t max)
{
	size_t n = 0;

	if (!mesh_peer_addpath_tx(peer, afi)) {
		struct mesh_aset *a = mesh_export_path(peer, afi, r, r->best);

		if (a && max) {
			want[0].path_id = 0;
			want[0].attr = a;
			n = 1;
		}
		return n;
	}
	for (const struct mesh_path *p = r->paths; p && n < max; p = p->next) {
		struct mesh_aset *a = mesh_export_path(peer, afi, r, p);

		if (!a)
			continue;
		want[n].path_id = p->tx_id;
		want[n].attr = a;
		n++;
	}
	return n;
}

/* Paths of one prefix exported at most (bounds stack use). */
#define MESH_EXPORT_PATHS_MAX 256

struct mesh_diff_ctx {
	struct mesh_peer *peer;
	enum mesh_afi afi;
};

static void mesh_export_diff_push(const struct mesh_bgp_prefix *p,
				  uint32_t path_id, struct mesh_aset *attr,
				  void *arg)
{
	struct mesh_diff_ctx *dc = arg;

	mesh_outq_push(dc->peer, dc->afi, p, path_id,
		       attr ? mesh_aset_ref(attr) : NULL);
}

/* Queues the difference between what peer has and should have for r. */
static void mesh_export_diff(struct mesh_peer *peer, enum mesh_afi afi,
			     const struct mesh_route *r)
{
	struct mesh_adjout_want want[MESH_EXPORT_PATHS_MAX];
	struct mesh_diff_ctx dc = {.peer = peer, .afi = afi};
	struct mesh_bgp_prefix pfx;
	size_t n = mesh_export_want(peer, afi, r, want, array_size(want));

	mesh_adjout_diff(peer->adjout[afi], mesh_route_prefix(r, &pfx), want, n,
			 mesh_export_diff_push, &dc);
	for (size_t i = 0; i < n; i++)
		mesh_aset_unref(want[i].attr);
}

/* ---- Sending ---- */

/* Packing order: attribute set, then prefix and path identifier, so
 * that a prefix queued twice with one decision sits next to itself. */
static int mesh_outq_cmp(const void *x, const void *y)
{
	const struct mesh_outq_item *a = x, *b = y;
	int c;

	if (a->attr != b->attr)
		return (uintptr_t)a->attr < (uintptr_t)b->attr ? -1 : 1;
	if (a->p.plen != b->p.plen)
		return a->p.plen < b->p.plen ? -1 : 1;
	c = memcmp(a->p.addr, b->p.addr, sizeof(a->p.addr));
	if (c)
		return c;
	if (a->p.path_id != b->p.path_id)
		return a->p.path_id < b->p.path_id ? -1 : 1;
	return 0;
}

static void mesh_send_group(struct mesh_peer *peer, enum mesh_afi afi,
			    struct mesh_aset *attr,
			    const struct mesh_bgp_prefix *pfx, size_t n)
{
	static uint8_t buf[MESH_BGP_EXT_MAX_LEN];
	struct mesh_bgp_pack pk = {
		.ctx = &peer->ctx,
		.attrs = attr ? &attr->a : NULL,
		.afi = mesh_afi_to_wire(afi),
		.safi = MESH_BGP_SAFI_UNICAST,
		.withdraw = attr == NULL,
		.pfx = pfx,
		.n_pfx = n,
	};
	struct mesh_wbuf w;
	int k;

	mesh_wbuf_init(&w, buf, sizeof(buf));
	while ((k = mesh_bgp_pack_next(&pk, &w)) != 0) {
		if (k < 0) {
			zlog_warn("BGP neighbor %pSU: attributes too large for "
				  "one UPDATE, %zu prefixes not sent",
				  &peer->su, n - pk.next);
			break;
		}
		mesh_conn_send(peer->est, w.data, w.len);
	}
}

static void mesh_mrai_expired_ip(struct thread *t);
static void mesh_mrai_expired_ip6(struct thread *t);

/* Starts the MRAI timer of peer for afi: the interval times a random
 * factor of 0.75 to 1 (RFC 4271 10). */
static void mesh_mrai_start(struct mesh_peer *peer, enum mesh_afi afi)
{
	long ms = (long)peer->cfg.mrai * 1000;

	ms -= (ms / 4) * (long)(frr_weak_random() % 1000) / 1000;
	thread_add_timer_msec(master,
			      afi == MESH_AFI_IP ? mesh_mrai_expired_ip
						 : mesh_mrai_expired_ip6,
			      peer, ms, &peer->t_mrai[afi]);
}

/*
 * Sends what is queued for peer and afi. Items that no longer match the
 * Adj-RIB-Out were superseded by a later decision and are dropped. Unless
 * force, announcements wait while the MRAI timer runs; withdrawals never
 * do (RFC 4271 9.2.1.1: the interval limits advertisements of feasible
 * routes, not withdrawals).
 */
static void mesh_outq_flush(struct mesh_peer *peer, enum mesh_afi afi,
			    bool force)
{
	struct mesh_outq *q = peer->outq[afi];
	struct mesh_outq_item *send;
	struct mesh_bgp_prefix *pfx;
	bool hold, announced = false;
	size_t i, j, n_send = 0, n_held = 0;

	if (!q || !q->n)
		return;
	if (!mesh_peer_exports(peer, afi)) {
		mesh_outq_free(peer, afi);
		return;
	}
	hold = !force && peer->cfg.mrai && peer->t_mrai[afi];
	send = XMALLOC(MTYPE_MESH_BGP_OUTQ, q->n * sizeof(*send));
	for (i = 0; i < q->n; i++) {
		struct mesh_outq_item *it = &q->items[i];

		if (mesh_adjout_get(peer->adjout[afi], &it->p, it->p.path_id) !=
		    it->attr)
			mesh_aset_unref(it->attr);
		else if (hold && it->attr)
			q->items[n_held++] = *it;
		else
			send[n_send++] = *it;
	}
	q->n = n_held;
	qsort(send, n_send, sizeof(*send), mesh_outq_cmp);
	pfx = XMALLOC(MTYPE_MESH_BGP_OUTQ,
		      (n_send ? n_send : 1) * sizeof(*pfx));
	for (i = 0; i < n_send; i = j) {
		struct mesh_aset *attr = send[i].attr;
		size_t n = 0;

		for (j = i; j < n_send && send[j].attr == attr; j++)
			if (j == i || mesh_outq_cmp(&send[j - 1], &send[j]))
				pfx[n++] = send[j].p;
		mesh_send_group(peer, afi, attr, pfx, n);
		announced |= attr != NULL;
	}
	for (i = 0; i < n_send; i++)
		mesh_aset_unref(send[i].attr);
	XFREE(MTYPE_MESH_BGP_OUTQ, pfx);
	XFREE(MTYPE_MESH_BGP_OUTQ, send);
	if (!q->n)
		mesh_outq_free(peer, afi);
	if (announced && peer->cfg.mrai && !peer->t_mrai[afi])
		mesh_mrai_start(peer, afi);
}

/* The interval is over: what waited goes out (and the timer restarts);
 * with nothing waiting the next change goes out at once. */
static void mesh_mrai_expired(struct mesh_peer *peer, enum mesh_afi afi)
{
	mesh_outq_flush(peer, afi, false);
}

static void mesh_mrai_expired_ip(struct thread *t)
{
	mesh_mrai_expired(THREAD_ARG(t), MESH_AFI_IP);
}

static void mesh_mrai_expired_ip6(struct thread *t)
{
	mesh_mrai_expired(THREAD_ARG(t), MESH_AFI_IP6);
}

/* The interval of peer changed: what waits goes out now, and the
 * next announcements follow the new interval. */
void mesh_bgp_mrai_changed(struct mesh_peer *peer)
{
	for (int afi = 0; afi < MESH_AFI_MAX; afi++) {
		THREAD_OFF(peer->t_mrai[afi]);
		mesh_outq_flush(peer, afi, false);
	}
}

static void mesh_send_eor(struct mesh_peer *peer, enum mesh_afi afi)
{
	uint8_t buf[64];
	struct mesh_wbuf w;

	mesh_wbuf_init(&w, buf, sizeof(buf));
	mesh_bgp_eor_encode(&w, mesh_afi_to_wire(afi), MESH_BGP_SAFI_UNICAST);
	if (!w.err)
		mesh_conn_send(peer->est, w.data, w.len);
	peer->eor_tx[afi] = true;
}

/* ---- The batch ---- */

struct mesh_process_ctx {
	enum mesh_afi afi;
	struct mesh_peer **peers;
	size_t n_peers;
};

static void mesh_export_change(struct mesh_route *r, struct mesh_aset *old,
			       uint16_t old_peer, void *arg)
{
	struct mesh_process_ctx *pc = arg;
	/* With report_all set the RIB also reports routes whose selection
	 * stayed: only ADD-PATH neighbors care about those. */
	bool selection = r->best ? (!old || r->best->attr != old ||
				    r->best->peer != old_peer)
				 : old != NULL;

	if (selection)
		mesh_topo_route_changed(r);
	for (size_t i = 0; i < pc->n_peers; i++)
		if (selection || mesh_peer_addpath_tx(pc->peers[i], pc->afi))
			mesh_export_diff(pc->peers[i], pc->afi, r);
}

static void mesh_bgp_process(struct thread *t)
{
	struct mesh_peer *peers[MESH_RIB_PEERS_MAX], *peer;
	bool more = false;

	/* a restart's deferral began after this run was scheduled */
	if (mesh_bgp_gr_deferring())
		return;

	for (int afi = 0; afi < MESH_AFI_MAX; afi++) {
		struct mesh_process_ctx pc = {.afi = afi, .peers = peers};
		bool all = false;

		/* (a neighbor still without its table gets all of it
		 * below, once the queue is empty) */
		frr_each (mesh_peer_hash, &mesh_bgp->peers, peer)
			if (mesh_peer_exports(peer, afi) && peer->eor_tx[afi] &&
			    pc.n_peers < array_size(peers)) {
				peers[pc.n_peers++] = peer;
				all |= mesh_peer_addpath_tx(peer, afi);
			}
		mesh_rib_report_all(mesh_bgp->rib[afi], all);
		more |= mesh_rib_process(mesh_bgp->rib[afi], MESH_PROCESS_BATCH,
					 mesh_export_change, &pc);
		for (size_t i = 0; i < pc.n_peers; i++)
			mesh_outq_flush(peers[i], afi, false);
	}
	if (more) {
		thread_add_timer_msec(master, mesh_bgp_process, NULL, 0,
				      &mesh_bgp->t_process);
		return;
	}
	/* Every queued decision is made: neighbors that came up while a
	 * restart deferred the selection get their whole table and
	 * End-of-RIB now (RFC 4724 4.1). The others had theirs when they
	 * came up. */
	frr_each (mesh_peer_hash, &mesh_bgp->peers, peer)
		for (int afi = 0; afi < MESH_AFI_MAX; afi++)
			if (mesh_peer_exports(peer, afi) && !peer->eor_tx[afi])
				mesh_bgp_resend(peer, afi);
}

void mesh_bgp_schedule_process(void)
{
	if (!mesh_bgp || mesh_bgp->t_process)
		return;
	/* A restarted speaker selects nothing before the End-of-RIB of the
	 * neighbors it waits for (mesh_bgp_gr.c). */
	mesh_bgp_gr_check();
	if (mesh_bgp_gr_deferring())
		return;
	thread_add_event(master, mesh_bgp_process, NULL, 0,
			 &mesh_bgp->t_process);
}

/* ---- Whole tables ---- */

struct mesh_walk_ctx {
	struct mesh_peer *peer;
	enum mesh_afi afi;
};

static bool mesh_resend_route(struct mesh_route *r, void *arg)
{
	struct mesh_walk_ctx *wc = arg;
	struct mesh_adjout_want want[MESH_EXPORT_PATHS_MAX];
	struct mesh_bgp_prefix pfx;
	size_t n =
		mesh_export_want(wc->peer, wc->afi, r, want, array_size(want));

	mesh_route_prefix(r, &pfx);
	for (size_t i = 0; i < n; i++)
		mesh_outq_push(wc->peer, wc->afi, &pfx, want[i].path_id,
			       want[i].attr);
	return true;
}

void mesh_bgp_resend(struct mesh_peer *peer, enum mesh_afi afi)
{
	struct mesh_walk_ctx wc = {.peer = peer, .afi = afi};

	if (!mesh_peer_exports(peer, afi))
		return;
	/* Nothing goes out before a restart's deferred selection; the
	 * first pass after it sends the table and End-of-RIB. */
	if (mesh_bgp_gr_deferring())
		return;
	mesh_outq_free(peer, afi);
	mesh_adjout_clear(peer->adjout[afi]);
	mesh_rib_walk(mesh_bgp->rib[afi], mesh_resend_route, &wc);
	mesh_outq_flush(peer, afi, true);
	mesh_send_eor(peer, afi);
}

static bool mesh_reexport_route(struct mesh_route *r, void *arg)
{
	struct mesh_walk_ctx *wc = arg;

	mesh_export_diff(wc->peer, wc->afi, r);
	return true;
}

static bool mesh_reexport_stale(const struct mesh_bgp_prefix *p,
				uint32_t path_id, struct mesh_aset *attr,
				void *arg)
{
	struct mesh_walk_ctx *wc = arg;
	struct mesh_route *r = mesh_rib_lookup(mesh_bgp->rib[wc->afi], p);

	(void)attr;
	/* Routes still in the RIB were diffed by mesh_reexport_route. */
	if (!r)
		mesh_outq_push(wc->peer, wc->afi, p, path_id, NULL);
	return true;
}

void mesh_bgp_reexport(struct mesh_peer *peer, enum mesh_afi afi)
{
	struct mesh_walk_ctx wc = {.peer = peer, .afi = afi};

	if (!mesh_peer_exports(peer, afi))
		return;
	mesh_export_cache_clear(peer);
	mesh_rib_walk(mesh_bgp->rib[afi], mesh_reexport_route, &wc);
	mesh_adjout_walk(peer->adjout[afi], mesh_reexport_stale, &wc);
	mesh_outq_flush(peer, afi, false);
}

/* ---- Graceful restart, helper side (RFC 4724 4.2) ---- */

/* The neighbor's capability entry for afi (unicast), or NULL. */
static const struct mesh_bgp_afsafi *mesh_gr_entry(const struct mesh_peer *peer,
						   enum mesh_afi afi)
{
	const struct mesh_bgp_open *o = &peer->open_rx;

	if (!(o->caps & MESH_BGP_CAPF_GRACEFUL_RESTART))
		return NULL;
	for (uint8_t i = 0; i < o->n_gr && i < MESH_BGP_OPEN_AF_MAX; i++)
		if (o->gr[i].afi == mesh_afi_to_wire(afi) &&
		    o->gr[i].safi == MESH_BGP_SAFI_UNICAST)
			return &o->gr[i];
	return NULL;
}

/* Only the paths of families the capability listed are kept when the
 * session goes; a helper-only neighbor lists none. */
static bool mesh_gr_listed(const struct mesh_peer *peer, enum mesh_afi afi)
{
	return mesh_gr_entry(peer, afi) != NULL;
}

/* The neighbor's new OPEN says it kept forwarding state for afi. */
static bool mesh_gr_fwd_kept(const struct mesh_peer *peer, enum mesh_afi afi)
{
	const struct mesh_bgp_afsafi *e = mesh_gr_entry(peer, afi);

	return e && (e->flags & MESH_BGP_GR_AF_FORWARDING);
}

/* ---- Session up and down ---- */

void mesh_bgp_established(struct mesh_peer *peer)
{
	const union sockunion *su = &peer->su;
	struct mesh_rib_peer *rp = &peer->rib_peer;

	rp->ibgp = peer->ctx.ibgp;
	rp->peer_as = peer->cfg.remote_as;
	rp->bgp_id = peer->open_rx.bgp_id;
	rp->rr_client = peer->cfg.af[MESH_AFI_IP].rr_client ||
			peer->cfg.af[MESH_AFI_IP6].rr_client;
	memset(rp->addr, 0, sizeof(rp->addr));
	if (su->sa.sa_family == AF_INET) {
		rp->afi = MESH_BGP_AFI_IPV4;
		memcpy(rp->addr, &su->sin.sin_addr, 4);
	} else {
		rp->afi = MESH_BGP_AFI_IPV6;
		memcpy(rp->addr, &su->sin6.sin6_addr, 16);
	}
	if (!rp->index && !mesh_rib_peer_add(rp)) {
		struct mesh_bgp_notify n = {.code = MESH_BGP_ERR_CEASE,
					    .subcode =
						    8 /* out of resources */};

		mesh_conn_fail(peer->est, &n, "too many neighbors");
		return;
	}
	mesh_bgp->peers_up++;
	mesh_bgp_gr_session_up();
	mesh_export_cache_clear(peer);
	for (int afi = 0; afi < MESH_AFI_MAX; afi++) {
		/* RFC 4724 4.2: paths kept for a restarting neighbor go at
		 * once where its new OPEN does not say it kept forwarding
		 * (F bit) for the family; the others wait for End-of-RIB. */
		if (peer->t_gr_stale && !mesh_gr_fwd_kept(peer, afi)) {
			size_t n = mesh_rib_peer_sweep_stale(
				mesh_bgp->rib[afi], peer->rib_peer.index);

			if (n)
				zlog_info(
					"BGP neighbor %pSU: restarted without "
					"forwarding state for %s, %zu stale "
					"paths removed",
					&peer->su,
					afi == MESH_AFI_IP ? "IPv4" : "IPv6",
					n);
		}
		if (!peer->af_up[afi])
			continue;
		if (!peer->adjout[afi])
			peer->adjout[afi] =
				mesh_adjout_new(mesh_afi_to_wire(afi));
		mesh_bgp_resend(peer, afi);
	}
	/* a neighbor without graceful restart is not waited for */
	mesh_bgp_schedule_process();
}

static void mesh_gr_stale_expired(struct thread *t)
{
	struct mesh_peer *peer = THREAD_ARG(t);

	zlog_info("BGP neighbor %pSU: graceful restart time over, removing "
		  "stale paths",
		  &peer->su);
	for (int afi = 0; afi < MESH_AFI_MAX; afi++)
		mesh_rib_peer_sweep_stale(mesh_bgp->rib[afi],
					  peer->rib_peer.index);
	mesh_bgp_schedule_process();
}

void mesh_bgp_session_down(struct mesh_peer *peer, bool graceful)
{
	bool kept = false;

	if (mesh_bgp->peers_up)
		mesh_bgp->peers_up--;
	for (int afi = 0; afi < MESH_AFI_MAX; afi++) {
		THREAD_OFF(peer->t_mrai[afi]);
		mesh_outq_free(peer, afi);
		if (peer->adjout[afi])
			mesh_adjout_clear(peer->adjout[afi]);
		if (!peer->rib_peer.index)
			continue;
		if (graceful && mesh_gr_listed(peer, afi)) {
			mesh_rib_peer_mark_stale(mesh_bgp->rib[afi],
						 peer->rib_peer.index);
			kept = true;
		} else {
			mesh_rib_peer_clear(mesh_bgp->rib[afi],
					    peer->rib_peer.index);
		}
		peer->af_up[afi] = false;
	}
	mesh_export_cache_clear(peer);
	THREAD_OFF(peer->t_gr_stale);
	if (kept) {
		zlog_info("BGP neighbor %pSU: keeping its paths as stale for "
			  "%u s (graceful restart)",
			  &peer->su, peer->gr_time);
		thread_add_timer(master, mesh_gr_stale_expired, peer,
				 peer->gr_time, &peer->t_gr_stale);
	}
	mesh_bgp_schedule_process();
}

/* ---- Local routes ---- */

static void mesh_prefix_from(struct mesh_bgp_prefix *bp, const struct prefix *p)
{
	memset(bp, 0, sizeof(*bp));
	bp->plen = p->prefixlen;
	if (p->family == AF_INET) {
		bp->afi = MESH_BGP_AFI_IPV4;
		memcpy(bp->addr, &p->u.prefix4, 4);
	} else {
		bp->afi = MESH_BGP_AFI_IPV6;
		memcpy(bp->addr, &p->u.prefix6, 16);
	}
}

/*
 * Sequence numbers of our mesh attributes grow across restarts: wall
 * clock seconds in the high bits, a counter below (doc/mesh-attribute.md:
 * a newer sequence number replaces).
 */
uint64_t mesh_attr_sequence_next(void)
{
	static uint64_t last;
	uint64_t now = (uint64_t)time(NULL) << 20;

	last = now > last ? now : last + 1;
	return last;
}

/* The mesh attribute of an IVN prefix this node owns: who originated it
 * and which node it belongs to. Tunnel endpoints and link metrics ride on
 * the node route, which the endpoint agent originates. */
static size_t mesh_attr_for_prefix(uint8_t *buf, size_t size)
{
	struct mesh_attr ma;
	size_t len = 0;

	mesh_attr_init(&ma);
	ma.originator = ntohl(mesh->router_id.s_addr);
	ma.sequence = mesh_attr_sequence_next();
	ma.prefix_owner = ma.originator;
	ma.present |= MESH_ATTR_HAS_ORIGINATOR | MESH_ATTR_HAS_SEQUENCE |
		      MESH_ATTR_HAS_PREFIX_OWNER;
	if (mesh_tunnel_cfg.tenant) {
		ma.tenant = mesh_tunnel_cfg.tenant;
		ma.present |= MESH_ATTR_HAS_TENANT;
	}
	if (mesh_tunnel_cfg.ivn) {
		ma.ivn = mesh_tunnel_cfg.ivn;
		ma.present |= MESH_ATTR_HAS_IVN;
	}
	if (mesh_attr_encode(&ma, NULL, buf, size, &len) < 0)
		return 0;
	return len;
}

/* Put a locally originated route into the RIB; mattr (len octets) is
 * its mesh attribute, or NULL for none. */
static void mesh_bgp_originate_local(const struct prefix *p,
				     const uint8_t *mattr, size_t len)
{
	struct mesh_bgp_prefix bp;
	enum mesh_afi afi = p->family == AF_INET ? MESH_AFI_IP : MESH_AFI_IP6;
	struct mesh_bgp_attrs a;
	struct mesh_aset *attr;

	mesh_prefix_from(&bp, p);
	memset(&a, 0, sizeof(a));
	a.origin = MESH_BGP_ORIGIN_IGP;
	a.as_path_width = 4;
	mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_ORIGIN);
	mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_AS_PATH);
	if (len) {
		a.mesh.p = mattr;
		a.mesh.len = len;
		mesh_bgp_bit_set(a.present,
				 mesh->attr_type ? mesh->attr_type
						 : MESH_BGP_ATTR_MESH_DEFAULT);
	}
	attr = mesh_aset_intern(&a);
	mesh_rib_update(mesh_bgp->rib[afi], &bp, MESH_RIB_PEER_LOCAL, 0, attr,
			mesh_aset_ref(attr), 0, monotime(NULL));
	mesh_bgp_schedule_process();
}

void mesh_bgp_originate(const struct prefix *p, bool add)
{
	uint8_t mbuf[256];
	struct mesh_bgp_prefix bp;
	enum mesh_afi afi = p->family == AF_INET ? MESH_AFI_IP : MESH_AFI_IP6;
	size_t len = 0;

	if (!mesh_bgp)
		return;
	if (!add) {
		mesh_prefix_from(&bp, p);
		mesh_rib_withdraw(mesh_bgp->rib[afi], &bp, MESH_RIB_PEER_LOCAL,
				  0);
		mesh_bgp_schedule_process();
		return;
	}
	if (mesh && mesh->router_id.s_addr != INADDR_ANY)
		len = mesh_attr_for_prefix(mbuf, sizeof(mbuf));
	mesh_bgp_originate_local(p, mbuf, len);
}

void mesh_bgp_originate_attr(const struct prefix *p, const uint8_t *mattr,
			     size_t len)
{
	if (mesh_bgp)
		mesh_bgp_originate_local(p, mattr, len);
}

void mesh_bgp_export_peer_fini(struct mesh_peer *peer)
{
	for (int afi = 0; afi < MESH_AFI_MAX; afi++) {
		THREAD_OFF(peer->t_mrai[afi]);
		mesh_outq_free(peer, afi);
		if (peer->adjout[afi])
			mesh_adjout_free(peer->adjout[afi]);
		peer->adjout[afi] = NULL;
		if (peer->rib_peer.index)
			mesh_rib_peer_clear(mesh_bgp->rib[afi],
					    peer->rib_peer.index);
	}
	mesh_export_cache_clear(peer);
	if (peer->rib_peer.index)
		mesh_rib_peer_del(&peer->rib_peer);
	peer->rib_peer.index = 0;
	mesh_bgp_schedule_process();
}
