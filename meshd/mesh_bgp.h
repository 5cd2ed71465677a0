// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd BGP speaker: the instance, its neighbors and their sessions.
 *
 * Supported standards (beside those of the codec, mesh_bgp_wire.h):
 *   RFC 4271  8 finite state machine, 6.8 connection collision detection,
 *             9.2.1.1 MinRouteAdvertisementIntervalTimer, 10 timers
 *   RFC 4724  graceful restart (helper: stale paths kept for the
 *             restart time, swept at End-of-RIB)
 *   RFC 4456  route reflection
 *   RFC 2385  TCP MD5 signature option
 *   RFC 5082  GTSM (ttl-security)
 *   RFC 8203, RFC 9003  shutdown communication
 *   RFC 7911  ADD-PATH: several paths per prefix received from every
 *             neighbor; every path sent, each under a stable identifier,
 *             to neighbors with addpath-tx-all-paths that receive them
 *
 * Files:
 *   mesh_bgp.c          instance, neighbors, configuration application
 *   mesh_bgp_fsm.c      the state machine and its timers
 *   mesh_bgp_network.c  listen/connect sockets, MD5, GTSM
 *   mesh_bgp_packet.c   reading, framing and dispatching messages;
 *                       UPDATE ingestion into the RIB
 *   mesh_bgp_export.c   export: best paths (ADD-PATH: all paths) to
 *                       Adj-RIB-Out and UPDATEs
 *   mesh_bgp_vty.c      show and clear commands
 *   mesh_bgp_nb.c       northbound callbacks of router mesh / bgp
 */
#ifndef MESH_BGP_H
#define MESH_BGP_H

#include "lib/prefix.h"
#include "lib/sockunion.h"
#include "lib/stream.h"
#include "lib/thread.h"
#include "lib/typesafe.h"

#include "meshd/mesh_bgp_wire.h"
#include "meshd/mesh_rib.h"

/* Address families meshd speaks: index into per-family arrays. */
enum mesh_afi {
	MESH_AFI_IP = 0,
	MESH_AFI_IP6 = 1,
	MESH_AFI_MAX = 2,
};

#define MESH_BGP_PORT 179
#define MESH_BGP_HOLD_DEFAULT 180
#define MESH_BGP_KEEPALIVE_DEFAULT 60
#define MESH_BGP_CONNECT_RETRY_DEFAULT 120
/* MinRouteAdvertisementIntervalTimer (RFC 4271 9.2.1.1): 0 for iBGP
 * and eBGP alike, the mesh wants fast convergence; per neighbor with
 * 'neighbor X advertisement-interval'. */
#define MESH_BGP_MRAI_DEFAULT 0
#define MESH_BGP_MRAI_MAX 600
#define MESH_BGP_GR_RESTART_TIME 120
#define MESH_BGP_GR_DEFER_TIME 360 /* bgpd's select-defer-time default */

/* RFC 4271 8.2.2 states */
enum mesh_fsm_state {
	MESH_FSM_IDLE = 0,
	MESH_FSM_CONNECT,
	MESH_FSM_ACTIVE,
	MESH_FSM_OPENSENT,
	MESH_FSM_OPENCONFIRM,
	MESH_FSM_ESTABLISHED,
};

/* Per-neighbor, per-family configuration. */
struct mesh_peer_af {
	bool activate;
	bool rr_client;
	bool next_hop_self;
	bool addpath_tx_all;
	char *plist[2]; /* [0] in, [1] out */
	char *rmap[2];
};

/* Neighbor configuration, as the northbound sets it. */
struct mesh_peer_config {
	uint32_t remote_as;
	char *description;
	char *password;	    /* TCP-MD5 key; NULL: none */
	uint8_t ttl_hops;   /* GTSM: accepted hops; 0: off */
	bool passive;	    /* never connect, only accept */
	bool shutdown;	    /* administratively down */
	char *shutdown_msg; /* RFC 9003 text */
	uint16_t port;	    /* remote port to connect to */
	uint16_t holdtime;  /* 0xffff: instance default */
	uint16_t keepalive; /* 0xffff: instance default */
	uint16_t connect_retry;
	uint16_t mrai;		   /* seconds; 0: send as soon as decided */
	bool af_set[MESH_AFI_MAX]; /* activate configured explicitly */
	struct mesh_peer_af af[MESH_AFI_MAX];
};

/* Message and event counters ('show mesh bgp neighbors'). */
struct mesh_peer_stats {
	uint32_t open_in, open_out;
	uint32_t update_in, update_out;
	uint32_t notify_in, notify_out;
	uint32_t keepalive_in, keepalive_out;
	uint32_t refresh_in, refresh_out;
	uint32_t established;	    /* transitions to Established */
	uint32_t dropped;	    /* transitions out of Established */
	uint32_t treat_as_withdraw; /* RFC 7606 treat-as-withdraw events */
	uint32_t attr_discard;	    /* RFC 7606 attribute-discard events */
	uint32_t malformed_logged;
	uint64_t prefixes_in_total;
};

PREDECL_HASH(mesh_peer_hash);

struct mesh_peer;
struct mesh_outq;

/*
 * One TCP connection of a neighbor. A neighbor can have two at once (the
 * one it connected and the one the peer connected) until collision
 * detection (RFC 4271 6.8) keeps one.
 */
enum mesh_conn_dir {
	MESH_CONN_OUT = 0,
	MESH_CONN_IN = 1,
};

struct mesh_conn {
	struct mesh_peer *peer;
	enum mesh_conn_dir dir;
	int fd;			   /* -1: not open */
	enum mesh_fsm_state state; /* CONNECT, OPENSENT, OPENCONFIRM,
				    * ESTABLISHED; IDLE when closed */
	struct thread *t_read, *t_write, *t_connect, *t_hold, *t_keepalive;
	struct stream_fifo *obuf; /* messages waiting for the socket */
	uint8_t *ibuf;		  /* received bytes not yet framed */
	size_t ibuf_off, ibuf_len, ibuf_size;
	bool open_rx_seen;
	struct mesh_bgp_open open_rx; /* the peer's OPEN (raw capability
				       * pointers cleared) */
	union sockunion su_local;
};

struct mesh_peer {
	struct mesh_peer_hash_item hitem;
	union sockunion su; /* neighbor address (key) */
	struct mesh_peer_config cfg;

	/* session */
	enum mesh_fsm_state state; /* the most advanced connection's */
	struct mesh_conn conn[2];  /* [MESH_CONN_OUT], [MESH_CONN_IN] */
	struct mesh_conn *est;	   /* the Established one, or NULL */
	struct thread *t_connect_retry, *t_gr_stale;
	uint32_t connect_attempts;
	uint32_t flaps;		 /* consecutive sessions that ended early */
	int64_t idle_hold_until; /* monotime (us): refuse to start before */

	/* negotiated */
	struct mesh_bgp_open open_rx; /* copy of the peer's OPEN (capability
				       * pointers cleared) */
	struct mesh_bgp_ctx ctx;
	uint16_t holdtime, keepalive; /* in effect */
	bool af_up[MESH_AFI_MAX];     /* family negotiated */
	bool eor_rx[MESH_AFI_MAX];
	bool eor_tx[MESH_AFI_MAX];
	bool gr_helper;	  /* keeping stale paths */
	uint16_t gr_time; /* peer's restart time */
	bool refresh;	  /* route refresh usable */
	bool enhanced_refresh;

	/* RIB view */
	struct mesh_rib_peer rib_peer;
	struct mesh_adjout *adjout[MESH_AFI_MAX];
	struct mesh_outq *outq[MESH_AFI_MAX]; /* changes not yet sent */
	struct thread *t_mrai[MESH_AFI_MAX];  /* running: announcements wait */
	struct mesh_aset *xcache_src[MESH_AFI_MAX]; /* last export: input */
	uint16_t xcache_peer[MESH_AFI_MAX];
	struct mesh_aset *xcache_out[MESH_AFI_MAX]; /* and its result */

	/* last error, for 'show' */
	uint8_t last_code, last_subcode;
	bool last_sent; /* we sent the last NOTIFICATION */
	char last_reason[128];
	char shut_rx[256]; /* peer's shutdown communication */
	time_t uptime;	   /* monotonic time of the last state change */
	struct mesh_peer_stats st;
};

static inline int mesh_peer_cmp(const struct mesh_peer *a,
				const struct mesh_peer *b)
{
	return sockunion_cmp(&a->su, &b->su);
}

static inline uint32_t mesh_peer_hkey(const struct mesh_peer *p)
{
	return sockunion_hash(&p->su);
}

DECLARE_HASH(mesh_peer_hash, struct mesh_peer, hitem, mesh_peer_cmp,
	     mesh_peer_hkey);

/* A 'network' statement. */
struct mesh_network {
	struct prefix p;
	struct mesh_network *next;
};

struct mesh_bgp {
	uint32_t local_as;
	struct in_addr router_id;  /* from 'router mesh' */
	struct in_addr cluster_id; /* 0: router-id */
	uint16_t port;		   /* listen port */
	uint16_t holdtime, keepalive;
	struct mesh_peer_hash_head peers;
	struct mesh_network *networks[MESH_AFI_MAX];
	struct mesh_rib *rib[MESH_AFI_MAX];
	int listen_fd[MESH_AFI_MAX];
	struct thread *t_accept[MESH_AFI_MAX];
	struct thread *t_process; /* RIB decision + export */
	uint32_t peers_up;

	/* Graceful restart as restarting speaker (RFC 4724 4.1) */
	struct mesh_bgp_gr {
		bool enabled;
		uint16_t restart_time; /* in our capability */
		uint16_t defer_time;   /* Selection_Deferral_Timer */
		bool deferring;	       /* restarted: selection waits */
		bool fwd_preserved;    /* F bit: zebra kept our routes */
		struct thread *t_defer;
		int64_t defer_start;   /* monotime (us) */
		int64_t defer_end;     /* monotime (us), 0 while deferring */
		const char *defer_why; /* how the deferral ended */
	} gr;
};

extern struct mesh_bgp *mesh_bgp;

static inline enum mesh_afi mesh_afi_from_wire(uint16_t afi)
{
	return afi == MESH_BGP_AFI_IPV6 ? MESH_AFI_IP6 : MESH_AFI_IP;
}

static inline uint16_t mesh_afi_to_wire(enum mesh_afi afi)
{
	return afi == MESH_AFI_IP6 ? MESH_BGP_AFI_IPV6 : MESH_BGP_AFI_IPV4;
}

/* ---- Instance and neighbors (mesh_bgp.c) ---- */

struct mesh_bgp *mesh_bgp_create(uint32_t local_as);
void mesh_bgp_delete(void);
/* router-id or local AS changed: every session restarts. */
void mesh_bgp_identity_changed(void);
/* The listen port changed. */
void mesh_bgp_listen_changed(void);

struct mesh_peer *mesh_peer_create(const union sockunion *su);
void mesh_peer_delete(struct mesh_peer *peer);
struct mesh_peer *mesh_peer_lookup(const union sockunion *su);
enum mesh_afi mesh_peer_afi(const struct mesh_peer *peer);
bool mesh_peer_af_active(const struct mesh_peer *peer, enum mesh_afi afi);

/* What a configuration change needs of a running session. */
enum mesh_peer_change {
	MESH_PEER_CHANGE_RESET,	     /* restart the session (remote-as,
				      * password, timers, families...) */
	MESH_PEER_CHANGE_SHUTDOWN,   /* shutdown set or cleared */
	MESH_PEER_CHANGE_POLICY_IN,  /* re-apply inbound policy */
	MESH_PEER_CHANGE_POLICY_OUT, /* re-export */
	MESH_PEER_CHANGE_NONE,	     /* description and the like */
};
void mesh_peer_config_changed(struct mesh_peer *peer,
			      enum mesh_peer_change what);

void mesh_network_add(const struct prefix *p);
void mesh_network_del(const struct prefix *p);

/* Operator actions ('clear mesh bgp'). */
void mesh_peer_clear_hard(struct mesh_peer *peer);
void mesh_peer_clear_soft_in(struct mesh_peer *peer, enum mesh_afi afi);
void mesh_peer_clear_soft_out(struct mesh_peer *peer, enum mesh_afi afi);

/* A prefix-list or route-map changed somewhere: re-apply policies. */
void mesh_bgp_policy_changed(void);

/* ---- Sockets (mesh_bgp_network.c) ---- */

/* Opens the IPv4 and IPv6 listen sockets on mesh_bgp->port (a family
 * that cannot be opened is logged and skipped). */
void mesh_bgp_listen_start(void);
void mesh_bgp_listen_stop(void);
/* The neighbor's MD5 key changed: install it on the listen sockets. */
void mesh_bgp_listen_md5(struct mesh_peer *peer);
/* Starts a non-blocking connect for c; false on immediate failure. */
bool mesh_bgp_connect(struct mesh_conn *c);
/* TTL/GTSM options on a connected socket. */
void mesh_bgp_socket_ttl(struct mesh_peer *peer, int fd);

/* ---- State machine (mesh_bgp_fsm.c) ---- */

/* Sets up / releases the session part of a neighbor (mesh_peer_create()
 * and mesh_peer_delete() call them). */
void mesh_fsm_peer_init(struct mesh_peer *peer);
void mesh_fsm_peer_fini(struct mesh_peer *peer);
/* The listen socket accepted fd from a configured neighbor. */
void mesh_fsm_accepted(struct mesh_peer *peer, int fd);
/* The non-blocking connect of c finished (err: errno or 0). */
void mesh_fsm_connected(struct mesh_conn *c, int err);
/* Queues a message (the bytes of w) on c and starts writing. */
void mesh_conn_send(struct mesh_conn *c, const uint8_t *msg, size_t len);
/* Closes c after sending n (may be NULL); the peer goes Idle/Active
 * when it was the last connection. */
void mesh_conn_fail(struct mesh_conn *c, const struct mesh_bgp_notify *n,
		    const char *reason);
/* Established: message handlers of mesh_bgp_packet.c */
void mesh_bgp_established(struct mesh_peer *peer);
void mesh_bgp_session_down(struct mesh_peer *peer, bool graceful);
/* Handles one framed message of c in state Established. */
void mesh_bgp_packet_update(struct mesh_peer *peer, const uint8_t *msg,
			    size_t len);
void mesh_bgp_packet_refresh(struct mesh_peer *peer, const uint8_t *msg,
			     size_t len);

/* ---- State machine (mesh_bgp_fsm.c) ---- */

/* ManualStart: begins connecting (or listening only, if passive) unless
 * the neighbor is shut down or the instance lacks a router-id. */
void mesh_fsm_start(struct mesh_peer *peer);
/* ManualStop: sends NOTIFICATION code/subcode (Cease with text as a
 * shutdown communication when text is given) if a session is open,
 * closes, releases the peer's paths and goes Idle. */
void mesh_fsm_stop(struct mesh_peer *peer, uint8_t code, uint8_t subcode,
		   const char *text);
const char *mesh_fsm_state_name(enum mesh_fsm_state s);

/* ---- RIB glue (mesh_bgp_packet.c, mesh_bgp_export.c) ---- */

/* Runs the decision process and export soon (batched). */
void mesh_bgp_schedule_process(void);

/* ---- Graceful restart, restarting speaker (mesh_bgp_gr.c) ---- */

/* 'bgp graceful-restart ...' changed, or the speaker was created. */
void mesh_bgp_gr_config_changed(void);
void mesh_bgp_gr_fini(void);
/* Route selection of a restarted meshd waits (RFC 4724 4.1). */
bool mesh_bgp_gr_deferring(void);
/* Ends the deferral if no neighbor is waited for any more. */
void mesh_bgp_gr_check(void);
void mesh_bgp_gr_session_up(void);
/* How long zebra keeps our routes once we are gone. */
uint32_t mesh_bgp_gr_stale_time(void);
/* Fills the graceful restart capability of an OPEN to peer. */
void mesh_bgp_gr_open(const struct mesh_peer *peer, struct mesh_bgp_open *o);
struct vty;
void mesh_bgp_gr_show(struct vty *vty, struct json_object *json);
/* Sends peer its whole Adj-RIB-Out for afi again, then End-of-RIB
 * (session up, ROUTE-REFRESH received). */
void mesh_bgp_resend(struct mesh_peer *peer, enum mesh_afi afi);
/* The neighbor's advertisement interval changed. */
void mesh_bgp_mrai_changed(struct mesh_peer *peer);
/* Releases the neighbor's RIB and Adj-RIB-Out state (deletion). */
void mesh_bgp_export_peer_fini(struct mesh_peer *peer);
/* Sends ROUTE-REFRESH for afi if the peer supports it. */
void mesh_bgp_send_refresh(struct mesh_peer *peer, enum mesh_afi afi);

/* Re-runs inbound policy over the Adj-RIB-In of peer for afi. */
void mesh_bgp_reapply_in(struct mesh_peer *peer, enum mesh_afi afi);
/* Recomputes what peer should have for afi and sends the difference. */
void mesh_bgp_reexport(struct mesh_peer *peer, enum mesh_afi afi);
/* A 'network' statement appeared or went away. */
void mesh_bgp_originate(const struct prefix *p, bool add);
/* Originate p with the given mesh attribute (the node route). */
void mesh_bgp_originate_attr(const struct prefix *p, const uint8_t *mattr,
			     size_t len);
/* Sequence numbers of the attributes this node originates: growing,
 * also across restarts (seconds since the epoch in the high bits). */
uint64_t mesh_attr_sequence_next(void);

/* ---- Policy (mesh_routemap.c) ---- */

/*
 * Inbound policy of peer for afi: its prefix-list, then its route-map.
 * Returns NULL when denied, else a referenced attribute set: attr itself
 * when nothing was changed, a new interned set when a route-map 'set'
 * changed it. With no policy configured this is one reference count.
 */
struct mesh_aset *mesh_policy_in(struct mesh_peer *peer, enum mesh_afi afi,
				 const struct mesh_bgp_prefix *p,
				 struct mesh_aset *attr);
/* Outbound policy, the same way, applied after the export rules. */
struct mesh_aset *mesh_policy_out(struct mesh_peer *peer, enum mesh_afi afi,
				  const struct mesh_bgp_prefix *p,
				  struct mesh_aset *attr);
void mesh_routemap_init(void);

void mesh_bgp_vty_init(void);

#endif /* MESH_BGP_H */
