// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the two parsers of WireGuard device state meshd
 * reads: wireguard-go's UAPI "get" reply (meshd/mesh_wg.c) and the
 * kernel's WG_CMD_GET_DEVICE dump over generic netlink (meshd/mesh_wgk.c).
 *
 * The first input octet chooses: even, the rest is one UAPI reply; odd,
 * the rest is a dump cut into datagrams, each prefixed by a 16-bit
 * big-endian length (a short or over-long prefix ends the input), fed
 * one by one until the parser says done or refuses. Whatever the input,
 * the state must stay within its bounds, a refusal must say why, and
 * the key material must be wiped afterwards.
 *
 * Build and run (tools/fuzz does this):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -Imeshd -Ibgpd-ext \
 *	tests/fuzz/fuzz_wg_reply.c meshd/mesh_wg.c meshd/mesh_wgk.c \
 *	-o /tmp/fuzz_wg_reply
 *   /tmp/fuzz_wg_reply -max_total_time=60 tests/fuzz/corpus/wg_reply
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "mesh_wg.h"
#include "mesh_wgk.h"

#define FUZZ_FAMILY 0x1d /* any generic netlink family ID */
#define FUZZ_SEQ 7

static void fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz_wg_reply: %s\n", what);
	abort();
}

static void fuzz_state_check(struct mesh_wg_state *st, int r, const char *err)
{
	static const uint8_t zero[MESH_WG_KEY_LEN];

	if (st->n_peers > MESH_WG_MAX_PEERS)
		fuzz_fail("more peers than the state holds");
	for (size_t i = 0; i < st->n_peers; i++) {
		const struct mesh_wg_peer_state *p = &st->peers[i];

		if (p->n_allowed_ips > MESH_WG_MAX_ALLOWED_IPS)
			fuzz_fail("more allowed IPs than a peer holds");
		for (size_t j = 0; j < p->n_allowed_ips; j++) {
			const struct mesh_wg_prefix *a = &p->allowed_ips[j];

			if (a->family != AF_INET && a->family != AF_INET6)
				fuzz_fail("allowed IP of no family");
			if (a->len > (a->family == AF_INET ? 32 : 128))
				fuzz_fail("allowed IP prefix too long");
		}
	}
	if (r < 0 && r != -E2BIG && !err[0])
		fuzz_fail("refused without a reason");
	mesh_wg_state_wipe(st);
	if (memcmp(st->private_key, zero, sizeof(zero)))
		fuzz_fail("private key not wiped");
	for (size_t i = 0; i < st->n_peers && i < MESH_WG_MAX_PEERS; i++)
		if (memcmp(st->peers[i].preshared_key, zero, sizeof(zero)))
			fuzz_fail("preshared key not wiped");
}

static void fuzz_uapi(const uint8_t *data, size_t size)
{
	static struct mesh_wg_state st;
	char err[256] = "";
	int r;

	memset(&st, 0, sizeof(st));
	r = mesh_wg_parse_get((const char *)data, size, &st, err, sizeof(err));
	fuzz_state_check(&st, r, err);
}

static void fuzz_dump(const uint8_t *data, size_t size)
{
	static struct mesh_wg_state st;
	struct mesh_wgk_dump d;
	char err[256] = "";
	int r = 0;

	mesh_wgk_dump_begin(&d, FUZZ_FAMILY, FUZZ_SEQ, &st);
	while (size >= 2 && r == 0) {
		size_t n = (size_t)data[0] << 8 | data[1];

		data += 2;
		size -= 2;
		if (n > size)
			break;
		r = mesh_wgk_dump_feed(&d, data, n, err, sizeof(err));
		data += n;
		size -= n;
	}
	fuzz_state_check(&st, r < 0 ? r : 0, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		fuzz_dump(data + 1, size - 1);
	else
		fuzz_uapi(data + 1, size - 1);
	return 0;
}
