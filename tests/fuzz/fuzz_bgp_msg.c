// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for meshd's BGP message parser (meshd/mesh_bgp_wire.c).
 *
 * The first input octet selects the decode context (4-octet AS,
 * extended messages, iBGP, ADD-PATH per family, AFI/SAFI disable, mesh
 * validator, mesh type code 254: the C_* flags of tests/test_bgp_wire.c);
 * the rest is framed and decoded as one message. Every input goes
 * through the formatters and the hex dump. An accepted UPDATE (no
 * action stronger than attribute discard) is re-encoded from its
 * decoded attributes, decoded again, and must come back accepted with
 * equal attributes; its NLRI must iterate without error. An accepted
 * OPEN is re-encoded and must decode to the same capabilities.
 *
 * Build and run:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Imeshd -Ibgpd-ext \
 *	tests/fuzz/fuzz_bgp_msg.c meshd/mesh_bgp_wire.c -o /tmp/fuzz_bgp
 *   /tmp/fuzz_bgp -max_total_time=60 tests/fuzz/corpus/bgp_msg
 * Seeds: tests/fuzz/corpus/bgp_msg/ (from test_bgp_wire --write-corpus)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesh_bgp_wire.h"

static int fuzz_mesh_check(const uint8_t *val, size_t len, void *arg)
{
	(void)arg;
	return len == 0 || val[0] == 0;
}

static void fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz_bgp_msg: %s\n", what);
	abort();
}

static void fuzz_ctx(struct mesh_bgp_ctx *c, uint8_t f)
{
	memset(c, 0, sizeof(*c));
	c->as4 = f & 0x01;
	c->ext_msg = f & 0x02;
	c->ibgp = f & 0x04;
	c->addpath_rx = (f & 0x08 ? MESH_BGP_AFB_IPV4 : 0) |
			(f & 0x10 ? MESH_BGP_AFB_IPV6 : 0);
	c->addpath_tx = c->addpath_rx;
	c->afisafi_disable = f & 0x20;
	if (f & 0x40)
		c->mesh_validate = fuzz_mesh_check;
	c->mesh_type = f & 0x80 ? 254 : 0;
}

static void fuzz_nlri(const struct mesh_bgp_bytes *b, uint16_t afi, bool ap)
{
	struct mesh_bgp_nlri_iter it;
	struct mesh_bgp_prefix p;
	int r;

	mesh_bgp_nlri_iter_init(&it, b, afi, ap);
	while ((r = mesh_bgp_nlri_iter_next(&it, &p)) > 0)
		;
	if (r < 0)
		fuzz_fail("accepted NLRI does not iterate");
}

static void fuzz_update(const struct mesh_bgp_ctx *ctx,
			const struct mesh_bgp_update *u)
{
	static uint8_t out[MESH_BGP_EXT_MAX_LEN + 64];
	static struct mesh_bgp_update u2;
	struct mesh_bgp_verdict v;
	struct mesh_wbuf w;
	bool ap4 = mesh_bgp_ctx_addpath(ctx, MESH_BGP_AFI_IPV4, false);

	fuzz_nlri(&u->withdrawn, MESH_BGP_AFI_IPV4, ap4);
	fuzz_nlri(&u->nlri, MESH_BGP_AFI_IPV4, ap4);
	if (u->eor)
		return;

	mesh_wbuf_init(&w, out, sizeof(out));
	if (!mesh_bgp_update_encode(&w, ctx, &u->withdrawn, &u->attrs,
				    &u->nlri))
		fuzz_fail("accepted UPDATE does not re-encode");
	mesh_bgp_update_decode(out, w.len, ctx, &u2, &v);
	if (v.action != MESH_BGP_ACT_NONE)
		fuzz_fail("re-encoded UPDATE not accepted");
	if (!mesh_bgp_attrs_equal(&u->attrs, &u2.attrs))
		fuzz_fail("re-encoded UPDATE decodes to other attributes");
}

static void fuzz_open(const struct mesh_bgp_open *o)
{
	static uint8_t out[MESH_BGP_MAX_LEN];
	struct mesh_bgp_open o2;
	struct mesh_bgp_verdict v;
	struct mesh_wbuf w;

	mesh_wbuf_init(&w, out, sizeof(out));
	if (!mesh_bgp_open_encode(&w, o))
		return; /* many capabilities may not fit one OPEN again */
	if (mesh_bgp_open_decode(out, w.len, NULL, &o2, &v) !=
	    MESH_BGP_ACT_NONE)
		fuzz_fail("re-encoded OPEN not accepted");
	if (o2.caps != o->caps || o2.asn != o->asn ||
	    o2.hold_time != o->hold_time || o2.bgp_id != o->bgp_id)
		fuzz_fail("re-encoded OPEN differs");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mesh_bgp_msg m;
	static char text[1 << 18];
	struct mesh_bgp_ctx ctx;
	struct mesh_bgp_verdict v;
	uint8_t i;

	if (size < 1)
		return 0;
	fuzz_ctx(&ctx, data[0]);
	data++;
	size--;

	mesh_bgp_msg_frame(data, size, &ctx, &v);
	mesh_bgp_msg_decode(data, size, &ctx, &m, &v);

	mesh_bgp_verdict_fmt(text, sizeof(text), &v);
	for (i = 0; i < v.n_findings; i++)
		mesh_bgp_finding_fmt(text, 40, &v.findings[i]);
	if (v.action >= MESH_BGP_ACT_AFISAFI_DISABLE) {
		uint8_t nd[MESH_BGP_EXT_MAX_LEN];
		struct mesh_wbuf w;

		mesh_bgp_notify_data(&v.notify, nd, sizeof(nd));
		mesh_wbuf_init(&w, nd, sizeof(nd));
		mesh_bgp_notify_encode(&w, &v.notify);
	}
	mesh_bgp_hexdump(text, sizeof(text), data, size);

	switch (m.type) {
	case MESH_BGP_MSG_UPDATE:
		mesh_bgp_update_fmt(text, sizeof(text), &ctx, &m.u.update);
		mesh_bgp_update_fmt(text, 17, &ctx, &m.u.update);
		if (v.action <= MESH_BGP_ACT_ATTR_DISCARD)
			fuzz_update(&ctx, &m.u.update);
		break;
	case MESH_BGP_MSG_OPEN:
		mesh_bgp_open_fmt(text, sizeof(text), &m.u.open);
		if (v.action == MESH_BGP_ACT_NONE)
			fuzz_open(&m.u.open);
		break;
	case MESH_BGP_MSG_NOTIFICATION:
		mesh_bgp_notification_fmt(text, sizeof(text),
					  &m.u.notification);
		break;
	}
	return 0;
}
