// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd BGP speaker: the instance and its neighbors, and what a
 * configuration change means for a running session.
 *
 * The northbound (mesh_bgp_nb.c) is the only caller that creates or
 * deletes anything here, so the running configuration and the speaker
 * cannot drift apart. Each configuration change is mapped to one action
 * of the state machine (mesh_peer_config_changed()):
 *
 *   RESET        ManualStop with Cease / Other Configuration Change
 *                (RFC 4486 subcode 6), then ManualStart
 *   SHUTDOWN     ManualStop with Cease / Administrative Shutdown
 *                (subcode 2) and the shutdown communication (RFC 9003),
 *                or ManualStart when the shutdown is lifted
 *   POLICY_IN    re-run inbound policy over the Adj-RIB-In
 *   POLICY_OUT   recompute the Adj-RIB-Out and send the difference
 *
 * Policy changes need no session reset: the Adj-RIB-In keeps every path
 * as received, so inbound policy can be re-run locally (no ROUTE-REFRESH).
 */
#include <zebra.h>

#include "lib/log.h"
#include "lib/memory.h"
#include "lib/prefix.h"
#include "lib/sockunion.h"

#include "meshd/meshd.h"
#include "meshd/mesh_bgp.h"
#include "meshd/mesh_debug.h"
#include "meshd/mesh_nb.h"

DEFINE_MTYPE_STATIC(MESHD, MESH_BGP, "Mesh BGP instance");
DEFINE_MTYPE_STATIC(MESHD, MESH_PEER, "Mesh BGP neighbor");
DEFINE_MTYPE_STATIC(MESHD, MESH_PEER_CFG, "Mesh BGP neighbor config");
DEFINE_MTYPE_STATIC(MESHD, MESH_NETWORK, "Mesh BGP network statement");

/* RFC 4486 Cease subcodes used here (RFC 4271 6.7 leaves them open). */
#define MESH_CEASE_OTHER_CONFIG_CHANGE 6

struct mesh_bgp *mesh_bgp;

/* ---- Instance ---- */

struct mesh_bgp *mesh_bgp_create(uint32_t local_as)
{
	enum mesh_afi afi;

	if (mesh_bgp) {
		mesh_bgp->local_as = local_as;
		return mesh_bgp;
	}

	mesh_bgp = XCALLOC(MTYPE_MESH_BGP, sizeof(*mesh_bgp));
	mesh_bgp->local_as = local_as;
	if (mesh)
		mesh_bgp->router_id = mesh->router_id;
	mesh_bgp->port = MESH_BGP_PORT;
	mesh_bgp->holdtime = MESH_BGP_HOLD_DEFAULT;
	mesh_bgp->keepalive = MESH_BGP_KEEPALIVE_DEFAULT;
	mesh_bgp->gr.restart_time = MESH_BGP_GR_RESTART_TIME;
	mesh_bgp->gr.defer_time = MESH_BGP_GR_DEFER_TIME;
	mesh_peer_hash_init(&mesh_bgp->peers);
	for (afi = MESH_AFI_IP; afi < MESH_AFI_MAX; afi++) {
		mesh_bgp->listen_fd[afi] = -1;
		mesh_bgp->rib[afi] = mesh_rib_new(mesh_afi_to_wire(afi));
	}
	MESH_DEBUG(bgp, "BGP speaker created, AS %u", local_as);
	return mesh_bgp;
}

void mesh_bgp_delete(void)
{
	struct mesh_peer *peer;
	struct mesh_network *n;
	enum mesh_afi afi;

	if (!mesh_bgp)
		return;

	while ((peer = mesh_peer_hash_first(&mesh_bgp->peers)))
		mesh_peer_delete(peer);
	mesh_peer_hash_fini(&mesh_bgp->peers);
	mesh_bgp_listen_stop();
	THREAD_OFF(mesh_bgp->t_process);
	mesh_bgp_gr_fini();

	for (afi = MESH_AFI_IP; afi < MESH_AFI_MAX; afi++) {
		while ((n = mesh_bgp->networks[afi])) {
			mesh_bgp->networks[afi] = n->next;
			XFREE(MTYPE_MESH_NETWORK, n);
		}
		mesh_rib_free(mesh_bgp->rib[afi]);
	}
	XFREE(MTYPE_MESH_BGP, mesh_bgp);
	MESH_DEBUG(bgp, "BGP speaker deleted");
}

/*
 * The BGP identifier or the local AS changed. Both are in every OPEN and
 * the AS decides which neighbors are internal, so every session starts
 * over (RFC 4271 gives no way to change them on a running session).
 */
void mesh_bgp_identity_changed(void)
{
	struct mesh_peer *peer;

	if (!mesh_bgp)
		return;

	mesh_bgp->router_id =
		mesh ? mesh->router_id : (struct in_addr){.s_addr = INADDR_ANY};
	MESH_DEBUG(bgp,
		   "identity now AS %u, router-id %pI4: resetting sessions",
		   mesh_bgp->local_as, &mesh_bgp->router_id);
	frr_each_safe (mesh_peer_hash, &mesh_bgp->peers, peer)
		mesh_peer_config_changed(peer, MESH_PEER_CHANGE_RESET);
}

/* Sessions already up keep running on their connected sockets. */
void mesh_bgp_listen_changed(void)
{
	if (!mesh_bgp)
		return;

	MESH_DEBUG(bgp, "listen port now %u", mesh_bgp->port);
	mesh_bgp_listen_stop();
	mesh_bgp_listen_start();
}

/* ---- Neighbors ---- */

struct mesh_peer *mesh_peer_lookup(const union sockunion *su)
{
	struct mesh_peer key;

	if (!mesh_bgp)
		return NULL;
	memset(&key, 0, sizeof(key));
	key.su = *su;
	return mesh_peer_hash_find(&mesh_bgp->peers, &key);
}

struct mesh_peer *mesh_peer_create(const union sockunion *su)
{
	struct mesh_peer *peer;
	enum mesh_afi afi;

	assert(mesh_bgp);
	peer = mesh_peer_lookup(su);
	if (peer)
		return peer;

	peer = XCALLOC(MTYPE_MESH_PEER, sizeof(*peer));
	peer->su = *su;
	peer->state = MESH_FSM_IDLE;
	peer->cfg.port = MESH_BGP_PORT;
	peer->cfg.holdtime = 0xffff;
	peer->cfg.keepalive = 0xffff;
	peer->cfg.connect_retry = MESH_BGP_CONNECT_RETRY_DEFAULT;
	for (afi = MESH_AFI_IP; afi < MESH_AFI_MAX; afi++)
		peer->cfg.af[afi].activate = (afi == mesh_peer_afi(peer));
	mesh_peer_hash_add(&mesh_bgp->peers, peer);
	mesh_fsm_peer_init(peer);
	MESH_DEBUG(bgp, "neighbor %pSU created", &peer->su);
	return peer;
}

static void mesh_peer_config_free(struct mesh_peer_config *cfg)
{
	enum mesh_afi afi;

	XFREE(MTYPE_MESH_PEER_CFG, cfg->description);
	XFREE(MTYPE_MESH_PEER_CFG, cfg->password);
	XFREE(MTYPE_MESH_PEER_CFG, cfg->shutdown_msg);
	for (afi = MESH_AFI_IP; afi < MESH_AFI_MAX; afi++) {
		for (int dir = 0; dir < 2; dir++) {
			XFREE(MTYPE_MESH_PEER_CFG, cfg->af[afi].plist[dir]);
			XFREE(MTYPE_MESH_PEER_CFG, cfg->af[afi].rmap[dir]);
		}
	}
}

/* The session part (mesh_fsm_peer_fini()) closes with Cease / Peer
 * De-configured (RFC 4486) and releases the neighbor's routes. */
void mesh_peer_delete(struct mesh_peer *peer)
{
	MESH_DEBUG(bgp, "neighbor %pSU deleted", &peer->su);
	mesh_fsm_peer_fini(peer);
	if (peer->cfg.password) {
		/* take the key off the listen sockets */
		XFREE(MTYPE_MESH_PEER_CFG, peer->cfg.password);
		mesh_bgp_listen_md5(peer);
	}
	mesh_peer_hash_del(&mesh_bgp->peers, peer);
	mesh_peer_config_free(&peer->cfg);
	XFREE(MTYPE_MESH_PEER, peer);
}

/* Configuration strings of a neighbor share one memory type. */
void mesh_peer_cfg_str_set(char **field, const char *value)
{
	XFREE(MTYPE_MESH_PEER_CFG, *field);
	if (value)
		*field = XSTRDUP(MTYPE_MESH_PEER_CFG, value);
}

enum mesh_afi mesh_peer_afi(const struct mesh_peer *peer)
{
	return sockunion_family(&peer->su) == AF_INET6 ? MESH_AFI_IP6
						       : MESH_AFI_IP;
}

/*
 * A neighbor carries the unicast family of its own address unless that
 * is configured off ('no neighbor X activate'), and the other family
 * only when it is configured on.
 */
bool mesh_peer_af_active(const struct mesh_peer *peer, enum mesh_afi afi)
{
	if (afi >= MESH_AFI_MAX)
		return false;
	if (peer->cfg.af_set[afi])
		return peer->cfg.af[afi].activate;
	return afi == mesh_peer_afi(peer);
}

static bool mesh_peer_af_usable(const struct mesh_peer *peer, enum mesh_afi afi)
{
	return peer->state == MESH_FSM_ESTABLISHED && peer->af_up[afi] &&
	       mesh_peer_af_active(peer, afi);
}

void mesh_peer_config_changed(struct mesh_peer *peer,
			      enum mesh_peer_change what)
{
	enum mesh_afi afi;

	switch (what) {
	case MESH_PEER_CHANGE_RESET:
		MESH_DEBUG(bgp,
			   "neighbor %pSU: configuration changed, restarting "
			   "session",
			   &peer->su);
		mesh_fsm_stop(peer, MESH_BGP_ERR_CEASE,
			      MESH_CEASE_OTHER_CONFIG_CHANGE, NULL);
		if (!peer->cfg.shutdown)
			mesh_fsm_start(peer);
		break;
	case MESH_PEER_CHANGE_SHUTDOWN:
		if (peer->cfg.shutdown) {
			MESH_DEBUG(bgp,
				   "neighbor %pSU: administratively shut down",
				   &peer->su);
			mesh_fsm_stop(peer, MESH_BGP_ERR_CEASE,
				      MESH_BGP_CEASE_ADMIN_SHUTDOWN,
				      peer->cfg.shutdown_msg);
		} else {
			MESH_DEBUG(bgp, "neighbor %pSU: shutdown lifted",
				   &peer->su);
			mesh_fsm_start(peer);
		}
		break;
	case MESH_PEER_CHANGE_POLICY_IN:
		for (afi = MESH_AFI_IP; afi < MESH_AFI_MAX; afi++)
			if (mesh_peer_af_usable(peer, afi))
				mesh_bgp_reapply_in(peer, afi);
		break;
	case MESH_PEER_CHANGE_POLICY_OUT:
		for (afi = MESH_AFI_IP; afi < MESH_AFI_MAX; afi++)
			if (mesh_peer_af_usable(peer, afi))
				mesh_bgp_reexport(peer, afi);
		break;
	case MESH_PEER_CHANGE_NONE:
		break;
	}
}

/* ---- Network statements ---- */

static enum mesh_afi mesh_prefix_afi(const struct prefix *p)
{
	return p->family == AF_INET6 ? MESH_AFI_IP6 : MESH_AFI_IP;
}

void mesh_network_add(const struct prefix *p)
{
	struct mesh_network **np, *n;
	enum mesh_afi afi = mesh_prefix_afi(p);

	if (!mesh_bgp)
		return;
	/* kept in prefix order, as 'show running-config' lists them */
	for (np = &mesh_bgp->networks[afi]; *np; np = &(*np)->next) {
		int cmp = prefix_cmp(&(*np)->p, p);

		if (cmp == 0)
			return;
		if (cmp > 0)
			break;
	}
	n = XCALLOC(MTYPE_MESH_NETWORK, sizeof(*n));
	prefix_copy(&n->p, p);
	n->next = *np;
	*np = n;
	MESH_DEBUG(bgp, "network %pFX added", p);
	mesh_bgp_originate(&n->p, true);
}

void mesh_network_del(const struct prefix *p)
{
	struct mesh_network **np, *n;
	enum mesh_afi afi = mesh_prefix_afi(p);

	if (!mesh_bgp)
		return;
	for (np = &mesh_bgp->networks[afi]; *np; np = &(*np)->next) {
		if (!prefix_same(&(*np)->p, p))
			continue;
		n = *np;
		*np = n->next;
		MESH_DEBUG(bgp, "network %pFX removed", p);
		mesh_bgp_originate(&n->p, false);
		XFREE(MTYPE_MESH_NETWORK, n);
		return;
	}
}

/* ---- Operator actions ---- */

/* 'clear mesh bgp X': Cease / Administrative Reset (RFC 4486 4). */
void mesh_peer_clear_hard(struct mesh_peer *peer)
{
	MESH_DEBUG(bgp, "neighbor %pSU: cleared", &peer->su);
	mesh_fsm_stop(peer, MESH_BGP_ERR_CEASE, MESH_BGP_CEASE_ADMIN_RESET,
		      NULL);
	if (!peer->cfg.shutdown)
		mesh_fsm_start(peer);
}

/* The Adj-RIB-In holds every path as received: no ROUTE-REFRESH needed. */
void mesh_peer_clear_soft_in(struct mesh_peer *peer, enum mesh_afi afi)
{
	if (mesh_peer_af_usable(peer, afi))
		mesh_bgp_reapply_in(peer, afi);
}

void mesh_peer_clear_soft_out(struct mesh_peer *peer, enum mesh_afi afi)
{
	if (mesh_peer_af_usable(peer, afi))
		mesh_bgp_reexport(peer, afi);
}

/*
 * A prefix-list or route-map changed. Policies are looked up by name
 * each time they run, so every neighbor that names any policy for a
 * family has its routes run through it again.
 */
void mesh_bgp_policy_changed(void)
{
	struct mesh_peer *peer;
	enum mesh_afi afi;

	if (!mesh_bgp)
		return;

	frr_each (mesh_peer_hash, &mesh_bgp->peers, peer) {
		for (afi = MESH_AFI_IP; afi < MESH_AFI_MAX; afi++) {
			const struct mesh_peer_af *af = &peer->cfg.af[afi];

			if (!mesh_peer_af_usable(peer, afi))
				continue;
			if (af->plist[0] || af->rmap[0])
				mesh_bgp_reapply_in(peer, afi);
			if (af->plist[1] || af->rmap[1])
				mesh_bgp_reexport(peer, afi);
		}
	}
}
