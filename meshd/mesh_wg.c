// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * WireGuard through wireguard-go's UAPI socket: starting and stopping the
 * process, the set and get operations, and the parser of their replies.
 * See mesh_wg.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/if_tun.h>

#include "bgpd-ext/mesh_buf.h"
#include "mesh_wg.h"

#define MESH_WG_WBUF 4096
#define MESH_WG_STOP_GRACE_MS 1000
#define MESH_WG_POLL_MS 5

/* Append to an error message already in err. */
static void mesh_wg_err_append(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void mesh_wg_err_append(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	size_t used;

	if (!err || !errlen)
		return;
	used = strnlen(err, errlen);
	if (used + 1 >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + used, errlen - used, fmt, ap);
	va_end(ap);
}

static void mesh_wg_sleep_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
			      .tv_nsec = (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int64_t mesh_wg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ */
/* Small codecs                                                       */

static void mesh_wg_hex(const uint8_t key[MESH_WG_KEY_LEN],
			char out[2 * MESH_WG_KEY_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < MESH_WG_KEY_LEN; i++) {
		out[2 * i] = hex[key[i] >> 4];
		out[2 * i + 1] = hex[key[i] & 15];
	}
	out[2 * MESH_WG_KEY_LEN] = '\0';
}

static int mesh_wg_nibble(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool mesh_wg_unhex(struct mesh_rbuf *v, uint8_t key[MESH_WG_KEY_LEN])
{
	if (mesh_rbuf_left(v) != 2 * MESH_WG_KEY_LEN)
		return false;
	for (size_t i = 0; i < MESH_WG_KEY_LEN; i++) {
		uint8_t a = 0, b = 0;
		int hi, lo;

		mesh_rbuf_u8(v, &a);
		mesh_rbuf_u8(v, &b);
		hi = mesh_wg_nibble(a);
		lo = mesh_wg_nibble(b);
		if (hi < 0 || lo < 0)
			return false;
		key[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* Unsigned decimal, no sign, no spaces, at most max. */
static bool mesh_wg_u64(struct mesh_rbuf *v, uint64_t max, uint64_t *out)
{
	uint64_t n = 0;

	if (!mesh_rbuf_left(v))
		return false;
	while (mesh_rbuf_left(v)) {
		uint8_t c = 0;

		mesh_rbuf_u8(v, &c);
		if (c < '0' || c > '9')
			return false;
		if (n > (UINT64_MAX - (c - '0')) / 10)
			return false;
		n = n * 10 + (c - '0');
	}
	if (n > max)
		return false;
	*out = n;
	return true;
}

/* Signed decimal within int range. */
static bool mesh_wg_int(struct mesh_rbuf *v, int *out)
{
	uint8_t c = 0;
	bool neg = false;
	uint64_t n;

	if (mesh_rbuf_left(v) && *mesh_rbuf_cur(v) == '-') {
		mesh_rbuf_u8(v, &c);
		neg = true;
	}
	if (!mesh_wg_u64(v, (uint64_t)INT_MAX, &n))
		return false;
	*out = neg ? -(int)n : (int)n;
	return true;
}

/* Copy a value into a NUL-terminated buffer; false if it does not fit. */
static bool mesh_wg_cstr(struct mesh_rbuf *v, char *buf, size_t size)
{
	size_t n = mesh_rbuf_left(v);

	if (n >= size)
		return false;
	mesh_rbuf_bytes(v, buf, n);
	buf[n] = '\0';
	return memchr(buf, '\0', n) == NULL;
}

static bool mesh_wg_addr_parse(const char *s, int *family, uint8_t *addr)
{
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = AF_INET6;
		return true;
	}
	return false;
}

/* "a.b.c.d:port" or "[v6[%zone]]:port". */
static bool mesh_wg_endpoint_parse(struct mesh_rbuf *v,
				   struct mesh_wg_endpoint *ep)
{
	char buf[80];
	char *colon, *host;
	struct mesh_rbuf pv;
	uint64_t port;

	if (!mesh_wg_cstr(v, buf, sizeof(buf)))
		return false;
	colon = strrchr(buf, ':');
	if (!colon)
		return false;
	*colon = '\0';
	mesh_rbuf_init(&pv, colon + 1, strlen(colon + 1));
	if (!mesh_wg_u64(&pv, 65535, &port))
		return false;
	host = buf;
	if (host[0] == '[') {
		size_t hl = strlen(host);
		char *pct;

		if (hl < 2 || host[hl - 1] != ']')
			return false;
		host[hl - 1] = '\0';
		host++;
		pct = strchr(host, '%');
		if (pct)
			*pct = '\0';
		if (inet_pton(AF_INET6, host, ep->addr) != 1)
			return false;
		ep->family = AF_INET6;
	} else {
		if (inet_pton(AF_INET, host, ep->addr) != 1)
			return false;
		ep->family = AF_INET;
	}
	ep->port = (uint16_t)port;
	return true;
}

static bool mesh_wg_prefix_parse(struct mesh_rbuf *v, struct mesh_wg_prefix *p)
{
	char buf[64];
	char *slash;
	struct mesh_rbuf lv;
	uint64_t len;

	if (!mesh_wg_cstr(v, buf, sizeof(buf)))
		return false;
	slash = strchr(buf, '/');
	if (!slash)
		return false;
	*slash = '\0';
	if (!mesh_wg_addr_parse(buf, &p->family, p->addr))
		return false;
	mesh_rbuf_init(&lv, slash + 1, strlen(slash + 1));
	if (!mesh_wg_u64(&lv, p->family == AF_INET ? 32 : 128, &len))
		return false;
	p->len = (uint8_t)len;
	return true;
}

static const char *mesh_wg_endpoint_str(const struct mesh_wg_endpoint *ep,
					char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(ep->family, ep->addr, a, sizeof(a));
	if (ep->family == AF_INET6)
		snprintf(buf, size, "[%s]:%u", a, ep->port);
	else
		snprintf(buf, size, "%s:%u", a, ep->port);
	return buf;
}

/* A printable excerpt of a line for error messages. */
static const char *mesh_wg_excerpt(const char *line, size_t len, char *buf,
				   size_t size)
{
	size_t n = len < size - 4 ? len : size - 4;
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = isprint((unsigned char)line[i]) ? line[i] : '?';
	if (n < len)
		buf[i++] = '.', buf[i++] = '.', buf[i++] = '.';
	buf[i] = '\0';
	return buf;
}

/* ------------------------------------------------------------------ */
/* Reply parser                                                       */

struct mesh_wg_parser {
	struct mesh_wg_state *st; /* NULL: a set reply */
	struct mesh_wg_peer_state *peer;
	unsigned int line;
	bool have_errno;
	int uapi_errno;
	bool done;
	char *err;
	size_t errlen;
};

static void mesh_wg_parser_init(struct mesh_wg_parser *p,
				struct mesh_wg_state *st, char *err,
				size_t errlen)
{
	memset(p, 0, sizeof(*p));
	p->st = st;
	p->err = err;
	p->errlen = errlen;
	if (st)
		memset(st, 0, sizeof(*st));
}

static int mesh_wg_bad(struct mesh_wg_parser *p, int code, const char *line,
		       size_t len, const char *why)
{
	char ex[72];

	mesh_errf(p->err, p->errlen, "UAPI reply line %u (\"%s\"): %s", p->line,
		  mesh_wg_excerpt(line, len, ex, sizeof(ex)), why);
	return code;
}

/* Whether the key of the line being parsed (key, klen) is s. */
#define KEY_IS(s) (klen == sizeof(s) - 1 && memcmp(key, s, klen) == 0)

static int mesh_wg_parse_peer_key(struct mesh_wg_parser *p,
				  struct mesh_wg_peer_state *peer,
				  const char *key, size_t klen,
				  struct mesh_rbuf *v, const char *line,
				  size_t len)
{
	uint64_t n;

	if (KEY_IS("preshared_key")) {
		if (!mesh_wg_unhex(v, peer->preshared_key))
			return mesh_wg_bad(
				p, -EPROTO, line, len,
				"preshared_key is not 64 hex digits");
	} else if (KEY_IS("protocol_version")) {
		if (!mesh_wg_u64(v, UINT32_MAX, &n))
			return mesh_wg_bad(p, -EPROTO, line, len,
					   "bad protocol_version");
		peer->protocol_version = (unsigned int)n;
	} else if (KEY_IS("endpoint")) {
		if (!mesh_wg_endpoint_parse(v, &peer->endpoint))
			return mesh_wg_bad(p, -EPROTO, line, len,
					   "endpoint is not ADDR:PORT");
	} else if (KEY_IS("last_handshake_time_sec")) {
		if (!mesh_wg_u64(v, UINT64_MAX, &peer->last_handshake_sec))
			return mesh_wg_bad(p, -EPROTO, line, len,
					   "bad last_handshake_time_sec");
	} else if (KEY_IS("last_handshake_time_nsec")) {
		if (!mesh_wg_u64(v, 999999999, &n))
			return mesh_wg_bad(p, -EPROTO, line, len,
					   "bad last_handshake_time_nsec");
		peer->last_handshake_nsec = (uint32_t)n;
	} else if (KEY_IS("tx_bytes")) {
		if (!mesh_wg_u64(v, UINT64_MAX, &peer->tx_bytes))
			return mesh_wg_bad(p, -EPROTO, line, len,
					   "bad tx_bytes");
	} else if (KEY_IS("rx_bytes")) {
		if (!mesh_wg_u64(v, UINT64_MAX, &peer->rx_bytes))
			return mesh_wg_bad(p, -EPROTO, line, len,
					   "bad rx_bytes");
	} else if (KEY_IS("persistent_keepalive_interval")) {
		if (!mesh_wg_u64(v, 65535, &n))
			return mesh_wg_bad(p, -EPROTO, line, len,
					   "bad persistent_keepalive_interval");
		peer->keepalive_s = (uint16_t)n;
	} else if (KEY_IS("allowed_ip")) {
		if (peer->n_allowed_ips >= MESH_WG_MAX_ALLOWED_IPS)
			return mesh_wg_bad(p, -E2BIG, line, len,
					   "more allowed IPs than "
					   "MESH_WG_MAX_ALLOWED_IPS");
		if (!mesh_wg_prefix_parse(
			    v, &peer->allowed_ips[peer->n_allowed_ips]))
			return mesh_wg_bad(p, -EPROTO, line, len,
					   "allowed_ip is not ADDR/LEN");
		peer->n_allowed_ips++;
	} else {
		p->st->n_unknown++;
	}
	return 0;
}

/*
 * One line, without its newline. Returns 0 to go on, 1 at the end of the
 * reply (the empty line after errno), or a negative errno.
 */
static int mesh_wg_parse_line(struct mesh_wg_parser *p, const char *line,
			      size_t len)
{
	struct mesh_rbuf b, v;
	const char *key;
	const uint8_t *eq;
	size_t klen;
	uint64_t n;

	p->line++;
	if (p->done)
		return mesh_wg_bad(p, -EPROTO, line, len,
				   "data after the end of the reply");
	if (len == 0) {
		if (!p->have_errno)
			return mesh_wg_bad(p, -EPROTO, line, len,
					   "empty line before errno");
		p->done = true;
		return 1;
	}
	if (p->have_errno)
		return mesh_wg_bad(p, -EPROTO, line, len,
				   "data after the errno line");

	mesh_rbuf_init(&b, line, len);
	eq = memchr(line, '=', len);
	if (!eq)
		return mesh_wg_bad(p, -EPROTO, line, len, "no '='");
	klen = (size_t)((const char *)eq - line);
	key = line;
	mesh_rbuf_skip(&b, klen + 1);
	mesh_rbuf_sub(&b, mesh_rbuf_left(&b), &v);

	if (KEY_IS("errno")) {
		if (!mesh_wg_int(&v, &p->uapi_errno))
			return mesh_wg_bad(p, -EPROTO, line, len,
					   "errno is not a number");
		p->have_errno = true;
		return 0;
	}
	if (!p->st)
		return mesh_wg_bad(p, -EPROTO, line, len,
				   "a set reply holds only errno");

	if (KEY_IS("public_key")) {
		struct mesh_wg_peer_state *peer;

		if (p->st->n_peers >= MESH_WG_MAX_PEERS)
			return mesh_wg_bad(p, -E2BIG, line, len,
					   "more peers than MESH_WG_MAX_PEERS");
		peer = &p->st->peers[p->st->n_peers];
		memset(peer, 0, sizeof(*peer));
		if (!mesh_wg_unhex(&v, peer->public_key))
			return mesh_wg_bad(p, -EPROTO, line, len,
					   "public_key is not 64 hex digits");
		p->st->n_peers++;
		p->peer = peer;
		return 0;
	}
	if (p->peer)
		return mesh_wg_parse_peer_key(p, p->peer, key, klen, &v, line,
					      len);

	/* Device keys come before the first peer. */
	if (KEY_IS("private_key")) {
		if (!mesh_wg_unhex(&v, p->st->private_key))
			return mesh_wg_bad(p, -EPROTO, line, len,
					   "private_key is not 64 hex digits");
		p->st->has_private_key = true;
	} else if (KEY_IS("listen_port")) {
		if (!mesh_wg_u64(&v, 65535, &n))
			return mesh_wg_bad(p, -EPROTO, line, len,
					   "bad listen_port");
		p->st->listen_port = (uint16_t)n;
	} else if (KEY_IS("fwmark")) {
		if (!mesh_wg_u64(&v, UINT32_MAX, &n))
			return mesh_wg_bad(p, -EPROTO, line, len, "bad fwmark");
		p->st->fwmark = (uint32_t)n;
	} else if (KEY_IS("preshared_key") || KEY_IS("endpoint") ||
		   KEY_IS("allowed_ip") || KEY_IS("rx_bytes") ||
		   KEY_IS("tx_bytes") || KEY_IS("protocol_version") ||
		   KEY_IS("last_handshake_time_sec") ||
		   KEY_IS("last_handshake_time_nsec") ||
		   KEY_IS("persistent_keepalive_interval")) {
		return mesh_wg_bad(p, -EPROTO, line, len,
				   "peer key before any public_key");
	} else {
		p->st->n_unknown++;
	}
	return 0;
}

#undef KEY_IS

/* The result of a finished parse: 0 or the errno wireguard-go sent. */
static int mesh_wg_parse_result(struct mesh_wg_parser *p)
{
	int e = p->uapi_errno < 0 ? -p->uapi_errno : p->uapi_errno;

	if (!p->done) {
		mesh_errf(p->err, p->errlen,
			  "UAPI reply truncated after %u lines: %s", p->line,
			  p->have_errno ? "no empty line after errno"
					: "no errno line");
		return -EPROTO;
	}
	if (e) {
		mesh_errf(p->err, p->errlen,
			  "wireguard-go answered errno=%d (%s)", p->uapi_errno,
			  strerror(e));
		return -e;
	}
	return 0;
}

static int mesh_wg_parse_text(struct mesh_wg_parser *p, const char *text,
			      size_t len)
{
	struct mesh_rbuf b, line;
	int ret = 0;

	mesh_rbuf_init(&b, text, len);
	while (mesh_rbuf_left(&b) && ret == 0) {
		const uint8_t *nl =
			memchr(mesh_rbuf_cur(&b), '\n', mesh_rbuf_left(&b));
		size_t n;

		if (!nl) {
			p->line++;
			mesh_errf(p->err, p->errlen,
				  "UAPI reply line %u: no newline (truncated)",
				  p->line);
			return -EPROTO;
		}
		n = (size_t)(nl - mesh_rbuf_cur(&b));
		if (n > MESH_WG_LINE_MAX) {
			p->line++;
			mesh_errf(p->err, p->errlen,
				  "UAPI reply line %u: longer than %d", p->line,
				  MESH_WG_LINE_MAX);
			return -EPROTO;
		}
		mesh_rbuf_sub(&b, n, &line);
		mesh_rbuf_skip(&b, 1);
		ret = mesh_wg_parse_line(p, (const char *)line.data, n);
	}
	if (ret < 0)
		return ret;
	if (ret == 1 && mesh_rbuf_left(&b)) {
		p->line++;
		mesh_errf(p->err, p->errlen,
			  "UAPI reply line %u: data after the end of the "
			  "reply",
			  p->line);
		return -EPROTO;
	}
	return mesh_wg_parse_result(p);
}

int mesh_wg_parse_get(const char *text, size_t len, struct mesh_wg_state *st,
		      char *err, size_t errlen)
{
	struct mesh_wg_parser p;

	mesh_wg_parser_init(&p, st, err, errlen);
	return mesh_wg_parse_text(&p, text, len);
}

int mesh_wg_parse_set_reply(const char *text, size_t len, char *err,
			    size_t errlen)
{
	struct mesh_wg_parser p;

	mesh_wg_parser_init(&p, NULL, err, errlen);
	return mesh_wg_parse_text(&p, text, len);
}

void mesh_wg_state_wipe(struct mesh_wg_state *st)
{
	volatile uint8_t *k = st->private_key;

	for (size_t i = 0; i < MESH_WG_KEY_LEN; i++)
		k[i] = 0;
	st->has_private_key = false;
	for (size_t j = 0; j < st->n_peers; j++) {
		k = st->peers[j].preshared_key;
		for (size_t i = 0; i < MESH_WG_KEY_LEN; i++)
			k[i] = 0;
	}
}

const struct mesh_wg_peer_state *
mesh_wg_state_peer(const struct mesh_wg_state *st,
		   const uint8_t key[MESH_WG_KEY_LEN])
{
	for (size_t i = 0; i < st->n_peers; i++)
		if (!memcmp(st->peers[i].public_key, key, MESH_WG_KEY_LEN))
			return &st->peers[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Set text                                                           */

static int mesh_wg_prefix_check(const struct mesh_wg_prefix *p)
{
	if (p->family == AF_INET)
		return p->len <= 32 ? 0 : -1;
	if (p->family == AF_INET6)
		return p->len <= 128 ? 0 : -1;
	return -1;
}

int mesh_wg_cfg_check(const struct mesh_wg_cfg *cfg, char *err, size_t errlen)
{
	if (cfg->n_peers && !cfg->peers) {
		mesh_errf(err, errlen, "%zu peers but no peer array",
			  cfg->n_peers);
		return -EINVAL;
	}
	for (size_t i = 0; i < cfg->n_peers; i++) {
		const struct mesh_wg_peer_cfg *pc = &cfg->peers[i];

		if (pc->remove)
			continue;
		if (pc->endpoint.family != 0 &&
		    pc->endpoint.family != AF_INET &&
		    pc->endpoint.family != AF_INET6) {
			mesh_errf(err, errlen,
				  "peer %zu: endpoint address family %d is "
				  "neither IPv4 nor IPv6",
				  i, pc->endpoint.family);
			return -EINVAL;
		}
		if (pc->endpoint.family && pc->endpoint.port == 0) {
			mesh_errf(err, errlen, "peer %zu: endpoint port 0", i);
			return -EINVAL;
		}
		if (pc->n_allowed_ips && !pc->allowed_ips) {
			mesh_errf(err, errlen,
				  "peer %zu: %zu allowed IPs but no array", i,
				  pc->n_allowed_ips);
			return -EINVAL;
		}
		for (size_t j = 0; j < pc->n_allowed_ips; j++) {
			if (mesh_wg_prefix_check(&pc->allowed_ips[j])) {
				mesh_errf(err, errlen,
					  "peer %zu: allowed IP %zu: family "
					  "%d, length %u is not a prefix",
					  i, j, pc->allowed_ips[j].family,
					  pc->allowed_ips[j].len);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int mesh_wg_emit(mesh_wg_line_fn fn, void *arg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int mesh_wg_emit(mesh_wg_line_fn fn, void *arg, const char *fmt, ...)
{
	char line[MESH_WG_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -EOVERFLOW;
	return fn(arg, line, (size_t)n);
}

#define EMIT(...)                                                              \
	do {                                                                   \
		int _r = mesh_wg_emit(fn, arg, __VA_ARGS__);                   \
		if (_r)                                                        \
			return _r;                                             \
	} while (0)

static int mesh_wg_format_peer(const struct mesh_wg_peer_cfg *pc,
			       mesh_wg_line_fn fn, void *arg)
{
	char hex[2 * MESH_WG_KEY_LEN + 1];
	char buf[INET6_ADDRSTRLEN + 8];

	mesh_wg_hex(pc->public_key, hex);
	EMIT("public_key=%s", hex);
	if (pc->remove) {
		EMIT("remove=true");
		return 0;
	}
	if (pc->update_only)
		EMIT("update_only=true");
	if (pc->has_preshared_key) {
		mesh_wg_hex(pc->preshared_key, hex);
		EMIT("preshared_key=%s", hex);
	}
	if (pc->endpoint.family)
		EMIT("endpoint=%s",
		     mesh_wg_endpoint_str(&pc->endpoint, buf, sizeof(buf)));
	if (pc->has_keepalive)
		EMIT("persistent_keepalive_interval=%u", pc->keepalive_s);
	if (pc->replace_allowed_ips)
		EMIT("replace_allowed_ips=true");
	for (size_t j = 0; j < pc->n_allowed_ips; j++) {
		const struct mesh_wg_prefix *ap = &pc->allowed_ips[j];
		char a[INET6_ADDRSTRLEN];

		inet_ntop(ap->family, ap->addr, a, sizeof(a));
		EMIT("allowed_ip=%s/%u", a, ap->len);
	}
	return 0;
}

int mesh_wg_format_set(const struct mesh_wg_cfg *cfg, mesh_wg_line_fn fn,
		       void *arg)
{
	char hex[2 * MESH_WG_KEY_LEN + 1];
	int ret;

	if (cfg->has_private_key) {
		mesh_wg_hex(cfg->private_key, hex);
		ret = mesh_wg_emit(fn, arg, "private_key=%s", hex);
		memset(hex, 0, sizeof(hex));
		if (ret)
			return ret;
	}
	if (cfg->has_listen_port)
		EMIT("listen_port=%u", cfg->listen_port);
	if (cfg->has_fwmark)
		EMIT("fwmark=%u", cfg->fwmark);
	if (cfg->replace_peers)
		EMIT("replace_peers=true");
	for (size_t i = 0; i < cfg->n_peers; i++) {
		ret = mesh_wg_format_peer(&cfg->peers[i], fn, arg);
		if (ret)
			return ret;
	}
	return 0;
}

#undef EMIT

/* ------------------------------------------------------------------ */
/* The socket                                                         */

static int mesh_wg_sock_path(char *out, size_t size, const char *dir,
			     const char *ifname)
{
	int n = snprintf(out, size, "%s/%s.sock", dir ? dir : MESH_WG_SOCK_DIR,
			 ifname);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Connect to a UAPI socket; fd or negative errno. */
static int mesh_wg_connect(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = MESH_WG_IO_TIMEOUT_MS / 1000,
			     .tv_usec = (MESH_WG_IO_TIMEOUT_MS % 1000) * 1000};
	int fd, e;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		mesh_errf(err, errlen, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		e = errno;
		mesh_errf(err, errlen, "socket(AF_UNIX): %s", strerror(e));
		return -e;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		e = errno;
		mesh_errf(err, errlen, "connect %s: %s", path, strerror(e));
		close(fd);
		return -e;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Buffered writer used as a mesh_wg_line_fn. */
struct mesh_wg_writer {
	int fd;
	size_t len;
	int err; /* errno of a failed send */
	char buf[MESH_WG_WBUF];
};

static int mesh_wg_flush(struct mesh_wg_writer *w)
{
	size_t off = 0;

	while (off < w->len) {
		ssize_t n =
			send(w->fd, w->buf + off, w->len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			w->err = errno;
			return -errno;
		}
		off += (size_t)n;
	}
	memset(w->buf, 0, w->len); /* it may have held a private key */
	w->len = 0;
	return 0;
}

static int mesh_wg_write_line(void *arg, const char *line, size_t len)
{
	struct mesh_wg_writer *w = arg;

	if (len + 1 > sizeof(w->buf) - w->len) {
		int r = mesh_wg_flush(w);

		if (r)
			return r;
	}
	memcpy(w->buf + w->len, line, len);
	w->len += len;
	w->buf[w->len++] = '\n';
	return 0;
}

/* Read a reply and feed it to the parser, line by line. */
static int mesh_wg_read_reply(int fd, struct mesh_wg_parser *p,
			      const char *path)
{
	char chunk[1024];
	char line[MESH_WG_LINE_MAX];
	size_t llen = 0;

	for (;;) {
		ssize_t n = recv(fd, chunk, sizeof(chunk), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			if (e == EAGAIN || e == EWOULDBLOCK) {
				mesh_errf(p->err, p->errlen,
					  "%s: no reply within %d ms", path,
					  MESH_WG_IO_TIMEOUT_MS);
				return -ETIMEDOUT;
			}
			mesh_errf(p->err, p->errlen, "%s: recv: %s", path,
				  strerror(e));
			return -e;
		}
		if (n == 0) {
			mesh_errf(p->err, p->errlen,
				  "%s: wireguard-go closed the socket after "
				  "%u reply lines, before the end of its "
				  "reply",
				  path, p->line);
			return -EPROTO;
		}
		for (ssize_t i = 0; i < n; i++) {
			int r;

			if (chunk[i] != '\n') {
				if (llen == sizeof(line)) {
					mesh_errf(p->err, p->errlen,
						  "UAPI reply line %u: "
						  "longer than %d",
						  p->line + 1,
						  MESH_WG_LINE_MAX);
					return -EPROTO;
				}
				line[llen++] = chunk[i];
				continue;
			}
			r = mesh_wg_parse_line(p, line, llen);
			llen = 0;
			if (r < 0)
				return r;
			if (r == 1) {
				if (i + 1 < n) {
					p->line++;
					mesh_errf(p->err, p->errlen,
						  "UAPI reply line %u: data "
						  "after the end of the "
						  "reply",
						  p->line);
					return -EPROTO;
				}
				return mesh_wg_parse_result(p);
			}
		}
	}
}

static off_t mesh_wg_log_size(const struct mesh_wg_dev *dev)
{
	struct stat st;

	if (!dev->log_path[0] || stat(dev->log_path, &st) < 0)
		return -1;
	return st.st_size;
}

/* wireguard-go logs why it refused a set ("IPC error -22: failed to set
 * endpoint ...") before it answers; add that sentence to err. */
static void mesh_wg_log_reason(const struct mesh_wg_dev *dev, off_t from,
			       char *err, size_t errlen)
{
	char buf[2048];
	const char *hit, *end;
	ssize_t n;
	int fd;

	if (from < 0)
		return;
	fd = open(dev->log_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = pread(fd, buf, sizeof(buf) - 1, from);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	hit = strstr(buf, "IPC error");
	if (!hit)
		hit = strstr(buf, "ERROR:");
	if (!hit)
		return;
	end = strchr(hit, '\n');
	mesh_wg_err_append(err, errlen, "; wireguard-go: %.*s",
			   (int)(end ? end - hit : (ssize_t)strlen(hit)), hit);
}

int mesh_wg_set(const struct mesh_wg_dev *dev, const struct mesh_wg_cfg *cfg,
		char *err, size_t errlen)
{
	struct mesh_wg_writer *w;
	struct mesh_wg_parser p;
	struct mesh_wg_writer wbuf;
	off_t logpos;
	int fd, ret;

	ret = mesh_wg_cfg_check(cfg, err, errlen);
	if (ret)
		return ret;
	fd = mesh_wg_connect(dev->sock_path, err, errlen);
	if (fd < 0)
		return fd;
	logpos = mesh_wg_log_size(dev);

	w = &wbuf;
	w->fd = fd;
	w->len = 0;
	w->err = 0;
	ret = mesh_wg_write_line(w, "set=1", 5);
	if (!ret)
		ret = mesh_wg_format_set(cfg, mesh_wg_write_line, w);
	if (!ret)
		ret = mesh_wg_write_line(w, "", 0);
	if (!ret)
		ret = mesh_wg_flush(w);
	memset(w->buf, 0, sizeof(w->buf));
	if (ret) {
		if (w->err)
			mesh_errf(err, errlen, "%s: send: %s", dev->sock_path,
				  strerror(w->err));
		else
			mesh_errf(err, errlen, "%s: set line too long",
				  dev->ifname);
		close(fd);
		return ret;
	}
	mesh_wg_parser_init(&p, NULL, err, errlen);
	ret = mesh_wg_read_reply(fd, &p, dev->sock_path);
	close(fd);
	if (ret && p.done) {
		/* wireguard-go refused it: say so and why. */
		mesh_errf(err, errlen,
			  "%s: wireguard-go refused set: errno=%d (%s)",
			  dev->ifname, p.uapi_errno, strerror(-ret));
		mesh_wg_log_reason(dev, logpos, err, errlen);
	}
	return ret;
}

int mesh_wg_get(const struct mesh_wg_dev *dev, struct mesh_wg_state *st,
		char *err, size_t errlen)
{
	static const char req[] = "get=1\n\n";
	struct mesh_wg_parser p;
	size_t off = 0;
	int fd, ret;

	fd = mesh_wg_connect(dev->sock_path, err, errlen);
	if (fd < 0)
		return fd;
	while (off < sizeof(req) - 1) {
		ssize_t n = send(fd, req + off, sizeof(req) - 1 - off,
				 MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			mesh_errf(err, errlen, "%s: send: %s", dev->sock_path,
				  strerror(errno));
			close(fd);
			return ret;
		}
		off += (size_t)n;
	}
	mesh_wg_parser_init(&p, st, err, errlen);
	ret = mesh_wg_read_reply(fd, &p, dev->sock_path);
	close(fd);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The process                                                        */

bool mesh_wg_name_valid(const char *ifname)
{
	size_t n;

	if (!ifname)
		return false;
	n = strnlen(ifname, IFNAMSIZ);
	if (n == 0 || n >= IFNAMSIZ)
		return false;
	if (!strcmp(ifname, ".") || !strcmp(ifname, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)ifname[i];

		if (!isalnum(c) && c != '_' && c != '-' && c != '.')
			return false;
	}
	return true;
}

/* Whether something answers on the socket. */
static bool mesh_wg_sock_alive(const char *path)
{
	int fd = mesh_wg_connect(path, NULL, 0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int mesh_wg_dev_init(struct mesh_wg_dev *dev, const char *ifname,
			    const char *sock_dir, char *err, size_t errlen)
{
	memset(dev, 0, sizeof(*dev));
	if (!mesh_wg_name_valid(ifname)) {
		mesh_errf(err, errlen,
			  "\"%s\" is not a valid interface name (1-%d "
			  "characters of A-Z a-z 0-9 _ . -)",
			  ifname ? ifname : "(null)", IFNAMSIZ - 1);
		return -EINVAL;
	}
	strcpy(dev->ifname, ifname);
	if (mesh_wg_sock_path(dev->sock_path, sizeof(dev->sock_path), sock_dir,
			      ifname)) {
		mesh_errf(err, errlen, "socket path for %s is too long",
			  ifname);
		return -ENAMETOOLONG;
	}
	return 0;
}

int mesh_wg_attach(struct mesh_wg_dev *dev, const char *ifname,
		   const char *sock_dir, char *err, size_t errlen)
{
	int ret = mesh_wg_dev_init(dev, ifname, sock_dir, err, errlen);
	int fd;

	if (ret)
		return ret;
	fd = mesh_wg_connect(dev->sock_path, err, errlen);
	if (fd < 0)
		return fd;
	{
		struct ucred cred;
		socklen_t len = sizeof(cred);

		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
			dev->owner = cred.pid;
	}
	close(fd);
	return 0;
}

/* The last line of the log, for "it exited" messages. */
static void mesh_wg_log_tail(const struct mesh_wg_dev *dev, char *err,
			     size_t errlen)
{
	char buf[512];
	struct stat st;
	off_t from;
	ssize_t n;
	char *last;
	int fd;

	if (!dev->log_path[0])
		return;
	fd = open(dev->log_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return;
	}
	from = st.st_size > (off_t)sizeof(buf) - 1
		       ? st.st_size - (off_t)sizeof(buf) + 1
		       : 0;
	n = pread(fd, buf, sizeof(buf) - 1, from);
	close(fd);
	if (n <= 0)
		return;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	last = strrchr(buf, '\n');
	last = last ? last + 1 : buf;
	if (*last)
		mesh_wg_err_append(err, errlen, "; its log says: %s", last);
}

/*
 * Whether our child has ended, reaping it. A daemon that lets SIGCHLD be
 * ignored has its children reaped by the kernel: waitpid() then fails
 * with ECHILD and only kill(pid, 0) can tell.
 */
static bool mesh_wg_reaped(pid_t pid, int *status)
{
	pid_t r = waitpid(pid, status, WNOHANG);

	if (r == pid)
		return true;
	if (r < 0 && errno == ECHILD) {
		*status = -1;
		return kill(pid, 0) < 0 && errno == ESRCH;
	}
	return false;
}

static const char *mesh_wg_status_str(int status, char *buf, size_t size)
{
	if (status == -1)
		snprintf(buf, size, "status unknown, reaped elsewhere");
	else if (WIFEXITED(status))
		snprintf(buf, size, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "status 0x%x", status);
	return buf;
}

int mesh_wg_start(struct mesh_wg_dev *dev, const char *ifname,
		  const struct mesh_wg_start_opts *opts, char *err,
		  size_t errlen)
{
	static const struct mesh_wg_start_opts defaults;
	const char *binary, *level;
	char env_level[32];
	char *argv[4];
	char *envp[6];
	int pfd[2], logfd, nullfd, e, status, timeout_ms, ret;
	int64_t deadline;
	pid_t parent, pid;
	ssize_t n;

	if (!opts)
		opts = &defaults;
	ret = mesh_wg_dev_init(dev, ifname, opts->sock_dir, err, errlen);
	if (ret)
		return ret;
	binary = opts->binary ? opts->binary : MESH_WG_BINARY;
	level = opts->log_level ? opts->log_level : "error";
	timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms
					  : MESH_WG_START_TIMEOUT_MS;

	if (mesh_wg_sock_alive(dev->sock_path)) {
		mesh_errf(err, errlen,
			  "%s: a wireguard-go already answers on %s "
			  "(interface names must be unique across network "
			  "namespaces)",
			  ifname, dev->sock_path);
		return -EEXIST;
	}
	if (access(binary, X_OK) < 0) {
		e = errno;
		mesh_errf(err, errlen, "%s: %s", binary, strerror(e));
		return -e;
	}

	/* Everything the child needs is prepared before fork: between
	 * fork and exec it only makes async-signal-safe calls. */
	snprintf(env_level, sizeof(env_level), "LOG_LEVEL=%s", level);
	argv[0] = (char *)"wireguard-go";
	argv[1] = (char *)"-f";
	argv[2] = dev->ifname;
	argv[3] = NULL;
	envp[0] = (char *)"WG_PROCESS_FOREGROUND=1";
	/* Older releases refuse to run on Linux without it. */
	envp[1] = (char *)"WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1";
	envp[2] = env_level;
	envp[3] = (char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	/* A TUN the caller opened is handed over as descriptor 3. */
	envp[4] = opts->tun_fd > 0 ? (char *)"WG_TUN_FD=3" : NULL;
	envp[5] = NULL;

	nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nullfd < 0) {
		e = errno;
		mesh_errf(err, errlen, "/dev/null: %s", strerror(e));
		return -e;
	}
	if (opts->log_path) {
		if (strlen(opts->log_path) >= sizeof(dev->log_path)) {
			close(nullfd);
			mesh_errf(err, errlen, "%s: log path too long",
				  opts->log_path);
			return -ENAMETOOLONG;
		}
		logfd = open(opts->log_path,
			     O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (logfd < 0) {
			e = errno;
			close(nullfd);
			mesh_errf(err, errlen, "%s: %s", opts->log_path,
				  strerror(e));
			return -e;
		}
		strcpy(dev->log_path, opts->log_path);
	} else {
		logfd = nullfd;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		e = errno;
		mesh_errf(err, errlen, "pipe2: %s", strerror(e));
		ret = -e;
		goto out_fds;
	}

	parent = getpid();
	pid = fork();
	if (pid < 0) {
		e = errno;
		mesh_errf(err, errlen, "fork: %s", strerror(e));
		close(pfd[0]);
		close(pfd[1]);
		ret = -e;
		goto out_fds;
	}
	if (pid == 0) {
		sigset_t all;

		if (!opts->keep_on_exit) {
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() != parent)
				_exit(127);
		}
		if (opts->ambient_net_admin &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_ADMIN,
			  0, 0) < 0)
			goto child_fail;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		if (dup2(nullfd, 0) < 0 || dup2(logfd, 1) < 0 ||
		    dup2(logfd, 2) < 0)
			goto child_fail;
		/* Nothing of ours leaks into wireguard-go; the status pipe
		 * closes on a successful exec. */
		if (opts->tun_fd > 0) {
			if (dup2(opts->tun_fd, 3) < 0 ||
			    fcntl(3, F_SETFD, 0) < 0)
				goto child_fail;
			close_range(4, ~0U, CLOSE_RANGE_CLOEXEC);
		} else {
			close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
		}
		execve(binary, argv, envp);
	child_fail:
		e = errno;
		n = write(pfd[1], &e, sizeof(e));
		(void)n;
		_exit(127);
	}

	/* Parent: the pipe reads EOF once exec succeeded. */
	close(pfd[1]);
	do {
		n = read(pfd[0], &e, sizeof(e));
	} while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n == (ssize_t)sizeof(e)) {
		waitpid(pid, &status, 0);
		mesh_errf(err, errlen, "exec %s: %s", binary, strerror(e));
		ret = -e;
		goto out_fds;
	}
	dev->pid = pid;

	deadline = mesh_wg_now_ms() + timeout_ms;
	for (;;) {
		char sbuf[48];

		if (mesh_wg_sock_alive(dev->sock_path)) {
			ret = 0;
			break;
		}
		if (mesh_wg_reaped(pid, &status)) {
			dev->pid = 0;
			mesh_errf(
				err, errlen,
				"wireguard-go for %s ended (%s) before its "
				"UAPI socket %s appeared",
				ifname,
				mesh_wg_status_str(status, sbuf, sizeof(sbuf)),
				dev->sock_path);
			mesh_wg_log_tail(dev, err, errlen);
			ret = -ECHILD;
			break;
		}
		if (mesh_wg_now_ms() >= deadline) {
			mesh_errf(err, errlen,
				  "wireguard-go for %s: no UAPI socket %s "
				  "after %d ms",
				  ifname, dev->sock_path, timeout_ms);
			mesh_wg_log_tail(dev, err, errlen);
			mesh_wg_stop(dev, NULL, 0);
			ret = -ETIMEDOUT;
			break;
		}
		mesh_wg_sleep_ms(MESH_WG_POLL_MS);
	}
out_fds:
	if (logfd != nullfd)
		close(logfd);
	close(nullfd);
	return ret;
}

bool mesh_wg_running(struct mesh_wg_dev *dev)
{
	int status;

	if (dev->pid <= 0)
		return dev->owner > 0 &&
		       !(kill(dev->owner, 0) < 0 && errno == ESRCH);
	if (mesh_wg_reaped(dev->pid, &status)) {
		dev->pid = 0;
		return false;
	}
	return true;
}

bool mesh_wg_proc_ended(pid_t pid)
{
	int status;

	return mesh_wg_reaped(pid, &status);
}

int mesh_wg_proc_stop(pid_t pid, char *err, size_t errlen)
{
	int64_t deadline;
	int status, e;

	if (kill(pid, SIGTERM) < 0 && errno != ESRCH) {
		e = errno;
		mesh_errf(err, errlen, "kill %d: %s", (int)pid, strerror(e));
		return -e;
	}
	deadline = mesh_wg_now_ms() + MESH_WG_STOP_GRACE_MS;
	for (;;) {
		if (mesh_wg_reaped(pid, &status))
			break;
		if (mesh_wg_now_ms() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		mesh_wg_sleep_ms(MESH_WG_POLL_MS);
	}
	return 0;
}

int mesh_wg_stop(struct mesh_wg_dev *dev, char *err, size_t errlen)
{
	int e, ret;
	/* attached: the socket's owner, found when attaching */
	pid_t pid = dev->pid > 0 ? dev->pid : dev->owner;

	if (pid <= 0) {
		/* Not ours to signal: removing the socket makes it exit. */
		if (unlink(dev->sock_path) < 0 && errno != ENOENT) {
			e = errno;
			mesh_errf(err, errlen, "unlink %s: %s", dev->sock_path,
				  strerror(e));
			return -e;
		}
		return 0;
	}
	ret = mesh_wg_proc_stop(pid, err, errlen);
	if (ret < 0)
		return ret;
	dev->pid = dev->owner = 0;
	/* A killed wireguard-go leaves its socket behind. */
	if (!mesh_wg_sock_alive(dev->sock_path))
		unlink(dev->sock_path);
	return 0;
}

int mesh_wg_link_set(const char *ifname, bool up, unsigned int mtu, char *err,
		     size_t errlen)
{
	struct ifreq ifr;
	int fd, e;

	if (!mesh_wg_name_valid(ifname)) {
		mesh_errf(err, errlen, "\"%s\" is not a valid interface name",
			  ifname ? ifname : "(null)");
		return -EINVAL;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		e = errno;
		mesh_errf(err, errlen, "socket: %s", strerror(e));
		return -e;
	}
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, ifname);
	if (mtu) {
		ifr.ifr_mtu = (int)mtu;
		if (ioctl(fd, SIOCSIFMTU, &ifr) < 0) {
			e = errno;
			mesh_errf(err, errlen, "%s: set MTU %u: %s", ifname,
				  mtu, strerror(e));
			close(fd);
			return -e;
		}
	}
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		e = errno;
		mesh_errf(err, errlen, "%s: get flags: %s", ifname,
			  strerror(e));
		close(fd);
		return -e;
	}
	if (up)
		ifr.ifr_flags |= IFF_UP;
	else
		ifr.ifr_flags &= ~IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) {
		e = errno;
		mesh_errf(err, errlen, "%s: set %s: %s", ifname,
			  up ? "up" : "down", strerror(e));
		close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

/* ------------------------------------------------------------------ */
/* TUN devices                                                        */

int mesh_wg_tun_open(const char *ifname, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd, e;

	if (!mesh_wg_name_valid(ifname)) {
		mesh_errf(err, errlen, "\"%s\" is not a valid interface name",
			  ifname ? ifname : "(null)");
		return -EINVAL;
	}
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		mesh_errf(err, errlen, "/dev/net/tun: %s", strerror(e));
		return -e;
	}
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, ifname);
	/* With packet information: wireguard-go (Debian 12's 0.0.20220316)
	 * assumes the 4-octet header on a descriptor it is handed. */
	ifr.ifr_flags = IFF_TUN;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		e = errno;
		close(fd);
		mesh_errf(err, errlen, "%s: TUNSETIFF: %s", ifname,
			  strerror(e));
		return -e;
	}
	return fd;
}
