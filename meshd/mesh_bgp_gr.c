// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd BGP: graceful restart as the restarting speaker (RFC 4724 4.1).
 *
 * Helper mode (keeping a restarting neighbor's paths) is always on and
 * lives with the session code. This file is the other side, switched on
 * by 'bgp graceful-restart':
 *
 *  - The capability carries our restart time and every family we
 *    exchange. The Restart State (R) bit is set in OPENs sent while the
 *    route selection of a freshly started meshd is deferred; the
 *    Forwarding State (F) bit when zebra kept the routes of the meshd
 *    that ran before (see below).
 *  - A freshly started meshd defers route selection, and so everything
 *    it would send, until every neighbor it waits for has sent
 *    End-of-RIB or the Selection_Deferral_Timer ('bgp graceful-restart
 *    select-defer-time') runs out. It waits for every configured
 *    neighbor that is not shut down, except those that came up without
 *    the capability or with the R bit set (they restarted too).
 *    Neighbors then receive the table and End-of-RIB.
 *  - zebra is told to keep meshd's routes for restart time plus deferral
 *    time should meshd go away (ZEBRA_CLIENT_GR_CAPABILITIES). After a
 *    restart, meshd sends "route update complete" once its selection
 *    and the tunnels it builds have settled; zebra then removes what
 *    meshd did not install again.
 *  - A state file in the daemon's run directory records that zebra was
 *    asked to keep the routes. A meshd that finds it at start sets the
 *    F bit. The run directory does not survive a reboot, and neither do
 *    zebra's routes.
 *
 * One deferral covers both families: it ends when End-of-RIB has come
 * for every family of every neighbor waited for.
 */

#include <zebra.h>

#include "lib/json.h"
#include "lib/libfrr.h"
#include "lib/log.h"
#include "lib/monotime.h"
#include "lib/thread.h"
#include "lib/vty.h"

#include "meshd/meshd.h"
#include "meshd/mesh_bgp.h"
#include "meshd/mesh_debug.h"
#include "meshd/mesh_tunnel.h"
#include "meshd/mesh_vty.h"
#include "meshd/mesh_zebra.h"

/* Sessions established in this process: a meshd that has had one is
 * not restarting any more, whatever its configuration does later. */
static uint32_t mesh_gr_sessions_seen;
static struct thread *t_settle;
static bool mesh_gr_was_enabled;

#define MESH_GR_SETTLE_MS 200

static int64_t mesh_gr_now_us(void)
{
	struct timeval tv;

	monotime(&tv);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* false without a run directory (a daemon not set up by libfrr). */
static bool mesh_gr_state_path(char *buf, size_t size)
{
	if (!frr_vtydir[0])
		return false;
	snprintf(buf, size, "%s/meshd-gr.state", frr_vtydir);
	return true;
}

/* zebra keeps our routes from now on, should we go away. */
static void mesh_gr_state_write(void)
{
	char path[512];
	FILE *f;

	if (!mesh_gr_state_path(path, sizeof(path)))
		return;
	f = fopen(path, "w");
	if (!f) {
		zlog_warn("BGP: graceful restart: cannot write %s: %s", path,
			  safe_strerror(errno));
		return;
	}
	fprintf(f, "zebra keeps routes for %u s, pid %d, since %lld\n",
		mesh_bgp_gr_stale_time(), (int)getpid(), (long long)time(NULL));
	fclose(f);
}

static void mesh_gr_state_remove(void)
{
	char path[512];

	if (!mesh_gr_state_path(path, sizeof(path)))
		return;
	if (unlink(path) < 0 && errno != ENOENT)
		zlog_warn("BGP: graceful restart: cannot remove %s: %s", path,
			  safe_strerror(errno));
}

static bool mesh_gr_state_present(void)
{
	char path[512];

	return mesh_gr_state_path(path, sizeof(path)) &&
	       access(path, F_OK) == 0;
}

uint32_t mesh_bgp_gr_stale_time(void)
{
	return mesh_bgp ? (uint32_t)mesh_bgp->gr.restart_time +
				  mesh_bgp->gr.defer_time
			: 0;
}

bool mesh_bgp_gr_deferring(void)
{
	return mesh_bgp && mesh_bgp->gr.deferring;
}

/* ---- Deferral ---- */

/* RFC 4724 4.1: the neighbors whose End-of-RIB the deferred selection
 * waits for. */
static bool mesh_gr_waits_for(const struct mesh_peer *peer, enum mesh_afi afi)
{
	if (peer->cfg.shutdown || !mesh_peer_af_active(peer, afi))
		return false;
	if (!peer->est)
		return true;
	if (!peer->af_up[afi])
		return false;
	if (!(peer->open_rx.caps & MESH_BGP_CAPF_GRACEFUL_RESTART) ||
	    (peer->open_rx.gr_flags & MESH_BGP_GR_RESTART_STATE))
		return false;
	return !peer->eor_rx[afi];
}

static void mesh_gr_settle(struct thread *t);

static void mesh_gr_defer_end(const char *why)
{
	struct mesh_bgp_gr *gr = &mesh_bgp->gr;

	gr->deferring = false;
	gr->defer_end = mesh_gr_now_us();
	gr->defer_why = why;
	THREAD_OFF(gr->t_defer);
	zlog_info("BGP: graceful restart: route selection deferral over after "
		  "%lld ms (%s)",
		  (long long)(gr->defer_end - gr->defer_start) / 1000, why);
	/* The first pass sends everything; End-of-RIB follows it (see
	 * mesh_bgp_process()). */
	mesh_bgp_schedule_process();
	if (mesh_zebra_gr_pending())
		thread_add_timer_msec(master, mesh_gr_settle, NULL,
				      MESH_GR_SETTLE_MS, &t_settle);
}

static void mesh_gr_defer_expired(struct thread *t)
{
	mesh_gr_defer_end("select-defer-time over");
}

void mesh_bgp_gr_check(void)
{
	struct mesh_peer *peer;

	if (!mesh_bgp_gr_deferring())
		return;
	frr_each (mesh_peer_hash, &mesh_bgp->peers, peer)
		for (int afi = 0; afi < MESH_AFI_MAX; afi++)
			if (mesh_gr_waits_for(peer, afi))
				return;
	/* Our own routes go before our End-of-RIB: a helper drops every
	 * stale route of ours that End-of-RIB finds not refreshed, and the
	 * node route carries the tunnels (peers would remake them). */
	if (mesh_config_reading() || mesh_tunnel_origination_pending())
		return;
	mesh_gr_defer_end("End-of-RIB from every neighbor, own routes ready");
}

void mesh_bgp_gr_session_up(void)
{
	mesh_gr_sessions_seen++;
}

/*
 * After the deferral, zebra may drop what meshd did not install again
 * only once meshd has had the chance: the first selection has run, the
 * path engine has installed its result, and every tunnel has either
 * come up or had the time to.
 */
static void mesh_gr_settle(struct thread *t)
{
	struct mesh_bgp_gr *gr = &mesh_bgp->gr;

	if (!mesh_zebra_gr_pending())
		return;
	if (mesh_bgp->t_process || !mesh_tunnel_settled() ||
	    mesh_topo_spf_pending()) {
		thread_add_timer_msec(master, mesh_gr_settle, NULL,
				      MESH_GR_SETTLE_MS, &t_settle);
		return;
	}
	zlog_info("BGP: graceful restart: routes settled %lld ms after the "
		  "deferral, zebra may remove the stale ones",
		  (long long)(mesh_gr_now_us() - gr->defer_end) / 1000);
	mesh_zebra_gr_update_complete();
}

/* ---- Configuration ---- */

/*
 * The speaker exists (local-as) or graceful restart was configured. A
 * meshd that has not yet had a session is restarting: it defers its
 * selection. Sessions of a running meshd restart to carry the new
 * capability (mesh_bgp_identity_changed() by the caller).
 */
void mesh_bgp_gr_config_changed(void)
{
	struct mesh_bgp_gr *gr;

	if (!mesh_bgp)
		return;
	gr = &mesh_bgp->gr;
	if (!gr->enabled) {
		/* Only a configured graceful restart switched off forgets
		 * the state file: while a starting meshd reads its
		 * configuration, the speaker may exist before the
		 * 'bgp graceful-restart' line is read. */
		if (!mesh_gr_was_enabled)
			return;
		mesh_gr_was_enabled = false;
		mesh_tunnel_set_keep(false);
		mesh_zebra_gr_capabilities(false, 0);
		if (gr->deferring)
			mesh_gr_defer_end("graceful restart switched off");
		THREAD_OFF(t_settle);
		mesh_gr_state_remove();
		return;
	}
	mesh_gr_was_enabled = true;
	mesh_tunnel_set_keep(true);
	mesh_zebra_gr_capabilities(true, mesh_bgp_gr_stale_time());
	if (!mesh_gr_sessions_seen && !gr->deferring && !gr->defer_end) {
		gr->fwd_preserved = mesh_gr_state_present();
		gr->deferring = true;
		gr->defer_start = mesh_gr_now_us();
		zlog_info("BGP: graceful restart: starting as restarting "
			  "speaker, forwarding state %s; route selection "
			  "deferred for up to %u s",
			  gr->fwd_preserved ? "preserved by zebra"
					    : "not preserved",
			  gr->defer_time);
		if (gr->fwd_preserved)
			mesh_zebra_gr_update_pending();
	}
	if (gr->deferring) {
		THREAD_OFF(gr->t_defer);
		thread_add_timer(master, mesh_gr_defer_expired, NULL,
				 gr->defer_time, &gr->t_defer);
	}
	mesh_gr_state_write();
}

/* The speaker goes away (shutdown, 'no bgp local-as'): its routes are
 * withdrawn, nothing is left for a successor to claim. */
void mesh_bgp_gr_fini(void)
{
	if (!mesh_bgp)
		return;
	THREAD_OFF(mesh_bgp->gr.t_defer);
	THREAD_OFF(t_settle);
	if (mesh_gr_was_enabled)
		mesh_gr_state_remove();
	mesh_gr_was_enabled = false;
}

/* ---- OPEN ---- */

void mesh_bgp_gr_open(const struct mesh_peer *peer, struct mesh_bgp_open *o)
{
	const struct mesh_bgp_gr *gr = &mesh_bgp->gr;

	o->n_gr = 0;
	o->gr_flags = 0;
	if (!gr->enabled) {
		/* RFC 4724 3: the capability with no address family says we
		 * are a receiving speaker (helper) that keeps a restarting
		 * peer's routes and understands End-of-RIB. */
		o->gr_time = MESH_BGP_GR_RESTART_TIME;
		return;
	}
	o->gr_time = gr->restart_time;
	if (gr->deferring)
		o->gr_flags |= MESH_BGP_GR_RESTART_STATE;
	for (int afi = 0; afi < MESH_AFI_MAX; afi++) {
		if (!mesh_peer_af_active(peer, afi))
			continue;
		o->gr[o->n_gr].afi = mesh_afi_to_wire(afi);
		o->gr[o->n_gr].safi = MESH_BGP_SAFI_UNICAST;
		o->gr[o->n_gr].flags =
			gr->fwd_preserved ? MESH_BGP_GR_AF_FORWARDING : 0;
		o->n_gr++;
	}
}

/* ---- show ---- */

void mesh_bgp_gr_show(struct vty *vty, json_object *json)
{
	const struct mesh_bgp_gr *gr = &mesh_bgp->gr;
	const char *state = !gr->enabled    ? "helper only"
			    : gr->deferring ? "restarting, selection deferred"
			    : gr->defer_end ? "restarted"
					    : "restart capable";
	int64_t now = mesh_gr_now_us();

	if (json) {
		json_object *j = json_object_new_object();

		json_object_boolean_add(j, "restartingSpeaker", gr->enabled);
		json_object_boolean_add(j, "helper", true);
		json_object_string_add(j, "state", state);
		if (gr->enabled) {
			json_object_int_add(j, "restartTime", gr->restart_time);
			json_object_int_add(j, "selectDeferTime",
					    gr->defer_time);
			json_object_boolean_add(j, "forwardingPreserved",
						gr->fwd_preserved);
			json_object_boolean_add(j, "zebraUpdatePending",
						mesh_zebra_gr_pending());
		}
		if (gr->deferring)
			json_object_int_add(j, "deferredMsecs",
					    (now - gr->defer_start) / 1000);
		if (gr->defer_end) {
			json_object_int_add(j, "deferralMsecs",
					    (gr->defer_end - gr->defer_start) /
						    1000);
			json_object_string_add(j, "deferralEnd", gr->defer_why);
		}
		json_object_object_add(json, "gracefulRestart", j);
		return;
	}
	vty_out(vty, "Graceful restart: %s", state);
	if (gr->enabled)
		vty_out(vty, ", restart time %u s, select-defer-time %u s",
			gr->restart_time, gr->defer_time);
	vty_out(vty, "\n");
	if (gr->deferring)
		vty_out(vty, "  deferred for %lld ms, waiting for End-of-RIB\n",
			(long long)(now - gr->defer_start) / 1000);
	if (gr->defer_end)
		vty_out(vty,
			"  deferral took %lld ms (%s); forwarding state %s\n",
			(long long)(gr->defer_end - gr->defer_start) / 1000,
			gr->defer_why,
			gr->fwd_preserved ? "was preserved"
					  : "was not preserved");
}
