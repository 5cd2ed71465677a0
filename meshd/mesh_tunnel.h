// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd endpoint agent: one WireGuard tunnel per neighbor node, STAMP
 * probes through each, and the node route that advertises them
 * (mesh_tunnel.c). Configuration arrives through the northbound
 * (mesh_tunnel_nb.c); routes over the tunnels go to zebra
 * (mesh_zebra.c).
 */
#ifndef MESH_TUNNEL_H
#define MESH_TUNNEL_H

#include <net/if.h>

#include "lib/prefix.h"

#include "bgpd-ext/mesh_attr.h"
#include "meshd/mesh_stamp.h"
#include "meshd/mesh_wg.h"

#define MESH_TUNNEL_PORT_DEFAULT 51820
/* Tunnel to node N listens on endpoint port + (N & MESH_TUNNEL_PORT_MASK),
 * plus MESH_TUNNEL_PORT_MASK + 1 on lane 1 (mesh_tunnel.c, "Lanes"). */
#define MESH_TUNNEL_PORT_MASK 0x3ff
#define MESH_TUNNEL_MAX 64 /* = MESH_ATTR_MAX_LINKS */
#define MESH_TUNNEL_MTU 1420
#define MESH_PROBE_INTERVAL_DEFAULT 100 /* ms */
#define MESH_PROBE_DOWN_DEFAULT 3
#define MESH_PROBE_UP_DEFAULT 3
#define MESH_TUNNEL_BW_DEFAULT 1000 /* Mbit/s */
#define MESH_KEY_DIR "/var/lib/frr"

enum mesh_tunnel_driver_kind {
	MESH_TUNNEL_DRIVER_WIREGUARD = 0,
	MESH_TUNNEL_DRIVER_VXLAN = 1,
};

enum mesh_tunnel_peers {
	MESH_TUNNEL_PEERS_CONFIGURED = 0,
	MESH_TUNNEL_PEERS_FULL_MESH = 1,
};

/* A neighbor named in the configuration ('tunnel neighbor'). */
struct mesh_tunnel_nbr_cfg {
	uint32_t node;			  /* host order */
	struct mesh_wg_endpoint endpoint; /* family 0: the advertised one */
};

struct mesh_tunnel_cfg {
	uint32_t tenant, ivn;
	/* Underlay endpoint of this node; family 0 when not configured. */
	struct mesh_wg_endpoint endpoint;
	char key_file[256]; /* "" = MESH_KEY_DIR/meshd-<router-id>.key */
	bool have_ca_pub;
	uint8_t ca_pub[32];
	char ca_sign_file[256];
	enum mesh_tunnel_peers peers;
	enum mesh_tunnel_driver_kind driver;
	uint16_t max_tunnels;
	size_t n_nbrs;
	struct mesh_tunnel_nbr_cfg nbrs[MESH_TUNNEL_MAX];
	uint32_t probe_interval_ms;
	uint16_t probe_down_after, probe_up_after;
	bool probe_clock_synced;
	uint32_t key_rotation_s; /* 0: no periodic rotation */
	uint32_t bandwidth_mbps;
	uint32_t threshold_pct; /* re-advertise a delay change past this */
};

extern struct mesh_tunnel_cfg mesh_tunnel_cfg;

/* The northbound changed something under 'tunnel ...': reconcile. */
void mesh_tunnel_config_changed(void);
/* The router-id (node ID) changed: every tunnel is made again. */
void mesh_tunnel_identity_changed(void);
/* 'no router mesh': back to defaults, every tunnel goes. */
void mesh_tunnel_config_reset(void);

/* Node routes seen by the topology code (from the RIB's selection). */
/* key identifies the node route (its prefix) for the withdraw. */
void mesh_tunnel_node_update(uint64_t key, const struct mesh_attr *ma,
			     const uint8_t *raw, size_t len);
void mesh_tunnel_node_withdraw(uint64_t key);

/* For route installation: the interface towards a neighbor node, whether
 * probes say the tunnel works, and whether routes over it need the node
 * as gateway (a broadcast link). 0 when there is no tunnel. */
ifindex_t mesh_tunnel_ifindex(uint32_t node, bool *up, bool *gateway);

/* zebra's interface events: a tunnel interface (name and index) went
 * down or away, or came up. */
void mesh_tunnel_if_event(const char *ifname, ifindex_t ifindex, bool up,
			  bool gone);
/* zebra's address events, to notice the tunnel endpoint going away. */
struct prefix;
void mesh_tunnel_endpoint_event(const struct prefix *p, bool added);

/* Graceful restart: wireguard-go processes outlive meshd, and a
 * restarted meshd takes over the ones it finds (keep), or tunnels go
 * with meshd (the default). */
void mesh_tunnel_set_keep(bool keep);
/* The agent should advertise its node route and has not yet. */
bool mesh_tunnel_origination_pending(void);

/* Every tunnel is up, or down, or has had the time its probes need to
 * bring it up (graceful restart waits for this before zebra drops the
 * routes meshd did not install again). */
bool mesh_tunnel_settled(void);

void mesh_tunnel_init(void);
void mesh_tunnel_terminate(void);

#endif /* MESH_TUNNEL_H */
