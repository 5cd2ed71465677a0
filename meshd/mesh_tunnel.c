// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd endpoint agent: tunnels, probes and the node route.
 *
 * Remote nodes are learned from their node routes (the mesh attribute's
 * endpoint TLV: underlay address, base UDP port, WireGuard public key,
 * signed by the mesh CA). A public key is used only when the signature
 * verifies against the configured CA key (mesh_key_peer_from_attr);
 * otherwise the node is listed with the reason and no tunnel is built.
 *
 * Which nodes get a tunnel: those named by 'tunnel neighbor', or with
 * 'tunnel full-mesh' every node of the same tenant, up to 'tunnel max'.
 * Each tunnel is its own wireguard-go interface (zebra routes can then
 * name a primary and a backup interface, and tc can shape each), named
 * "m<local>.<peer>" from the low 24 bits of both node IDs so that names
 * do not collide across network namespaces. The interface carries the
 * local node ID with the peer's node ID as point-to-point peer; the
 * WireGuard peer allows every address, since each interface has one peer.
 *
 * Ports: the tunnel between A and B listens, on A, on A's advertised
 * port + (B & MESH_TUNNEL_PORT_MASK) + lane * (MESH_TUNNEL_PORT_MASK + 1),
 * so each side knows where the other listens for it without another
 * round of signalling. Two neighbors that map to one port are refused
 * with a log message.
 *
 * Lanes: key rotation without loss. A WireGuard interface has one
 * private key, and a peer's packets are accepted only from the peer that
 * owns their source address, so neither end can take the new key on the
 * working interface without dropping what is in flight. Instead each
 * pair of nodes has two lanes, and a tunnel runs on lane
 * mesh_key_lane(A's key) ^ mesh_key_lane(B's key): lane 1 listens 1024
 * ports higher and its interface name starts with the capital letter.
 * A rotating node draws its new key on the other lane bit and advertises
 * it; at once it builds, for every working tunnel, a twin on the other
 * lane with the new key, and every peer that learns the new key builds
 * its twin too (same own key, the new peer key). The twins handshake
 * (a persistent keepalive starts it) while the old pair carries the
 * traffic; each end then moves its routes to its twin (zebra replaces
 * each kernel route, so nothing is without one), moves the point-to-point
 * address, and keeps the old interface MESH_TWIN_DRAIN_MS, receiving,
 * for what the other end still sends on it. Neither direction ever sends
 * into an interface that cannot take it. If both nodes rotate at once
 * (a twin was made for a peer key that is no longer the peer's), or a
 * twin does not handshake within MESH_TWIN_WAIT_MS, the tunnel is rebuilt
 * on the lane the current keys give (break-before-make). A new peer key
 * that leaves the lane as it was (a peer that draws keys without the lane
 * rule) is taken in place: the new key beside the old one, carrying
 * nothing until it handshakes (mesh_wgd_pending_check; a few packets
 * lost). A tunnel whose lane does not match its keys is rebuilt.
 *
 * Health: a STAMP (RFC 8762) Session-Sender per tunnel, bound to the
 * tunnel interface, sends a probe every interval to the peer's reflector
 * (UDP 862, one socket per daemon) and measures delay, delay variation
 * and loss (mesh_stamp.c). The reflector runs in its own pthread, so a
 * main loop busy for a while (a wireguard-go being started, a full SPF
 * run, a large BGP update) does not make every peer miss replies and
 * declare its tunnels to us down. Liveness follows BFD's rule rather than the
 * round trip: the tunnel is down once no reply at all arrived for
 * down-after intervals, so a long but working path is not declared down,
 * and up again after up-after consecutive replies. A state change moves
 * the routes at once (mesh_zebra_tunnel_changed) and re-advertises the
 * node route; a delay change is re-advertised only when it moves past the
 * threshold, at most once a second, so noise does not churn BGP.
 */
#include <zebra.h>

#include <netinet/ip.h>
#include <spawn.h>

#include "lib/command.h"
#include "lib/frr_pthread.h"
#include "lib/frratomic.h"
#include "lib/json.h"
#include "lib/libfrr.h"
#include "lib/memory.h"
#include "lib/monotime.h"
#include "lib/network.h"
#include "lib/privs.h"
#include "lib/sockopt.h"
#include "lib/vty.h"

#include "meshd/meshd.h"
#include "meshd/mesh_bgp.h"
#include "meshd/mesh_debug.h"
#include "meshd/mesh_errors.h"
#include "meshd/mesh_keys.h"
#include "meshd/mesh_netlink.h"
#include "meshd/mesh_reflect.h"
#include "meshd/mesh_tunnel.h"
#include "meshd/mesh_wgk.h"
#include "meshd/mesh_zebra.h"

#ifndef VTYSH_EXTRACT_PL
#include "meshd/mesh_tunnel_clippy.c"
#endif

DEFINE_MTYPE_STATIC(MESHD, MESH_TNODE, "Mesh remote node");
DEFINE_MTYPE_STATIC(MESHD, MESH_TUNNEL, "Mesh tunnel");

#define MESH_STR "Encrypted IVN mesh (meshd)\n"
/* Metric re-advertisements are at least this far apart. */
#define MESH_ADV_DAMP_MS 1000
/* A delay change smaller than this is never re-advertised. */
#define MESH_ADV_MIN_US 100
/* The delay advertised is the smallest of the last this many samples:
 * queueing and scheduling only ever add delay, so the minimum follows
 * the path and not the load (16 samples: 1.6 s at the default 100 ms). */
#define MESH_DELAY_WINDOW 16
/* Error estimate of our timestamps (RFC 4656 4.1.2): synchronized to
 * UTC as configured, NTP format, about a millisecond (1 x 2^-10 s). A
 * zero multiplier is invalid, so one must be set. */
#define MESH_TUNNEL_EE                                                         \
	mesh_stamp_ee_make(mesh_tunnel_cfg.probe_clock_synced, false, 22, 1)
/* Between advertising a new key and using it. */
#define MESH_KEY_GRACE_MS 2000
/* How long one reconcile pass may go on making new tunnels. */
#define MESH_TUNNEL_PASS_US 20000
/* A tunnel that could not be built is tried again after this. */
#define MESH_TUNNEL_RETRY_MS 5000
/* Key rotation twins: how long a twin may take to handshake, how often
 * that is checked, and how long the old interface stays after the move. */
#define MESH_TWIN_WAIT_MS 10000
#define MESH_TWIN_POLL_MS 5
#define MESH_TWIN_DRAIN_MS 3000

static const struct mesh_tunnel_cfg mesh_tunnel_cfg_default = {
	.probe_interval_ms = MESH_PROBE_INTERVAL_DEFAULT,
	.probe_down_after = MESH_PROBE_DOWN_DEFAULT,
	.probe_up_after = MESH_PROBE_UP_DEFAULT,
	.bandwidth_mbps = MESH_TUNNEL_BW_DEFAULT,
	.threshold_pct = 10,
	.max_tunnels = 16,
};

struct mesh_tunnel_cfg mesh_tunnel_cfg = mesh_tunnel_cfg_default;

enum mesh_tun_state {
	MESH_TUN_INIT = 0, /* built, no verdict from the probes yet */
	MESH_TUN_UP,
	MESH_TUN_DOWN,
};

struct mesh_tunnel {
	const struct mesh_tunnel_driver *drv;
	/* wireguard driver: the kernel's WireGuard or wireguard-go */
	const struct mesh_wg_impl *wg;
	uint32_t peer; /* node ID, host order */
	char ifname[IFNAMSIZ];
	ifindex_t ifindex;
	struct mesh_wg_dev dev; /* wireguard-go */
	uint16_t listen_port;
	struct mesh_wg_endpoint remote;
	uint8_t peer_pub[MESH_KEY_LEN];
	/* The peer advertised a new key: it is a second WireGuard peer
	 * without allowed IPs until it completes a handshake. */
	bool has_pending;
	uint8_t pending_pub[MESH_KEY_LEN];
	uint8_t lane;  /* 0 or 1: ports and name, see "Lanes" above */
	bool next_key; /* (re)configure with the key a rotation moves to */
	uint8_t own_pub[MESH_KEY_LEN]; /* the key the interface has */

	/* Key rotation, make-before-break (see "Lanes"): the tunnel on the
	 * other lane with the new key, built beside this one, and after the
	 * move the interface the traffic left, until it is removed. Both
	 * carry only interface fields (those mesh_tunnel_if_swap moves). */
	struct mesh_tunnel *twin;
	struct mesh_tunnel *drained;
	struct thread *t_twin, *t_drain;
	uint64_t twin_until; /* monotonic us: give up, change in place */
	bool is_twin;	     /* this is a twin or drained interface */
	bool zebra_up;	     /* twin: zebra knows it and saw it up */

	enum mesh_tun_state state;
	uint64_t state_since; /* monotonic us */
	uint32_t flaps;
	uint64_t last_rx;	/* monotonic us of the last reply */
	uint32_t rx_streak;	/* replies since the tunnel went down */
	uint64_t rx_bad;	/* replies that did not decode */
	uint32_t sent_since_rx; /* probes sent since the last reply */
	uint32_t delay_ring[MESH_DELAY_WINDOW]; /* us, one-way */
	uint32_t delay_n, delay_pos;

	struct mesh_stamp_session st;
	int fd;
	struct thread *t_read, *t_send;
	/* the peer's key switch is due: watched closely (pending_watch) */
	struct thread *t_pending;
	uint64_t pending_until; /* monotonic us: back to the probe ticks */

	/* What the node route says about this tunnel now. */
	bool adv_up;
	uint32_t adv_delay_us;
	uint64_t adv_time; /* monotonic us of the last metric update */
	bool in_use;	   /* reconcile mark */
	bool dead;	   /* its wireguard-go is gone: remake it */
	bool adopted;	   /* found running from before a restart */
	/* a wireguard-go of ours started without graceful restart: it ends
	 * with meshd (PR_SET_PDEATHSIG) */
	bool mortal;
};

/*
 * A driver makes the interface of one tunnel and keeps its far end
 * current; everything else (addressing, probes, routes) is the same for
 * all. "wireguard" runs wireguard-go on a TUN that meshd creates;
 * "vxlan" is an unencrypted kernel VXLAN interface with one unicast
 * remote, for trusted underlays.
 */
struct mesh_tunnel_driver {
	const char *name;
	char prefix;	  /* first letter of its interface names */
	unsigned int mtu; /* of the tunnel interface */
	/* Routes over it name the peer as gateway (a broadcast link). */
	bool gateway;
	/* It uses the peer's public key (key changes are for it to take). */
	bool keyed;
	int (*up)(struct mesh_tunnel *t, char *err, size_t errlen);
	/* The far end moved or changed its key; NULL: rebuild the tunnel
	 * (a VXLAN remote is fixed when the interface is made). */
	int (*peer)(struct mesh_tunnel *t, char *err, size_t errlen);
	void (*down)(struct mesh_tunnel *t);
	void (*show)(const struct mesh_tunnel *t, json_object *j);
};

/*
 * The "wireguard" driver runs on one of two WireGuard implementations:
 * the kernel's, over generic netlink (mesh_wgk.c), where the kernel has
 * the "wireguard" family, or wireguard-go over its UAPI socket
 * (mesh_wg.c). Both take a struct mesh_wg_cfg and give a struct
 * mesh_wg_state, so the key, the peer, key rotation and show work the
 * same on either. Which one is asked once per daemon start and again when
 * the kernel fails to create a device; a tunnel keeps the one it was built
 * on, and a wireguard-go adopted at a graceful restart stays one.
 */
struct mesh_wg_impl {
	const char *name; /* "wireguardImplementation" in the show */
	/* Make the interface, or adopt the one kept over a restart. */
	int (*up)(struct mesh_tunnel *t, char *err, size_t errlen);
	void (*down)(struct mesh_tunnel *t);
	int (*set)(const struct mesh_tunnel *t, const struct mesh_wg_cfg *c,
		   char *err, size_t errlen);
	int (*get)(const struct mesh_tunnel *t, struct mesh_wg_state *st,
		   char *err, size_t errlen);
	/* Whether the interface is still served; what happened if not. */
	bool (*running)(struct mesh_tunnel *t);
	const char *gone;
};

struct mesh_tnode {
	uint64_t key; /* of its node route */
	uint32_t id;
	uint32_t tenant, ivn;
	bool has_endpoint;
	struct mesh_attr_endpoint ep;
	bool key_ok;
	char why[96];	      /* why its key is not used */
	uint64_t retry_after; /* monotonic us: a build failed, wait */
	/* the attribute as received, to check again under a new CA key */
	uint8_t *raw;
	size_t raw_len;
};

static struct mesh_tnode *tnodes;
static size_t n_tnodes, cap_tnodes;
static struct mesh_tunnel *tunnels[MESH_TUNNEL_MAX];
static size_t n_tunnels;

static struct mesh_keypair local_key;
static bool local_key_ok;
/* Key rotation: the next key is advertised first; working tunnels take
 * it when their twins have handshaken ("Lanes"), the others after
 * MESH_KEY_GRACE_MS, when it becomes local_key. */
static struct mesh_keypair next_key;
static bool rotating;
static unsigned int rotation_twins; /* twins the last rotation started */
static uint64_t rotations;
static struct thread *t_rotate;
static char local_key_err[160];
static EVP_PKEY *ca_pub, *ca_sign;
static char ca_err[160];

/* The STAMP reflector's socket and pthread; t_reflect is on its master. */
static int reflector_fd = -1;
static struct frr_pthread *reflector_pth;
/* With graceful restart: the mesh-reflector process ("Reflector") */
static pid_t reflector_pid;
static uint16_t reflector_pid_ee;
static struct thread *t_reflector_watch;
static struct thread *t_reflect, *t_reconcile, *t_originate, *t_retry;
/* Graceful restart: tunnels outlive meshd and are taken over again. */
static bool mesh_tunnel_keep;
/* zebra last said the endpoint address is (not) on an interface */
static bool endpoint_present = true;
static struct mesh_stamp_reflector reflector; /* the reflector's own */
static _Atomic uint16_t reflector_ee;	      /* set by the main pthread */
static _Atomic uint64_t reflected;
static bool node_route_on;
static struct prefix node_route;

static bool mesh_tunnel_active(void);
static void mesh_wgd_pending_check(struct mesh_tunnel *t);

static uint64_t mesh_now_us(void)
{
	struct timeval tv;

	monotime(&tv);
	return (uint64_t)tv.tv_sec * 1000000ULL + tv.tv_usec;
}

/* ---- remote nodes ---- */

static struct mesh_tnode *mesh_tnode_find(uint32_t id)
{
	for (size_t i = 0; i < n_tnodes; i++)
		if (tnodes[i].id == id)
			return &tnodes[i];
	return NULL;
}

static void mesh_tunnel_schedule(void);

/* Whether n's advertised key is usable: an endpoint, and the mesh CA's
 * signature over the attribute (ma decoded from raw). Logged once per
 * verdict, not per update. */
static void mesh_tnode_verify(struct mesh_tnode *n, struct mesh_attr *ma,
			      const uint8_t *raw)
{
	uint8_t pub[MESH_KEY_LEN];
	char was_why[sizeof(n->why)];
	bool was_ok = n->key_ok;

	strlcpy(was_why, n->why, sizeof(was_why));
	n->key_ok = false;
	if (!n->has_endpoint)
		snprintf(n->why, sizeof(n->why),
			 "no tunnel endpoint advertised");
	else if (!ca_pub)
		snprintf(n->why, sizeof(n->why),
			 "no mesh CA public key configured");
	else {
		mesh_attr_verify_decoded(ma, raw, ca_pub);
		if (mesh_key_peer_from_attr(ma, pub, n->why, sizeof(n->why)) ==
		    0) {
			n->key_ok = true;
			n->why[0] = '\0';
		} else if (was_ok || strcmp(was_why, n->why)) {
			zlog_warn("mesh: node %pI4: public key refused: %s",
				  &(struct in_addr){htonl(n->id)}, n->why);
		}
	}
	if (n->key_ok && !was_ok && was_why[0])
		zlog_info("mesh: node %pI4: public key accepted",
			  &(struct in_addr){htonl(n->id)});
}

void mesh_tunnel_node_update(uint64_t key, const struct mesh_attr *in,
			     const uint8_t *raw, size_t len)
{
	struct mesh_attr ma = *in;
	struct mesh_tnode *n;

	if (!(ma.present & MESH_ATTR_HAS_ORIGINATOR) || !mesh ||
	    ma.originator == ntohl(mesh->router_id.s_addr))
		return;
	n = mesh_tnode_find(ma.originator);
	if (!n) {
		if (n_tnodes == cap_tnodes) {
			cap_tnodes = cap_tnodes ? cap_tnodes * 2 : 16;
			tnodes = XREALLOC(MTYPE_MESH_TNODE, tnodes,
					  cap_tnodes * sizeof(*tnodes));
		}
		n = &tnodes[n_tnodes++];
		memset(n, 0, sizeof(*n));
		n->id = ma.originator;
	}
	n->key = key;
	n->tenant = ma.tenant;
	n->ivn = ma.ivn;
	n->has_endpoint = !!(ma.present & MESH_ATTR_HAS_ENDPOINT);
	n->ep = ma.endpoint;
	if (n->raw_len != len) {
		XFREE(MTYPE_MESH_TNODE, n->raw);
		n->raw = XMALLOC(MTYPE_MESH_TNODE, len ? len : 1);
		n->raw_len = len;
	}
	memcpy(n->raw, raw, len);
	mesh_tnode_verify(n, &ma, raw);
	mesh_tunnel_schedule();
}

/* The mesh CA's public key changed: every node's key is judged again
 * from the attribute it last advertised. */
static void mesh_tnodes_verify_again(void)
{
	struct mesh_attr ma;

	for (size_t i = 0; i < n_tnodes; i++) {
		struct mesh_tnode *n = &tnodes[i];

		if (!n->raw || mesh_attr_decode(n->raw, n->raw_len, &ma, NULL,
						0) != MESH_ATTR_OK)
			continue;
		mesh_tnode_verify(n, &ma, n->raw);
	}
	if (n_tnodes)
		mesh_tunnel_schedule();
}

void mesh_tunnel_node_withdraw(uint64_t key)
{
	for (size_t i = 0; i < n_tnodes; i++)
		if (tnodes[i].key == key) {
			XFREE(MTYPE_MESH_TNODE, tnodes[i].raw);
			tnodes[i] = tnodes[--n_tnodes];
			mesh_tunnel_schedule();
			return;
		}
}

/* ---- keys ---- */

static void mesh_tunnel_key_path(char *path, size_t size)
{
	if (mesh_tunnel_cfg.key_file[0])
		strlcpy(path, mesh_tunnel_cfg.key_file, size);
	else
		snprintfrr(path, size, "%s/meshd-%pI4.key", MESH_KEY_DIR,
			   &mesh->router_id);
}

static void mesh_tunnel_keys_load(void)
{
	char path[300];
	int ret;

	if (local_key_ok || !mesh || mesh->router_id.s_addr == INADDR_ANY)
		return;
	mesh_tunnel_key_path(path, sizeof(path));
	ret = mesh_key_load(path, &local_key, local_key_err,
			    sizeof(local_key_err));
	if (ret == -ENOENT) {
		/* lane bit 0: between nodes that never rotated, every
		 * tunnel is on lane 0 (see "Lanes") */
		if (mesh_keypair_generate_lane(&local_key, 0) < 0) {
			snprintf(local_key_err, sizeof(local_key_err),
				 "key generation failed");
			return;
		}
		ret = mesh_key_store(path, &local_key, local_key_err,
				     sizeof(local_key_err));
		if (ret == 0)
			zlog_info(
				"mesh: new tunnel key pair, private key in %s",
				path);
	}
	if (ret < 0) {
		flog_err(EC_MESH_TUNNEL, "tunnel key %s: %s", path,
			 local_key_err);
		return;
	}
	local_key_ok = true;
	local_key_err[0] = '\0';
}

static EVP_PKEY *mesh_tunnel_ca_read(const char *path)
{
	char text[128];
	uint8_t raw[32];
	size_t len;
	FILE *f = fopen(path, "r");

	if (!f) {
		snprintf(ca_err, sizeof(ca_err), "%s: %s", path,
			 safe_strerror(errno));
		return NULL;
	}
	len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	while (len && isspace((unsigned char)text[len - 1]))
		text[--len] = '\0';
	if (mesh_key_from_base64(text, len, raw) < 0) {
		snprintf(ca_err, sizeof(ca_err),
			 "%s: not one base64 line of 32 octets", path);
		return NULL;
	}
	return mesh_attr_key_private_from_raw(raw, sizeof(raw));
}

static void mesh_tunnel_ca_load(void)
{
	static uint8_t loaded[32];
	static bool had;
	bool changed = had != mesh_tunnel_cfg.have_ca_pub ||
		       (had && memcmp(loaded, mesh_tunnel_cfg.ca_pub, 32));

	EVP_PKEY_free(ca_pub);
	EVP_PKEY_free(ca_sign);
	ca_pub = ca_sign = NULL;
	ca_err[0] = '\0';
	if (mesh_tunnel_cfg.have_ca_pub)
		ca_pub = mesh_attr_key_public_from_raw(mesh_tunnel_cfg.ca_pub,
						       32);
	if (mesh_tunnel_cfg.ca_sign_file[0]) {
		ca_sign = mesh_tunnel_ca_read(mesh_tunnel_cfg.ca_sign_file);
		if (!ca_sign)
			flog_err(EC_MESH_TUNNEL, "mesh CA signing key: %s",
				 ca_err);
	}
	had = mesh_tunnel_cfg.have_ca_pub;
	memcpy(loaded, mesh_tunnel_cfg.ca_pub, 32);
	if (changed)
		mesh_tnodes_verify_again();
}

/* ---- probes ---- */

static void mesh_tunnel_originate_now(struct thread *thread);

static void mesh_tunnel_readvertise(bool now)
{
	THREAD_OFF(t_originate);
	thread_add_timer_msec(master, mesh_tunnel_originate_now, NULL,
			      now ? 0 : MESH_ADV_DAMP_MS, &t_originate);
}

static void mesh_tunnel_set_state(struct mesh_tunnel *t, enum mesh_tun_state s)
{
	if (t->state == s)
		return;
	zlog_info("mesh: tunnel %s to %pI4 %s", t->ifname,
		  &(struct in_addr){htonl(t->peer)},
		  s == MESH_TUN_UP ? "up" : "down");
	t->state = s;
	t->state_since = mesh_now_us();
	if (s == MESH_TUN_DOWN) {
		t->flaps++;
		t->rx_streak = 0;
		t->delay_n = 0; /* measured again when it comes back */
	}
	/* Routes first: the backup takes over before anything else. */
	mesh_zebra_tunnel_changed(t->peer, s == MESH_TUN_UP);
	mesh_tunnel_readvertise(true);
}

/* One-way delay of the last reply: forward one-way where both clocks
 * are synchronized, else half the round trip. */
static void mesh_tunnel_delay_sample(struct mesh_tunnel *t)
{
	const struct mesh_stamp_session *st = &t->st;
	int64_t ns = st->have_one_way ? st->fwd_ns : st->rtt_ns / 2;

	if (ns < 0)
		ns = 0;
	t->delay_ring[t->delay_pos] = (uint32_t)MIN(ns / 1000, UINT32_MAX);
	t->delay_pos = (t->delay_pos + 1) % MESH_DELAY_WINDOW;
	if (t->delay_n < MESH_DELAY_WINDOW)
		t->delay_n++;
}

/* The delay to advertise: the least of the recent samples, or the
 * session's average before there are any. */
static uint32_t mesh_tunnel_delay_us(const struct mesh_tunnel *t)
{
	uint32_t d = UINT32_MAX;

	for (uint32_t i = 0; i < t->delay_n; i++)
		d = MIN(d, t->delay_ring[i]);
	return t->delay_n ? d : mesh_stamp_session_delay_us(&t->st);
}

static void mesh_tunnel_metrics_check(struct mesh_tunnel *t)
{
	uint32_t d = mesh_tunnel_delay_us(t);
	uint32_t base = t->adv_delay_us ? t->adv_delay_us : 1;
	uint32_t diff =
		d > t->adv_delay_us ? d - t->adv_delay_us : t->adv_delay_us - d;
	uint64_t now = mesh_now_us();

	/* Past the threshold, and by more than MESH_ADV_MIN_US: a
	 * sub-millisecond tunnel must not churn BGP on scheduler noise. */
	if ((uint64_t)diff * 100 <=
		    (uint64_t)base * mesh_tunnel_cfg.threshold_pct ||
	    diff < MESH_ADV_MIN_US)
		return;
	if (t_originate)
		return; /* one is already on its way */
	mesh_tunnel_readvertise(now - t->adv_time >=
				MESH_ADV_DAMP_MS * 1000ULL);
}

/* Take every reply waiting on a probe socket of t (its own, or that of
 * the interface a key rotation moved it from). */
static void mesh_tunnel_probe_take(struct mesh_tunnel *t, int fd)
{
	uint8_t buf[MESH_STAMP_MAX_LEN];
	struct mesh_stamp_reflected r;
	enum mesh_stamp_match m;
	unsigned int ev;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		uint64_t t4 = mesh_stamp_ntp_now();

		if (mesh_stamp_reflected_decode(buf, n, &r) != MESH_STAMP_OK) {
			t->rx_bad++;
			continue;
		}
		ev = mesh_stamp_session_reply(&t->st, &r, t4, &m);
		if (m != MESH_STAMP_MATCHED && m != MESH_STAMP_LATE)
			continue;
		t->last_rx = mesh_now_us();
		t->sent_since_rx = 0;
		t->rx_streak++;
		if (t->state != MESH_TUN_UP &&
		    t->rx_streak >= mesh_tunnel_cfg.probe_up_after)
			mesh_tunnel_set_state(t, MESH_TUN_UP);
		if (ev & MESH_STAMP_EV_SAMPLE)
			mesh_tunnel_delay_sample(t);
		if ((ev & MESH_STAMP_EV_SAMPLE) && t->state == MESH_TUN_UP)
			mesh_tunnel_metrics_check(t);
	}
}

static void mesh_tunnel_probe_drain(struct mesh_tunnel *t)
{
	mesh_tunnel_probe_take(t, t->fd);
}

/* Replies to probes sent before a key rotation's move come back on the
 * interface they left by. */
static void mesh_tunnel_probe_read_drained(struct thread *thread)
{
	struct mesh_tunnel *t = THREAD_ARG(thread);

	if (!t->drained || t->drained->fd < 0)
		return;
	thread_add_read(master, mesh_tunnel_probe_read_drained, t,
			t->drained->fd, &t->drained->t_read);
	mesh_tunnel_probe_take(t, t->drained->fd);
}

static void mesh_tunnel_probe_read(struct thread *thread)
{
	struct mesh_tunnel *t = THREAD_ARG(thread);

	thread_add_read(master, mesh_tunnel_probe_read, t, t->fd, &t->t_read);
	mesh_tunnel_probe_drain(t);
}

static void mesh_tunnel_probe_send(struct thread *thread)
{
	struct mesh_tunnel *t = THREAD_ARG(thread);
	uint32_t ivl = mesh_tunnel_cfg.probe_interval_ms;
	uint8_t buf[MESH_STAMP_BASE_LEN];
	unsigned int ev = 0;
	uint64_t now;
	size_t len;

	thread_add_timer_msec(master, mesh_tunnel_probe_send, t, ivl,
			      &t->t_send);
	if (t->dead)
		return;
	/* Replies that arrived while this daemon was busy count: the timer
	 * may run before the read event that would have taken them. */
	mesh_tunnel_probe_drain(t);
	now = mesh_now_us();
	/* BFD's rule: down after down-after intervals without any reply,
	 * and only if the probes of those intervals were really sent (a
	 * stalled daemon sends none and must not blame the tunnel). A
	 * tunnel that never answered stays in init: it carried nothing, so
	 * there is nothing to fail over and no flap to count. */
	if (t->state == MESH_TUN_UP &&
	    t->sent_since_rx >= mesh_tunnel_cfg.probe_down_after &&
	    now - MAX(t->last_rx, t->state_since) >
		    (uint64_t)ivl * 1000 * mesh_tunnel_cfg.probe_down_after)
		mesh_tunnel_set_state(t, MESH_TUN_DOWN);
	if (t->drv->keyed && !t->wg->running(t)) {
		/* wireguard-go ended under us: its interface went with it;
		 * or the kernel's WireGuard interface was deleted */
		flog_err(EC_MESH_TUNNEL, "%s: %s, rebuilding", t->ifname,
			 t->wg->gone);
		t->dead = true;
		mesh_tunnel_schedule();
		return;
	}
	if (t->has_pending)
		mesh_wgd_pending_check(t);
	mesh_stamp_session_tick(&t->st, mesh_stamp_ntp_now());
	if (mesh_stamp_session_send(&t->st, mesh_stamp_ntp_now(), buf,
				    sizeof(buf), &len, NULL,
				    &ev) != MESH_STAMP_OK)
		return;
	if (send(t->fd, buf, len, 0) < 0)
		MESH_DEBUG(tunnel, "%s: probe not sent: %s", t->ifname,
			   safe_strerror(errno));
	else
		t->sent_since_rx++;
}

static int mesh_tunnel_probe_open(struct mesh_tunnel *t)
{
	struct sockaddr_in local = {.sin_family = AF_INET}, peer = local;
	int fd, on = 1;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	local.sin_addr = mesh->router_id;
	peer.sin_addr.s_addr = htonl(t->peer);
	peer.sin_port = htons(MESH_STAMP_PORT);
	setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &on, sizeof(on));
	frr_with_privs (&mesh_privs) {
		if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, t->ifname,
			       strlen(t->ifname) + 1) < 0) {
			close(fd);
			return -1;
		}
	}
	if (bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0 ||
	    connect(fd, (struct sockaddr *)&peer, sizeof(peer)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Reflector. Without graceful restart the STAMP reflector is a pthread of
 * meshd. With it, the socket goes to a process of its own,
 * mesh-reflector (mesh_reflector_main.c), which keeps answering while
 * meshd is away: a peer then sees the tunnel work as long as the data
 * plane (wireguard-go, zebra's routes) does, instead of failing it over
 * for a control-plane restart. Its pid is kept in mesh-reflector.pid in
 * the run directory; a meshd starting with graceful restart takes a
 * running one over if it answers with the same error estimate, and stops
 * it otherwise. A clean stop, or graceful restart switched off, ends it.
 */

/* The pthread reflector answers through the interface the probe came in
 * on. */
static void mesh_tunnel_reflect(struct thread *thread)
{
	thread_add_read(thread->master, mesh_tunnel_reflect, NULL, reflector_fd,
			&t_reflect);
	reflector.ee =
		atomic_load_explicit(&reflector_ee, memory_order_relaxed);
	if (mesh_reflect_once(reflector_fd, &reflector) > 0)
		atomic_fetch_add_explicit(&reflected, 1, memory_order_relaxed);
}

static void mesh_reflector_pidfile(char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s.pid", frr_vtydir, MESH_REFLECTOR_NAME);
}

/* /proc/<pid>/<what> into buf, NUL-terminated; its length or -1. */
static ssize_t mesh_proc_read(long pid, const char *what, char *buf,
			      size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/%s", pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* A running mesh-reflector from the pid file, and its error estimate;
 * 0 if there is none. */
static pid_t mesh_reflector_find(uint16_t *ee)
{
	char path[PATH_MAX], buf[64];
	FILE *f;
	long pid = 0;

	mesh_reflector_pidfile(path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1 || pid <= 1)
		pid = 0;
	fclose(f);
	if (!pid || mesh_proc_read(pid, "comm", buf, sizeof(buf)) < 0)
		return 0;
	buf[strcspn(buf, "\n")] = '\0';
	if (strcmp(buf, MESH_REFLECTOR_NAME))
		return 0;
	/* cmdline: "mesh-reflector\0EE\0" */
	if (mesh_proc_read(pid, "cmdline", buf, sizeof(buf)) < 0)
		return 0;
	*ee = (uint16_t)strtoul(buf + strlen(buf) + 1, NULL, 0);
	return (pid_t)pid;
}

/* Stop a mesh-reflector (ours or taken over) and wait until it is gone,
 * so that its port is free. */
static void mesh_reflector_end(pid_t pid)
{
	char path[PATH_MAX], err[128];

	if (mesh_wg_proc_stop(pid, err, sizeof(err)) < 0)
		flog_err(EC_MESH_TUNNEL, "STAMP reflector: %s", err);
	mesh_reflector_pidfile(path, sizeof(path));
	unlink(path);
}

/* The STAMP port, bound. */
static int mesh_reflector_bind(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_port = htons(MESH_STAMP_PORT)};
	int on = 1, fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	mesh_reflect_sockopts(fd);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	frr_with_privs (&mesh_privs) {
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
			flog_err(EC_MESH_TUNNEL,
				 "STAMP reflector: bind UDP %u: %s",
				 MESH_STAMP_PORT, safe_strerror(errno));
			close(fd);
			fd = -1;
		}
	}
	return fd;
}

/* mesh-reflector on the socket fd (descriptor 3 there), beside this
 * program; its own session, so it outlives meshd. */
static pid_t mesh_reflector_spawn(int fd, uint16_t ee)
{
	char exe[PATH_MAX], eestr[8], path[PATH_MAX], *slash;
	char *argv[] = {(char *)MESH_REFLECTOR_NAME, eestr, NULL};
	char *envp[] = {NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	ssize_t n;
	pid_t pid;
	FILE *f;
	int ret;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash || (size_t)(slash + 1 - exe) + sizeof(MESH_REFLECTOR_NAME) >
			      sizeof(exe))
		return -1;
	strlcpy(slash + 1, MESH_REFLECTOR_NAME,
		sizeof(exe) - (size_t)(slash + 1 - exe));
	snprintf(eestr, sizeof(eestr), "%u", ee);
	/* the socket to 3 first (it may be one of 0-2), then /dev/null for
	 * 0-2; a dup2 onto itself clears close-on-exec (glibc >= 2.29) */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd, 3);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclosefrom_np(&fa, 4);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID |
					      POSIX_SPAWN_SETSIGMASK |
					      POSIX_SPAWN_SETSIGDEF);
	{
		sigset_t none, all;

		sigemptyset(&none);
		sigfillset(&all);
		posix_spawnattr_setsigmask(&at, &none);
		posix_spawnattr_setsigdefault(&at, &all);
	}
	ret = posix_spawn(&pid, exe, &fa, &at, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (ret) {
		flog_err(EC_MESH_TUNNEL, "STAMP reflector: %s: %s", exe,
			 safe_strerror(ret));
		return -1;
	}
	mesh_reflector_pidfile(path, sizeof(path));
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%d\n", (int)pid);
		fclose(f);
	}
	return pid;
}

static void mesh_reflector_thread_start(int fd)
{
	reflector_fd = fd;
	reflector_pth =
		frr_pthread_new(NULL, "meshd STAMP reflector", "mesh_stamp");
	frr_pthread_run(reflector_pth, NULL);
	frr_pthread_wait_running(reflector_pth);
	thread_add_read(reflector_pth->master, mesh_tunnel_reflect, NULL, fd,
			&t_reflect);
}

static void mesh_tunnel_reflector_watch(struct thread *thread);

static void mesh_tunnel_reflector_start(void)
{
	uint16_t ee = MESH_TUNNEL_EE, found_ee = 0;
	pid_t found;
	int fd;

	if (reflector_fd >= 0 || reflector_pid > 0)
		return;
	atomic_store_explicit(&reflector_ee, ee, memory_order_relaxed);
	found = mesh_reflector_find(&found_ee);
	if (found && mesh_tunnel_keep && found_ee == ee) {
		reflector_pid = found;
		reflector_pid_ee = found_ee;
		thread_add_timer(master, mesh_tunnel_reflector_watch, NULL, 1,
				 &t_reflector_watch);
		zlog_info("mesh: STAMP reflector: took over %s (pid %d)",
			  MESH_REFLECTOR_NAME, (int)found);
		return;
	}
	if (found)
		mesh_reflector_end(found);
	fd = mesh_reflector_bind();
	if (fd < 0)
		return;
	if (mesh_tunnel_keep) {
		pid_t pid = mesh_reflector_spawn(fd, ee);

		if (pid > 0) {
			close(fd);
			reflector_pid = pid;
			reflector_pid_ee = ee;
			thread_add_timer(master, mesh_tunnel_reflector_watch,
					 NULL, 1, &t_reflector_watch);
			zlog_info("mesh: STAMP reflector: %s started (pid %d), "
				  "it outlives meshd",
				  MESH_REFLECTOR_NAME, (int)pid);
			return;
		}
		flog_warn(EC_MESH_TUNNEL,
			  "mesh: STAMP reflector: runs in meshd instead, "
			  "peers will not get replies while meshd is down");
	}
	mesh_reflector_thread_start(fd);
}

static void mesh_tunnel_reflector_stop(void)
{
	if (reflector_pth) {
		thread_cancel_async(reflector_pth->master, &t_reflect, NULL);
		frr_pthread_stop(reflector_pth, NULL);
		frr_pthread_destroy(reflector_pth);
		reflector_pth = NULL;
	}
	if (reflector_fd >= 0)
		close(reflector_fd);
	reflector_fd = -1;
	if (reflector_pid > 0)
		mesh_reflector_end(reflector_pid);
	reflector_pid = 0;
	THREAD_OFF(t_reflector_watch);
}

/* The reflector process ended under us (or answers with a stale error
 * estimate): make it again. */
static void mesh_tunnel_reflector_watch(struct thread *thread)
{
	if (reflector_pid <= 0)
		return;
	if (mesh_wg_proc_ended(reflector_pid)) {
		flog_err(EC_MESH_TUNNEL,
			 "mesh: STAMP reflector %s (pid %d) ended, starting it "
			 "again",
			 MESH_REFLECTOR_NAME, (int)reflector_pid);
		reflector_pid = 0;
	} else if (reflector_pid_ee != MESH_TUNNEL_EE) {
		mesh_tunnel_reflector_stop();
	}
	if (reflector_pid <= 0) {
		mesh_tunnel_schedule();
		return;
	}
	thread_add_timer(master, mesh_tunnel_reflector_watch, NULL, 1,
			 &t_reflector_watch);
}

/* ---- tunnels ---- */

static struct mesh_tunnel *mesh_tunnel_find(uint32_t peer)
{
	for (size_t i = 0; i < n_tunnels; i++)
		if (tunnels[i]->peer == peer)
			return tunnels[i];
	return NULL;
}

/*
 * zebra saw one of our tunnel interfaces go down or away. A link that is
 * down carries nothing: the tunnel fails over now rather than after its
 * probes time out. An interface deleted under us (not by us: the
 * ifindex is still the tunnel's) is made again.
 */
void mesh_tunnel_if_event(const char *ifname, ifindex_t ifindex, bool up,
			  bool gone)
{
	struct mesh_tunnel *t = NULL;

	for (size_t i = 0; i < n_tunnels; i++) {
		struct mesh_tunnel *w = tunnels[i]->twin;

		if (strcmp(tunnels[i]->ifname, ifname) == 0)
			t = tunnels[i];
		/* a key rotation's twin: routes may name it once zebra
		 * knows it is up */
		if (w && strcmp(w->ifname, ifname) == 0 &&
		    w->ifindex == ifindex)
			w->zebra_up = up && !gone;
	}
	if (!t || t->ifindex != ifindex)
		return;
	if (up && !gone)
		return; /* the probes decide when it carries traffic again */
	if (t->state == MESH_TUN_UP) {
		zlog_info("mesh: %s: interface %s, failing the tunnel over now",
			  t->ifname, gone ? "deleted" : "down");
		mesh_tunnel_set_state(t, MESH_TUN_DOWN);
	}
	if (gone && !t->dead) {
		t->dead = true;
		mesh_tunnel_schedule();
	}
}

/* zebra's view of the local addresses: whether the tunnel endpoint is
 * one of them. */
void mesh_tunnel_endpoint_event(const struct prefix *p, bool added)
{
	const struct mesh_wg_endpoint *ep = &mesh_tunnel_cfg.endpoint;
	bool match;

	if (!ep->family || p->family != ep->family)
		return;
	match = ep->family == AF_INET
			? memcmp(&p->u.prefix4, ep->addr, 4) == 0
			: memcmp(&p->u.prefix6, ep->addr, 16) == 0;
	if (!match || endpoint_present == added)
		return;
	endpoint_present = added;
	if (added)
		zlog_info("mesh: tunnel endpoint %pFX is configured again", p);
	else
		flog_warn(EC_MESH_TUNNEL,
			  "mesh: tunnel endpoint %pFX was removed from its "
			  "interface: tunnels cannot carry traffic until it "
			  "is back",
			  p);
}

/*
 * Graceful restart on or off: wireguard-go started from now on outlives
 * meshd, or ends with it. Switching it on resets every BGP session; the
 * node routes go with them, so every tunnel is made again, then on a
 * wireguard-go that outlives meshd ("outlivesMeshd" in the show).
 */
void mesh_tunnel_set_keep(bool keep)
{
	if (keep == mesh_tunnel_keep)
		return;
	mesh_tunnel_keep = keep;
	/* the reflector moves into its own process, or back into meshd */
	if (reflector_fd >= 0 || reflector_pid > 0) {
		mesh_tunnel_reflector_stop();
		mesh_tunnel_schedule();
	}
}

bool mesh_tunnel_settled(void)
{
	uint64_t now = mesh_now_us();
	uint64_t wait = (uint64_t)mesh_tunnel_cfg.probe_interval_ms * 1000 *
			(mesh_tunnel_cfg.probe_up_after +
			 mesh_tunnel_cfg.probe_down_after);

	if (t_reconcile)
		return false;
	for (size_t i = 0; i < n_tunnels; i++)
		if (tunnels[i]->state == MESH_TUN_INIT &&
		    now - tunnels[i]->state_since < wait)
			return false;
	return true;
}

ifindex_t mesh_tunnel_ifindex(uint32_t node, bool *up, bool *gateway)
{
	struct mesh_tunnel *t = mesh_tunnel_find(node);

	if (up)
		*up = t && t->state == MESH_TUN_UP;
	if (gateway)
		*gateway = t && t->drv->gateway;
	return t ? t->ifindex : 0;
}

/* The port a tunnel to node id listens on, over a base port; > 65535
 * if it does not fit. */
static uint32_t mesh_tunnel_port(uint32_t base, uint32_t id, unsigned int lane)
{
	return base + (id & MESH_TUNNEL_PORT_MASK) +
	       lane * (MESH_TUNNEL_PORT_MASK + 1);
}

/* "m<local>.<peer>" on lane 0, "M<local>.<peer>" on lane 1. */
static void mesh_tunnel_name(struct mesh_tunnel *t, char prefix)
{
	snprintf(t->ifname, sizeof(t->ifname), "%c%06x.%06x",
		 t->lane ? toupper((unsigned char)prefix) : prefix,
		 ntohl(mesh->router_id.s_addr) & 0xffffff, t->peer & 0xffffff);
}

/* The key pair a tunnel's interface is made with. */
static const struct mesh_keypair *mesh_tunnel_key(const struct mesh_tunnel *t)
{
	return t->next_key ? &next_key : &local_key;
}

/* The key the node route advertises. */
static const uint8_t *mesh_tunnel_adv_pub(void)
{
	return rotating ? next_key.pub : local_key.pub;
}

/* The lane two keys put a tunnel on. */
static unsigned int mesh_tunnel_lane(const uint8_t own[MESH_KEY_LEN],
				     const uint8_t peer[MESH_KEY_LEN])
{
	return mesh_key_lane(own) ^ mesh_key_lane(peer);
}

/* Where the peer's side of tunnel t listens (the configured endpoint of
 * a 'tunnel neighbor' is the one of lane 0). */
static void mesh_tunnel_endpoint_of(const struct mesh_tnode *n, uint32_t local,
				    unsigned int lane,
				    struct mesh_wg_endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	for (size_t i = 0; i < mesh_tunnel_cfg.n_nbrs; i++)
		if (mesh_tunnel_cfg.nbrs[i].node == n->id &&
		    mesh_tunnel_cfg.nbrs[i].endpoint.family) {
			*ep = mesh_tunnel_cfg.nbrs[i].endpoint;
			ep->port += lane * (MESH_TUNNEL_PORT_MASK + 1);
			return;
		}
	ep->family = n->ep.afi == MESH_ATTR_AFI_IPV6 ? AF_INET6 : AF_INET;
	memcpy(ep->addr, n->ep.addr, ep->family == AF_INET ? 4 : 16);
	ep->port = mesh_tunnel_port(n->ep.port, local, lane);
}

/* ---- drivers ---- */

/* An interface found from before a restart is taken over with graceful
 * restart; a twin of a key rotation is always made afresh. */
static bool mesh_tunnel_may_adopt(const struct mesh_tunnel *t)
{
	return mesh_tunnel_keep && !t->dead && !t->is_twin;
}

/* A kernel interface (VXLAN, kernel WireGuard) goes with RTM_DELLINK. */
static void mesh_tunnel_link_down(struct mesh_tunnel *t)
{
	char err[256];
	int ret;

	frr_with_privs (&mesh_privs) {
		ret = mesh_nl_link_del(t->ifname, err, sizeof(err));
	}
	if (ret < 0 && ret != -ENODEV)
		zlog_warn("mesh: %s", err);
}

/* Configure the WireGuard side: our key and port, the one peer. */
static int mesh_wgd_peer(struct mesh_tunnel *t, char *err, size_t errlen)
{
	static const struct mesh_wg_prefix any[2] = {
		{.family = AF_INET, .len = 0},
		{.family = AF_INET6, .len = 0},
	};
	struct mesh_wg_peer_cfg pc = {
		.endpoint = t->remote,
		.replace_allowed_ips = true,
		.allowed_ips = any,
		.n_allowed_ips = 2,
	};
	struct mesh_wg_cfg c = {
		.has_private_key = true,
		.has_listen_port = true,
		.listen_port = t->listen_port,
		.replace_peers = true,
		.peers = &pc,
		.n_peers = 1,
	};
	int ret;

	/* A twin starts its handshake at once and keeps it going, so that
	 * it is ready when the peer's twin appears. */
	pc.has_keepalive = t->is_twin;
	pc.keepalive_s = t->is_twin ? 1 : 0;
	memcpy(c.private_key, mesh_tunnel_key(t)->priv, MESH_KEY_LEN);
	memcpy(pc.public_key, t->peer_pub, MESH_KEY_LEN);
	if (t->adopted) {
		/* A wireguard-go kept across a restart that already has
		 * this peer keeps its session: no new handshake, nothing
		 * lost (wireguard-go ignores an unchanged private key; so
		 * does the kernel, and an unchanged port). */
		struct mesh_wg_state ws;

		if (t->wg->get(t, &ws, err, errlen) == 0) {
			if (ws.n_peers == 1 &&
			    mesh_wg_state_peer(&ws, t->peer_pub))
				c.replace_peers = false;
			mesh_wg_state_wipe(&ws);
		}
	}
	ret = t->wg->set(t, &c, err, errlen);
	explicit_bzero(c.private_key, sizeof(c.private_key));
	if (ret == 0)
		memcpy(t->own_pub, mesh_tunnel_key(t)->pub, MESH_KEY_LEN);
	return ret;
}

/* -- wireguard-go -- */

static int mesh_wgd_go_up(struct mesh_tunnel *t, char *err, size_t errlen)
{
	struct mesh_wg_start_opts o = {.log_level = "error",
				       .ambient_net_admin = true};
	char log_path[300];
	int ret;

	/* A wireguard-go of a meshd before us, serving an interface of this
	 * namespace (the socket directory is shared by all namespaces):
	 * with graceful restart it still carries traffic and is taken
	 * over; otherwise it is stopped and made afresh. */
	if (mesh_wg_attach(&t->dev, t->ifname, NULL, err, errlen) == 0 &&
	    if_nametoindex(t->ifname)) {
		if (mesh_tunnel_may_adopt(t)) {
			t->adopted = true;
			zlog_info("mesh: %s: adopting the running wireguard-go "
				  "(pid %d) from before the restart",
				  t->ifname, (int)t->dev.owner);
			return 0;
		}
		zlog_info("mesh: %s: stopping the wireguard-go (pid %d) left "
			  "by a meshd before us",
			  t->ifname, (int)t->dev.owner);
		if (mesh_wg_stop(&t->dev, err, errlen) < 0)
			return -EEXIST;
	}
	o.keep_on_exit = mesh_tunnel_keep;
	t->mortal = !mesh_tunnel_keep;
	snprintf(log_path, sizeof(log_path), "%s/wg-%s.log", frr_vtydir,
		 t->ifname);
	o.log_path = log_path;
	/* meshd creates the TUN with its own privileges and hands it over:
	 * wireguard-go then needs none to open /dev/net/tun. */
	frr_with_privs (&mesh_privs) {
		o.tun_fd = mesh_wg_tun_open(t->ifname, err, errlen);
	}
	if (o.tun_fd < 0)
		return o.tun_fd;
	ret = mesh_wg_start(&t->dev, t->ifname, &o, err, errlen);
	close(o.tun_fd);
	return ret;
}

static void mesh_wgd_go_down(struct mesh_tunnel *t)
{
	char err[256];

	/* ours, or adopted after a restart (then the socket's owner) */
	if ((t->dev.pid || t->dev.owner) &&
	    mesh_wg_stop(&t->dev, err, sizeof(err)) < 0)
		zlog_warn("mesh: %s: %s", t->ifname, err);
}

static int mesh_wgd_go_set(const struct mesh_tunnel *t,
			   const struct mesh_wg_cfg *c, char *err,
			   size_t errlen)
{
	return mesh_wg_set(&t->dev, c, err, errlen);
}

static int mesh_wgd_go_get(const struct mesh_tunnel *t,
			   struct mesh_wg_state *st, char *err, size_t errlen)
{
	return mesh_wg_get(&t->dev, st, err, errlen);
}

static bool mesh_wgd_go_running(struct mesh_tunnel *t)
{
	return mesh_wg_running(&t->dev);
}

static const struct mesh_wg_impl mesh_wgd_go = {
	.name = "wireguard-go",
	.up = mesh_wgd_go_up,
	.down = mesh_wgd_go_down,
	.set = mesh_wgd_go_set,
	.get = mesh_wgd_go_get,
	.running = mesh_wgd_go_running,
	.gone = "wireguard-go exited",
};

/* -- the kernel -- */

static uint16_t wgk_family; /* the generic netlink family's id */

static int mesh_wgd_kernel_set(const struct mesh_tunnel *t,
			       const struct mesh_wg_cfg *c, char *err,
			       size_t errlen)
{
	int ret;

	frr_with_privs (&mesh_privs) {
		ret = mesh_wgk_set(wgk_family, t->ifname, c, err, errlen);
	}
	return ret;
}

static int mesh_wgd_kernel_get(const struct mesh_tunnel *t,
			       struct mesh_wg_state *st, char *err,
			       size_t errlen)
{
	int ret;

	frr_with_privs (&mesh_privs) {
		ret = mesh_wgk_get(wgk_family, t->ifname, st, err, errlen);
	}
	return ret;
}

/* A kernel interface needs no process: one that outlived the meshd
 * before us is kept with graceful restart, made afresh otherwise. */
static int mesh_wgd_kernel_up(struct mesh_tunnel *t, char *err, size_t errlen)
{
	struct mesh_wg_state ws;
	int ret;

	frr_with_privs (&mesh_privs) {
		ret = mesh_wgk_link_add(t->ifname, err, errlen);
	}
	if (ret != -EEXIST)
		return ret;
	if (mesh_tunnel_may_adopt(t) &&
	    mesh_wgd_kernel_get(t, &ws, err, errlen) == 0) {
		mesh_wg_state_wipe(&ws);
		t->adopted = true;
		zlog_info("mesh: %s: adopting the kernel WireGuard interface "
			  "from before the restart",
			  t->ifname);
		return 0;
	}
	zlog_info("mesh: %s: removing the interface left by a meshd before us",
		  t->ifname);
	frr_with_privs (&mesh_privs) {
		ret = mesh_nl_link_del(t->ifname, err, errlen);
		if (ret == 0)
			ret = mesh_wgk_link_add(t->ifname, err, errlen);
	}
	return ret;
}

static bool mesh_wgd_kernel_running(struct mesh_tunnel *t)
{
	return if_nametoindex(t->ifname) != 0;
}

static const struct mesh_wg_impl mesh_wgd_kernel = {
	.name = "kernel",
	.up = mesh_wgd_kernel_up,
	.down = mesh_tunnel_link_down,
	.set = mesh_wgd_kernel_set,
	.get = mesh_wgd_kernel_get,
	.running = mesh_wgd_kernel_running,
	.gone = "its kernel WireGuard interface is gone",
};

/* -- which one -- */

static const struct mesh_wg_impl *wg_impl; /* NULL: not asked yet */
static char wg_impl_why[160];		   /* why not the kernel */

/* The implementation new tunnels use; again: ask the kernel again. */
static const struct mesh_wg_impl *mesh_wgd_impl(bool again)
{
	const struct mesh_wg_impl *was = wg_impl;
	struct mesh_wgk_family fam;

	if (wg_impl && !again)
		return wg_impl;
	if (mesh_wgk_family_resolve(&fam, wg_impl_why, sizeof(wg_impl_why)) ==
	    0) {
		wgk_family = fam.id;
		wg_impl_why[0] = '\0';
		wg_impl = &mesh_wgd_kernel;
	} else {
		wg_impl = &mesh_wgd_go;
	}
	if (wg_impl == was)
		return wg_impl;
	if (wg_impl == &mesh_wgd_kernel)
		zlog_info("mesh: WireGuard tunnels use the kernel (generic "
			  "netlink family \"%s\", id %u, version %u)",
			  MESH_WGK_FAMILY_NAME, fam.id, fam.version);
	else
		zlog_info("mesh: WireGuard tunnels use wireguard-go: %s",
			  wg_impl_why);
	return wg_impl;
}

static int mesh_wgd_up(struct mesh_tunnel *t, char *err, size_t errlen)
{
	int ret;

	t->wg = mesh_wgd_impl(false);
	/* A wireguard-go left by a meshd before us, serving this interface
	 * here: with graceful restart it keeps it (mesh_wgd_go_up adopts
	 * it); otherwise it makes way for the kernel's. */
	if (t->wg == &mesh_wgd_kernel &&
	    mesh_wg_attach(&t->dev, t->ifname, NULL, NULL, 0) == 0 &&
	    if_nametoindex(t->ifname)) {
		if (mesh_tunnel_may_adopt(t))
			t->wg = &mesh_wgd_go;
		else
			mesh_wg_stop(&t->dev, NULL, 0);
	}
	ret = t->wg->up(t, err, errlen);
	if (ret < 0 && t->wg == &mesh_wgd_kernel &&
	    mesh_wgd_impl(true) == &mesh_wgd_go) {
		zlog_warn("mesh: %s: %s; made with wireguard-go instead",
			  t->ifname, err);
		t->wg = &mesh_wgd_go;
		ret = t->wg->up(t, err, errlen);
	}
	if (ret < 0)
		return ret;
	return mesh_wgd_peer(t, err, errlen);
}

static void mesh_wgd_down(struct mesh_tunnel *t)
{
	if (t->wg)
		t->wg->down(t);
}

static void mesh_wgd_show(const struct mesh_tunnel *t, json_object *j)
{
	struct mesh_wg_state ws;
	const struct mesh_wg_peer_state *ps;
	char err[128];

	json_object_string_add(j, "wireguardImplementation", t->wg->name);
	if (t->wg->get(t, &ws, err, sizeof(err)) < 0) {
		json_object_string_add(j, "wireguardError", err);
		return;
	}
	ps = mesh_wg_state_peer(&ws, t->peer_pub);
	if (ps) {
		json_object_int_add(j, "rxBytes", ps->rx_bytes);
		json_object_int_add(j, "txBytes", ps->tx_bytes);
		json_object_int_add(j, "lastHandshake", ps->last_handshake_sec);
	}
	mesh_wg_state_wipe(&ws);
}

/* One VNI per pair of nodes, the same at both ends. */
static uint32_t mesh_vxd_vni(uint32_t a, uint32_t b)
{
	uint32_t lo = MIN(a, b), hi = MAX(a, b);
	uint32_t vni = ((lo * 2654435761U) ^ (hi * 40503U)) & 0xffffff;

	return vni ? vni : 1;
}

static int mesh_vxd_up(struct mesh_tunnel *t, char *err, size_t errlen)
{
	const struct mesh_wg_endpoint *ep = &mesh_tunnel_cfg.endpoint;
	uint32_t local, remote;
	int ret = 0;

	if (ep->family != AF_INET || t->remote.family != AF_INET) {
		snprintf(err, errlen,
			 "the vxlan driver needs IPv4 endpoints at both ends");
		return -EAFNOSUPPORT;
	}
	memcpy(&local, ep->addr, 4);
	memcpy(&remote, t->remote.addr, 4);
	/* One UDP port for every VXLAN tunnel of the mesh: the base port. */
	uint32_t vni = mesh_vxd_vni(ntohl(mesh->router_id.s_addr), t->peer);

	frr_with_privs (&mesh_privs) {
		ret = mesh_nl_vxlan_add(t->ifname, vni, local, remote, ep->port,
					1450, err, errlen);
		if (ret == -EEXIST && mesh_tunnel_keep) {
			/* graceful restart: the kernel kept forwarding */
			t->adopted = true;
			zlog_info("mesh: %s: adopting the VXLAN interface "
				  "from before the restart",
				  t->ifname);
			ret = 0;
		} else if (ret == -EEXIST) {
			/* left by a meshd that died: made afresh */
			if (mesh_nl_link_del(t->ifname, err, errlen) == 0)
				ret = mesh_nl_vxlan_add(t->ifname, vni, local,
							remote, ep->port, 1450,
							err, errlen);
		}
	}
	return ret;
}

static void mesh_vxd_show(const struct mesh_tunnel *t, json_object *j)
{
	json_object_int_add(
		j, "vni", mesh_vxd_vni(ntohl(mesh->router_id.s_addr), t->peer));
}

static const struct mesh_tunnel_driver mesh_tunnel_drivers[] = {
	[MESH_TUNNEL_DRIVER_WIREGUARD] =
		{
			.name = "wireguard",
			.prefix = 'm',
			.keyed = true,
			.mtu = MESH_TUNNEL_MTU,
			.up = mesh_wgd_up,
			.peer = mesh_wgd_peer,
			.down = mesh_wgd_down,
			.show = mesh_wgd_show,
		},
	[MESH_TUNNEL_DRIVER_VXLAN] =
		{
			.name = "vxlan",
			.prefix = 'v',
			.mtu = 1450,
			.gateway = true,
			.up = mesh_vxd_up,
			.down = mesh_tunnel_link_down,
			.show = mesh_vxd_show,
		},
};

/* ---- tunnels ---- */

static void mesh_tunnel_free(struct mesh_tunnel *t)
{
	THREAD_OFF(t->t_read);
	THREAD_OFF(t->t_send);
	THREAD_OFF(t->t_pending);
	THREAD_OFF(t->t_twin);
	THREAD_OFF(t->t_drain);
	if (t->twin)
		mesh_tunnel_free(t->twin);
	if (t->drained)
		mesh_tunnel_free(t->drained);
	if (t->fd >= 0)
		close(t->fd);
	if (t->drv)
		t->drv->down(t);
	XFREE(MTYPE_MESH_TUNNEL, t);
}

static void mesh_tunnel_delete(size_t i)
{
	struct mesh_tunnel *t = tunnels[i];

	zlog_info("mesh: tunnel %s to %pI4 removed", t->ifname,
		  &(struct in_addr){htonl(t->peer)});
	tunnels[i] = tunnels[--n_tunnels];
	mesh_zebra_tunnel_changed(t->peer, false);
	mesh_tunnel_free(t);
}

/* Whether a tunnel, twin or drained interface listens on port. */
static bool mesh_tunnel_port_taken(uint32_t port, uint32_t *by)
{
	for (size_t i = 0; i < n_tunnels; i++) {
		const struct mesh_tunnel *t = tunnels[i];

		if (t->listen_port == port ||
		    (t->twin && t->twin->listen_port == port) ||
		    (t->drained && t->drained->listen_port == port)) {
			*by = t->peer;
			return true;
		}
	}
	return false;
}

/*
 * Make the interface of t (name, port, remote and keys set): the
 * driver's part, then up; with_addr: the point-to-point addresses too
 * (a twin gets them when the traffic moves to it).
 */
static int mesh_tunnel_if_make(struct mesh_tunnel *t,
			       const struct mesh_tunnel_driver *drv,
			       bool with_addr, char *err, size_t errlen)
{
	int ret = 0;

	ret = drv->up(t, err, errlen);
	t->drv = drv; /* from here on, down() undoes what was made */
	if (ret < 0)
		return ret;
	frr_with_privs (&mesh_privs) {
		ret = mesh_wg_link_set(t->ifname, true, drv->mtu, err, errlen);
		if (ret == 0 && with_addr)
			ret = mesh_nl_addr_p2p(t->ifname,
					       mesh->router_id.s_addr,
					       htonl(t->peer), err, errlen);
	}
	t->ifindex = if_nametoindex(t->ifname);
	return ret;
}

/* A key rotation stopped half-way by a restart may leave the interface
 * of the other lane: gone, with its wireguard-go. */
static void mesh_tunnel_leftover_clear(const struct mesh_tunnel *t)
{
	struct mesh_tunnel other = {.peer = t->peer, .lane = t->lane ^ 1};
	char err[256];

	mesh_tunnel_name(&other, t->drv->prefix);
	if (!if_nametoindex(other.ifname))
		return;
	zlog_info("mesh: %s: removing the other lane's interface %s left "
		  "by a key rotation before a restart",
		  t->ifname, other.ifname);
	if (mesh_wg_attach(&other.dev, other.ifname, NULL, NULL, 0) == 0)
		mesh_wg_stop(&other.dev, NULL, 0);
	frr_with_privs (&mesh_privs) {
		mesh_nl_link_del(other.ifname, err, sizeof(err));
	}
}

static struct mesh_tunnel *mesh_tunnel_create(const struct mesh_tnode *n)
{
	uint32_t local = ntohl(mesh->router_id.s_addr);
	const struct mesh_tunnel_driver *drv =
		&mesh_tunnel_drivers[mesh_tunnel_cfg.driver];
	struct mesh_stamp_cfg sc = {
		.timeout_ns = 1000000000ULL,
		.window = 100,
		.down_after = mesh_tunnel_cfg.probe_down_after,
		.up_after = mesh_tunnel_cfg.probe_up_after,
		.ssid = (uint16_t)n->id,
		.ee = MESH_TUNNEL_EE,
		.clock_synced = mesh_tunnel_cfg.probe_clock_synced,
	};
	char err[256];
	struct mesh_tunnel *t;
	uint32_t port, by;

	t = XCALLOC(MTYPE_MESH_TUNNEL, sizeof(*t));
	t->peer = n->id;
	t->fd = -1;
	memcpy(t->peer_pub, n->ep.pubkey, MESH_KEY_LEN);
	/* during a rotation, with the key the peer was told about */
	t->next_key = rotating;
	if (drv->keyed)
		t->lane =
			mesh_tunnel_lane(mesh_tunnel_key(t)->pub, t->peer_pub);
	port = mesh_tunnel_port(mesh_tunnel_cfg.endpoint.port, n->id, t->lane);
	if (mesh_tunnel_port_taken(port, &by)) {
		flog_err(EC_MESH_TUNNEL,
			 "tunnel to %pI4: UDP port %u is taken by the "
			 "tunnel to %pI4 (node IDs alike in their low "
			 "10 bits)",
			 &(struct in_addr){htonl(n->id)}, port,
			 &(struct in_addr){htonl(by)});
		XFREE(MTYPE_MESH_TUNNEL, t);
		return NULL;
	}
	if (port > 65535) {
		XFREE(MTYPE_MESH_TUNNEL, t);
		return NULL;
	}
	t->listen_port = port;
	mesh_tunnel_name(t, drv->prefix);
	mesh_tunnel_endpoint_of(n, local, t->lane, &t->remote);

	if (mesh_tunnel_if_make(t, drv, true, err, sizeof(err)) < 0)
		goto fail;
	if (drv->keyed)
		mesh_tunnel_leftover_clear(t);
	t->fd = mesh_tunnel_probe_open(t);
	if (t->fd < 0) {
		snprintf(err, sizeof(err), "STAMP socket on %s: %s", t->ifname,
			 safe_strerror(errno));
		goto fail;
	}
	mesh_stamp_session_init(&t->st, &sc);
	t->state_since = mesh_now_us();
	thread_add_read(master, mesh_tunnel_probe_read, t, t->fd, &t->t_read);
	thread_add_timer_msec(master, mesh_tunnel_probe_send, t, 0, &t->t_send);
	zlog_info("mesh: %s tunnel %s to %pI4 built, listening on UDP %u",
		  drv->name, t->ifname, &(struct in_addr){htonl(n->id)},
		  drv->gateway ? mesh_tunnel_cfg.endpoint.port : port);
	return t;

fail:
	flog_err(EC_MESH_TUNNEL, "tunnel to %pI4 not built: %s",
		 &(struct in_addr){htonl(n->id)}, err);
	mesh_tunnel_free(t);
	return NULL;
}

/* ---- keys changing ---- */

/* A peer's new key beside its current one, without allowed IPs: it can
 * complete a handshake but carries nothing yet. */
static int mesh_wgd_pending_add(struct mesh_tunnel *t, char *err, size_t errlen)
{
	struct mesh_wg_peer_cfg pc = {
		.endpoint = t->remote,
		.replace_allowed_ips = true,
	};
	struct mesh_wg_cfg c = {.peers = &pc, .n_peers = 1};

	memcpy(pc.public_key, t->pending_pub, MESH_KEY_LEN);
	return t->wg->set(t, &c, err, errlen);
}

/* Once the peer's new key completed a handshake, the peer switched:
 * move everything to the new key and drop the old one. */
static void mesh_wgd_pending_check(struct mesh_tunnel *t)
{
	static const struct mesh_wg_prefix any[2] = {
		{.family = AF_INET, .len = 0},
		{.family = AF_INET6, .len = 0},
	};
	struct mesh_wg_peer_cfg pc[2] = {
		{.replace_allowed_ips = true,
		 .allowed_ips = any,
		 .n_allowed_ips = 2},
		{.remove = true},
	};
	struct mesh_wg_cfg c = {.peers = pc, .n_peers = 2};
	const struct mesh_wg_peer_state *ps;
	struct mesh_wg_state ws;
	char err[256];
	bool switched;

	if (t->wg->get(t, &ws, err, sizeof(err)) < 0)
		return;
	ps = mesh_wg_state_peer(&ws, t->pending_pub);
	switched = ps && ps->last_handshake_sec;
	mesh_wg_state_wipe(&ws);
	if (!switched)
		return;
	memcpy(pc[0].public_key, t->pending_pub, MESH_KEY_LEN);
	memcpy(pc[1].public_key, t->peer_pub, MESH_KEY_LEN);
	if (t->wg->set(t, &c, err, sizeof(err)) < 0) {
		flog_err(EC_MESH_TUNNEL, "%s: new peer key: %s", t->ifname,
			 err);
		return;
	}
	memcpy(t->peer_pub, t->pending_pub, MESH_KEY_LEN);
	t->has_pending = false;
	zlog_info("mesh: tunnel %s: %pI4 now uses its new key", t->ifname,
		  &(struct in_addr){htonl(t->peer)});
}

/*
 * The peer switches to its new key MESH_KEY_GRACE_MS after advertising
 * it. Until this side moves the allowed IPs to the new key, what the
 * peer sends on its new session is dropped here, so the switch is
 * watched every MESH_PENDING_POLL_MS from shortly before it is due
 * rather than at the probe interval (100 ms by default).
 */
#define MESH_PENDING_EARLY_MS 100
#define MESH_PENDING_POLL_MS 1
#define MESH_PENDING_WATCH_MS 1500

static void mesh_tunnel_pending_watch(struct thread *thread)
{
	struct mesh_tunnel *t = THREAD_ARG(thread);

	if (!t->has_pending)
		return;
	mesh_wgd_pending_check(t);
	if (t->has_pending && mesh_now_us() < t->pending_until)
		thread_add_timer_msec(master, mesh_tunnel_pending_watch, t,
				      MESH_PENDING_POLL_MS, &t->t_pending);
}

static void mesh_tunnel_pending_watch_start(struct mesh_tunnel *t)
{
	uint32_t early = MESH_KEY_GRACE_MS - MESH_PENDING_EARLY_MS;

	THREAD_OFF(t->t_pending);
	t->pending_until = mesh_now_us() +
			   (uint64_t)(early + MESH_PENDING_WATCH_MS) * 1000;
	thread_add_timer_msec(master, mesh_tunnel_pending_watch, t, early,
			      &t->t_pending);
}

/* ---- key rotation twins (see "Lanes" at the top) ---- */

/* What belongs to the interface, as opposed to the tunnel (probe
 * session, state, metrics): what a move to the twin exchanges. */
#define MESH_IF_FIELD(f)                                                       \
	{                                                                      \
		offsetof(struct mesh_tunnel, f),                               \
			sizeof(((struct mesh_tunnel *)NULL)->f)                \
	}
static const struct {
	size_t off, len;
} mesh_tunnel_if_fields[] = {
	MESH_IF_FIELD(wg),	    MESH_IF_FIELD(ifname),
	MESH_IF_FIELD(ifindex),	    MESH_IF_FIELD(dev),
	MESH_IF_FIELD(listen_port), MESH_IF_FIELD(remote),
	MESH_IF_FIELD(peer_pub),    MESH_IF_FIELD(own_pub),
	MESH_IF_FIELD(lane),	    MESH_IF_FIELD(next_key),
	MESH_IF_FIELD(adopted),	    MESH_IF_FIELD(fd),
	MESH_IF_FIELD(mortal),
};

static void mesh_tunnel_if_swap(struct mesh_tunnel *a, struct mesh_tunnel *b)
{
	uint8_t tmp[sizeof(struct mesh_wg_dev) + IFNAMSIZ];

	for (size_t i = 0; i < array_size(mesh_tunnel_if_fields); i++) {
		size_t off = mesh_tunnel_if_fields[i].off;
		size_t len = mesh_tunnel_if_fields[i].len;

		assert(len <= sizeof(tmp));
		memcpy(tmp, (uint8_t *)a + off, len);
		memcpy((uint8_t *)a + off, (uint8_t *)b + off, len);
		memcpy((uint8_t *)b + off, tmp, len);
	}
}

static void mesh_tunnel_twin_watch(struct thread *thread);

/*
 * Build t's twin on the other lane: our key (the next one if next), the
 * peer key given. It listens and handshakes but carries nothing until
 * mesh_tunnel_twin_move(). Returns false if it could not be made.
 */
static bool mesh_tunnel_twin_start(struct mesh_tunnel *t,
				   const uint8_t peer_pub[MESH_KEY_LEN],
				   bool next)
{
	struct mesh_tunnel *w;
	uint32_t port, by;
	char err[256];

	w = XCALLOC(MTYPE_MESH_TUNNEL, sizeof(*w));
	w->is_twin = true;
	w->peer = t->peer;
	w->fd = -1;
	w->lane = t->lane ^ 1;
	w->next_key = next;
	memcpy(w->peer_pub, peer_pub, MESH_KEY_LEN);
	port = mesh_tunnel_port(mesh_tunnel_cfg.endpoint.port, t->peer,
				w->lane);
	/* The interface the last rotation moved from is on that lane: the
	 * next rotation came within the drain time, it goes now. */
	if (t->drained) {
		THREAD_OFF(t->t_drain);
		mesh_tunnel_free(t->drained);
		t->drained = NULL;
	}
	if (port > 65535 || mesh_tunnel_port_taken(port, &by)) {
		flog_err(EC_MESH_TUNNEL,
			 "%s: no twin for the key rotation: UDP port %u is "
			 "not free",
			 t->ifname, port);
		XFREE(MTYPE_MESH_TUNNEL, w);
		return false;
	}
	w->listen_port = port;
	mesh_tunnel_name(w, t->drv->prefix);
	w->remote = t->remote;
	w->remote.port = t->remote.port +
			 (w->lane ? 1 : -1) * (MESH_TUNNEL_PORT_MASK + 1);
	if (mesh_tunnel_if_make(w, t->drv, false, err, sizeof(err)) < 0) {
		flog_err(EC_MESH_TUNNEL, "%s: no twin for the key rotation: %s",
			 t->ifname, err);
		mesh_tunnel_free(w);
		return false;
	}
	t->twin = w;
	t->twin_until = mesh_now_us() + MESH_TWIN_WAIT_MS * 1000ULL;
	thread_add_timer_msec(master, mesh_tunnel_twin_watch, t,
			      MESH_TWIN_POLL_MS, &t->t_twin);
	zlog_info("mesh: %s: key rotation: twin %s built on UDP %u", t->ifname,
		  w->ifname, port);
	return true;
}

static void mesh_tunnel_twin_drop(struct mesh_tunnel *t)
{
	THREAD_OFF(t->t_twin);
	if (t->twin)
		mesh_tunnel_free(t->twin);
	t->twin = NULL;
}

static void mesh_tunnel_drain_end(struct thread *thread)
{
	struct mesh_tunnel *t = THREAD_ARG(thread);

	if (!t->drained)
		return;
	zlog_info("mesh: %s: old interface %s removed", t->ifname,
		  t->drained->ifname);
	mesh_tunnel_free(t->drained);
	t->drained = NULL;
}

/*
 * The twin completed a handshake: the traffic moves to it. The routes
 * are replaced one by one (each kernel route always has a next hop), the
 * point-to-point address follows, the probes go out the twin; the old
 * interface stays MESH_TWIN_DRAIN_MS and takes what the peer still sends
 * on it, probe replies included.
 */
static void mesh_tunnel_twin_move(struct mesh_tunnel *t)
{
	static const struct mesh_wg_prefix any[2] = {
		{.family = AF_INET, .len = 0},
		{.family = AF_INET6, .len = 0},
	};
	struct mesh_tunnel *w = t->twin;
	struct mesh_wg_peer_cfg pc = {.update_only = true,
				      .has_keepalive = true,
				      .replace_allowed_ips = true,
				      .allowed_ips = any,
				      .n_allowed_ips = 2};
	struct mesh_wg_cfg c = {.peers = &pc, .n_peers = 1};
	char err[256];
	int fd;

	THREAD_OFF(t->t_twin);
	t->twin = NULL;
	if (t->drained) {
		THREAD_OFF(t->t_drain);
		mesh_tunnel_free(t->drained);
	}
	frr_with_privs (&mesh_privs) {
		if (mesh_nl_addr_p2p_del(t->ifname, mesh->router_id.s_addr,
					 htonl(t->peer), err, sizeof(err)) < 0)
			zlog_warn("mesh: %s", err);
		if (mesh_nl_addr_p2p(w->ifname, mesh->router_id.s_addr,
				     htonl(t->peer), err, sizeof(err)) < 0)
			flog_err(EC_MESH_TUNNEL, "%s", err);
	}
	/* from here on t is the twin's interface, w the old one */
	mesh_tunnel_if_swap(t, w);
	t->drained = w;
	t->has_pending = false;
	THREAD_OFF(t->t_pending);
	/* the tunnel keeps no keepalive of its own: the probes run */
	memcpy(pc.public_key, t->peer_pub, MESH_KEY_LEN);
	if (t->wg->set(t, &c, err, sizeof(err)) < 0)
		zlog_warn("mesh: %s: %s", t->ifname, err);
	/* probes out the new interface; the old socket still reads */
	THREAD_OFF(t->t_read);
	fd = mesh_tunnel_probe_open(t);
	if (fd < 0)
		flog_err(EC_MESH_TUNNEL, "%s: STAMP socket: %s", t->ifname,
			 safe_strerror(errno));
	t->fd = fd;
	if (fd >= 0)
		thread_add_read(master, mesh_tunnel_probe_read, t, fd,
				&t->t_read);
	if (w->fd >= 0)
		thread_add_read(master, mesh_tunnel_probe_read_drained, t,
				w->fd, &w->t_read);
	mesh_zebra_tunnel_moved(t->peer);
	thread_add_timer_msec(master, mesh_tunnel_drain_end, t,
			      MESH_TWIN_DRAIN_MS, &t->t_drain);
	zlog_info("mesh: tunnel to %pI4 moved from %s to %s (new key)",
		  &(struct in_addr){htonl(t->peer)}, w->ifname, t->ifname);
}

/*
 * The twin never handshook (the peer cannot make its twin, or is not
 * there): the tunnel is rebuilt on the lane the keys now give, as the
 * peer's is when its twin gives up too. Break-before-make: what is in
 * flight meanwhile goes by the backup, or is lost.
 */
static void mesh_tunnel_twin_abandon(struct mesh_tunnel *t)
{
	zlog_warn("mesh: %s: key rotation twin %s had no handshake in %d ms, "
		  "rebuilding the tunnel",
		  t->ifname, t->twin->ifname, MESH_TWIN_WAIT_MS);
	mesh_tunnel_twin_drop(t);
	t->dead = true;
	mesh_tunnel_schedule();
}

static void mesh_tunnel_twin_watch(struct thread *thread)
{
	struct mesh_tunnel *t = THREAD_ARG(thread);
	struct mesh_tunnel *w = t->twin;
	const struct mesh_wg_peer_state *ps;
	struct mesh_wg_state ws;
	bool done = false;
	char err[256];

	if (!w)
		return;
	if (w->wg->get(w, &ws, err, sizeof(err)) == 0) {
		ps = mesh_wg_state_peer(&ws, w->peer_pub);
		done = ps && ps->last_handshake_sec;
		mesh_wg_state_wipe(&ws);
	}
	/* zebra must know the interface before routes can name it */
	if (done && w->zebra_up) {
		mesh_tunnel_twin_move(t);
		return;
	}
	if (mesh_now_us() >= t->twin_until) {
		mesh_tunnel_twin_abandon(t);
		return;
	}
	thread_add_timer_msec(master, mesh_tunnel_twin_watch, t,
			      MESH_TWIN_POLL_MS, &t->t_twin);
}

/*
 * The peer's node route changed: follow its endpoint and key. A new key
 * on a working tunnel is a rotation: it is prepared beside the old one
 * (the peer uses it MESH_KEY_GRACE_MS later) and taken over once it
 * handshakes. Returns false when the tunnel must be rebuilt instead.
 */
static bool mesh_tunnel_follow(struct mesh_tunnel *t,
			       const struct mesh_tnode *n)
{
	struct mesh_wg_endpoint ep;
	bool moved, rekeyed;
	char err[256];

	mesh_tunnel_endpoint_of(n, ntohl(mesh->router_id.s_addr), t->lane, &ep);
	moved = memcmp(&ep, &t->remote, sizeof(ep)) != 0;
	rekeyed = t->drv->keyed &&
		  memcmp(t->peer_pub, n->ep.pubkey, MESH_KEY_LEN) != 0;
	/* What a rotation's twin was made for changed under it (the peer
	 * moved, or rotated again or at the same time, or this node rotated
	 * while the twin waited): rebuilt. */
	if (t->twin &&
	    (moved || memcmp(t->twin->peer_pub, n->ep.pubkey, MESH_KEY_LEN) ||
	     memcmp(t->twin->own_pub, mesh_tunnel_adv_pub(), MESH_KEY_LEN)))
		return false;
	if (!rekeyed)
		t->has_pending = false;
	if (!moved && !rekeyed)
		return t->twin || t->has_pending || !t->drv->keyed ||
		       t->lane == mesh_tunnel_lane(t->own_pub, t->peer_pub);
	if (!t->drv->peer)
		return false;
	if (rekeyed && !moved && t->state == MESH_TUN_UP) {
		if (t->twin ||
		    (t->has_pending &&
		     !memcmp(t->pending_pub, n->ep.pubkey, MESH_KEY_LEN)))
			return true;
		/* the new key puts the tunnel on the other lane: make
		 * before break */
		if (!t->has_pending &&
		    mesh_tunnel_lane(mesh_tunnel_adv_pub(), n->ep.pubkey) !=
			    t->lane &&
		    mesh_tunnel_twin_start(t, n->ep.pubkey, rotating))
			return true;
		memcpy(t->pending_pub, n->ep.pubkey, MESH_KEY_LEN);
		t->has_pending = true;
		if (mesh_wgd_pending_add(t, err, sizeof(err)) < 0)
			flog_err(EC_MESH_TUNNEL, "%s: %s", t->ifname, err);
		mesh_tunnel_pending_watch_start(t);
		return true;
	}
	t->remote = ep;
	memcpy(t->peer_pub, n->ep.pubkey, MESH_KEY_LEN);
	t->has_pending = false;
	if (t->drv->peer(t, err, sizeof(err)) < 0)
		flog_err(EC_MESH_TUNNEL, "%s: %s", t->ifname, err);
	/* a key changed in place may put the tunnel on the other lane */
	return !t->drv->keyed ||
	       t->lane == mesh_tunnel_lane(t->own_pub, t->peer_pub);
}

static void mesh_tunnel_rotate(struct thread *thread);

static void mesh_tunnel_rotation_schedule(void)
{
	if (rotating)
		return;
	THREAD_OFF(t_rotate);
	if (mesh_tunnel_cfg.key_rotation_s && mesh_tunnel_active())
		thread_add_timer(master, mesh_tunnel_rotate, NULL,
				 mesh_tunnel_cfg.key_rotation_s, &t_rotate);
}

/*
 * The grace period is over: the new key is ours. Tunnels that moved to a
 * twin have it already, those whose twin is still handshaking wait for
 * it (or give up, mesh_tunnel_twin_abandon); the others take it in place,
 * and are rebuilt if that puts them on the other lane.
 */
static void mesh_tunnel_rotate_switch(struct thread *thread)
{
	struct mesh_wg_cfg c = {.has_private_key = true};
	char err[256];

	memcpy(c.private_key, next_key.priv, MESH_KEY_LEN);
	for (size_t i = 0; i < n_tunnels; i++) {
		struct mesh_tunnel *t = tunnels[i];

		if (!t->drv->keyed || t->twin ||
		    !memcmp(t->own_pub, next_key.pub, MESH_KEY_LEN))
			continue;
		if (t->wg->set(t, &c, err, sizeof(err)) < 0)
			flog_err(EC_MESH_TUNNEL, "%s: new key: %s", t->ifname,
				 err);
		else
			memcpy(t->own_pub, next_key.pub, MESH_KEY_LEN);
	}
	explicit_bzero(c.private_key, sizeof(c.private_key));
	local_key = next_key;
	mesh_keypair_clear(&next_key);
	for (size_t i = 0; i < n_tunnels; i++) {
		tunnels[i]->next_key = false;
		if (tunnels[i]->twin)
			tunnels[i]->twin->next_key = false;
	}
	rotating = false;
	rotations++;
	zlog_info("mesh: the new key is in use");
	mesh_tunnel_rotation_schedule();
	mesh_tunnel_schedule();
}

/*
 * Make a new key pair on the other lane bit, keep it, advertise it, and
 * build a twin with it beside every working tunnel; tunnels that are not
 * working take it after the grace period.
 */
static void mesh_tunnel_rotate(struct thread *thread)
{
	char path[300], err[160];

	if (rotating || !mesh_tunnel_active())
		return;
	mesh_tunnel_key_path(path, sizeof(path));
	if (mesh_keypair_generate_lane(&next_key,
				       !mesh_key_lane(local_key.pub)) < 0 ||
	    mesh_key_store(path, &next_key, err, sizeof(err)) < 0) {
		flog_err(EC_MESH_TUNNEL, "key rotation: %s: %s", path,
			 "the new key could not be made or stored");
		mesh_keypair_clear(&next_key);
		mesh_tunnel_rotation_schedule();
		return;
	}
	rotating = true;
	rotation_twins = 0;
	mesh_tunnel_readvertise(true);
	for (size_t i = 0; i < n_tunnels; i++) {
		struct mesh_tunnel *t = tunnels[i];

		if (t->drv->keyed && t->state == MESH_TUN_UP && !t->twin &&
		    !t->has_pending &&
		    mesh_tunnel_lane(next_key.pub, t->peer_pub) != t->lane) {
			mesh_tunnel_twin_start(t, t->peer_pub, true);
			rotation_twins++;
		}
	}
	zlog_info(
		"mesh: new tunnel key advertised: %u working tunnel(s) move to "
		"it when their twins handshake, the others take it in %d ms",
		rotation_twins, MESH_KEY_GRACE_MS);
	/* twins made for a peer's rotation with our old key are void now */
	mesh_tunnel_schedule();
	THREAD_OFF(t_rotate);
	thread_add_timer_msec(master, mesh_tunnel_rotate_switch, NULL,
			      MESH_KEY_GRACE_MS, &t_rotate);
}

static bool mesh_tunnel_wanted(const struct mesh_tnode *n)
{
	if (!n->has_endpoint || !n->key_ok)
		return false;
	for (size_t i = 0; i < mesh_tunnel_cfg.n_nbrs; i++)
		if (mesh_tunnel_cfg.nbrs[i].node == n->id)
			return true;
	return mesh_tunnel_cfg.peers == MESH_TUNNEL_PEERS_FULL_MESH &&
	       n->tenant == mesh_tunnel_cfg.tenant;
}

static bool mesh_tunnel_active(void)
{
	return mesh && mesh->router_id.s_addr != INADDR_ANY &&
	       mesh_tunnel_cfg.endpoint.family && local_key_ok;
}

/*
 * Tunnels to make, and tunnels to end. A new tunnel may take tens of ms
 * (a wireguard-go process and its control socket): one pass makes new
 * tunnels for MESH_TUNNEL_PASS_US (but at least one) and leaves the rest
 * to the next pass, so that a node joining a large mesh does not hold the event
 * loop (BGP, zebra, probes, vty) for the whole lot.
 */
static void mesh_tunnel_reconcile(struct thread *thread)
{
	uint64_t start = mesh_now_us();
	bool changed = false, more = false;
	unsigned int made = 0;

	mesh_tunnel_keys_load();
	for (size_t i = 0; i < n_tunnels; i++)
		tunnels[i]->in_use = false;
	if (mesh_tunnel_active()) {
		mesh_tunnel_reflector_start();
		for (size_t i = 0; i < n_tnodes; i++) {
			struct mesh_tnode *n = &tnodes[i];
			struct mesh_tunnel *t;

			if (!mesh_tunnel_wanted(n))
				continue;
			t = mesh_tunnel_find(n->id);
			if (t) {
				if (!t->dead && mesh_tunnel_follow(t, n))
					t->in_use = true;
				else
					mesh_tunnel_schedule(); /* rebuild */
				continue;
			}
			if (n_tunnels >= MIN(mesh_tunnel_cfg.max_tunnels,
					     MESH_TUNNEL_MAX) ||
			    mesh_now_us() < n->retry_after)
				continue;
			/* at least one per pass, so that passes progress */
			if (made &&
			    mesh_now_us() - start >= MESH_TUNNEL_PASS_US) {
				more = true;
				continue;
			}
			made++;
			t = mesh_tunnel_create(n);
			if (t) {
				t->in_use = true;
				tunnels[n_tunnels++] = t;
				changed = true;
			} else {
				n->retry_after = mesh_now_us() +
						 MESH_TUNNEL_RETRY_MS * 1000ULL;
				THREAD_OFF(t_retry);
				thread_add_timer_msec(
					master, mesh_tunnel_reconcile, NULL,
					MESH_TUNNEL_RETRY_MS, &t_retry);
			}
		}
	}
	for (size_t i = n_tunnels; i-- > 0;)
		if (!tunnels[i]->in_use) {
			if (tunnels[i]->dead)
				mesh_tunnel_schedule(); /* made again next */
			mesh_tunnel_delete(i);
			changed = true;
		}
	if (changed || !node_route_on)
		mesh_tunnel_readvertise(true);
	if (!t_rotate)
		mesh_tunnel_rotation_schedule();
	if (more)
		mesh_tunnel_schedule();
}

static void mesh_tunnel_schedule(void)
{
	if (!t_reconcile)
		thread_add_event(master, mesh_tunnel_reconcile, NULL, 0,
				 &t_reconcile);
}

void mesh_tunnel_config_changed(void)
{
	mesh_tunnel_rotation_schedule();
	atomic_store_explicit(&reflector_ee, MESH_TUNNEL_EE,
			      memory_order_relaxed);
	mesh_tunnel_ca_load();
	local_key_ok = false; /* the key file may have changed */
	/* Without a CA key no peer key is usable. With a new CA key, a
	 * node's key is checked against it when its node route is next
	 * updated (the node table does not keep the signed bytes); until
	 * then the verdict under the old CA key stands. */
	if (!ca_pub)
		for (size_t i = 0; i < n_tnodes; i++) {
			tnodes[i].key_ok = false;
			snprintf(tnodes[i].why, sizeof(tnodes[i].why),
				 "no mesh CA public key configured");
		}
	mesh_tunnel_schedule();
	mesh_tunnel_readvertise(true);
}

void mesh_tunnel_identity_changed(void)
{
	/* Names, inner addresses and probes all carry the node ID. */
	while (n_tunnels)
		mesh_tunnel_delete(n_tunnels - 1);
	if (rotating) {
		THREAD_OFF(t_rotate);
		mesh_keypair_clear(&next_key);
		rotating = false;
	}
	local_key_ok = false; /* the default key file is named after it */
	mesh_tunnel_schedule();
	mesh_tunnel_readvertise(true);
}

void mesh_tunnel_config_reset(void)
{
	mesh_tunnel_cfg = mesh_tunnel_cfg_default;
	mesh_tunnel_config_changed();
}

/* ---- the node route ---- */

static void mesh_tunnel_originate_now(struct thread *thread)
{
	struct mesh_attr ma;
	uint8_t buf[MESH_ATTR_MAX_LEN];
	size_t len = 0;
	uint64_t now = mesh_now_us();
	float bw = (float)mesh_tunnel_cfg.bandwidth_mbps * 1e6f / 8.0f;
	const struct mesh_wg_endpoint *ep = &mesh_tunnel_cfg.endpoint;

	if (node_route_on && (!mesh_tunnel_active() || !mesh_bgp)) {
		mesh_bgp_originate(&node_route, false);
		node_route_on = false;
	}
	if (!mesh_tunnel_active() || !mesh_bgp)
		return;

	mesh_attr_init(&ma);
	ma.originator = ntohl(mesh->router_id.s_addr);
	ma.sequence = mesh_attr_sequence_next();
	ma.tenant = mesh_tunnel_cfg.tenant;
	ma.ivn = mesh_tunnel_cfg.ivn;
	ma.present = MESH_ATTR_HAS_ORIGINATOR | MESH_ATTR_HAS_SEQUENCE |
		     MESH_ATTR_HAS_TENANT | MESH_ATTR_HAS_IVN;
	mesh_key_endpoint_set(&ma, mesh_tunnel_adv_pub(),
			      ep->family == AF_INET6 ? MESH_ATTR_AFI_IPV6
						     : MESH_ATTR_AFI_IPV4,
			      ep->addr, ep->port);
	for (size_t i = 0; i < n_tunnels; i++) {
		struct mesh_tunnel *t = tunnels[i];
		struct mesh_attr_link *l;
		size_t k;

		/* links are kept sorted by neighbor */
		for (k = ma.n_links;
		     k > 0 && ma.links[k - 1].neighbor > t->peer; k--)
			ma.links[k] = ma.links[k - 1];
		l = &ma.links[k];
		ma.n_links++;
		memset(l, 0, sizeof(*l));
		l->neighbor = t->peer;
		t->adv_up = t->state == MESH_TUN_UP;
		t->adv_delay_us = mesh_tunnel_delay_us(t);
		t->adv_time = now;
		l->flags = t->adv_up ? MESH_ATTR_LINK_F_UP : 0;
		l->delay_us = MIN(t->adv_delay_us, MESH_ATTR_U24_MAX);
		l->delay_var_us = MIN(mesh_stamp_session_dv_us(&t->st),
				      MESH_ATTR_U24_MAX);
		l->loss = mesh_stamp_loss_rfc8571(t->st.window_lost,
						  t->st.window_n);
		l->max_bw_bits = mesh_attr_bw_from_float(bw);
		l->avail_bw_bits = l->max_bw_bits;
	}
	if (ca_sign && mesh_attr_sign(&ma, NULL, ca_sign, 1) < 0)
		flog_err(EC_MESH_TUNNEL, "node route: signing failed");
	if (mesh_attr_encode(&ma, NULL, buf, sizeof(buf), &len) < 0) {
		flog_err(EC_MESH_TUNNEL,
			 "node route: attribute does not encode");
		return;
	}
	memset(&node_route, 0, sizeof(node_route));
	if (ep->family == AF_INET) {
		node_route.family = AF_INET;
		node_route.prefixlen = 32;
		memcpy(&node_route.u.prefix4, ep->addr, 4);
	} else {
		node_route.family = AF_INET6;
		node_route.prefixlen = 128;
		memcpy(&node_route.u.prefix6, ep->addr, 16);
	}
	mesh_bgp_originate_attr(&node_route, buf, len);
	node_route_on = true;
	MESH_DEBUG(tunnel, "node route %pFX advertised with %u links",
		   &node_route, ma.n_links);
	/* a restarting speaker may have waited for it */
	mesh_bgp_gr_check();
}

bool mesh_tunnel_origination_pending(void)
{
	return mesh_bgp && mesh_tunnel_active() && !node_route_on;
}

/* ---- show ---- */

static const char *mesh_tun_state_str(enum mesh_tun_state s)
{
	switch (s) {
	case MESH_TUN_INIT:
		return "init";
	case MESH_TUN_UP:
		return "up";
	case MESH_TUN_DOWN:
		return "down";
	}
	return "?";
}

static json_object *mesh_tunnel_json(const struct mesh_tunnel *t)
{
	json_object *j = json_object_new_object();
	char fp[MESH_KEY_FP_SIZE], addr[INET6_ADDRSTRLEN];
	uint64_t now = mesh_now_us();

	json_object_string_add(j, "interface", t->ifname);
	json_object_int_add(j, "ifindex", t->ifindex);
	json_object_string_add(j, "state", mesh_tun_state_str(t->state));
	json_object_boolean_add(j, "adoptedAtRestart", t->adopted);
	json_object_boolean_add(j, "outlivesMeshd", !t->mortal);
	json_object_int_add(j, "stateSecs", (now - t->state_since) / 1000000);
	json_object_int_add(j, "flaps", t->flaps);
	json_object_int_add(j, "listenPort", t->listen_port);
	json_object_int_add(j, "lane", t->lane);
	if (t->twin) {
		json_object_string_add(j, "twinInterface", t->twin->ifname);
		json_object_int_add(j, "twinListenPort", t->twin->listen_port);
	}
	if (t->drained)
		json_object_string_add(j, "drainingInterface",
				       t->drained->ifname);
	inet_ntop(t->remote.family, t->remote.addr, addr, sizeof(addr));
	json_object_string_addf(j, "endpoint", "%s:%u", addr, t->remote.port);
	json_object_string_add(
		j, "peerKey",
		mesh_key_fingerprint(t->peer_pub, fp, sizeof(fp)));
	if (t->has_pending)
		json_object_string_add(
			j, "peerKeyPending",
			mesh_key_fingerprint(t->pending_pub, fp, sizeof(fp)));
	json_object_int_add(j, "delayUs", mesh_tunnel_delay_us(t));
	json_object_int_add(j, "delayVariationUs",
			    mesh_stamp_session_dv_us(&t->st));
	json_object_int_add(j, "rttUs",
			    t->st.have_rtt ? t->st.rtt_ns / 1000 : 0);
	json_object_double_add(j, "lossPercent",
			       mesh_stamp_session_loss_ppm(&t->st) / 10000.0);
	json_object_int_add(j, "probesSent", t->st.sent);
	json_object_int_add(j, "probesReceived", t->st.received);
	json_object_int_add(j, "probesLost", t->st.lost);
	json_object_int_add(j, "repliesLate", t->st.late);
	json_object_int_add(j, "repliesUnmatched",
			    t->st.unknown + t->st.mismatched + t->st.duplicate);
	json_object_int_add(j, "repliesMalformed", t->rx_bad);
	json_object_int_add(j, "advertisedDelayUs", t->adv_delay_us);
	json_object_boolean_add(j, "advertisedUp", t->adv_up);
	json_object_string_add(j, "driver", t->drv->name);
	t->drv->show(t, j);
	return j;
}

DEFPY(show_mesh_tunnels, show_mesh_tunnels_cmd, "show mesh tunnels [json]$uj",
      SHOW_STR MESH_STR "WireGuard tunnels to neighbor nodes\n" JSON_STR)
{
	json_object *js = json_object_new_object();
	json_object *jt = json_object_new_object();
	json_object *jn = json_object_new_object();
	char fp[MESH_KEY_FP_SIZE], id[INET_ADDRSTRLEN];

	json_object_boolean_add(js, "active", mesh_tunnel_active());
	json_object_boolean_add(js, "endpointConfigured", endpoint_present);
	if (local_key_ok)
		json_object_string_add(
			js, "localKey",
			mesh_key_fingerprint(local_key.pub, fp, sizeof(fp)));
	else if (local_key_err[0])
		json_object_string_add(js, "localKeyError", local_key_err);
	if (rotating)
		json_object_string_add(
			js, "nextKey",
			mesh_key_fingerprint(next_key.pub, fp, sizeof(fp)));
	json_object_int_add(js, "keyRotations", rotations);
	if (ca_err[0])
		json_object_string_add(js, "caError", ca_err);
	json_object_boolean_add(js, "signing", ca_sign != NULL);
	json_object_int_add(js, "probeIntervalMs",
			    mesh_tunnel_cfg.probe_interval_ms);
	if (reflector_pid > 0) {
		json_object_string_add(js, "reflector", "process");
		json_object_int_add(js, "reflectorPid", reflector_pid);
	} else {
		json_object_string_add(js, "reflector",
				       reflector_pth ? "thread" : "none");
		json_object_int_add(
			js, "reflected",
			atomic_load_explicit(&reflected, memory_order_relaxed));
	}
	if (mesh_tunnel_cfg.driver == MESH_TUNNEL_DRIVER_WIREGUARD) {
		json_object_string_add(js, "wireguardImplementation",
				       mesh_wgd_impl(false)->name);
		if (wg_impl_why[0])
			json_object_string_add(js, "wireguardKernelUnavailable",
					       wg_impl_why);
	}
	for (size_t i = 0; i < n_tunnels; i++)
		json_object_object_addf(
			jt, mesh_tunnel_json(tunnels[i]), "%pI4",
			&(struct in_addr){htonl(tunnels[i]->peer)});
	for (size_t i = 0; i < n_tnodes; i++) {
		json_object *j = json_object_new_object();

		json_object_int_add(j, "tenant", tnodes[i].tenant);
		json_object_int_add(j, "ivn", tnodes[i].ivn);
		json_object_boolean_add(j, "keyAccepted", tnodes[i].key_ok);
		if (tnodes[i].why[0])
			json_object_string_add(j, "refused", tnodes[i].why);
		json_object_boolean_add(j, "tunnel",
					mesh_tunnel_find(tnodes[i].id) != NULL);
		inet_ntop(AF_INET, &(struct in_addr){htonl(tnodes[i].id)}, id,
			  sizeof(id));
		json_object_object_add(jn, id, j);
	}
	json_object_object_add(js, "tunnels", jt);
	json_object_object_add(js, "nodes", jn);
	if (uj) {
		vty_json(vty, js);
		return CMD_SUCCESS;
	}
	if (mesh_tunnel_cfg.driver == MESH_TUNNEL_DRIVER_WIREGUARD)
		vty_out(vty, "WireGuard: %s%s%s%s\n",
			mesh_wgd_impl(false)->name, wg_impl_why[0] ? " (" : "",
			wg_impl_why, wg_impl_why[0] ? ")" : "");
	if (reflector_pid > 0)
		vty_out(vty,
			"STAMP reflector: process %s, pid %d (outlives "
			"meshd)\n",
			MESH_REFLECTOR_NAME, (int)reflector_pid);
	else if (reflector_pth)
		vty_out(vty,
			"STAMP reflector: thread of meshd, %" PRIu64
			" replies\n",
			atomic_load_explicit(&reflected, memory_order_relaxed));
	vty_out(vty, "%-16s %-16s %-6s %10s %10s %7s %s\n", "Neighbor",
		"Interface", "State", "Delay(us)", "DV(us)", "Loss%",
		"Peer key");
	for (size_t i = 0; i < n_tunnels; i++) {
		const struct mesh_tunnel *t = tunnels[i];

		vty_out(vty, "%-16pI4 %-16s %-6s %10u %10u %7.3f %s\n",
			&(struct in_addr){htonl(t->peer)}, t->ifname,
			mesh_tun_state_str(t->state), mesh_tunnel_delay_us(t),
			mesh_stamp_session_dv_us(&t->st),
			mesh_stamp_session_loss_ppm(&t->st) / 10000.0,
			mesh_key_fingerprint(t->peer_pub, fp, sizeof(fp)));
	}
	for (size_t i = 0; i < n_tnodes; i++)
		if (tnodes[i].why[0])
			vty_out(vty, "Node %pI4: no tunnel: %s\n",
				&(struct in_addr){htonl(tnodes[i].id)},
				tnodes[i].why);
	json_object_free(js);
	return CMD_SUCCESS;
}

DEFPY(clear_mesh_tunnel_keys, clear_mesh_tunnel_keys_cmd,
      "clear mesh tunnel keys",
      CLEAR_STR MESH_STR "Tunnels of the endpoint agent\n"
			 "Make a new key pair now (rotation)\n")
{
	char fp[MESH_KEY_FP_SIZE];

	if (!mesh_tunnel_active()) {
		vty_out(vty,
			"%% no tunnels: endpoint, router-id or key missing\n");
		return CMD_WARNING;
	}
	if (rotating) {
		vty_out(vty, "%% a rotation is under way\n");
		return CMD_WARNING;
	}
	mesh_tunnel_rotate(NULL);
	if (!rotating) {
		vty_out(vty, "%% the new key could not be made, see the log\n");
		return CMD_WARNING;
	}
	vty_out(vty,
		"New key %s advertised.\n"
		"%u working tunnel(s) move to it as soon as their twins "
		"handshake;\n"
		"tunnels that are not working take it in %d ms.\n",
		mesh_key_fingerprint(next_key.pub, fp, sizeof(fp)),
		rotation_twins, MESH_KEY_GRACE_MS);
	return CMD_SUCCESS;
}

void mesh_tunnel_init(void)
{
	install_element(VIEW_NODE, &show_mesh_tunnels_cmd);
	install_element(ENABLE_NODE, &clear_mesh_tunnel_keys_cmd);
}

void mesh_tunnel_terminate(void)
{
	THREAD_OFF(t_reconcile);
	THREAD_OFF(t_retry);
	THREAD_OFF(t_rotate);
	THREAD_OFF(t_originate);
	mesh_tunnel_reflector_stop();
	while (n_tunnels)
		mesh_tunnel_delete(n_tunnels - 1);
	for (size_t i = 0; i < n_tnodes; i++)
		XFREE(MTYPE_MESH_TNODE, tnodes[i].raw);
	XFREE(MTYPE_MESH_TNODE, tnodes);
	n_tnodes = cap_tnodes = 0;
	mesh_keypair_clear(&local_key);
	mesh_keypair_clear(&next_key);
	rotating = false;
	EVP_PKEY_free(ca_pub);
	EVP_PKEY_free(ca_sign);
	ca_pub = ca_sign = NULL;
}
