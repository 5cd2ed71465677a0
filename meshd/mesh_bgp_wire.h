// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd BGP message codec (wire format only).
 *
 * Supported standards:
 *   RFC 4271  BGP-4: header, OPEN, UPDATE, NOTIFICATION, KEEPALIVE
 *   RFC 4760  Multiprotocol extensions (MP_REACH_NLRI, MP_UNREACH_NLRI)
 *   RFC 5492  Capabilities advertisement
 *   RFC 6793  4-octet AS numbers (AS4_PATH, AS4_AGGREGATOR, AS_TRANS)
 *   RFC 6286  AS-wide unique BGP identifier
 *   RFC 2918  ROUTE-REFRESH
 *   RFC 7313  Enhanced route refresh (BoRR/EoRR, message error code 7)
 *   RFC 8654  Extended messages (65535 octets)
 *   RFC 9072  Extended optional parameters length
 *   RFC 4724  Graceful restart capability and End-of-RIB
 *   RFC 7911  ADD-PATH
 *   RFC 4456  Route reflection (ORIGINATOR_ID, CLUSTER_LIST)
 *   RFC 1997  Communities
 *   RFC 4360  Extended communities
 *   RFC 8092  Large communities
 *   RFC 8203, RFC 9003  Shutdown communication
 *   RFC 7606  Revised error handling for UPDATE messages
 *   RFC 7607  AS 0 processing
 *
 * The codec is libc-only so that unit tests and fuzz targets link it
 * alone. Decoders never allocate: a decoded UPDATE references the
 * caller's message buffer, which must outlive it. All reads go through
 * struct mesh_rbuf (mesh_buf.h).
 *
 * Typical use by the FSM:
 *
 *   n = mesh_bgp_msg_frame(buf, len, &ctx, &v);
 *   if (n < 0)  -> send v.notify, close
 *   if (n == 0) -> read more
 *   else mesh_bgp_update_decode(buf, n, &ctx, &upd, &v) and act on
 *        v.action (see enum mesh_bgp_action).
 *
 * Decisions worth knowing (each finding cites its section):
 *   - End-of-RIB shapes are recognised before any attribute parsing; an
 *     UPDATE that looks like one but carries anything else is not one.
 *   - Missing well-known attributes (ORIGIN, AS_PATH, and NEXT_HOP when
 *     the NLRI field is used) are decided from the attributes that
 *     decoded correctly, only for UPDATEs that announce something.
 *     LOCAL_PREF is not required from internal peers.
 *   - A treat-as-withdraw error in an UPDATE that announces nothing
 *     and has attributes other than MP_UNREACH_NLRI becomes a session
 *     reset (RFC 7606 5.2).
 *   - NEXT_HOP is checked for 0.0.0.0 and class D/E only; "not the
 *     peer's own address" is for the caller, who knows the addresses.
 *   - MP_REACH_NLRI next-hop lengths: 4 for IPv4 unicast, 16 or 32 for
 *     IPv6 unicast. Other AFI/SAFIs are kept as references, unchecked.
 *   - AS_CONFED segments are accepted in AS_PATH whatever the peer; the
 *     first-AS check against the peer AS is left to the caller.
 *   - AS_CONFED segments in an AS4_PATH from a 2-octet AS speaker are a
 *     finding without action: the attribute is kept as received and
 *     mesh_bgp_as4_merge() leaves them out (RFC 6793 6 discards the
 *     segments, not the attribute).
 */
#ifndef MESH_BGP_WIRE_H
#define MESH_BGP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpd-ext/mesh_buf.h"

#define MESH_BGP_MARKER_LEN 16
#define MESH_BGP_HDR_LEN 19
#define MESH_BGP_MAX_LEN 4096
#define MESH_BGP_EXT_MAX_LEN 65535
#define MESH_BGP_VERSION 4
#define MESH_BGP_AS_TRANS 23456

/* Message types */
#define MESH_BGP_MSG_OPEN 1
#define MESH_BGP_MSG_UPDATE 2
#define MESH_BGP_MSG_NOTIFICATION 3
#define MESH_BGP_MSG_KEEPALIVE 4
#define MESH_BGP_MSG_ROUTE_REFRESH 5

/* NOTIFICATION error codes and subcodes */
#define MESH_BGP_ERR_HEADER 1
#define MESH_BGP_ERR_HDR_NOT_SYNC 1
#define MESH_BGP_ERR_HDR_BAD_LEN 2
#define MESH_BGP_ERR_HDR_BAD_TYPE 3

#define MESH_BGP_ERR_OPEN 2
#define MESH_BGP_ERR_OPEN_UNSPECIFIC 0
#define MESH_BGP_ERR_OPEN_VERSION 1
#define MESH_BGP_ERR_OPEN_PEER_AS 2
#define MESH_BGP_ERR_OPEN_BGP_ID 3
#define MESH_BGP_ERR_OPEN_OPT_PARAM 4
#define MESH_BGP_ERR_OPEN_HOLD_TIME 6
#define MESH_BGP_ERR_OPEN_CAPABILITY 7

#define MESH_BGP_ERR_UPDATE 3
#define MESH_BGP_ERR_UPD_ATTR_LIST 1
#define MESH_BGP_ERR_UPD_UNRECOGNIZED 2
#define MESH_BGP_ERR_UPD_MISSING 3
#define MESH_BGP_ERR_UPD_FLAGS 4
#define MESH_BGP_ERR_UPD_LENGTH 5
#define MESH_BGP_ERR_UPD_ORIGIN 6
#define MESH_BGP_ERR_UPD_NEXT_HOP 8
#define MESH_BGP_ERR_UPD_OPTIONAL 9
#define MESH_BGP_ERR_UPD_NETWORK 10
#define MESH_BGP_ERR_UPD_AS_PATH 11

#define MESH_BGP_ERR_HOLD 4
#define MESH_BGP_ERR_FSM 5
#define MESH_BGP_ERR_CEASE 6
#define MESH_BGP_CEASE_ADMIN_SHUTDOWN 2
#define MESH_BGP_CEASE_ADMIN_RESET 4
#define MESH_BGP_ERR_ROUTE_REFRESH 7
#define MESH_BGP_ERR_RR_BAD_LEN 1

/* Path attribute flags */
#define MESH_BGP_AF_OPTIONAL 0x80
#define MESH_BGP_AF_TRANSITIVE 0x40
#define MESH_BGP_AF_PARTIAL 0x20
#define MESH_BGP_AF_EXTLEN 0x10

/* Path attribute type codes with a descriptor-table row */
#define MESH_BGP_ATTR_ORIGIN 1
#define MESH_BGP_ATTR_AS_PATH 2
#define MESH_BGP_ATTR_NEXT_HOP 3
#define MESH_BGP_ATTR_MED 4
#define MESH_BGP_ATTR_LOCAL_PREF 5
#define MESH_BGP_ATTR_ATOMIC_AGGREGATE 6
#define MESH_BGP_ATTR_AGGREGATOR 7
#define MESH_BGP_ATTR_COMMUNITIES 8
#define MESH_BGP_ATTR_ORIGINATOR_ID 9
#define MESH_BGP_ATTR_CLUSTER_LIST 10
#define MESH_BGP_ATTR_MP_REACH 14
#define MESH_BGP_ATTR_MP_UNREACH 15
#define MESH_BGP_ATTR_EXT_COMMUNITIES 16
#define MESH_BGP_ATTR_AS4_PATH 17
#define MESH_BGP_ATTR_AS4_AGGREGATOR 18
#define MESH_BGP_ATTR_LARGE_COMMUNITIES 32
#define MESH_BGP_ATTR_MESH_DEFAULT 255

#define MESH_BGP_ORIGIN_IGP 0
#define MESH_BGP_ORIGIN_EGP 1
#define MESH_BGP_ORIGIN_INCOMPLETE 2

#define MESH_BGP_AS_SET 1
#define MESH_BGP_AS_SEQUENCE 2
#define MESH_BGP_AS_CONFED_SEQUENCE 3
#define MESH_BGP_AS_CONFED_SET 4

#define MESH_BGP_AFI_IPV4 1
#define MESH_BGP_AFI_IPV6 2
#define MESH_BGP_SAFI_UNICAST 1

/* Address-family bits for per-AFI context flags (unicast only). */
#define MESH_BGP_AFB_IPV4 0x01
#define MESH_BGP_AFB_IPV6 0x02

/* Capability codes */
#define MESH_BGP_CAP_MP 1
#define MESH_BGP_CAP_ROUTE_REFRESH 2
#define MESH_BGP_CAP_EXT_MESSAGE 6
#define MESH_BGP_CAP_GRACEFUL_RESTART 64
#define MESH_BGP_CAP_AS4 65
#define MESH_BGP_CAP_ADDPATH 69
#define MESH_BGP_CAP_ENHANCED_RR 70
#define MESH_BGP_CAP_FQDN 73

/* Bits of struct mesh_bgp_open.caps: capabilities seen (and well formed) */
#define MESH_BGP_CAPF_MP (1u << 0)
#define MESH_BGP_CAPF_ROUTE_REFRESH (1u << 1)
#define MESH_BGP_CAPF_EXT_MESSAGE (1u << 2)
#define MESH_BGP_CAPF_GRACEFUL_RESTART (1u << 3)
#define MESH_BGP_CAPF_AS4 (1u << 4)
#define MESH_BGP_CAPF_ADDPATH (1u << 5)
#define MESH_BGP_CAPF_ENHANCED_RR (1u << 6)

/* ADD-PATH send/receive modes (RFC 7911) */
#define MESH_BGP_ADDPATH_RX 1
#define MESH_BGP_ADDPATH_TX 2

/* Graceful restart flags */
#define MESH_BGP_GR_RESTART_STATE 0x8 /* R bit, top nibble of flags */
#define MESH_BGP_GR_NOTIFICATION 0x4  /* N bit (RFC 8538) */
#define MESH_BGP_GR_AF_FORWARDING 0x80

/* ROUTE-REFRESH subtypes (RFC 7313) */
#define MESH_BGP_RR_NORMAL 0
#define MESH_BGP_RR_BORR 1
#define MESH_BGP_RR_EORR 2

/*
 * Error handling actions, weakest first; a decode reports the strongest
 * one it met (RFC 7606 3.h).
 */
enum mesh_bgp_action {
	MESH_BGP_ACT_NONE = 0,
	MESH_BGP_ACT_ATTR_DISCARD,
	MESH_BGP_ACT_TREAT_AS_WITHDRAW,
	MESH_BGP_ACT_AFISAFI_DISABLE,
	MESH_BGP_ACT_SESSION_RESET,
};

/* A reference to bytes in a buffer owned by someone else. */
struct mesh_bgp_bytes {
	const uint8_t *p;
	size_t len;
};

/*
 * A NOTIFICATION to send. The data field is local[] followed by ref
 * (bytes of the offending message), so it can be copied freely as long
 * as the message buffer lives.
 */
#define MESH_BGP_NOTIFY_LOCAL_MAX 16
struct mesh_bgp_notify {
	uint8_t code;
	uint8_t subcode;
	uint8_t local_len;
	uint8_t local[MESH_BGP_NOTIFY_LOCAL_MAX];
	struct mesh_bgp_bytes ref;
};

/* One error or remark met while decoding. */
struct mesh_bgp_finding {
	uint8_t attr_type;	     /* 0: not about one attribute */
	enum mesh_bgp_action action; /* what it asks for */
	const char *cite;	     /* "RFC 7606 3.c" */
	const char *what;	     /* short description */
};

#define MESH_BGP_FINDINGS_MAX 16

/* Outcome of decoding one message. */
struct mesh_bgp_verdict {
	enum mesh_bgp_action action;   /* strongest over all findings */
	struct mesh_bgp_notify notify; /* valid if action >= AFISAFI_DISABLE */
	uint16_t afi;		       /* for AFISAFI_DISABLE */
	uint8_t safi;
	uint8_t n_findings;
	uint16_t n_lost; /* findings that did not fit */
	struct mesh_bgp_finding findings[MESH_BGP_FINDINGS_MAX];
};

/* Per-session decode/encode context, filled by the FSM after OPEN. */
struct mesh_bgp_ctx {
	bool as4;     /* 4-octet AS negotiated (RFC 6793) */
	bool ext_msg; /* extended messages negotiated (RFC 8654) */
	bool ibgp;    /* peer is internal (else LOCAL_PREF etc. dropped) */
	bool afisafi_disable; /* FSM can disable one AFI/SAFI instead of reset
			       */
	uint8_t addpath_rx;   /* MESH_BGP_AFB_*: path IDs present on receive */
	uint8_t addpath_tx;   /* MESH_BGP_AFB_*: path IDs written on send */
	/* Mesh attribute type code; 0 = 255. A code that already has a row
	 * (ORIGIN, ...) is ignored and 255 used; when another code is set,
	 * an attribute 255 is unknown to this codec. */
	uint8_t mesh_type;
	/* Validates the mesh attribute value; non-zero = malformed. */
	int (*mesh_validate)(const uint8_t *val, size_t len, void *arg);
	void *mesh_arg;
	/* OPEN checks; 0 = do not check */
	uint32_t local_as;
	uint32_t local_id;
	uint32_t peer_as;
};

/* ---- Framing ---- */

/*
 * How many bytes of buf make the next message. Returns the message
 * length (> 0) when a whole message is there, 0 when more bytes are
 * needed, -1 on a header error (v->notify holds the NOTIFICATION).
 * Header errors are found as soon as the 19 header octets are in.
 */
int mesh_bgp_msg_frame(const uint8_t *buf, size_t len,
		       const struct mesh_bgp_ctx *ctx,
		       struct mesh_bgp_verdict *v);

/* ---- OPEN ---- */

#define MESH_BGP_OPEN_AF_MAX 16
#define MESH_BGP_OPEN_OTHER_MAX 8

struct mesh_bgp_afsafi {
	uint16_t afi;
	uint8_t safi;
	uint8_t flags; /* GR: forwarding state; ADD-PATH: RX/TX mode */
};

struct mesh_bgp_cap_raw {
	uint8_t code;
	uint8_t len;
	const uint8_t *val;
};

struct mesh_bgp_open {
	uint8_t version;
	uint16_t my_as; /* the 2-octet field as sent */
	uint16_t hold_time;
	uint32_t bgp_id;
	uint32_t asn;	 /* effective AS: 4-octet capability if present */
	bool ext_params; /* RFC 9072 form was used / is to be used */
	uint32_t caps;	 /* MESH_BGP_CAPF_* */
	uint8_t n_mp;
	struct mesh_bgp_afsafi mp[MESH_BGP_OPEN_AF_MAX];
	uint8_t gr_flags; /* top nibble of the restart flags/time word */
	uint16_t gr_time;
	uint8_t n_gr;
	struct mesh_bgp_afsafi gr[MESH_BGP_OPEN_AF_MAX];
	uint8_t n_addpath;
	struct mesh_bgp_afsafi addpath[MESH_BGP_OPEN_AF_MAX];
	/* unknown or unparsed capabilities (FQDN, ...), recorded */
	uint8_t n_other;
	uint8_t n_other_lost;
	struct mesh_bgp_cap_raw other[MESH_BGP_OPEN_OTHER_MAX];
};

/* Returns the action (NONE or SESSION_RESET). */
enum mesh_bgp_action mesh_bgp_open_decode(const uint8_t *msg, size_t len,
					  const struct mesh_bgp_ctx *ctx,
					  struct mesh_bgp_open *o,
					  struct mesh_bgp_verdict *v);
/* Encodes version 4, my_as from asn (AS_TRANS above 65535) and the
 * capabilities in o->caps plus o->other[]; RFC 9072 form if
 * o->ext_params or if the parameters do not fit 255 octets. */
bool mesh_bgp_open_encode(struct mesh_wbuf *w, const struct mesh_bgp_open *o);
/* Checks that the capabilities in required (MESH_BGP_CAPF_*) are there;
 * if not, fills n with OPEN error 7 listing them (RFC 5492). */
bool mesh_bgp_open_check_caps(const struct mesh_bgp_open *o, uint32_t required,
			      struct mesh_bgp_notify *n);

/* ---- UPDATE ---- */

struct mesh_bgp_mp_reach {
	uint16_t afi;
	uint8_t safi;
	struct mesh_bgp_bytes nh;
	struct mesh_bgp_bytes nlri;
};

struct mesh_bgp_mp_unreach {
	uint16_t afi;
	uint8_t safi;
	struct mesh_bgp_bytes nlri;
};

/* Decoded path attributes; bytes fields reference the message. */
struct mesh_bgp_attrs {
	uint8_t present[32]; /* bit per type code: decoded and kept */
	uint8_t origin;
	uint8_t as_path_width; /* 2 or 4: octets per ASN in as_path */
	struct mesh_bgp_bytes as_path;
	struct mesh_bgp_bytes as4_path;
	uint32_t next_hop; /* host order */
	uint32_t med;
	uint32_t local_pref;
	uint32_t aggregator_as;
	uint32_t aggregator_id;
	uint32_t as4_aggregator_as;
	uint32_t as4_aggregator_id;
	struct mesh_bgp_bytes communities;
	uint32_t originator_id;
	struct mesh_bgp_bytes cluster_list;
	struct mesh_bgp_mp_reach mp_reach;
	struct mesh_bgp_mp_unreach mp_unreach;
	struct mesh_bgp_bytes ext_communities;
	struct mesh_bgp_bytes large_communities;
	struct mesh_bgp_bytes mesh;
	/* Unknown optional transitive attributes to pass on: a block of
	 * raw attributes and the type codes in it to re-emit (first
	 * occurrence, Partial bit set). */
	struct mesh_bgp_bytes raw;
	uint8_t pass_on[32];
};

struct mesh_bgp_update {
	struct mesh_bgp_bytes withdrawn;
	struct mesh_bgp_bytes attr_block;
	struct mesh_bgp_bytes nlri;
	struct mesh_bgp_attrs attrs;
	uint8_t seen[32];   /* every type code met, kept or not */
	uint16_t n_ignored; /* unknown optional non-transitive dropped */
	bool eor;	    /* End-of-RIB (RFC 4724) */
	uint16_t eor_afi;
	uint8_t eor_safi;
};

static inline bool mesh_bgp_bit_test(const uint8_t *map, uint8_t bit)
{
	return (map[bit >> 3] >> (bit & 7)) & 1;
}

static inline void mesh_bgp_bit_set(uint8_t *map, uint8_t bit)
{
	map[bit >> 3] |= (uint8_t)(1u << (bit & 7));
}

static inline bool mesh_bgp_attr_present(const struct mesh_bgp_attrs *a,
					 uint8_t type)
{
	return mesh_bgp_bit_test(a->present, type);
}

/* Decodes one UPDATE message (header included); returns v->action. */
enum mesh_bgp_action mesh_bgp_update_decode(const uint8_t *msg, size_t len,
					    const struct mesh_bgp_ctx *ctx,
					    struct mesh_bgp_update *u,
					    struct mesh_bgp_verdict *v);

/*
 * The attributes of a decoded UPDATE from a 2-octet AS (OLD) speaker in
 * the 4-octet form meshd keeps (RFC 6793 4.2.3): AS_PATH merged with
 * AS4_PATH (ASes counted with an AS_SET as 1 and confederation segments
 * not at all; AS4_PATH ignored when longer than AS_PATH, or when an
 * AS4_AGGREGATOR came with an AGGREGATOR whose AS is not AS_TRANS;
 * AS_CONFED segments of AS4_PATH left out, RFC 6793 6), AGGREGATOR
 * replaced by AS4_AGGREGATOR when its AS is AS_TRANS. Both AS4_
 * attributes are removed. The widened AS_PATH is written into out, which
 * must outlive a. Returns false if out was too small (AS_PATH is then
 * empty).
 */
bool mesh_bgp_as4_merge(struct mesh_bgp_attrs *a, struct mesh_wbuf *out);

/* Name of an attribute type ("ORIGIN", "MESH", NULL if no row). */
const char *mesh_bgp_attr_name(const struct mesh_bgp_ctx *ctx, uint8_t type);
/* Encodes one attribute from its row; false if no row, not present or
 * no room. */
bool mesh_bgp_attr_encode(struct mesh_wbuf *w, const struct mesh_bgp_ctx *ctx,
			  const struct mesh_bgp_attrs *a, uint8_t type);
/* Encodes every present attribute in type-code order, then the
 * pass-on attributes with Partial set. */
bool mesh_bgp_attrs_encode(struct mesh_wbuf *w, const struct mesh_bgp_ctx *ctx,
			   const struct mesh_bgp_attrs *a);
/* true if both hold the same attribute values (pass-on compared by
 * type and value). */
bool mesh_bgp_attrs_equal(const struct mesh_bgp_attrs *a,
			  const struct mesh_bgp_attrs *b);
/* Only the pass-on attributes of a (first of each type, Optional,
 * Transitive and Partial set, extended length above 255 octets). */
bool mesh_bgp_passon_encode(struct mesh_wbuf *w,
			    const struct mesh_bgp_attrs *a);
/* Walks a block of raw path attributes (struct mesh_bgp_attrs.raw): true
 * with the next attribute's flags, type and value, false at the end or at
 * an attribute cut short. */
bool mesh_bgp_raw_next(struct mesh_rbuf *b, uint8_t *flags, uint8_t *type,
		       struct mesh_rbuf *val);
/* A whole UPDATE from already-encoded withdrawn and NLRI fields. */
bool mesh_bgp_update_encode(struct mesh_wbuf *w, const struct mesh_bgp_ctx *ctx,
			    const struct mesh_bgp_bytes *withdrawn,
			    const struct mesh_bgp_attrs *a,
			    const struct mesh_bgp_bytes *nlri);
/* End-of-RIB marker for afi/safi (empty UPDATE for IPv4 unicast). */
bool mesh_bgp_eor_encode(struct mesh_wbuf *w, uint16_t afi, uint8_t safi);

/* ---- NLRI ---- */

/*
 * Prefixes are canonicalised: bits beyond the prefix length are zeroed
 * on decode (RFC 4271 calls them irrelevant), never rejected.
 */
struct mesh_bgp_prefix {
	uint16_t afi;
	uint8_t plen;
	bool has_path_id;
	uint32_t path_id;
	uint8_t addr[16];
};

struct mesh_bgp_nlri_iter {
	struct mesh_rbuf b;
	uint16_t afi;
	bool addpath;
};

void mesh_bgp_nlri_iter_init(struct mesh_bgp_nlri_iter *it,
			     const struct mesh_bgp_bytes *nlri, uint16_t afi,
			     bool addpath);
/* 1: *p filled; 0: end; -1: malformed (never for an accepted UPDATE). */
int mesh_bgp_nlri_iter_next(struct mesh_bgp_nlri_iter *it,
			    struct mesh_bgp_prefix *p);
/* Whether path identifiers are present for afi on receive/send. */
bool mesh_bgp_ctx_addpath(const struct mesh_bgp_ctx *ctx, uint16_t afi,
			  bool tx);

/*
 * Packs prefixes sharing one attribute set into UPDATE messages of at
 * most the negotiated size. IPv4 unicast uses the NLRI / Withdrawn
 * fields; IPv6 unicast uses MP_REACH_NLRI (next hop from attrs.mp_reach.nh)
 * or MP_UNREACH_NLRI. Call mesh_bgp_pack_next() until it returns 0.
 */
struct mesh_bgp_pack {
	const struct mesh_bgp_ctx *ctx;
	const struct mesh_bgp_attrs *attrs; /* NULL for withdrawals */
	uint16_t afi;
	uint8_t safi;
	bool withdraw;
	const struct mesh_bgp_prefix *pfx;
	size_t n_pfx;
	size_t next; /* first prefix not yet packed */
};

/* Writes one message into w (which is reset); returns the number of
 * prefixes it carries, 0 when all are done, -1 if nothing fits. */
int mesh_bgp_pack_next(struct mesh_bgp_pack *p, struct mesh_wbuf *w);

/* ---- NOTIFICATION, KEEPALIVE, ROUTE-REFRESH ---- */

enum mesh_bgp_shut_status {
	MESH_BGP_SHUT_NONE = 0,	 /* not a shutdown communication */
	MESH_BGP_SHUT_EMPTY,	 /* Cease 2/4 without or with empty text */
	MESH_BGP_SHUT_OK,	 /* text is valid UTF-8 */
	MESH_BGP_SHUT_TRUNCATED, /* length byte runs past the message */
	MESH_BGP_SHUT_BAD_UTF8,	 /* not UTF-8: never interpret */
};

struct mesh_bgp_notification {
	uint8_t code;
	uint8_t subcode;
	struct mesh_bgp_bytes data;
	enum mesh_bgp_shut_status shut;
	struct mesh_bgp_bytes shut_text; /* valid only if shut == OK */
};

enum mesh_bgp_action mesh_bgp_notification_decode(
	const uint8_t *msg, size_t len, const struct mesh_bgp_ctx *ctx,
	struct mesh_bgp_notification *n, struct mesh_bgp_verdict *v);
bool mesh_bgp_notify_encode(struct mesh_wbuf *w,
			    const struct mesh_bgp_notify *n);
/* Cease with a shutdown communication; text is cut to 255 octets at a
 * UTF-8 character boundary. */
bool mesh_bgp_notify_shutdown_encode(struct mesh_wbuf *w, uint8_t subcode,
				     const char *text);
/* Flattens the NOTIFICATION data (local then ref) into buf; returns its
 * full length. */
size_t mesh_bgp_notify_data(const struct mesh_bgp_notify *n, uint8_t *buf,
			    size_t size);

bool mesh_bgp_keepalive_encode(struct mesh_wbuf *w);

struct mesh_bgp_rr {
	uint16_t afi;
	uint8_t subtype;
	uint8_t safi;
	bool ignore;		   /* unknown subtype: ignore the message */
	struct mesh_bgp_bytes orf; /* trailing ORF entries, not parsed */
};

enum mesh_bgp_action mesh_bgp_rr_decode(const uint8_t *msg, size_t len,
					const struct mesh_bgp_ctx *ctx,
					struct mesh_bgp_rr *rr,
					struct mesh_bgp_verdict *v);
bool mesh_bgp_rr_encode(struct mesh_wbuf *w, uint16_t afi, uint8_t safi,
			uint8_t subtype);

/* ---- Any message ---- */

struct mesh_bgp_msg {
	uint8_t type;
	size_t len;
	union {
		struct mesh_bgp_open open;
		struct mesh_bgp_update update;
		struct mesh_bgp_notification notification;
		struct mesh_bgp_rr rr;
	} u;
};

/* Frames (an incomplete message is a header length error here) and
 * decodes one whole message by type. */
enum mesh_bgp_action mesh_bgp_msg_decode(const uint8_t *msg, size_t len,
					 const struct mesh_bgp_ctx *ctx,
					 struct mesh_bgp_msg *m,
					 struct mesh_bgp_verdict *v);

/* ---- Text ---- */

const char *mesh_bgp_action_name(enum mesh_bgp_action a);
const char *mesh_bgp_msg_type_name(uint8_t type);
/* All formatters write a NUL-terminated string, truncating to size, and
 * return the length they would have written (snprintf rule). */
size_t mesh_bgp_finding_fmt(char *buf, size_t size,
			    const struct mesh_bgp_finding *f);
size_t mesh_bgp_verdict_fmt(char *buf, size_t size,
			    const struct mesh_bgp_verdict *v);
size_t mesh_bgp_update_fmt(char *buf, size_t size,
			   const struct mesh_bgp_ctx *ctx,
			   const struct mesh_bgp_update *u);
size_t mesh_bgp_open_fmt(char *buf, size_t size, const struct mesh_bgp_open *o);
size_t mesh_bgp_notification_fmt(char *buf, size_t size,
				 const struct mesh_bgp_notification *n);
/* "0000  ff ff ..." lines of 16 octets, for logging a whole malformed
 * UPDATE (RFC 7606 6). */
size_t mesh_bgp_hexdump(char *buf, size_t size, const uint8_t *p, size_t len);

#endif /* MESH_BGP_WIRE_H */
