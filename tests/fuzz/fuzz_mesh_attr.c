// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the mesh path attribute decoder.
 *
 * Every input is decoded. An accepted one is encoded, decoded again and
 * encoded once more: the two decoded forms must be equal and the two
 * encodings identical, or the target aborts. Show text and JSON are
 * produced for every accepted input, and the signature check runs
 * against a fixed key, so the display and crypto paths see the same
 * hostile shapes as the parser.
 *
 * Build:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ibgpd-ext \
 *	tests/fuzz/fuzz_mesh_attr.c bgpd-ext/mesh_attr.c -ljson-c -lcrypto
 * Seeds: tests/fuzz/corpus/mesh_attr/ (tests/test_mesh_attr --write-corpus)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesh_attr.h"

/* RFC 8032 section 7.1 TEST 1 public key, the examples' mesh CA. */
static const uint8_t fuzz_ca_public[32] = {
	0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe,
	0xd3, 0xc9, 0x64, 0x07, 0x3a, 0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6,
	0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a};

static EVP_PKEY *fuzz_key;

static void fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz_mesh_attr: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mesh_attr a, b;
	static uint8_t out1[MESH_ATTR_MAX_LEN], out2[MESH_ATTR_MAX_LEN];
	static char text[8192];
	enum mesh_attr_sig_status s1, s2;
	struct json_object *jo;
	size_t l1, l2;
	char err[256];

	if (!fuzz_key)
		fuzz_key = mesh_attr_key_public_from_raw(fuzz_ca_public, 32);

	if (mesh_attr_decode(data, size, &a, err, sizeof(err)) != MESH_ATTR_OK)
		return 0;

	if (mesh_attr_encode(&a, data, out1, sizeof(out1), &l1))
		fuzz_fail("accepted input does not encode");
	if (l1 > size)
		fuzz_fail("canonical encoding longer than the input");
	if (mesh_attr_decode(out1, l1, &b, err, sizeof(err)) != MESH_ATTR_OK)
		fuzz_fail(err);
	if (!mesh_attr_equal(&a, data, &b, out1))
		fuzz_fail("decode(encode(x)) differs from decode(x)");
	if (mesh_attr_encode(&b, out1, out2, sizeof(out2), &l2))
		fuzz_fail("re-encoding failed");
	if (l1 != l2 || memcmp(out1, out2, l1))
		fuzz_fail("re-encoding is not stable");

	/* Canonical order does not change the signature's verdict. */
	s1 = mesh_attr_verify_decoded(&a, data, fuzz_key);
	s2 = mesh_attr_verify(out1, l1, fuzz_key);
	if (s1 != s2)
		fuzz_fail("signature verdict depends on the TLV order");

	mesh_attr_format(&a, text, sizeof(text));
	if (strlen(text) >= sizeof(text))
		fuzz_fail("format overran");
	mesh_attr_format(&a, text, 17);
	jo = mesh_attr_to_json(&a);
	if (!jo || !json_object_to_json_string(jo))
		fuzz_fail("no JSON");
	json_object_put(jo);

	/* Policy edit on an accepted attribute: saturating, stays valid. */
	mesh_attr_latency_add(&b, (uint32_t)size * 1000u);
	if (mesh_attr_encode(&b, out1, out2, sizeof(out2), &l2) == 0 &&
	    mesh_attr_decode(out2, l2, &a, err, sizeof(err)) != MESH_ATTR_OK)
		fuzz_fail("latency edit produced a malformed attribute");
	return 0;
}
