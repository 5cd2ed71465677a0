// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The mesh path attribute: codec shared by meshd and the bgpd module.
 *
 * Wire format, limits and error handling are specified in
 * doc/mesh-attribute.md; the constants below are the ones named there.
 * This library depends only on libc, json-c and OpenSSL libcrypto, never
 * on libfrr, so that unit tests and fuzz targets can link it alone.
 *
 * Decoding fills a caller-provided struct mesh_attr and allocates
 * nothing. TLVs of unknown type are recorded as (type, offset, length)
 * into the caller's buffer; pass that same buffer to the encoder to
 * re-emit them byte for byte.
 */
#ifndef MESH_ATTR_H
#define MESH_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#ifdef __cplusplus
extern "C" {
#endif

/* BGP path attribute type code used when a mesh configures none. */
#define MESH_ATTR_BGP_TYPE_DEFAULT 255

#define MESH_ATTR_VERSION 1
#define MESH_ATTR_HDR_LEN 2	/* version, flags */
#define MESH_ATTR_TLV_HDR_LEN 4 /* type, length */

/* Limits (doc/mesh-attribute.md, "Ordering and size rules"). */
#define MESH_ATTR_MAX_LEN 4096
#define MESH_ATTR_MAX_LINKS 64
#define MESH_ATTR_MAX_TAGS 32
#define MESH_ATTR_MAX_UNKNOWN 32

/* TLV types. Types with MESH_ATTR_TLV_MUTABLE set may be changed in
 * transit and are left out of the signed data. */
#define MESH_ATTR_TLV_MUTABLE 0x8000
enum mesh_attr_tlv_type {
	MESH_ATTR_TLV_ORIGINATOR = 1,
	MESH_ATTR_TLV_SEQUENCE = 2,
	MESH_ATTR_TLV_TENANT = 3,
	MESH_ATTR_TLV_IVN = 4,
	MESH_ATTR_TLV_LINK = 5,
	MESH_ATTR_TLV_ENDPOINT = 6,
	MESH_ATTR_TLV_PREFIX_OWNER = 7,
	MESH_ATTR_TLV_SEG_TAGS = 8,
	MESH_ATTR_TLV_SIGNATURE = 9,
	MESH_ATTR_TLV_PATH_LATENCY = 0x8001,
};

/* Bits of struct mesh_attr.present, one per singleton TLV. */
#define MESH_ATTR_HAS_ORIGINATOR (1u << 0)
#define MESH_ATTR_HAS_SEQUENCE (1u << 1)
#define MESH_ATTR_HAS_TENANT (1u << 2)
#define MESH_ATTR_HAS_IVN (1u << 3)
#define MESH_ATTR_HAS_ENDPOINT (1u << 4)
#define MESH_ATTR_HAS_PREFIX_OWNER (1u << 5)
#define MESH_ATTR_HAS_SEG_TAGS (1u << 6)
#define MESH_ATTR_HAS_SIGNATURE (1u << 7)
#define MESH_ATTR_HAS_PATH_LATENCY (1u << 8)

/* Link TLV state flags. */
#define MESH_ATTR_LINK_F_UP 0x80
#define MESH_ATTR_LINK_F_ANOMALOUS 0x40
#define MESH_ATTR_LINK_F_BACKUP 0x20

#define MESH_ATTR_U24_MAX 0xffffffu
/* RFC 8570/8571: 0xFFFFFE (50.331642 %) is the largest loss expressed. */
#define MESH_ATTR_LOSS_MAX 0xfffffeu

#define MESH_ATTR_AFI_IPV4 1
#define MESH_ATTR_AFI_IPV6 2

#define MESH_ATTR_PUBKEY_LEN 32
#define MESH_ATTR_SIG_LEN 64

struct mesh_attr_link {
	uint32_t neighbor;	/* node ID */
	uint8_t flags;		/* MESH_ATTR_LINK_F_* and reserved bits */
	uint32_t delay_us;	/* 24 bits, one-way */
	uint8_t reserved_dv;	/* octet before delay variation, kept */
	uint32_t delay_var_us;	/* 24 bits */
	uint8_t reserved_loss;	/* octet before loss, kept */
	uint32_t loss;		/* 24 bits, units of 0.000003 % */
	uint32_t max_bw_bits;	/* IEEE 754 binary32, bytes per second */
	uint32_t avail_bw_bits; /* IEEE 754 binary32, bytes per second */
};

struct mesh_attr_endpoint {
	uint16_t afi; /* MESH_ATTR_AFI_IPV4 or _IPV6 */
	uint16_t port;
	uint8_t addr[16]; /* 4 or 16 octets used */
	uint8_t pubkey[MESH_ATTR_PUBKEY_LEN];
};

/* A TLV of unknown type: its value is raw[off .. off + len). */
struct mesh_attr_unknown {
	uint16_t type;
	uint16_t len;
	uint32_t off;
};

enum mesh_attr_sig_status {
	MESH_ATTR_SIG_UNCHECKED = 0, /* decoded, not verified yet */
	MESH_ATTR_SIG_UNSIGNED,	     /* no signature TLV */
	MESH_ATTR_SIG_VALID,
	MESH_ATTR_SIG_BAD, /* present but does not verify */
};

struct mesh_attr {
	uint8_t version;
	uint8_t flags;	  /* reserved; kept and re-emitted as received */
	uint32_t present; /* MESH_ATTR_HAS_* */

	uint32_t originator;
	uint64_t sequence;
	uint32_t tenant;
	uint32_t ivn;
	uint32_t prefix_owner;
	uint32_t path_latency_us;
	struct mesh_attr_endpoint endpoint;

	uint16_t n_links; /* sorted by neighbor, neighbors unique */
	struct mesh_attr_link links[MESH_ATTR_MAX_LINKS];

	uint16_t n_tags; /* sorted ascending, unique */
	uint32_t tags[MESH_ATTR_MAX_TAGS];

	uint16_t n_unknown; /* stable-sorted by type */
	struct mesh_attr_unknown unknown[MESH_ATTR_MAX_UNKNOWN];
	size_t raw_len; /* size of the buffer unknown[].off points into */

	uint32_t sig_key_id;
	uint8_t sig[MESH_ATTR_SIG_LEN];

	/* Not part of the encoding. */
	uint16_t n_ignored; /* repeated TLVs dropped by the decoder */
	enum mesh_attr_sig_status sig_status;
};

enum mesh_attr_result {
	MESH_ATTR_OK = 0,
	MESH_ATTR_MALFORMED,   /* treat-as-withdraw (RFC 7606) */
	MESH_ATTR_UNSUPPORTED, /* unknown version: carry on, do not use */
};

/* Reset *a to an empty version-1 attribute. */
void mesh_attr_init(struct mesh_attr *a);

/*
 * Decode the value of a mesh attribute (without the BGP attribute
 * header). On MESH_ATTR_MALFORMED or _UNSUPPORTED err (if given) says
 * why. Keeps pointers into nothing: unknown TLVs refer to buf by offset.
 */
enum mesh_attr_result mesh_attr_decode(const uint8_t *buf, size_t len,
				       struct mesh_attr *out, char *err,
				       size_t errlen);

/*
 * Encode *a canonically into out. raw is the buffer *a was decoded from
 * (needed only if a->n_unknown > 0). Returns 0, or -1 if the result does
 * not fit cap or MESH_ATTR_MAX_LEN, or *a is inconsistent.
 */
int mesh_attr_encode(const struct mesh_attr *a, const uint8_t *raw,
		     uint8_t *out, size_t cap, size_t *outlen);

/* Field-by-field equality of two decoded attributes; unknown TLVs are
 * compared by their bytes. Ignores n_ignored, sig_status and raw_len. */
bool mesh_attr_equal(const struct mesh_attr *a, const uint8_t *raw_a,
		     const struct mesh_attr *b, const uint8_t *raw_b);

/* Sign *a with the mesh CA's Ed25519 private key; fills sig and sets
 * MESH_ATTR_HAS_SIGNATURE. Returns 0 or -1 (wrong key type, encoding
 * failure). */
int mesh_attr_sign(struct mesh_attr *a, const uint8_t *raw, EVP_PKEY *ca_priv,
		   uint32_t key_id);

/* Verify a decoded attribute; also stores the result in a->sig_status. */
enum mesh_attr_sig_status mesh_attr_verify_decoded(struct mesh_attr *a,
						   const uint8_t *raw,
						   EVP_PKEY *ca_pub);

/* Decode and verify. A malformed or unsupported attribute is BAD. */
enum mesh_attr_sig_status mesh_attr_verify(const uint8_t *buf, size_t len,
					   EVP_PKEY *ca_pub);

/* Ed25519 key from its 32 raw octets; NULL if len is not 32. */
EVP_PKEY *mesh_attr_key_public_from_raw(const uint8_t *key, size_t len);
EVP_PKEY *mesh_attr_key_private_from_raw(const uint8_t *key, size_t len);

/*
 * Whether the node's tunnel endpoint and public key may be used: only
 * with a verified signature (the reachability itself is always usable).
 */
bool mesh_attr_endpoint_usable(const struct mesh_attr *a);

/* Saturating arithmetic for accumulated metrics. */
uint32_t mesh_attr_sat_add_u32(uint32_t a, uint32_t b);
uint32_t mesh_attr_sat_add_u24(uint32_t a, uint32_t b);

/* `set mesh latency add N`: add to the Path Latency TLV, creating it. */
void mesh_attr_latency_add(struct mesh_attr *a, uint32_t us);
/* Accumulated path latency in microseconds (0 if the TLV is absent). */
uint32_t mesh_attr_latency_get(const struct mesh_attr *a);
/* Highest available bandwidth of the node's links that are up, in
 * bytes/s; 0 if there is none. */
float mesh_attr_bandwidth_get(const struct mesh_attr *a);

/* RFC 8571 bandwidth: binary32 bits <-> float. Negative, NaN and
 * infinite values are clamped when converting from float. */
float mesh_attr_bw_to_float(uint32_t bits);
uint32_t mesh_attr_bw_from_float(float v);
/* Loss in percent from the 24-bit field. */
double mesh_attr_loss_percent(uint32_t loss);

/* Human readable text for show commands; always NUL-terminated. */
const char *mesh_attr_format(const struct mesh_attr *a, char *buf, size_t size);

/* JSON for `show ... json`; caller owns the returned object. */
struct json_object *mesh_attr_to_json(const struct mesh_attr *a);

const char *mesh_attr_result_str(enum mesh_attr_result r);
const char *mesh_attr_sig_status_str(enum mesh_attr_sig_status s);
/* Name of a TLV type, or NULL if unknown. */
const char *mesh_attr_tlv_name(uint16_t type);

#ifdef __cplusplus
}
#endif

#endif /* MESH_ATTR_H */
