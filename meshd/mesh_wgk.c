// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel WireGuard over generic netlink: the requests, the parsers of the
 * answers, and the socket calls that join them. See mesh_wgk.h.
 *
 * Requests are written through struct mesh_wbuf, which refuses to grow
 * past its capacity and remembers it; a part that did not fit is undone
 * (mesh_wgk_undo) so that a WG_CMD_SET_DEVICE message ends on a whole
 * peer or a whole allowed IP and the rest goes into the next one.
 *
 * Answers are read through struct mesh_rbuf: each netlink message and
 * each attribute is cut into a window of exactly its own bytes before it
 * is decoded. The attributes of the three WireGuard sets are rows of
 * descriptor tables (name and exact length); a row's length is checked
 * before its decoder runs, and an attribute without a row is counted in
 * mesh_wg_state.n_unknown and skipped, as a newer kernel may add some.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/param.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/wireguard.h>

#include "bgpd-ext/mesh_buf.h"
#include "meshd/mesh_wgk.h"

/* The kernel's errnos are 1..4095 (MAX_ERRNO); netlink carries them
 * negated. */
#define MESH_WGK_MAX_ERRNO 4095

#define MESH_WGK_ACK_MAX 1024 /* an acknowledgement, capped, with its TLVs */
#define MESH_WGK_GET_TRIES 3  /* dumps interrupted by a concurrent change */

static bool mesh_wgk_name_ok(const char *ifname, char *err, size_t errlen)
{
	if (mesh_wg_name_valid(ifname))
		return true;
	snprintf(err, errlen, "\"%s\" is not a valid interface name",
		 ifname ? ifname : "(null)");
	return false;
}

/* ------------------------------------------------------------------ */
/* Writing                                                            */

static void mesh_wgk_hdr(struct mesh_wbuf *w, uint16_t type, uint16_t flags,
			 uint32_t seq)
{
	struct nlmsghdr h = {
		.nlmsg_type = type,
		.nlmsg_flags = NLM_F_REQUEST | flags,
		.nlmsg_seq = seq,
	};

	mesh_wbuf_bytes(w, &h, sizeof(h));
}

static void mesh_wgk_genl(struct mesh_wbuf *w, uint8_t cmd, uint8_t version)
{
	struct genlmsghdr g = {.cmd = cmd, .version = version};

	mesh_wbuf_bytes(w, &g, sizeof(g));
}

/* The message is complete: its length goes into its header. */
static int mesh_wgk_finish(struct mesh_wbuf *w, size_t *len)
{
	uint32_t n = (uint32_t)w->len;

	if (w->err)
		return -EMSGSIZE;
	memcpy(w->data + offsetof(struct nlmsghdr, nlmsg_len), &n, sizeof(n));
	*len = w->len;
	return 0;
}

/* One attribute: header, value, zeros up to the 4-octet boundary. */
static void mesh_wgk_put(struct mesh_wbuf *w, uint16_t type, const void *data,
			 size_t len)
{
	static const uint8_t zero[NLA_ALIGNTO];
	struct nlattr a = {.nla_len = (uint16_t)(NLA_HDRLEN + len),
			   .nla_type = type};

	if (len > UINT16_MAX - NLA_HDRLEN ||
	    !mesh_wbuf_room(w, NLA_HDRLEN + NLA_ALIGN(len))) {
		w->err = true;
		return;
	}
	mesh_wbuf_bytes(w, &a, sizeof(a));
	mesh_wbuf_bytes(w, data, len);
	mesh_wbuf_bytes(w, zero, NLA_ALIGN(len) - len);
}

static void mesh_wgk_put_u8(struct mesh_wbuf *w, uint16_t type, uint8_t v)
{
	mesh_wgk_put(w, type, &v, sizeof(v));
}

static void mesh_wgk_put_u16(struct mesh_wbuf *w, uint16_t type, uint16_t v)
{
	mesh_wgk_put(w, type, &v, sizeof(v));
}

static void mesh_wgk_put_u32(struct mesh_wbuf *w, uint16_t type, uint32_t v)
{
	mesh_wgk_put(w, type, &v, sizeof(v));
}

static void mesh_wgk_put_str(struct mesh_wbuf *w, uint16_t type, const char *s)
{
	mesh_wgk_put(w, type, s, strlen(s) + 1);
}

/* Open a nested attribute; returns where it starts for mesh_wgk_end. */
static size_t mesh_wgk_nest(struct mesh_wbuf *w, uint16_t type)
{
	size_t at = w->len;

	mesh_wgk_put(w, type | NLA_F_NESTED, NULL, 0);
	return at;
}

static void mesh_wgk_end(struct mesh_wbuf *w, size_t at)
{
	uint16_t n;

	if (w->err)
		return;
	if (w->len - at > UINT16_MAX) {
		w->err = true;
		return;
	}
	n = (uint16_t)(w->len - at);
	memcpy(w->data + at + offsetof(struct nlattr, nla_len), &n, sizeof(n));
}

/* Undo everything written since mark: a part that did not fit. */
static void mesh_wgk_undo(struct mesh_wbuf *w, size_t mark)
{
	w->len = mark;
	w->err = false;
}

/* ------------------------------------------------------------------ */
/* Requests                                                           */

int mesh_wgk_family_req(uint8_t *buf, size_t cap, uint32_t seq, size_t *len)
{
	struct mesh_wbuf w;

	mesh_wbuf_init(&w, buf, cap);
	mesh_wgk_hdr(&w, GENL_ID_CTRL, 0, seq);
	mesh_wgk_genl(&w, CTRL_CMD_GETFAMILY, 1);
	mesh_wgk_put_str(&w, CTRL_ATTR_FAMILY_NAME, MESH_WGK_FAMILY_NAME);
	return mesh_wgk_finish(&w, len);
}

int mesh_wgk_link_req(uint8_t *buf, size_t cap, uint32_t seq,
		      const char *ifname, size_t *len)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct mesh_wbuf w;
	size_t info;

	if (!mesh_wg_name_valid(ifname))
		return -EINVAL;
	mesh_wbuf_init(&w, buf, cap);
	mesh_wgk_hdr(&w, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
		     seq);
	mesh_wbuf_bytes(&w, &ifi, sizeof(ifi));
	mesh_wgk_put_str(&w, IFLA_IFNAME, ifname);
	info = mesh_wgk_nest(&w, IFLA_LINKINFO);
	mesh_wgk_put_str(&w, IFLA_INFO_KIND, MESH_WGK_FAMILY_NAME);
	mesh_wgk_end(&w, info);
	return mesh_wgk_finish(&w, len);
}

int mesh_wgk_get_req(uint16_t family, const char *ifname, uint32_t seq,
		     uint8_t *buf, size_t cap, size_t *len)
{
	struct mesh_wbuf w;

	if (!mesh_wg_name_valid(ifname))
		return -EINVAL;
	mesh_wbuf_init(&w, buf, cap);
	mesh_wgk_hdr(&w, family, NLM_F_DUMP, seq);
	mesh_wgk_genl(&w, WG_CMD_GET_DEVICE, WG_GENL_VERSION);
	mesh_wgk_put_str(&w, WGDEVICE_A_IFNAME, ifname);
	return mesh_wgk_finish(&w, len);
}

static void mesh_wgk_put_endpoint(struct mesh_wbuf *w,
				  const struct mesh_wg_endpoint *ep)
{
	union {
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} sa;
	size_t len;

	memset(&sa, 0, sizeof(sa));
	if (ep->family == AF_INET) {
		sa.v4.sin_family = AF_INET;
		sa.v4.sin_port = htons(ep->port);
		memcpy(&sa.v4.sin_addr, ep->addr, 4);
		len = sizeof(sa.v4);
	} else {
		sa.v6.sin6_family = AF_INET6;
		sa.v6.sin6_port = htons(ep->port);
		memcpy(&sa.v6.sin6_addr, ep->addr, 16);
		len = sizeof(sa.v6);
	}
	mesh_wgk_put(w, WGPEER_A_ENDPOINT, &sa, len);
}

static void mesh_wgk_put_allowed_ip(struct mesh_wbuf *w,
				    const struct mesh_wg_prefix *p)
{
	size_t at = mesh_wgk_nest(w, 0);

	mesh_wgk_put_u16(w, WGALLOWEDIP_A_FAMILY, (uint16_t)p->family);
	mesh_wgk_put(w, WGALLOWEDIP_A_IPADDR, p->addr,
		     p->family == AF_INET ? 4 : 16);
	mesh_wgk_put_u8(w, WGALLOWEDIP_A_CIDR_MASK, p->len);
	mesh_wgk_end(w, at);
}

/* A peer's attributes before its allowed IPs: all of them in its first
 * message; where it continues, its key and whether it is update-only. */
static void mesh_wgk_put_peer_head(struct mesh_wbuf *w,
				   const struct mesh_wg_peer_cfg *pc, bool cont)
{
	uint32_t flags = 0;

	mesh_wgk_put(w, WGPEER_A_PUBLIC_KEY, pc->public_key, MESH_WG_KEY_LEN);
	if (pc->remove) {
		mesh_wgk_put_u32(w, WGPEER_A_FLAGS, WGPEER_F_REMOVE_ME);
		return;
	}
	if (pc->update_only)
		flags |= WGPEER_F_UPDATE_ONLY;
	if (pc->replace_allowed_ips && !cont)
		flags |= WGPEER_F_REPLACE_ALLOWEDIPS;
	if (flags)
		mesh_wgk_put_u32(w, WGPEER_A_FLAGS, flags);
	if (cont)
		return;
	if (pc->has_preshared_key)
		mesh_wgk_put(w, WGPEER_A_PRESHARED_KEY, pc->preshared_key,
			     MESH_WG_KEY_LEN);
	if (pc->endpoint.family)
		mesh_wgk_put_endpoint(w, &pc->endpoint);
	if (pc->has_keepalive)
		mesh_wgk_put_u16(w, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
				 pc->keepalive_s);
}

/*
 * As much of the iterator's current peer as fits: its head and at least
 * one allowed IP (when it has any). Returns false, with nothing written,
 * when that much does not fit; otherwise moves the iterator on.
 */
static bool mesh_wgk_put_peer(struct mesh_wbuf *w, struct mesh_wgk_set_iter *it)
{
	const struct mesh_wg_peer_cfg *pc = &it->cfg->peers[it->peer];
	size_t n_ips = pc->remove ? 0 : pc->n_allowed_ips;
	size_t mark = w->len, peer, ips, n = 0;

	peer = mesh_wgk_nest(w, 0);
	mesh_wgk_put_peer_head(w, pc, it->aip > 0);
	if (it->aip < n_ips) {
		ips = mesh_wgk_nest(w, WGPEER_A_ALLOWEDIPS);
		while (it->aip + n < n_ips) {
			size_t one = w->len;

			mesh_wgk_put_allowed_ip(w,
						&pc->allowed_ips[it->aip + n]);
			if (w->err) {
				mesh_wgk_undo(w, one);
				break;
			}
			n++;
		}
		if (!n) {
			mesh_wgk_undo(w, mark);
			return false;
		}
		mesh_wgk_end(w, ips);
	}
	if (w->err) {
		mesh_wgk_undo(w, mark);
		return false;
	}
	mesh_wgk_end(w, peer);
	it->aip += n;
	if (it->aip >= n_ips) {
		it->peer++;
		it->aip = 0;
	}
	return true;
}

void mesh_wgk_set_begin(struct mesh_wgk_set_iter *it,
			const struct mesh_wg_cfg *cfg)
{
	memset(it, 0, sizeof(*it));
	it->cfg = cfg;
}

int mesh_wgk_set_req(struct mesh_wgk_set_iter *it, uint16_t family,
		     const char *ifname, uint32_t seq, uint8_t *buf, size_t cap,
		     size_t *len, char *err, size_t errlen)
{
	const struct mesh_wg_cfg *cfg = it->cfg;
	struct mesh_wbuf w;
	bool wrote = false;

	if (!mesh_wgk_name_ok(ifname, err, errlen))
		return -EINVAL;
	mesh_wbuf_init(&w, buf, cap);
	mesh_wgk_hdr(&w, family, NLM_F_ACK, seq);
	mesh_wgk_genl(&w, WG_CMD_SET_DEVICE, WG_GENL_VERSION);
	mesh_wgk_put_str(&w, WGDEVICE_A_IFNAME, ifname);
	if (!it->device_sent) {
		if (cfg->has_private_key)
			mesh_wgk_put(&w, WGDEVICE_A_PRIVATE_KEY,
				     cfg->private_key, MESH_WG_KEY_LEN);
		if (cfg->has_listen_port)
			mesh_wgk_put_u16(&w, WGDEVICE_A_LISTEN_PORT,
					 cfg->listen_port);
		if (cfg->has_fwmark)
			mesh_wgk_put_u32(&w, WGDEVICE_A_FWMARK, cfg->fwmark);
		if (cfg->replace_peers)
			mesh_wgk_put_u32(&w, WGDEVICE_A_FLAGS,
					 WGDEVICE_F_REPLACE_PEERS);
		wrote = true;
	}
	if (!w.err && it->peer < cfg->n_peers) {
		size_t peers = mesh_wgk_nest(&w, WGDEVICE_A_PEERS);
		bool any = false;

		while (!w.err && it->peer < cfg->n_peers &&
		       mesh_wgk_put_peer(&w, it))
			any = true;
		if (any)
			mesh_wgk_end(&w, peers);
		else
			mesh_wgk_undo(&w, peers);
		wrote = wrote || any;
	}
	if (w.err || !wrote) {
		if (w.err)
			snprintf(err, errlen,
				 "%s: device attributes do not fit in a "
				 "message of %zu octets",
				 ifname, cap);
		else
			snprintf(err, errlen,
				 "%s: peer %zu: its attributes and first "
				 "allowed IP do not fit in a message of "
				 "%zu octets",
				 ifname, it->peer, cap);
		return -EMSGSIZE;
	}
	it->device_sent = true;
	it->n_msgs++;
	if (mesh_wgk_finish(&w, len))
		return -EMSGSIZE;
	return it->peer < cfg->n_peers ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* Reading                                                            */

struct mesh_wgk_msg {
	struct nlmsghdr h;
	struct mesh_rbuf body; /* what follows the header */
};

/* The next message of a datagram: 1, 0 at its end, -1 if truncated. */
static int mesh_wgk_msg_next(struct mesh_rbuf *b, struct mesh_wgk_msg *m)
{
	size_t body;

	if (!mesh_rbuf_left(b))
		return 0;
	if (!mesh_rbuf_bytes(b, &m->h, sizeof(m->h)) ||
	    m->h.nlmsg_len < sizeof(m->h))
		return -1;
	body = m->h.nlmsg_len - sizeof(m->h);
	if (!mesh_rbuf_sub(b, body, &m->body))
		return -1;
	mesh_rbuf_skip(b, MIN(NLMSG_ALIGN(body) - body, mesh_rbuf_left(b)));
	return 1;
}

struct mesh_wgk_nla {
	uint16_t type; /* without NLA_F_NESTED and NLA_F_NET_BYTEORDER */
	struct mesh_rbuf val;
};

/* The next attribute of a window: 1, 0 at its end, -1 if truncated. */
static int mesh_wgk_nla_next(struct mesh_rbuf *b, struct mesh_wgk_nla *a)
{
	struct nlattr h;
	size_t len;

	if (!mesh_rbuf_left(b))
		return 0;
	if (!mesh_rbuf_bytes(b, &h, sizeof(h)) || h.nla_len < NLA_HDRLEN)
		return -1;
	len = h.nla_len - NLA_HDRLEN;
	if (!mesh_rbuf_sub(b, len, &a->val))
		return -1;
	/* The last attribute of a nest may come without its padding. */
	mesh_rbuf_skip(b, MIN(NLA_ALIGN(len) - len, mesh_rbuf_left(b)));
	a->type = h.nla_type & NLA_TYPE_MASK;
	return 1;
}

/* A NUL-terminated string value of at most size - 1 characters. */
static bool mesh_wgk_str(struct mesh_rbuf *v, char *out, size_t size)
{
	size_t n = mesh_rbuf_left(v);

	if (n == 0 || n > size || !mesh_rbuf_bytes(v, out, n))
		return false;
	return memchr(out, '\0', n) == out + n - 1;
}

/* A printable copy of a string value, for an error message. */
static void mesh_wgk_text(struct mesh_rbuf *v, char *out, size_t size)
{
	size_t n = MIN(mesh_rbuf_left(v), size - 1), i;

	mesh_rbuf_bytes(v, out, n);
	out[n] = '\0';
	for (i = 0; i < n && out[i]; i++)
		if (out[i] < 0x20 || out[i] > 0x7e)
			out[i] = '?';
}

/*
 * An NLMSG_ERROR body: the errno (0 for an acknowledgement) and the
 * kernel's extended acknowledgement message, if it sent one. false if
 * malformed.
 */
static bool mesh_wgk_nlerr(const struct mesh_wgk_msg *m, int32_t *error,
			   char *msg, size_t msglen)
{
	struct mesh_rbuf b = m->body;
	struct nlmsghdr orig;
	struct mesh_wgk_nla a;
	int r;

	msg[0] = '\0';
	/* an errno is 0 or -1..-MESH_WGK_MAX_ERRNO; anything else is not
	 * the kernel's (and would not negate) */
	if (!mesh_rbuf_bytes(&b, error, sizeof(*error)) ||
	    !mesh_rbuf_bytes(&b, &orig, sizeof(orig)) || *error > 0 ||
	    *error < -MESH_WGK_MAX_ERRNO)
		return false;
	if (!(m->h.nlmsg_flags & NLM_F_CAPPED)) {
		/* The whole request follows its header. */
		size_t rest;

		if (orig.nlmsg_len < sizeof(orig))
			return false;
		rest = orig.nlmsg_len - sizeof(orig);
		if (!mesh_rbuf_skip(&b, rest))
			return false;
		mesh_rbuf_skip(
			&b, MIN(NLMSG_ALIGN(rest) - rest, mesh_rbuf_left(&b)));
	}
	if (!(m->h.nlmsg_flags & NLM_F_ACK_TLVS))
		return mesh_rbuf_left(&b) == 0;
	while ((r = mesh_wgk_nla_next(&b, &a)) > 0)
		if (a.type == NLMSGERR_ATTR_MSG)
			mesh_wgk_text(&a.val, msg, msglen);
	return r == 0;
}

/* "what: strerror" and the kernel's own message, for a refused request. */
static int mesh_wgk_refused(int32_t error, const char *msg, const char *what,
			    char *err, size_t errlen)
{
	if (msg[0])
		snprintf(err, errlen, "%s: %s (kernel: %s)", what,
			 strerror(-error), msg);
	else
		snprintf(err, errlen, "%s: %s", what, strerror(-error));
	return error;
}

int mesh_wgk_ack_parse(const uint8_t *buf, size_t len, uint32_t seq,
		       const char *what, char *err, size_t errlen)
{
	struct mesh_rbuf b;
	struct mesh_wgk_msg m;
	char msg[128];
	int32_t error;

	mesh_rbuf_init(&b, buf, len);
	if (mesh_wgk_msg_next(&b, &m) <= 0) {
		snprintf(err, errlen, "%s: truncated answer (%zu octets)", what,
			 len);
		return -EPROTO;
	}
	if (m.h.nlmsg_type != NLMSG_ERROR) {
		snprintf(err, errlen,
			 "%s: answer of type %u, not an acknowledgement", what,
			 m.h.nlmsg_type);
		return -EPROTO;
	}
	if (m.h.nlmsg_seq != seq) {
		snprintf(err, errlen,
			 "%s: acknowledgement of sequence number %u, "
			 "expected %u",
			 what, m.h.nlmsg_seq, seq);
		return -EPROTO;
	}
	if (!mesh_wgk_nlerr(&m, &error, msg, sizeof(msg)) ||
	    mesh_rbuf_left(&b)) {
		snprintf(err, errlen, "%s: malformed acknowledgement", what);
		return -EPROTO;
	}
	return error ? mesh_wgk_refused(error, msg, what, err, errlen) : 0;
}

int mesh_wgk_family_parse(const uint8_t *buf, size_t len, uint32_t seq,
			  struct mesh_wgk_family *fam, char *err, size_t errlen)
{
	static const char what[] =
		"CTRL_CMD_GETFAMILY \"" MESH_WGK_FAMILY_NAME "\"";
	struct mesh_rbuf b;
	struct mesh_wgk_msg m;
	struct mesh_wgk_nla a;
	struct genlmsghdr g;
	char name[GENL_NAMSIZ] = "", msg[128];
	bool have_id = false;
	int32_t error;
	int r;

	memset(fam, 0, sizeof(*fam));
	mesh_rbuf_init(&b, buf, len);
	if (mesh_wgk_msg_next(&b, &m) <= 0 || mesh_rbuf_left(&b) ||
	    m.h.nlmsg_seq != seq) {
		snprintf(err, errlen,
			 "%s: not one answer of sequence number %u (%zu "
			 "octets)",
			 what, seq, len);
		return -EPROTO;
	}
	if (m.h.nlmsg_type == NLMSG_ERROR) {
		if (!mesh_wgk_nlerr(&m, &error, msg, sizeof(msg)) || !error) {
			snprintf(err, errlen,
				 "%s: acknowledgement without an answer", what);
			return -EPROTO;
		}
		if (error == -ENOENT) {
			snprintf(err, errlen,
				 "the kernel has no generic netlink family "
				 "\"%s\" (no WireGuard module)",
				 MESH_WGK_FAMILY_NAME);
			return -ENOENT;
		}
		return mesh_wgk_refused(error, msg, what, err, errlen);
	}
	if (m.h.nlmsg_type != GENL_ID_CTRL ||
	    !mesh_rbuf_bytes(&m.body, &g, sizeof(g)) ||
	    g.cmd != CTRL_CMD_NEWFAMILY) {
		snprintf(err, errlen,
			 "%s: answer of type %u is not CTRL_CMD_NEWFAMILY",
			 what, m.h.nlmsg_type);
		return -EPROTO;
	}
	while ((r = mesh_wgk_nla_next(&m.body, &a)) > 0) {
		bool ok = true;

		if (a.type == CTRL_ATTR_FAMILY_ID) {
			ok = mesh_rbuf_left(&a.val) == sizeof(fam->id) &&
			     mesh_rbuf_bytes(&a.val, &fam->id, sizeof(fam->id));
			have_id = ok;
		} else if (a.type == CTRL_ATTR_FAMILY_NAME) {
			ok = mesh_wgk_str(&a.val, name, sizeof(name));
		} else if (a.type == CTRL_ATTR_VERSION) {
			ok = mesh_rbuf_left(&a.val) == 4 &&
			     mesh_rbuf_bytes(&a.val, &fam->version, 4);
		} else if (a.type == CTRL_ATTR_MAXATTR) {
			ok = mesh_rbuf_left(&a.val) == 4 &&
			     mesh_rbuf_bytes(&a.val, &fam->maxattr, 4);
		}
		if (!ok) {
			snprintf(err, errlen,
				 "%s: attribute %u of %zu octets is "
				 "malformed",
				 what, a.type, mesh_rbuf_left(&a.val));
			return -EPROTO;
		}
	}
	if (r < 0 || !have_id || fam->id < NLMSG_MIN_TYPE ||
	    strcmp(name, MESH_WGK_FAMILY_NAME) != 0) {
		snprintf(err, errlen, "%s: answer %s (family \"%s\", id %u)",
			 what, r < 0 ? "truncated" : "without a valid family",
			 name, fam->id);
		return -EPROTO;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The WG_CMD_GET_DEVICE dump                                          */

/*
 * A row per attribute type: its name and exact length (0: checked by its
 * decoder, a string, an address or a nest), and for a plain value, the
 * member of the state it is copied into (1 + its offset; 0: none).
 */
struct mesh_wgk_attr_desc {
	const char *name;
	size_t len;
	size_t field;
};

/* A plain value: copied into member of type, whose size is its length. */
#define MESH_WGK_COPY(name, type, member)                                      \
	{                                                                      \
		name, sizeof(((type *)0)->member), 1 + offsetof(type, member)  \
	}

struct mesh_wgk_set {
	const char *name; /* of its attributes' prefix, for messages */
	const struct mesh_wgk_attr_desc *rows;
	size_t n_rows;
};

static const struct mesh_wgk_attr_desc mesh_wgk_device_rows[] = {
	[WGDEVICE_A_IFINDEX] = {"IFINDEX", 4},
	[WGDEVICE_A_IFNAME] = {"IFNAME", 0},
	[WGDEVICE_A_PRIVATE_KEY] =
		MESH_WGK_COPY("PRIVATE_KEY", struct mesh_wg_state, private_key),
	[WGDEVICE_A_PUBLIC_KEY] = {"PUBLIC_KEY", WG_KEY_LEN},
	[WGDEVICE_A_FLAGS] = {"FLAGS", 4},
	[WGDEVICE_A_LISTEN_PORT] =
		MESH_WGK_COPY("LISTEN_PORT", struct mesh_wg_state, listen_port),
	[WGDEVICE_A_FWMARK] =
		MESH_WGK_COPY("FWMARK", struct mesh_wg_state, fwmark),
	[WGDEVICE_A_PEERS] = {"PEERS", 0},
};

static const struct mesh_wgk_attr_desc mesh_wgk_peer_rows[] = {
	[WGPEER_A_PUBLIC_KEY] = {"PUBLIC_KEY", WG_KEY_LEN},
	[WGPEER_A_PRESHARED_KEY] = MESH_WGK_COPY(
		"PRESHARED_KEY", struct mesh_wg_peer_state, preshared_key),
	[WGPEER_A_FLAGS] = {"FLAGS", 4},
	[WGPEER_A_ENDPOINT] = {"ENDPOINT", 0},
	[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL] = MESH_WGK_COPY(
		"PERSISTENT_KEEPALIVE", struct mesh_wg_peer_state, keepalive_s),
	/* struct __kernel_timespec: two 64-bit counts */
	[WGPEER_A_LAST_HANDSHAKE_TIME] = {"LAST_HANDSHAKE_TIME", 16},
	[WGPEER_A_RX_BYTES] =
		MESH_WGK_COPY("RX_BYTES", struct mesh_wg_peer_state, rx_bytes),
	[WGPEER_A_TX_BYTES] =
		MESH_WGK_COPY("TX_BYTES", struct mesh_wg_peer_state, tx_bytes),
	[WGPEER_A_ALLOWEDIPS] = {"ALLOWEDIPS", 0},
	[WGPEER_A_PROTOCOL_VERSION] =
		MESH_WGK_COPY("PROTOCOL_VERSION", struct mesh_wg_peer_state,
			      protocol_version),
};

static const struct mesh_wgk_attr_desc mesh_wgk_allowedip_rows[] = {
	[WGALLOWEDIP_A_FAMILY] = {"FAMILY", 2},
	[WGALLOWEDIP_A_IPADDR] = {"IPADDR", 0},
	[WGALLOWEDIP_A_CIDR_MASK] =
		MESH_WGK_COPY("CIDR_MASK", struct mesh_wg_prefix, len),
};

#define MESH_WGK_SET(name, rows)                                               \
	{                                                                      \
		name, rows, sizeof(rows) / sizeof(rows[0])                     \
	}

static const struct mesh_wgk_set mesh_wgk_device_set =
	MESH_WGK_SET("WGDEVICE", mesh_wgk_device_rows);
static const struct mesh_wgk_set mesh_wgk_peer_set =
	MESH_WGK_SET("WGPEER", mesh_wgk_peer_rows);
static const struct mesh_wgk_set mesh_wgk_allowedip_set =
	MESH_WGK_SET("WGALLOWEDIP", mesh_wgk_allowedip_rows);

/* Where the parser is, for its error messages. */
struct mesh_wgk_ctx {
	struct mesh_wgk_dump *d;
	int depth;   /* 0: device, 1: in a peer, 2: in an allowed IP */
	size_t peer; /* index in this message's peer list */
	size_t aip;  /* index in this peer's allowed-IP list */
	char *err;
	size_t errlen;
};

static int mesh_wgk_bad(struct mesh_wgk_ctx *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int mesh_wgk_bad(struct mesh_wgk_ctx *c, int code, const char *fmt, ...)
{
	char where[96], what[160];
	va_list ap;
	int n;

	if (!c->err || !c->errlen)
		return code;
	n = snprintf(where, sizeof(where), "WG_CMD_GET_DEVICE reply message %u",
		     c->d->n_msgs);
	if (c->depth >= 1)
		n += snprintf(where + n, sizeof(where) - n, ", peer %zu",
			      c->peer);
	if (c->depth >= 2)
		snprintf(where + n, sizeof(where) - n, ", allowed IP %zu",
			 c->aip);
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s: %s", where, what);
	return code;
}

/*
 * The next attribute of a set, its length checked against its row and a
 * plain value copied into target. Returns 1 with a known attribute (its
 * value unread unless copied), 0 at the end (unknown ones are counted and
 * passed over), or a negative errno.
 */
static int mesh_wgk_next(struct mesh_wgk_ctx *c, struct mesh_rbuf *b,
			 const struct mesh_wgk_set *set, void *target,
			 struct mesh_wgk_nla *a)
{
	int r;

	while ((r = mesh_wgk_nla_next(b, a)) > 0) {
		const struct mesh_wgk_attr_desc *row =
			a->type < set->n_rows ? &set->rows[a->type] : NULL;

		if (!row || !row->name) {
			c->d->st->n_unknown++;
			continue;
		}
		if (row->len && mesh_rbuf_left(&a->val) != row->len)
			return mesh_wgk_bad(c, -EPROTO,
					    "%s_A_%s of %zu octets, not %zu",
					    set->name, row->name,
					    mesh_rbuf_left(&a->val), row->len);
		if (row->field) {
			struct mesh_rbuf v = a->val;

			mesh_rbuf_bytes(&v, (uint8_t *)target + row->field - 1,
					row->len);
		}
		return 1;
	}
	if (r < 0)
		return mesh_wgk_bad(c, -EPROTO,
				    "truncated attribute in a %s set",
				    set->name);
	return 0;
}

typedef int (*mesh_wgk_entry_fn)(struct mesh_wgk_ctx *c, struct mesh_rbuf *b,
				 void *arg);

/* Each entry of a list (the peers, a peer's allowed IPs), its index kept
 * in *idx for the error messages of the entries at depth. */
static int mesh_wgk_list(struct mesh_wgk_ctx *c, struct mesh_rbuf *list,
			 int depth, size_t *idx, mesh_wgk_entry_fn fn,
			 void *arg)
{
	struct mesh_wgk_nla e;
	int r;

	for (*idx = 0; (r = mesh_wgk_nla_next(list, &e)) > 0; (*idx)++) {
		c->depth = depth;
		r = fn(c, &e.val, arg);
		if (r)
			return r;
	}
	c->depth = depth - 1;
	if (r < 0)
		return mesh_wgk_bad(c, -EPROTO, "truncated %s entry",
				    depth == 1 ? "PEERS" : "ALLOWEDIPS");
	return 0;
}

static int mesh_wgk_allowed_ip(struct mesh_wgk_ctx *c, struct mesh_rbuf *b,
			       void *arg)
{
	struct mesh_wg_peer_state *ps = arg;
	struct mesh_wg_prefix p = {};
	struct mesh_wgk_nla a;
	uint16_t family = 0;
	size_t alen = 0;
	bool has_family = false, has_len = false;
	int r;

	while ((r = mesh_wgk_next(c, b, &mesh_wgk_allowedip_set, &p, &a)) > 0) {
		if (a.type == WGALLOWEDIP_A_FAMILY) {
			mesh_rbuf_bytes(&a.val, &family, sizeof(family));
			has_family = true;
		} else if (a.type == WGALLOWEDIP_A_IPADDR) {
			alen = mesh_rbuf_left(&a.val);
			if (alen != 4 && alen != 16)
				return mesh_wgk_bad(c, -EPROTO,
						    "IPADDR of %zu octets",
						    alen);
			mesh_rbuf_bytes(&a.val, p.addr, alen);
		} else {
			has_len = true; /* copied */
		}
	}
	if (r < 0)
		return r;
	if (!has_family || !alen || !has_len)
		return mesh_wgk_bad(c, -EPROTO, "no %s",
				    !has_family ? "FAMILY"
				    : !alen	? "IPADDR"
						: "CIDR_MASK");
	if (!(family == AF_INET && alen == 4 && p.len <= 32) &&
	    !(family == AF_INET6 && alen == 16 && p.len <= 128))
		return mesh_wgk_bad(c, -EPROTO,
				    "family %u with a %zu-octet address and "
				    "/%u is not a prefix",
				    family, alen, p.len);
	if (ps->n_allowed_ips >= MESH_WG_MAX_ALLOWED_IPS)
		return mesh_wgk_bad(c, -E2BIG,
				    "more allowed IPs than "
				    "MESH_WG_MAX_ALLOWED_IPS (%d)",
				    MESH_WG_MAX_ALLOWED_IPS);
	p.family = family;
	ps->allowed_ips[ps->n_allowed_ips++] = p;
	return 0;
}

static bool mesh_wgk_endpoint(struct mesh_rbuf *v, struct mesh_wg_endpoint *ep)
{
	struct mesh_rbuf peek = *v;
	sa_family_t family = 0;

	mesh_rbuf_bytes(&peek, &family, sizeof(family));
	if (family == AF_INET &&
	    mesh_rbuf_left(v) == sizeof(struct sockaddr_in)) {
		struct sockaddr_in sin;

		mesh_rbuf_bytes(v, &sin, sizeof(sin));
		ep->port = ntohs(sin.sin_port);
		memcpy(ep->addr, &sin.sin_addr, 4);
	} else if (family == AF_INET6 &&
		   mesh_rbuf_left(v) == sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 sin6;

		mesh_rbuf_bytes(v, &sin6, sizeof(sin6));
		ep->port = ntohs(sin6.sin6_port);
		memcpy(ep->addr, &sin6.sin6_addr, 16);
	} else {
		return false;
	}
	ep->family = family;
	return true;
}

/* The peer an entry of the peer list is about: a new one, or the last one
 * again when the kernel continues it (the same public key). */
static int mesh_wgk_peer_find(struct mesh_wgk_ctx *c, struct mesh_rbuf b,
			      struct mesh_wg_peer_state **out)
{
	struct mesh_wg_state *st = c->d->st;
	uint8_t key[WG_KEY_LEN];
	struct mesh_wgk_nla a;
	bool found = false;
	int r;

	while (!found && (r = mesh_wgk_nla_next(&b, &a)) > 0) {
		if (a.type != WGPEER_A_PUBLIC_KEY)
			continue;
		if (mesh_rbuf_left(&a.val) != WG_KEY_LEN)
			return mesh_wgk_bad(
				c, -EPROTO,
				"WGPEER_A_PUBLIC_KEY of %zu octets, "
				"not %d",
				mesh_rbuf_left(&a.val), WG_KEY_LEN);
		found = mesh_rbuf_bytes(&a.val, key, WG_KEY_LEN);
	}
	if (!found && r < 0)
		return mesh_wgk_bad(c, -EPROTO,
				    "truncated attribute in a WGPEER set");
	if (!found)
		return mesh_wgk_bad(c, -EPROTO, "no PUBLIC_KEY");
	if (st->n_peers &&
	    !memcmp(st->peers[st->n_peers - 1].public_key, key, WG_KEY_LEN)) {
		*out = &st->peers[st->n_peers - 1];
		return 0;
	}
	if (st->n_peers >= MESH_WG_MAX_PEERS)
		return mesh_wgk_bad(c, -E2BIG,
				    "more peers than MESH_WG_MAX_PEERS (%d)",
				    MESH_WG_MAX_PEERS);
	*out = &st->peers[st->n_peers++];
	memset(*out, 0, sizeof(**out));
	memcpy((*out)->public_key, key, WG_KEY_LEN);
	return 0;
}

static int mesh_wgk_peer(struct mesh_wgk_ctx *c, struct mesh_rbuf *b, void *arg)
{
	struct mesh_wg_peer_state *ps = NULL;
	struct mesh_wgk_nla a;
	int64_t ts[2];
	int r;

	(void)arg;
	r = mesh_wgk_peer_find(c, *b, &ps);
	if (r)
		return r;
	while ((r = mesh_wgk_next(c, b, &mesh_wgk_peer_set, ps, &a)) > 0) {
		switch (a.type) {
		case WGPEER_A_ENDPOINT:
			if (!mesh_wgk_endpoint(&a.val, &ps->endpoint))
				return mesh_wgk_bad(
					c, -EPROTO,
					"ENDPOINT of %zu octets is neither a "
					"sockaddr_in nor a sockaddr_in6",
					mesh_rbuf_left(&a.val));
			break;
		case WGPEER_A_LAST_HANDSHAKE_TIME:
			mesh_rbuf_bytes(&a.val, ts, sizeof(ts));
			if (ts[0] < 0 || ts[1] < 0 || ts[1] > 999999999)
				return mesh_wgk_bad(c, -EPROTO,
						    "LAST_HANDSHAKE_TIME %lld "
						    "s %lld ns",
						    (long long)ts[0],
						    (long long)ts[1]);
			ps->last_handshake_sec = (uint64_t)ts[0];
			ps->last_handshake_nsec = (uint32_t)ts[1];
			break;
		case WGPEER_A_ALLOWEDIPS:
			r = mesh_wgk_list(c, &a.val, 2, &c->aip,
					  mesh_wgk_allowed_ip, ps);
			if (r)
				return r;
			break;
		default: /* copied; PUBLIC_KEY read already; FLAGS: not in a
			  * get */
			break;
		}
	}
	return r;
}

static int mesh_wgk_device(struct mesh_wgk_ctx *c, struct mesh_rbuf *b)
{
	struct mesh_wg_state *st = c->d->st;
	struct mesh_wgk_nla a;
	struct genlmsghdr g;
	char ifname[IFNAMSIZ];
	int r;

	if (!mesh_rbuf_bytes(b, &g, sizeof(g)) || g.cmd != WG_CMD_GET_DEVICE)
		return mesh_wgk_bad(c, -EPROTO,
				    "not a WG_CMD_GET_DEVICE message");
	while ((r = mesh_wgk_next(c, b, &mesh_wgk_device_set, st, &a)) > 0) {
		if (a.type == WGDEVICE_A_IFNAME &&
		    !mesh_wgk_str(&a.val, ifname, sizeof(ifname)))
			return mesh_wgk_bad(c, -EPROTO,
					    "IFNAME is not a string of 1 to %d "
					    "characters",
					    IFNAMSIZ - 1);
		if (a.type == WGDEVICE_A_PRIVATE_KEY)
			st->has_private_key = true; /* copied */
		if (a.type == WGDEVICE_A_PEERS) {
			r = mesh_wgk_list(c, &a.val, 1, &c->peer, mesh_wgk_peer,
					  NULL);
			if (r)
				return r;
		}
	}
	return r;
}

void mesh_wgk_dump_begin(struct mesh_wgk_dump *d, uint16_t family, uint32_t seq,
			 struct mesh_wg_state *st)
{
	memset(d, 0, sizeof(*d));
	memset(st, 0, sizeof(*st));
	d->st = st;
	d->family = family;
	d->seq = seq;
}

int mesh_wgk_dump_feed(struct mesh_wgk_dump *d, const uint8_t *buf, size_t len,
		       char *err, size_t errlen)
{
	struct mesh_wgk_ctx c = {.d = d, .err = err, .errlen = errlen};
	struct mesh_wgk_msg m;
	struct mesh_rbuf b;
	char msg[128];
	int32_t error;
	int r;

	mesh_rbuf_init(&b, buf, len);
	while ((r = mesh_wgk_msg_next(&b, &m)) > 0) {
		d->n_msgs++;
		c.depth = 0;
		if (d->done)
			return mesh_wgk_bad(&c, -EPROTO,
					    "a message after NLMSG_DONE");
		if (m.h.nlmsg_seq != d->seq)
			return mesh_wgk_bad(&c, -EPROTO,
					    "sequence number %u, expected %u",
					    m.h.nlmsg_seq, d->seq);
		if (m.h.nlmsg_flags & NLM_F_DUMP_INTR)
			return mesh_wgk_bad(&c, -EAGAIN,
					    "the dump was interrupted by a "
					    "change of the device");
		if (m.h.nlmsg_type == NLMSG_NOOP)
			continue;
		if (m.h.nlmsg_type == NLMSG_DONE) {
			/* its int: 0, or the errno the dump ended with */
			if (!mesh_rbuf_bytes(&m.body, &error, sizeof(error)))
				return mesh_wgk_bad(&c, -EPROTO,
						    "NLMSG_DONE without its "
						    "error code");
			if (error < -MESH_WGK_MAX_ERRNO)
				return mesh_wgk_bad(&c, -EPROTO,
						    "NLMSG_DONE with error "
						    "code %d, not an errno",
						    (int)error);
			if (error < 0)
				return mesh_wgk_bad(&c, error,
						    "the kernel ended the dump "
						    "with %s",
						    strerror(-error));
			d->done = true;
			continue;
		}
		if (m.h.nlmsg_type == NLMSG_ERROR) {
			if (!mesh_wgk_nlerr(&m, &error, msg, sizeof(msg)))
				return mesh_wgk_bad(&c, -EPROTO,
						    "malformed NLMSG_ERROR");
			if (!error)
				continue;
			return mesh_wgk_refused(error, msg, "WG_CMD_GET_DEVICE",
						err, errlen);
		}
		if (m.h.nlmsg_type != d->family)
			return mesh_wgk_bad(&c, -EPROTO,
					    "message type %u, not the "
					    "wireguard family (%u)",
					    m.h.nlmsg_type, d->family);
		r = mesh_wgk_device(&c, &m.body);
		if (r)
			return r;
	}
	if (r < 0) {
		d->n_msgs++;
		return mesh_wgk_bad(&c, -EPROTO,
				    "truncated netlink message (%zu octets "
				    "left of %zu)",
				    len - mesh_rbuf_pos(&b), len);
	}
	return d->done ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* Sockets                                                            */

static int mesh_wgk_open(int protocol, char *err, size_t errlen)
{
	struct timeval tv = {.tv_sec = MESH_WGK_IO_TIMEOUT_MS / 1000,
			     .tv_usec = (MESH_WGK_IO_TIMEOUT_MS % 1000) * 1000};
	int fd, on = 1, e;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "netlink socket: %s", strerror(e));
		return -e;
	}
	/* The kernel's reason in its acknowledgements, and not the whole
	 * request echoed back (it may hold a private key). */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof(on));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &on, sizeof(on));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static int mesh_wgk_send(int fd, const uint8_t *buf, size_t len,
			 const char *what, char *err, size_t errlen)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	ssize_t n;
	int e;

	do {
		n = sendto(fd, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa));
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		e = errno;
		snprintf(err, errlen, "%s: send: %s", what, strerror(e));
		return -e;
	}
	return 0;
}

/* One datagram; its length, or a negative errno. */
static ssize_t mesh_wgk_recv(int fd, uint8_t *buf, size_t cap, const char *what,
			     char *err, size_t errlen)
{
	ssize_t n;
	int e;

	do {
		n = recv(fd, buf, cap, MSG_TRUNC);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		e = errno;
		if (e == EAGAIN || e == EWOULDBLOCK) {
			snprintf(err, errlen, "%s: no answer within %d ms",
				 what, MESH_WGK_IO_TIMEOUT_MS);
			return -ETIMEDOUT;
		}
		snprintf(err, errlen, "%s: recv: %s", what, strerror(e));
		return -e;
	}
	if ((size_t)n > cap) {
		snprintf(err, errlen,
			 "%s: an answer of %zd octets, more than %zu", what, n,
			 cap);
		return -EMSGSIZE;
	}
	return n;
}

/* Send a request and read its acknowledgement. */
static int mesh_wgk_talk(int fd, const uint8_t *req, size_t len, uint32_t seq,
			 const char *what, char *err, size_t errlen)
{
	uint8_t ans[MESH_WGK_ACK_MAX];
	ssize_t n;
	int ret;

	ret = mesh_wgk_send(fd, req, len, what, err, errlen);
	if (ret)
		return ret;
	n = mesh_wgk_recv(fd, ans, sizeof(ans), what, err, errlen);
	if (n < 0)
		return (int)n;
	return mesh_wgk_ack_parse(ans, (size_t)n, seq, what, err, errlen);
}

int mesh_wgk_family_resolve(struct mesh_wgk_family *fam, char *err,
			    size_t errlen)
{
	static const char what[] = "CTRL_CMD_GETFAMILY";
	uint8_t buf[MESH_WGK_MSG_MAX];
	size_t len;
	ssize_t n;
	int fd, ret;

	fd = mesh_wgk_open(NETLINK_GENERIC, err, errlen);
	if (fd < 0)
		return fd;
	ret = mesh_wgk_family_req(buf, sizeof(buf), 1, &len);
	if (!ret)
		ret = mesh_wgk_send(fd, buf, len, what, err, errlen);
	if (!ret) {
		n = mesh_wgk_recv(fd, buf, sizeof(buf), what, err, errlen);
		ret = n < 0 ? (int)n
			    : mesh_wgk_family_parse(buf, (size_t)n, 1, fam, err,
						    errlen);
	}
	close(fd);
	return ret;
}

int mesh_wgk_link_add(const char *ifname, char *err, size_t errlen)
{
	uint8_t buf[256];
	char what[64];
	size_t len;
	int fd, ret;

	if (!mesh_wgk_name_ok(ifname, err, errlen))
		return -EINVAL;
	snprintf(what, sizeof(what), "%s: RTM_NEWLINK kind wireguard", ifname);
	ret = mesh_wgk_link_req(buf, sizeof(buf), 1, ifname, &len);
	if (ret)
		return ret;
	fd = mesh_wgk_open(NETLINK_ROUTE, err, errlen);
	if (fd < 0)
		return fd;
	ret = mesh_wgk_talk(fd, buf, len, 1, what, err, errlen);
	close(fd);
	if (ret == -EOPNOTSUPP && err) {
		size_t used = strnlen(err, errlen);

		if (err && used + 1 < errlen)
			snprintf(err + used, errlen - used,
				 "; this kernel has no WireGuard");
	}
	return ret;
}

int mesh_wgk_set(uint16_t family, const char *ifname,
		 const struct mesh_wg_cfg *cfg, char *err, size_t errlen)
{
	uint8_t buf[MESH_WGK_MSG_MAX];
	struct mesh_wgk_set_iter it;
	char what[80];
	uint32_t seq = 0;
	size_t len;
	int fd, ret, more;

	if (!mesh_wgk_name_ok(ifname, err, errlen))
		return -EINVAL;
	ret = mesh_wg_cfg_check(cfg, err, errlen);
	if (ret)
		return ret;
	fd = mesh_wgk_open(NETLINK_GENERIC, err, errlen);
	if (fd < 0)
		return fd;
	mesh_wgk_set_begin(&it, cfg);
	do {
		more = mesh_wgk_set_req(&it, family, ifname, ++seq, buf,
					sizeof(buf), &len, err, errlen);
		if (more < 0) {
			ret = more;
			break;
		}
		snprintf(what, sizeof(what),
			 "%s: WG_CMD_SET_DEVICE (message %u)", ifname,
			 it.n_msgs);
		ret = mesh_wgk_talk(fd, buf, len, seq, what, err, errlen);
		explicit_bzero(buf, len); /* it may have held the private key */
	} while (!ret && more > 0);
	close(fd);
	return ret;
}

/* One WG_CMD_GET_DEVICE dump, on a socket of its own: an interrupted
 * one leaves the rest of its messages behind. */
static int mesh_wgk_get_once(uint16_t family, const char *ifname,
			     struct mesh_wg_state *st, uint8_t *buf, char *err,
			     size_t errlen)
{
	static const char what[] = "WG_CMD_GET_DEVICE";
	struct mesh_wgk_dump d;
	size_t len;
	ssize_t n;
	int fd, ret;

	ret = mesh_wgk_get_req(family, ifname, 1, buf, MESH_WGK_RECV_MAX, &len);
	if (ret)
		return ret;
	fd = mesh_wgk_open(NETLINK_GENERIC, err, errlen);
	if (fd < 0)
		return fd;
	ret = mesh_wgk_send(fd, buf, len, what, err, errlen);
	mesh_wgk_dump_begin(&d, family, 1, st);
	while (ret == 0) {
		n = mesh_wgk_recv(fd, buf, MESH_WGK_RECV_MAX, what, err,
				  errlen);
		if (n < 0) {
			ret = (int)n;
			break;
		}
		ret = mesh_wgk_dump_feed(&d, buf, (size_t)n, err, errlen);
		explicit_bzero(buf, (size_t)n); /* it held the private key */
	}
	close(fd);
	return ret < 0 ? ret : 0;
}

int mesh_wgk_get(uint16_t family, const char *ifname, struct mesh_wg_state *st,
		 char *err, size_t errlen)
{
	uint8_t buf[MESH_WGK_RECV_MAX];
	char why[192] = "";
	int ret, tries = 0;

	if (!mesh_wgk_name_ok(ifname, err, errlen))
		return -EINVAL;
	do
		ret = mesh_wgk_get_once(family, ifname, st, buf, why,
					sizeof(why));
	while (ret == -EAGAIN && ++tries < MESH_WGK_GET_TRIES);
	if (ret) {
		mesh_wg_state_wipe(st);
		snprintf(err, errlen, "%s: %s", ifname, why);
	}
	return ret;
}
