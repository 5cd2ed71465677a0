// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd BGP operational commands: show mesh bgp summary | neighbors |
 * ipv4/ipv6 unicast, and clear mesh bgp (hard, soft in, soft out).
 * Configuration commands are in mesh_bgp_cli.c.
 *
 * JSON keys follow bgpd's where the meaning is the same (pfxRcd,
 * pfxSnt, msgRcvd, msgSent, asPath, nextHop, localPref, med), so
 * scripts written for 'show bgp ... json' read these too.
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/json.h"
#include "lib/monotime.h"
#include "lib/prefix.h"
#include "lib/sockunion.h"
#include "lib/vty.h"

#include "bgpd-ext/mesh_attr.h"

#include "meshd/meshd.h"
#include "meshd/mesh_bgp.h"
#include "meshd/mesh_vty.h"

#ifndef VTYSH_EXTRACT_PL
#include "meshd/mesh_bgp_vty_clippy.c"
#endif

#define MESH_STR "Encrypted IVN mesh (meshd)\n"
#define MESH_BGP_STR "BGP speaker of meshd\n"

/* ---- Text of attributes ---- */

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

struct mesh_text {
	char *b;
	size_t size, len;
};

static void mesh_text_add(struct mesh_text *t, const char *fmt, ...)
	PRINTFRR(2, 3);

static void mesh_text_add(struct mesh_text *t, const char *fmt, ...)
{
	va_list ap;
	ssize_t n;

	if (t->len >= t->size)
		return;
	va_start(ap, fmt);
	n = vsnprintfrr(t->b + t->len, t->size - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n;
	if (t->len >= t->size)
		t->len = t->size - 1;
}

static const char *mesh_aspath_str(const struct mesh_bgp_bytes *p, char *buf,
				   size_t size)
{
	struct mesh_text t = {.b = buf, .size = size};
	size_t off = 0;

	buf[0] = '\0';
	while (off + 2 <= p->len) {
		uint8_t type = p->p[off], cnt = p->p[off + 1];
		const char *open = "", *close = "";

		if (type == MESH_BGP_AS_SET)
			open = "{", close = "}";
		else if (type == MESH_BGP_AS_CONFED_SEQUENCE)
			open = "(", close = ")";
		else if (type == MESH_BGP_AS_CONFED_SET)
			open = "[", close = "]";
		mesh_text_add(&t, "%s%s", t.len ? " " : "", open);
		for (uint8_t i = 0; i < cnt && off + 2 + 4 * (i + 1) <= p->len;
		     i++)
			mesh_text_add(
				&t, "%s%u",
				i ? (type == MESH_BGP_AS_SET ||
						     type == MESH_BGP_AS_CONFED_SET
					     ? ","
					     : " ")
				  : "",
				get32(p->p + off + 2 + 4 * i));
		mesh_text_add(&t, "%s", close);
		off += 2 + (size_t)cnt * 4;
	}
	return buf;
}

static const char *mesh_comm_str(const struct mesh_bgp_bytes *c, char *buf,
				 size_t size)
{
	struct mesh_text t = {.b = buf, .size = size};

	buf[0] = '\0';
	for (size_t off = 0; off + 4 <= c->len; off += 4) {
		uint32_t v = get32(c->p + off);

		switch (v) {
		case 0xFFFFFF01:
			mesh_text_add(&t, "%sno-export", t.len ? " " : "");
			break;
		case 0xFFFFFF02:
			mesh_text_add(&t, "%sno-advertise", t.len ? " " : "");
			break;
		case 0xFFFFFF03:
			mesh_text_add(&t, "%slocal-AS", t.len ? " " : "");
			break;
		default:
			mesh_text_add(&t, "%s%u:%u", t.len ? " " : "", v >> 16,
				      v & 0xffff);
		}
	}
	return buf;
}

static const char *mesh_lcomm_str(const struct mesh_bgp_bytes *c, char *buf,
				  size_t size)
{
	struct mesh_text t = {.b = buf, .size = size};

	buf[0] = '\0';
	for (size_t off = 0; off + 12 <= c->len; off += 12)
		mesh_text_add(&t, "%s%u:%u:%u", t.len ? " " : "",
			      get32(c->p + off), get32(c->p + off + 4),
			      get32(c->p + off + 8));
	return buf;
}

static const char *mesh_origin_str(uint8_t o)
{
	return o == MESH_BGP_ORIGIN_IGP	  ? "IGP"
	       : o == MESH_BGP_ORIGIN_EGP ? "EGP"
					  : "incomplete";
}

static void mesh_prefix_str(const struct mesh_bgp_prefix *p, char *buf,
			    size_t size)
{
	struct prefix pfx = {};

	pfx.prefixlen = p->plen;
	if (p->afi == MESH_BGP_AFI_IPV4) {
		pfx.family = AF_INET;
		memcpy(&pfx.u.prefix4, p->addr, 4);
	} else {
		pfx.family = AF_INET6;
		memcpy(&pfx.u.prefix6, p->addr, 16);
	}
	snprintfrr(buf, size, "%pFX", &pfx);
}

static void mesh_nexthop_str(const struct mesh_bgp_attrs *a, char *buf,
			     size_t size)
{
	if (mesh_bgp_attr_present(a, MESH_BGP_ATTR_MP_REACH) &&
	    a->mp_reach.nh.len >= 16) {
		struct in6_addr in6;

		memcpy(&in6, a->mp_reach.nh.p, 16);
		snprintfrr(buf, size, "%pI6", &in6);
	} else if (mesh_bgp_attr_present(a, MESH_BGP_ATTR_MP_REACH) &&
		   a->mp_reach.nh.len == 4) {
		struct in_addr in;

		memcpy(&in, a->mp_reach.nh.p, 4);
		snprintfrr(buf, size, "%pI4", &in);
	} else {
		struct in_addr in = {.s_addr = htonl(a->next_hop)};

		snprintfrr(buf, size, "%pI4", &in);
	}
}

static const char *mesh_rib_peer_str(uint16_t index, char *buf, size_t size)
{
	const struct mesh_rib_peer *rp = mesh_rib_peer_get(index);

	if (index == MESH_RIB_PEER_LOCAL || !rp)
		return "local";
	if (rp->afi == MESH_BGP_AFI_IPV4)
		inet_ntop(AF_INET, rp->addr, buf, size);
	else
		inet_ntop(AF_INET6, rp->addr, buf, size);
	return buf;
}

/* Unknown attributes passed on: raw block entries whose type is in
 * pass_on. The RIB keeps them as meshd re-emits them, so the flags shown
 * are those sent on (Partial set), not necessarily those received. */
static void mesh_unknown_json(const struct mesh_bgp_attrs *a,
			      json_object *jpath)
{
	struct mesh_rbuf b, v;
	json_object *arr = NULL;
	uint8_t flags, type;

	mesh_rbuf_init(&b, a->raw.p, a->raw.len);
	while (mesh_bgp_raw_next(&b, &flags, &type, &v)) {
		char hex[2 * 512 + 1];
		size_t n, len = mesh_rbuf_left(&v);

		if (!mesh_bgp_bit_test(a->pass_on, type))
			continue;
		n = len > 512 ? 512 : len;
		for (size_t i = 0; i < n; i++)
			snprintf(hex + 2 * i, 3, "%02x", mesh_rbuf_cur(&v)[i]);
		hex[2 * n] = '\0';
		if (!arr)
			arr = json_object_new_array();
		json_object *ju = json_object_new_object();

		json_object_int_add(ju, "type", type);
		json_object_string_addf(ju, "flags", "0x%02x", flags);
		json_object_string_add(ju, "value", hex);
		json_object_array_add(arr, ju);
	}
	if (arr)
		json_object_object_add(jpath, "unknownAttributes", arr);
}

/* ---- show mesh bgp summary ---- */

static size_t mesh_peer_pfx_rcvd(const struct mesh_peer *peer)
{
	size_t total = 0, rcv, best;

	if (!peer->rib_peer.index)
		return 0;
	for (int afi = 0; afi < MESH_AFI_MAX; afi++) {
		mesh_rib_peer_counts(mesh_bgp->rib[afi], peer->rib_peer.index,
				     &rcv, &best);
		total += rcv;
	}
	return total;
}

static size_t mesh_peer_pfx_sent(const struct mesh_peer *peer)
{
	size_t total = 0;

	for (int afi = 0; afi < MESH_AFI_MAX; afi++)
		if (peer->adjout[afi])
			total += mesh_adjout_count(peer->adjout[afi]);
	return total;
}

static uint32_t mesh_peer_msgs_in(const struct mesh_peer *peer)
{
	const struct mesh_peer_stats *s = &peer->st;

	return s->open_in + s->update_in + s->notify_in + s->keepalive_in +
	       s->refresh_in;
}

static uint32_t mesh_peer_msgs_out(const struct mesh_peer *peer)
{
	const struct mesh_peer_stats *s = &peer->st;

	return s->open_out + s->update_out + s->notify_out + s->keepalive_out +
	       s->refresh_out;
}

static int mesh_no_bgp(struct vty *vty, bool uj)
{
	if (uj)
		vty_out(vty, "{}\n");
	else
		vty_out(vty, "%% BGP is not configured (router mesh / bgp "
			     "local-as)\n");
	return CMD_SUCCESS;
}

static int mesh_peer_sort(const void *a, const void *b)
{
	const struct mesh_peer *const *x = a, *const *y = b;

	return sockunion_cmp(&(*x)->su, &(*y)->su);
}

/* Neighbors sorted by address; caller frees. */
static struct mesh_peer **mesh_peers_sorted(size_t *n)
{
	struct mesh_peer **arr, *peer;
	size_t i = 0;

	*n = mesh_peer_hash_count(&mesh_bgp->peers);
	arr = XCALLOC(MTYPE_TMP, (*n + 1) * sizeof(*arr));
	frr_each (mesh_peer_hash, &mesh_bgp->peers, peer)
		arr[i++] = peer;
	qsort(arr, *n, sizeof(*arr), mesh_peer_sort);
	return arr;
}

DEFPY(show_mesh_bgp_summary, show_mesh_bgp_summary_cmd,
      "show mesh bgp summary [json]$uj",
      SHOW_STR MESH_STR MESH_BGP_STR "Summary of neighbors\n" JSON_STR)
{
	struct mesh_peer **peers;
	size_t n;
	time_t now = monotime(NULL);
	json_object *js = NULL, *jpeers = NULL;

	if (!mesh_bgp)
		return mesh_no_bgp(vty, !!uj);
	peers = mesh_peers_sorted(&n);
	if (uj) {
		js = json_object_new_object();
		jpeers = json_object_new_object();
		json_object_string_addf(js, "routerId", "%pI4",
					&mesh->router_id);
		json_object_int_add(js, "localAs", mesh_bgp->local_as);
		json_object_int_add(js, "attributeSets", mesh_aset_count());
		mesh_bgp_gr_show(vty, js);
		json_object_object_add(js, "peers", jpeers);
	} else {
		struct mesh_rib_stats s4, s6;

		mesh_rib_stats(mesh_bgp->rib[MESH_AFI_IP], &s4);
		mesh_rib_stats(mesh_bgp->rib[MESH_AFI_IP6], &s6);
		vty_out(vty, "BGP router identifier %pI4, local AS number %u\n",
			&mesh->router_id, mesh_bgp->local_as);
		vty_out(vty,
			"RIB entries: IPv4 %zu (%zu paths), IPv6 %zu (%zu "
			"paths); %zu attribute sets\n",
			s4.routes, s4.paths, s6.routes, s6.paths,
			mesh_aset_count());
		mesh_bgp_gr_show(vty, NULL);
		vty_out(vty, "\n");
		vty_out(vty, "%-39s %10s %9s %9s %8s %-12s %8s %8s\n",
			"Neighbor", "AS", "MsgRcvd", "MsgSent", "Up/Down",
			"State", "PfxRcd", "PfxSnt");
	}
	for (size_t i = 0; i < n; i++) {
		struct mesh_peer *peer = peers[i];
		char addr[INET6_ADDRSTRLEN];
		char up[32];
		time_t d = now - peer->uptime;

		sockunion2str(&peer->su, addr, sizeof(addr));
		snprintf(up, sizeof(up), "%02lld:%02lld:%02lld",
			 (long long)(d / 3600), (long long)(d / 60 % 60),
			 (long long)(d % 60));
		if (uj) {
			json_object *jp = json_object_new_object();

			json_object_int_add(jp, "remoteAs",
					    peer->cfg.remote_as);
			json_object_string_add(
				jp, "state", mesh_fsm_state_name(peer->state));
			json_object_int_add(jp, "uptime", d);
			json_object_int_add(jp, "msgRcvd",
					    mesh_peer_msgs_in(peer));
			json_object_int_add(jp, "msgSent",
					    mesh_peer_msgs_out(peer));
			json_object_int_add(jp, "pfxRcd",
					    mesh_peer_pfx_rcvd(peer));
			json_object_int_add(jp, "pfxSnt",
					    mesh_peer_pfx_sent(peer));
			if (peer->cfg.description)
				json_object_string_add(jp, "desc",
						       peer->cfg.description);
			json_object_object_add(jpeers, addr, jp);
		} else {
			vty_out(vty, "%-39s %10u %9u %9u %8s %-12s %8zu %8zu\n",
				addr, peer->cfg.remote_as,
				mesh_peer_msgs_in(peer),
				mesh_peer_msgs_out(peer), up,
				peer->cfg.shutdown
					? "Idle (Admin)"
					: mesh_fsm_state_name(peer->state),
				mesh_peer_pfx_rcvd(peer),
				mesh_peer_pfx_sent(peer));
		}
	}
	XFREE(MTYPE_TMP, peers);
	if (uj)
		vty_json(vty, js);
	return CMD_SUCCESS;
}

/* ---- show mesh bgp neighbors ---- */

static void mesh_show_peer_json(struct mesh_peer *peer, json_object *jp)
{
	const struct mesh_peer_stats *s = &peer->st;
	json_object *jc = json_object_new_object();
	json_object *jn = json_object_new_object();
	json_object *jcap = json_object_new_object();
	json_object *jaf = json_object_new_object();

	json_object_int_add(jp, "remoteAs", peer->cfg.remote_as);
	json_object_int_add(jp, "localAs", mesh_bgp->local_as);
	json_object_string_add(jp, "type",
			       peer->cfg.remote_as == mesh_bgp->local_as
				       ? "internal"
				       : "external");
	if (peer->cfg.description)
		json_object_string_add(jp, "description",
				       peer->cfg.description);
	json_object_string_add(jp, "state", mesh_fsm_state_name(peer->state));
	json_object_boolean_add(jp, "adminShutdown", peer->cfg.shutdown);
	json_object_boolean_add(jp, "passive", peer->cfg.passive);
	json_object_boolean_add(jp, "md5", peer->cfg.password != NULL);
	json_object_int_add(jp, "ttlSecurityHops", peer->cfg.ttl_hops);
	json_object_int_add(jp, "uptime", monotime(NULL) - peer->uptime);
	json_object_int_add(jp, "connectAttempts", peer->connect_attempts);
	json_object_int_add(jp, "advertisementInterval", peer->cfg.mrai);
	json_object_boolean_add(jp, "mraiTimerRunningIpv4",
				peer->t_mrai[MESH_AFI_IP] != NULL);
	json_object_boolean_add(jp, "mraiTimerRunningIpv6",
				peer->t_mrai[MESH_AFI_IP6] != NULL);
	if (peer->est) {
		json_object_string_addf(jp, "localAddress", "%pSU",
					&peer->est->su_local);
		json_object_string_add(jp, "connection",
				       peer->est->dir == MESH_CONN_OUT
					       ? "outgoing"
					       : "incoming");
		json_object_string_addf(
			jp, "remoteRouterId", "%pI4",
			&(struct in_addr){htonl(peer->open_rx.bgp_id)});
		json_object_int_add(jp, "holdTime", peer->holdtime);
		json_object_int_add(jp, "keepalive", peer->keepalive);
		json_object_boolean_add(jcap, "as4", peer->ctx.as4);
		json_object_boolean_add(jcap, "extendedMessage",
					peer->ctx.ext_msg);
		json_object_boolean_add(jcap, "routeRefresh", peer->refresh);
		json_object_boolean_add(jcap, "enhancedRouteRefresh",
					peer->enhanced_refresh);
		json_object_int_add(jcap, "gracefulRestartTime", peer->gr_time);
		json_object_boolean_add(jcap, "gracefulRestartRBit",
					peer->open_rx.gr_flags &
						MESH_BGP_GR_RESTART_STATE);
		json_object_boolean_add(jcap, "addPathRxIpv4",
					peer->ctx.addpath_rx &
						MESH_BGP_AFB_IPV4);
		json_object_boolean_add(jcap, "addPathRxIpv6",
					peer->ctx.addpath_rx &
						MESH_BGP_AFB_IPV6);
		json_object_boolean_add(jcap, "addPathTxIpv4",
					peer->ctx.addpath_tx &
						MESH_BGP_AFB_IPV4);
		json_object_boolean_add(jcap, "addPathTxIpv6",
					peer->ctx.addpath_tx &
						MESH_BGP_AFB_IPV6);
	}
	json_object_object_add(jp, "capabilities", jcap);
	for (int afi = 0; afi < MESH_AFI_MAX; afi++) {
		json_object *ja = json_object_new_object();
		size_t rcv = 0, best = 0;

		if (peer->rib_peer.index)
			mesh_rib_peer_counts(mesh_bgp->rib[afi],
					     peer->rib_peer.index, &rcv, &best);
		json_object_boolean_add(ja, "configured",
					mesh_peer_af_active(peer, afi));
		json_object_boolean_add(ja, "negotiated", peer->af_up[afi]);
		json_object_int_add(ja, "pfxRcd", rcv);
		json_object_int_add(ja, "pfxBest", best);
		json_object_int_add(
			ja, "pfxSnt",
			peer->adjout[afi] ? mesh_adjout_count(peer->adjout[afi])
					  : 0);
		json_object_boolean_add(ja, "endOfRibRcvd", peer->eor_rx[afi]);
		json_object_boolean_add(ja, "endOfRibSent", peer->eor_tx[afi]);
		json_object_boolean_add(ja, "staleKept",
					peer->t_gr_stale != NULL);
		json_object_object_add(
			jaf, afi == MESH_AFI_IP ? "ipv4Unicast" : "ipv6Unicast",
			ja);
	}
	json_object_object_add(jp, "addressFamilies", jaf);
	json_object_int_add(jc, "opensIn", s->open_in);
	json_object_int_add(jc, "opensOut", s->open_out);
	json_object_int_add(jc, "updatesIn", s->update_in);
	json_object_int_add(jc, "updatesOut", s->update_out);
	json_object_int_add(jc, "keepalivesIn", s->keepalive_in);
	json_object_int_add(jc, "keepalivesOut", s->keepalive_out);
	json_object_int_add(jc, "notificationsIn", s->notify_in);
	json_object_int_add(jc, "notificationsOut", s->notify_out);
	json_object_int_add(jc, "routeRefreshIn", s->refresh_in);
	json_object_int_add(jc, "routeRefreshOut", s->refresh_out);
	json_object_int_add(jc, "established", s->established);
	json_object_int_add(jc, "dropped", s->dropped);
	json_object_int_add(jc, "treatAsWithdraw", s->treat_as_withdraw);
	json_object_int_add(jc, "attrDiscard", s->attr_discard);
	json_object_int_add(jc, "prefixesReceivedTotal", s->prefixes_in_total);
	json_object_object_add(jp, "counters", jc);
	if (peer->last_code) {
		json_object_int_add(jn, "code", peer->last_code);
		json_object_int_add(jn, "subcode", peer->last_subcode);
		json_object_boolean_add(jn, "sent", peer->last_sent);
		if (peer->shut_rx[0])
			json_object_string_add(jn, "shutdownMessage",
					       peer->shut_rx);
	}
	json_object_string_add(jn, "reason", peer->last_reason);
	json_object_object_add(jp, "lastNotification", jn);
}

static void mesh_show_peer_text(struct vty *vty, struct mesh_peer *peer)
{
	json_object *jp = json_object_new_object();

	/* One rendering for both forms keeps them in step: the text form
	 * is the JSON tree, indented. */
	mesh_show_peer_json(peer, jp);
	vty_out(vty, "BGP neighbor is %pSU\n%s\n\n", &peer->su,
		json_object_to_json_string_ext(jp, JSON_C_TO_STRING_PRETTY));
	json_object_free(jp);
}

DEFPY(show_mesh_bgp_neighbors, show_mesh_bgp_neighbors_cmd,
      "show mesh bgp neighbors [<A.B.C.D|X:X::X:X>$addr] [json]$uj",
      SHOW_STR MESH_STR MESH_BGP_STR "Neighbors in detail\n"
				     "IPv4 neighbor address\n"
				     "IPv6 neighbor address\n" JSON_STR)
{
	struct mesh_peer **peers;
	size_t n;
	json_object *js = NULL;
	bool found = false;

	if (!mesh_bgp)
		return mesh_no_bgp(vty, !!uj);
	if (uj)
		js = json_object_new_object();
	peers = mesh_peers_sorted(&n);
	for (size_t i = 0; i < n; i++) {
		struct mesh_peer *peer = peers[i];
		char a[INET6_ADDRSTRLEN];

		if (addr && !sockunion_same(&peer->su, addr))
			continue;
		found = true;
		sockunion2str(&peer->su, a, sizeof(a));
		if (uj) {
			json_object *jp = json_object_new_object();

			mesh_show_peer_json(peer, jp);
			json_object_object_add(js, a, jp);
		} else {
			mesh_show_peer_text(vty, peer);
		}
	}
	XFREE(MTYPE_TMP, peers);
	if (uj)
		vty_json(vty, js);
	else if (addr && !found)
		vty_out(vty, "%% No such neighbor: %s\n", addr_str);
	return CMD_SUCCESS;
}

/* ---- show mesh bgp ipv4|ipv6 unicast ---- */

struct mesh_show_ctx {
	struct vty *vty;
	json_object *jroutes;
	size_t routes, paths;
};

static void mesh_path_json(const struct mesh_route *r,
			   const struct mesh_path *p, json_object *jpath)
{
	const struct mesh_aset *attr = p->attr ? p->attr : p->attr_in;
	const struct mesh_bgp_attrs *a = &attr->a;
	char buf[1024];

	json_object_string_add(jpath, "peer",
			       mesh_rib_peer_str(p->peer, buf, sizeof(buf)));
	json_object_boolean_add(jpath, "best", r->best == p);
	json_object_boolean_add(jpath, "valid",
				!(p->flags & MESH_PATH_INVALID) && p->attr);
	if (p->flags & MESH_PATH_INVALID)
		json_object_boolean_add(jpath, "malformedOrLoop", true);
	if (!p->attr && !(p->flags & MESH_PATH_INVALID))
		json_object_boolean_add(jpath, "deniedByPolicy", true);
	if (p->flags & MESH_PATH_STALE)
		json_object_boolean_add(jpath, "stale", true);
	if (p->path_id)
		json_object_int_add(jpath, "pathId", p->path_id);
	/* The identifier ADD-PATH neighbors receive this path under. */
	json_object_int_add(jpath, "txPathId", p->tx_id);
	mesh_nexthop_str(a, buf, sizeof(buf));
	json_object_string_add(jpath, "nextHop", buf);
	json_object_string_add(jpath, "asPath",
			       mesh_aspath_str(&a->as_path, buf, sizeof(buf)));
	if (mesh_bgp_attr_present(a, MESH_BGP_ATTR_ORIGIN))
		json_object_string_add(jpath, "origin",
				       mesh_origin_str(a->origin));
	if (mesh_bgp_attr_present(a, MESH_BGP_ATTR_MED))
		json_object_int_add(jpath, "med", a->med);
	if (mesh_bgp_attr_present(a, MESH_BGP_ATTR_LOCAL_PREF))
		json_object_int_add(jpath, "localPref", a->local_pref);
	if (mesh_bgp_attr_present(a, MESH_BGP_ATTR_ATOMIC_AGGREGATE))
		json_object_boolean_add(jpath, "atomicAggregate", true);
	if (mesh_bgp_attr_present(a, MESH_BGP_ATTR_AGGREGATOR)) {
		struct in_addr id = {.s_addr = htonl(a->aggregator_id)};

		json_object_string_addf(jpath, "aggregator", "%u %pI4",
					a->aggregator_as, &id);
	}
	if (mesh_bgp_attr_present(a, MESH_BGP_ATTR_COMMUNITIES))
		json_object_string_add(
			jpath, "communities",
			mesh_comm_str(&a->communities, buf, sizeof(buf)));
	if (mesh_bgp_attr_present(a, MESH_BGP_ATTR_LARGE_COMMUNITIES))
		json_object_string_add(jpath, "largeCommunities",
				       mesh_lcomm_str(&a->large_communities,
						      buf, sizeof(buf)));
	if (mesh_bgp_attr_present(a, MESH_BGP_ATTR_EXT_COMMUNITIES))
		json_object_int_add(jpath, "extCommunitiesCount",
				    a->ext_communities.len / 8);
	if (mesh_bgp_attr_present(a, MESH_BGP_ATTR_ORIGINATOR_ID)) {
		struct in_addr id = {.s_addr = htonl(a->originator_id)};

		json_object_string_addf(jpath, "originatorId", "%pI4", &id);
	}
	if (mesh_bgp_attr_present(a, MESH_BGP_ATTR_CLUSTER_LIST))
		json_object_int_add(jpath, "clusterListLength",
				    a->cluster_list.len / 4);
	if (a->mesh.len) {
		struct mesh_attr ma;
		char err[128];
		json_object *jm;

		/* The decoded form, as the bgpd module shows it. */
		if (mesh_attr_decode(a->mesh.p, a->mesh.len, &ma, err,
				     sizeof(err)) == MESH_ATTR_OK) {
			jm = mesh_attr_to_json(&ma);
		} else {
			jm = json_object_new_object();
			json_object_string_add(jm, "error", err);
		}
		json_object_int_add(jm, "length", a->mesh.len);
		json_object_object_add(jpath, "mesh", jm);
	}
	mesh_unknown_json(a, jpath);
	json_object_int_add(jpath, "lastUpdate", p->since);
}

static bool mesh_show_route(struct mesh_route *r, void *arg)
{
	struct mesh_show_ctx *sc = arg;
	char pfx[PREFIX_STRLEN];
	json_object *jarr = NULL;

	struct mesh_bgp_prefix bp;

	mesh_prefix_str(mesh_route_prefix(r, &bp), pfx, sizeof(pfx));
	if (sc->jroutes)
		jarr = json_object_new_array();
	sc->routes++;
	for (struct mesh_path *p = r->paths; p; p = p->next) {
		sc->paths++;
		if (jarr) {
			json_object *jp = json_object_new_object();

			mesh_path_json(r, p, jp);
			json_object_array_add(jarr, jp);
		} else {
			const struct mesh_aset *attr =
				p->attr ? p->attr : p->attr_in;
			char nh[INET6_ADDRSTRLEN + 8], path[512], peer[64];
			const char *status = r->best == p ? "*>"
					     : (p->flags & MESH_PATH_INVALID)
						     ? "x "
					     : !p->attr ? "d "
							: "* ";

			mesh_nexthop_str(&attr->a, nh, sizeof(nh));
			mesh_aspath_str(&attr->a.as_path, path, sizeof(path));
			vty_out(sc->vty, "%s %-24s %-24s %-20s %s%s%s\n",
				status, p == r->paths ? pfx : "", nh,
				mesh_rib_peer_str(p->peer, peer, sizeof(peer)),
				path, path[0] ? " " : "",
				mesh_bgp_attr_present(&attr->a,
						      MESH_BGP_ATTR_ORIGIN)
					? (attr->a.origin == 0	 ? "i"
					   : attr->a.origin == 1 ? "e"
								 : "?")
					: "");
		}
	}
	if (jarr)
		json_object_object_add(sc->jroutes, pfx, jarr);
	return true;
}

static int mesh_show_rib(struct vty *vty, enum mesh_afi afi,
			 const struct prefix *pfx, bool exact, bool uj)
{
	struct mesh_show_ctx sc = {.vty = vty};
	json_object *js = NULL;

	if (!mesh_bgp)
		return mesh_no_bgp(vty, uj);
	if (uj) {
		js = json_object_new_object();
		sc.jroutes = json_object_new_object();
	} else {
		vty_out(vty, "Status: *> best, * valid, x malformed or looped "
			     "(never used), d denied by policy\n");
		vty_out(vty, "   %-24s %-24s %-20s %s\n", "Network", "Next Hop",
			"From", "Path");
	}
	if (pfx) {
		struct mesh_route *r;
		struct mesh_bgp_prefix bp = {};

		bp.plen = pfx->prefixlen;
		bp.afi = mesh_afi_to_wire(afi);
		memcpy(bp.addr, &pfx->u.prefix, afi == MESH_AFI_IP ? 4 : 16);
		r = exact ? mesh_rib_lookup(mesh_bgp->rib[afi], &bp)
			  : mesh_rib_match(mesh_bgp->rib[afi], bp.addr);
		if (r)
			mesh_show_route(r, &sc);
	} else {
		mesh_rib_walk(mesh_bgp->rib[afi], mesh_show_route, &sc);
	}
	if (uj) {
		json_object_object_add(js, "routes", sc.jroutes);
		json_object_int_add(js, "totalRoutes", sc.routes);
		json_object_int_add(js, "totalPaths", sc.paths);
		vty_json(vty, js);
	} else {
		vty_out(vty, "\nDisplayed %zu routes and %zu paths\n",
			sc.routes, sc.paths);
	}
	return CMD_SUCCESS;
}

DEFPY(show_mesh_bgp_ipv4, show_mesh_bgp_ipv4_cmd,
      "show mesh bgp ipv4 [unicast] [<A.B.C.D/M$pfx|A.B.C.D$addr>] [json]$uj",
      SHOW_STR MESH_STR MESH_BGP_STR "IPv4\n"
				     "Unicast\n"
				     "Exact prefix\n"
				     "Longest match of an address\n" JSON_STR)
{
	struct prefix p = {};

	if (addr_str) {
		p.family = AF_INET;
		p.prefixlen = 32;
		p.u.prefix4 = addr;
		return mesh_show_rib(vty, MESH_AFI_IP, &p, false, !!uj);
	}
	return mesh_show_rib(vty, MESH_AFI_IP,
			     pfx_str ? (const struct prefix *)pfx : NULL, true,
			     !!uj);
}

DEFPY(show_mesh_bgp_ipv6, show_mesh_bgp_ipv6_cmd,
      "show mesh bgp ipv6 [unicast] [<X:X::X:X/M$pfx|X:X::X:X$addr>] [json]$uj",
      SHOW_STR MESH_STR MESH_BGP_STR "IPv6\n"
				     "Unicast\n"
				     "Exact prefix\n"
				     "Longest match of an address\n" JSON_STR)
{
	struct prefix p = {};

	if (addr_str) {
		p.family = AF_INET6;
		p.prefixlen = 128;
		p.u.prefix6 = addr;
		return mesh_show_rib(vty, MESH_AFI_IP6, &p, false, !!uj);
	}
	return mesh_show_rib(vty, MESH_AFI_IP6,
			     pfx_str ? (const struct prefix *)pfx : NULL, true,
			     !!uj);
}

/* ---- clear mesh bgp ---- */

DEFPY(clear_mesh_bgp, clear_mesh_bgp_cmd,
      "clear mesh bgp <*$all|A.B.C.D$a4|X:X::X:X$a6> [soft$soft "
      "[<in$in|out$out>]]",
      CLEAR_STR MESH_STR MESH_BGP_STR
      "All neighbors\n"
      "IPv4 neighbor\n"
      "IPv6 neighbor\n"
      "Soft reset: keep the session\n"
      "Inbound: re-apply inbound policy\n"
      "Outbound: send the Adj-RIB-Out difference\n")
{
	struct mesh_peer *peer;
	union sockunion su;
	size_t done = 0;

	if (!mesh_bgp) {
		vty_out(vty, "%% BGP is not configured\n");
		return CMD_WARNING;
	}
	if (!all)
		str2sockunion(a4_str ? a4_str : a6_str, &su);
	frr_each_safe (mesh_peer_hash, &mesh_bgp->peers, peer) {
		if (!all && !sockunion_same(&peer->su, &su))
			continue;
		done++;
		if (!soft) {
			mesh_peer_clear_hard(peer);
			continue;
		}
		for (int afi = 0; afi < MESH_AFI_MAX; afi++) {
			if (!out)
				mesh_peer_clear_soft_in(peer, afi);
			if (!in)
				mesh_peer_clear_soft_out(peer, afi);
		}
	}
	if (!all && !done) {
		vty_out(vty, "%% No such neighbor: %s\n",
			a4_str ? a4_str : a6_str);
		return CMD_WARNING;
	}
	return CMD_SUCCESS;
}

void mesh_bgp_vty_init(void)
{
	install_element(VIEW_NODE, &show_mesh_bgp_summary_cmd);
	install_element(VIEW_NODE, &show_mesh_bgp_neighbors_cmd);
	install_element(VIEW_NODE, &show_mesh_bgp_ipv4_cmd);
	install_element(VIEW_NODE, &show_mesh_bgp_ipv6_cmd);
	install_element(ENABLE_NODE, &clear_mesh_bgp_cmd);
}
