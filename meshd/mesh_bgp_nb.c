// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd northbound: configuration callbacks of the BGP speaker
 * (/frr-meshd:mesh/router/bgp).
 *
 * NB_EV_VALIDATE refuses, with a reason for the operator, what the model
 * cannot express (address kinds, octet lengths, prefix families), so a
 * commit is refused whole before anything is applied. NB_EV_APPLY copies
 * values into the speaker and never fails.
 *
 * A commit often changes several leaves of one neighbor (vtysh -b, frr-
 * reload, 'neighbor X timers' sets two). Leaf callbacks only record what
 * each change needs of the session; the apply_finish callback of the bgp
 * container then acts once per neighbor: one session reset for a commit
 * that changes password and timers, none for a description.
 */
#include <zebra.h>

#include "lib/log.h"
#include "lib/northbound.h"
#include "lib/prefix.h"
#include "lib/printfrr.h"
#include "lib/sockunion.h"
#include "lib/yang.h"

#include "meshd/meshd.h"
#include "meshd/mesh_bgp.h"
#include "meshd/mesh_debug.h"
#include "meshd/mesh_nb.h"

DEFINE_MTYPE_STATIC(MESHD, MESH_NB_PENDING, "Mesh BGP pending changes");

/* RFC 2385 gives no limit; Linux's TCP_MD5SIG_MAXKEYLEN is 80 octets. */
#define MESH_MD5_KEY_MAX 80
/* RFC 9003 2: the shutdown communication is at most 255 octets. */
#define MESH_SHUTDOWN_MSG_MAX 255

/* ---- What one commit asks of each neighbor ---- */

#define MESH_PEND_START 0x01	  /* new neighbor */
#define MESH_PEND_RESET 0x02	  /* session restarts */
#define MESH_PEND_SHUTDOWN 0x04	  /* shutdown set or lifted */
#define MESH_PEND_POLICY_IN 0x08  /* inbound policy re-run */
#define MESH_PEND_POLICY_OUT 0x10 /* re-export */
#define MESH_PEND_MD5 0x20	  /* key to (re)install on listen sockets */

struct mesh_nb_pending {
	struct mesh_peer *peer;
	uint8_t flags;
};

static struct {
	struct mesh_nb_pending *peers;
	size_t n, size;
	bool identity; /* local AS changed */
	bool listen;   /* listen port changed */
	bool timers;   /* instance timers changed */
	bool cluster;  /* cluster ID changed */
	bool gr;       /* graceful restart settings changed */
	bool gr_reset; /* ... and the capability with them */
} pend;

static void mesh_nb_pend(struct mesh_peer *peer, uint8_t flags)
{
	for (size_t i = 0; i < pend.n; i++) {
		if (pend.peers[i].peer == peer) {
			pend.peers[i].flags |= flags;
			return;
		}
	}
	if (pend.n == pend.size) {
		pend.size = pend.size ? pend.size * 2 : 8;
		pend.peers = XREALLOC(MTYPE_MESH_NB_PENDING, pend.peers,
				      pend.size * sizeof(*pend.peers));
	}
	pend.peers[pend.n].peer = peer;
	pend.peers[pend.n].flags = flags;
	pend.n++;
}

static void mesh_nb_pend_forget(struct mesh_peer *peer)
{
	for (size_t i = 0; i < pend.n; i++) {
		if (pend.peers[i].peer == peer) {
			pend.peers[i] = pend.peers[--pend.n];
			return;
		}
	}
}

static void mesh_nb_pend_act(struct mesh_peer *peer, uint8_t flags)
{
	if (flags & MESH_PEND_MD5)
		mesh_bgp_listen_md5(peer);
	if (flags & MESH_PEND_START) {
		/* a new neighbor: its first session sees all of it */
		if (!peer->cfg.shutdown)
			mesh_fsm_start(peer);
		return;
	}
	if (flags & MESH_PEND_SHUTDOWN) {
		/* going down covers everything else; coming up starts a
		 * fresh session */
		mesh_peer_config_changed(peer, MESH_PEER_CHANGE_SHUTDOWN);
		return;
	}
	if (flags & MESH_PEND_RESET) {
		mesh_peer_config_changed(peer, MESH_PEER_CHANGE_RESET);
		return;
	}
	if (flags & MESH_PEND_POLICY_IN)
		mesh_peer_config_changed(peer, MESH_PEER_CHANGE_POLICY_IN);
	if (flags & MESH_PEND_POLICY_OUT)
		mesh_peer_config_changed(peer, MESH_PEER_CHANGE_POLICY_OUT);
}

/* Once per commit that touched anything under bgp. */
void mesh_bgp_apply_finish(struct nb_cb_apply_finish_args *args)
{
	struct mesh_peer *peer;

	if (mesh_bgp) {
		if (pend.gr)
			mesh_bgp_gr_config_changed();
		if (pend.gr_reset && !pend.identity) {
			/* the capability changed: sessions renegotiate */
			pend.identity = true;
		}
		if (pend.timers || pend.cluster) {
			frr_each (mesh_peer_hash, &mesh_bgp->peers, peer) {
				/* the instance timers are those of neighbors
				 * without their own; the cluster ID matters to
				 * internal sessions (RFC 4456 8) */
				if ((pend.timers &&
				     peer->cfg.holdtime == 0xffff) ||
				    (pend.cluster &&
				     peer->cfg.remote_as == mesh_bgp->local_as))
					mesh_nb_pend(peer, MESH_PEND_RESET);
			}
		}
		if (pend.listen)
			mesh_bgp_listen_changed();
		if (pend.identity) {
			/* every session restarts: only keys and new
			 * neighbors' starts are left to do */
			for (size_t i = 0; i < pend.n; i++)
				if (pend.peers[i].flags & MESH_PEND_MD5)
					mesh_bgp_listen_md5(pend.peers[i].peer);
			mesh_bgp_identity_changed();
		} else {
			for (size_t i = 0; i < pend.n; i++)
				mesh_nb_pend_act(pend.peers[i].peer,
						 pend.peers[i].flags);
		}
	}

	XFREE(MTYPE_MESH_NB_PENDING, pend.peers);
	pend.n = pend.size = 0;
	pend.identity = pend.listen = pend.timers = pend.cluster = false;
	pend.gr = pend.gr_reset = false;
}

/* ---- Helpers ---- */

static const struct lyd_node *mesh_nb_ancestor(const struct lyd_node *dnode,
					       const char *name)
{
	for (; dnode; dnode = lyd_parent(dnode))
		if (strcmp(dnode->schema->name, name) == 0)
			return dnode;
	return NULL;
}

/* The family of a neighbor/address-family or address-family entry at or
 * above dnode. */
static enum mesh_afi mesh_nb_afi(const struct lyd_node *dnode)
{
	const struct lyd_node *af = mesh_nb_ancestor(dnode, "address-family");

	return yang_dnode_get_enum(af, "./afi") == 1 ? MESH_AFI_IP6
						     : MESH_AFI_IP;
}

static struct mesh_peer *mesh_nb_peer(const struct lyd_node *dnode)
{
	return nb_running_get_entry(dnode, NULL, true);
}

static const char *mesh_nb_afi_name(enum mesh_afi afi)
{
	return afi == MESH_AFI_IP6 ? "IPv6" : "IPv4";
}

/* ---- Instance ---- */

/* The speaker comes with its AS: everything else that is already
 * configured (defaults included) is read here. */
static void mesh_nb_bgp_load(const struct lyd_node *bgp)
{
	if (yang_dnode_exists(bgp, "./cluster-id"))
		yang_dnode_get_ipv4(&mesh_bgp->cluster_id, bgp, "./cluster-id");
	mesh_bgp->port = yang_dnode_get_uint16(bgp, "./listen-port");
	mesh_bgp->keepalive = yang_dnode_get_uint16(bgp, "./timers/keepalive");
	mesh_bgp->holdtime = yang_dnode_get_uint16(bgp, "./timers/hold-time");
	mesh_bgp->gr.enabled =
		yang_dnode_get_bool(bgp, "./graceful-restart/enabled");
	mesh_bgp->gr.restart_time =
		yang_dnode_get_uint16(bgp, "./graceful-restart/restart-time");
	mesh_bgp->gr.defer_time = yang_dnode_get_uint16(
		bgp, "./graceful-restart/select-defer-time");
	pend.gr = true;
}

int mesh_bgp_local_as_modify(struct nb_cb_modify_args *args)
{
	uint32_t as;

	if (args->event != NB_EV_APPLY)
		return NB_OK;

	as = yang_dnode_get_uint32(args->dnode, NULL);
	if (!mesh_bgp) {
		mesh_bgp_create(as);
		mesh_nb_bgp_load(lyd_parent(args->dnode));
		mesh_bgp_listen_start();
		return NB_OK;
	}
	if (mesh_bgp->local_as != as) {
		mesh_bgp->local_as = as;
		pend.identity = true;
	}
	return NB_OK;
}

/* The model keeps neighbors and networks from outliving local-as. */
int mesh_bgp_local_as_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;

	pend.n = 0;
	mesh_bgp_delete();
	return NB_OK;
}

int mesh_bgp_cluster_id_modify(struct nb_cb_modify_args *args)
{
	struct in_addr id;

	yang_dnode_get_ipv4(&id, args->dnode, NULL);
	switch (args->event) {
	case NB_EV_VALIDATE:
		if (id.s_addr == INADDR_ANY) {
			snprintf(args->errmsg, args->errmsg_len,
				 "cluster-id 0.0.0.0 is not usable: leave it "
				 "unset to use the router-id");
			return NB_ERR_VALIDATION;
		}
		return NB_OK;
	case NB_EV_PREPARE:
	case NB_EV_ABORT:
		return NB_OK;
	case NB_EV_APPLY:
		break;
	}

	if (mesh_bgp && mesh_bgp->cluster_id.s_addr != id.s_addr) {
		mesh_bgp->cluster_id = id;
		pend.cluster = true;
	}
	return NB_OK;
}

int mesh_bgp_cluster_id_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY || !mesh_bgp)
		return NB_OK;

	if (mesh_bgp->cluster_id.s_addr != INADDR_ANY) {
		mesh_bgp->cluster_id.s_addr = INADDR_ANY;
		pend.cluster = true;
	}
	return NB_OK;
}

/* ---- Graceful restart ---- */

int mesh_bgp_gr_enabled_modify(struct nb_cb_modify_args *args)
{
	bool on;

	if (args->event != NB_EV_APPLY || !mesh_bgp)
		return NB_OK;
	on = yang_dnode_get_bool(args->dnode, NULL);
	if (mesh_bgp->gr.enabled != on) {
		mesh_bgp->gr.enabled = on;
		pend.gr = pend.gr_reset = true;
	}
	return NB_OK;
}

int mesh_bgp_gr_restart_time_modify(struct nb_cb_modify_args *args)
{
	uint16_t t;

	if (args->event != NB_EV_APPLY || !mesh_bgp)
		return NB_OK;
	t = yang_dnode_get_uint16(args->dnode, NULL);
	if (mesh_bgp->gr.restart_time != t) {
		mesh_bgp->gr.restart_time = t;
		pend.gr = true;
		pend.gr_reset |= mesh_bgp->gr.enabled;
	}
	return NB_OK;
}

int mesh_bgp_gr_select_defer_time_modify(struct nb_cb_modify_args *args)
{
	uint16_t t;

	if (args->event != NB_EV_APPLY || !mesh_bgp)
		return NB_OK;
	t = yang_dnode_get_uint16(args->dnode, NULL);
	if (mesh_bgp->gr.defer_time != t) {
		mesh_bgp->gr.defer_time = t;
		pend.gr = true;
	}
	return NB_OK;
}

int mesh_bgp_listen_port_modify(struct nb_cb_modify_args *args)
{
	uint16_t port;

	if (args->event != NB_EV_APPLY || !mesh_bgp)
		return NB_OK;

	port = yang_dnode_get_uint16(args->dnode, NULL);
	if (mesh_bgp->port != port) {
		mesh_bgp->port = port;
		pend.listen = true;
	}
	return NB_OK;
}

int mesh_bgp_timers_keepalive_modify(struct nb_cb_modify_args *args)
{
	uint16_t v;

	if (args->event != NB_EV_APPLY || !mesh_bgp)
		return NB_OK;

	v = yang_dnode_get_uint16(args->dnode, NULL);
	if (mesh_bgp->keepalive != v) {
		mesh_bgp->keepalive = v;
		pend.timers = true;
	}
	return NB_OK;
}

int mesh_bgp_timers_hold_time_modify(struct nb_cb_modify_args *args)
{
	uint16_t v;

	if (args->event != NB_EV_APPLY || !mesh_bgp)
		return NB_OK;

	v = yang_dnode_get_uint16(args->dnode, NULL);
	if (mesh_bgp->holdtime != v) {
		mesh_bgp->holdtime = v;
		pend.timers = true;
	}
	return NB_OK;
}

/* ---- Neighbors ---- */

/*
 * A neighbor is a unicast address this speaker can open TCP to. IPv6
 * link-local addresses would need an interface, which meshd does not
 * configure.
 */
static bool mesh_nb_neighbor_address_ok(const union sockunion *su, char *buf,
					size_t len)
{
	if (sockunion_family(su) == AF_INET) {
		uint32_t a = ntohl(su->sin.sin_addr.s_addr);

		if (a == INADDR_ANY || a == INADDR_BROADCAST ||
		    IN_MULTICAST(a) || IN_EXPERIMENTAL(a)) {
			snprintfrr(buf, len,
				   "neighbor %pSU: not a unicast address", su);
			return false;
		}
		return true;
	}
	if (IN6_IS_ADDR_UNSPECIFIED(&su->sin6.sin6_addr) ||
	    IN6_IS_ADDR_MULTICAST(&su->sin6.sin6_addr) ||
	    IN6_IS_ADDR_V4MAPPED(&su->sin6.sin6_addr)) {
		snprintfrr(buf, len, "neighbor %pSU: not a unicast address",
			   su);
		return false;
	}
	if (IN6_IS_ADDR_LINKLOCAL(&su->sin6.sin6_addr)) {
		snprintfrr(buf, len,
			   "neighbor %pSU: link-local neighbors need an "
			   "interface, which meshd does not support; use a "
			   "global address",
			   su);
		return false;
	}
	return true;
}

int mesh_bgp_neighbor_create(struct nb_cb_create_args *args)
{
	union sockunion su;
	struct mesh_peer *peer;
	const char *addr = yang_dnode_get_string(args->dnode, "./address");

	if (str2sockunion(addr, &su) < 0) {
		/* the model's type makes this unreachable */
		snprintf(args->errmsg, args->errmsg_len,
			 "neighbor %s: not an IP address", addr);
		return NB_ERR_VALIDATION;
	}

	switch (args->event) {
	case NB_EV_VALIDATE: {
		uint32_t count = yang_get_list_elements_count(
			lyd_first_sibling(args->dnode));

		if (!mesh_nb_neighbor_address_ok(&su, args->errmsg,
						 args->errmsg_len))
			return NB_ERR_VALIDATION;
		/* index 0 of the RIB is the local speaker */
		if (count > MESH_RIB_PEERS_MAX - 1) {
			snprintf(args->errmsg, args->errmsg_len,
				 "at most %u neighbors can be configured",
				 MESH_RIB_PEERS_MAX - 1);
			return NB_ERR_VALIDATION;
		}
		return NB_OK;
	}
	case NB_EV_PREPARE:
	case NB_EV_ABORT:
		return NB_OK;
	case NB_EV_APPLY:
		break;
	}

	peer = mesh_peer_create(&su);
	nb_running_set_entry(args->dnode, peer);
	mesh_nb_pend(peer, MESH_PEND_START);
	return NB_OK;
}

int mesh_bgp_neighbor_destroy(struct nb_cb_destroy_args *args)
{
	struct mesh_peer *peer;

	if (args->event != NB_EV_APPLY)
		return NB_OK;

	peer = nb_running_unset_entry(args->dnode);
	mesh_nb_pend_forget(peer);
	mesh_peer_delete(peer);
	return NB_OK;
}

int mesh_bgp_neighbor_remote_as_modify(struct nb_cb_modify_args *args)
{
	struct mesh_peer *peer;
	uint32_t as;

	if (args->event != NB_EV_APPLY)
		return NB_OK;

	peer = mesh_nb_peer(args->dnode);
	as = yang_dnode_get_uint32(args->dnode, NULL);
	if (peer->cfg.remote_as != as) {
		peer->cfg.remote_as = as;
		mesh_nb_pend(peer, MESH_PEND_RESET);
	}
	return NB_OK;
}

/* A string leaf of the neighbor; 'what' is the change it asks for. */
static int mesh_nb_peer_str(const struct lyd_node *dnode, size_t field_off,
			    const char *value, uint8_t what)
{
	struct mesh_peer *peer = mesh_nb_peer(dnode);
	char **field = (char **)((char *)&peer->cfg + field_off);

	if ((*field == NULL && value == NULL) ||
	    (*field && value && strcmp(*field, value) == 0))
		return NB_OK;
	mesh_peer_cfg_str_set(field, value);
	if (what)
		mesh_nb_pend(peer, what);
	return NB_OK;
}

int mesh_bgp_neighbor_description_modify(struct nb_cb_modify_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	return mesh_nb_peer_str(args->dnode,
				offsetof(struct mesh_peer_config, description),
				yang_dnode_get_string(args->dnode, NULL), 0);
}

int mesh_bgp_neighbor_description_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	return mesh_nb_peer_str(args->dnode,
				offsetof(struct mesh_peer_config, description),
				NULL, 0);
}

int mesh_bgp_neighbor_password_modify(struct nb_cb_modify_args *args)
{
	const char *key = yang_dnode_get_string(args->dnode, NULL);

	switch (args->event) {
	case NB_EV_VALIDATE:
		/* the model counts characters; the kernel counts octets */
		if (strlen(key) > MESH_MD5_KEY_MAX) {
			snprintf(
				args->errmsg, args->errmsg_len,
				"A TCP-MD5 key is at most %u octets (RFC 2385, "
				"TCP_MD5SIG_MAXKEYLEN); this one has %zu",
				MESH_MD5_KEY_MAX, strlen(key));
			return NB_ERR_VALIDATION;
		}
		return NB_OK;
	case NB_EV_PREPARE:
	case NB_EV_ABORT:
		return NB_OK;
	case NB_EV_APPLY:
		break;
	}
	return mesh_nb_peer_str(args->dnode,
				offsetof(struct mesh_peer_config, password),
				key, MESH_PEND_MD5 | MESH_PEND_RESET);
}

int mesh_bgp_neighbor_password_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	return mesh_nb_peer_str(args->dnode,
				offsetof(struct mesh_peer_config, password),
				NULL, MESH_PEND_MD5 | MESH_PEND_RESET);
}

static void mesh_nb_peer_ttl(const struct lyd_node *dnode, uint8_t hops)
{
	struct mesh_peer *peer = mesh_nb_peer(dnode);

	if (peer->cfg.ttl_hops != hops) {
		peer->cfg.ttl_hops = hops;
		mesh_nb_pend(peer, MESH_PEND_RESET);
	}
}

int mesh_bgp_neighbor_ttl_security_hops_modify(struct nb_cb_modify_args *args)
{
	if (args->event == NB_EV_APPLY)
		mesh_nb_peer_ttl(args->dnode,
				 yang_dnode_get_uint8(args->dnode, NULL));
	return NB_OK;
}

int mesh_bgp_neighbor_ttl_security_hops_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event == NB_EV_APPLY)
		mesh_nb_peer_ttl(args->dnode, 0);
	return NB_OK;
}

int mesh_bgp_neighbor_passive_modify(struct nb_cb_modify_args *args)
{
	struct mesh_peer *peer;
	bool v;

	if (args->event != NB_EV_APPLY)
		return NB_OK;

	peer = mesh_nb_peer(args->dnode);
	v = yang_dnode_get_bool(args->dnode, NULL);
	if (peer->cfg.passive != v) {
		peer->cfg.passive = v;
		mesh_nb_pend(peer, MESH_PEND_RESET);
	}
	return NB_OK;
}

int mesh_bgp_neighbor_shutdown_modify(struct nb_cb_modify_args *args)
{
	struct mesh_peer *peer;
	bool v;

	if (args->event != NB_EV_APPLY)
		return NB_OK;

	peer = mesh_nb_peer(args->dnode);
	v = yang_dnode_get_bool(args->dnode, NULL);
	if (peer->cfg.shutdown != v) {
		peer->cfg.shutdown = v;
		mesh_nb_pend(peer, MESH_PEND_SHUTDOWN);
	}
	return NB_OK;
}

/* Only sent when the neighbor is shut down: a change alone does nothing
 * to the session. */
int mesh_bgp_neighbor_shutdown_message_modify(struct nb_cb_modify_args *args)
{
	const char *msg = yang_dnode_get_string(args->dnode, NULL);

	switch (args->event) {
	case NB_EV_VALIDATE:
		if (strlen(msg) > MESH_SHUTDOWN_MSG_MAX) {
			snprintf(args->errmsg, args->errmsg_len,
				 "A shutdown communication is at most %u "
				 "octets of UTF-8 (RFC 9003); this one has %zu",
				 MESH_SHUTDOWN_MSG_MAX, strlen(msg));
			return NB_ERR_VALIDATION;
		}
		return NB_OK;
	case NB_EV_PREPARE:
	case NB_EV_ABORT:
		return NB_OK;
	case NB_EV_APPLY:
		break;
	}
	return mesh_nb_peer_str(args->dnode,
				offsetof(struct mesh_peer_config, shutdown_msg),
				msg, 0);
}

int mesh_bgp_neighbor_shutdown_message_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	return mesh_nb_peer_str(args->dnode,
				offsetof(struct mesh_peer_config, shutdown_msg),
				NULL, 0);
}

int mesh_bgp_neighbor_port_modify(struct nb_cb_modify_args *args)
{
	struct mesh_peer *peer;
	uint16_t v;

	if (args->event != NB_EV_APPLY)
		return NB_OK;

	peer = mesh_nb_peer(args->dnode);
	v = yang_dnode_get_uint16(args->dnode, NULL);
	if (peer->cfg.port != v) {
		peer->cfg.port = v;
		mesh_nb_pend(peer, MESH_PEND_RESET);
	}
	return NB_OK;
}

/* Neighbor timers: 0xffff stands for "the speaker's". */
static void mesh_nb_peer_timer(const struct lyd_node *dnode, bool keepalive,
			       uint16_t v)
{
	struct mesh_peer *peer = mesh_nb_peer(dnode);
	uint16_t *field =
		keepalive ? &peer->cfg.keepalive : &peer->cfg.holdtime;

	if (*field != v) {
		*field = v;
		mesh_nb_pend(peer, MESH_PEND_RESET);
	}
}

int mesh_bgp_neighbor_timers_keepalive_modify(struct nb_cb_modify_args *args)
{
	if (args->event == NB_EV_APPLY)
		mesh_nb_peer_timer(args->dnode, true,
				   yang_dnode_get_uint16(args->dnode, NULL));
	return NB_OK;
}

int mesh_bgp_neighbor_timers_keepalive_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event == NB_EV_APPLY)
		mesh_nb_peer_timer(args->dnode, true, 0xffff);
	return NB_OK;
}

int mesh_bgp_neighbor_timers_hold_time_modify(struct nb_cb_modify_args *args)
{
	if (args->event == NB_EV_APPLY)
		mesh_nb_peer_timer(args->dnode, false,
				   yang_dnode_get_uint16(args->dnode, NULL));
	return NB_OK;
}

int mesh_bgp_neighbor_timers_hold_time_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event == NB_EV_APPLY)
		mesh_nb_peer_timer(args->dnode, false, 0xffff);
	return NB_OK;
}

/* Used for the next connection attempt; nothing to restart. */
int mesh_bgp_neighbor_timers_connect_retry_modify(
	struct nb_cb_modify_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;

	mesh_nb_peer(args->dnode)->cfg.connect_retry =
		yang_dnode_get_uint16(args->dnode, NULL);
	return NB_OK;
}

/* Takes effect at once: what waits goes out, no session restart. */
int mesh_bgp_neighbor_advertisement_interval_modify(
	struct nb_cb_modify_args *args)
{
	struct mesh_peer *peer;

	if (args->event != NB_EV_APPLY)
		return NB_OK;

	peer = mesh_nb_peer(args->dnode);
	peer->cfg.mrai = yang_dnode_get_uint16(args->dnode, NULL);
	mesh_bgp_mrai_changed(peer);
	return NB_OK;
}

/* ---- Neighbor address families ---- */

int mesh_bgp_neighbor_af_create(struct nb_cb_create_args *args)
{
	/* the entry holds nothing itself: its leaves do */
	return NB_OK;
}

/* The entry went with all its leaves: back to the family's defaults. */
int mesh_bgp_neighbor_af_destroy(struct nb_cb_destroy_args *args)
{
	struct mesh_peer *peer;
	struct mesh_peer_af *af;
	enum mesh_afi afi;
	bool was_active;
	uint8_t what = 0;

	if (args->event != NB_EV_APPLY)
		return NB_OK;

	peer = mesh_nb_peer(args->dnode);
	afi = mesh_nb_afi(args->dnode);
	af = &peer->cfg.af[afi];
	was_active = mesh_peer_af_active(peer, afi);

	if (af->rr_client || af->addpath_tx_all)
		what |= MESH_PEND_RESET;
	if (af->next_hop_self || af->plist[1] || af->rmap[1])
		what |= MESH_PEND_POLICY_OUT;
	if (af->plist[0] || af->rmap[0])
		what |= MESH_PEND_POLICY_IN;
	for (int dir = 0; dir < 2; dir++) {
		mesh_peer_cfg_str_set(&af->plist[dir], NULL);
		mesh_peer_cfg_str_set(&af->rmap[dir], NULL);
	}
	af->rr_client = af->next_hop_self = af->addpath_tx_all = false;
	peer->cfg.af_set[afi] = false;
	af->activate = (afi == mesh_peer_afi(peer));
	if (was_active != mesh_peer_af_active(peer, afi))
		what |= MESH_PEND_RESET;
	if (what)
		mesh_nb_pend(peer, what);
	return NB_OK;
}

static void mesh_nb_peer_activate(const struct lyd_node *dnode, bool set,
				  bool v)
{
	struct mesh_peer *peer = mesh_nb_peer(dnode);
	enum mesh_afi afi = mesh_nb_afi(dnode);
	bool was_active = mesh_peer_af_active(peer, afi);

	peer->cfg.af_set[afi] = set;
	peer->cfg.af[afi].activate = set ? v : (afi == mesh_peer_afi(peer));
	/* families are negotiated in OPEN (RFC 4760 8) */
	if (was_active != mesh_peer_af_active(peer, afi))
		mesh_nb_pend(peer, MESH_PEND_RESET);
}

int mesh_bgp_neighbor_af_activate_modify(struct nb_cb_modify_args *args)
{
	if (args->event == NB_EV_APPLY)
		mesh_nb_peer_activate(args->dnode, true,
				      yang_dnode_get_bool(args->dnode, NULL));
	return NB_OK;
}

int mesh_bgp_neighbor_af_activate_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event == NB_EV_APPLY)
		mesh_nb_peer_activate(args->dnode, false, false);
	return NB_OK;
}

/* A boolean of the neighbor's family; 'what' is the change it asks for. */
static int mesh_nb_peer_af_bool(const struct lyd_node *dnode, size_t off,
				uint8_t what)
{
	struct mesh_peer *peer = mesh_nb_peer(dnode);
	enum mesh_afi afi = mesh_nb_afi(dnode);
	bool *field = (bool *)((char *)&peer->cfg.af[afi] + off);
	bool v = yang_dnode_get_bool(dnode, NULL);

	if (*field != v) {
		*field = v;
		if (mesh_peer_af_active(peer, afi))
			mesh_nb_pend(peer, what);
	}
	return NB_OK;
}

/* Reflection changes what the neighbor is sent and how its routes are
 * passed on (RFC 4456 8): the session starts over. */
int mesh_bgp_neighbor_af_rr_client_modify(struct nb_cb_modify_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	return mesh_nb_peer_af_bool(args->dnode,
				    offsetof(struct mesh_peer_af, rr_client),
				    MESH_PEND_RESET);
}

int mesh_bgp_neighbor_af_next_hop_self_modify(struct nb_cb_modify_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	return mesh_nb_peer_af_bool(
		args->dnode, offsetof(struct mesh_peer_af, next_hop_self),
		MESH_PEND_POLICY_OUT);
}

/* ADD-PATH is a capability (RFC 7911 4): renegotiated in a new OPEN. */
int mesh_bgp_neighbor_af_addpath_tx_modify(struct nb_cb_modify_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	return mesh_nb_peer_af_bool(
		args->dnode, offsetof(struct mesh_peer_af, addpath_tx_all),
		MESH_PEND_RESET);
}

/* prefix-list/route-map in/out: dnode is the leaf 'in' or 'out' of the
 * container 'prefix-list' or 'route-map'. */
static int mesh_nb_peer_policy(const struct lyd_node *dnode, const char *name)
{
	struct mesh_peer *peer = mesh_nb_peer(dnode);
	enum mesh_afi afi = mesh_nb_afi(dnode);
	struct mesh_peer_af *af = &peer->cfg.af[afi];
	bool out = strcmp(dnode->schema->name, "out") == 0;
	bool rmap = strcmp(lyd_parent(dnode)->schema->name, "route-map") == 0;
	char **field = rmap ? &af->rmap[out] : &af->plist[out];

	if ((*field == NULL && name == NULL) ||
	    (*field && name && strcmp(*field, name) == 0))
		return NB_OK;
	mesh_peer_cfg_str_set(field, name);
	MESH_DEBUG(bgp, "neighbor %pSU %s: %s %s now %s", &peer->su,
		   mesh_nb_afi_name(afi), rmap ? "route-map" : "prefix-list",
		   out ? "out" : "in", name ? name : "none");
	mesh_nb_pend(peer, out ? MESH_PEND_POLICY_OUT : MESH_PEND_POLICY_IN);
	return NB_OK;
}

int mesh_bgp_neighbor_af_policy_modify(struct nb_cb_modify_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	return mesh_nb_peer_policy(args->dnode,
				   yang_dnode_get_string(args->dnode, NULL));
}

int mesh_bgp_neighbor_af_policy_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	return mesh_nb_peer_policy(args->dnode, NULL);
}

/* ---- Speaker address families and networks ---- */

int mesh_bgp_af_create(struct nb_cb_create_args *args)
{
	return NB_OK;
}

/* Its networks go with it (neighbors' entries for the family cannot be
 * left behind: the model refuses that). */
int mesh_bgp_af_destroy(struct nb_cb_destroy_args *args)
{
	enum mesh_afi afi;

	if (args->event != NB_EV_APPLY || !mesh_bgp)
		return NB_OK;

	afi = mesh_nb_afi(args->dnode);
	while (mesh_bgp->networks[afi]) {
		struct prefix p;

		prefix_copy(&p, &mesh_bgp->networks[afi]->p);
		mesh_network_del(&p);
	}
	return NB_OK;
}

int mesh_bgp_network_create(struct nb_cb_create_args *args)
{
	struct prefix p;
	enum mesh_afi afi = mesh_nb_afi(args->dnode);

	yang_dnode_get_prefix(&p, args->dnode, "./prefix");
	switch (args->event) {
	case NB_EV_VALIDATE:
		if ((p.family == AF_INET6) != (afi == MESH_AFI_IP6)) {
			snprintfrr(
				args->errmsg, args->errmsg_len,
				"network %pFX is not an %s prefix: configure "
				"it under address-family %s unicast",
				&p, mesh_nb_afi_name(afi),
				p.family == AF_INET6 ? "ipv6" : "ipv4");
			return NB_ERR_VALIDATION;
		}
		if (p.family == AF_INET6 &&
		    IN6_IS_ADDR_MULTICAST(&p.u.prefix6) && p.prefixlen >= 8) {
			snprintfrr(args->errmsg, args->errmsg_len,
				   "network %pFX: multicast prefixes are not "
				   "unicast routes",
				   &p);
			return NB_ERR_VALIDATION;
		}
		if (p.family == AF_INET &&
		    IN_MULTICAST(ntohl(p.u.prefix4.s_addr)) &&
		    p.prefixlen >= 4) {
			snprintfrr(args->errmsg, args->errmsg_len,
				   "network %pFX: multicast prefixes are not "
				   "unicast routes",
				   &p);
			return NB_ERR_VALIDATION;
		}
		return NB_OK;
	case NB_EV_PREPARE:
	case NB_EV_ABORT:
		return NB_OK;
	case NB_EV_APPLY:
		break;
	}

	apply_mask(&p);
	mesh_network_add(&p);
	return NB_OK;
}

int mesh_bgp_network_destroy(struct nb_cb_destroy_args *args)
{
	struct prefix p;

	if (args->event != NB_EV_APPLY)
		return NB_OK;

	yang_dnode_get_prefix(&p, args->dnode, "./prefix");
	apply_mask(&p);
	mesh_network_del(&p);
	return NB_OK;
}
