// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The mesh path attribute codec.
 *
 * One descriptor table lists the known TLV types: name, length bounds,
 * whether the type may appear once only, and the decode, encode, format
 * and JSON functions. A type is "known" when it has a row. The
 * dispatcher in mesh_attr_decode() frames every TLV, cuts a mesh_rbuf
 * of exactly its value, hands it to the row's decoder and checks that
 * the decoder consumed it exactly; decoders never see a byte of their
 * neighbours. Everything else (unknown types, repeated singletons, the
 * signature-last rule) is decided by the dispatcher.
 *
 * The encoder always writes the canonical form of doc/mesh-attribute.md
 * (ascending type order, signature last); the signed data is the same
 * canonical form without the signature and the mutable TLVs, so it does
 * not depend on the order in which a TLV arrived.
 *
 * Standards: RFC 7606 (error handling, section 8), RFC 8571 and RFC 8570
 * (units of delay, loss and bandwidth), RFC 8032 (Ed25519).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <openssl/evp.h>

#include "mesh_attr.h"
#include "mesh_buf.h"

/* Domain separation prefix of the signed data. */
static const uint8_t mesh_attr_sig_context[8] = {'m', 'e', 's', 'h',
						 'a', 't', 't', 'r'};

/* Text output that never overruns; stops appending once full. */
struct mesh_fmt {
	char *buf;
	size_t size;
	size_t len;
};

static void __attribute__((format(printf, 2, 3)))
mesh_fmt_add(struct mesh_fmt *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (f->len >= f->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(f->buf + f->len, f->size - f->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= f->size - f->len)
		f->len = f->size;
	else
		f->len += (size_t)n;
}

static void mesh_fmt_node(char *buf, size_t size, uint32_t id)
{
	snprintf(buf, size, "%u.%u.%u.%u", id >> 24, (id >> 16) & 0xff,
		 (id >> 8) & 0xff, id & 0xff);
}

static void mesh_key_base64(const uint8_t *key, char out[48])
{
	EVP_EncodeBlock((unsigned char *)out, key, MESH_ATTR_PUBKEY_LEN);
}

static struct json_object *mesh_json_node(uint32_t id)
{
	char s[16];

	mesh_fmt_node(s, sizeof(s), id);
	return json_object_new_string(s);
}

/* ------------------------------------------------------------------ */
/* Value checks shared by the decoder and the encoder.                */

/* RFC 8571 bandwidth: a non-negative finite binary32. */
static bool mesh_attr_bw_valid(uint32_t bits)
{
	if (bits & 0x80000000u)
		return false; /* negative (or -0) */
	if ((bits & 0x7f800000u) == 0x7f800000u)
		return false; /* infinity or NaN */
	return true;
}

static bool mesh_attr_link_check(const struct mesh_attr_link *l, char *why,
				 size_t whylen)
{
	if (l->neighbor == 0) {
		snprintf(why, whylen, "neighbor node ID is 0");
		return false;
	}
	if (l->delay_us > MESH_ATTR_U24_MAX ||
	    l->delay_var_us > MESH_ATTR_U24_MAX ||
	    l->loss > MESH_ATTR_U24_MAX) {
		snprintf(why, whylen, "24-bit field out of range");
		return false;
	}
	if (!mesh_attr_bw_valid(l->max_bw_bits)) {
		snprintf(
			why, whylen,
			"maximum bandwidth 0x%08x is negative, NaN or infinite",
			l->max_bw_bits);
		return false;
	}
	if (!mesh_attr_bw_valid(l->avail_bw_bits)) {
		snprintf(why, whylen,
			 "available bandwidth 0x%08x is negative, NaN or "
			 "infinite",
			 l->avail_bw_bits);
		return false;
	}
	return true;
}

static size_t mesh_attr_afi_addr_len(uint16_t afi)
{
	switch (afi) {
	case MESH_ATTR_AFI_IPV4:
		return 4;
	case MESH_ATTR_AFI_IPV6:
		return 16;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Per-TLV decode, encode, format and JSON.                           */

static size_t mesh_tlv_begin(struct mesh_wbuf *w, uint16_t type)
{
	mesh_wbuf_u16(w, type);
	return mesh_wbuf_mark16(w);
}

static void mesh_tlv_end(struct mesh_wbuf *w, size_t mark)
{
	size_t vlen = w->len - mark - 2;

	if (w->err)
		return;
	if (vlen > UINT16_MAX) {
		w->err = true;
		return;
	}
	mesh_wbuf_put16_at(w, mark, (uint16_t)vlen);
}

/* Node ID TLVs (originator, prefix owner): 4 octets, never 0. */
static bool mesh_node_id_decode(struct mesh_rbuf *b, uint32_t *id, char *why,
				size_t whylen)
{
	mesh_rbuf_u32(b, id);
	if (!b->err && *id == 0) {
		snprintf(why, whylen, "node ID is 0");
		return false;
	}
	return true;
}

static bool mesh_tlv_originator_decode(struct mesh_rbuf *b, struct mesh_attr *a,
				       char *why, size_t whylen)
{
	return mesh_node_id_decode(b, &a->originator, why, whylen);
}

static void mesh_tlv_originator_encode(const struct mesh_attr *a,
				       struct mesh_wbuf *w)
{
	size_t m = mesh_tlv_begin(w, MESH_ATTR_TLV_ORIGINATOR);

	mesh_wbuf_u32(w, a->originator);
	mesh_tlv_end(w, m);
}

static void mesh_tlv_originator_format(const struct mesh_attr *a,
				       struct mesh_fmt *f)
{
	char s[16];

	mesh_fmt_node(s, sizeof(s), a->originator);
	mesh_fmt_add(f, " originator %s", s);
}

static void mesh_tlv_originator_json(const struct mesh_attr *a,
				     struct json_object *jo)
{
	json_object_object_add(jo, "originator", mesh_json_node(a->originator));
}

static bool mesh_tlv_sequence_decode(struct mesh_rbuf *b, struct mesh_attr *a,
				     char *why, size_t whylen)
{
	uint32_t hi = 0, lo = 0;

	(void)why;
	(void)whylen;
	/* Two halves rather than mesh_rbuf_u64(), which trips gcc 12's
	 * -Wmaybe-uninitialized when inlined here. */
	mesh_rbuf_u32(b, &hi);
	mesh_rbuf_u32(b, &lo);
	a->sequence = ((uint64_t)hi << 32) | lo;
	return true;
}

static void mesh_tlv_sequence_encode(const struct mesh_attr *a,
				     struct mesh_wbuf *w)
{
	size_t m = mesh_tlv_begin(w, MESH_ATTR_TLV_SEQUENCE);

	mesh_wbuf_u64(w, a->sequence);
	mesh_tlv_end(w, m);
}

static void mesh_tlv_sequence_format(const struct mesh_attr *a,
				     struct mesh_fmt *f)
{
	mesh_fmt_add(f, " seq %llu", (unsigned long long)a->sequence);
}

static void mesh_tlv_sequence_json(const struct mesh_attr *a,
				   struct json_object *jo)
{
	json_object_object_add(jo, "sequence",
			       json_object_new_uint64(a->sequence));
}

static bool mesh_tlv_tenant_decode(struct mesh_rbuf *b, struct mesh_attr *a,
				   char *why, size_t whylen)
{
	(void)why;
	(void)whylen;
	mesh_rbuf_u32(b, &a->tenant);
	return true;
}

static void mesh_tlv_tenant_encode(const struct mesh_attr *a,
				   struct mesh_wbuf *w)
{
	size_t m = mesh_tlv_begin(w, MESH_ATTR_TLV_TENANT);

	mesh_wbuf_u32(w, a->tenant);
	mesh_tlv_end(w, m);
}

static void mesh_tlv_tenant_format(const struct mesh_attr *a,
				   struct mesh_fmt *f)
{
	mesh_fmt_add(f, " tenant %u", a->tenant);
}

static void mesh_tlv_tenant_json(const struct mesh_attr *a,
				 struct json_object *jo)
{
	json_object_object_add(jo, "tenantId",
			       json_object_new_int64(a->tenant));
}

static bool mesh_tlv_ivn_decode(struct mesh_rbuf *b, struct mesh_attr *a,
				char *why, size_t whylen)
{
	(void)why;
	(void)whylen;
	mesh_rbuf_u32(b, &a->ivn);
	return true;
}

static void mesh_tlv_ivn_encode(const struct mesh_attr *a, struct mesh_wbuf *w)
{
	size_t m = mesh_tlv_begin(w, MESH_ATTR_TLV_IVN);

	mesh_wbuf_u32(w, a->ivn);
	mesh_tlv_end(w, m);
}

static void mesh_tlv_ivn_format(const struct mesh_attr *a, struct mesh_fmt *f)
{
	mesh_fmt_add(f, " ivn %u", a->ivn);
}

static void mesh_tlv_ivn_json(const struct mesh_attr *a, struct json_object *jo)
{
	json_object_object_add(jo, "ivnId", json_object_new_int64(a->ivn));
}

static bool mesh_tlv_link_decode(struct mesh_rbuf *b, struct mesh_attr *a,
				 char *why, size_t whylen)
{
	struct mesh_attr_link l = {0};
	uint16_t i;

	mesh_rbuf_u32(b, &l.neighbor);
	mesh_rbuf_u8(b, &l.flags);
	mesh_rbuf_u24(b, &l.delay_us);
	mesh_rbuf_u8(b, &l.reserved_dv);
	mesh_rbuf_u24(b, &l.delay_var_us);
	mesh_rbuf_u8(b, &l.reserved_loss);
	mesh_rbuf_u24(b, &l.loss);
	mesh_rbuf_u32(b, &l.max_bw_bits);
	mesh_rbuf_u32(b, &l.avail_bw_bits);
	if (b->err)
		return true; /* the dispatcher reports the short read */
	if (!mesh_attr_link_check(&l, why, whylen))
		return false;

	/* A second Link TLV to the same neighbor is ignored. */
	for (i = 0; i < a->n_links; i++) {
		if (a->links[i].neighbor == l.neighbor) {
			a->n_ignored++;
			return true;
		}
	}
	if (a->n_links >= MESH_ATTR_MAX_LINKS) {
		snprintf(why, whylen, "more than %u Link TLVs",
			 MESH_ATTR_MAX_LINKS);
		return false;
	}
	a->links[a->n_links++] = l;
	return true;
}

static void mesh_tlv_link_encode(const struct mesh_attr *a, struct mesh_wbuf *w)
{
	uint16_t i;

	for (i = 0; i < a->n_links; i++) {
		const struct mesh_attr_link *l = &a->links[i];
		size_t m = mesh_tlv_begin(w, MESH_ATTR_TLV_LINK);

		mesh_wbuf_u32(w, l->neighbor);
		mesh_wbuf_u32(w, ((uint32_t)l->flags << 24) | l->delay_us);
		mesh_wbuf_u32(w, ((uint32_t)l->reserved_dv << 24) |
					 l->delay_var_us);
		mesh_wbuf_u32(w, ((uint32_t)l->reserved_loss << 24) | l->loss);
		mesh_wbuf_u32(w, l->max_bw_bits);
		mesh_wbuf_u32(w, l->avail_bw_bits);
		mesh_tlv_end(w, m);
	}
}

static void mesh_tlv_link_format(const struct mesh_attr *a, struct mesh_fmt *f)
{
	uint16_t i;
	char s[16];

	for (i = 0; i < a->n_links && i < MESH_ATTR_MAX_LINKS; i++) {
		const struct mesh_attr_link *l = &a->links[i];

		mesh_fmt_node(s, sizeof(s), l->neighbor);
		mesh_fmt_add(
			f,
			"\n  link %s %s%s%sdelay %uus jitter %uus loss %.6f%% "
			"max-bw %.0fB/s avail-bw %.0fB/s",
			s, (l->flags & MESH_ATTR_LINK_F_UP) ? "up " : "down ",
			(l->flags & MESH_ATTR_LINK_F_ANOMALOUS) ? "anomalous "
								: "",
			(l->flags & MESH_ATTR_LINK_F_BACKUP) ? "backup " : "",
			l->delay_us, l->delay_var_us,
			mesh_attr_loss_percent(l->loss),
			(double)mesh_attr_bw_to_float(l->max_bw_bits),
			(double)mesh_attr_bw_to_float(l->avail_bw_bits));
	}
}

static void mesh_tlv_link_json(const struct mesh_attr *a,
			       struct json_object *jo)
{
	struct json_object *arr = json_object_new_array();
	uint16_t i;

	for (i = 0; i < a->n_links && i < MESH_ATTR_MAX_LINKS; i++) {
		const struct mesh_attr_link *l = &a->links[i];
		struct json_object *jl = json_object_new_object();

		json_object_object_add(jl, "neighbor",
				       mesh_json_node(l->neighbor));
		json_object_object_add(jl, "up",
				       json_object_new_boolean(
					       l->flags & MESH_ATTR_LINK_F_UP));
		json_object_object_add(
			jl, "anomalous",
			json_object_new_boolean(l->flags &
						MESH_ATTR_LINK_F_ANOMALOUS));
		json_object_object_add(
			jl, "backup",
			json_object_new_boolean(l->flags &
						MESH_ATTR_LINK_F_BACKUP));
		json_object_object_add(jl, "delayUs",
				       json_object_new_int64(l->delay_us));
		json_object_object_add(jl, "delayVariationUs",
				       json_object_new_int64(l->delay_var_us));
		json_object_object_add(jl, "loss",
				       json_object_new_int64(l->loss));
		json_object_object_add(
			jl, "lossPercent",
			json_object_new_double(
				mesh_attr_loss_percent(l->loss)));
		json_object_object_add(
			jl, "maxBandwidthBytesPerSec",
			json_object_new_double(
				mesh_attr_bw_to_float(l->max_bw_bits)));
		json_object_object_add(
			jl, "availBandwidthBytesPerSec",
			json_object_new_double(
				mesh_attr_bw_to_float(l->avail_bw_bits)));
		json_object_array_add(arr, jl);
	}
	json_object_object_add(jo, "links", arr);
}

static bool mesh_tlv_endpoint_decode(struct mesh_rbuf *b, struct mesh_attr *a,
				     char *why, size_t whylen)
{
	struct mesh_attr_endpoint *ep = &a->endpoint;
	size_t alen, total = mesh_rbuf_left(b);

	memset(ep, 0, sizeof(*ep));
	mesh_rbuf_u16(b, &ep->afi);
	mesh_rbuf_u16(b, &ep->port);
	if (b->err)
		return true;
	alen = mesh_attr_afi_addr_len(ep->afi);
	if (!alen) {
		snprintf(why, whylen, "unknown address family %u", ep->afi);
		return false;
	}
	if (total != 4 + alen + MESH_ATTR_PUBKEY_LEN) {
		snprintf(why, whylen,
			 "length %zu does not match AFI %u (expected %zu)",
			 total, ep->afi, 4 + alen + MESH_ATTR_PUBKEY_LEN);
		return false;
	}
	if (ep->port == 0) {
		snprintf(why, whylen, "UDP port is 0");
		return false;
	}
	mesh_rbuf_bytes(b, ep->addr, alen);
	mesh_rbuf_bytes(b, ep->pubkey, MESH_ATTR_PUBKEY_LEN);
	return true;
}

static void mesh_tlv_endpoint_encode(const struct mesh_attr *a,
				     struct mesh_wbuf *w)
{
	const struct mesh_attr_endpoint *ep = &a->endpoint;
	size_t m = mesh_tlv_begin(w, MESH_ATTR_TLV_ENDPOINT);

	mesh_wbuf_u16(w, ep->afi);
	mesh_wbuf_u16(w, ep->port);
	mesh_wbuf_bytes(w, ep->addr, mesh_attr_afi_addr_len(ep->afi));
	mesh_wbuf_bytes(w, ep->pubkey, MESH_ATTR_PUBKEY_LEN);
	mesh_tlv_end(w, m);
}

static void mesh_endpoint_addr_str(const struct mesh_attr_endpoint *ep, char *s,
				   size_t size)
{
	int af = ep->afi == MESH_ATTR_AFI_IPV6 ? AF_INET6 : AF_INET;

	if (!inet_ntop(af, ep->addr, s, (socklen_t)size))
		snprintf(s, size, "?");
}

static void mesh_tlv_endpoint_format(const struct mesh_attr *a,
				     struct mesh_fmt *f)
{
	char addr[INET6_ADDRSTRLEN], key[48];

	mesh_endpoint_addr_str(&a->endpoint, addr, sizeof(addr));
	mesh_key_base64(a->endpoint.pubkey, key);
	mesh_fmt_add(f, "\n  endpoint %s port %u key %s", addr,
		     a->endpoint.port, key);
}

static void mesh_tlv_endpoint_json(const struct mesh_attr *a,
				   struct json_object *jo)
{
	struct json_object *je = json_object_new_object();
	char addr[INET6_ADDRSTRLEN], key[48];

	mesh_endpoint_addr_str(&a->endpoint, addr, sizeof(addr));
	mesh_key_base64(a->endpoint.pubkey, key);
	json_object_object_add(
		je, "afi",
		json_object_new_string(a->endpoint.afi == MESH_ATTR_AFI_IPV6
					       ? "ipv6"
					       : "ipv4"));
	json_object_object_add(je, "address", json_object_new_string(addr));
	json_object_object_add(je, "port",
			       json_object_new_int(a->endpoint.port));
	json_object_object_add(je, "publicKey", json_object_new_string(key));
	json_object_object_add(
		je, "usable",
		json_object_new_boolean(mesh_attr_endpoint_usable(a)));
	json_object_object_add(jo, "endpoint", je);
}

static bool mesh_tlv_prefix_owner_decode(struct mesh_rbuf *b,
					 struct mesh_attr *a, char *why,
					 size_t whylen)
{
	return mesh_node_id_decode(b, &a->prefix_owner, why, whylen);
}

static void mesh_tlv_prefix_owner_encode(const struct mesh_attr *a,
					 struct mesh_wbuf *w)
{
	size_t m = mesh_tlv_begin(w, MESH_ATTR_TLV_PREFIX_OWNER);

	mesh_wbuf_u32(w, a->prefix_owner);
	mesh_tlv_end(w, m);
}

static void mesh_tlv_prefix_owner_format(const struct mesh_attr *a,
					 struct mesh_fmt *f)
{
	char s[16];

	mesh_fmt_node(s, sizeof(s), a->prefix_owner);
	mesh_fmt_add(f, "\n  prefix-owner %s", s);
}

static void mesh_tlv_prefix_owner_json(const struct mesh_attr *a,
				       struct json_object *jo)
{
	json_object_object_add(jo, "prefixOwner",
			       mesh_json_node(a->prefix_owner));
}

/* Insert into a sorted set of tags (the caller leaves room for one
 * more); false if it was already there. */
static bool mesh_tags_insert(uint32_t *tags, uint16_t *n, uint32_t tag)
{
	uint16_t i = 0;

	while (i < *n && tags[i] < tag)
		i++;
	if (i < *n && tags[i] == tag)
		return false;
	memmove(&tags[i + 1], &tags[i], (size_t)(*n - i) * sizeof(*tags));
	tags[i] = tag;
	(*n)++;
	return true;
}

static bool mesh_tlv_seg_tags_decode(struct mesh_rbuf *b, struct mesh_attr *a,
				     char *why, size_t whylen)
{
	uint32_t tag = 0;

	if (mesh_rbuf_left(b) % 4) {
		snprintf(why, whylen, "length %zu is not a multiple of 4",
			 mesh_rbuf_left(b));
		return false;
	}
	a->n_tags = 0;
	/* The length bound (max_len) guarantees MESH_ATTR_MAX_TAGS. */
	while (mesh_rbuf_left(b) >= 4 && a->n_tags < MESH_ATTR_MAX_TAGS) {
		mesh_rbuf_u32(b, &tag);
		mesh_tags_insert(a->tags, &a->n_tags, tag);
	}
	return true;
}

static void mesh_tlv_seg_tags_encode(const struct mesh_attr *a,
				     struct mesh_wbuf *w)
{
	size_t m = mesh_tlv_begin(w, MESH_ATTR_TLV_SEG_TAGS);
	uint16_t i;

	for (i = 0; i < a->n_tags; i++)
		mesh_wbuf_u32(w, a->tags[i]);
	mesh_tlv_end(w, m);
}

static void mesh_tlv_seg_tags_format(const struct mesh_attr *a,
				     struct mesh_fmt *f)
{
	uint16_t i;

	mesh_fmt_add(f, "\n  tags");
	for (i = 0; i < a->n_tags && i < MESH_ATTR_MAX_TAGS; i++)
		mesh_fmt_add(f, " %u", a->tags[i]);
}

static void mesh_tlv_seg_tags_json(const struct mesh_attr *a,
				   struct json_object *jo)
{
	struct json_object *arr = json_object_new_array();
	uint16_t i;

	for (i = 0; i < a->n_tags && i < MESH_ATTR_MAX_TAGS; i++)
		json_object_array_add(arr, json_object_new_int64(a->tags[i]));
	json_object_object_add(jo, "segmentationTags", arr);
}

static bool mesh_tlv_signature_decode(struct mesh_rbuf *b, struct mesh_attr *a,
				      char *why, size_t whylen)
{
	(void)why;
	(void)whylen;
	mesh_rbuf_u32(b, &a->sig_key_id);
	mesh_rbuf_bytes(b, a->sig, MESH_ATTR_SIG_LEN);
	return true;
}

static void mesh_tlv_signature_encode(const struct mesh_attr *a,
				      struct mesh_wbuf *w)
{
	size_t m = mesh_tlv_begin(w, MESH_ATTR_TLV_SIGNATURE);

	mesh_wbuf_u32(w, a->sig_key_id);
	mesh_wbuf_bytes(w, a->sig, MESH_ATTR_SIG_LEN);
	mesh_tlv_end(w, m);
}

static void mesh_tlv_signature_format(const struct mesh_attr *a,
				      struct mesh_fmt *f)
{
	mesh_fmt_add(f, "\n  signature key-id %u %s", a->sig_key_id,
		     mesh_attr_sig_status_str(a->sig_status));
}

static void mesh_tlv_signature_json(const struct mesh_attr *a,
				    struct json_object *jo)
{
	json_object_object_add(jo, "signatureKeyId",
			       json_object_new_int64(a->sig_key_id));
}

static bool mesh_tlv_path_latency_decode(struct mesh_rbuf *b,
					 struct mesh_attr *a, char *why,
					 size_t whylen)
{
	(void)why;
	(void)whylen;
	mesh_rbuf_u32(b, &a->path_latency_us);
	return true;
}

static void mesh_tlv_path_latency_encode(const struct mesh_attr *a,
					 struct mesh_wbuf *w)
{
	size_t m = mesh_tlv_begin(w, MESH_ATTR_TLV_PATH_LATENCY);

	mesh_wbuf_u32(w, a->path_latency_us);
	mesh_tlv_end(w, m);
}

static void mesh_tlv_path_latency_format(const struct mesh_attr *a,
					 struct mesh_fmt *f)
{
	mesh_fmt_add(f, " path-latency %uus", a->path_latency_us);
}

static void mesh_tlv_path_latency_json(const struct mesh_attr *a,
				       struct json_object *jo)
{
	json_object_object_add(jo, "pathLatencyUs",
			       json_object_new_int64(a->path_latency_us));
}

/* ------------------------------------------------------------------ */
/* The descriptor table, in ascending type order.                     */

struct mesh_tlv_desc {
	uint16_t type;
	const char *name;
	uint16_t min_len;
	uint16_t max_len;
	uint32_t has; /* presence bit of a singleton; 0 if repeatable */
	bool (*decode)(struct mesh_rbuf *b, struct mesh_attr *a, char *why,
		       size_t whylen);
	void (*encode)(const struct mesh_attr *a, struct mesh_wbuf *w);
	void (*format)(const struct mesh_attr *a, struct mesh_fmt *f);
	void (*json)(const struct mesh_attr *a, struct json_object *jo);
};

#define MESH_TLV_ROW(t, n, lo, hi, h, fn)                                      \
	{                                                                      \
		.type = (t), .name = (n), .min_len = (lo), .max_len = (hi),    \
		.has = (h), .decode = mesh_tlv_##fn##_decode,                  \
		.encode = mesh_tlv_##fn##_encode,                              \
		.format = mesh_tlv_##fn##_format, .json = mesh_tlv_##fn##_json \
	}

static const struct mesh_tlv_desc mesh_tlv_table[] = {
	MESH_TLV_ROW(MESH_ATTR_TLV_ORIGINATOR, "originator", 4, 4,
		     MESH_ATTR_HAS_ORIGINATOR, originator),
	MESH_TLV_ROW(MESH_ATTR_TLV_SEQUENCE, "sequence", 8, 8,
		     MESH_ATTR_HAS_SEQUENCE, sequence),
	MESH_TLV_ROW(MESH_ATTR_TLV_TENANT, "tenant", 4, 4, MESH_ATTR_HAS_TENANT,
		     tenant),
	MESH_TLV_ROW(MESH_ATTR_TLV_IVN, "ivn", 4, 4, MESH_ATTR_HAS_IVN, ivn),
	MESH_TLV_ROW(MESH_ATTR_TLV_LINK, "link", 24, 24, 0, link),
	MESH_TLV_ROW(MESH_ATTR_TLV_ENDPOINT, "tunnel-endpoint",
		     4 + 4 + MESH_ATTR_PUBKEY_LEN,
		     4 + 16 + MESH_ATTR_PUBKEY_LEN, MESH_ATTR_HAS_ENDPOINT,
		     endpoint),
	MESH_TLV_ROW(MESH_ATTR_TLV_PREFIX_OWNER, "prefix-owner", 4, 4,
		     MESH_ATTR_HAS_PREFIX_OWNER, prefix_owner),
	MESH_TLV_ROW(MESH_ATTR_TLV_SEG_TAGS, "segmentation-tags", 4,
		     4 * MESH_ATTR_MAX_TAGS, MESH_ATTR_HAS_SEG_TAGS, seg_tags),
	MESH_TLV_ROW(MESH_ATTR_TLV_SIGNATURE, "signature",
		     4 + MESH_ATTR_SIG_LEN, 4 + MESH_ATTR_SIG_LEN,
		     MESH_ATTR_HAS_SIGNATURE, signature),
	MESH_TLV_ROW(MESH_ATTR_TLV_PATH_LATENCY, "path-latency", 4, 4,
		     MESH_ATTR_HAS_PATH_LATENCY, path_latency),
};

#define MESH_TLV_TABLE_SIZE (sizeof(mesh_tlv_table) / sizeof(mesh_tlv_table[0]))

static const struct mesh_tlv_desc *mesh_tlv_desc_find(uint16_t type)
{
	size_t i;

	for (i = 0; i < MESH_TLV_TABLE_SIZE; i++)
		if (mesh_tlv_table[i].type == type)
			return &mesh_tlv_table[i];
	return NULL;
}

static bool mesh_attr_tlv_reserved(uint16_t type)
{
	return type == 0 || type == MESH_ATTR_TLV_MUTABLE || type == 0xffff;
}

const char *mesh_attr_tlv_name(uint16_t type)
{
	const struct mesh_tlv_desc *d = mesh_tlv_desc_find(type);

	return d ? d->name : NULL;
}

/* ------------------------------------------------------------------ */
/* Decoding.                                                          */

void mesh_attr_init(struct mesh_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->version = MESH_ATTR_VERSION;
	a->sig_status = MESH_ATTR_SIG_UNSIGNED;
}

static enum mesh_attr_result __attribute__((format(printf, 4, 5)))
mesh_attr_fail(enum mesh_attr_result r, char *err, size_t errlen,
	       const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return r;
}

static void mesh_attr_links_sort(struct mesh_attr_link *links, uint16_t n)
{
	uint16_t i, j;

	for (i = 1; i < n; i++) {
		struct mesh_attr_link l = links[i];

		for (j = i; j > 0 && links[j - 1].neighbor > l.neighbor; j--)
			links[j] = links[j - 1];
		links[j] = l;
	}
}

/* Stable: TLVs of one unknown type keep their received order. */
static void mesh_attr_unknown_sort(struct mesh_attr_unknown *u, uint16_t n)
{
	uint16_t i, j;

	for (i = 1; i < n; i++) {
		struct mesh_attr_unknown x = u[i];

		for (j = i; j > 0 && u[j - 1].type > x.type; j--)
			u[j] = u[j - 1];
		u[j] = x;
	}
}

enum mesh_attr_result mesh_attr_decode(const uint8_t *buf, size_t len,
				       struct mesh_attr *out, char *err,
				       size_t errlen)
{
	struct mesh_rbuf b, v;
	bool seen_sig = false;
	char why[128];

	mesh_attr_init(out);
	if (err && errlen)
		err[0] = '\0';
	out->raw_len = len;

	if (!buf || len == 0)
		return mesh_attr_fail(MESH_ATTR_MALFORMED, err, errlen,
				      "zero-length attribute");
	if (len > MESH_ATTR_MAX_LEN)
		return mesh_attr_fail(MESH_ATTR_MALFORMED, err, errlen,
				      "attribute length %zu exceeds %u", len,
				      MESH_ATTR_MAX_LEN);

	mesh_rbuf_init(&b, buf, len);
	mesh_rbuf_u8(&b, &out->version);
	if (out->version != MESH_ATTR_VERSION)
		return mesh_attr_fail(MESH_ATTR_UNSUPPORTED, err, errlen,
				      "unsupported version %u", out->version);
	if (!mesh_rbuf_u8(&b, &out->flags))
		return mesh_attr_fail(MESH_ATTR_MALFORMED, err, errlen,
				      "attribute header truncated (%zu octet)",
				      len);

	while (mesh_rbuf_left(&b) > 0) {
		size_t off = mesh_rbuf_pos(&b);
		const struct mesh_tlv_desc *d;
		uint16_t type = 0, tlen = 0;

		if (mesh_rbuf_left(&b) < MESH_ATTR_TLV_HDR_LEN)
			return mesh_attr_fail(MESH_ATTR_MALFORMED, err, errlen,
					      "truncated TLV header at offset "
					      "%zu (%zu octets left)",
					      off, mesh_rbuf_left(&b));
		mesh_rbuf_u16(&b, &type);
		mesh_rbuf_u16(&b, &tlen);
		if (seen_sig)
			return mesh_attr_fail(MESH_ATTR_MALFORMED, err, errlen,
					      "TLV type %u at offset %zu "
					      "follows the signature TLV",
					      type, off);
		if (!mesh_rbuf_sub(&b, tlen, &v))
			return mesh_attr_fail(
				MESH_ATTR_MALFORMED, err, errlen,
				"TLV type %u at offset %zu: length %u exceeds "
				"the %zu octets left",
				type, off, tlen,
				len - off - MESH_ATTR_TLV_HDR_LEN);
		if (mesh_attr_tlv_reserved(type))
			return mesh_attr_fail(
				MESH_ATTR_MALFORMED, err, errlen,
				"reserved TLV type %u at offset %zu", type,
				off);

		d = mesh_tlv_desc_find(type);
		if (!d) {
			struct mesh_attr_unknown *u;

			if (out->n_unknown >= MESH_ATTR_MAX_UNKNOWN)
				return mesh_attr_fail(
					MESH_ATTR_MALFORMED, err, errlen,
					"more than %u unknown TLVs (type %u at "
					"offset %zu)",
					MESH_ATTR_MAX_UNKNOWN, type, off);
			u = &out->unknown[out->n_unknown++];
			u->type = type;
			u->len = tlen;
			u->off = (uint32_t)(off + MESH_ATTR_TLV_HDR_LEN);
			continue;
		}
		if (tlen < d->min_len || tlen > d->max_len)
			return mesh_attr_fail(MESH_ATTR_MALFORMED, err, errlen,
					      "TLV type %u (%s) at offset %zu: "
					      "length %u outside %u..%u",
					      type, d->name, off, tlen,
					      d->min_len, d->max_len);
		if (type == MESH_ATTR_TLV_SIGNATURE)
			seen_sig = true;
		if (d->has && (out->present & d->has)) {
			/* Repeated singleton: the first one stands. */
			out->n_ignored++;
			continue;
		}
		why[0] = '\0';
		if (!d->decode(&v, out, why, sizeof(why)))
			return mesh_attr_fail(
				MESH_ATTR_MALFORMED, err, errlen,
				"TLV type %u (%s) at offset %zu: %s", type,
				d->name, off, why);
		if (v.err || mesh_rbuf_left(&v) != 0)
			return mesh_attr_fail(
				MESH_ATTR_MALFORMED, err, errlen,
				"TLV type %u (%s) at offset %zu: value of %u "
				"octets not consumed exactly",
				type, d->name, off, tlen);
		out->present |= d->has;
	}

	if (!(out->present & MESH_ATTR_HAS_ORIGINATOR))
		return mesh_attr_fail(MESH_ATTR_MALFORMED, err, errlen,
				      "originator TLV missing");

	mesh_attr_links_sort(out->links, out->n_links);
	mesh_attr_unknown_sort(out->unknown, out->n_unknown);
	out->sig_status = (out->present & MESH_ATTR_HAS_SIGNATURE)
				  ? MESH_ATTR_SIG_UNCHECKED
				  : MESH_ATTR_SIG_UNSIGNED;
	return MESH_ATTR_OK;
}

/* ------------------------------------------------------------------ */
/* Encoding.                                                          */

/* Bring an attribute built through the API into canonical form: links
 * sorted by neighbor (first of a neighbor kept), tags sorted and unique,
 * unknown TLVs stable-sorted by type. Fails on values that could not be
 * decoded again. */
static bool mesh_attr_canon(struct mesh_attr *c, const uint8_t *raw)
{
	uint16_t i, n, ntags = 0;
	uint32_t tags[MESH_ATTR_MAX_TAGS];
	char why[128];

	if (c->version != MESH_ATTR_VERSION ||
	    c->n_links > MESH_ATTR_MAX_LINKS ||
	    c->n_tags > MESH_ATTR_MAX_TAGS ||
	    c->n_unknown > MESH_ATTR_MAX_UNKNOWN)
		return false;
	if (!(c->present & MESH_ATTR_HAS_ORIGINATOR) || c->originator == 0)
		return false;
	if ((c->present & MESH_ATTR_HAS_PREFIX_OWNER) && c->prefix_owner == 0)
		return false;
	if ((c->present & MESH_ATTR_HAS_ENDPOINT) &&
	    (!mesh_attr_afi_addr_len(c->endpoint.afi) || c->endpoint.port == 0))
		return false;
	if ((c->present & MESH_ATTR_HAS_SEG_TAGS) && c->n_tags == 0)
		return false;

	for (i = 0; i < c->n_links; i++)
		if (!mesh_attr_link_check(&c->links[i], why, sizeof(why)))
			return false;
	mesh_attr_links_sort(c->links, c->n_links);
	for (i = 0, n = 0; i < c->n_links; i++)
		if (n == 0 || c->links[n - 1].neighbor != c->links[i].neighbor)
			c->links[n++] = c->links[i];
	c->n_links = n;

	for (i = 0; i < c->n_tags; i++)
		mesh_tags_insert(tags, &ntags, c->tags[i]);
	memcpy(c->tags, tags, ntags * sizeof(*tags));
	c->n_tags = ntags;

	for (i = 0; i < c->n_unknown; i++) {
		const struct mesh_attr_unknown *u = &c->unknown[i];

		if (!raw || u->off > c->raw_len || u->len > c->raw_len - u->off)
			return false;
		if (mesh_attr_tlv_reserved(u->type) ||
		    mesh_tlv_desc_find(u->type))
			return false;
	}
	mesh_attr_unknown_sort(c->unknown, c->n_unknown);
	return true;
}

static void mesh_attr_unknown_emit(const struct mesh_attr_unknown *u,
				   const uint8_t *raw, struct mesh_wbuf *w)
{
	mesh_wbuf_u16(w, u->type);
	mesh_wbuf_u16(w, u->len);
	mesh_wbuf_bytes(w, raw + u->off, u->len);
}

/*
 * Write the TLVs of a canonical attribute in canonical order. For the
 * signed data (for_sig) the signature and every mutable TLV are left
 * out.
 */
static void mesh_attr_tlvs_emit(const struct mesh_attr *c, const uint8_t *raw,
				struct mesh_wbuf *w, bool for_sig)
{
	uint16_t ui = 0;
	size_t i;

	for (i = 0; i < MESH_TLV_TABLE_SIZE; i++) {
		const struct mesh_tlv_desc *d = &mesh_tlv_table[i];

		if (d->type == MESH_ATTR_TLV_SIGNATURE)
			continue;
		for (; ui < c->n_unknown && c->unknown[ui].type < d->type; ui++)
			if (!for_sig ||
			    !(c->unknown[ui].type & MESH_ATTR_TLV_MUTABLE))
				mesh_attr_unknown_emit(&c->unknown[ui], raw, w);
		if (for_sig && (d->type & MESH_ATTR_TLV_MUTABLE))
			continue;
		if (d->has && !(c->present & d->has))
			continue;
		d->encode(c, w);
	}
	for (; ui < c->n_unknown; ui++)
		if (!for_sig || !(c->unknown[ui].type & MESH_ATTR_TLV_MUTABLE))
			mesh_attr_unknown_emit(&c->unknown[ui], raw, w);
	if (!for_sig && (c->present & MESH_ATTR_HAS_SIGNATURE))
		mesh_tlv_signature_encode(c, w);
}

int mesh_attr_encode(const struct mesh_attr *a, const uint8_t *raw,
		     uint8_t *out, size_t cap, size_t *outlen)
{
	struct mesh_attr c = *a;
	struct mesh_wbuf w;

	if (outlen)
		*outlen = 0;
	if (!out || !mesh_attr_canon(&c, raw))
		return -1;
	mesh_wbuf_init(&w, out, cap);
	mesh_wbuf_u8(&w, c.version);
	mesh_wbuf_u8(&w, c.flags);
	mesh_attr_tlvs_emit(&c, raw, &w, false);
	if (w.err || w.len > MESH_ATTR_MAX_LEN)
		return -1;
	if (outlen)
		*outlen = w.len;
	return 0;
}

bool mesh_attr_equal(const struct mesh_attr *a, const uint8_t *raw_a,
		     const struct mesh_attr *b, const uint8_t *raw_b)
{
	uint16_t i;

	if (a->version != b->version || a->flags != b->flags ||
	    a->present != b->present)
		return false;
#define MESH_EQ_IF(bit, field)                                                 \
	if ((a->present & (bit)) && a->field != b->field)                      \
		return false;
	MESH_EQ_IF(MESH_ATTR_HAS_ORIGINATOR, originator);
	MESH_EQ_IF(MESH_ATTR_HAS_SEQUENCE, sequence);
	MESH_EQ_IF(MESH_ATTR_HAS_TENANT, tenant);
	MESH_EQ_IF(MESH_ATTR_HAS_IVN, ivn);
	MESH_EQ_IF(MESH_ATTR_HAS_PREFIX_OWNER, prefix_owner);
	MESH_EQ_IF(MESH_ATTR_HAS_PATH_LATENCY, path_latency_us);
	MESH_EQ_IF(MESH_ATTR_HAS_SIGNATURE, sig_key_id);
#undef MESH_EQ_IF
	if (a->present & MESH_ATTR_HAS_SIGNATURE &&
	    memcmp(a->sig, b->sig, sizeof(a->sig)))
		return false;
	if (a->present & MESH_ATTR_HAS_ENDPOINT) {
		const struct mesh_attr_endpoint *ea = &a->endpoint;
		const struct mesh_attr_endpoint *eb = &b->endpoint;

		if (ea->afi != eb->afi || ea->port != eb->port ||
		    memcmp(ea->addr, eb->addr,
			   mesh_attr_afi_addr_len(ea->afi)) ||
		    memcmp(ea->pubkey, eb->pubkey, sizeof(ea->pubkey)))
			return false;
	}
	if (a->n_links != b->n_links || a->n_tags != b->n_tags ||
	    a->n_unknown != b->n_unknown || a->n_links > MESH_ATTR_MAX_LINKS ||
	    a->n_tags > MESH_ATTR_MAX_TAGS ||
	    a->n_unknown > MESH_ATTR_MAX_UNKNOWN)
		return false;
	for (i = 0; i < a->n_links; i++) {
		const struct mesh_attr_link *la = &a->links[i];
		const struct mesh_attr_link *lb = &b->links[i];

		if (la->neighbor != lb->neighbor || la->flags != lb->flags ||
		    la->delay_us != lb->delay_us ||
		    la->reserved_dv != lb->reserved_dv ||
		    la->delay_var_us != lb->delay_var_us ||
		    la->reserved_loss != lb->reserved_loss ||
		    la->loss != lb->loss ||
		    la->max_bw_bits != lb->max_bw_bits ||
		    la->avail_bw_bits != lb->avail_bw_bits)
			return false;
	}
	for (i = 0; i < a->n_tags; i++)
		if (a->tags[i] != b->tags[i])
			return false;
	for (i = 0; i < a->n_unknown; i++) {
		const struct mesh_attr_unknown *ua = &a->unknown[i];
		const struct mesh_attr_unknown *ub = &b->unknown[i];

		if (ua->type != ub->type || ua->len != ub->len)
			return false;
		if (ua->len &&
		    (!raw_a || !raw_b ||
		     memcmp(raw_a + ua->off, raw_b + ub->off, ua->len)))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Signature.                                                         */

/* "meshattr" || key id || version || flags || canonical TLVs without
 * the signature and the mutable ones. */
static int mesh_attr_signed_data(const struct mesh_attr *a, const uint8_t *raw,
				 uint32_t key_id, uint8_t *out, size_t cap,
				 size_t *outlen)
{
	struct mesh_attr c = *a;
	struct mesh_wbuf w;

	if (!mesh_attr_canon(&c, raw))
		return -1;
	mesh_wbuf_init(&w, out, cap);
	mesh_wbuf_bytes(&w, mesh_attr_sig_context,
			sizeof(mesh_attr_sig_context));
	mesh_wbuf_u32(&w, key_id);
	mesh_wbuf_u8(&w, c.version);
	mesh_wbuf_u8(&w, c.flags);
	mesh_attr_tlvs_emit(&c, raw, &w, true);
	if (w.err)
		return -1;
	*outlen = w.len;
	return 0;
}

#define MESH_ATTR_SIGNED_MAX (MESH_ATTR_MAX_LEN + 16)

static bool mesh_attr_key_is_ed25519(EVP_PKEY *key)
{
	return key && EVP_PKEY_get_id(key) == EVP_PKEY_ED25519;
}

int mesh_attr_sign(struct mesh_attr *a, const uint8_t *raw, EVP_PKEY *ca_priv,
		   uint32_t key_id)
{
	uint8_t data[MESH_ATTR_SIGNED_MAX];
	uint8_t sig[MESH_ATTR_SIG_LEN];
	size_t dlen, slen = sizeof(sig);
	EVP_MD_CTX *ctx;
	int ok;

	if (!mesh_attr_key_is_ed25519(ca_priv))
		return -1;
	if (mesh_attr_signed_data(a, raw, key_id, data, sizeof(data), &dlen))
		return -1;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -1;
	ok = EVP_DigestSignInit(ctx, NULL, NULL, NULL, ca_priv) == 1 &&
	     EVP_DigestSign(ctx, sig, &slen, data, dlen) == 1 &&
	     slen == MESH_ATTR_SIG_LEN;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -1;
	memcpy(a->sig, sig, sizeof(sig));
	a->sig_key_id = key_id;
	a->present |= MESH_ATTR_HAS_SIGNATURE;
	a->sig_status = MESH_ATTR_SIG_UNCHECKED;
	return 0;
}

enum mesh_attr_sig_status mesh_attr_verify_decoded(struct mesh_attr *a,
						   const uint8_t *raw,
						   EVP_PKEY *ca_pub)
{
	uint8_t data[MESH_ATTR_SIGNED_MAX];
	size_t dlen;
	EVP_MD_CTX *ctx;
	int ok = 0;

	if (!(a->present & MESH_ATTR_HAS_SIGNATURE)) {
		a->sig_status = MESH_ATTR_SIG_UNSIGNED;
		return a->sig_status;
	}
	a->sig_status = MESH_ATTR_SIG_BAD;
	if (!mesh_attr_key_is_ed25519(ca_pub))
		return a->sig_status;
	if (mesh_attr_signed_data(a, raw, a->sig_key_id, data, sizeof(data),
				  &dlen))
		return a->sig_status;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return a->sig_status;
	ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, ca_pub) == 1 &&
	     EVP_DigestVerify(ctx, a->sig, MESH_ATTR_SIG_LEN, data, dlen) == 1;
	EVP_MD_CTX_free(ctx);
	if (ok)
		a->sig_status = MESH_ATTR_SIG_VALID;
	return a->sig_status;
}

enum mesh_attr_sig_status mesh_attr_verify(const uint8_t *buf, size_t len,
					   EVP_PKEY *ca_pub)
{
	struct mesh_attr a;

	if (mesh_attr_decode(buf, len, &a, NULL, 0) != MESH_ATTR_OK)
		return MESH_ATTR_SIG_BAD;
	return mesh_attr_verify_decoded(&a, buf, ca_pub);
}

EVP_PKEY *mesh_attr_key_public_from_raw(const uint8_t *key, size_t len)
{
	if (!key || len != MESH_ATTR_PUBKEY_LEN)
		return NULL;
	return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, key, len);
}

EVP_PKEY *mesh_attr_key_private_from_raw(const uint8_t *key, size_t len)
{
	if (!key || len != MESH_ATTR_PUBKEY_LEN)
		return NULL;
	return EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, key, len);
}

bool mesh_attr_endpoint_usable(const struct mesh_attr *a)
{
	return (a->present & MESH_ATTR_HAS_ENDPOINT) &&
	       a->sig_status == MESH_ATTR_SIG_VALID;
}

/* ------------------------------------------------------------------ */
/* Metrics.                                                           */

uint32_t mesh_attr_sat_add_u32(uint32_t a, uint32_t b)
{
	return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

uint32_t mesh_attr_sat_add_u24(uint32_t a, uint32_t b)
{
	if (a > MESH_ATTR_U24_MAX)
		a = MESH_ATTR_U24_MAX;
	if (b > MESH_ATTR_U24_MAX)
		b = MESH_ATTR_U24_MAX;
	return a + b > MESH_ATTR_U24_MAX ? MESH_ATTR_U24_MAX : a + b;
}

void mesh_attr_latency_add(struct mesh_attr *a, uint32_t us)
{
	if (!(a->present & MESH_ATTR_HAS_PATH_LATENCY)) {
		a->present |= MESH_ATTR_HAS_PATH_LATENCY;
		a->path_latency_us = 0;
	}
	a->path_latency_us = mesh_attr_sat_add_u32(a->path_latency_us, us);
}

uint32_t mesh_attr_latency_get(const struct mesh_attr *a)
{
	return (a->present & MESH_ATTR_HAS_PATH_LATENCY) ? a->path_latency_us
							 : 0;
}

float mesh_attr_bw_to_float(uint32_t bits)
{
	float v;

	memcpy(&v, &bits, sizeof(v));
	return v;
}

uint32_t mesh_attr_bw_from_float(float v)
{
	uint32_t bits;

	if (!(v > 0.0f)) /* negative, zero, -0 and NaN */
		v = 0.0f;
	else if (v > 3.4028234e38f)
		v = 3.4028234e38f;
	memcpy(&bits, &v, sizeof(bits));
	return bits;
}

float mesh_attr_bandwidth_get(const struct mesh_attr *a)
{
	float best = 0.0f, v;
	uint16_t i;

	for (i = 0; i < a->n_links && i < MESH_ATTR_MAX_LINKS; i++) {
		if (!(a->links[i].flags & MESH_ATTR_LINK_F_UP) ||
		    !mesh_attr_bw_valid(a->links[i].avail_bw_bits))
			continue;
		v = mesh_attr_bw_to_float(a->links[i].avail_bw_bits);
		if (v > best)
			best = v;
	}
	return best;
}

double mesh_attr_loss_percent(uint32_t loss)
{
	if (loss > MESH_ATTR_LOSS_MAX)
		loss = MESH_ATTR_LOSS_MAX;
	return (double)loss * 0.000003;
}

/* ------------------------------------------------------------------ */
/* Show and JSON output.                                              */

const char *mesh_attr_format(const struct mesh_attr *a, char *buf, size_t size)
{
	struct mesh_fmt f = {.buf = buf, .size = size, .len = 0};
	const struct mesh_tlv_desc *d;
	size_t i;
	uint16_t u;

	if (!buf || size == 0)
		return buf;
	buf[0] = '\0';
	mesh_fmt_add(&f, "mesh v%u", a->version);
	if (a->flags)
		mesh_fmt_add(&f, " flags 0x%02x", a->flags);
	/* Singletons on the first line, lists below, signature last. */
	for (i = 0; i < MESH_TLV_TABLE_SIZE; i++) {
		d = &mesh_tlv_table[i];
		if (d->has && (a->present & d->has) &&
		    d->type != MESH_ATTR_TLV_SIGNATURE &&
		    d->type != MESH_ATTR_TLV_ENDPOINT &&
		    d->type != MESH_ATTR_TLV_SEG_TAGS &&
		    d->type != MESH_ATTR_TLV_PREFIX_OWNER)
			d->format(a, &f);
	}
	if (!(a->present & MESH_ATTR_HAS_SIGNATURE))
		mesh_fmt_add(&f, " unsigned");
	for (i = 0; i < MESH_TLV_TABLE_SIZE; i++) {
		d = &mesh_tlv_table[i];
		if (d->type == MESH_ATTR_TLV_ENDPOINT ||
		    d->type == MESH_ATTR_TLV_SEG_TAGS ||
		    d->type == MESH_ATTR_TLV_PREFIX_OWNER)
			if (a->present & d->has)
				d->format(a, &f);
		if (d->type == MESH_ATTR_TLV_LINK)
			d->format(a, &f);
	}
	for (u = 0; u < a->n_unknown && u < MESH_ATTR_MAX_UNKNOWN; u++)
		mesh_fmt_add(&f, "\n  unknown-tlv type %u length %u",
			     a->unknown[u].type, a->unknown[u].len);
	if (a->n_ignored)
		mesh_fmt_add(&f, "\n  ignored %u repeated TLV(s)",
			     a->n_ignored);
	if (a->present & MESH_ATTR_HAS_SIGNATURE)
		mesh_tlv_signature_format(a, &f);
	return buf;
}

struct json_object *mesh_attr_to_json(const struct mesh_attr *a)
{
	struct json_object *jo = json_object_new_object();
	struct json_object *arr;
	size_t i;
	uint16_t u;

	if (!jo)
		return NULL;
	json_object_object_add(jo, "version", json_object_new_int(a->version));
	json_object_object_add(jo, "flags", json_object_new_int(a->flags));
	for (i = 0; i < MESH_TLV_TABLE_SIZE; i++) {
		const struct mesh_tlv_desc *d = &mesh_tlv_table[i];

		if (!d->has || (a->present & d->has))
			d->json(a, jo);
	}
	arr = json_object_new_array();
	for (u = 0; u < a->n_unknown && u < MESH_ATTR_MAX_UNKNOWN; u++) {
		struct json_object *ju = json_object_new_object();

		json_object_object_add(ju, "type",
				       json_object_new_int(a->unknown[u].type));
		json_object_object_add(ju, "length",
				       json_object_new_int(a->unknown[u].len));
		json_object_array_add(arr, ju);
	}
	json_object_object_add(jo, "unknownTlvs", arr);
	json_object_object_add(jo, "ignoredTlvs",
			       json_object_new_int(a->n_ignored));
	json_object_object_add(jo, "signature",
			       json_object_new_string(mesh_attr_sig_status_str(
				       a->sig_status)));
	return jo;
}

const char *mesh_attr_result_str(enum mesh_attr_result r)
{
	switch (r) {
	case MESH_ATTR_OK:
		return "ok";
	case MESH_ATTR_MALFORMED:
		return "malformed";
	case MESH_ATTR_UNSUPPORTED:
		return "unsupported-version";
	}
	return "?";
}

const char *mesh_attr_sig_status_str(enum mesh_attr_sig_status s)
{
	switch (s) {
	case MESH_ATTR_SIG_UNCHECKED:
		return "unchecked";
	case MESH_ATTR_SIG_UNSIGNED:
		return "unsigned";
	case MESH_ATTR_SIG_VALID:
		return "valid";
	case MESH_ATTR_SIG_BAD:
		return "bad";
	}
	return "?";
}
