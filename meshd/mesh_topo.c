// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd topology: the connectivity graph fed from the BGP RIB, the path
 * computation behind a hold-down, and 'show mesh topology|paths|spf'.
 *
 * Every selected route whose mesh attribute is a node advertisement (an
 * originator, links, no prefix owner) is one route of its node in the
 * graph (mesh_graph_attr_apply); a route that loses its best path or its
 * attribute withdraws. When the graph changed, the path engine runs after
 * a short hold-down (MESH_SPF_HOLDDOWN_MS), so a burst of UPDATEs costs
 * one run; the engine itself decides between an incremental and a full
 * run.
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/json.h"
#include "lib/memory.h"
#include "lib/monotime.h"
#include "lib/vty.h"

#include "bgpd-ext/mesh_attr.h"

#include "meshd/meshd.h"
#include "meshd/mesh_bgp.h"
#include "meshd/mesh_debug.h"
#include "meshd/mesh_spf.h"
#include "meshd/mesh_topo.h"
#include "meshd/mesh_tunnel.h"
#include "meshd/mesh_zebra.h"

#ifndef VTYSH_EXTRACT_PL
#include "meshd/mesh_topo_clippy.c"
#endif

#define MESH_STR "Encrypted IVN mesh (meshd)\n"
/* Long enough to gather a burst of UPDATEs, short against failover. */
#define MESH_SPF_HOLDDOWN_MS 50

static struct mesh_graph *topo_graph;
static struct mesh_spf_ctx *topo_spf;
static struct thread *t_spf;
static uint32_t topo_src; /* router-id the context was made for */

/* A stable 64-bit key for a prefix: the graph counts a node's routes. */
static uint64_t mesh_topo_route_key(const struct mesh_bgp_prefix *p)
{
	uint64_t h = 1469598103934665603ULL;
	size_t n = p->afi == MESH_BGP_AFI_IPV4 ? 4 : 16;

	h = (h ^ p->afi) * 1099511628211ULL;
	h = (h ^ p->plen) * 1099511628211ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p->addr[i]) * 1099511628211ULL;
	return h;
}

static void mesh_topo_spf_run(struct thread *t)
{
	uint32_t src = mesh ? ntohl(mesh->router_id.s_addr) : 0;
	struct mesh_spf_params sp = {.src_id = src, .use_src_tenant = true};

	if (!topo_graph)
		return;
	if (!topo_spf || topo_src != src) {
		mesh_spf_free(topo_spf);
		topo_spf = mesh_spf_new(&sp);
		topo_src = src;
	}
	if (mesh_spf_run_pending(topo_spf, topo_graph) < 0)
		MESH_DEBUG(spf,
			   "path computation: this node (%pI4) is not in the "
			   "graph yet",
			   &mesh->router_id);
	MESH_DEBUG(
		spf, "path computation: %s run in %llu us",
		mesh_spf_run_kind_str(mesh_spf_get_stats(topo_spf)->last_kind),
		(unsigned long long)mesh_spf_get_stats(topo_spf)->last_usec);
	mesh_zebra_paths_changed();
}

const struct mesh_spf_ctx *mesh_topo_spf(void)
{
	return topo_spf;
}

static void mesh_topo_schedule(void)
{
	if (!t_spf)
		thread_add_timer_msec(master, mesh_topo_spf_run, NULL,
				      MESH_SPF_HOLDDOWN_MS, &t_spf);
}

void mesh_topo_route_changed(const struct mesh_route *r)
{
	struct mesh_bgp_prefix p;
	const struct mesh_aset *as = r->best ? r->best->attr : NULL;
	struct mesh_attr ma;
	enum mesh_graph_attr_result res;
	bool announce = false, decoded = false;
	uint32_t owner = 0;
	uint64_t gen, key;
	struct prefix fp = {};

	if (!topo_graph)
		topo_graph = mesh_graph_new();
	mesh_route_prefix(r, &p);
	key = mesh_topo_route_key(&p);
	if (as && as->a.mesh.len &&
	    mesh_attr_decode(as->a.mesh.p, as->a.mesh.len, &ma, NULL, 0) ==
		    MESH_ATTR_OK)
		decoded = true;
	if (decoded && !(ma.present & MESH_ATTR_HAS_PREFIX_OWNER))
		announce = true;
	else if (decoded && mesh &&
		 ma.prefix_owner != ntohl(mesh->router_id.s_addr))
		owner = ma.prefix_owner;

	/* IVN prefixes of other nodes go to zebra over the tunnels. */
	fp.family = p.afi == MESH_BGP_AFI_IPV4 ? AF_INET : AF_INET6;
	fp.prefixlen = p.plen;
	memcpy(&fp.u.prefix, p.addr, fp.family == AF_INET ? 4 : 16);
	mesh_zebra_prefix_update(&fp, owner);

	/* Node routes: tunnel endpoints and keys, then the graph. */
	if (announce)
		mesh_tunnel_node_update(key, &ma, as->a.mesh.p, as->a.mesh.len);
	else
		mesh_tunnel_node_withdraw(key);
	gen = topo_graph->topo_gen;
	res = mesh_graph_attr_apply(topo_graph, key, announce ? &ma : NULL,
				    announce);
	if (res != MESH_GRAPH_ATTR_UNKNOWN)
		MESH_DEBUG(spf, "node route %s: %s",
			   announce ? "announced" : "withdrawn",
			   mesh_graph_attr_result_str(res));
	if (topo_graph->topo_gen != gen)
		mesh_topo_schedule();
}

/* ---- show ---- */

static const char *mesh_id_str(uint32_t id, char *buf, size_t size)
{
	struct in_addr in = {.s_addr = htonl(id)};

	inet_ntop(AF_INET, &in, buf, size);
	return buf;
}

/* ---- text forms, rendered from the same JSON the json forms print ---- */

static const char *mesh_js_str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v)
						     : "-";
}

static int64_t mesh_js_int(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v)
						     : 0;
}

/* "a > b > c" from an array of node IDs. */
static void mesh_js_path(struct vty *vty, json_object *o, const char *key)
{
	json_object *a;

	if (!json_object_object_get_ex(o, key, &a)) {
		vty_out(vty, "-");
		return;
	}
	for (size_t i = 0; i < json_object_array_length(a); i++)
		vty_out(vty, "%s%s", i ? " > " : "",
			json_object_get_string(
				json_object_array_get_idx(a, i)));
}

static void mesh_topology_text(struct vty *vty, json_object *js)
{
	json_object *nodes;

	if (!json_object_object_get_ex(js, "nodes", &nodes))
		return;
	json_object_object_foreach(nodes, id, jn)
	{
		json_object *links;

		vty_out(vty,
			"Node %s  tenant %" PRId64 "  sequence %" PRId64
			"  routes %" PRId64 "\n",
			id, mesh_js_int(jn, "tenant"),
			mesh_js_int(jn, "sequence"), mesh_js_int(jn, "routes"));
		if (!json_object_object_get_ex(jn, "links", &links))
			continue;
		vty_out(vty, "  %-15s %10s %10s %9s %5s %7s %6s %10s\n", "Peer",
			"Delay(us)", "Jitter(us)", "Loss", "Up", "TwoWay",
			"Usable", "Cost");
		for (size_t i = 0; i < json_object_array_length(links); i++) {
			json_object *l = json_object_array_get_idx(links, i);

			vty_out(vty,
				"  %-15s %10" PRId64 " %10" PRId64 " %9" PRId64
				" %5s %7s %6s %10" PRId64 "\n",
				mesh_js_str(l, "peer"),
				mesh_js_int(l, "delayUs"),
				mesh_js_int(l, "jitterUs"),
				mesh_js_int(l, "loss"), mesh_js_str(l, "up"),
				mesh_js_str(l, "twoWay"),
				mesh_js_str(l, "usable"),
				mesh_js_int(l, "cost"));
		}
	}
}

static void mesh_paths_text(struct vty *vty, json_object *js)
{
	vty_out(vty, "%-15s %-8s %8s %-15s %s\n", "Destination", "Status",
		"Cost", "Next hop", "Path");
	json_object_object_foreach(js, id, jd)
	{
		if (!json_object_is_type(jd, json_type_object)) {
			vty_out(vty, "%s\n", json_object_get_string(jd));
			continue;
		}
		vty_out(vty, "%-15s %-8s %8" PRId64 " %-15s ", id,
			mesh_js_str(jd, "status"), mesh_js_int(jd, "cost"),
			mesh_js_str(jd, "nextHop"));
		mesh_js_path(vty, jd, "path");
		vty_out(vty, "\n  backup: %s", mesh_js_str(jd, "backupStatus"));
		if (json_object_object_get_ex(jd, "backupNextHop", NULL)) {
			vty_out(vty, ", %s, cost %" PRId64 ", via %s: ",
				mesh_js_str(jd, "backupKind"),
				mesh_js_int(jd, "backupCost"),
				mesh_js_str(jd, "backupNextHop"));
			mesh_js_path(vty, jd, "backupPath");
		}
		vty_out(vty, "\n");
	}
}

static void mesh_spf_stats_text(struct vty *vty, json_object *js)
{
	json_object_object_foreach(js, key, v)
		vty_out(vty, "  %-22s %s\n", key, json_object_get_string(v));
}

DEFPY(show_mesh_topology, show_mesh_topology_cmd,
      "show mesh topology [json]$uj",
      SHOW_STR MESH_STR
      "Connectivity graph built from received attributes\n" JSON_STR)
{
	json_object *js = json_object_new_object();
	json_object *jnodes = json_object_new_object();
	char id[INET_ADDRSTRLEN], peer[INET_ADDRSTRLEN];

	for (uint32_t s = 0; topo_graph && s < topo_graph->n_slots; s++) {
		const struct mesh_graph_node *n = &topo_graph->nodes[s];
		json_object *jn, *jl;

		if (!n->in_use)
			continue;
		jn = json_object_new_object();
		jl = json_object_new_array();
		json_object_int_add(jn, "tenant", n->tenant);
		json_object_int_add(jn, "sequence", n->seqno);
		json_object_int_add(jn, "routes", n->n_routes);
		for (uint32_t e = 0; e < n->n_edges; e++) {
			const struct mesh_graph_edge *ed = &n->edges[e];
			json_object *je = json_object_new_object();

			json_object_string_add(je, "peer",
					       mesh_id_str(ed->adv.peer_id,
							   peer, sizeof(peer)));
			json_object_int_add(je, "delayUs", ed->adv.delay_us);
			json_object_int_add(je, "jitterUs", ed->adv.jitter_us);
			json_object_int_add(je, "loss", ed->adv.loss);
			json_object_int_add(je, "maxBandwidth", ed->adv.max_bw);
			json_object_int_add(je, "availBandwidth",
					    ed->adv.avail_bw);
			json_object_boolean_add(je, "up", ed->adv.up);
			json_object_boolean_add(je, "twoWay",
						ed->head != MESH_GRAPH_NONE);
			json_object_boolean_add(je, "usable", ed->usable);
			json_object_int_add(je, "cost", ed->cost);
			json_object_array_add(jl, je);
		}
		json_object_object_add(jn, "links", jl);
		json_object_object_add(jnodes,
				       mesh_id_str(n->id, id, sizeof(id)), jn);
	}
	json_object_object_add(js, "nodes", jnodes);
	if (uj) {
		vty_json(vty, js);
		return CMD_SUCCESS;
	}
	mesh_topology_text(vty, js);
	json_object_free(js);
	return CMD_SUCCESS;
}

static json_object *mesh_path_json(uint32_t dst, bool backup)
{
	uint32_t ids[64];
	size_t n = mesh_spf_path(topo_spf, dst, backup, ids, array_size(ids));
	json_object *ja = json_object_new_array();
	char buf[INET_ADDRSTRLEN];

	for (size_t i = 0; i < n && i < array_size(ids); i++)
		json_object_array_add(ja, json_object_new_string(mesh_id_str(
						  ids[i], buf, sizeof(buf))));
	return ja;
}

DEFPY(show_mesh_paths, show_mesh_paths_cmd,
      "show mesh paths [A.B.C.D$node] [json]$uj",
      SHOW_STR MESH_STR "Primary and backup paths to every node\n"
			"One destination node (its node ID)\n" JSON_STR)
{
	json_object *js = json_object_new_object();
	char id[INET_ADDRSTRLEN], nh[INET_ADDRSTRLEN];

	if (!topo_spf || !topo_graph) {
		json_object_string_add(js, "status",
				       "no path computation yet: no node "
				       "advertisement received");
	} else {
		for (uint32_t s = 0; s < topo_graph->n_slots; s++) {
			const struct mesh_graph_node *gn =
				&topo_graph->nodes[s];
			struct mesh_spf_route rt;
			json_object *jd;

			if (!gn->in_use || gn->id == topo_src ||
			    (node_str && gn->id != ntohl(node.s_addr)) ||
			    mesh_spf_route_get(topo_spf, gn->id, &rt) < 0)
				continue;
			jd = json_object_new_object();
			json_object_string_add(jd, "status",
					       mesh_spf_reason_str(rt.reason));
			if (rt.reason == MESH_SPF_OK) {
				json_object_int_add(jd, "cost", rt.cost);
				json_object_int_add(jd, "hops", rt.hops);
				json_object_string_add(
					jd, "nextHop",
					mesh_id_str(rt.nexthop_id, nh,
						    sizeof(nh)));
				json_object_object_add(
					jd, "path",
					mesh_path_json(gn->id, false));
			}
			json_object_string_add(
				jd, "backupStatus",
				mesh_spf_reason_str(rt.backup_reason));
			if (rt.backup_reason == MESH_SPF_OK) {
				json_object_string_add(
					jd, "backupKind",
					mesh_spf_backup_str(&rt));
				json_object_boolean_add(jd, "backupDisjoint",
							rt.backup_disjoint);
				json_object_int_add(jd, "backupCost",
						    rt.backup_cost);
				json_object_string_add(
					jd, "backupNextHop",
					mesh_id_str(rt.backup_nexthop_id, nh,
						    sizeof(nh)));
				json_object_object_add(
					jd, "backupPath",
					mesh_path_json(gn->id, true));
			}
			json_object_object_add(
				js, mesh_id_str(gn->id, id, sizeof(id)), jd);
		}
	}
	if (uj) {
		vty_json(vty, js);
		return CMD_SUCCESS;
	}
	mesh_paths_text(vty, js);
	json_object_free(js);
	return CMD_SUCCESS;
}

DEFPY(show_mesh_spf_statistics, show_mesh_spf_statistics_cmd,
      "show mesh spf statistics [json]$uj",
      SHOW_STR MESH_STR "Path computation\n"
			"Runs and their durations\n" JSON_STR)
{
	const struct mesh_spf_stats *st =
		topo_spf ? mesh_spf_get_stats(topo_spf) : NULL;
	json_object *js = json_object_new_object();

	json_object_int_add(js, "holddownMs", MESH_SPF_HOLDDOWN_MS);
	json_object_int_add(js, "nodes",
			    topo_graph ? mesh_graph_node_count(topo_graph) : 0);
	json_object_boolean_add(js, "runScheduled", t_spf != NULL);
	if (st) {
		json_object_int_add(js, "runs", st->runs);
		json_object_int_add(js, "runsFull", st->runs_full);
		json_object_int_add(js, "runsIncremental",
				    st->runs_incremental);
		json_object_int_add(js, "runsSkipped", st->runs_skipped);
		json_object_string_add(js, "lastKind",
				       mesh_spf_run_kind_str(st->last_kind));
		json_object_string_add(
			js, "lastFullReason",
			mesh_spf_full_reason_str(st->last_full_reason));
		json_object_int_add(js, "lastUsec", st->last_usec);
		json_object_int_add(js, "lastFullUsec", st->last_full_usec);
		json_object_int_add(js, "lastIncrementalUsec",
				    st->last_incremental_usec);
		json_object_int_add(js, "maxUsec", st->max_usec);
	} else {
		json_object_int_add(js, "runs", 0);
	}
	if (uj) {
		vty_json(vty, js);
		return CMD_SUCCESS;
	}
	mesh_spf_stats_text(vty, js);
	json_object_free(js);
	return CMD_SUCCESS;
}

bool mesh_topo_spf_pending(void)
{
	return t_spf != NULL;
}

void mesh_topo_init(void)
{
	install_element(VIEW_NODE, &show_mesh_topology_cmd);
	install_element(VIEW_NODE, &show_mesh_paths_cmd);
	install_element(VIEW_NODE, &show_mesh_spf_statistics_cmd);
}

void mesh_topo_terminate(void)
{
	THREAD_OFF(t_spf);
	mesh_spf_free(topo_spf);
	topo_spf = NULL;
	if (topo_graph)
		mesh_graph_free(topo_graph);
	topo_graph = NULL;
}
