// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * WireGuard key material: X25519 with OpenSSL, key files, encodings,
 * fingerprints, and the signed-endpoint gate. See mesh_keys.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "bgpd-ext/mesh_buf.h"
#include "mesh_keys.h"

/* Largest key file read: a 44-character line with generous white space. */
#define MESH_KEY_FILE_MAX 128

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* RFC 7748 section 5: the scalar WireGuard and `wg genkey` store. */
static void mesh_key_clamp(uint8_t k[MESH_KEY_LEN])
{
	k[0] &= 248;
	k[31] &= 127;
	k[31] |= 64;
}

int mesh_key_public_from_private(const uint8_t priv[MESH_KEY_LEN],
				 uint8_t pub[MESH_KEY_LEN])
{
	EVP_PKEY *pk;
	size_t len = MESH_KEY_LEN;
	int ret = -1;

	pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv,
					  MESH_KEY_LEN);
	if (!pk)
		return -1;
	if (EVP_PKEY_get_raw_public_key(pk, pub, &len) == 1 &&
	    len == MESH_KEY_LEN)
		ret = 0;
	EVP_PKEY_free(pk);
	return ret;
}

int mesh_keypair_from_private(struct mesh_keypair *kp,
			      const uint8_t priv[MESH_KEY_LEN])
{
	if (priv != kp->priv)
		memcpy(kp->priv, priv, MESH_KEY_LEN);
	return mesh_key_public_from_private(kp->priv, kp->pub);
}

int mesh_keypair_generate(struct mesh_keypair *kp)
{
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pk = NULL;
	size_t len = MESH_KEY_LEN;
	int ret = -1;

	ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, NULL);
	if (!ctx)
		return -1;
	if (EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_keygen(ctx, &pk) == 1 &&
	    EVP_PKEY_get_raw_private_key(pk, kp->priv, &len) == 1 &&
	    len == MESH_KEY_LEN) {
		mesh_key_clamp(kp->priv);
		ret = mesh_key_public_from_private(kp->priv, kp->pub);
	}
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(ctx);
	if (ret)
		mesh_keypair_clear(kp);
	return ret;
}

int mesh_keypair_generate_lane(struct mesh_keypair *kp, unsigned int lane)
{
	/* 64 draws all on the wrong bit: 2^-64, a broken generator */
	for (int i = 0; i < 64; i++) {
		if (mesh_keypair_generate(kp) < 0)
			return -1;
		if (mesh_key_lane(kp->pub) == (lane & 1))
			return 0;
	}
	mesh_keypair_clear(kp);
	return -1;
}

void mesh_keypair_clear(struct mesh_keypair *kp)
{
	OPENSSL_cleanse(kp->priv, sizeof(kp->priv));
}

bool mesh_key_is_zero(const uint8_t key[MESH_KEY_LEN])
{
	uint8_t acc = 0;

	for (size_t i = 0; i < MESH_KEY_LEN; i++)
		acc |= key[i];
	return acc == 0;
}

/* ------------------------------------------------------------------ */
/* Encodings                                                          */

/* Base64 of n octets, with or without '=' padding, into out (NUL
 * included); NULL if it does not fit. */
static const char *mesh_b64_encode(const uint8_t *in, size_t n, bool pad,
				   char *out, size_t size)
{
	size_t need = pad ? (n + 2) / 3 * 4 : (n * 4 + 2) / 3;
	size_t o = 0;

	if (!out || size < need + 1)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t rem = n - i;

		if (rem > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (rem > 2)
			v |= in[i + 2];
		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		if (rem > 1)
			out[o++] = b64_alphabet[(v >> 6) & 63];
		else if (pad)
			out[o++] = '=';
		if (rem > 2)
			out[o++] = b64_alphabet[v & 63];
		else if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

static int mesh_b64_value(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

const char *mesh_key_to_base64(const uint8_t key[MESH_KEY_LEN], char *out,
			       size_t size)
{
	return mesh_b64_encode(key, MESH_KEY_LEN, true, out, size);
}

/*
 * 32 octets are 43 base64 characters (258 bits, the last 2 zero) and one
 * '='. Anything else, including a 43rd character with the low bits set
 * (another spelling of the same key), is refused.
 */
int mesh_key_from_base64(const char *text, size_t len,
			 uint8_t key[MESH_KEY_LEN])
{
	struct mesh_rbuf b;
	uint8_t out[MESH_KEY_LEN];
	uint32_t acc = 0;
	unsigned int bits = 0;
	size_t o = 0;
	uint8_t c = 0;

	if (!text || len != MESH_KEY_B64_SIZE - 1)
		return -1;
	mesh_rbuf_init(&b, text, len - 1);
	while (mesh_rbuf_left(&b)) {
		int v;

		mesh_rbuf_u8(&b, &c);
		v = mesh_b64_value(c);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o < MESH_KEY_LEN)
				out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* 43 characters leave 2 bits, which must be zero. */
	if (o != MESH_KEY_LEN || bits != 2 || acc != 0 ||
	    text[len - 1] != '=') {
		OPENSSL_cleanse(out, sizeof(out));
		return -1;
	}
	memcpy(key, out, MESH_KEY_LEN);
	OPENSSL_cleanse(out, sizeof(out));
	return 0;
}

const char *mesh_key_to_hex(const uint8_t key[MESH_KEY_LEN], char *out,
			    size_t size)
{
	static const char hex[] = "0123456789abcdef";

	if (!out || size < MESH_KEY_HEX_SIZE)
		return NULL;
	for (size_t i = 0; i < MESH_KEY_LEN; i++) {
		out[2 * i] = hex[key[i] >> 4];
		out[2 * i + 1] = hex[key[i] & 15];
	}
	out[2 * MESH_KEY_LEN] = '\0';
	return out;
}

static int mesh_hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int mesh_key_from_hex(const char *text, size_t len, uint8_t key[MESH_KEY_LEN])
{
	struct mesh_rbuf b;
	uint8_t out[MESH_KEY_LEN];

	if (!text || len != 2 * MESH_KEY_LEN)
		return -1;
	mesh_rbuf_init(&b, text, len);
	for (size_t i = 0; i < MESH_KEY_LEN; i++) {
		uint8_t hi = 0, lo = 0;
		int h, l;

		mesh_rbuf_u8(&b, &hi);
		mesh_rbuf_u8(&b, &lo);
		h = mesh_hex_value(hi);
		l = mesh_hex_value(lo);
		if (h < 0 || l < 0) {
			OPENSSL_cleanse(out, sizeof(out));
			return -1;
		}
		out[i] = (uint8_t)(h << 4 | l);
	}
	memcpy(key, out, MESH_KEY_LEN);
	OPENSSL_cleanse(out, sizeof(out));
	return 0;
}

const char *mesh_key_fingerprint(const uint8_t key[MESH_KEY_LEN], char *out,
				 size_t size)
{
	uint8_t md[32];
	unsigned int mdlen = 0;

	if (!out || size < MESH_KEY_FP_SIZE)
		return NULL;
	if (EVP_Digest(key, MESH_KEY_LEN, md, &mdlen, EVP_sha256(), NULL) !=
		    1 ||
	    mdlen != sizeof(md))
		return NULL;
	memcpy(out, "SHA256:", 7);
	return mesh_b64_encode(md, sizeof(md), false, out + 7, size - 7) ? out
									 : NULL;
}

/* ------------------------------------------------------------------ */
/* Key files                                                          */

static bool mesh_key_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int mesh_key_load(const char *path, struct mesh_keypair *kp, char *err,
		  size_t errlen)
{
	uint8_t buf[MESH_KEY_FILE_MAX + 1];
	struct mesh_rbuf b;
	struct stat st;
	size_t len = 0, start, end;
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		mesh_errf(err, errlen, "%s: %s%s", path, strerror(errno),
			  errno == ELOOP ? " (symbolic links are refused)"
					 : "");
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		mesh_errf(err, errlen, "%s: fstat: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		mesh_errf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		ret = -EACCES;
		mesh_errf(err, errlen,
			  "%s: mode %04o lets group or others access the "
			  "private key; refused (chmod 600 %s)",
			  path, (unsigned int)(st.st_mode & 07777), path);
		goto out;
	}
	if (st.st_uid != geteuid()) {
		ret = -EACCES;
		mesh_errf(err, errlen,
			  "%s: owned by uid %u, not by this process (uid "
			  "%u); refused",
			  path, (unsigned int)st.st_uid,
			  (unsigned int)geteuid());
		goto out;
	}
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			mesh_errf(err, errlen, "%s: read: %s", path,
				  strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > MESH_KEY_FILE_MAX) {
		ret = -EINVAL;
		mesh_errf(err, errlen,
			  "%s: longer than %d octets, not a key file", path,
			  MESH_KEY_FILE_MAX);
		goto out;
	}
	/* Trim white space at both ends through a bounded window. */
	mesh_rbuf_init(&b, buf, len);
	start = 0;
	end = len;
	while (start < end && mesh_key_space(buf[start]))
		start++;
	while (end > start && mesh_key_space(buf[end - 1]))
		end--;
	if (!mesh_rbuf_skip(&b, start) ||
	    mesh_key_from_base64((const char *)mesh_rbuf_cur(&b), end - start,
				 kp->priv)) {
		ret = -EINVAL;
		mesh_errf(err, errlen,
			  "%s: does not hold one base64 X25519 private key "
			  "(%zu characters after trimming, 44 expected)",
			  path, end - start);
		goto out;
	}
	if (mesh_key_public_from_private(kp->priv, kp->pub)) {
		ret = -EINVAL;
		mesh_errf(err, errlen, "%s: OpenSSL refused the key", path);
		mesh_keypair_clear(kp);
	}
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	close(fd);
	return ret;
}

int mesh_key_store(const char *path, const struct mesh_keypair *kp, char *err,
		   size_t errlen)
{
	char tmp[4096];
	char line[MESH_KEY_B64_SIZE + 1];
	size_t len, off = 0;
	int fd, ret = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		mesh_errf(err, errlen, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	mesh_key_to_base64(kp->priv, line, sizeof(line));
	len = strlen(line);
	line[len++] = '\n';

	/* mkstemp creates the file with mode 0600; fchmod makes sure. */
	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = -errno;
		mesh_errf(err, errlen, "%s: cannot create temporary file: %s",
			  path, strerror(errno));
		goto wipe;
	}
	if (fchmod(fd, S_IRUSR | S_IWUSR) < 0) {
		ret = -errno;
		mesh_errf(err, errlen, "%s: fchmod: %s", tmp, strerror(errno));
		goto fail;
	}
	while (off < len) {
		ssize_t n = write(fd, line + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			mesh_errf(err, errlen, "%s: write: %s", tmp,
				  strerror(errno));
			goto fail;
		}
		off += (size_t)n;
	}
	if (fsync(fd) < 0) {
		ret = -errno;
		mesh_errf(err, errlen, "%s: fsync: %s", tmp, strerror(errno));
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		ret = -errno;
		mesh_errf(err, errlen, "%s: close: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		ret = -errno;
		mesh_errf(err, errlen, "rename %s to %s: %s", tmp, path,
			  strerror(errno));
		goto fail;
	}
	goto wipe;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
wipe:
	OPENSSL_cleanse(line, sizeof(line));
	return ret;
}

/* ------------------------------------------------------------------ */
/* Signed endpoints                                                   */

int mesh_key_endpoint_set(struct mesh_attr *a, const uint8_t pub[MESH_KEY_LEN],
			  uint16_t afi, const uint8_t *addr, uint16_t port)
{
	size_t alen;

	if (afi == MESH_ATTR_AFI_IPV4)
		alen = 4;
	else if (afi == MESH_ATTR_AFI_IPV6)
		alen = 16;
	else
		return -1;
	memset(&a->endpoint, 0, sizeof(a->endpoint));
	a->endpoint.afi = afi;
	a->endpoint.port = port;
	memcpy(a->endpoint.addr, addr, alen);
	memcpy(a->endpoint.pubkey, pub, MESH_KEY_LEN);
	a->present |= MESH_ATTR_HAS_ENDPOINT;
	return 0;
}

/* A node ID in dotted quad, as the operator configured it. */
#define MESH_KEY_NODE(id)                                                      \
	(unsigned int)((id) >> 24), (unsigned int)(((id) >> 16) & 0xff),       \
		(unsigned int)(((id) >> 8) & 0xff), (unsigned int)((id)&0xff)

int mesh_key_peer_from_attr(const struct mesh_attr *a,
			    uint8_t pub[MESH_KEY_LEN], char *err, size_t errlen)
{
	if (!(a->present & MESH_ATTR_HAS_ENDPOINT)) {
		mesh_errf(err, errlen,
			  "node %u.%u.%u.%u advertises no tunnel endpoint",
			  MESH_KEY_NODE(a->originator));
		return -1;
	}
	switch (a->sig_status) {
	case MESH_ATTR_SIG_VALID:
		break;
	case MESH_ATTR_SIG_UNSIGNED:
		mesh_errf(err, errlen,
			  "public key of node %u.%u.%u.%u refused: unsigned",
			  MESH_KEY_NODE(a->originator));
		return -1;
	case MESH_ATTR_SIG_BAD:
		mesh_errf(
			err, errlen,
			"public key of node %u.%u.%u.%u refused: bad signature "
			"(key id %u)",
			MESH_KEY_NODE(a->originator), a->sig_key_id);
		return -1;
	case MESH_ATTR_SIG_UNCHECKED:
	default:
		mesh_errf(
			err, errlen,
			"public key of node %u.%u.%u.%u refused: signature not "
			"verified",
			MESH_KEY_NODE(a->originator));
		return -1;
	}
	if (mesh_key_is_zero(a->endpoint.pubkey)) {
		mesh_errf(err, errlen,
			  "public key of node %u.%u.%u.%u refused: all zeros",
			  MESH_KEY_NODE(a->originator));
		return -1;
	}
	memcpy(pub, a->endpoint.pubkey, MESH_KEY_LEN);
	return 0;
}
