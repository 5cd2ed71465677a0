// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * WireGuard key material for meshd's tunnels.
 *
 * X25519 key pairs are made and derived with OpenSSL (EVP); private keys
 * live in files of mode 0600 holding one base64 line, the format of
 * `wg genkey`, and a key file that group or others may read is refused.
 * Keys are written in base64 (files, `show` output, what `wg` prints) or
 * in lowercase hex (what wireguard-go's UAPI socket speaks). The short
 * fingerprint for `show mesh tunnels` is OpenSSH-style:
 * "SHA256:" and the unpadded base64 of SHA-256 over the 32 public octets.
 *
 * Public keys travel in the mesh attribute's endpoint TLV, covered by the
 * mesh CA's Ed25519 signature (bgpd-ext/mesh_attr.c signs and verifies);
 * mesh_key_peer_from_attr() is the gate that hands a peer's key to the
 * tunnel code only when that signature verified.
 *
 * Depends on libc and libcrypto only (and mesh_attr.h for the gate), not
 * on libfrr, so unit tests link it directly.
 */
#ifndef MESH_KEYS_H
#define MESH_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpd-ext/mesh_attr.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MESH_KEY_LEN 32
/* 44 characters and the terminating NUL. */
#define MESH_KEY_B64_SIZE 45
/* 64 characters and the terminating NUL. */
#define MESH_KEY_HEX_SIZE 65
/* "SHA256:" + 43 characters + NUL. */
#define MESH_KEY_FP_SIZE 51

struct mesh_keypair {
	uint8_t priv[MESH_KEY_LEN]; /* clamped X25519 scalar */
	uint8_t pub[MESH_KEY_LEN];
};

/* A fresh key pair from OpenSSL's generator. Returns 0 or -1. */
int mesh_keypair_generate(struct mesh_keypair *kp);

/*
 * Lanes. A tunnel between two nodes runs on lane
 * mesh_key_lane(one key) ^ mesh_key_lane(the other), the low bit of the
 * public keys' first byte (the u coordinate's least significant bit), so
 * both ends work it out from the keys they already share. A key
 * rotation flips the rotating node's bit: its tunnels move to the other
 * lane (other ports, other interfaces), built beside the old ones before
 * the traffic moves (mesh_tunnel.c).
 */
static inline unsigned int mesh_key_lane(const uint8_t pub[MESH_KEY_LEN])
{
	return pub[0] & 1;
}

/* A fresh key pair whose public key is on the given lane bit: fresh
 * pairs are drawn until one is (two draws on average; it costs the key
 * one bit of its 252). Returns 0 or -1. */
int mesh_keypair_generate_lane(struct mesh_keypair *kp, unsigned int lane);

/* Public key of a private key (X25519 base point multiplication).
 * Returns 0 or -1. */
int mesh_key_public_from_private(const uint8_t priv[MESH_KEY_LEN],
				 uint8_t pub[MESH_KEY_LEN]);

/* Fill kp->pub from kp->priv. */
int mesh_keypair_from_private(struct mesh_keypair *kp,
			      const uint8_t priv[MESH_KEY_LEN]);

/* Overwrite the private key so it does not linger in memory. */
void mesh_keypair_clear(struct mesh_keypair *kp);

bool mesh_key_is_zero(const uint8_t key[MESH_KEY_LEN]);

/* Encodings. The writers always NUL-terminate and return out, or NULL
 * if size is too small. The readers take exactly the encoded length
 * (len characters, no terminator needed), refuse anything else
 * (wrong length, bad characters, non-canonical base64 padding bits) and
 * return 0 or -1. Hex is read in either case and written in lowercase. */
const char *mesh_key_to_base64(const uint8_t key[MESH_KEY_LEN], char *out,
			       size_t size);
int mesh_key_from_base64(const char *text, size_t len,
			 uint8_t key[MESH_KEY_LEN]);
const char *mesh_key_to_hex(const uint8_t key[MESH_KEY_LEN], char *out,
			    size_t size);
int mesh_key_from_hex(const char *text, size_t len, uint8_t key[MESH_KEY_LEN]);

/* "SHA256:<43 base64 characters>"; out must hold MESH_KEY_FP_SIZE. */
const char *mesh_key_fingerprint(const uint8_t key[MESH_KEY_LEN], char *out,
				 size_t size);

/*
 * Private key files. Load refuses (and says why in err): a file that is
 * not a regular file or is a symbolic link, that group or others may
 * read, write or execute, that another user owns, or that holds anything
 * but one base64 key and optional trailing white space. Store writes the
 * base64 line to a temporary file of mode 0600 in the same directory,
 * syncs it and renames it over path. Both return 0 or a negative errno
 * (-EACCES for a permission refusal, -EINVAL for bad contents).
 */
int mesh_key_load(const char *path, struct mesh_keypair *kp, char *err,
		  size_t errlen);
int mesh_key_store(const char *path, const struct mesh_keypair *kp, char *err,
		   size_t errlen);

/*
 * Put our tunnel endpoint and public key into an attribute before it is
 * signed (mesh_attr_sign). afi is MESH_ATTR_AFI_IPV4 or _IPV6, addr holds
 * 4 or 16 octets. Returns 0 or -1 (unknown afi).
 */
int mesh_key_endpoint_set(struct mesh_attr *a, const uint8_t pub[MESH_KEY_LEN],
			  uint16_t afi, const uint8_t *addr, uint16_t port);

/*
 * The gate between BGP and the tunnels: copy the endpoint's public key to
 * pub only if the attribute carries an endpoint whose signature verified
 * (a->sig_status is MESH_ATTR_SIG_VALID, set by mesh_attr_verify_decoded)
 * and the key is not all zeros. Otherwise return -1 and say why in err:
 * no endpoint, unsigned, bad signature, not verified, zero key.
 */
int mesh_key_peer_from_attr(const struct mesh_attr *a,
			    uint8_t pub[MESH_KEY_LEN], char *err,
			    size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* MESH_KEYS_H */
