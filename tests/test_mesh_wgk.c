// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit and live tests of meshd/mesh_wgk.c, kernel WireGuard over generic
 * netlink.
 *
 * The byte vectors below are written by hand from <linux/wireguard.h>
 * (attribute numbers, flags, the nesting of peers and allowed IPs, struct
 * sockaddr_in/in6 endpoints, struct __kernel_timespec handshake times),
 * <linux/genetlink.h> (the controller's CTRL_CMD_GETFAMILY) and the
 * netlink format (16-octet message header, 4-octet generic netlink
 * header, attributes of length, type and value padded to 4 octets,
 * NLA_F_NESTED on nests, host byte order). Netlink being host order, they
 * are little-endian vectors: the suite refuses to run elsewhere.
 *
 * Requests are compared octet for octet; the splitting of configurations
 * too large for one WG_CMD_SET_DEVICE message is checked by decoding the
 * messages again with the small attribute walker of this file and
 * comparing what they carry with the configuration. Replies are
 * hand-built dumps (a peer continued across two messages, NLMSG_DONE in
 * a datagram of its own) and a table of malformed ones, each with the
 * error it must be refused with.
 *
 * The live suite asks this machine's kernel. Where it has no WireGuard
 * (these test machines), the family must not resolve and creating a
 * device must fail with EOPNOTSUPP and a clear sentence: the two answers
 * meshd takes as "use wireguard-go". Where it has WireGuard, a device is
 * made in a private network namespace, configured and read back. It needs
 * root; MESH_TEST_SKIP_LIVE=1 leaves it out.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/wireguard.h>

#include "mesh_wg.h"
#include "mesh_wgk.h"

#define FAMILY 0x1a /* the id the vectors give the "wireguard" family */

/* Hex digits to octets; white space is for the reader. */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned int v;

	for (; *s; s++) {
		if (isspace((unsigned char)*s))
			continue;
		if (n == cap || !isxdigit((unsigned char)s[1]) ||
		    sscanf(s, "%2x", &v) != 1)
			abort(); /* a broken vector, not a failed test */
		out[n++] = (uint8_t)v;
		s++;
	}
	return n;
}

/* Where two buffers first differ, to say so in a failure. */
static void expect_bytes(const char *name, const uint8_t *got, size_t glen,
			 const char *hex)
{
	static uint8_t want[16384];
	size_t wlen = unhex(hex, want, sizeof(want)), i;

	for (i = 0; i < glen && i < wlen && got[i] == want[i]; i++)
		;
	if (i < glen || i < wlen)
		printf("\n    %s: %zu octets, expected %zu; first difference "
		       "at offset %zu",
		       name, glen, wlen, i);
	CU_ASSERT_EQUAL(glen, wlen);
	CU_ASSERT_EQUAL(i, wlen);
}

#define K16(b) b b b b b b b b b b b b b b b b
#define K32(b) K16(b) K16(b)

/* ------------------------------------------------------------------ */
/* Requests                                                           */

/* The configuration of SET_V4: everything a device and a peer can say. */
static const struct mesh_wg_prefix v4_ips[] = {
	{.family = AF_INET, .len = 16, .addr = {10, 1, 0, 0}},
	{.family = AF_INET6, .len = 64, .addr = {0xfd, 0, 0, 1}},
};

static struct mesh_wg_peer_cfg v4_peer = {
	.endpoint = {.family = AF_INET,
		     .port = 51821,
		     .addr = {198, 51, 100, 7}},
	.has_keepalive = true,
	.keepalive_s = 25,
	.replace_allowed_ips = true,
	.allowed_ips = v4_ips,
	.n_allowed_ips = 2,
};

static struct mesh_wg_cfg v4_cfg = {
	.has_private_key = true,
	.has_listen_port = true,
	.listen_port = 51820,
	.has_fwmark = true,
	.fwmark = 0x1234,
	.replace_peers = true,
	.peers = &v4_peer,
	.n_peers = 1,
};

/* clang-format off */
#define HDR_SET(len, seq) len " 1a00 0500 " seq " 00000000  01 01 0000"
#define IFNAME_WG0	"0800 0200 77673000"
/* PRIVATE_KEY, LISTEN_PORT 51820, FWMARK 0x1234, FLAGS REPLACE_PEERS */
#define DEVICE_V4							\
	IFNAME_WG0							\
	"2400 0300" K32("11")						\
	"0600 0600 6cca 0000"						\
	"0800 0700 34120000"						\
	"0800 0500 01000000"
/* PUBLIC_KEY, FLAGS REPLACE_ALLOWEDIPS, ENDPOINT 198.51.100.7:51821
 * (sockaddr_in: family, port and address in network order, zeros),
 * PERSISTENT_KEEPALIVE 25 */
#define PEER_V4_HEAD							\
	"2400 0100" K32("22")						\
	"0800 0300 02000000"						\
	"1400 0400 0200 ca6d c6336407 0000000000000000"			\
	"0600 0500 1900 0000"
/* allowed IPs: a nest of type 0 | NLA_F_NESTED holding FAMILY, IPADDR
 * and CIDR_MASK */
#define AIP_10_1_16							\
	"1c00 0080 0600 0100 0200 0000 0800 0200 0a010000 0500 0300 10000000"
#define AIP_FD00_1_64							\
	"2800 0080 0600 0100 0a00 0000"					\
	"1400 0200 fd000001000000000000000000000000 0500 0300 40000000"

static const char *set_v4_hex =
	HDR_SET("f0000000", "07000000")
	DEVICE_V4
	"9800 0880"		/* PEERS, 152 octets */
	"9400 0080"		/* peer 0, 148 */
	PEER_V4_HEAD
	"4800 0980"		/* ALLOWEDIPS, 72 */
	AIP_10_1_16 AIP_FD00_1_64;
/* clang-format on */

/* IPv6 endpoint, preshared key, update-only; a peer removed (its other
 * fields are ignored); no device attributes. */
static const struct mesh_wg_prefix v6_ips[] = {
	{.family = AF_INET, .len = 32, .addr = {192, 0, 2, 1}},
};

static struct mesh_wg_peer_cfg v6_peers[] = {
	{
		.update_only = true,
		.has_preshared_key = true,
		.endpoint = {.family = AF_INET6,
			     .port = 4500,
			     .addr = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}},
		.allowed_ips = v6_ips,
		.n_allowed_ips = 1,
	},
	{
		.remove = true,
		.endpoint = {.family = AF_INET, .port = 1, .addr = {1}},
		.replace_allowed_ips = true,
		.allowed_ips = v6_ips,
		.n_allowed_ips = 1,
	},
};

static struct mesh_wg_cfg v6_cfg = {.peers = v6_peers, .n_peers = 2};

/* clang-format off */
static const char *set_v6_hex =
	HDR_SET("f0000000", "08000000")
	/* IFNAME "m000001.000002": 15 octets and one of padding */
	"1300 0200 6d3030303030312e303030303032 00 00"
	"c800 0880"			/* PEERS, 200 */
	"9400 0080"			/* peer 0, 148 */
	"2400 0100" K32("33")		/* PUBLIC_KEY */
	"0800 0300 04000000"		/* FLAGS UPDATE_ONLY */
	"2400 0200" K32("44")		/* PRESHARED_KEY */
	"2000 0400 0a00 1194 00000000"	/* sockaddr_in6, port 4500 */
	"20010db8000000000000000000000001 00000000"
	"2000 0980"			/* ALLOWEDIPS, 32: 192.0.2.1/32 */
	"1c00 0080 0600 0100 0200 0000 0800 0200 c0000201 0500 0300 20000000"
	"3000 0080"			/* peer 1, 48 */
	"2400 0100" K32("55")		/* PUBLIC_KEY */
	"0800 0300 01000000";		/* FLAGS REMOVE_ME */
/* clang-format on */

/* The new key of a peer, without allowed IPs (mesh_wgd_pending_add). */
static struct mesh_wg_peer_cfg pending_peer = {
	.endpoint = {.family = AF_INET,
		     .port = 51900,
		     .addr = {203, 0, 113, 9}},
	.replace_allowed_ips = true,
};

static struct mesh_wg_cfg pending_cfg = {.peers = &pending_peer, .n_peers = 1};

/* clang-format off */
static const char *set_pending_hex =
	HDR_SET("64000000", "01000000")
	IFNAME_WG0
	"4800 0880 4400 0080"		/* PEERS, peer 0 */
	"2400 0100" K32("77")		/* PUBLIC_KEY */
	"0800 0300 02000000"		/* FLAGS REPLACE_ALLOWEDIPS */
	"1400 0400 0200 cabc cb007109 0000000000000000";

/* A rotation switch: the private key alone. */
static struct mesh_wg_cfg rotate_cfg = {.has_private_key = true};

static const char *set_rotate_hex =
	HDR_SET("40000000", "02000000")
	IFNAME_WG0
	"2400 0300" K32("88");
/* clang-format on */

static void init_keys(void)
{
	memset(v4_cfg.private_key, 0x11, 32);
	memset(v4_peer.public_key, 0x22, 32);
	memset(v6_peers[0].public_key, 0x33, 32);
	memset(v6_peers[0].preshared_key, 0x44, 32);
	memset(v6_peers[1].public_key, 0x55, 32);
	memset(pending_peer.public_key, 0x77, 32);
	memset(rotate_cfg.private_key, 0x88, 32);
}

/* One message for cfg, and that it was the last. */
static size_t build_one(const struct mesh_wg_cfg *cfg, const char *ifname,
			uint32_t seq, uint8_t *buf, size_t cap)
{
	struct mesh_wgk_set_iter it;
	char err[200] = "";
	size_t len = 0;

	CU_ASSERT_EQUAL_FATAL(mesh_wg_cfg_check(cfg, err, sizeof(err)), 0);
	mesh_wgk_set_begin(&it, cfg);
	CU_ASSERT_EQUAL(mesh_wgk_set_req(&it, FAMILY, ifname, seq, buf, cap,
					 &len, err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(it.n_msgs, 1);
	return len;
}

static void test_set_vectors(void)
{
	uint8_t buf[MESH_WGK_MSG_MAX];
	size_t len;

	init_keys();
	len = build_one(&v4_cfg, "wg0", 7, buf, sizeof(buf));
	expect_bytes("IPv4 peer, every device attribute", buf, len, set_v4_hex);
	len = build_one(&v6_cfg, "m000001.000002", 8, buf, sizeof(buf));
	expect_bytes("IPv6, preshared key, update-only, remove", buf, len,
		     set_v6_hex);
	len = build_one(&pending_cfg, "wg0", 1, buf, sizeof(buf));
	expect_bytes("pending key without allowed IPs", buf, len,
		     set_pending_hex);
	len = build_one(&rotate_cfg, "wg0", 2, buf, sizeof(buf));
	expect_bytes("private key alone", buf, len, set_rotate_hex);
}

static void test_other_requests(void)
{
	uint8_t buf[256];
	size_t len = 0;

	/* CTRL_CMD_GETFAMILY (3), version 1, to GENL_ID_CTRL (0x10):
	 * CTRL_ATTR_FAMILY_NAME (2) "wireguard", 10 octets and padding. */
	CU_ASSERT_EQUAL(mesh_wgk_family_req(buf, sizeof(buf), 1, &len), 0);
	expect_bytes("CTRL_CMD_GETFAMILY", buf, len,
		     "24000000 1000 0100 01000000 00000000 03 01 0000"
		     "0e00 0200 77697265677561726400 0000");
	/* RTM_NEWLINK (16), REQUEST|ACK|EXCL|CREATE, an empty ifinfomsg,
	 * IFLA_IFNAME (3), IFLA_LINKINFO (18, nested) with IFLA_INFO_KIND
	 * (1) "wireguard". */
	CU_ASSERT_EQUAL(mesh_wgk_link_req(buf, sizeof(buf), 3, "wg0", &len), 0);
	expect_bytes("RTM_NEWLINK kind wireguard", buf, len,
		     "3c000000 1000 0506 03000000 00000000"
		     "00000000 00000000 00000000 00000000"
		     "0800 0300 77673000"
		     "1400 1280 0e00 0100 77697265677561726400 0000");
	/* WG_CMD_GET_DEVICE (0), REQUEST|DUMP, WGDEVICE_A_IFNAME. */
	CU_ASSERT_EQUAL(
		mesh_wgk_get_req(FAMILY, "wg0", 5, buf, sizeof(buf), &len), 0);
	expect_bytes("WG_CMD_GET_DEVICE", buf, len,
		     "1c000000 1a00 0103 05000000 00000000 00 01 0000"
		     "0800 0200 77673000");

	/* Refusals: names, and buffers too small. */
	CU_ASSERT_EQUAL(mesh_wgk_link_req(buf, sizeof(buf), 3,
					  "sixteen-chars-xx", &len),
			-EINVAL);
	CU_ASSERT_EQUAL(mesh_wgk_get_req(FAMILY, "", 5, buf, sizeof(buf), &len),
			-EINVAL);
	CU_ASSERT_EQUAL(mesh_wgk_family_req(buf, 35, 1, &len), -EMSGSIZE);
	CU_ASSERT_EQUAL(mesh_wgk_link_req(buf, 59, 3, "wg0", &len), -EMSGSIZE);
}

/* ---- splitting ---- */

/* clang-format off */
static const char *split1_hex =
	HDR_SET("c8000000", "07000000")
	DEVICE_V4
	"7000 0880 6c00 0080"		/* PEERS, peer 0 */
	PEER_V4_HEAD
	"2000 0980" AIP_10_1_16;	/* ALLOWEDIPS: the first only */
/* the peer again, by its key alone, with the allowed IP left over */
static const char *split2_hex =
	HDR_SET("74000000", "08000000")
	IFNAME_WG0
	"5800 0880 5400 0080"		/* PEERS, peer 0 */
	"2400 0100" K32("22")		/* PUBLIC_KEY */
	"2c00 0980" AIP_FD00_1_64;	/* ALLOWEDIPS */
/* clang-format on */

static void test_split_vectors(void)
{
	struct mesh_wgk_set_iter it;
	uint8_t buf[512];
	char err[200] = "";
	size_t len = 0;

	init_keys();
	/* 200 octets hold everything but the IPv6 allowed IP */
	mesh_wgk_set_begin(&it, &v4_cfg);
	CU_ASSERT_EQUAL(mesh_wgk_set_req(&it, FAMILY, "wg0", 7, buf, 200, &len,
					 err, sizeof(err)),
			1);
	expect_bytes("first of two", buf, len, split1_hex);
	CU_ASSERT_EQUAL(mesh_wgk_set_req(&it, FAMILY, "wg0", 8, buf, 200, &len,
					 err, sizeof(err)),
			0);
	expect_bytes("second of two", buf, len, split2_hex);
	CU_ASSERT_EQUAL(it.n_msgs, 2);

	/* 199: the first holds the device alone, the peer goes whole into
	 * the second (a peer is never sent without an allowed IP) */
	mesh_wgk_set_begin(&it, &v4_cfg);
	CU_ASSERT_EQUAL(mesh_wgk_set_req(&it, FAMILY, "wg0", 7, buf, 199, &len,
					 err, sizeof(err)),
			1);
	CU_ASSERT_EQUAL(len, 88);
	CU_ASSERT_EQUAL(mesh_wgk_set_req(&it, FAMILY, "wg0", 8, buf, 199, &len,
					 err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(len, 180);
	CU_ASSERT_EQUAL(it.n_msgs, 2);

	/* Too small for a peer at all: refused, naming it. */
	mesh_wgk_set_begin(&it, &v4_cfg);
	CU_ASSERT_EQUAL(mesh_wgk_set_req(&it, FAMILY, "wg0", 1, buf, 120, &len,
					 err, sizeof(err)),
			1);
	CU_ASSERT_EQUAL(mesh_wgk_set_req(&it, FAMILY, "wg0", 2, buf, 120, &len,
					 err, sizeof(err)),
			-EMSGSIZE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "peer 0: its attributes and first "
					   "allowed IP do not fit"));
	/* ... or for the device attributes */
	mesh_wgk_set_begin(&it, &v4_cfg);
	CU_ASSERT_EQUAL(mesh_wgk_set_req(&it, FAMILY, "wg0", 1, buf, 80, &len,
					 err, sizeof(err)),
			-EMSGSIZE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "device attributes do not fit"));
	mesh_wgk_set_begin(&it, &v4_cfg);
	CU_ASSERT_EQUAL(mesh_wgk_set_req(&it, FAMILY, "no/slash", 1, buf,
					 sizeof(buf), &len, err, sizeof(err)),
			-EINVAL);
}

/*
 * A walker of this test's own over the attributes of one window: each
 * must be at least a header long, fit, and start 4-aligned.
 */
struct attr {
	uint16_t type; /* without the flag bits */
	bool nested;
	const uint8_t *val;
	size_t len;
};

static size_t walk(const uint8_t *p, size_t len, struct attr *out, size_t max)
{
	size_t off = 0, n = 0;

	while (off < len) {
		uint16_t alen, type;

		CU_ASSERT_FATAL(len - off >= 4 && n < max);
		memcpy(&alen, p + off, 2);
		memcpy(&type, p + off + 2, 2);
		CU_ASSERT_FATAL(alen >= 4 && alen <= len - off);
		out[n].type = type & NLA_TYPE_MASK;
		out[n].nested = type & NLA_F_NESTED;
		out[n].val = p + off + 4;
		out[n].len = alen - 4;
		n++;
		off += NLA_ALIGN(alen);
	}
	CU_ASSERT_EQUAL(off, len); /* padded to the end exactly */
	return n;
}

static struct attr *find(struct attr *a, size_t n, uint16_t type)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].type == type)
			return &a[i];
	return NULL;
}

/* What the messages of a split configuration carried, in order. */
struct carried {
	size_t n_peer_entries; /* peer entries over all messages */
	size_t n_ips;
	uint8_t ip_key[2048]; /* first octet of the key of each IP's peer */
	struct mesh_wg_prefix ips[2048];
	unsigned int replace_peers; /* messages with WGDEVICE_F_REPLACE_PEERS */
	unsigned int private_keys;
};

/* Decode one WG_CMD_SET_DEVICE message; last_key is the key of the last
 * peer entry of the previous message (a continuation repeats it). */
static void decode_set(const uint8_t *m, size_t len, uint32_t seq,
		       struct carried *c, uint8_t last_key[32])
{
	static struct attr dev[16], peers[600], pa[16], ips[600], ia[8];
	struct nlmsghdr h;
	size_t nd, np, n, ni;
	struct attr *a;

	CU_ASSERT_FATAL(len >= 20);
	memcpy(&h, m, sizeof(h));
	CU_ASSERT_EQUAL(h.nlmsg_len, len);
	CU_ASSERT_EQUAL(h.nlmsg_type, FAMILY);
	CU_ASSERT_EQUAL(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	CU_ASSERT_EQUAL(h.nlmsg_seq, seq);
	CU_ASSERT_EQUAL(m[16], WG_CMD_SET_DEVICE);
	nd = walk(m + 20, len - 20, dev, 16);
	CU_ASSERT_PTR_NOT_NULL(find(dev, nd, WGDEVICE_A_IFNAME));
	if (find(dev, nd, WGDEVICE_A_PRIVATE_KEY))
		c->private_keys++;
	a = find(dev, nd, WGDEVICE_A_FLAGS);
	if (a && a->val[0] & WGDEVICE_F_REPLACE_PEERS)
		c->replace_peers++;
	a = find(dev, nd, WGDEVICE_A_PEERS);
	if (!a)
		return;
	CU_ASSERT_TRUE(a->nested);
	np = walk(a->val, a->len, peers, 600);
	for (size_t i = 0; i < np; i++) {
		struct attr *key, *flags, *list;
		bool cont;
		uint32_t f = 0;

		CU_ASSERT_TRUE(peers[i].nested);
		CU_ASSERT_EQUAL(peers[i].type, 0);
		n = walk(peers[i].val, peers[i].len, pa, 16);
		key = find(pa, n, WGPEER_A_PUBLIC_KEY);
		CU_ASSERT_FATAL(key && key->len == 32);
		flags = find(pa, n, WGPEER_A_FLAGS);
		if (flags)
			memcpy(&f, flags->val, 4);
		/* the first entry of a message may continue the last peer
		 * of the previous one: then it has its key, no other flag
		 * than update-only, and nothing but allowed IPs */
		cont = i == 0 && !memcmp(key->val, last_key, 32);
		if (cont) {
			CU_ASSERT_EQUAL(f & ~WGPEER_F_UPDATE_ONLY, 0);
			CU_ASSERT_PTR_NULL(find(pa, n, WGPEER_A_ENDPOINT));
			CU_ASSERT_PTR_NULL(find(
				pa, n, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL));
		} else {
			CU_ASSERT_TRUE(f & WGPEER_F_REPLACE_ALLOWEDIPS);
			CU_ASSERT_PTR_NOT_NULL(find(pa, n, WGPEER_A_ENDPOINT));
		}
		memcpy(last_key, key->val, 32);
		c->n_peer_entries++;
		list = find(pa, n, WGPEER_A_ALLOWEDIPS);
		CU_ASSERT_PTR_NOT_NULL_FATAL(list); /* never a bare peer here */
		ni = walk(list->val, list->len, ips, 600);
		for (size_t j = 0; j < ni; j++) {
			struct mesh_wg_prefix *p = &c->ips[c->n_ips];
			struct attr *fam, *addr, *cidr;
			size_t na = walk(ips[j].val, ips[j].len, ia, 8);

			fam = find(ia, na, WGALLOWEDIP_A_FAMILY);
			addr = find(ia, na, WGALLOWEDIP_A_IPADDR);
			cidr = find(ia, na, WGALLOWEDIP_A_CIDR_MASK);
			CU_ASSERT_FATAL(fam && addr && cidr && fam->len == 2 &&
					cidr->len == 1 && addr->len <= 16);
			p->family = fam->val[0] | fam->val[1] << 8;
			memcpy(p->addr, addr->val, addr->len);
			p->len = cidr->val[0];
			c->ip_key[c->n_ips++] = key->val[0];
		}
	}
}

static void test_split_large(void)
{
	/* 120 peers of two allowed IPs (148 octets each), then one of 500
	 * (28 octets each): two cuts between peers and two inside one. */
	static struct mesh_wg_peer_cfg peers[121];
	static struct mesh_wg_prefix many[500];
	static struct carried c;
	struct mesh_wgk_set_iter it;
	uint8_t buf[MESH_WGK_MSG_MAX], last_key[32] = {0};
	struct mesh_wg_cfg cfg = {.replace_peers = true,
				  .has_private_key = true,
				  .peers = peers,
				  .n_peers = 121};
	char err[200] = "";
	size_t len = 0, k = 0;
	int more;

	init_keys();
	for (size_t i = 0; i < 500; i++) {
		many[i].family = AF_INET;
		many[i].len = 32;
		many[i].addr[0] = 10;
		many[i].addr[2] = (uint8_t)(i >> 8);
		many[i].addr[3] = (uint8_t)i;
	}
	for (size_t i = 0; i < 121; i++) {
		peers[i] = v4_peer;
		memset(peers[i].public_key, (int)i + 1, 32);
	}
	peers[120].allowed_ips = many;
	peers[120].n_allowed_ips = 500;
	CU_ASSERT_EQUAL_FATAL(mesh_wg_cfg_check(&cfg, err, sizeof(err)), 0);

	memset(&c, 0, sizeof(c));
	mesh_wgk_set_begin(&it, &cfg);
	do {
		more = mesh_wgk_set_req(&it, FAMILY, "wg0", it.n_msgs + 1, buf,
					sizeof(buf), &len, err, sizeof(err));
		CU_ASSERT_FATAL(more >= 0);
		CU_ASSERT(len <= sizeof(buf));
		decode_set(buf, len, it.n_msgs, &c, last_key);
	} while (more > 0 && it.n_msgs < 20);
	printf("\n    %u messages of at most %d octets", it.n_msgs,
	       MESH_WGK_MSG_MAX);
	/* 120 * 148 + 500 * 28 = 31760 octets of peers: four messages, the
	 * last peer starting in the third and ending in the fourth */
	CU_ASSERT_EQUAL(it.n_msgs, 4);
	CU_ASSERT_EQUAL(c.replace_peers, 1);
	CU_ASSERT_EQUAL(c.private_keys, 1);
	CU_ASSERT(c.n_peer_entries > 121); /* the large one was cut */
	/* every allowed IP once, in order, under its own peer */
	CU_ASSERT_EQUAL_FATAL(c.n_ips, 120 * 2 + 500);
	for (size_t i = 0; i < 121; i++)
		for (size_t j = 0; j < peers[i].n_allowed_ips; j++, k++) {
			const struct mesh_wg_prefix *p =
				&peers[i].allowed_ips[j];

			CU_ASSERT_EQUAL(c.ip_key[k], i + 1);
			CU_ASSERT_EQUAL(c.ips[k].family, p->family);
			CU_ASSERT_EQUAL(c.ips[k].len, p->len);
			CU_ASSERT_EQUAL(memcmp(c.ips[k].addr, p->addr,
					       p->family == AF_INET ? 4 : 16),
					0);
		}
}

/* ------------------------------------------------------------------ */
/* Replies                                                            */

/* A dump for "wg0" in two messages: peer A's IPv6 allowed IP did not fit
 * the first, so the second names A again before peer B. */
/* clang-format off */
#define DUMP_MSG1							\
	"3c010000 1a00 0200 09000000 00000000  00 01 0000"		\
	"0800 0100 05000000"		/* IFINDEX 5 */			\
	IFNAME_WG0							\
	"2400 0300" K32("11")		/* PRIVATE_KEY */		\
	"2400 0400" K32("66")		/* PUBLIC_KEY */		\
	"0600 0600 6cca 0000"		/* LISTEN_PORT 51820 */		\
	"0800 0700 00000000"		/* FWMARK 0 */			\
	"c000 0880 bc00 0080"		/* PEERS, peer A */		\
	"2400 0100" K32("22")		/* PUBLIC_KEY */		\
	"2400 0200" K32("00")		/* PRESHARED_KEY, none */	\
	"1400 0400 0200 ca6d c6336407 0000000000000000"			\
	"0600 0500 1900 0000"		/* PERSISTENT_KEEPALIVE 25 */	\
	/* LAST_HANDSHAKE_TIME 1700000123 s 456789 ns */		\
	"1400 0600 7bf15365 00000000 55f80600 00000000"			\
	"0c00 0700 d204000000000000"	/* RX_BYTES 1234 */		\
	"0c00 0800 ffffffffffffffff"	/* TX_BYTES 2^64 - 1 */		\
	"2000 0980" AIP_10_1_16		/* ALLOWEDIPS */		\
	"0800 0a00 01000000"		/* PROTOCOL_VERSION 1 */
#define DUMP_MSG2							\
	"10010000 1a00 0200 09000000 00000000  00 01 0000"		\
	IFNAME_WG0							\
	"f400 0880 5400 0080"		/* PEERS, peer A again */	\
	"2400 0100" K32("22")						\
	"2c00 0980" AIP_FD00_1_64					\
	"9c00 0080"			/* peer B */			\
	"2400 0100" K32("cc")						\
	"2000 0400 0a00 1194 00000000"	/* [2001:db8::7]:4500 */	\
	"20010db8000000000000000000000007 00000000"			\
	"1400 0600" K16("00")		/* no handshake yet */		\
	"0c00 0700 0000000000000000"					\
	"0c00 0800 9400000000000000"	/* TX_BYTES 148 */		\
	"2000 0980 1c00 0080 0600 0100 0200 0000"			\
	"0800 0200 c0000200 0500 0300 18000000"	/* 192.0.2.0/24 */	\
	"0800 0b00 00000000"		/* an attribute of a later kernel */
#define DUMP_DONE "14000000 0300 0200 09000000 00000000  00000000"
/* clang-format on */

static struct mesh_wg_state wst;

static void expect_endpoint(const struct mesh_wg_endpoint *ep, int family,
			    const char *addr, uint16_t port)
{
	uint8_t want[16];

	CU_ASSERT_EQUAL_FATAL(inet_pton(family, addr, want), 1);
	CU_ASSERT_EQUAL(ep->family, family);
	CU_ASSERT_EQUAL(ep->port, port);
	CU_ASSERT_EQUAL(memcmp(ep->addr, want, family == AF_INET ? 4 : 16), 0);
}

static void check_dump_state(void)
{
	const struct mesh_wg_peer_state *a = &wst.peers[0], *b = &wst.peers[1];
	uint8_t addr[16];

	CU_ASSERT_TRUE(wst.has_private_key);
	CU_ASSERT_EQUAL(wst.private_key[31], 0x11);
	CU_ASSERT_EQUAL(wst.listen_port, 51820);
	CU_ASSERT_EQUAL(wst.fwmark, 0);
	CU_ASSERT_EQUAL(wst.n_unknown, 1);
	CU_ASSERT_EQUAL_FATAL(wst.n_peers, 2);

	CU_ASSERT_EQUAL(a->public_key[0], 0x22);
	expect_endpoint(&a->endpoint, AF_INET, "198.51.100.7", 51821);
	CU_ASSERT_EQUAL(a->keepalive_s, 25);
	CU_ASSERT_EQUAL(a->last_handshake_sec, 1700000123);
	CU_ASSERT_EQUAL(a->last_handshake_nsec, 456789);
	CU_ASSERT_EQUAL(a->rx_bytes, 1234);
	CU_ASSERT_EQUAL(a->tx_bytes, UINT64_MAX);
	CU_ASSERT_EQUAL(a->protocol_version, 1);
	CU_ASSERT_EQUAL_FATAL(a->n_allowed_ips, 2);
	CU_ASSERT_EQUAL(a->allowed_ips[0].family, AF_INET);
	CU_ASSERT_EQUAL(a->allowed_ips[0].len, 16);
	CU_ASSERT_EQUAL(a->allowed_ips[0].addr[0], 10);
	CU_ASSERT_EQUAL(a->allowed_ips[1].family, AF_INET6);
	CU_ASSERT_EQUAL(a->allowed_ips[1].len, 64);
	inet_pton(AF_INET6, "fd00:1::", addr);
	CU_ASSERT_EQUAL(memcmp(a->allowed_ips[1].addr, addr, 16), 0);

	CU_ASSERT_EQUAL(b->public_key[0], 0xcc);
	expect_endpoint(&b->endpoint, AF_INET6, "2001:db8::7", 4500);
	CU_ASSERT_EQUAL(b->last_handshake_sec, 0);
	CU_ASSERT_EQUAL(b->tx_bytes, 148);
	CU_ASSERT_EQUAL_FATAL(b->n_allowed_ips, 1);
	CU_ASSERT_EQUAL(b->allowed_ips[0].len, 24);
	CU_ASSERT_EQUAL(mesh_wg_state_peer(&wst, b->public_key), b);
}

static void test_dump_parse(void)
{
	static uint8_t buf[4096];
	struct mesh_wgk_dump d;
	char err[256] = "";
	size_t n1, n2, n3, n;

	/* Two messages in one datagram, NLMSG_DONE in the next. */
	n1 = unhex(DUMP_MSG1, buf, sizeof(buf));
	n2 = unhex(DUMP_MSG2, buf + n1, sizeof(buf) - n1);
	CU_ASSERT_EQUAL(n1, 316);
	CU_ASSERT_EQUAL(n2, 272);
	mesh_wgk_dump_begin(&d, FAMILY, 9, &wst);
	CU_ASSERT_EQUAL(mesh_wgk_dump_feed(&d, buf, n1 + n2, err, sizeof(err)),
			0);
	n3 = unhex(DUMP_DONE, buf, sizeof(buf));
	CU_ASSERT_EQUAL(mesh_wgk_dump_feed(&d, buf, n3, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(d.n_msgs, 3);
	check_dump_state();
	mesh_wg_state_wipe(&wst);
	CU_ASSERT_FALSE(wst.has_private_key);

	/* All three in one datagram, each alone: the same state. */
	n = unhex(DUMP_MSG1 DUMP_MSG2 DUMP_DONE, buf, sizeof(buf));
	mesh_wgk_dump_begin(&d, FAMILY, 9, &wst);
	CU_ASSERT_EQUAL(mesh_wgk_dump_feed(&d, buf, n, err, sizeof(err)), 1);
	check_dump_state();
	mesh_wgk_dump_begin(&d, FAMILY, 9, &wst);
	CU_ASSERT_EQUAL(mesh_wgk_dump_feed(&d, buf, n1, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(mesh_wgk_dump_feed(&d, buf + n1, n2, err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(
		mesh_wgk_dump_feed(&d, buf + n1 + n2, n3, err, sizeof(err)), 1);
	check_dump_state();
	mesh_wg_state_wipe(&wst);
}

struct reply_vec {
	const char *name;
	const char *hex;
	int ret;
	const char *err; /* a part of the error sentence */
};

#define MSG(len) len " 1a00 0200 09000000 00000000 00 01 0000"
#define PUB_A "2400 0100" K32("22")

/* Each is one datagram of a dump of sequence number 9. */
/* clang-format off */
static const struct reply_vec bad_dumps[] = {
	{"header cut short", "14000000 1a00", -EPROTO,
	 "message 1: truncated netlink message (6 octets left of 6)"},
	{"nlmsg_len past the datagram", MSG("40000000"), -EPROTO,
	 "truncated netlink message"},
	{"nlmsg_len below the header", "08000000 1a00 0200 09000000 00000000",
	 -EPROTO, "truncated netlink message"},
	{"attribute shorter than its header", MSG("18000000") "0200 0600",
	 -EPROTO, "message 1: truncated attribute in a WGDEVICE set"},
	{"attribute past its message", MSG("1c000000") "1000 0600 6cca0000",
	 -EPROTO, "truncated attribute in a WGDEVICE set"},
	{"LISTEN_PORT of 4 octets", MSG("1c000000") "0800 0600 6cca0000",
	 -EPROTO, "WGDEVICE_A_LISTEN_PORT of 4 octets, not 2"},
	{"PRIVATE_KEY of 16 octets", MSG("28000000") "1400 0300" K16("11"),
	 -EPROTO, "WGDEVICE_A_PRIVATE_KEY of 16 octets, not 32"},
	{"peer without a public key",
	 MSG("24000000") "1000 0880 0c00 0080 0600 0500 19000000", -EPROTO,
	 "message 1, peer 0: no PUBLIC_KEY"},
	{"public key of 31 octets",
	 MSG("40000000") "2c00 0880 2800 0080"
			 "2300 0100" K16("22") "222222222222222222222222222222 00",
	 -EPROTO, "peer 0: WGPEER_A_PUBLIC_KEY of 31 octets, not 32"},
	{"endpoint of family 7",
	 MSG("54000000") "4000 0880 3c00 0080" PUB_A
			 "1400 0400 0700 ca6d c6336407 0000000000000000",
	 -EPROTO, "peer 0: ENDPOINT of 16 octets is neither a sockaddr_in nor"},
	{"IPv4 allowed IP with 16 octets",
	 MSG("6c000000") "5800 0880 5400 0080" PUB_A
			 "2c00 0980 2800 0080 0600 0100 0200 0000"
			 "1400 0200" K16("0a") "0500 0300 08000000",
	 -EPROTO,
	 "peer 0, allowed IP 0: family 2 with a 16-octet address and /8"},
	{"prefix length 33",
	 MSG("60000000") "4c00 0880 4800 0080" PUB_A
			 "2000 0980 1c00 0080 0600 0100 0200 0000"
			 "0800 0200 0a000000 0500 0300 21000000",
	 -EPROTO, "/33 is not a prefix"},
	{"allowed IP without CIDR_MASK",
	 MSG("58000000") "4400 0880 4000 0080" PUB_A
			 "1800 0980 1400 0080 0600 0100 0200 0000"
			 "0800 0200 0a000000",
	 -EPROTO, "allowed IP 0: no CIDR_MASK"},
	{"allowed IP attribute past its entry",
	 MSG("50000000") "3c00 0880 3800 0080" PUB_A
			 "1000 0980 0c00 0080 0c00 0100 02000000",
	 -EPROTO, "allowed IP 0: truncated attribute in a WGALLOWEDIP set"},
	{"handshake nanoseconds past a second",
	 MSG("54000000") "4000 0880 3c00 0080" PUB_A
			 "1400 0600 01000000 00000000 00ca9a3b 00000000",
	 -EPROTO, "LAST_HANDSHAKE_TIME 1 s 1000000000 ns"},
	{"sequence number 8", "14000000 0300 0200 08000000 00000000 00000000",
	 -EPROTO, "sequence number 8, expected 9"},
	{"another family's message",
	 "14000000 1b00 0200 09000000 00000000  00 01 0000",
	 -EPROTO, "message type 27, not the wireguard family (26)"},
	{"not a GET_DEVICE message",
	 "14000000 1a00 0200 09000000 00000000 01 01 0000", -EPROTO,
	 "not a WG_CMD_GET_DEVICE message"},
	{"interrupted dump", "14000000 0300 1200 09000000 00000000 00000000",
	 -EAGAIN, "interrupted"},
	{"NLMSG_DONE without its error code",
	 "10000000 0300 0200 09000000 00000000", -EPROTO,
	 "NLMSG_DONE without its error code"},
	{"NLMSG_DONE with EOPNOTSUPP",
	 "14000000 0300 0200 09000000 00000000 a1ffffff", -EOPNOTSUPP,
	 "ended the dump with Operation not supported"},
	/* found by fuzz_wg_reply: INT_MIN does not negate */
	{"NLMSG_DONE with an error code that is no errno",
	 "14000000 0300 0200 09000000 00000000 00000080", -EPROTO,
	 "not an errno"},
	{"NLMSG_ERROR with an error code that is no errno",
	 "24000000 0200 0001 09000000 00000000 00000080"
	 "10000000 1a00 0100 09000000 00000000",
	 -EPROTO, "malformed NLMSG_ERROR"},
	{"a message after NLMSG_DONE",
	 "14000000 0300 0200 09000000 00000000 00000000"
	 "14000000 0300 0200 09000000 00000000 00000000",
	 -EPROTO, "message 2: a message after NLMSG_DONE"},
	/* NLMSG_ERROR, capped, with the kernel's message */
	{"no such device",
	 "3c000000 0200 0003 09000000 00000000 edffffff"
	 "1c000000 1a00 0103 09000000 00000000"
	 "1500 0100 646576696365206e6f7420666f756e6400 000000",
	 -ENODEV, "WG_CMD_GET_DEVICE: No such device (kernel: device not found)"},
	{"NLMSG_ERROR cut short",
	 "18000000 0200 0000 09000000 00000000  edffffff 1c000000",
	 -EPROTO, "malformed NLMSG_ERROR"},
};
/* clang-format on */

/* The outcome a vector expects: its return and a part of its error. */
static void expect_outcome(const struct reply_vec *v, int ret, const char *err)
{
	if (ret != v->ret || (v->err && !strstr(err, v->err)))
		printf("\n    %s: %d, \"%s\"", v->name, ret, err);
	CU_ASSERT_EQUAL(ret, v->ret);
	if (v->err)
		CU_ASSERT_PTR_NOT_NULL(strstr(err, v->err));
}

static void test_dump_refusals(void)
{
	static uint8_t buf[2048];
	struct mesh_wgk_dump d;

	for (size_t i = 0; i < sizeof(bad_dumps) / sizeof(bad_dumps[0]); i++) {
		const struct reply_vec *v = &bad_dumps[i];
		char err[256] = "";
		size_t n = unhex(v->hex, buf, sizeof(buf));
		int ret;

		mesh_wgk_dump_begin(&d, FAMILY, 9, &wst);
		ret = mesh_wgk_dump_feed(&d, buf, n, err, sizeof(err));
		expect_outcome(v, ret, err);
	}
	/* An unfinished dump is not an error: more is expected. */
	mesh_wgk_dump_begin(&d, FAMILY, 9, &wst);
	CU_ASSERT_EQUAL(mesh_wgk_dump_feed(&d, buf, 0, NULL, 0), 0);
	CU_ASSERT_FALSE(d.done);
}

/* Put one attribute at *off: for building large replies. */
static void put(uint8_t *buf, size_t *off, uint16_t type, const void *v,
		size_t len)
{
	uint16_t alen = (uint16_t)(4 + len);

	memcpy(buf + *off, &alen, 2);
	memcpy(buf + *off + 2, &type, 2);
	memcpy(buf + *off + 4, v, len);
	memset(buf + *off + 4 + len, 0, NLA_ALIGN(len) - len);
	*off += 4 + NLA_ALIGN(len);
}

/* A reply of n peers with ips allowed IPs each; returns its length. */
static size_t big_reply(uint8_t *buf, size_t n, size_t ips)
{
	size_t off = 20, peers, peer, list, item;
	struct nlmsghdr h = {.nlmsg_type = FAMILY,
			     .nlmsg_flags = NLM_F_MULTI,
			     .nlmsg_seq = 9};
	uint8_t key[32], addr[4] = {10};
	uint16_t family = AF_INET, len16;
	uint8_t cidr = 32;

	memset(buf, 0, 20);
	buf[17] = 1; /* version; command 0 is WG_CMD_GET_DEVICE */
	put(buf, &off, WGDEVICE_A_IFNAME, "wg0", 4);
#define NEST(at, type) (at = off, put(buf, &off, (type) | NLA_F_NESTED, "", 0))
#define END(at) (len16 = (uint16_t)(off - at), memcpy(buf + at, &len16, 2))
	NEST(peers, WGDEVICE_A_PEERS);
	for (size_t i = 0; i < n; i++) {
		NEST(peer, 0);
		memset(key, (int)i + 1, 32);
		put(buf, &off, WGPEER_A_PUBLIC_KEY, key, 32);
		NEST(list, WGPEER_A_ALLOWEDIPS);
		for (size_t j = 0; j < ips; j++) {
			NEST(item, 0);
			addr[3] = (uint8_t)j;
			put(buf, &off, WGALLOWEDIP_A_FAMILY, &family, 2);
			put(buf, &off, WGALLOWEDIP_A_IPADDR, addr, 4);
			put(buf, &off, WGALLOWEDIP_A_CIDR_MASK, &cidr, 1);
			END(item);
		}
		END(list);
		END(peer);
	}
	END(peers);
#undef NEST
#undef END
	h.nlmsg_len = (uint32_t)off;
	memcpy(buf, &h, sizeof(h));
	return off;
}

static void test_dump_limits(void)
{
	static uint8_t buf[MESH_WGK_RECV_MAX];
	struct mesh_wgk_dump d;
	char err[256] = "";
	size_t n;

	n = big_reply(buf, MESH_WG_MAX_PEERS, MESH_WG_MAX_ALLOWED_IPS);
	mesh_wgk_dump_begin(&d, FAMILY, 9, &wst);
	CU_ASSERT_EQUAL(mesh_wgk_dump_feed(&d, buf, n, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(wst.n_peers, MESH_WG_MAX_PEERS);
	CU_ASSERT_EQUAL(wst.peers[MESH_WG_MAX_PEERS - 1].n_allowed_ips,
			MESH_WG_MAX_ALLOWED_IPS);

	n = big_reply(buf, MESH_WG_MAX_PEERS + 1, 1);
	mesh_wgk_dump_begin(&d, FAMILY, 9, &wst);
	CU_ASSERT_EQUAL(mesh_wgk_dump_feed(&d, buf, n, err, sizeof(err)),
			-E2BIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "peer 16: more peers than"));

	n = big_reply(buf, 1, MESH_WG_MAX_ALLOWED_IPS + 1);
	mesh_wgk_dump_begin(&d, FAMILY, 9, &wst);
	CU_ASSERT_EQUAL(mesh_wgk_dump_feed(&d, buf, n, err, sizeof(err)),
			-E2BIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "allowed IP 32: more allowed IPs"));
}

/* ---- the controller's and the acknowledgements' answers ---- */

/* clang-format off */
static const struct reply_vec family_replies[] = {
	{"the family, with operations to pass over",
	 "5c000000 1000 0000 01000000 00000000 01 02 0000"
	 "0e00 0200 77697265677561726400 0000" /* FAMILY_NAME */
	 "0600 0100 1a00 0000"		       /* FAMILY_ID */
	 "0800 0300 01000000"		       /* VERSION */
	 "0800 0400 00000000"		       /* HDRSIZE */
	 "0800 0500 08000000"		       /* MAXATTR */
	 "1800 0680 1400 0180 0800 0100 00000000 0800 0200 0e000000",
	 0, NULL},
	/* recorded from Linux 6.18 without WireGuard: ENOENT, the request
	 * echoed whole (NETLINK_CAP_ACK off) */
	{"no such family (recorded)",
	 "3800000002000000010000003e4b0000feffffff240000001000010001000000"
	 "00000000030100000e000200776972656775617264000000",
	 -ENOENT, "no generic netlink family \"wireguard\" (no WireGuard"},
	{"no such family, capped, with the kernel's message",
	 "30000000 0200 0003 01000000 00000000 feffffff"
	 "24000000 1000 0100 01000000 00000000 0c00 0100 756e6b6e6f776e00",
	 -ENOENT, "no generic netlink family"},
	{"refused",
	 "24000000 0200 0001 01000000 00000000 ffffffff"
	 "24000000 1000 0100 01000000 00000000",
	 -EPERM, "CTRL_CMD_GETFAMILY \"wireguard\": Operation not permitted"},
	{"another family's name",
	 "2c000000 1000 0000 01000000 00000000 01 02 0000"
	 "0e00 0200 77697265677561727800 0000 0600 0100 1a00 0000",
	 -EPROTO, "without a valid family (family \"wireguarx\""},
	{"no family id",
	 "24000000 1000 0000 01000000 00000000 01 02 0000"
	 "0e00 0200 77697265677561726400 0000",
	 -EPROTO, "without a valid family"},
	{"family id of 4 octets",
	 "1c000000 1000 0000 01000000 00000000 01 02 0000 0800 0100 1a000000",
	 -EPROTO, "attribute 1 of 4 octets is malformed"},
	{"a plain acknowledgement",
	 "24000000 0200 0001 01000000 00000000  00000000"
	 "24000000 1000 0100 01000000 00000000",
	 -EPROTO, "acknowledgement without an answer"},
	{"wrong sequence number",
	 "24000000 0200 0001 02000000 00000000  feffffff"
	 "24000000 1000 0100 01000000 00000000",
	 -EPROTO, "not one answer of sequence number 1"},
};

static const struct reply_vec acks[] = {
	{"success",
	 "24000000 0200 0001 03000000 00000000 00000000"
	 "3c000000 1000 0506 03000000 00000000",
	 0, NULL},
	{"EOPNOTSUPP with the kernel's reason",
	 "3c000000 0200 0003 03000000 00000000 a1ffffff"
	 "3c000000 1000 0506 03000000 00000000"
	 "1800 0100 556e6b6e6f776e206465766963652074797065 00",
	 -EOPNOTSUPP,
	 "RTM_NEWLINK: Operation not supported (kernel: Unknown device type)"},
	{"EEXIST with the request echoed whole",
	 "50000000 0200 0000 03000000 00000000 efffffff"
	 "3c000000 1000 0506 03000000 00000000"
	 "00000000 00000000 00000000 00000000 0800 0300 77673000"
	 "1400 1280 0e00 0100 77697265677561726400 0000",
	 -EEXIST, "RTM_NEWLINK: File exists"},
	{"the echo cut short",
	 "30000000 0200 0000 03000000 00000000 efffffff"
	 "3c000000 1000 0506 03000000 00000000 00000000 00000000 00000000",
	 -EPROTO, "malformed acknowledgement"},
	{"not an acknowledgement",
	 "14000000 0300 0200 03000000 00000000  00000000",
	 -EPROTO, "answer of type 3, not an acknowledgement"},
	{"another request's",
	 "24000000 0200 0001 04000000 00000000 00000000"
	 "3c000000 1000 0506 04000000 00000000",
	 -EPROTO, "sequence number 4, expected 3"},
	{"cut short", "24000000 0200 0001 03000000", -EPROTO, "truncated"},
	{"a positive errno",
	 "24000000 0200 0001 03000000 00000000 05000000"
	 "3c000000 1000 0506 03000000 00000000",
	 -EPROTO, "malformed"},
};
/* clang-format on */

static void test_family_and_acks(void)
{
	uint8_t buf[512];
	struct mesh_wgk_family fam;

	for (size_t i = 0; i < sizeof(family_replies) / sizeof(*family_replies);
	     i++) {
		const struct reply_vec *v = &family_replies[i];
		char err[256] = "";
		size_t n = unhex(v->hex, buf, sizeof(buf));
		int ret = mesh_wgk_family_parse(buf, n, 1, &fam, err,
						sizeof(err));

		expect_outcome(v, ret, err);
		if (!v->ret) {
			CU_ASSERT_EQUAL(fam.id, 0x1a);
			CU_ASSERT_EQUAL(fam.version, WG_GENL_VERSION);
			CU_ASSERT_EQUAL(fam.maxattr, WGDEVICE_A_MAX);
		}
	}
	for (size_t i = 0; i < sizeof(acks) / sizeof(*acks); i++) {
		const struct reply_vec *v = &acks[i];
		char err[256] = "";
		size_t n = unhex(v->hex, buf, sizeof(buf));
		int ret = mesh_wgk_ack_parse(buf, n, 3, "RTM_NEWLINK", err,
					     sizeof(err));

		expect_outcome(v, ret, err);
	}
}

/* ------------------------------------------------------------------ */
/* Live: this machine's kernel                                        */

static struct mesh_wgk_family live_fam;
static int live_resolved;
static char live_err[256];

static int live_init(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "\n  live suite: needs root (set "
				"MESH_TEST_SKIP_LIVE=1 to leave it out)\n");
		return 1;
	}
	live_resolved =
		mesh_wgk_family_resolve(&live_fam, live_err, sizeof(live_err));
	printf("\n  generic netlink family \"wireguard\": %s",
	       live_resolved ? live_err : "resolves");
	return 0;
}

/* What a child in a private network namespace tells its parent. */
struct live_result {
	int ret, ret2, ret3;
	unsigned int ifindex; /* of the interface after the attempt */
	char err[256], err2[256];
	struct mesh_wg_state st;
};

/* Run fn in a child process in a new network namespace. */
static bool in_netns(void (*fn)(struct live_result *), struct live_result *r)
{
	int pfd[2], status;
	size_t got = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (pipe(pfd) < 0)
		return false;
	pid = fork();
	if (pid == 0) {
		struct live_result mine;

		memset(&mine, 0, sizeof(mine));
		close(pfd[0]);
		if (unshare(CLONE_NEWNET) < 0)
			_exit(2);
		fn(&mine);
		if (write(pfd[1], &mine, sizeof(mine)) != sizeof(mine))
			_exit(3);
		_exit(0);
	}
	close(pfd[1]);
	while (pid > 0 && got < sizeof(*r)) {
		ssize_t n = read(pfd[0], (char *)r + got, sizeof(*r) - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(pfd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return false;
	return got == sizeof(*r) && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

static void live_create(struct live_result *r)
{
	r->ret = mesh_wgk_link_add("mwgk0", r->err, sizeof(r->err));
	r->ifindex = if_nametoindex("mwgk0");
}

/* Where the kernel has WireGuard: make, configure, read back, refuse a
 * second device of the same name. */
static void live_roundtrip(struct live_result *r)
{
	live_create(r);
	if (r->ret)
		return;
	r->ret2 = mesh_wgk_set(live_fam.id, "mwgk0", &v4_cfg, r->err2,
			       sizeof(r->err2));
	if (!r->ret2)
		r->ret2 = mesh_wgk_get(live_fam.id, "mwgk0", &r->st, r->err2,
				       sizeof(r->err2));
	r->ret3 = mesh_wgk_link_add("mwgk0", r->err2, sizeof(r->err2));
}

static void test_live_family(void)
{
	if (live_resolved == 0) {
		CU_ASSERT(live_fam.id >= NLMSG_MIN_TYPE);
		CU_ASSERT_EQUAL(live_fam.version, WG_GENL_VERSION);
		return;
	}
	/* meshd takes -ENOENT as "use wireguard-go" */
	CU_ASSERT_EQUAL(live_resolved, -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(live_err,
				      "the kernel has no generic "
				      "netlink family \"wireguard\""));
}

static void test_live_create(void)
{
	struct live_result r;

	if (live_resolved == 0) {
		init_keys();
		CU_ASSERT_FATAL(in_netns(live_roundtrip, &r));
		printf("\n    kernel WireGuard: create %d, set/get %d (%s)",
		       r.ret, r.ret2, r.err2);
		CU_ASSERT_EQUAL(r.ret, 0);
		CU_ASSERT_NOT_EQUAL(r.ifindex, 0);
		CU_ASSERT_EQUAL(r.ret2, 0);
		CU_ASSERT_EQUAL(r.ret3, -EEXIST);
		CU_ASSERT_EQUAL(r.st.listen_port, 51820);
		CU_ASSERT_EQUAL(r.st.fwmark, 0x1234);
		CU_ASSERT_EQUAL_FATAL(r.st.n_peers, 1);
		CU_ASSERT_EQUAL(r.st.peers[0].keepalive_s, 25);
		expect_endpoint(&r.st.peers[0].endpoint, AF_INET,
				"198.51.100.7", 51821);
		CU_ASSERT_EQUAL(r.st.peers[0].n_allowed_ips, 2);
		return;
	}
	/* No WireGuard: creating a device fails, says why, leaves nothing
	 * behind; meshd then builds the tunnel with wireguard-go. */
	CU_ASSERT_FATAL(in_netns(live_create, &r));
	printf("\n    %s", r.err);
	CU_ASSERT_EQUAL(r.ret, -EOPNOTSUPP);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(r.err, "mwgk0: RTM_NEWLINK kind wireguard: Operation "
			      "not supported"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "this kernel has no WireGuard"));
	CU_ASSERT_EQUAL(r.ifindex, 0);
}

static void live_get_loopback(struct live_result *r)
{
	/* a GET for an interface that is not WireGuard, sent to the
	 * controller's id, which has no such command */
	r->ret = mesh_wgk_get(GENL_ID_CTRL, "lo", &r->st, r->err,
			      sizeof(r->err));
}

static void test_live_errors(void)
{
	struct live_result r;
	char err[200] = "";

	CU_ASSERT_FATAL(in_netns(live_get_loopback, &r));
	printf("\n    %s", r.err);
	CU_ASSERT(r.ret < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "lo: WG_CMD_GET_DEVICE"));
	CU_ASSERT_EQUAL(mesh_wgk_link_add("bad name", err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_EQUAL(mesh_wgk_set(FAMILY, "wg0",
				     &(struct mesh_wg_cfg){.n_peers = 1}, err,
				     sizeof(err)),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "1 peers but no peer array"));
}

/* ------------------------------------------------------------------ */

static CU_TestInfo wire_tests[] = {
	{"WG_CMD_SET_DEVICE byte vectors", test_set_vectors},
	{"CTRL_CMD_GETFAMILY, RTM_NEWLINK, WG_CMD_GET_DEVICE",
	 test_other_requests},
	{"split SET_DEVICE byte vectors and refusals", test_split_vectors},
	{"split of 121 peers and 740 allowed IPs, decoded again",
	 test_split_large},
	{"GET_DEVICE dump in parts, peer continued", test_dump_parse},
	{"malformed dumps, named", test_dump_refusals},
	{"dump limits (peers, allowed IPs)", test_dump_limits},
	{"controller answers and acknowledgements", test_family_and_acks},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo live_tests[] = {
	{"family \"wireguard\" resolves or says why not", test_live_family},
	{"device creation (private namespace)", test_live_create},
	{"errors of the socket calls", test_live_errors},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	const char *skip = getenv("MESH_TEST_SKIP_LIVE");
	const uint16_t one = 1;
	CU_SuiteInfo suites[] = {
		{"mesh_wgk messages", NULL, NULL, NULL, NULL, wire_tests},
		{"mesh_wgk live (this kernel)", live_init, NULL, NULL, NULL,
		 live_tests},
		CU_SUITE_INFO_NULL,
	};
	int bad;

	if (*(const uint8_t *)&one != 1) {
		fprintf(stderr, "the byte vectors are little-endian and this "
				"host is not\n");
		return 2;
	}
	if (skip && !strcmp(skip, "1")) {
		printf("live suite left out (MESH_TEST_SKIP_LIVE=1)\n");
		suites[1] = (CU_SuiteInfo)CU_SUITE_INFO_NULL;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	bad = CU_basic_run_tests() != CUE_SUCCESS ||
	      CU_get_number_of_failures() || CU_get_number_of_tests_failed() ||
	      CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return bad;
}
