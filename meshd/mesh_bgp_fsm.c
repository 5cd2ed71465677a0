// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd BGP finite state machine (RFC 4271 8).
 *
 * A neighbor has up to two connections at once: the one it connected
 * (MESH_CONN_OUT) and the one the peer connected (MESH_CONN_IN). Each
 * runs Connect -> OpenSent -> OpenConfirm on its own; when both have the
 * peer's OPEN, connection collision detection (RFC 4271 6.8) keeps one.
 * The first to reach Established becomes peer->est and the other is
 * closed with Cease/7. The neighbor's own state is the most advanced of
 * its connections', Active while it only waits for the peer, Idle when
 * stopped.
 *
 * Timers: ConnectRetry (with jitter, RFC 4271 10), a 4-minute hold timer
 * until OPEN arrives (8.2.2), then the negotiated hold time, and
 * keepalives at a third of it with jitter. Automatic restart after an
 * error waits ConnectRetry, doubled per consecutive failure up to
 * 4 times (damping a peer that keeps resetting).
 *
 * Messages are read in large chunks and framed in place; writes go
 * through a FIFO flushed with writev when the socket is writable.
 */
#include <zebra.h>

#include <sys/uio.h>

#include "lib/frr_pthread.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/monotime.h"
#include "lib/network.h"
#include "lib/sockunion.h"
#include "lib/stream.h"

#include "bgpd-ext/mesh_attr.h"

#include "meshd/meshd.h"
#include "meshd/mesh_bgp.h"
#include "meshd/mesh_debug.h"

DEFINE_MTYPE_STATIC(MESHD, MESH_BGP_IBUF, "BGP input buffer");

/* Decoding target of mesh attribute validation (one thread). */
static struct mesh_attr mesh_attr_scratch;

/* Bytes read per read event: big enough to frame many UPDATEs at once,
 * small enough that other sessions and timers get their turn. */
#define MESH_READ_CHUNK (256 * 1024)
#define MESH_OPEN_HOLD 240 /* RFC 4271 8.2.2: "large value" (4 minutes) */

static void mesh_conn_read(struct thread *t);
static void mesh_conn_write(struct thread *t);
static void mesh_conn_hold_expired(struct thread *t);
static void mesh_conn_keepalive(struct thread *t);
static void mesh_peer_connect(struct thread *t);

const char *mesh_fsm_state_name(enum mesh_fsm_state s)
{
	switch (s) {
	case MESH_FSM_IDLE:
		return "Idle";
	case MESH_FSM_CONNECT:
		return "Connect";
	case MESH_FSM_ACTIVE:
		return "Active";
	case MESH_FSM_OPENSENT:
		return "OpenSent";
	case MESH_FSM_OPENCONFIRM:
		return "OpenConfirm";
	case MESH_FSM_ESTABLISHED:
		return "Established";
	}
	return "Unknown";
}

/* RFC 4271 10: timers are jittered by a factor in [0.75, 1]. */
static long mesh_jitter_msec(unsigned int seconds)
{
	long ms = (long)seconds * 1000;

	return ms - (ms / 4) * (frr_weak_random() % 1000) / 1000;
}

static uint16_t mesh_peer_holdtime_cfg(const struct mesh_peer *peer)
{
	return peer->cfg.holdtime != 0xffff ? peer->cfg.holdtime
					    : mesh_bgp->holdtime;
}

static uint16_t mesh_peer_keepalive_cfg(const struct mesh_peer *peer)
{
	return peer->cfg.keepalive != 0xffff ? peer->cfg.keepalive
					     : mesh_bgp->keepalive;
}

static void mesh_peer_set_state(struct mesh_peer *peer,
				enum mesh_fsm_state state)
{
	if (peer->state == state)
		return;
	MESH_DEBUG(bgp, "BGP neighbor %pSU: %s -> %s", &peer->su,
		   mesh_fsm_state_name(peer->state),
		   mesh_fsm_state_name(state));
	if (state == MESH_FSM_ESTABLISHED ||
	    peer->state == MESH_FSM_ESTABLISHED)
		zlog_notice(
			"BGP neighbor %pSU: %s -> %s%s%s", &peer->su,
			mesh_fsm_state_name(peer->state),
			mesh_fsm_state_name(state),
			peer->last_reason[0] && state != MESH_FSM_ESTABLISHED
				? ": "
				: "",
			state != MESH_FSM_ESTABLISHED ? peer->last_reason : "");
	peer->state = state;
	peer->uptime = monotime(NULL);
}

/* The neighbor's state follows its most advanced connection. */
static void mesh_peer_state_update(struct mesh_peer *peer)
{
	enum mesh_fsm_state s = MESH_FSM_IDLE;

	for (int i = 0; i < 2; i++)
		if (peer->conn[i].fd >= 0 && peer->conn[i].state > s)
			s = peer->conn[i].state;
	/* Waiting for the next attempt or for the peer to connect. */
	if (s == MESH_FSM_IDLE && peer->t_connect_retry)
		s = MESH_FSM_ACTIVE;
	if (s == MESH_FSM_IDLE && peer->cfg.passive && !peer->cfg.shutdown &&
	    mesh_bgp && mesh_bgp->local_as && peer->cfg.remote_as)
		s = MESH_FSM_ACTIVE;
	mesh_peer_set_state(peer, s);
}

static bool mesh_peer_startable(const struct mesh_peer *peer)
{
	return mesh_bgp && mesh && mesh->router_id.s_addr != INADDR_ANY &&
	       mesh_bgp->local_as && peer->cfg.remote_as && !peer->cfg.shutdown;
}

/* ---- Output ---- */

void mesh_conn_send(struct mesh_conn *c, const uint8_t *msg, size_t len)
{
	struct stream *s;

	if (c->fd < 0)
		return;
	s = stream_new(len);
	stream_put(s, msg, len);
	stream_fifo_push(c->obuf, s);
	if (c->peer->est == c) {
		switch (msg[18]) {
		case MESH_BGP_MSG_UPDATE:
			c->peer->st.update_out++;
			break;
		case MESH_BGP_MSG_KEEPALIVE:
			c->peer->st.keepalive_out++;
			break;
		case MESH_BGP_MSG_ROUTE_REFRESH:
			c->peer->st.refresh_out++;
			break;
		}
	} else if (msg[18] == MESH_BGP_MSG_OPEN) {
		c->peer->st.open_out++;
	} else if (msg[18] == MESH_BGP_MSG_KEEPALIVE) {
		c->peer->st.keepalive_out++;
	}
	thread_add_write(master, mesh_conn_write, c, c->fd, &c->t_write);
}

/* Writes what the socket takes; returns false on a fatal error. */
static bool mesh_conn_flush(struct mesh_conn *c)
{
	struct iovec iov[64];
	struct stream *s;
	int n;
	ssize_t w;

	while (stream_fifo_head(c->obuf)) {
		n = 0;
		for (s = stream_fifo_head(c->obuf); s && n < 64; s = s->next) {
			iov[n].iov_base = stream_pnt(s);
			iov[n].iov_len = STREAM_READABLE(s);
			n++;
		}
		w = writev(c->fd, iov, n);
		if (w < 0) {
			if (ERRNO_IO_RETRY(errno))
				return true;
			snprintf(c->peer->last_reason,
				 sizeof(c->peer->last_reason), "write: %s",
				 safe_strerror(errno));
			return false;
		}
		while (w > 0 && (s = stream_fifo_head(c->obuf))) {
			size_t r = STREAM_READABLE(s);

			if ((size_t)w < r) {
				stream_forward_getp(s, w);
				return true;
			}
			w -= r;
			stream_free(stream_fifo_pop(c->obuf));
		}
	}
	return true;
}

static void mesh_conn_write(struct thread *t)
{
	struct mesh_conn *c = THREAD_ARG(t);

	if (!mesh_conn_flush(c)) {
		mesh_conn_fail(c, NULL, NULL);
		return;
	}
	if (stream_fifo_head(c->obuf))
		thread_add_write(master, mesh_conn_write, c, c->fd,
				 &c->t_write);
}

static void mesh_conn_send_wbuf(struct mesh_conn *c, struct mesh_wbuf *w)
{
	if (!w->err)
		mesh_conn_send(c, w->data, w->len);
}

static void mesh_conn_send_keepalive(struct mesh_conn *c)
{
	uint8_t buf[MESH_BGP_HDR_LEN];
	struct mesh_wbuf w;

	mesh_wbuf_init(&w, buf, sizeof(buf));
	mesh_bgp_keepalive_encode(&w);
	mesh_conn_send_wbuf(c, &w);
}

static void mesh_conn_send_open(struct mesh_conn *c)
{
	struct mesh_peer *peer = c->peer;
	struct mesh_bgp_open o;
	uint8_t buf[MESH_BGP_MAX_LEN];
	struct mesh_wbuf w;

	memset(&o, 0, sizeof(o));
	o.asn = mesh_bgp->local_as;
	o.hold_time = mesh_peer_holdtime_cfg(peer);
	o.bgp_id = ntohl(mesh->router_id.s_addr);
	o.caps = MESH_BGP_CAPF_MP | MESH_BGP_CAPF_ROUTE_REFRESH |
		 MESH_BGP_CAPF_ENHANCED_RR | MESH_BGP_CAPF_AS4 |
		 MESH_BGP_CAPF_EXT_MESSAGE | MESH_BGP_CAPF_GRACEFUL_RESTART |
		 MESH_BGP_CAPF_ADDPATH;
	for (int afi = 0; afi < MESH_AFI_MAX; afi++) {
		if (!mesh_peer_af_active(peer, afi))
			continue;
		o.mp[o.n_mp].afi = mesh_afi_to_wire(afi);
		o.mp[o.n_mp].safi = MESH_BGP_SAFI_UNICAST;
		o.n_mp++;
		/* We take several paths per prefix (RFC 7911); we offer to
		 * send them all only where addpath-tx-all-paths is set (a
		 * change of it restarts the session). */
		o.addpath[o.n_addpath].afi = mesh_afi_to_wire(afi);
		o.addpath[o.n_addpath].safi = MESH_BGP_SAFI_UNICAST;
		o.addpath[o.n_addpath].flags =
			MESH_BGP_ADDPATH_RX |
			(peer->cfg.af[afi].addpath_tx_all ? MESH_BGP_ADDPATH_TX
							  : 0);
		o.n_addpath++;
	}
	mesh_bgp_gr_open(peer, &o);

	mesh_wbuf_init(&w, buf, sizeof(buf));
	mesh_bgp_open_encode(&w, &o);
	mesh_conn_send_wbuf(c, &w);
}

/* ---- Closing ---- */

static void mesh_conn_close(struct mesh_conn *c)
{
	THREAD_OFF(c->t_read);
	THREAD_OFF(c->t_write);
	THREAD_OFF(c->t_connect);
	THREAD_OFF(c->t_hold);
	THREAD_OFF(c->t_keepalive);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = MESH_FSM_IDLE;
	c->open_rx_seen = false;
	if (c->obuf)
		stream_fifo_clean(c->obuf);
	XFREE(MTYPE_MESH_BGP_IBUF, c->ibuf);
	c->ibuf_off = c->ibuf_len = c->ibuf_size = 0;
}

/* Sends a NOTIFICATION (best effort: what is queued goes first), then
 * closes. */
static void mesh_conn_notify_close(struct mesh_conn *c,
				   const struct mesh_bgp_notify *n,
				   const char *shut_text)
{
	uint8_t buf[MESH_BGP_MAX_LEN];
	struct mesh_wbuf w;
	struct mesh_peer *peer = c->peer;

	if (c->fd >= 0 && (n || shut_text)) {
		mesh_wbuf_init(&w, buf, sizeof(buf));
		if (shut_text)
			mesh_bgp_notify_shutdown_encode(&w, n->subcode,
							shut_text);
		else
			mesh_bgp_notify_encode(&w, n);
		if (!w.err) {
			struct stream *s = stream_new(w.len);

			stream_put(s, w.data, w.len);
			stream_fifo_push(c->obuf, s);
			set_nonblocking(c->fd);
			(void)mesh_conn_flush(c);
			peer->st.notify_out++;
		}
		peer->last_code = n->code;
		peer->last_subcode = n->subcode;
		peer->last_sent = true;
	}
	mesh_conn_close(c);
}

/*
 * RFC 4271 8.1.1 DampPeerOscillations: a session that ends within a
 * minute of coming up makes the neighbor wait before the next one, 1 s
 * doubled per consecutive early end up to 2 minutes, whoever connects.
 */
#define MESH_IDLE_HOLD_MAX 120
#define MESH_STABLE_SECS 60

static void mesh_peer_idle_hold(struct mesh_peer *peer)
{
	unsigned int secs;

	if (monotime(NULL) - peer->uptime >= MESH_STABLE_SECS)
		peer->flaps = 0;
	peer->flaps++;
	secs = peer->flaps >= 8 ? MESH_IDLE_HOLD_MAX : 1u << (peer->flaps - 1);
	if (secs > MESH_IDLE_HOLD_MAX)
		secs = MESH_IDLE_HOLD_MAX;
	peer->idle_hold_until = monotime(NULL) * 1000000LL + secs * 1000000LL;
	MESH_DEBUG(bgp, "BGP neighbor %pSU: idle hold %u s after %u early ends",
		   &peer->su, secs, peer->flaps);
}

static long mesh_peer_idle_hold_left_ms(const struct mesh_peer *peer)
{
	int64_t now = monotime(NULL) * 1000000LL;

	return peer->idle_hold_until > now
		       ? (long)((peer->idle_hold_until - now) / 1000)
		       : 0;
}

static void mesh_peer_schedule_retry(struct mesh_peer *peer)
{
	unsigned int secs = peer->cfg.connect_retry
				    ? peer->cfg.connect_retry
				    : MESH_BGP_CONNECT_RETRY_DEFAULT;
	uint32_t backoff =
		peer->connect_attempts > 4 ? 4 : peer->connect_attempts;

	THREAD_OFF(peer->t_connect_retry);
	if (!mesh_peer_startable(peer) || peer->cfg.passive)
		return;
	/* The first attempt after start is immediate; retries wait. */
	if (peer->connect_attempts == 0)
		secs = 0;
	else if (backoff > 1)
		secs <<= (backoff - 1);
	thread_add_timer_msec(master, mesh_peer_connect, peer,
			      (secs ? mesh_jitter_msec(secs) : 0) +
				      mesh_peer_idle_hold_left_ms(peer),
			      &peer->t_connect_retry);
}

void mesh_conn_fail(struct mesh_conn *c, const struct mesh_bgp_notify *n,
		    const char *reason)
{
	struct mesh_peer *peer = c->peer;
	bool was_est = peer->est == c;
	bool graceful;

	if (reason)
		strlcpy(peer->last_reason, reason, sizeof(peer->last_reason));
	MESH_DEBUG(bgp, "BGP neighbor %pSU: closing %s connection: %s",
		   &peer->su, c->dir == MESH_CONN_OUT ? "outgoing" : "incoming",
		   peer->last_reason);
	/* RFC 4724 4.2: a restarting peer's routes are kept when the
	 * session ends without a NOTIFICATION (transport failure, hold
	 * timer) and the peer advertised graceful restart. */
	graceful = was_est && !n && peer->gr_time > 0;
	mesh_conn_notify_close(c, n, NULL);
	if (was_est) {
		peer->est = NULL;
		peer->st.dropped++;
		mesh_peer_idle_hold(peer);
		mesh_bgp_session_down(peer, graceful);
	}
	mesh_peer_state_update(peer);
	if (peer->conn[MESH_CONN_OUT].fd < 0 && !peer->est)
		mesh_peer_schedule_retry(peer);
	mesh_peer_state_update(peer);
}

/* ---- Connecting ---- */

static void mesh_conn_start_reading(struct mesh_conn *c)
{
	thread_add_read(master, mesh_conn_read, c, c->fd, &c->t_read);
	THREAD_OFF(c->t_hold);
	thread_add_timer(master, mesh_conn_hold_expired, c, MESH_OPEN_HOLD,
			 &c->t_hold);
}

static void mesh_conn_opensent(struct mesh_conn *c)
{
	union sockunion *local = sockunion_getsockname(c->fd);

	if (local) {
		c->su_local = *local;
		sockunion_free(local);
	}
	c->state = MESH_FSM_OPENSENT;
	mesh_conn_send_open(c);
	mesh_conn_start_reading(c);
	mesh_peer_state_update(c->peer);
}

static void mesh_conn_connect_check(struct thread *t)
{
	struct mesh_conn *c = THREAD_ARG(t);
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	mesh_fsm_connected(c, err);
}

void mesh_fsm_connected(struct mesh_conn *c, int err)
{
	struct mesh_peer *peer = c->peer;

	if (err) {
		snprintf(peer->last_reason, sizeof(peer->last_reason),
			 "connect: %s", safe_strerror(err));
		MESH_DEBUG(bgp, "BGP neighbor %pSU: %s", &peer->su,
			   peer->last_reason);
		mesh_conn_close(c);
		mesh_peer_schedule_retry(peer);
		mesh_peer_state_update(peer);
		return;
	}
	mesh_conn_opensent(c);
}

static void mesh_peer_connect(struct thread *t)
{
	struct mesh_peer *peer = THREAD_ARG(t);
	struct mesh_conn *c = &peer->conn[MESH_CONN_OUT];

	if (!mesh_peer_startable(peer) || peer->cfg.passive || peer->est ||
	    c->fd >= 0)
		return;
	peer->connect_attempts++;
	if (!mesh_bgp_connect(c)) {
		MESH_DEBUG(bgp, "BGP neighbor %pSU: %s", &peer->su,
			   peer->last_reason);
		mesh_peer_schedule_retry(peer);
		mesh_peer_state_update(peer);
		return;
	}
	c->state = MESH_FSM_CONNECT;
	thread_add_write(master, mesh_conn_connect_check, c, c->fd,
			 &c->t_connect);
	/* ConnectRetry also bounds how long the attempt may take. */
	mesh_peer_schedule_retry(peer);
	mesh_peer_state_update(peer);
}

/*
 * RFC 4271 6.8, last paragraph: a connection that collides with an
 * Established session is the one closed, and a connection closed by
 * collision resolution gets NOTIFICATION Cease (6.8), subcode Connection
 * Collision Resolution (RFC 4486 4). The session tells the peer's BGP
 * Identifier, so the collision is resolved as the connection is accepted
 * (6.8 allows that before the peer's OPEN). What the peer already sent is
 * read away before closing, so that the NOTIFICATION is followed by a FIN
 * rather than by a reset that could overtake it.
 */
static void mesh_fsm_refuse_collision(struct mesh_peer *peer, int fd)
{
	struct mesh_bgp_notify n = {.code = MESH_BGP_ERR_CEASE, .subcode = 7};
	uint8_t buf[MESH_BGP_MAX_LEN];
	struct mesh_wbuf w;

	mesh_wbuf_init(&w, buf, sizeof(buf));
	mesh_bgp_notify_encode(&w, &n);
	if (!w.err && write(fd, w.data, w.len) == (ssize_t)w.len)
		peer->st.notify_out++;
	MESH_DEBUG(bgp,
		   "BGP neighbor %pSU: new connection closed with Cease/7, "
		   "the session is Established",
		   &peer->su);
	for (int i = 0; i < 16 && read(fd, buf, sizeof(buf)) > 0; i++)
		;
	close(fd);
}

void mesh_fsm_accepted(struct mesh_peer *peer, int fd)
{
	struct mesh_conn *c = &peer->conn[MESH_CONN_IN];

	if (!mesh_peer_startable(peer) || mesh_peer_idle_hold_left_ms(peer)) {
		MESH_DEBUG(bgp, "BGP neighbor %pSU: connection refused (%s)",
			   &peer->su,
			   peer->cfg.shutdown ? "shut down"
			   : mesh_peer_startable(peer)
				   ? "idle hold after a reset"
				   : "not startable");
		close(fd);
		return;
	}
	if (peer->est) {
		/* RFC 4724 4.2: a new connection from a peer that can
		 * restart gracefully means it restarted; otherwise RFC 4271
		 * 6.8 keeps the Established session. */
		if (peer->gr_time > 0) {
			struct mesh_conn *old = peer->est;

			strlcpy(peer->last_reason,
				"peer reconnected (graceful restart)",
				sizeof(peer->last_reason));
			peer->est = NULL;
			mesh_conn_close(old);
			peer->st.dropped++;
			mesh_bgp_session_down(peer, true);
		} else {
			mesh_fsm_refuse_collision(peer, fd);
			return;
		}
	}
	if (c->fd >= 0)
		mesh_conn_close(c);
	c->fd = fd;
	mesh_bgp_socket_ttl(peer, fd);
	mesh_conn_opensent(c);
}

/* ---- OPEN processing ---- */

/*
 * The mesh attribute's own rules (doc/mesh-attribute.md, error handling):
 * a malformed value makes the UPDATE treat-as-withdraw; an unknown version
 * is carried on but not used, so it is not an error here.
 */
static int mesh_attr_validate(const uint8_t *val, size_t len, void *arg)
{
	struct mesh_attr *ma = arg;

	return mesh_attr_decode(val, len, ma, NULL, 0) == MESH_ATTR_MALFORMED;
}

static bool mesh_open_has_af(const struct mesh_bgp_open *o, uint16_t afi)
{
	if (!(o->caps & MESH_BGP_CAPF_MP))
		/* RFC 4760 8: no MP capability means IPv4 unicast only. */
		return afi == MESH_BGP_AFI_IPV4;
	for (int i = 0; i < o->n_mp; i++)
		if (o->mp[i].afi == afi &&
		    o->mp[i].safi == MESH_BGP_SAFI_UNICAST)
			return true;
	return false;
}

static uint8_t mesh_open_addpath(const struct mesh_bgp_open *o, uint16_t afi)
{
	for (int i = 0; i < o->n_addpath; i++)
		if (o->addpath[i].afi == afi &&
		    o->addpath[i].safi == MESH_BGP_SAFI_UNICAST)
			return o->addpath[i].flags;
	return 0;
}

/* RFC 4271 6.8: with two connections that both know the peer's BGP
 * identifier, the one initiated by the speaker with the higher
 * identifier survives. Returns the connection to close, or NULL. */
static struct mesh_conn *mesh_collision_loser(struct mesh_conn *c)
{
	struct mesh_peer *peer = c->peer;
	struct mesh_conn *other = &peer->conn[!c->dir];
	uint32_t local_id = ntohl(mesh->router_id.s_addr);

	if (other->fd < 0 || other->state != MESH_FSM_OPENCONFIRM)
		return NULL;
	if (local_id > c->open_rx.bgp_id)
		return &peer->conn[MESH_CONN_IN];
	return &peer->conn[MESH_CONN_OUT];
}

static void mesh_conn_open_received(struct mesh_conn *c, const uint8_t *msg,
				    size_t len)
{
	struct mesh_peer *peer = c->peer;
	struct mesh_bgp_ctx ctx = {};
	struct mesh_bgp_verdict v;
	struct mesh_conn *loser;
	uint16_t hold;

	ctx.local_as = mesh_bgp->local_as;
	ctx.local_id = ntohl(mesh->router_id.s_addr);
	ctx.peer_as = peer->cfg.remote_as;
	ctx.ibgp = peer->cfg.remote_as == mesh_bgp->local_as;
	peer->st.open_in++;
	if (mesh_bgp_open_decode(msg, len, &ctx, &c->open_rx, &v) !=
	    MESH_BGP_ACT_NONE) {
		char text[256];

		mesh_bgp_verdict_fmt(text, sizeof(text), &v);
		zlog_warn("BGP neighbor %pSU: OPEN refused: %s", &peer->su,
			  text);
		mesh_conn_fail(c, &v.notify, text);
		return;
	}
	/* Pointers into the message must not outlive it. */
	c->open_rx.n_other = 0;
	c->open_rx_seen = true;

	loser = mesh_collision_loser(c);
	if (loser) {
		struct mesh_bgp_notify n = {.code = MESH_BGP_ERR_CEASE,
					    .subcode = 7};

		mesh_conn_fail(
			loser, &n,
			"connection collision resolution (RFC 4271 6.8)");
		if (loser == c)
			return;
	}

	/* RFC 4271 4.2: the smaller of the two hold times. */
	hold = mesh_peer_holdtime_cfg(peer);
	if (c->open_rx.hold_time < hold)
		hold = c->open_rx.hold_time;
	peer->holdtime = hold;
	peer->keepalive = mesh_peer_keepalive_cfg(peer);
	if (peer->keepalive > hold / 3)
		peer->keepalive = hold / 3;
	if (hold == 0)
		peer->keepalive = 0;

	c->state = MESH_FSM_OPENCONFIRM;
	mesh_conn_send_keepalive(c);
	THREAD_OFF(c->t_hold);
	if (hold)
		thread_add_timer(master, mesh_conn_hold_expired, c, hold,
				 &c->t_hold);
	if (peer->keepalive)
		thread_add_timer_msec(master, mesh_conn_keepalive, c,
				      mesh_jitter_msec(peer->keepalive),
				      &c->t_keepalive);
	mesh_peer_state_update(peer);
}

static void mesh_conn_established(struct mesh_conn *c)
{
	struct mesh_peer *peer = c->peer;
	struct mesh_conn *other = &peer->conn[!c->dir];
	const struct mesh_bgp_open *o = &c->open_rx;

	if (other->fd >= 0) {
		struct mesh_bgp_notify n = {.code = MESH_BGP_ERR_CEASE,
					    .subcode = 7};

		strlcpy(peer->last_reason,
			"connection collision resolution (RFC 4271 6.8)",
			sizeof(peer->last_reason));
		mesh_conn_notify_close(other, &n, NULL);
	}
	THREAD_OFF(peer->t_connect_retry);
	peer->connect_attempts = 0;
	peer->est = c;
	peer->open_rx = *o;
	c->state = MESH_FSM_ESTABLISHED;

	memset(&peer->ctx, 0, sizeof(peer->ctx));
	peer->ctx.as4 = (o->caps & MESH_BGP_CAPF_AS4) != 0;
	peer->ctx.ext_msg = (o->caps & MESH_BGP_CAPF_EXT_MESSAGE) != 0;
	peer->ctx.ibgp = peer->cfg.remote_as == mesh_bgp->local_as;
	peer->ctx.mesh_type = mesh ? mesh->attr_type : 0;
	peer->ctx.mesh_validate = mesh_attr_validate;
	peer->ctx.mesh_arg = &mesh_attr_scratch;
	peer->ctx.local_as = mesh_bgp->local_as;
	peer->ctx.local_id = ntohl(mesh->router_id.s_addr);
	peer->ctx.peer_as = peer->cfg.remote_as;
	for (int afi = 0; afi < MESH_AFI_MAX; afi++) {
		uint16_t wafi = mesh_afi_to_wire(afi);
		uint8_t ap = mesh_open_addpath(o, wafi);

		peer->af_up[afi] = mesh_peer_af_active(peer, afi) &&
				   mesh_open_has_af(o, wafi);
		peer->eor_rx[afi] = peer->eor_tx[afi] = false;
		if (peer->af_up[afi] && (ap & MESH_BGP_ADDPATH_TX))
			peer->ctx.addpath_rx |= afi == MESH_AFI_IP
							? MESH_BGP_AFB_IPV4
							: MESH_BGP_AFB_IPV6;
		/* RFC 7911 4: path identifiers are sent only where we said
		 * we would send and the peer said it would receive. */
		if (peer->af_up[afi] && (ap & MESH_BGP_ADDPATH_RX) &&
		    peer->cfg.af[afi].addpath_tx_all)
			peer->ctx.addpath_tx |= afi == MESH_AFI_IP
							? MESH_BGP_AFB_IPV4
							: MESH_BGP_AFB_IPV6;
	}
	peer->refresh = (o->caps & MESH_BGP_CAPF_ROUTE_REFRESH) != 0;
	peer->enhanced_refresh = (o->caps & MESH_BGP_CAPF_ENHANCED_RR) != 0;
	peer->gr_time =
		(o->caps & MESH_BGP_CAPF_GRACEFUL_RESTART) ? o->gr_time : 0;
	peer->last_reason[0] = '\0';
	peer->shut_rx[0] = '\0';
	peer->st.established++;
	mesh_peer_set_state(peer, MESH_FSM_ESTABLISHED);
	mesh_bgp_established(peer);
}

/* ---- Timers ---- */

static void mesh_conn_hold_expired(struct thread *t)
{
	struct mesh_conn *c = THREAD_ARG(t);
	struct mesh_bgp_notify n = {.code = MESH_BGP_ERR_HOLD};

	mesh_conn_fail(c, &n, "hold timer expired");
}

static void mesh_conn_keepalive(struct thread *t)
{
	struct mesh_conn *c = THREAD_ARG(t);
	struct mesh_peer *peer = c->peer;

	mesh_conn_send_keepalive(c);
	if (peer->keepalive)
		thread_add_timer_msec(master, mesh_conn_keepalive, c,
				      mesh_jitter_msec(peer->keepalive),
				      &c->t_keepalive);
}

static void mesh_conn_hold_restart(struct mesh_conn *c)
{
	struct mesh_peer *peer = c->peer;

	if (c->state < MESH_FSM_OPENCONFIRM || !peer->holdtime)
		return;
	THREAD_OFF(c->t_hold);
	thread_add_timer(master, mesh_conn_hold_expired, c, peer->holdtime,
			 &c->t_hold);
}

/* ---- Input ---- */

static void mesh_notification_received(struct mesh_conn *c, const uint8_t *msg,
				       size_t len)
{
	struct mesh_peer *peer = c->peer;
	struct mesh_bgp_notification n;
	struct mesh_bgp_verdict v;
	char text[512];

	peer->st.notify_in++;
	mesh_bgp_notification_decode(msg, len, &peer->ctx, &n, &v);
	mesh_bgp_notification_fmt(text, sizeof(text), &n);
	peer->last_code = n.code;
	peer->last_subcode = n.subcode;
	peer->last_sent = false;
	if (n.shut == MESH_BGP_SHUT_OK) {
		size_t l = n.shut_text.len < sizeof(peer->shut_rx) - 1
				   ? n.shut_text.len
				   : sizeof(peer->shut_rx) - 1;

		memcpy(peer->shut_rx, n.shut_text.p, l);
		peer->shut_rx[l] = '\0';
	}
	zlog_warn("BGP neighbor %pSU: NOTIFICATION received: %s", &peer->su,
		  text);
	snprintf(peer->last_reason, sizeof(peer->last_reason),
		 "NOTIFICATION received: %.100s", text);
	/* No NOTIFICATION in reply (RFC 4271 6.4); the session ends, and a
	 * NOTIFICATION ends graceful restart too (RFC 4724 without 8538). */
	peer->gr_time = 0;
	mesh_conn_fail(c, NULL, NULL);
}

/* FSM error (RFC 4271 6.6) with the RFC 6608 subcode of the state. */
static void mesh_conn_fsm_error(struct mesh_conn *c, uint8_t type)
{
	struct mesh_bgp_notify n = {.code = MESH_BGP_ERR_FSM};
	char reason[96];

	n.subcode = c->state == MESH_FSM_OPENSENT      ? 1
		    : c->state == MESH_FSM_OPENCONFIRM ? 2
						       : 3;
	snprintf(reason, sizeof(reason), "unexpected %s in %s",
		 mesh_bgp_msg_type_name(type), mesh_fsm_state_name(c->state));
	mesh_conn_fail(c, &n, reason);
}

/* Handles one framed message; false when c was closed. */
static bool mesh_conn_dispatch(struct mesh_conn *c, const uint8_t *msg,
			       size_t len)
{
	struct mesh_peer *peer = c->peer;
	uint8_t type = msg[18];

	if (type == MESH_BGP_MSG_NOTIFICATION) {
		mesh_notification_received(c, msg, len);
		return false;
	}
	mesh_conn_hold_restart(c);

	switch (c->state) {
	case MESH_FSM_OPENSENT:
		if (type != MESH_BGP_MSG_OPEN) {
			mesh_conn_fsm_error(c, type);
			return false;
		}
		mesh_conn_open_received(c, msg, len);
		return c->fd >= 0 && c->state == MESH_FSM_OPENCONFIRM;
	case MESH_FSM_OPENCONFIRM:
		if (type != MESH_BGP_MSG_KEEPALIVE) {
			mesh_conn_fsm_error(c, type);
			return false;
		}
		peer->st.keepalive_in++;
		mesh_conn_established(c);
		return c->fd >= 0;
	case MESH_FSM_ESTABLISHED:
		switch (type) {
		case MESH_BGP_MSG_KEEPALIVE:
			peer->st.keepalive_in++;
			return true;
		case MESH_BGP_MSG_UPDATE:
			peer->st.update_in++;
			mesh_bgp_packet_update(peer, msg, len);
			return c->fd >= 0;
		case MESH_BGP_MSG_ROUTE_REFRESH:
			peer->st.refresh_in++;
			mesh_bgp_packet_refresh(peer, msg, len);
			return c->fd >= 0;
		default:
			mesh_conn_fsm_error(c, type);
			return false;
		}
	default:
		mesh_conn_fsm_error(c, type);
		return false;
	}
}

static void mesh_conn_read(struct thread *t)
{
	struct mesh_conn *c = THREAD_ARG(t);
	struct mesh_peer *peer = c->peer;
	struct mesh_bgp_verdict v;
	ssize_t n;
	int len;

	if (!c->ibuf) {
		c->ibuf_size = MESH_READ_CHUNK + MESH_BGP_EXT_MAX_LEN;
		c->ibuf = XMALLOC(MTYPE_MESH_BGP_IBUF, c->ibuf_size);
	}
	/* Keep the partial message at the front. */
	if (c->ibuf_off) {
		memmove(c->ibuf, c->ibuf + c->ibuf_off,
			c->ibuf_len - c->ibuf_off);
		c->ibuf_len -= c->ibuf_off;
		c->ibuf_off = 0;
	}
	n = read(c->fd, c->ibuf + c->ibuf_len, c->ibuf_size - c->ibuf_len);
	if (n == 0) {
		mesh_conn_fail(c, NULL, "connection closed by peer");
		return;
	}
	if (n < 0) {
		char reason[96];

		if (ERRNO_IO_RETRY(errno)) {
			thread_add_read(master, mesh_conn_read, c, c->fd,
					&c->t_read);
			return;
		}
		snprintf(reason, sizeof(reason), "read: %s",
			 safe_strerror(errno));
		mesh_conn_fail(c, NULL, reason);
		return;
	}
	c->ibuf_len += n;

	/* Before Established the context is the default one: 4096-octet
	 * messages (RFC 8654 applies only once negotiated). */
	while (c->fd >= 0) {
		const struct mesh_bgp_ctx *ctx =
			c->state == MESH_FSM_ESTABLISHED ? &peer->ctx : NULL;
		struct mesh_bgp_ctx plain = {};

		len = mesh_bgp_msg_frame(c->ibuf + c->ibuf_off,
					 c->ibuf_len - c->ibuf_off,
					 ctx ? ctx : &plain, &v);
		if (len == 0)
			break;
		if (len < 0) {
			char text[256];

			mesh_bgp_verdict_fmt(text, sizeof(text), &v);
			zlog_warn("BGP neighbor %pSU: bad message header: %s",
				  &peer->su, text);
			mesh_conn_fail(c, &v.notify, text);
			return;
		}
		if (!mesh_conn_dispatch(c, c->ibuf + c->ibuf_off, len))
			return;
		c->ibuf_off += len;
	}
	if (c->fd >= 0)
		thread_add_read(master, mesh_conn_read, c, c->fd, &c->t_read);
}

/* ---- Start and stop ---- */

void mesh_fsm_peer_init(struct mesh_peer *peer)
{
	for (int i = 0; i < 2; i++) {
		peer->conn[i].peer = peer;
		peer->conn[i].dir = i;
		peer->conn[i].fd = -1;
		peer->conn[i].obuf = stream_fifo_new();
	}
	peer->state = MESH_FSM_IDLE;
	peer->uptime = monotime(NULL);
}

void mesh_fsm_peer_fini(struct mesh_peer *peer)
{
	mesh_fsm_stop(peer, MESH_BGP_ERR_CEASE, 3 /* peer de-configured */,
		      NULL);
	mesh_bgp_export_peer_fini(peer);
	for (int i = 0; i < 2; i++) {
		mesh_conn_close(&peer->conn[i]);
		stream_fifo_free(peer->conn[i].obuf);
		peer->conn[i].obuf = NULL;
	}
	THREAD_OFF(peer->t_gr_stale);
}

void mesh_fsm_start(struct mesh_peer *peer)
{
	if (!mesh_peer_startable(peer)) {
		mesh_peer_state_update(peer);
		return;
	}
	/* An operator's start (configuration, clear) is not a flap. */
	peer->connect_attempts = 0;
	peer->flaps = 0;
	peer->idle_hold_until = 0;
	if (!peer->est && peer->conn[MESH_CONN_OUT].fd < 0)
		mesh_peer_schedule_retry(peer);
	mesh_peer_state_update(peer);
}

void mesh_fsm_stop(struct mesh_peer *peer, uint8_t code, uint8_t subcode,
		   const char *text)
{
	struct mesh_bgp_notify n = {.code = code, .subcode = subcode};
	bool was_est = peer->est != NULL;

	THREAD_OFF(peer->t_connect_retry);
	for (int i = 0; i < 2; i++) {
		struct mesh_conn *c = &peer->conn[i];

		if (c->fd < 0)
			continue;
		/* A NOTIFICATION only once OPEN went out (RFC 4271 6). */
		if (c->state >= MESH_FSM_OPENSENT)
			mesh_conn_notify_close(
				c, &n,
				text && code == MESH_BGP_ERR_CEASE ? text
								   : NULL);
		else
			mesh_conn_close(c);
	}
	if (was_est) {
		snprintf(peer->last_reason, sizeof(peer->last_reason),
			 "stopped: %s", text ? text : "configuration");
		peer->est = NULL;
		peer->st.dropped++;
		mesh_bgp_session_down(peer, false);
	}
	THREAD_OFF(peer->t_gr_stale);
	mesh_peer_set_state(peer, MESH_FSM_IDLE);
}
