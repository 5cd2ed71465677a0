// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd and zebra.
 *
 * Every remote IVN prefix (a selected route whose mesh attribute names
 * the owning node) is installed through ZAPI with the first tunnel of the
 * primary path to its owner as next hop and the first tunnel of the
 * backup path as ZAPI backup next hop, both as interface next hops.
 * zebra 8.4 keeps backups in its RIB but does not program them into
 * Linux, so the switch is meshd's: when a tunnel's probes declare it
 * down, every route whose primary uses it is re-sent at once with the
 * backup as its only next hop (mesh_zebra_tunnel_changed). The path
 * engine then recomputes from the re-advertised node routes and the
 * routes settle on the new primary and backup.
 *
 * zebra's route owner notifications are tracked per prefix for
 * 'show mesh routes'; an install zebra refused is retried after a second
 * (typically a tunnel interface zebra has not seen yet).
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/if.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/table.h"
#include "lib/vty.h"
#include "lib/zclient.h"

#include "meshd/meshd.h"
#include "meshd/mesh_debug.h"
#include "meshd/mesh_spf.h"
#include "meshd/mesh_topo.h"
#include "meshd/mesh_tunnel.h"
#include "meshd/mesh_zebra.h"

#ifndef VTYSH_EXTRACT_PL
#include "meshd/mesh_zebra_clippy.c"
#endif

DEFINE_MTYPE_STATIC(MESHD, MESH_ZROUTE, "Mesh zebra route");

#define MESH_STR "Encrypted IVN mesh (meshd)\n"
#define MESH_ZEBRA_RETRY_MS 1000

struct mesh_zroute {
	uint32_t owner; /* node ID, host order */
	/* What zebra was last told; 0 = not installed. */
	ifindex_t nh_if, bk_if;
	uint32_t nh_node, bk_node;
	uint32_t metric;
	enum zapi_route_notify_owner note;
	bool noted;
	bool failover; /* running on the backup after a tunnel failure */
};

static struct zclient *zclient;
static struct route_table *zroutes[2]; /* AFI_IP, AFI_IP6 */
static struct thread *t_retry;
static uint64_t n_installs, n_failovers;

/* Graceful restart (mesh_bgp_gr.c): what zebra is to be told, again
 * after it restarts. */
static struct {
	bool enabled;
	uint32_t stale_time;
	bool pending;	   /* route update pending sent, complete not yet */
	bool reconciling;  /* zebra's leftovers are being looked for */
	bool complete_due; /* complete to say once zebra is connected */
} zgr;

static struct route_table *mesh_zebra_table(int family)
{
	return zroutes[family == AF_INET ? 0 : 1];
}

/* A next hop through the tunnel ifindex; over a broadcast link (VXLAN)
 * the node at its far end is the gateway. */
static void mesh_zebra_nexthop(struct zapi_nexthop *nh, ifindex_t ifindex,
			       uint32_t node, bool gateway)
{
	nh->vrf_id = VRF_DEFAULT;
	nh->ifindex = ifindex;
	if (gateway) {
		/* The far node is on the point-to-point link itself: onlink,
		 * so zebra need not have learned the link's address first. */
		nh->type = NEXTHOP_TYPE_IPV4_IFINDEX;
		nh->gate.ipv4.s_addr = htonl(node);
		SET_FLAG(nh->flags, ZAPI_NEXTHOP_FLAG_ONLINK);
	} else {
		nh->type = NEXTHOP_TYPE_IFINDEX;
	}
}

static void mesh_zebra_send(const struct prefix *p, struct mesh_zroute *zr,
			    ifindex_t nh_if, ifindex_t bk_if, uint32_t metric)
{
	bool gw = false;

	struct zapi_route api = {};
	struct zapi_nexthop *nh;

	api.vrf_id = VRF_DEFAULT;
	api.type = ZEBRA_ROUTE_MESH;
	api.safi = SAFI_UNICAST;
	prefix_copy(&api.prefix, p);
	if (!nh_if) {
		if (zr->nh_if && zclient && zclient->sock >= 0)
			zclient_route_send(ZEBRA_ROUTE_DELETE, zclient, &api);
		zr->nh_if = zr->bk_if = 0;
		zr->noted = false;
		return;
	}
	if (zr->nh_if == nh_if && zr->bk_if == bk_if && zr->metric == metric)
		return;
	SET_FLAG(api.message, ZAPI_MESSAGE_NEXTHOP);
	SET_FLAG(api.message, ZAPI_MESSAGE_DISTANCE);
	SET_FLAG(api.message, ZAPI_MESSAGE_METRIC);
	api.distance = MESH_ZEBRA_DISTANCE;
	api.metric = metric;
	api.nexthop_num = 1;
	nh = &api.nexthops[0];
	mesh_tunnel_ifindex(zr->nh_node, NULL, &gw);
	mesh_zebra_nexthop(nh, nh_if, zr->nh_node, gw);
	if (bk_if) {
		SET_FLAG(api.message, ZAPI_MESSAGE_BACKUP_NEXTHOPS);
		SET_FLAG(nh->flags, ZAPI_NEXTHOP_FLAG_HAS_BACKUP);
		nh->backup_num = 1;
		nh->backup_idx[0] = 0;
		api.backup_nexthop_num = 1;
		mesh_tunnel_ifindex(zr->bk_node, NULL, &gw);
		mesh_zebra_nexthop(&api.backup_nexthops[0], bk_if, zr->bk_node,
				   gw);
	}
	/* zebra answers when the forwarding changes; a metric alone does
	 * not reach the kernel, so the last answer still holds then. */
	if (zr->nh_if != nh_if || zr->bk_if != bk_if)
		zr->noted = false;
	zr->nh_if = nh_if;
	zr->bk_if = bk_if;
	zr->metric = metric;
	if (!zclient || zclient->sock < 0)
		return; /* sent when zebra connects */
	zclient_route_send(ZEBRA_ROUTE_ADD, zclient, &api);
	n_installs++;
	MESH_DEBUG(zebra, "%pFX: via ifindex %d, backup ifindex %d", p, nh_if,
		   bk_if);
}

/* Work out and send the next hops of one prefix. */
static void mesh_zebra_route_eval(struct route_node *rn)
{
	struct mesh_zroute *zr = rn->info;
	const struct mesh_spf_ctx *spf = mesh_topo_spf();
	struct mesh_spf_route rt;
	ifindex_t nh = 0, bk = 0;
	bool nh_up = false, bk_up = false;

	zr->nh_node = zr->bk_node = 0;
	zr->failover = false;
	if (spf && zr->owner && mesh_spf_route_get(spf, zr->owner, &rt) == 0 &&
	    rt.reason == MESH_SPF_OK) {
		nh = mesh_tunnel_ifindex(rt.nexthop_id, &nh_up, NULL);
		zr->nh_node = rt.nexthop_id;
		if (rt.backup_reason == MESH_SPF_OK) {
			bk = mesh_tunnel_ifindex(rt.backup_nexthop_id, &bk_up,
						 NULL);
			zr->bk_node = rt.backup_nexthop_id;
		}
		if (!bk_up) {
			bk = 0;
			zr->bk_node = 0;
		}
		if (!nh_up) {
			/* The path engine has not caught up with a failed
			 * tunnel yet: its backup carries the traffic. */
			nh = bk;
			zr->nh_node = zr->bk_node;
			bk = 0;
			zr->bk_node = 0;
			zr->failover = nh != 0;
		}
	}
	mesh_zebra_send(&rn->p, zr, nh, bk,
			nh ? (uint32_t)MIN(rt.cost, UINT32_MAX) : 0);
}

/*
 * Re-evaluate the prefixes whose primary or backup next hop is the tunnel
 * to peer (every prefix if all). count: the tunnel went down, so each
 * prefix it carried is one failover.
 */
static void mesh_zebra_eval_via(uint32_t peer, bool all, bool count)
{
	for (int i = 0; i < 2; i++)
		for (struct route_node *rn = route_top(zroutes[i]); rn;
		     rn = route_next(rn)) {
			struct mesh_zroute *zr = rn->info;

			if (!zr)
				continue;
			if (count && zr->nh_node == peer)
				n_failovers++;
			if (all || zr->nh_node == peer || zr->bk_node == peer)
				mesh_zebra_route_eval(rn);
		}
}

void mesh_zebra_prefix_update(const struct prefix *p, uint32_t owner)
{
	struct route_node *rn;
	struct mesh_zroute *zr;

	if (owner) {
		rn = route_node_get(mesh_zebra_table(p->family), p);
		if (!rn->info)
			rn->info = XCALLOC(MTYPE_MESH_ZROUTE, sizeof(*zr));
		else
			route_unlock_node(rn);
		zr = rn->info;
		zr->owner = owner;
		mesh_zebra_route_eval(rn);
		return;
	}
	rn = route_node_lookup(mesh_zebra_table(p->family), p);
	if (!rn)
		return;
	route_unlock_node(rn);
	zr = rn->info;
	if (!zr)
		return;
	mesh_zebra_send(&rn->p, zr, 0, 0, 0);
	XFREE(MTYPE_MESH_ZROUTE, rn->info);
	route_unlock_node(rn);
}

void mesh_zebra_paths_changed(void)
{
	mesh_zebra_eval_via(0, true, false);
}

void mesh_zebra_tunnel_changed(uint32_t peer, bool up)
{
	/* A tunnel coming up may be any prefix's better path. */
	mesh_zebra_eval_via(peer, up, !up);
}

void mesh_zebra_tunnel_moved(uint32_t peer)
{
	mesh_zebra_eval_via(peer, false, false);
}

/* ---- zebra session ---- */

static void mesh_zebra_retry(struct thread *t)
{
	for (int i = 0; i < 2; i++)
		for (struct route_node *rn = route_top(zroutes[i]); rn;
		     rn = route_next(rn)) {
			struct mesh_zroute *zr = rn->info;

			if (zr && zr->noted &&
			    zr->note == ZAPI_ROUTE_FAIL_INSTALL) {
				/* Withdraw, then install afresh: zebra keeps
				 * what it computed for the refused route. */
				mesh_zebra_send(&rn->p, zr, 0, 0, 0);
				mesh_zebra_route_eval(rn);
			}
		}
}

static int mesh_zebra_route_notify(ZAPI_CALLBACK_ARGS)
{
	struct prefix p;
	enum zapi_route_notify_owner note;
	uint32_t table;
	afi_t afi;
	safi_t safi;
	struct route_node *rn;

	if (!zapi_route_notify_decode(zclient->ibuf, &p, &table, &note, &afi,
				      &safi))
		return -1;
	rn = route_node_lookup(mesh_zebra_table(p.family), &p);
	if (!rn)
		return 0;
	route_unlock_node(rn);
	if (rn->info) {
		struct mesh_zroute *zr = rn->info;

		zr->note = note;
		zr->noted = true;
		if (note == ZAPI_ROUTE_FAIL_INSTALL) {
			zlog_warn("mesh: zebra did not install %pFX", &p);
			if (!t_retry)
				thread_add_timer_msec(master, mesh_zebra_retry,
						      NULL, MESH_ZEBRA_RETRY_MS,
						      &t_retry);
		}
	}
	return 0;
}

static void mesh_zebra_cap_send(enum zserv_client_capabilities cap, afi_t afi)
{
	struct zapi_cap api = {
		.cap = cap,
		.stale_removal_time = zgr.stale_time,
		.afi = afi,
		.safi = SAFI_UNICAST,
		.vrf_id = VRF_DEFAULT,
	};

	if (!zclient || zclient->sock < 0)
		return;
	if (zclient_capabilities_send(ZEBRA_CLIENT_CAPABILITIES, zclient,
				      &api) == ZCLIENT_SEND_FAILURE)
		zlog_warn("mesh: zebra: sending graceful restart capability "
			  "%d failed",
			  cap);
}

static void mesh_zebra_gr_send(void)
{
	if (!zgr.enabled) {
		mesh_zebra_cap_send(ZEBRA_CLIENT_GR_DISABLE, AFI_IP);
		return;
	}
	mesh_zebra_cap_send(ZEBRA_CLIENT_GR_CAPABILITIES, AFI_IP);
	mesh_zebra_cap_send(ZEBRA_CLIENT_RIB_STALE_TIME, AFI_IP);
	if (zgr.pending)
		for (afi_t afi = AFI_IP; afi <= AFI_IP6; afi++)
			mesh_zebra_cap_send(ZEBRA_CLIENT_ROUTE_UPDATE_PENDING,
					    afi);
}

/*
 * zebra keeps meshd's routes for stale_time seconds once meshd is gone
 * (enabled), or removes them at once (the default).
 */
void mesh_zebra_gr_capabilities(bool enabled, uint32_t stale_time)
{
	if (!enabled && !zgr.enabled)
		return;
	zgr.enabled = enabled;
	zgr.stale_time = stale_time;
	if (!enabled)
		zgr.pending = zgr.complete_due = false;
	mesh_zebra_gr_send();
}

/* meshd restarted: zebra's routes of the meshd before are stale until
 * mesh_zebra_gr_update_complete(). */
void mesh_zebra_gr_update_pending(void)
{
	zgr.pending = true;
	for (afi_t afi = AFI_IP; afi <= AFI_IP6; afi++)
		mesh_zebra_cap_send(ZEBRA_CLIENT_ROUTE_UPDATE_PENDING, afi);
}

/* meshd restarted and has not yet said it installed everything again. */
bool mesh_zebra_gr_pending(void)
{
	return zgr.pending;
}

/*
 * Everything is installed again: zebra removes the stale rest. zebra
 * tells stale from refreshed by whole seconds (a route installed in the
 * second meshd went away counts as refreshed), so meshd also asks once
 * for zebra's mesh routes (a redistribution request, dropped right after
 * zebra has sent them) and deletes those it did not install again.
 */
void mesh_zebra_gr_update_complete(void)
{
	if (!zgr.pending)
		return;
	if (!zclient || zclient->sock < 0) {
		/* said once zebra is back (mesh_zebra_connected) */
		zgr.complete_due = true;
		return;
	}
	zgr.pending = zgr.complete_due = false;
	for (afi_t afi = AFI_IP; afi <= AFI_IP6; afi++)
		mesh_zebra_cap_send(ZEBRA_CLIENT_ROUTE_UPDATE_COMPLETE, afi);
	zgr.reconciling = true;
	for (afi_t afi = AFI_IP; afi <= AFI_IP6; afi++) {
		/* zclient's own bookkeeping refuses our own route type */
		zebra_redistribute_send(ZEBRA_REDISTRIBUTE_ADD, zclient, afi,
					ZEBRA_ROUTE_MESH, 0, VRF_DEFAULT);
		zebra_redistribute_send(ZEBRA_REDISTRIBUTE_DELETE, zclient, afi,
					ZEBRA_ROUTE_MESH, 0, VRF_DEFAULT);
	}
}

/* One of zebra's mesh routes, as the reconciliation above asked. */
static int mesh_zebra_redist_route(ZAPI_CALLBACK_ARGS)
{
	struct zapi_route api;
	struct route_node *rn;
	bool ours;

	if (zapi_route_decode(zclient->ibuf, &api) < 0)
		return -1;
	if (!zgr.reconciling || cmd != ZEBRA_REDISTRIBUTE_ROUTE_ADD ||
	    api.type != ZEBRA_ROUTE_MESH ||
	    (api.prefix.family != AF_INET && api.prefix.family != AF_INET6))
		return 0;
	rn = route_node_lookup(zroutes[api.prefix.family == AF_INET6],
			       &api.prefix);
	ours = rn && rn->info && ((struct mesh_zroute *)rn->info)->nh_if;
	if (rn)
		route_unlock_node(rn);
	if (ours)
		return 0;
	/* usually zebra's own sweep is removing it already */
	MESH_DEBUG(zebra,
		   "%pFX: left in zebra by the meshd before the restart, "
		   "deleting it",
		   &api.prefix);
	api.message = 0;
	api.nexthop_num = 0;
	zclient_route_send(ZEBRA_ROUTE_DELETE, zclient, &api);
	return 0;
}

static void mesh_zebra_connected(struct zclient *zc)
{
	zclient_send_reg_requests(zc, VRF_DEFAULT);
	if (zgr.enabled)
		mesh_zebra_gr_send();
	/* zebra (re)started: everything is sent again. */
	for (int i = 0; i < 2; i++)
		for (struct route_node *rn = route_top(zroutes[i]); rn;
		     rn = route_next(rn))
			if (rn->info)
				((struct mesh_zroute *)rn->info)->nh_if = 0;
	mesh_zebra_eval_via(0, true, false);
	/* a graceful restart that settled while zebra was away */
	if (zgr.complete_due)
		mesh_zebra_gr_update_complete();
}

/* ---- interfaces and addresses ---- */

static int mesh_zebra_if_up(struct interface *ifp)
{
	mesh_tunnel_if_event(ifp->name, ifp->ifindex, true, false);
	return 0;
}

static int mesh_zebra_if_down(struct interface *ifp)
{
	mesh_tunnel_if_event(ifp->name, ifp->ifindex, false, false);
	return 0;
}

static int mesh_zebra_if_destroy(struct interface *ifp)
{
	/* ifp->ifindex is still the deleted interface's here: a tunnel
	 * remade under the same name meanwhile is not touched */
	mesh_tunnel_if_event(ifp->name, ifp->ifindex, false, true);
	return 0;
}

static int mesh_zebra_if_address(ZAPI_CALLBACK_ARGS)
{
	struct connected *ifc;
	bool added = cmd == ZEBRA_INTERFACE_ADDRESS_ADD;

	ifc = zebra_interface_address_read(cmd, zclient->ibuf, vrf_id);
	if (!ifc)
		return 0;
	mesh_tunnel_endpoint_event(ifc->address, added);
	if (!added)
		connected_free(&ifc);
	return 0;
}

static zclient_handler *const mesh_zebra_handlers[] = {
	[ZEBRA_ROUTE_NOTIFY_OWNER] = mesh_zebra_route_notify,
	[ZEBRA_INTERFACE_ADDRESS_ADD] = mesh_zebra_if_address,
	[ZEBRA_REDISTRIBUTE_ROUTE_ADD] = mesh_zebra_redist_route,
	[ZEBRA_REDISTRIBUTE_ROUTE_DEL] = mesh_zebra_redist_route,
	[ZEBRA_INTERFACE_ADDRESS_DELETE] = mesh_zebra_if_address,
};

/* ---- show ---- */

static const char *mesh_zebra_note_str(const struct mesh_zroute *zr)
{
	if (!zr->nh_if)
		return "not installed";
	if (!zr->noted)
		return "sent";
	switch (zr->note) {
	case ZAPI_ROUTE_INSTALLED:
		return "installed";
	case ZAPI_ROUTE_FAIL_INSTALL:
		return "install failed";
	case ZAPI_ROUTE_BETTER_ADMIN_WON:
		return "better admin distance won";
	case ZAPI_ROUTE_REMOVED:
		return "removed";
	case ZAPI_ROUTE_REMOVE_FAIL:
		return "remove failed";
	}
	return "?";
}

DEFPY(show_mesh_routes, show_mesh_routes_cmd, "show mesh routes [json]$uj",
      SHOW_STR MESH_STR
      "Routes to remote IVN prefixes over the tunnels\n" JSON_STR)
{
	json_object *js = json_object_new_object();
	json_object *jr = json_object_new_object();
	char ifn[IFNAMSIZ];

	json_object_int_add(js, "installs", n_installs);
	json_object_int_add(js, "failovers", n_failovers);
	json_object_boolean_add(js, "zebraConnected",
				zclient && zclient->sock >= 0);
	if (!uj)
		vty_out(vty, "%-20s %-15s %-16s %-16s %s\n", "Prefix", "Owner",
			"Via", "Backup", "State");
	for (int i = 0; i < 2; i++)
		for (struct route_node *rn = route_top(zroutes[i]); rn;
		     rn = route_next(rn)) {
			struct mesh_zroute *zr = rn->info;
			char nh_name[IFNAMSIZ] = "-", bk_name[IFNAMSIZ] = "-";
			json_object *j;

			if (!zr)
				continue;
			if (zr->nh_if && if_indextoname(zr->nh_if, ifn))
				strlcpy(nh_name, ifn, sizeof(nh_name));
			if (zr->bk_if && if_indextoname(zr->bk_if, ifn))
				strlcpy(bk_name, ifn, sizeof(bk_name));
			if (!uj) {
				vty_out(vty,
					"%-20pFX %-15pI4 %-16s %-16s %s%s\n",
					&rn->p,
					&(struct in_addr){htonl(zr->owner)},
					nh_name, bk_name,
					mesh_zebra_note_str(zr),
					zr->failover ? " (on backup)" : "");
				continue;
			}
			j = json_object_new_object();
			json_object_string_addf(
				j, "owner", "%pI4",
				&(struct in_addr){htonl(zr->owner)});
			json_object_string_add(j, "state",
					       mesh_zebra_note_str(zr));
			json_object_boolean_add(j, "onBackup", zr->failover);
			if (zr->nh_if) {
				json_object_string_add(j, "interface", nh_name);
				json_object_string_addf(
					j, "nextHopNode", "%pI4",
					&(struct in_addr){htonl(zr->nh_node)});
				json_object_int_add(j, "metric", zr->metric);
			}
			if (zr->bk_if) {
				json_object_string_add(j, "backupInterface",
						       bk_name);
				json_object_string_addf(
					j, "backupNextHopNode", "%pI4",
					&(struct in_addr){htonl(zr->bk_node)});
			}
			json_object_object_addf(jr, j, "%pFX", &rn->p);
		}
	json_object_object_add(js, "routes", jr);
	if (uj)
		vty_json(vty, js);
	else
		json_object_free(js);
	return CMD_SUCCESS;
}

void mesh_zebra_init(void)
{
	struct zclient_options opt = {.receive_notify = true};

	zroutes[0] = route_table_init();
	zroutes[1] = route_table_init();
	zclient = zclient_new(master, &opt, mesh_zebra_handlers,
			      array_size(mesh_zebra_handlers));
	zclient_init(zclient, ZEBRA_ROUTE_MESH, 0, &mesh_privs);
	zclient->zebra_connected = mesh_zebra_connected;
	if_zapi_callbacks(NULL, mesh_zebra_if_up, mesh_zebra_if_down,
			  mesh_zebra_if_destroy);
	install_element(VIEW_NODE, &show_mesh_routes_cmd);
}

void mesh_zebra_terminate(void)
{
	THREAD_OFF(t_retry);
	for (int i = 0; i < 2; i++) {
		if (!zroutes[i])
			continue;
		for (struct route_node *rn = route_top(zroutes[i]); rn;
		     rn = route_next(rn))
			if (rn->info) {
				mesh_zebra_send(&rn->p, rn->info, 0, 0, 0);
				XFREE(MTYPE_MESH_ZROUTE, rn->info);
			}
		route_table_finish(zroutes[i]);
		zroutes[i] = NULL;
	}
	if (zclient) {
		zclient_stop(zclient);
		zclient_free(zclient);
		zclient = NULL;
	}
}
