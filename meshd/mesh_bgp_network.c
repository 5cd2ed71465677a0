// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd BGP sockets: the listen sockets, outgoing connects, TCP-MD5
 * (RFC 2385) and GTSM (RFC 5082).
 *
 * One listen socket per address family on the configured port (179 by
 * default; another port lets meshd run beside bgpd on one host). An
 * accepted connection is handed to the neighbor's state machine if its
 * source address is a configured neighbor, and closed otherwise. MD5
 * keys are installed on the listen sockets per neighbor address, so the
 * kernel drops unsigned SYNs from a neighbor that has a password.
 */
#include <zebra.h>

#include <netinet/tcp.h>

#include "lib/log.h"
#include "lib/network.h"
#include "lib/privs.h"
#include "lib/sockopt.h"
#include "lib/sockunion.h"

#include "meshd/meshd.h"
#include "meshd/mesh_bgp.h"
#include "meshd/mesh_debug.h"

static void mesh_bgp_accept(struct thread *t);

static int mesh_listen_one(int family, uint16_t port)
{
	union sockunion su;
	int fd, ret;

	memset(&su, 0, sizeof(su));
	su.sa.sa_family = family;

	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0) {
		zlog_warn("BGP listen: socket(%s): %s",
			  family == AF_INET ? "IPv4" : "IPv6",
			  safe_strerror(errno));
		return -1;
	}
	sockopt_reuseaddr(fd);
	sockopt_v6only(family, fd);
	set_nonblocking(fd);
	/* The SYN-ACK leaves from the listen socket: with TTL 255, a peer
	 * that checks GTSM (RFC 5082) accepts it. Accepted connections get
	 * their own TTL and minimum TTL per neighbor. */
	sockopt_ttl(family, fd, MAXTTL);
	/* Keep each connection's SYN: its TTL is what GTSM checks for data
	 * that arrived before the accepted socket got its minimum TTL. */
	setsockopt(fd, IPPROTO_TCP, TCP_SAVE_SYN, &(int){1}, sizeof(int));

	frr_with_privs (&mesh_privs) {
		ret = sockunion_bind(fd, &su, port, NULL);
	}
	if (ret < 0 || listen(fd, SOMAXCONN) < 0) {
		zlog_warn("BGP listen: cannot listen on %s port %u: %s",
			  family == AF_INET ? "IPv4" : "IPv6", port,
			  safe_strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void mesh_bgp_listen_start(void)
{
	struct mesh_peer *peer;

	if (!mesh_bgp)
		return;
	mesh_bgp_listen_stop();
	for (int i = 0; i < MESH_AFI_MAX; i++) {
		int fd = mesh_listen_one(i == MESH_AFI_IP ? AF_INET : AF_INET6,
					 mesh_bgp->port);

		mesh_bgp->listen_fd[i] = fd;
		if (fd >= 0)
			thread_add_read(master, mesh_bgp_accept, mesh_bgp, fd,
					&mesh_bgp->t_accept[i]);
	}
	frr_each (mesh_peer_hash, &mesh_bgp->peers, peer)
		mesh_bgp_listen_md5(peer);
	MESH_DEBUG(events, "BGP listening on port %u", mesh_bgp->port);
}

void mesh_bgp_listen_stop(void)
{
	if (!mesh_bgp)
		return;
	for (int i = 0; i < MESH_AFI_MAX; i++) {
		THREAD_OFF(mesh_bgp->t_accept[i]);
		if (mesh_bgp->listen_fd[i] >= 0)
			close(mesh_bgp->listen_fd[i]);
		mesh_bgp->listen_fd[i] = -1;
	}
}

void mesh_bgp_listen_md5(struct mesh_peer *peer)
{
	int fd;

	if (!mesh_bgp)
		return;
	fd = mesh_bgp->listen_fd[mesh_peer_afi(peer)];
	if (fd < 0)
		return;
	/* An empty key removes the neighbor's entry. */
	if (sockopt_tcp_signature(fd, &peer->su, peer->cfg.password) < 0 &&
	    peer->cfg.password)
		zlog_warn("BGP neighbor %pSU: cannot install the TCP-MD5 key "
			  "on the listen socket: %s",
			  &peer->su, safe_strerror(errno));
}

void mesh_bgp_socket_ttl(struct mesh_peer *peer, int fd)
{
	int family = peer->su.sa.sa_family;

	if (peer->cfg.ttl_hops) {
		/* RFC 5082 3: send with TTL 255, accept only packets whose
		 * TTL shows at most the configured number of hops. */
		sockopt_ttl(family, fd, MAXTTL);
		if (sockopt_minttl(family, fd,
				   MAXTTL + 1 - peer->cfg.ttl_hops) < 0)
			zlog_warn("BGP neighbor %pSU: cannot set GTSM minimum "
				  "TTL: %s",
				  &peer->su, safe_strerror(errno));
	} else if (peer->cfg.remote_as != mesh_bgp->local_as) {
		/* eBGP: one hop, as routers expect by default. */
		sockopt_ttl(family, fd, 1);
	}
}

/*
 * GTSM (RFC 5082) for an accepted connection. The minimum TTL can only be
 * set once the connection is accepted, and by then a busy daemon may have
 * let the peer's OPEN be queued unchecked. So the TTL of the connection's
 * SYN decides: a SYN from too many hops away closes the connection.
 * Returns false (and says why) for a connection to refuse.
 */
static bool mesh_bgp_accept_gtsm(struct mesh_peer *peer, int fd)
{
	uint8_t syn[512];
	socklen_t len = sizeof(syn);
	unsigned int ttl, min = MAXTTL + 1 - peer->cfg.ttl_hops;

	if (!peer->cfg.ttl_hops ||
	    getsockopt(fd, IPPROTO_TCP, TCP_SAVED_SYN, syn, &len) < 0 ||
	    len < 20)
		return true;
	if (syn[0] >> 4 == 4)
		ttl = syn[8]; /* IPv4 header: TTL */
	else if (syn[0] >> 4 == 6 && len >= 40)
		ttl = syn[7]; /* IPv6 header: hop limit */
	else
		return true;
	if (ttl >= min)
		return true;
	snprintf(peer->last_reason, sizeof(peer->last_reason),
		 "GTSM: connection refused, its SYN arrived with TTL %u "
		 "(at least %u required)",
		 ttl, min);
	MESH_DEBUG(bgp, "BGP neighbor %pSU: %s", &peer->su, peer->last_reason);
	return false;
}

static void mesh_bgp_accept(struct thread *t)
{
	int lfd = THREAD_FD(t);
	union sockunion su;
	struct mesh_peer *peer;
	int fd;

	for (int i = 0; i < MESH_AFI_MAX; i++)
		if (mesh_bgp->listen_fd[i] == lfd)
			thread_add_read(master, mesh_bgp_accept, mesh_bgp, lfd,
					&mesh_bgp->t_accept[i]);

	memset(&su, 0, sizeof(su));
	fd = sockunion_accept(lfd, &su);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			zlog_warn("BGP accept: %s", safe_strerror(errno));
		return;
	}
	/* IPv4-mapped IPv6 never reaches here: the IPv6 socket is v6only. */
	peer = mesh_peer_lookup(&su);
	if (!peer) {
		MESH_DEBUG(events,
			   "BGP connection from %pSU refused: not a configured "
			   "neighbor",
			   &su);
		close(fd);
		return;
	}
	if (!mesh_bgp_accept_gtsm(peer, fd)) {
		close(fd);
		return;
	}
	set_nonblocking(fd);
	set_cloexec(fd);
	mesh_fsm_accepted(peer, fd);
}

bool mesh_bgp_connect(struct mesh_conn *c)
{
	struct mesh_peer *peer = c->peer;
	union sockunion su = peer->su;
	int fd, ret;

	fd = socket(su.sa.sa_family, SOCK_STREAM, 0);
	if (fd < 0) {
		snprintf(peer->last_reason, sizeof(peer->last_reason),
			 "socket: %s", safe_strerror(errno));
		return false;
	}
	set_nonblocking(fd);
	set_cloexec(fd);
	if (peer->cfg.password &&
	    sockopt_tcp_signature(fd, &peer->su, peer->cfg.password) < 0) {
		snprintf(peer->last_reason, sizeof(peer->last_reason),
			 "TCP-MD5: %s", safe_strerror(errno));
		close(fd);
		return false;
	}
	mesh_bgp_socket_ttl(peer, fd);

	if (su.sa.sa_family == AF_INET)
		su.sin.sin_port = htons(peer->cfg.port);
	else
		su.sin6.sin6_port = htons(peer->cfg.port);
	ret = connect(fd, &su.sa, sockunion_sizeof(&su));
	if (ret < 0 && errno != EINPROGRESS) {
		snprintf(peer->last_reason, sizeof(peer->last_reason),
			 "connect: %s", safe_strerror(errno));
		close(fd);
		return false;
	}
	c->fd = fd;
	return true;
}
