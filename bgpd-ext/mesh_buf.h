// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Bounded buffers for wire codecs.
 *
 * Every decoder in meshd and in the bgpd mesh module reads through a
 * struct mesh_rbuf: a window of exactly the bytes it may look at. A
 * dispatcher cuts a sub-buffer of one message, attribute or TLV with
 * mesh_rbuf_sub() and hands it to the decoder, then checks that the
 * decoder consumed it exactly (mesh_rbuf_left() == 0). Reads past the
 * end fail, return false and leave the buffer flagged (err), so a
 * decoder can do a run of reads and test once. Decoders never do
 * pointer arithmetic of their own.
 *
 * struct mesh_wbuf is the writer: it refuses to grow past its capacity
 * and remembers that it did, so an encoder checks once at the end.
 *
 * mesh_errf() fills the caller's error buffer (err, errlen) that the
 * codecs and the tunnel helpers take; a NULL buffer means "no text".
 *
 * Header-only and free of libfrr so that unit tests and fuzz targets can
 * use it alone.
 */
#ifndef MESH_BUF_H
#define MESH_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct mesh_rbuf {
	const uint8_t *data; /* start of the window */
	size_t len;	     /* size of the window */
	size_t pos;	     /* bytes consumed */
	bool err;	     /* a read went past the end */
};

static inline void mesh_rbuf_init(struct mesh_rbuf *b, const void *data,
				  size_t len)
{
	b->data = data;
	b->len = data ? len : 0;
	b->pos = 0;
	b->err = false;
}

static inline size_t mesh_rbuf_left(const struct mesh_rbuf *b)
{
	return b->len - b->pos;
}

/* Position of the next byte relative to the start of this window. */
static inline size_t mesh_rbuf_pos(const struct mesh_rbuf *b)
{
	return b->pos;
}

/* The next unread byte, for code that must keep a reference to raw
 * bytes (an unknown attribute to pass on). Valid for mesh_rbuf_left(). */
static inline const uint8_t *mesh_rbuf_cur(const struct mesh_rbuf *b)
{
	return b->data + b->pos;
}

static inline bool mesh_rbuf_need(struct mesh_rbuf *b, size_t n)
{
	if (b->err || n > mesh_rbuf_left(b)) {
		b->err = true;
		return false;
	}
	return true;
}

static inline bool mesh_rbuf_u8(struct mesh_rbuf *b, uint8_t *v)
{
	if (!mesh_rbuf_need(b, 1))
		return false;
	*v = b->data[b->pos++];
	return true;
}

static inline bool mesh_rbuf_u16(struct mesh_rbuf *b, uint16_t *v)
{
	if (!mesh_rbuf_need(b, 2))
		return false;
	*v = (uint16_t)((b->data[b->pos] << 8) | b->data[b->pos + 1]);
	b->pos += 2;
	return true;
}

static inline bool mesh_rbuf_u24(struct mesh_rbuf *b, uint32_t *v)
{
	if (!mesh_rbuf_need(b, 3))
		return false;
	*v = ((uint32_t)b->data[b->pos] << 16) |
	     ((uint32_t)b->data[b->pos + 1] << 8) | b->data[b->pos + 2];
	b->pos += 3;
	return true;
}

static inline bool mesh_rbuf_u32(struct mesh_rbuf *b, uint32_t *v)
{
	if (!mesh_rbuf_need(b, 4))
		return false;
	*v = ((uint32_t)b->data[b->pos] << 24) |
	     ((uint32_t)b->data[b->pos + 1] << 16) |
	     ((uint32_t)b->data[b->pos + 2] << 8) | b->data[b->pos + 3];
	b->pos += 4;
	return true;
}

static inline bool mesh_rbuf_u64(struct mesh_rbuf *b, uint64_t *v)
{
	uint32_t hi = 0, lo = 0;

	if (!mesh_rbuf_need(b, 8))
		return false;
	mesh_rbuf_u32(b, &hi);
	mesh_rbuf_u32(b, &lo);
	*v = ((uint64_t)hi << 32) | lo;
	return true;
}

static inline bool mesh_rbuf_bytes(struct mesh_rbuf *b, void *dst, size_t n)
{
	if (!mesh_rbuf_need(b, n))
		return false;
	memcpy(dst, b->data + b->pos, n);
	b->pos += n;
	return true;
}

static inline bool mesh_rbuf_skip(struct mesh_rbuf *b, size_t n)
{
	if (!mesh_rbuf_need(b, n))
		return false;
	b->pos += n;
	return true;
}

/* Cut the next n bytes into *sub and advance past them. On failure *sub
 * is an empty window and the parent is flagged. */
static inline bool mesh_rbuf_sub(struct mesh_rbuf *b, size_t n,
				 struct mesh_rbuf *sub)
{
	if (!mesh_rbuf_need(b, n)) {
		mesh_rbuf_init(sub, NULL, 0);
		return false;
	}
	mesh_rbuf_init(sub, b->data + b->pos, n);
	b->pos += n;
	return true;
}

struct mesh_wbuf {
	uint8_t *data;
	size_t cap;
	size_t len;
	bool err; /* a write did not fit */
};

static inline void mesh_wbuf_init(struct mesh_wbuf *w, void *data, size_t cap)
{
	w->data = data;
	w->cap = cap;
	w->len = 0;
	w->err = false;
}

static inline bool mesh_wbuf_room(struct mesh_wbuf *w, size_t n)
{
	if (w->err || n > w->cap - w->len) {
		w->err = true;
		return false;
	}
	return true;
}

static inline bool mesh_wbuf_u8(struct mesh_wbuf *w, uint8_t v)
{
	if (!mesh_wbuf_room(w, 1))
		return false;
	w->data[w->len++] = v;
	return true;
}

static inline bool mesh_wbuf_u16(struct mesh_wbuf *w, uint16_t v)
{
	if (!mesh_wbuf_room(w, 2))
		return false;
	w->data[w->len++] = (uint8_t)(v >> 8);
	w->data[w->len++] = (uint8_t)v;
	return true;
}

static inline bool mesh_wbuf_u32(struct mesh_wbuf *w, uint32_t v)
{
	if (!mesh_wbuf_room(w, 4))
		return false;
	w->data[w->len++] = (uint8_t)(v >> 24);
	w->data[w->len++] = (uint8_t)(v >> 16);
	w->data[w->len++] = (uint8_t)(v >> 8);
	w->data[w->len++] = (uint8_t)v;
	return true;
}

static inline bool mesh_wbuf_u64(struct mesh_wbuf *w, uint64_t v)
{
	if (!mesh_wbuf_room(w, 8))
		return false;
	mesh_wbuf_u32(w, (uint32_t)(v >> 32));
	mesh_wbuf_u32(w, (uint32_t)v);
	return true;
}

static inline bool mesh_wbuf_bytes(struct mesh_wbuf *w, const void *src,
				   size_t n)
{
	if (!mesh_wbuf_room(w, n))
		return false;
	if (n)
		memcpy(w->data + w->len, src, n);
	w->len += n;
	return true;
}

/* Reserve room for a length field written later with mesh_wbuf_put16_at();
 * returns its offset. */
static inline size_t mesh_wbuf_mark16(struct mesh_wbuf *w)
{
	size_t at = w->len;

	mesh_wbuf_u16(w, 0);
	return at;
}

static inline void mesh_wbuf_put16_at(struct mesh_wbuf *w, size_t at,
				      uint16_t v)
{
	if (w->err || at + 2 > w->len)
		return;
	w->data[at] = (uint8_t)(v >> 8);
	w->data[at + 1] = (uint8_t)v;
}

static inline void mesh_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline void mesh_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

#endif /* MESH_BUF_H */
