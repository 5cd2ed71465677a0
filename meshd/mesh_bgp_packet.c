// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd BGP input: UPDATE and ROUTE-REFRESH messages of an Established
 * session into the RIB.
 *
 * An UPDATE is decoded once (mesh_bgp_wire.c decides RFC 7606 actions
 * and cites their sections); its attributes are normalised (4-octet
 * AS_PATH, no NLRI references) and interned once, then each prefix is
 * one mesh_rib_update() carrying a reference. Inbound policy runs per
 * prefix only when configured. The decision process runs later, in
 * batches (mesh_bgp_export.c).
 *
 * RFC 7606 outcomes:
 *   session reset / AFI-SAFI disable  NOTIFICATION and close (we do not
 *                                     disable single families)
 *   treat-as-withdraw                 every prefix of the UPDATE gets a
 *                                     path flagged INVALID: kept for
 *                                     'show', never selected or exported;
 *                                     the neighbor's counter moves and
 *                                     the whole UPDATE is logged (7606 6)
 *   attribute discard                 the attribute is dropped, the
 *                                     route kept; counted and logged
 */
#include <zebra.h>

#include "lib/log.h"
#include "lib/monotime.h"
#include "lib/sockunion.h"

#include "meshd/meshd.h"
#include "meshd/mesh_bgp.h"
#include "meshd/mesh_debug.h"

DEFINE_MTYPE_STATIC(MESHD, MESH_BGP_LOGBUF, "BGP malformed UPDATE log");

/* ---- Logging ---- */

static void mesh_update_log(struct mesh_peer *peer, const uint8_t *msg,
			    size_t len, const struct mesh_bgp_verdict *v,
			    bool warn)
{
	char text[1024];
	size_t dsize = len * 4 + 64;
	char *dump;

	mesh_bgp_verdict_fmt(text, sizeof(text), v);
	if (warn)
		zlog_warn("BGP neighbor %pSU: malformed UPDATE (%s): %s",
			  &peer->su, mesh_bgp_action_name(v->action), text);
	else
		MESH_DEBUG(updates, "BGP neighbor %pSU: UPDATE (%s): %s",
			   &peer->su, mesh_bgp_action_name(v->action), text);
	if (!warn)
		return;
	/* RFC 7606 6: log the whole malformed UPDATE, rate-limited by the
	 * counter so a flood does not fill the disk. */
	if (peer->st.malformed_logged++ >= 100)
		return;
	dump = XMALLOC(MTYPE_MESH_BGP_LOGBUF, dsize);
	mesh_bgp_hexdump(dump, dsize, msg, len);
	zlog_warn("BGP neighbor %pSU: UPDATE of %zu octets:\n%s", &peer->su,
		  len, dump);
	XFREE(MTYPE_MESH_BGP_LOGBUF, dump);
}

/* ---- Ingestion ---- */

struct mesh_ingest {
	struct mesh_peer *peer;
	enum mesh_afi afi;
	struct mesh_aset *attr_in; /* NULL: withdraw */
	uint16_t flags;
	uint32_t now;
	size_t count;
};

static void mesh_ingest_nlri(struct mesh_ingest *in,
			     const struct mesh_bgp_bytes *nlri)
{
	struct mesh_peer *peer = in->peer;
	struct mesh_rib *rib = mesh_bgp->rib[in->afi];
	struct mesh_bgp_nlri_iter it;
	struct mesh_bgp_prefix p;
	uint16_t wafi = mesh_afi_to_wire(in->afi);

	mesh_bgp_nlri_iter_init(&it, nlri, wafi,
				mesh_bgp_ctx_addpath(&peer->ctx, wafi, false));
	while (mesh_bgp_nlri_iter_next(&it, &p) > 0) {
		uint32_t pid = p.has_path_id ? p.path_id : 0;

		in->count++;
		if (!in->attr_in) {
			mesh_rib_withdraw(rib, &p, peer->rib_peer.index, pid);
			continue;
		}
		if (in->flags & MESH_PATH_INVALID) {
			mesh_rib_update(rib, &p, peer->rib_peer.index, pid,
					mesh_aset_ref(in->attr_in), NULL,
					in->flags, in->now);
			continue;
		}
		mesh_rib_update(rib, &p, peer->rib_peer.index, pid,
				mesh_aset_ref(in->attr_in),
				mesh_policy_in(peer, in->afi, &p, in->attr_in),
				in->flags, in->now);
	}
}

static bool mesh_aspath_has_as(const struct mesh_bgp_bytes *p, uint32_t as)
{
	size_t off = 0;

	while (off + 2 <= p->len) {
		uint8_t cnt = p->p[off + 1];

		for (uint8_t i = 0; i < cnt; i++) {
			const uint8_t *q = p->p + off + 2 + 4 * i;

			if (((uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
			     (uint32_t)q[2] << 8 | q[3]) == as)
				return true;
		}
		off += 2 + (size_t)cnt * 4;
	}
	return false;
}

static bool mesh_aspath_has_confed(const struct mesh_bgp_bytes *p)
{
	size_t off = 0;

	while (off + 2 <= p->len) {
		if (p->p[off] == MESH_BGP_AS_CONFED_SEQUENCE ||
		    p->p[off] == MESH_BGP_AS_CONFED_SET)
			return true;
		off += 2 + (size_t)p->p[off + 1] * 4;
	}
	return false;
}

static bool mesh_cluster_has(const struct mesh_bgp_bytes *cl, uint32_t id)
{
	for (size_t off = 0; off + 4 <= cl->len; off += 4)
		if (((uint32_t)cl->p[off] << 24 |
		     (uint32_t)cl->p[off + 1] << 16 |
		     (uint32_t)cl->p[off + 2] << 8 | cl->p[off + 3]) == id)
			return true;
	return false;
}

static uint32_t mesh_cluster_id(void)
{
	return ntohl(mesh_bgp->cluster_id.s_addr ? mesh_bgp->cluster_id.s_addr
						 : mesh->router_id.s_addr);
}

/*
 * Checks the receiver does after decoding: loops (RFC 4271 9.1.2, RFC
 * 4456 8) make the route unusable, the first AS of an eBGP path must be
 * the neighbor's (RFC 4271 6.3, treat-as-withdraw per RFC 7606 7.2).
 * Returns MESH_PATH_INVALID or 0, with the reason.
 */
/* Not a path flag: tells the caller the reason is a malformation. */
#define MESH_PATH_MALFORMED_HINT 0x8000

static uint16_t mesh_update_usable(struct mesh_peer *peer,
				   const struct mesh_aset *attr,
				   const char **why)
{
	const struct mesh_bgp_attrs *a = &attr->a;

	if (mesh_bgp_attr_present(a, MESH_BGP_ATTR_AS_PATH) &&
	    mesh_aspath_has_as(&a->as_path, mesh_bgp->local_as)) {
		*why = "AS_PATH contains our AS";
		return MESH_PATH_INVALID;
	}
	/* meshd is not a confederation member: such segments from an
	 * external peer make the AS_PATH malformed (RFC 5065 5), which RFC
	 * 7606 7.2 handles as treat-as-withdraw. */
	if (!peer->ctx.ibgp &&
	    mesh_bgp_attr_present(a, MESH_BGP_ATTR_AS_PATH) &&
	    mesh_aspath_has_confed(&a->as_path)) {
		*why = "AS_CONFED segment from an external peer (RFC 5065 5, "
		       "RFC 7606 7.2)";
		return MESH_PATH_INVALID | MESH_PATH_MALFORMED_HINT;
	}
	if (!peer->ctx.ibgp && attr->neighbor_as != peer->cfg.remote_as) {
		*why = "first AS is not the neighbor's (RFC 4271 6.3)";
		return MESH_PATH_INVALID;
	}
	if (mesh_bgp_attr_present(a, MESH_BGP_ATTR_ORIGINATOR_ID) &&
	    a->originator_id == ntohl(mesh->router_id.s_addr)) {
		*why = "ORIGINATOR_ID is our router-id (RFC 4456 8)";
		return MESH_PATH_INVALID;
	}
	if (mesh_bgp_attr_present(a, MESH_BGP_ATTR_CLUSTER_LIST) &&
	    mesh_cluster_has(&a->cluster_list, mesh_cluster_id())) {
		*why = "CLUSTER_LIST contains our cluster-id (RFC 4456 8)";
		return MESH_PATH_INVALID;
	}
	return 0;
}

/* Interns the attributes of u in their RIB form. */
static struct mesh_aset *mesh_update_intern(struct mesh_peer *peer,
					    const struct mesh_bgp_update *u)
{
	struct mesh_bgp_attrs a = u->attrs;
	uint8_t path[MESH_BGP_EXT_MAX_LEN];
	struct mesh_wbuf w;

	a.mp_reach.nlri.len = 0;
	a.mp_reach.nlri.p = NULL;
	a.present[MESH_BGP_ATTR_MP_UNREACH / 8] &=
		(uint8_t) ~(1u << (MESH_BGP_ATTR_MP_UNREACH % 8));
	memset(&a.mp_unreach, 0, sizeof(a.mp_unreach));
	/* 4-octet AS_PATH and AGGREGATOR (RFC 6793 4.2.3); the AS4_
	 * attributes are merged in, or ignored as that section says. */
	mesh_wbuf_init(&w, path, sizeof(path));
	mesh_bgp_as4_merge(&a, &w);
	(void)peer;
	return mesh_aset_intern(&a);
}

static void mesh_update_eor(struct mesh_peer *peer, uint16_t wafi)
{
	enum mesh_afi afi = mesh_afi_from_wire(wafi);
	size_t n;

	if (wafi != MESH_BGP_AFI_IPV4 && wafi != MESH_BGP_AFI_IPV6)
		return;
	peer->eor_rx[afi] = true;
	n = mesh_rib_peer_sweep_stale(mesh_bgp->rib[afi], peer->rib_peer.index);
	MESH_DEBUG(updates,
		   "BGP neighbor %pSU: End-of-RIB %s, %zu stale paths removed",
		   &peer->su, afi == MESH_AFI_IP ? "IPv4" : "IPv6", n);
	mesh_bgp_schedule_process();
}

void mesh_bgp_packet_update(struct mesh_peer *peer, const uint8_t *msg,
			    size_t len)
{
	struct mesh_bgp_update u;
	struct mesh_bgp_verdict v;
	struct mesh_ingest in = {.peer = peer, .now = monotime(NULL)};
	enum mesh_bgp_action act;
	const char *why = NULL;

	act = mesh_bgp_update_decode(msg, len, &peer->ctx, &u, &v);
	switch (act) {
	case MESH_BGP_ACT_SESSION_RESET:
	case MESH_BGP_ACT_AFISAFI_DISABLE: {
		char text[256];

		mesh_update_log(peer, msg, len, &v, true);
		mesh_bgp_verdict_fmt(text, sizeof(text), &v);
		mesh_conn_fail(peer->est, &v.notify, text);
		return;
	}
	case MESH_BGP_ACT_TREAT_AS_WITHDRAW:
		peer->st.treat_as_withdraw++;
		mesh_update_log(peer, msg, len, &v, true);
		in.flags = MESH_PATH_INVALID;
		break;
	case MESH_BGP_ACT_ATTR_DISCARD:
		peer->st.attr_discard++;
		mesh_update_log(peer, msg, len, &v, true);
		break;
	case MESH_BGP_ACT_NONE:
		if (v.n_findings)
			mesh_update_log(peer, msg, len, &v, false);
		break;
	}

	if (u.eor) {
		mesh_update_eor(peer, u.eor_afi);
		return;
	}

	/* Withdrawals first (RFC 4271 9: withdrawn routes, then new). */
	in.afi = MESH_AFI_IP;
	if (u.withdrawn.len && peer->af_up[MESH_AFI_IP])
		mesh_ingest_nlri(&in, &u.withdrawn);
	if (mesh_bgp_attr_present(&u.attrs, MESH_BGP_ATTR_MP_UNREACH) &&
	    u.attrs.mp_unreach.safi == MESH_BGP_SAFI_UNICAST &&
	    (u.attrs.mp_unreach.afi == MESH_BGP_AFI_IPV4 ||
	     u.attrs.mp_unreach.afi == MESH_BGP_AFI_IPV6)) {
		in.afi = mesh_afi_from_wire(u.attrs.mp_unreach.afi);
		if (peer->af_up[in.afi])
			mesh_ingest_nlri(&in, &u.attrs.mp_unreach.nlri);
	}

	if (u.nlri.len ||
	    mesh_bgp_attr_present(&u.attrs, MESH_BGP_ATTR_MP_REACH)) {
		in.attr_in = mesh_update_intern(peer, &u);
		if (!in.flags) {
			in.flags = mesh_update_usable(peer, in.attr_in, &why);
			if (in.flags & MESH_PATH_MALFORMED_HINT) {
				in.flags &= (uint16_t)~MESH_PATH_MALFORMED_HINT;
				peer->st.treat_as_withdraw++;
				zlog_warn("BGP neighbor %pSU: UPDATE treated "
					  "as withdraw: %s",
					  &peer->su, why);
			}
		}
		if (why)
			MESH_DEBUG(updates,
				   "BGP neighbor %pSU: routes of this UPDATE "
				   "unusable: %s",
				   &peer->su, why);
		if (u.nlri.len && peer->af_up[MESH_AFI_IP]) {
			in.afi = MESH_AFI_IP;
			mesh_ingest_nlri(&in, &u.nlri);
		}
		if (mesh_bgp_attr_present(&u.attrs, MESH_BGP_ATTR_MP_REACH) &&
		    u.attrs.mp_reach.safi == MESH_BGP_SAFI_UNICAST &&
		    (u.attrs.mp_reach.afi == MESH_BGP_AFI_IPV4 ||
		     u.attrs.mp_reach.afi == MESH_BGP_AFI_IPV6)) {
			in.afi = mesh_afi_from_wire(u.attrs.mp_reach.afi);
			if (peer->af_up[in.afi])
				mesh_ingest_nlri(&in, &u.attrs.mp_reach.nlri);
		}
		mesh_aset_unref(in.attr_in);
	}
	peer->st.prefixes_in_total += in.count;
	mesh_bgp_schedule_process();
}

/* ---- ROUTE-REFRESH (RFC 2918, RFC 7313) ---- */

void mesh_bgp_packet_refresh(struct mesh_peer *peer, const uint8_t *msg,
			     size_t len)
{
	struct mesh_bgp_rr rr;
	struct mesh_bgp_verdict v;
	char text[256];

	if (mesh_bgp_rr_decode(msg, len, &peer->ctx, &rr, &v) ==
	    MESH_BGP_ACT_SESSION_RESET) {
		mesh_bgp_verdict_fmt(text, sizeof(text), &v);
		mesh_conn_fail(peer->est, &v.notify, text);
		return;
	}
	if (rr.ignore || rr.safi != MESH_BGP_SAFI_UNICAST ||
	    (rr.afi != MESH_BGP_AFI_IPV4 && rr.afi != MESH_BGP_AFI_IPV6))
		return;
	switch (rr.subtype) {
	case MESH_BGP_RR_NORMAL:
		MESH_DEBUG(updates, "BGP neighbor %pSU: route refresh %s",
			   &peer->su,
			   rr.afi == MESH_BGP_AFI_IPV4 ? "IPv4" : "IPv6");
		mesh_bgp_resend(peer, mesh_afi_from_wire(rr.afi));
		break;
	case MESH_BGP_RR_BORR:
		/* RFC 7313 4: paths not refreshed before EoRR are stale. */
		mesh_rib_peer_mark_stale(
			mesh_bgp->rib[mesh_afi_from_wire(rr.afi)],
			peer->rib_peer.index);
		break;
	case MESH_BGP_RR_EORR:
		mesh_rib_peer_sweep_stale(
			mesh_bgp->rib[mesh_afi_from_wire(rr.afi)],
			peer->rib_peer.index);
		mesh_bgp_schedule_process();
		break;
	}
}

/* Asks the peer for its routes again (soft in without stored copies is
 * not needed: the Adj-RIB-In keeps attributes as received). */
void mesh_bgp_send_refresh(struct mesh_peer *peer, enum mesh_afi afi)
{
	uint8_t buf[64];
	struct mesh_wbuf w;

	if (!peer->est || !peer->refresh)
		return;
	mesh_wbuf_init(&w, buf, sizeof(buf));
	mesh_bgp_rr_encode(&w, mesh_afi_to_wire(afi), MESH_BGP_SAFI_UNICAST,
			   MESH_BGP_RR_NORMAL);
	if (!w.err)
		mesh_conn_send(peer->est, w.data, w.len);
}

/* ---- Inbound policy again ---- */

struct mesh_reapply {
	struct mesh_peer *peer;
	enum mesh_afi afi;
};

static bool mesh_reapply_route(struct mesh_route *r, void *arg)
{
	struct mesh_reapply *ra = arg;
	struct {
		uint32_t path_id;
		uint16_t flags;
		uint32_t since;
		struct mesh_aset *in, *out;
	} chg[32];
	size_t n = 0;
	struct mesh_bgp_prefix pfx;

	mesh_route_prefix(r, &pfx);
	/* Collect first: mesh_rib_update() may replace path objects. */
	for (struct mesh_path *p = r->paths; p && n < array_size(chg);
	     p = p->next) {
		struct mesh_aset *attr;

		if (p->peer != ra->peer->rib_peer.index ||
		    (p->flags & MESH_PATH_INVALID))
			continue;
		attr = mesh_policy_in(ra->peer, ra->afi, &pfx, p->attr_in);
		if (attr == p->attr) {
			mesh_aset_unref(attr);
			continue;
		}
		chg[n].path_id = p->path_id;
		chg[n].flags = p->flags;
		chg[n].since = p->since;
		chg[n].in = mesh_aset_ref(p->attr_in);
		chg[n].out = attr;
		n++;
	}
	for (size_t i = 0; i < n; i++)
		mesh_rib_update(mesh_bgp->rib[ra->afi], &pfx,
				ra->peer->rib_peer.index, chg[i].path_id,
				chg[i].in, chg[i].out, chg[i].flags,
				chg[i].since);
	return true;
}

void mesh_bgp_reapply_in(struct mesh_peer *peer, enum mesh_afi afi)
{
	struct mesh_reapply ra = {.peer = peer, .afi = afi};

	if (!mesh_bgp || !mesh_bgp->rib[afi])
		return;
	mesh_rib_walk(mesh_bgp->rib[afi], mesh_reapply_route, &ra);
	mesh_bgp_schedule_process();
}
