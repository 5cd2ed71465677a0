// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * WireGuard tunnels in the kernel, over generic netlink.
 *
 * Where the kernel has WireGuard, a tunnel interface is a kernel device
 * of kind "wireguard" (RTM_NEWLINK) configured through the generic
 * netlink family "wireguard" (<linux/wireguard.h>): WG_CMD_SET_DEVICE
 * takes the same struct mesh_wg_cfg the wireguard-go driver sends over
 * its UAPI socket (mesh_wg.h), and WG_CMD_GET_DEVICE, a dump, is read
 * into the same struct mesh_wg_state. meshd asks the generic netlink
 * controller (CTRL_CMD_GETFAMILY) whether the family exists to choose
 * between the two.
 *
 * The module is split like mesh_wg.c: message building and parsing are
 * pure functions on buffers (below, "Messages"), so that they are tested
 * byte for byte without a kernel; the socket calls (mesh_wgk_family_
 * resolve, mesh_wgk_link_add, mesh_wgk_set, mesh_wgk_get) only send what
 * those build and feed what they receive to those parsers.
 *
 * Netlink is host byte order except where a structure says otherwise
 * (the endpoint is a struct sockaddr_in or sockaddr_in6, port and address
 * in network order). Nested attributes carry NLA_F_NESTED; the entries of
 * the peer and allowed-IP lists are attributes of type 0.
 *
 * A configuration larger than one request (MESH_WGK_MSG_MAX) is sent as
 * several WG_CMD_SET_DEVICE messages, as the uapi header describes: the
 * first carries the device attributes and WGDEVICE_F_REPLACE_PEERS; a
 * peer cut between two messages is named again by its public key in the
 * next, without WGPEER_F_REPLACE_ALLOWEDIPS, with the allowed IPs that
 * did not fit. The kernel applies each message on its own, so a failure
 * in a later one leaves the earlier ones applied.
 *
 * Every failure returns a negative errno with a sentence in err naming the
 * request and the interface, the kernel's errno and its extended
 * acknowledgement message where it sent one, or the place in a reply that
 * could not be parsed. libc only, so unit tests link it directly.
 */
#ifndef MESH_WGK_H
#define MESH_WGK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meshd/mesh_wg.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MESH_WGK_FAMILY_NAME "wireguard" /* WG_GENL_NAME */
/* Largest request built; the kernel accepts far more, but a request
 * must stay below 64 KiB (a nested attribute's length is 16 bits). */
#define MESH_WGK_MSG_MAX 8192
/* Receive buffer: the kernel fills dump messages up to 32 KiB. */
#define MESH_WGK_RECV_MAX 32768
#define MESH_WGK_IO_TIMEOUT_MS 2000

/* ------------------------------------------------------------------ */
/* Socket calls                                                       */

struct mesh_wgk_family {
	uint16_t id;	  /* the nlmsg_type of its messages */
	uint32_t version; /* of the family, WG_GENL_VERSION (1) today */
	uint32_t maxattr;
};

/*
 * Ask the generic netlink controller for the "wireguard" family. 0 with
 * fam filled in; -ENOENT when the kernel has no such family (no
 * WireGuard module), with a sentence saying so in err; another negative
 * errno when the question could not be asked or answered.
 */
int mesh_wgk_family_resolve(struct mesh_wgk_family *fam, char *err,
			    size_t errlen);

/* Create a WireGuard interface (RTM_NEWLINK, kind "wireguard",
 * NLM_F_CREATE | NLM_F_EXCL) in the caller's network namespace; -EEXIST
 * if the name is taken; -EOPNOTSUPP where the kernel has no WireGuard. */
int mesh_wgk_link_add(const char *ifname, char *err, size_t errlen);

/* Configure it (WG_CMD_SET_DEVICE, in as many messages as it takes, each
 * acknowledged before the next is sent). cfg is checked completely first
 * (mesh_wg_cfg_check). */
int mesh_wgk_set(uint16_t family, const char *ifname,
		 const struct mesh_wg_cfg *cfg, char *err, size_t errlen);

/* Read its state (WG_CMD_GET_DEVICE dump); -ENODEV if there is no such
 * interface, -EOPNOTSUPP if it is not a WireGuard one. */
int mesh_wgk_get(uint16_t family, const char *ifname, struct mesh_wg_state *st,
		 char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* Messages, without a socket (for tests and fuzzing)                  */

/* Each builder writes one netlink message into buf (cap octets) and its
 * length into *len; it returns 0, -EINVAL for a bad interface name,
 * or -EMSGSIZE when the message does not fit. seq is the nlmsg_seq. */

/* CTRL_CMD_GETFAMILY for "wireguard", to GENL_ID_CTRL. */
int mesh_wgk_family_req(uint8_t *buf, size_t cap, uint32_t seq, size_t *len);

/* The controller's answer: 0 with fam, -ENOENT (no such family) or the
 * kernel's other errno, -EPROTO for a malformed answer. */
int mesh_wgk_family_parse(const uint8_t *buf, size_t len, uint32_t seq,
			  struct mesh_wgk_family *fam, char *err,
			  size_t errlen);

/* RTM_NEWLINK, IFLA_IFNAME and IFLA_LINKINFO { IFLA_INFO_KIND "wireguard" },
 * acknowledged, create-exclusive. */
int mesh_wgk_link_req(uint8_t *buf, size_t cap, uint32_t seq,
		      const char *ifname, size_t *len);

/*
 * An acknowledgement (NLMSG_ERROR) of the request named what: 0 for
 * success, the kernel's negative errno (with its extended acknowledgement
 * message, if any, in err), -EPROTO if it is not one acknowledgement of
 * sequence number seq.
 */
int mesh_wgk_ack_parse(const uint8_t *buf, size_t len, uint32_t seq,
		       const char *what, char *err, size_t errlen);

/* Where a WG_CMD_SET_DEVICE sequence is in its configuration. */
struct mesh_wgk_set_iter {
	const struct mesh_wg_cfg *cfg;
	bool device_sent; /* the first message went (device attributes) */
	size_t peer;	  /* next peer to send */
	size_t aip;	  /* next allowed IP of that peer; > 0: continued */
	unsigned int n_msgs;
};

/* Start at the beginning of cfg, which must have passed
 * mesh_wg_cfg_check(). */
void mesh_wgk_set_begin(struct mesh_wgk_set_iter *it,
			const struct mesh_wg_cfg *cfg);

/*
 * The next WG_CMD_SET_DEVICE message (acknowledged). Returns 1 when more
 * messages follow, 0 for the last one, -EINVAL for a bad interface name,
 * -EMSGSIZE (with the peer named in err) when a peer's own attributes
 * and its first allowed IP do not fit in cap octets at all.
 */
int mesh_wgk_set_req(struct mesh_wgk_set_iter *it, uint16_t family,
		     const char *ifname, uint32_t seq, uint8_t *buf, size_t cap,
		     size_t *len, char *err, size_t errlen);

/* WG_CMD_GET_DEVICE for ifname, NLM_F_DUMP. */
int mesh_wgk_get_req(uint16_t family, const char *ifname, uint32_t seq,
		     uint8_t *buf, size_t cap, size_t *len);

/* A WG_CMD_GET_DEVICE dump being read. */
struct mesh_wgk_dump {
	struct mesh_wg_state *st;
	uint16_t family;
	uint32_t seq;
	unsigned int n_msgs; /* messages read so far */
	bool done;	     /* NLMSG_DONE seen */
};

/* Start reading a dump into st (cleared). */
void mesh_wgk_dump_begin(struct mesh_wgk_dump *d, uint16_t family, uint32_t seq,
			 struct mesh_wg_state *st);

/*
 * Feed one datagram (one or more netlink messages) of the dump. Returns 0
 * when more are expected, 1 once NLMSG_DONE ended it, the kernel's
 * negative errno if it refused (NLMSG_ERROR, or an error in NLMSG_DONE),
 * -EPROTO for a malformed or truncated reply and -E2BIG when it holds more
 * peers or allowed IPs than the state has room for, with the message,
 * peer and allowed IP named in err. A peer split across messages (same
 * public key in adjacent entries) is put back together.
 */
int mesh_wgk_dump_feed(struct mesh_wgk_dump *d, const uint8_t *buf, size_t len,
		       char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* MESH_WGK_H */
